// kmod-vermagic: every module under usr/lib/modules/KVER was built for KVER.
#include "rules/kinds/common.h"

namespace imagelint {
namespace {

class KmodVermagic : public RuleKind {
 public:
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (auto& m : ctx.facts.modules) {
      if (!m.error.empty()) {
        out.push_back(make_finding(rule, m.path, "cannot read the module's .modinfo: " + m.error));
        continue;
      }
      std::string release = m.vermagic.substr(0, m.vermagic.find(' '));
      if (release != m.kver)
        out.push_back(make_finding(rule, m.path, "built for kernel '" + release + "' but installed for " + m.kver));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_kmod_vermagic() { return std::make_unique<KmodVermagic>(); }

}  // namespace imagelint
