// buildah-injected (bootc, warning): empty regular files where a container runtime bind-mounts
// its own during the build (etc/hostname, etc/resolv.conf) are leftovers of that build.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class BuildahInjected : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "paths").empty()) throw UsageError("rule " + rule.id + ": needs params.paths");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (const std::string& p : param_strings(rule, "paths")) {
      const Entry* e = ctx.fs.find(p);
      if (e && e->type == EntryType::File && e->size == 0)
        out.push_back(make_finding(rule, p, p + " is an empty file: a container runtime probably created it during the build"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_buildah_injected() { return std::make_unique<BuildahInjected>(); }

}  // namespace imagelint
