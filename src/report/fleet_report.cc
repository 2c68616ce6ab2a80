#include "report/fleet_report.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/markdown.h"
#include "util/error.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {
namespace {

constexpr uint64_t kMaxFleetJson = 64u << 20;
constexpr size_t kTopRules = 5;

const char* verdict_of(int code) { return code == 0 ? "pass" : code == 1 ? "fail" : "error"; }

// Worst first: could not be checked, failed, then by errors and warnings; the given order breaks ties.
std::vector<const FleetRow*> worst_first(const std::vector<const FleetRow*>& rows) {
  std::vector<const FleetRow*> out = rows;
  std::stable_sort(out.begin(), out.end(), [](const FleetRow* a, const FleetRow* b) {
    if (a->exit_code != b->exit_code) return a->exit_code > b->exit_code;
    if (a->errors != b->errors) return a->errors > b->errors;
    return a->warnings > b->warnings;
  });
  return out;
}

struct RuleTotal {
  std::string severity;
  int images = 0, findings = 0;
};
// Each rule's findings across the rows (from their top rules), most images first.
std::vector<std::pair<std::string, RuleTotal>> rule_totals(const std::vector<const FleetRow*>& rows) {
  std::map<std::string, RuleTotal> by;
  for (const FleetRow* r : rows)
    for (auto& t : r->top_rules) {
      RuleTotal& x = by[t.rule];
      x.severity = t.severity;
      x.images++;
      x.findings += t.findings;
    }
  std::vector<std::pair<std::string, RuleTotal>> out(by.begin(), by.end());
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return a.second.images != b.second.images ? a.second.images > b.second.images : a.second.findings > b.second.findings;
  });
  return out;
}

std::vector<const FleetRow*> pointers(const std::vector<FleetRow>& rows) {
  std::vector<const FleetRow*> out;
  for (auto& r : rows) out.push_back(&r);
  return out;
}

std::string top_rules_text(const FleetRow& r) {
  std::string out;
  for (auto& t : r.top_rules) out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", t.rule, t.findings);
  return out;
}

std::string color_verdict(const std::string& v, bool color) {
  std::string up = v == "pass" ? "pass" : v == "fail" ? "FAIL" : "ERROR";
  if (!color) return up;
  return fmt::format("\x1b[{}m{}\x1b[0m", v == "pass" ? "32" : v == "fail" ? "1;31" : "1;35", up);
}

// A string field, "" when it is absent or null.
std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? "" : it->get<std::string>();
}

FleetRow row_from_json(const nlohmann::json& j, const std::string& file) {
  FleetRow r;
  r.reference = j.at("reference").get<std::string>();
  r.name = j.value("name", r.reference);
  r.manifest_digest = text_of(j, "manifest_digest");
  r.verdict = j.at("verdict").get<std::string>();
  if (r.verdict != "pass" && r.verdict != "fail" && r.verdict != "error")
    throw InputError(file, "image '" + r.reference + "' has the verdict '" + r.verdict + "' (pass, fail or error)");
  r.exit_code = j.value("exit_code", r.verdict == "pass" ? 0 : r.verdict == "fail" ? 1 : 2);
  const nlohmann::json& s = j.at("summary");
  r.errors = s.value("error", 0), r.warnings = s.value("warning", 0), r.infos = s.value("info", 0), r.waived = s.value("waived", 0);
  for (auto& t : j.value("top_rules", nlohmann::json::array()))
    r.top_rules.push_back({t.at("rule").get<std::string>(), t.value("severity", std::string()), t.value("findings", 0)});
  const nlohmann::json reports = j.value("reports", nlohmann::json::object());  // items() of a temporary would dangle
  for (auto& [k, v] : reports.items()) r.reports[k] = v.get<std::string>();
  r.error = text_of(j, "error");
  r.source = file;
  return r;
}

FleetSummary read_fleet(const std::string& file) {
  nlohmann::json j = nlohmann::json::parse(read_small_file(file, "fleet summary", kMaxFleetJson), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("schema", std::string()) != "imagelint.fleet/v1")
    throw InputError(file, "not an imagelint.fleet/v1 summary (the --summary file of `imagelint check IMAGE...`)");
  try {
    FleetSummary s;
    s.base = text_of(j, "base");
    s.shared_layers = j.value("shared_layers", 0);
    Severity fail_on = Severity::Error;
    if (parse_severity(j.value("fail_on", std::string("error")), fail_on)) s.fail_on = fail_on;
    for (auto& img : j.at("images")) s.rows.push_back(row_from_json(img, file));
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, std::string("not an imagelint.fleet/v1 summary: a field is missing or has the wrong type (") + e.what() + ")");
  }
}

}  // namespace

