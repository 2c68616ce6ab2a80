// The formats of `imagelint check` that other tools read — SARIF 2.1.0, JUnit XML (GitLab's
// artifacts:reports:junit), GitLab Code Quality — and markdown for a merge-request comment. Each
// is one function of the same CheckReport (check_report.h); text and json are in check_report.cc.
#include <unistd.h>

#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/check_report.h"
#include "report/finding_groups.h"
#include "report/markdown.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {

namespace {

using nlohmann::json;

// Bytes from an image may be invalid UTF-8: JSON keeps them as U+FFFD rather than failing.
std::string dump(const json& j, int indent = 2) { return j.dump(indent, ' ', false, json::error_handler_t::replace) + "\n"; }

bool fails(const Finding& f, Severity fail_on) { return !f.waived && static_cast<int>(f.severity) <= static_cast<int>(fail_on); }

// An image path as a URI reference relative to the image root (RFC 3986: unreserved characters
// and '/' kept, every other byte percent-encoded).
std::string uri_of(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                c == '_' || c == '~' || c == '/';
    out += keep ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out;
}

const char* sarif_level(Severity s) { return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note"; }

// XML text or attribute: escape_bytes first (XML 1.0 allows no control bytes, even as
// references, and no invalid UTF-8; text keeps its newlines), U+FFFE and U+FFFF (which XML
// forbids too) as \xNN, then the five entities.
std::string xml(const std::string& s, bool text = false) {
  std::string safe = text ? escape_lines(s) : escape_bytes(s, false), out;
  for (size_t i = 0; (i = safe.find("\xef\xbf", i)) != std::string::npos; i += 2) {
    unsigned char last = i + 2 < safe.size() ? static_cast<unsigned char>(safe[i + 2]) : 0;
    if (last == 0xbe || last == 0xbf) safe.replace(i, 3, fmt::format("\\xef\\xbf\\x{:02x}", last));
  }
  for (char c : safe) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// JUnit's timestamp: ISO 8601 without a zone (the Ant schema's pattern), UTC.
std::string junit_time(std::time_t t) { return format_time(t).substr(0, 19); }

}  // namespace

std::string check_sarif(const CheckReport& r) {
  json rules = json::array();
  std::map<std::string, size_t> index;
  for (const RuleSpec& spec : r.rules.rules) {
    index[spec.id] = rules.size();
    json rj = {{"id", spec.id},
               {"shortDescription", {{"text", spec.summary}}},
               {"defaultConfiguration", {{"level", sarif_level(spec.severity)}}},
               {"properties", {{"pack", spec.pack}, {"kind", spec.kind}}}};
    if (const std::string* doc = rule_doc(spec.id)) rj["help"] = {{"text", *doc}, {"markdown", *doc}};
    else rj["help"] = {{"text", spec.summary}};
    rules.push_back(std::move(rj));
  }
  json results = json::array();
  for (const Finding& f : r.result.findings) {
    json res = {{"ruleId", f.rule},
                {"level", sarif_level(f.severity)},
                {"message", {{"text", f.message}}},
                {"partialFingerprints", {{"imagelint/v1", f.fingerprint}}}};
    if (auto it = index.find(f.rule); it != index.end()) res["ruleIndex"] = it->second;
    if (!f.path.empty())
      res["locations"] = json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", uri_of(f.path)}, {"uriBaseId", "IMAGE_ROOT"}}}}}}});
    else
      res["locations"] = json::array({{{"logicalLocations", json::array({{{"name", r.image.ref.original}, {"kind", "module"}}})}}});
    json props = {{"path", f.path}};
    if (f.layer >= 0) props["layer"] = f.layer;
    if (!f.created_by.empty()) props["created_by"] = f.created_by;
    if (!f.package.empty()) props["package"] = f.package;
    res["properties"] = props;
    if (f.waived) res["suppressions"] = json::array({{{"kind", "external"}, {"status", "accepted"}, {"justification", f.waiver}}});
    results.push_back(std::move(res));
  }
  json run = {
      {"tool", {{"driver", {{"name", "imagelint"}, {"version", kVersion}, {"semanticVersion", kVersion}, {"rules", rules}}}}},
      {"originalUriBaseIds", {{"IMAGE_ROOT", {{"description", {{"text", "The root of the image's final filesystem."}}}}}}},
      {"results", results},
      {"properties", {{"image", r.image.ref.original},
                      {"manifest_digest", r.image.manifest_digest.empty() ? json(nullptr) : json(r.image.manifest_digest)},
                      {"packs", r.rules.packs}}}};
  json j = {{"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs", json::array({run})}};
  return dump(j);
}

std::string check_junit(const CheckReport& r) {
  // One testcase per rule that ran: it fails when it has a finding at or above --fail-on that is
  // not waived. Findings below --fail-on and waived ones go to the suite's system-out.
  std::map<std::string, std::vector<const Finding*>> by_rule;
  for (const Finding& f : r.result.findings) by_rule[f.rule].push_back(&f);
  int failures = 0;
  std::string cases, other;
  for (const RuleSpec& spec : r.rules.rules) {
    std::string failing;
    int n = 0;
    for (const Finding* f : by_rule[spec.id]) {
      std::string where = finding_where(*f);
      std::string line = fmt::format("{}: {}{}", f->path.empty() ? "(image)" : f->path, f->message,
                                     where.empty() ? "" : " (" + where + ")");
      if (fails(*f, r.fail_on)) {
        failing += fmt::format("[{}] {}\n", severity_name(f->severity), line);
        ++n;
      } else {
        other += fmt::format("{} [{}{}] {}\n", spec.id, f->waived ? "waived " : "", severity_name(f->severity), line);
      }
    }
    cases += fmt::format("    <testcase name=\"{}\" classname=\"imagelint.{}\" time=\"0\"", xml(spec.id), xml(spec.pack));
    if (n == 0) {
      cases += "/>\n";
      continue;
    }
    ++failures;
    cases += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                         xml(fmt::format("{} finding{}: {}", n, n == 1 ? "" : "s", spec.summary)), xml(spec.id), xml(failing, true));
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out += fmt::format("  <testsuite name=\"imagelint check {}\" package=\"imagelint\" id=\"0\" timestamp=\"{}\" hostname=\"{}\" "
                     "tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
                     xml(r.image.ref.original), junit_time(r.now), xml(r.host), r.rules.rules.size(), failures);
  out += "    <properties>\n";
  out += fmt::format("      <property name=\"image\" value=\"{}\"/>\n", xml(r.image.ref.original));
  if (!r.image.manifest_digest.empty()) out += fmt::format("      <property name=\"manifest_digest\" value=\"{}\"/>\n", xml(r.image.manifest_digest));
  out += fmt::format("      <property name=\"fail_on\" value=\"{}\"/>\n", severity_name(r.fail_on));
  out += "    </properties>\n" + cases;
  out += fmt::format("    <system-out>{}</system-out>\n    <system-err/>\n  </testsuite>\n</testsuites>\n", xml(other, true));
  return out;
}

std::string check_codequality(const CheckReport& r) {
  // GitLab collapses equal fingerprints and stops at the first invalid item: every item valid,
  // every fingerprint unique (a repeated one is told apart by its position among its equals).
  json items = json::array();
  std::set<std::string> seen;
  for (const Finding& f : r.result.findings) {
    if (f.waived) continue;
    std::string fp = f.fingerprint;
    for (int k = 2; !seen.insert(fp).second; ++k) fp = fmt::format("{}-{}", f.fingerprint, k);
    const char* severity = f.severity == Severity::Error ? "critical" : f.severity == Severity::Warning ? "minor" : "info";
    json item = {{"type", "issue"},
                 {"check_name", f.rule},
                 {"description", fmt::format("{}: {}", f.rule, f.message)},
                 {"categories", json::array({"Security"})},
                 {"fingerprint", fp},
                 {"severity", severity},
                 {"location", {{"path", f.path.empty() ? r.image.ref.original : f.path}, {"lines", {{"begin", 1}}}}}};
    if (std::string w = finding_where(f); !w.empty()) item["content"] = {{"body", w}};
    items.push_back(std::move(item));
  }
  return dump(items);
}

std::string check_markdown(const CheckReport& r) {
  bool failed = check_exit_code(r.result, r.fail_on) != 0;
  std::string out = fmt::format("### {} imagelint check: {}\n\n", failed ? "❌" : "✅",
                                failed ? fmt::format("FAILED (--fail-on {})", severity_name(r.fail_on)) : std::string("passed"));
  std::string packs;
  for (auto& p : r.rules.packs) packs += (packs.empty() ? "" : ", ") + p;
  out += fmt::format("{} · {} rules from {} · {} errors, {} warnings, {} info, {} waived\n\n", md_code(r.image.ref.original),
                     r.result.rules_run, md_text(packs), r.result.count(Severity::Error), r.result.count(Severity::Warning),
                     r.result.count(Severity::Info), r.result.waived());
  // Sections as in text: severity, then rule, a few rows per rule (finding_groups.h).
  std::vector<RuleBlock> blocks = rule_blocks(r.result.findings);
  if (blocks.empty()) return out + "No findings.\n";
  out += "| severity | rule | findings |\n|---|---|---|\n";
  for (const RuleBlock& b : blocks) out += fmt::format("| {} | {} | {} |\n", b.section, md_code(b.rule), with_commas(b.findings.size()));
  for (const RuleBlock& b : blocks) {
    const std::vector<const Finding*>& fs = b.findings;
    out += fmt::format("\n#### {} · {} ({})\n\n", b.section, md_code(b.rule), with_commas(fs.size()));
    FindingRows rows = group_findings(fs, kRowsPerRule);
    for (const FindingRow& row : rows.rows) {
      const Finding& f = *row.sample;
      std::string head = md_code(row.path.empty() ? "(image)" : row.path);
      if (row.count > 1) head += fmt::format(" ({} findings {})", with_commas(row.count), row.below ? "here and below" : "here");
      out += fmt::format("- {} — {}{}\n", head, f.path != row.path ? "e.g. " : "", md_text(f.message));
      if (std::string w = finding_where(f); !w.empty()) out += fmt::format("  <br>{}\n", md_text(w));
      if (!f.waiver.empty()) out += fmt::format("  <br>{}{}\n", f.waived ? "waived: " : "", md_text(f.waiver));
    }
    if (size_t more = fs.size() - rows.rows.size(); more > 0)
      out += fmt::format("- … {} more (the JSON, SARIF and Code Quality reports list every finding)\n", with_commas(more));
  }
  return out;
}

}  // namespace imagelint
