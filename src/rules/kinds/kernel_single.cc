// kernel-single: exactly one usr/lib/modules/KVER with a vmlinuz (and initramfs.img), and no
// other directory there (a module-only directory is a kmod built for another kernel). Unlike
// bootc's lint, several kernels are findings, not an abort, and module-only directories count.
#include "rules/kinds/common.h"

namespace imagelint {
namespace {

class KernelSingle : public RuleKind {
 public:
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::vector<const KernelInfo*> kernels;
    for (auto& k : ctx.facts.kernels)
      if (k.vmlinuz) kernels.push_back(&k);
    if (kernels.empty()) out.push_back(make_finding(rule, "usr/lib/modules", "no kernel: no usr/lib/modules/KVER/vmlinuz"));
    if (kernels.size() > 1)
      for (auto* k : kernels)
        out.push_back(make_finding(rule, "usr/lib/modules/" + k->kver,
                                   "more than one kernel: " + k->kver + " is one of " + std::to_string(kernels.size())));
    for (auto& k : ctx.facts.kernels) {
      std::string dir = "usr/lib/modules/" + k.kver;
      if (!k.vmlinuz)
        out.push_back(make_finding(rule, dir, dir + " has no vmlinuz: modules built for a kernel the image does not boot"));
      else if (!k.initramfs && rule.params.value("require_initramfs", true))
        out.push_back(make_finding(rule, dir, dir + " has no initramfs.img"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_kernel_single() { return std::make_unique<KernelSingle>(); }

}  // namespace imagelint