FleetRow fleet_row(const std::string& reference, const Image* img, const CheckResult* result, Severity fail_on,
                   const std::string& error) {
  FleetRow r;
  r.reference = reference;
  r.name = reference;
  if (!img || !result) {
    r.exit_code = 2;
    r.verdict = "error";
    r.error = error;
    return r;
  }
  r.manifest_digest = img->manifest_digest;
  r.exit_code = check_exit_code(*result, fail_on);
  r.verdict = verdict_of(r.exit_code);
  r.errors = result->count(Severity::Error), r.warnings = result->count(Severity::Warning);
  r.infos = result->count(Severity::Info), r.waived = result->waived();
  std::map<std::string, FleetRow::TopRule> by;
  for (const Finding& f : result->findings) {
    if (f.waived) continue;
    auto& t = by[f.rule];
    t.rule = f.rule;
    t.severity = severity_name(f.severity);
    t.findings++;
  }
  for (auto& [id, t] : by) r.top_rules.push_back(t);
  std::stable_sort(r.top_rules.begin(), r.top_rules.end(), [](auto& a, auto& b) { return a.findings > b.findings; });
  if (r.top_rules.size() > kTopRules) r.top_rules.resize(kTopRules);
  return r;
}

int FleetSummary::exit_code() const {
  int worst = 0;
  for (auto& r : rows) worst = std::max(worst, r.exit_code);
  return worst;
}

std::string fleet_text(const FleetSummary& s, bool color) {
  std::vector<const FleetRow*> rows = worst_first(pointers(s.rows));
  size_t width = 5;
  for (const FleetRow* r : rows) width = std::max(width, std::min<size_t>(r->name.size(), 48));
  std::string out = fmt::format("{:<7} {:>6} {:>8} {:>5} {:>6}  {:<{}}  {}\n", "verdict", "errors", "warnings", "info", "waived",
                                "image", width, "top rules");
  int passed = 0, failed = 0, broken = 0;
  for (const FleetRow* r : rows) {
    passed += r->exit_code == 0, failed += r->exit_code == 1, broken += r->exit_code == 2;
    std::string v = color_verdict(r->verdict, color);
    const size_t pad = 7 + (v.size() - std::string(r->verdict == "pass" ? "pass" : r->verdict == "fail" ? "FAIL" : "ERROR").size());
    out += fmt::format("{:<{}} {:>6} {:>8} {:>5} {:>6}  {:<{}}  {}\n", v, pad, r->errors, r->warnings, r->infos, r->waived,
                       escape_bytes(r->name, false), width, r->exit_code == 2 ? escape_bytes(r->error, false) : top_rules_text(*r));
  }
  out += fmt::format("\n{} image{}: {} passed, {} failed, {} could not be checked (--fail-on {})", rows.size(),
                     rows.size() == 1 ? "" : "s", passed, failed, broken, severity_name(s.fail_on));
  if (s.shared_layers > 0)
    out += fmt::format("; {} layer{} shared{}", s.shared_layers, s.shared_layers == 1 ? "" : "s",
                       s.base.empty() ? "" : " with the base " + escape_bytes(s.base, false));
  out += "\n";
  auto totals = rule_totals(rows);
  if (!totals.empty()) {
    out += "Rules across the fleet (images, findings):";
    size_t shown = 0;
    for (auto& [rule, t] : totals) {
      if (shown++ == 10) {
        out += fmt::format(" and {} more", totals.size() - 10);
        break;
      }
      out += fmt::format("{} {} {} ({}, {})", shown == 1 ? "" : ",", rule, t.severity, t.images, t.findings);
    }
    out += "\n";
  }
  return out;
}

std::string fleet_json(const FleetSummary& s) {
  using nlohmann::json;
  json j;
  j["schema"] = "imagelint.fleet/v1";
  j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
  j["created"] = format_time(s.created);
  j["base"] = s.base.empty() ? json(nullptr) : json(s.base);
  j["shared_layers"] = s.shared_layers;
  j["fail_on"] = severity_name(s.fail_on);
  j["exit_code"] = s.exit_code();
  json totals = {{"images", s.rows.size()}, {"pass", 0}, {"fail", 0}, {"error", 0}};
  json findings = {{"error", 0}, {"warning", 0}, {"info", 0}, {"waived", 0}};
  j["images"] = json::array();
  for (const FleetRow& r : s.rows) {
    totals[r.verdict] = totals[r.verdict].get<int>() + 1;
    findings["error"] = findings["error"].get<int>() + r.errors;
    findings["warning"] = findings["warning"].get<int>() + r.warnings;
    findings["info"] = findings["info"].get<int>() + r.infos;
    findings["waived"] = findings["waived"].get<int>() + r.waived;
    json ij = {{"reference", r.reference},
               {"name", r.name},
               {"manifest_digest", r.manifest_digest.empty() ? json(nullptr) : json(r.manifest_digest)},
               {"verdict", r.verdict},
               {"exit_code", r.exit_code},
               {"summary", {{"error", r.errors}, {"warning", r.warnings}, {"info", r.infos}, {"waived", r.waived}}},
               {"top_rules", json::array()},
               {"reports", r.reports}};
    for (auto& t : r.top_rules) ij["top_rules"].push_back({{"rule", t.rule}, {"severity", t.severity}, {"findings", t.findings}});
    if (!r.error.empty()) ij["error"] = r.error;
    j["images"].push_back(std::move(ij));
  }
  totals["findings"] = findings;
  j["totals"] = totals;
  return j.dump(2) + "\n";
}

