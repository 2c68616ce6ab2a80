#include "rules/engine.h"

#include <algorithm>
#include <exception>

#include <re2/re2.h>

#include "util/path.h"
#include "util/perf.h"
#include "util/task_pool.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/text.h"

namespace imagelint {

std::vector<Waiver> load_waivers(const std::string& file) {
  nlohmann::json j = nlohmann::json::parse(read_small_file(file, "waivers file"), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("waivers") || !j["waivers"].is_array())
    throw InputError(file, "expected {\"waivers\": [{\"rule\", \"path\", \"reason\", \"expires\"}, …]}");
  std::vector<Waiver> out;
  int n = 0;
  for (auto& w : j["waivers"]) {
    ++n;
    std::string where = "waiver #" + std::to_string(n);
    if (!w.is_object()) throw InputError(file, where + " is not an object");
    Waiver v;
    for (auto [key, dst] : {std::pair{"rule", &v.rule}, {"path", &v.path}, {"reason", &v.reason}, {"expires", &v.expires}}) {
      auto it = w.find(key);
      if (it == w.end() || !it->is_string() || it->get<std::string>().empty())
        throw InputError(file, where + " needs \"" + key + "\" (rule, path, reason and expires are all required)");
      *dst = it->get<std::string>();
    }
    if (!RE2::FullMatch(v.expires, R"(\d{4}-\d{2}-\d{2})"))
      throw InputError(file, where + ": expires must be a date, YYYY-MM-DD");
    out.push_back(std::move(v));
  }
  return out;
}

int CheckResult::count(Severity s) const {
  int n = 0;
  for (auto& f : findings) n += !f.waived && f.severity == s;
  return n;
}

int CheckResult::waived() const {
  int n = 0;
  for (auto& f : findings) n += f.waived;
  return n;
}

CheckResult run_rules(const RuleSet& rules, const Context& ctx, std::vector<Waiver> waivers, const RunContext& run) {
  PerfStage stage(run.perf, "rules");
  const std::string& today = run.today;
  CheckResult r;
  // The kinds read only the context (const), so the rules run at once on the cores; what they
  // found is then taken in rule order, and so is the first error.
  std::vector<std::vector<Finding>> found_by(rules.rules.size());
  std::vector<std::exception_ptr> error_by(rules.rules.size());
  {
    TaskPool pool(run.worker_threads());
    for (size_t i = 0; i < rules.rules.size(); ++i)
      pool.submit([&, i] {
        try {
          find_kind(rules.rules[i].kind)->check(rules.rules[i], ctx, found_by[i]);
        } catch (...) {
          error_by[i] = std::current_exception();
        }
      });
    pool.wait();
  }
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    if (error_by[i]) std::rethrow_exception(error_by[i]);
    const RuleSpec& spec = rules.rules[i];
    std::vector<Finding>& found = found_by[i];
    ++r.rules_run;
    for (Finding& f : found) {
      f.rule = spec.id;
      // A kind may lower a finding below its rule's severity (units-rootless: the API socket is
      // a warning), never raise it: overriding the rule's severity still bounds every finding.
      f.severity = std::max(f.severity, spec.severity);
      if (const Entry* e = f.path.empty() ? nullptr : ctx.fs.find(f.path)) {
        f.layer = e->layer;
        f.created_by = ctx.image.created_by(e->layer);
      }
      if (!f.path.empty() && f.package.empty())
        if (const Package* p = ctx.facts.packages.owner(f.path)) f.package = p->nevra;
      // Stable across runs and builds: no layer numbers or digests in it.
      f.fingerprint = sha256_of(f.rule + '\0' + f.path + '\0' + f.message).substr(7, 16);
      r.findings.push_back(std::move(f));
    }
  }
  for (Finding& f : r.findings)
    for (Waiver& w : waivers) {
      if (w.rule != f.rule || !glob_match(w.path, f.path)) continue;
      ++w.matched;
      if (w.expires < today) {
        f.waiver = "waiver expired on " + w.expires + " (" + w.reason + ")";
        continue;
      }
      f.waived = true;
      f.waiver = w.reason + " (until " + w.expires + ")";
      break;
    }
  for (Waiver& w : waivers) w.status = w.matched == 0 ? "stale" : w.expires < today ? "expired" : "active";
  r.waivers = std::move(waivers);
  std::sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.severity, a.rule, a.path, a.message) < std::tie(b.severity, b.rule, b.path, b.message);
  });
  return r;
}

int check_exit_code(const CheckResult& r, Severity fail_on) {
  for (auto& f : r.findings)
    if (!f.waived && static_cast<int>(f.severity) <= static_cast<int>(fail_on)) return 1;
  return 0;
}

}  // namespace imagelint
