// Runs a rule set over the facts and the final filesystem: findings completed with the layer and
// package of their path, a stable fingerprint, sorted; waivers applied.
#pragma once
#include <string>
#include <vector>

#include "rules/packs.h"
#include "rules/rule.h"

namespace imagelint {

struct Waiver {
  std::string rule;     // rule id
  std::string path;     // glob over paths ("*" and "?" stay in a directory, "**" crosses)
  std::string reason;   // required
  std::string expires;  // required, YYYY-MM-DD; the waiver stops waiving after that day
  // After the run:
  std::string status;   // "active", "expired" (matched but no longer waives), "stale" (matched nothing)
  int matched = 0;
};

// {"waivers": [{"rule", "path", "reason", "expires"}]}; throws InputError naming the file.
std::vector<Waiver> load_waivers(const std::string& file);

struct CheckResult {
  std::vector<Finding> findings;  // sorted: severity, rule, path, message
  std::vector<Waiver> waivers;
  int rules_run = 0;
  int count(Severity s) const;    // not waived
  int waived() const;
};

// run.today: YYYY-MM-DD that waivers expire against (the run's clock; tests fix it); run.threads
// and run.perf as for the pass.
CheckResult run_rules(const RuleSet& rules, const Context& ctx, std::vector<Waiver> waivers, const RunContext& run);

// 1 when a finding that is not waived is at or above fail_on, else 0.
int check_exit_code(const CheckResult& r, Severity fail_on);

}  // namespace imagelint
