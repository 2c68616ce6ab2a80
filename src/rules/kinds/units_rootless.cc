// units-rootless: no rootful application container but the allowlist (Envoy). Rootful quadlets,
// and enabled system services that start containers as root, are findings; the engine's own
// services are not applications (an enabled rootful API socket is a finding of its own, at
// params.api_socket_severity, a warning in the shipped pack); each rootless quadlet's user is
// declared and lingers.
#include "rules/kinds/common.h"
#include "util/text.h"

namespace imagelint {
namespace {

class UnitsRootless : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override { param_severity(rule, "api_socket_severity", rule.severity); }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto allow = param_patterns(rule, "allow");          // unit names or images allowed rootful
    auto engine = param_patterns(rule, "engine_units");  // podman.service, podman.socket, ...
    auto starts = param_patterns(rule, "container_commands");
    const Users& users = ctx.facts.users;
    for (const Unit& u : ctx.facts.units) {
      if (!u.error.empty() && (u.scope == "rootful" || u.scope == "rootless")) continue;  // quadlet makes nothing of it
      if (!u.error.empty() && u.scope == "system" && u.enabled && !matches_any(engine, u.name)) {
        // Unknown is not clean: say so, below the rule's level (systemd may refuse it too).
        Finding f = make_finding(rule, u.path, "enabled " + u.kind + " " + u.name + " could not be read (" +
                                                   shorten(u.error, 160) + "): whether it starts a container as root is unknown");
        f.severity = std::max(rule.severity, Severity::Warning);
        out.push_back(std::move(f));
        continue;
      }
      auto allowed = [&] {
        if (matches_any(allow, u.name)) return true;
        for (auto& r : u.runs)
          if (matches_any(allow, r)) return true;
        return false;
      };
      if (u.scope == "rootful" && (u.kind == "container" || u.kind == "pod" || u.kind == "kube") && !allowed())
        out.push_back(make_finding(rule, u.path, "rootful " + u.kind + " quadlet " + u.name + " (only " + list(allow) + " may run as root)"));
      if (u.scope == "system" && u.enabled && u.kind == "service" && !matches_any(engine, u.name) &&
          (u.user.empty() || u.user == "root" || u.user == "0")) {
        for (auto& r : u.runs)
          if (matches_any(starts, r) && !allowed()) {
            out.push_back(make_finding(rule, u.path, "enabled system service " + u.name + " starts a container as root: " + r));
            break;
          }
      }
      if (u.scope == "system" && u.enabled && u.name == "podman.socket") {
        Finding f = make_finding(rule, u.path, "the rootful podman API socket is enabled: whoever reaches it is root");
        f.severity = param_severity(rule, "api_socket_severity", rule.severity);
        out.push_back(std::move(f));
      }
      if (u.scope == "rootless" && (u.kind == "container" || u.kind == "pod" || u.kind == "kube")) {
        if (u.user.empty() || u.user == "*") continue;
        if (!users.declared(u.user))
          out.push_back(make_finding(rule, u.path, "rootless quadlet " + u.name + " belongs to user " + u.user + ", declared in neither sysusers.d nor passwd"));
        else if (std::find(users.lingering.begin(), users.lingering.end(), u.user) == users.lingering.end())
          out.push_back(make_finding(rule, u.path, "user " + u.user + " does not linger (no tmpfiles.d entry for var/lib/systemd/linger/" + u.user + "): " + u.name + " will not start at boot"));
      }
    }
  }

 private:
  static std::string list(const std::vector<std::unique_ptr<RE2>>& v) {
    std::string s;
    for (auto& r : v) s += (s.empty() ? "" : ", ") + r->pattern();
    return s.empty() ? "nothing" : s;
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_units_rootless() { return std::make_unique<UnitsRootless>(); }

}  // namespace imagelint
