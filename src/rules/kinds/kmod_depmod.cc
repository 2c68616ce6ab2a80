// kmod-depmod: modules.dep exists and lists every module of its kernel (depmod ran last).
#include <set>

#include "rules/kinds/common.h"

namespace imagelint {
namespace {

class KmodDepmod : public RuleKind {
 public:
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (auto& k : ctx.facts.kernels) {
      std::string dir = "usr/lib/modules/" + k.kver;
      if (!k.modules_dep) {
        if (k.modules > 0) out.push_back(make_finding(rule, dir, dir + "/modules.dep is missing: depmod did not run"));
        continue;
      }
      std::set<std::string> listed(k.modules_dep_entries.begin(), k.modules_dep_entries.end());
      for (auto& m : ctx.facts.modules) {
        if (m.kver != k.kver) continue;
        std::string rel = m.path.substr(dir.size() + 1);
        if (!listed.count(rel))
          out.push_back(make_finding(rule, m.path, rel + " is not in modules.dep: depmod ran before it was installed"));
      }
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_kmod_depmod() { return std::make_unique<KmodDepmod>(); }

}  // namespace imagelint
