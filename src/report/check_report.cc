#include "report/check_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/finding_groups.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {

namespace {

std::string paint(bool on, const char* code, const std::string& s) {
  return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
}
const char* colour_of(Severity s) { return s == Severity::Error ? "1;31" : s == Severity::Warning ? "1;33" : "1;36"; }
}  // namespace

nlohmann::json image_to_json(const Image& img, const BuildResult* built) {
  using nlohmann::json;
  json j;
  j["reference"] = img.ref.original;
  j["transport"] = transport_name(img.ref.transport);
  j["manifest_digest"] = img.manifest_digest.empty() ? json(nullptr) : json(img.manifest_digest);
  j["config_digest"] = img.config_digest.empty() ? json(nullptr) : json(img.config_digest);
  j["platform"] = img.platform.os.empty() ? json(nullptr) : json(img.platform.str());
  j["labels"] = img.labels;
  j["layers"] = json::array();
  for (const LayerInfo& l : img.layers) {
    json lj;
    lj["index"] = l.index;
    lj["digest"] = l.digest.empty() ? json(nullptr) : json(l.digest);
    lj["diff_id"] = l.diff_id;
    lj["media_type"] = l.media_type.empty() ? json(nullptr) : json(l.media_type);
    lj["size"] = l.size;
    lj["created_by"] = l.created_by;
    if (built && static_cast<size_t>(l.index) < built->layers.size()) {
      const LayerStats& s = built->layers[static_cast<size_t>(l.index)];
      lj["compression"] = compression_name(s.compression);
      lj["uncompressed_size"] = s.uncompressed_bytes;
      lj["entries"] = s.entries;
    }
    j["layers"].push_back(lj);
  }
  return j;
}

std::string check_json(const CheckReport& r) {
  using nlohmann::json;
  json j;
  j["schema"] = "imagelint.check/v1";
  j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
  j["image"] = image_to_json(r.image, nullptr);
  j["packs"] = r.rules.packs;
  j["summary"] = {{"error", r.result.count(Severity::Error)},
                  {"warning", r.result.count(Severity::Warning)},
                  {"info", r.result.count(Severity::Info)},
                  {"waived", r.result.waived()},
                  {"rules_run", r.result.rules_run}};
  j["findings"] = json::array();  // written below by hand: a fleet's host may have thousands
  j["waivers"] = json::array();
  for (const Waiver& w : r.result.waivers)
    j["waivers"].push_back({{"rule", w.rule}, {"path", w.path}, {"reason", w.reason}, {"expires", w.expires}, {"status", w.status}, {"matched", w.matched}});
  // A message may quote bytes from the image that are not UTF-8 (a parser's "last read: '\x8a'"):
  // U+FFFD rather than an exception.
  std::string out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (r.result.findings.empty()) return out;
  // The findings, as dump(2) would write them (keys in order, the same escaping), without a json
  // object per finding: 9,000 findings cost 20 ms less a report.
  auto str = [](const std::string& v) { return json(v).dump(-1, ' ', false, json::error_handler_t::replace); };
  std::string list = "[\n";
  for (size_t i = 0; i < r.result.findings.size(); ++i) {
    const Finding& f = r.result.findings[i];
    list += i ? ",\n    {\n" : "    {\n";
    list += "      \"fingerprint\": " + str(f.fingerprint) + ",\n";
    list += "      \"layer\": " + (f.layer >= 0 ? std::to_string(f.layer) : std::string("null")) + ",\n";
    list += "      \"message\": " + str(f.message) + ",\n";
    list += "      \"package\": " + (f.package.empty() ? std::string("null") : str(f.package)) + ",\n";
    list += "      \"path\": " + str(f.path) + ",\n";
    list += "      \"rule\": " + str(f.rule) + ",\n";
    list += std::string("      \"severity\": \"") + severity_name(f.severity) + "\",\n";
    list += std::string("      \"waived\": ") + (f.waived ? "true" : "false");
    if (!f.waiver.empty()) list += ",\n      \"waiver\": " + str(f.waiver);
    list += "\n    }";
  }
  list += "\n  ]";
  const std::string empty = "\n  \"findings\": [],\n";
  size_t at = out.find(empty);
  if (at == std::string::npos) throw std::logic_error("check_json: no findings array to fill");
  out.replace(at + 15, 2, list);
  return out;
}

