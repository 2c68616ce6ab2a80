#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_kmod_depmod_test {

const std::string kKver = "6.8.5-301.fc40.x86_64";
const std::string kDir = "usr/lib/modules/" + kKver;

KernelInfo kernel(bool modules_dep, std::vector<std::string> listed) {
  KernelInfo k;
  k.kver = kKver;
  k.vmlinuz = k.initramfs = true;
  k.modules_dep = modules_dep;
  k.modules = 2;
  k.modules_dep_entries = std::move(listed);
  return k;
}

ModuleInfo module(const std::string& rel) {
  ModuleInfo m;
  m.path = kDir + "/" + rel;
  m.kver = kKver;
  return m;
}

TEST(KindKmodDepmod, EveryModuleListedPasses) {
  Fixture f;
  f.facts.kernels = {kernel(true, {"kernel/fs/xfs/xfs.ko.xz", "extra/zfs.ko.xz"})};
  f.facts.modules = {module("kernel/fs/xfs/xfs.ko.xz"), module("extra/zfs.ko.xz")};
  EXPECT_TRUE(no_findings(f.run("kmod-depmod")));
}

TEST(KindKmodDepmod, KernelWithoutModulesNeedsNoModulesDep) {
  Fixture f;
  KernelInfo k = kernel(false, {});
  k.modules = 0;
  f.facts.kernels = {k};
  EXPECT_TRUE(no_findings(f.run("kmod-depmod")));
}

TEST(KindKmodDepmod, ModuleAddedAfterDepmodFails) {
  Fixture f;
  f.facts.kernels = {kernel(true, {"kernel/fs/xfs/xfs.ko.xz"})};
  f.facts.modules = {module("kernel/fs/xfs/xfs.ko.xz"), module("extra/zfs.ko.xz")};
  EXPECT_TRUE(one_finding(f.run("kmod-depmod"), kDir + "/extra/zfs.ko.xz", Severity::Error,
                          "extra/zfs.ko.xz is not in modules.dep: depmod ran before it was installed"));
}

TEST(KindKmodDepmod, MissingModulesDepFails) {
  Fixture f;
  f.facts.kernels = {kernel(false, {})};
  f.facts.modules = {module("extra/zfs.ko.xz")};
  EXPECT_TRUE(one_finding(f.run("kmod-depmod"), kDir, Severity::Error, kDir + "/modules.dep is missing: depmod did not run"));
}

}  // namespace rules_kinds_kmod_depmod_test
}  // namespace imagelint::kind_test