std::vector<FleetSummary> read_fleets(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!fs::is_directory(in, ec)) {
      files.push_back(in);
      continue;
    }
    std::vector<std::string> here;
    fs::recursive_directory_iterator it(in, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it.depth() >= 3) it.disable_recursion_pending();
      const std::string name = it->path().filename().string();
      if (name.starts_with("fleet") && it->path().extension() == ".json" && it->is_regular_file(ec)) here.push_back(it->path().string());
    }
    if (ec) throw InputError(in, "cannot list the directory: " + ec.message());
    std::sort(here.begin(), here.end());
    files.insert(files.end(), here.begin(), here.end());
  }
  if (files.empty()) throw UsageError("report --fleet: no fleet*.json summaries in " + fmt::format("{}", fmt::join(inputs, ", ")));
  std::vector<FleetSummary> out;
  for (const std::string& f : files) out.push_back(read_fleet(f));
  return out;
}

std::string fleet_html(const std::vector<FleetSummary>& fleets, const std::string& title, const std::string& html_dir) {
  namespace fs = std::filesystem;
  std::vector<const FleetRow*> all;
  for (auto& f : fleets)
    for (auto& r : f.rows) all.push_back(&r);
  std::vector<const FleetRow*> rows = worst_first(all);
  int passed = 0, failed = 0, broken = 0, errors = 0, warnings = 0;
  for (const FleetRow* r : rows) {
    passed += r->exit_code == 0, failed += r->exit_code == 1, broken += r->exit_code == 2;
    errors += r->errors, warnings += r->warnings;
  }
  const fs::path page_dir = fs::absolute(html_dir.empty() ? "." : html_dir).lexically_normal();
  auto link = [&](const FleetRow& r) -> std::string {
    for (const char* f : {"markdown", "text", "json", "sarif", "junit", "codequality"}) {
      auto it = r.reports.find(f);
      if (it == r.reports.end()) continue;
      fs::path target = fs::absolute(fs::path(r.source).parent_path() / it->second).lexically_normal();
      std::string rel = target.lexically_relative(page_dir).string();
      return fmt::format("<a href=\"{}\">{}</a>", html_text(rel.empty() ? target.string() : rel), html_text(f));
    }
    return "";
  };
  std::string out;
  out += html_page_start(title, false);
  out += R"(<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.banner{border-radius:8px;padding:14px 18px;color:#fff;margin:12px 0} .banner.bad{background:#cf222e} .banner.ok{background:#1a7f37}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{padding:5px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top} th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.v{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff} .v.pass{background:#1a7f37} .v.fail{background:#cf222e} .v.error{background:#8250df}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere} .muted{color:#57606a}
</style></head><body><main>
)";
  std::set<std::string> bases;
  for (auto& f : fleets)
    if (!f.base.empty()) bases.insert(f.base);
  out += fmt::format("<h1>{}</h1>\n<p class=\"muted\">{} hosts from {} summar{}{} · imagelint {}</p>\n", html_text(title),
                     rows.size(), fleets.size(), fleets.size() == 1 ? "y" : "ies",
                     bases.size() == 1 ? " · base <code>" + html_text(*bases.begin()) + "</code>" : "", kVersion);
  out += fmt::format("<div class=\"banner {}\"><b>{} passed, {} failed, {} could not be checked</b> — {} errors, {} warnings across the fleet.</div>\n",
                     failed + broken ? "bad" : "ok", passed, failed, broken, with_commas(static_cast<uint64_t>(errors)),
                     with_commas(static_cast<uint64_t>(warnings)));
  auto totals = rule_totals(rows);
  if (!totals.empty()) {
    out += "<h2>Findings per rule across the fleet</h2>\n<table><tr><th>rule</th><th>severity</th><th>hosts</th><th>findings</th></tr>\n";
    for (auto& [rule, t] : totals)
      out += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n", html_text(rule),
                         html_text(t.severity), t.images, t.findings);
    out += "</table>\n<p class=\"muted\">Counted from each host's five most frequent rules.</p>\n";
  }
  out += "<h2>Hosts, worst first</h2>\n<table><tr><th>host</th><th>verdict</th><th>errors</th><th>warnings</th><th>info</th><th>waived</th><th>top rules</th><th>report</th></tr>\n";
  for (const FleetRow* r : rows) {
    std::string top;
    for (auto& t : r->top_rules) top += fmt::format("{}<code>{}</code> {}", top.empty() ? "" : ", ", html_text(t.rule), t.findings);
    if (r->exit_code == 2) top = html_text(r->error);
    out += fmt::format("<tr><td><code>{}</code></td><td><span class=\"v {}\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
                       html_text(r->name), html_text(r->verdict), html_text(r->verdict), r->errors, r->warnings, r->infos, r->waived, top,
                       link(*r));
  }
  out += "</table>\n</main></body></html>\n";
  return out;
}

}  // namespace imagelint