namespace {

// The findings of one rule in one section: every one with --all, else a few rows (finding_groups.h).
void rule_block(std::string& out, const CheckReport& r, const std::string& rule, const std::vector<const Finding*>& fs) {
  const bool c = r.color;
  out += fmt::format("  {} ({})\n", paint(c, "1", rule), with_commas(fs.size()));
  FindingRows rows = r.all ? FindingRows{} : group_findings(fs, kRowsPerRule);
  if (r.all)
    for (const Finding* f : fs) rows.rows.push_back({f->path, f, 1, false});
  for (const FindingRow& row : rows.rows) {
    const Finding& f = *row.sample;
    std::string head = row.path.empty() ? "(image)" : escape_bytes(row.path, false);
    if (row.count > 1)
      head += "  " + paint(c, "2", fmt::format("({} findings {})", with_commas(row.count), row.below ? "here and below" : "here"));
    out += "    " + head + "\n";
    std::string msg = escape_bytes(f.message, false);
    if (f.path != row.path)  // one of the findings below the row's directory, named
      msg = "e.g. " + (f.message.find(f.path) == std::string::npos ? escape_bytes(f.path, false) + ": " : "") + msg;
    out += "      " + msg + "\n";
    if (std::string where = finding_where(f, 90); !where.empty()) out += "      " + paint(c, "2", escape_bytes(where, false)) + "\n";
    if (!f.waiver.empty()) out += "      " + paint(c, "2", (f.waived ? "waived: " : "") + escape_bytes(f.waiver, false)) + "\n";
  }
  if (size_t more = fs.size() - rows.rows.size(); more > 0) {
    std::string where;
    if (rows.hidden > 0 && rows.hidden < more)
      where = fmt::format(": {} below these rows, {} in other places", with_commas(more - rows.hidden), with_commas(rows.hidden));
    else if (rows.hidden > 0)
      where = " in other places";
    out += "    " + paint(c, "2", fmt::format("… {} more{} (--all lists every finding; --format json too)", with_commas(more), where)) + "\n";
  }
}

// "var-tmpfiles 1,181, var-log 6": the rules of findings that keep, most findings first.
template <class Keep>
std::string per_rule(const CheckResult& res, Keep&& keep) {
  std::map<std::string, size_t> n;
  for (auto& f : res.findings)
    if (keep(f)) ++n[f.rule];
  std::vector<std::pair<std::string, size_t>> v(n.begin(), n.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::string s;
  for (auto& [rule, k] : v) s += (s.empty() ? "" : ", ") + rule + " " + with_commas(k);
  return s.empty() ? "" : " (" + s + ")";
}

}  // namespace

std::string check_text(const CheckReport& r) {
  std::string out;
  const bool c = r.color;
  std::string packs;
  for (auto& p : r.rules.packs) packs += (packs.empty() ? "" : ", ") + p;
  out += fmt::format("{} ({} rules from {})\n", escape_bytes(r.image.ref.original, false), r.result.rules_run, packs);
  if (r.base)
    out += fmt::format("on base {}: layers 0-{} are the base's, {} the instance's own\n", escape_bytes(r.base->ref, false),
                       r.base->layers - 1, r.image.layers.size() - static_cast<size_t>(r.base->layers));
  std::vector<RuleBlock> blocks = rule_blocks(r.result.findings);
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i == 0 || blocks[i].section != blocks[i - 1].section) {
      size_t n = 0;
      for (size_t k = i; k < blocks.size() && blocks[k].section == blocks[i].section; ++k) n += blocks[k].findings.size();
      Severity s;
      const char* colour = parse_severity(blocks[i].section, s) ? colour_of(s) : "2";
      out += fmt::format("\n{}\n", paint(c, colour, fmt::format("{} ({})", blocks[i].section, with_commas(n))));
    }
    rule_block(out, r, blocks[i].rule, blocks[i].findings);
  }
  for (const Waiver& w : r.result.waivers)
    if (w.status == "stale")
      out += fmt::format("\nstale waiver: {} {} matches nothing ({})\n", escape_bytes(w.rule, false), escape_bytes(w.path, false),
                         escape_bytes(w.reason, false));
  bool failed = check_exit_code(r.result, r.fail_on) != 0;
  auto of = [&](Severity s) { return per_rule(r.result, [s](const Finding& f) { return !f.waived && f.severity == s; }); };
  auto counted = [](int n, const char* one, const char* many) { return with_commas(static_cast<uint64_t>(n)) + " " + (n == 1 ? one : many); };
  out += fmt::format("\n{}{}, {}{}, {} info{}, {} waived{}: {}\n", counted(r.result.count(Severity::Error), "error", "errors"),
                     of(Severity::Error), counted(r.result.count(Severity::Warning), "warning", "warnings"), of(Severity::Warning),
                     with_commas(r.result.count(Severity::Info)), of(Severity::Info), with_commas(r.result.waived()),
                     per_rule(r.result, [](const Finding& f) { return f.waived; }),
                     failed ? paint(c, "1;31", fmt::format("FAILED (--fail-on {})", severity_name(r.fail_on)))
                            : paint(c, "1;32", "passed"));
  return out;
}

CheckWriter find_check_writer(const std::string& format) {
  if (format == "text") return check_text;
  if (format == "json") return check_json;
  if (format == "sarif") return check_sarif;
  if (format == "junit") return check_junit;
  if (format == "codequality") return check_codequality;
  if (format == "markdown") return check_markdown;
  return nullptr;
}

std::string rules_text(const RuleSet& rules) {
  size_t w = 4;
  for (auto& r : rules.rules) w = std::max(w, r.id.size());
  std::string out;
  for (auto& r : rules.rules)
    out += fmt::format("{:<{}}  {:<7}  {:<14}  {}\n", r.id, w, severity_name(r.severity), r.pack, r.summary);
  return out;
}

}  // namespace imagelint
