#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_kmod_version_test {

const std::string kDir = "usr/lib/modules/6.12.0-55.el10.x86_64/extra/";

ModuleInfo module(const std::string& name, const std::string& version) {
  ModuleInfo m;
  m.path = kDir + name + ".ko.xz";
  m.kver = "6.12.0-55.el10.x86_64";
  m.name = name;
  m.version = version;
  return m;
}

TEST(KindKmodVersion, MatchingVersionsPass) {
  Fixture f;
  f.facts.modules = {module("zfs", "2.2.7-1"), module("spl", "2.2.7-1"), module("nvidia", "570.124.06"), module("xfs", "")};
  f.package(rpm("zfs", "2.2.7", "1.el10")).package(rpm("nvidia-driver", "570.124.06", "1.el10"));
  EXPECT_TRUE(no_findings(f.run("kmod-version")));
}

TEST(KindKmodVersion, ZfsModuleOlderThanPackageFails) {
  Fixture f;
  f.facts.modules = {module("zfs", "2.2.6-1"), module("spl", "2.2.7-1")};
  f.package(rpm("zfs", "2.2.7", "1.el10"));
  auto got = f.run("kmod-version");
  EXPECT_TRUE(one_finding(got, kDir + "zfs.ko.xz", Severity::Error,
                          "zfs module version 2.2.6-1 does not match package zfs-2.2.7-1.el10.x86_64 (expected 2.2.7-1)"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].package, "zfs-2.2.7-1.el10.x86_64");
}

TEST(KindKmodVersion, NvidiaComparesVersionOnly) {
  Fixture f;
  f.facts.modules = {module("nvidia", "570.124.06")};
  f.package(rpm("nvidia-driver", "570.133.07", "1.el10"));
  EXPECT_TRUE(one_finding(f.run("kmod-version"), kDir + "nvidia.ko.xz", Severity::Error, "(expected 570.133.07)"));
}

TEST(KindKmodVersion, ModuleWithoutItsPackageFails) {
  Fixture f;
  f.facts.modules = {module("spl", "2.2.7-1")};
  EXPECT_TRUE(one_finding(f.run("kmod-version"), kDir + "spl.ko.xz", Severity::Error, "spl module version 2.2.7-1 has no zfs package to match"));
}

}  // namespace rules_kinds_kmod_version_test
}  // namespace imagelint::kind_test
