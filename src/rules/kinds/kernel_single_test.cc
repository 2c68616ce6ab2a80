#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_kernel_single_test {

KernelInfo kernel(const std::string& kver, bool vmlinuz = true, bool initramfs = true) {
  KernelInfo k;
  k.kver = kver;
  k.vmlinuz = vmlinuz;
  k.initramfs = initramfs;
  k.modules_dep = true;
  return k;
}

TEST(KindKernelSingle, OneKernelPasses) {
  Fixture f;
  f.facts.kernels = {kernel("6.8.5-301.fc40.x86_64")};
  EXPECT_TRUE(no_findings(f.run("kernel-single")));
}

TEST(KindKernelSingle, NoKernelFails) {
  Fixture f;
  EXPECT_TRUE(one_finding(f.run("kernel-single"), "usr/lib/modules", Severity::Error, "no kernel: no usr/lib/modules/KVER/vmlinuz"));
}

TEST(KindKernelSingle, TwoKernelsFail) {
  Fixture f;
  f.facts.kernels = {kernel("6.8.4-300.fc40.x86_64"), kernel("6.8.5-301.fc40.x86_64")};
  auto got = f.run("kernel-single");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "usr/lib/modules/6.8.4-300.fc40.x86_64", Severity::Error, "more than one kernel: 6.8.4-300.fc40.x86_64 is one of 2"));
  EXPECT_TRUE(has_finding(got, "usr/lib/modules/6.8.5-301.fc40.x86_64", Severity::Error, "more than one kernel"));
}

TEST(KindKernelSingle, ModuleOnlyDirectoryFails) {
  Fixture f;
  f.facts.kernels = {kernel("6.8.4-300.fc40.x86_64", false, false), kernel("6.8.5-301.fc40.x86_64")};
  EXPECT_TRUE(one_finding(f.run("kernel-single"), "usr/lib/modules/6.8.4-300.fc40.x86_64", Severity::Error,
                          "has no vmlinuz: modules built for a kernel the image does not boot"));
}

TEST(KindKernelSingle, MissingInitramfsFails) {
  Fixture f;
  f.facts.kernels = {kernel("6.8.5-301.fc40.x86_64", true, false)};
  EXPECT_TRUE(one_finding(f.run("kernel-single"), "usr/lib/modules/6.8.5-301.fc40.x86_64", Severity::Error,
                          "usr/lib/modules/6.8.5-301.fc40.x86_64 has no initramfs.img"));
}

}  // namespace rules_kinds_kernel_single_test
}  // namespace imagelint::kind_test
