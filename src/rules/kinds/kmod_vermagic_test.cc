#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_kmod_vermagic_test {

const std::string kKver = "6.8.5-301.fc40.x86_64";

ModuleInfo module(const std::string& rel, const std::string& vermagic) {
  ModuleInfo m;
  m.path = "usr/lib/modules/" + kKver + "/" + rel;
  m.kver = kKver;
  m.name = rel.substr(rel.rfind('/') + 1, rel.find('.') - rel.rfind('/') - 1);
  m.vermagic = vermagic;
  return m;
}

TEST(KindKmodVermagic, MatchingKernelPasses) {
  Fixture f;
  f.facts.modules = {module("kernel/fs/xfs/xfs.ko.xz", kKver + " SMP preempt mod_unload "), module("extra/zfs.ko", kKver)};
  EXPECT_TRUE(no_findings(f.run("kmod-vermagic")));
}

TEST(KindKmodVermagic, OtherKernelFails) {
  Fixture f;
  f.facts.modules = {module("kernel/fs/xfs/xfs.ko.xz", kKver + " SMP"), module("extra/zfs.ko", "6.8.4-300.fc40.x86_64 SMP preempt")};
  EXPECT_TRUE(one_finding(f.run("kmod-vermagic"), "usr/lib/modules/" + kKver + "/extra/zfs.ko", Severity::Error,
                          "built for kernel '6.8.4-300.fc40.x86_64' but installed for " + kKver));
}

TEST(KindKmodVermagic, UnreadableModinfoFails) {
  Fixture f;
  ModuleInfo m = module("extra/broken.ko", "");
  m.error = "not an ELF file";
  f.facts.modules = {m};
  EXPECT_TRUE(one_finding(f.run("kmod-vermagic"), "usr/lib/modules/" + kKver + "/extra/broken.ko", Severity::Error,
                          "cannot read the module's .modinfo: not an ELF file"));
}

}  // namespace rules_kinds_kmod_vermagic_test
}  // namespace imagelint::kind_test
