// policy-default-deny: /etc/containers/policy.json parses with containers/image's strictness,
// rejects by default, and accepts docker images only from allowlisted registries.
#include "rules/kinds/common.h"

namespace imagelint {
namespace {

bool only_reject(const PolicyRequirements& reqs) {
  return !reqs.empty() && std::all_of(reqs.begin(), reqs.end(), [](auto& r) { return r.type == PolicyRequirementType::Reject; });
}

class PolicyDefaultDeny : public RuleKind {
 public:
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    const Facts& f = ctx.facts;
    const std::string path = f.policy_path.empty() ? "etc/containers/policy.json" : f.policy_path;
    if (!f.policy_present) {
      out.push_back(make_finding(rule, "etc/containers/policy.json", "etc/containers/policy.json is missing: podman accepts nothing, or falls back to a default"));
      return;
    }
    if (!f.policy.ok) {
      out.push_back(make_finding(rule, path, "policy.json does not parse: " + f.policy.error));
      return;
    }
    const Policy& p = f.policy.policy;
    if (!only_reject(p.default_reqs)) out.push_back(make_finding(rule, path, "default is not [{\"type\": \"reject\"}]"));
    std::vector<std::string> allowed = param_strings(rule, "registries");
    bool signatures = rule.params.value("require_signatures", false);
    for (auto& [transport, scopes] : p.transports) {
      if (transport != "docker" && transport != "docker-daemon" && transport != "atomic") continue;
      for (auto& [scope, reqs] : scopes) {
        if (only_reject(reqs)) continue;
        std::string host = scope.substr(0, scope.find('/'));
        bool ok = std::find(allowed.begin(), allowed.end(), host) != allowed.end() && !scope.empty();
        if (!ok) {
          out.push_back(make_finding(rule, path, transport + " scope '" + (scope.empty() ? std::string("\"\"") : scope) +
                                                     "' accepts images but " + (host.empty() ? "applies to every registry" : host + " is not an allowed registry")));
          continue;
        }
        if (signatures)
          for (auto& r : reqs)
            if (r.type == PolicyRequirementType::InsecureAcceptAnything)
              out.push_back(make_finding(rule, path, transport + " scope '" + scope + "' accepts unsigned images (insecureAcceptAnything)"));
      }
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_policy_default_deny() { return std::make_unique<PolicyDefaultDeny>(); }

}  // namespace imagelint
