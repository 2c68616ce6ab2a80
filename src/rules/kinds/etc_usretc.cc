// etc-usretc (bootc, fatal): an image with etc must not also have usr/etc, which is where
// bootc/ostree keep the image's default etc on the host.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class EtcUsretc : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("etc") || !rule.params["etc"].is_string() || !rule.params.contains("forbidden") ||
        !rule.params["forbidden"].is_string())
      throw UsageError("rule " + rule.id + ": needs params.etc and params.forbidden (paths)");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::string etc = rule.params["etc"].get<std::string>(), usretc = rule.params["forbidden"].get<std::string>();
    // As bootc: without etc there is nothing to conflict with.
    if (!ctx.fs.find(etc)) return;
    if (ctx.fs.find(usretc))
      out.push_back(make_finding(rule, usretc,
                                 usretc + " is in the image beside " + etc + ": it is bootc's own copy of the image's " + etc +
                                     " on the host; put the files in " + etc));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_etc_usretc() { return std::make_unique<EtcUsretc>(); }

}  // namespace imagelint
