#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_no_build_tools_test {

TEST(KindNoBuildTools, RuntimeOnlyImagePasses) {
  Fixture f;
  f.file("usr/bin/python3", "elf").file("usr/bin/ccache-stats", "x").file("usr/bin/makedumpfile", "elf");
  f.package(rpm("python3", "3.12.3", "1.fc40")).package(rpm("make-runtime-lookalike", "1", "1"));
  EXPECT_TRUE(no_findings(f.run("no-build-tools")));
}

TEST(KindNoBuildTools, CompilerFileFails) {
  Fixture f;
  f.file("usr/bin/gcc-14", "elf", 0755);
  EXPECT_TRUE(one_finding(f.run("no-build-tools"), "usr/bin/gcc-14", Severity::Error, "build tool usr/bin/gcc-14 is in the final image"));
}

TEST(KindNoBuildTools, KernelHeadersDirectoryIsOneFinding) {
  Fixture f;
  f.file("usr/src/kernels/6.8.5-301.fc40.x86_64/Makefile", "all:").file("usr/src/kernels/6.8.5-301.fc40.x86_64/include/linux/fs.h", "");
  EXPECT_TRUE(one_finding(f.run("no-build-tools"), "usr/src/kernels", Severity::Error, "build tool usr/src/kernels is in the final image"));
}

TEST(KindNoBuildTools, BuildPackageFails) {
  Fixture f;
  f.package(rpm("kernel-devel-matched", "6.8.5", "301.fc40")).package(rpm("bash", "5.2", "1.fc40"));
  auto got = f.run("no-build-tools");
  EXPECT_TRUE(one_finding(got, "", Severity::Error, "build-time package kernel-devel-matched-6.8.5-301.fc40.x86_64 is installed"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].package, "kernel-devel-matched-6.8.5-301.fc40.x86_64");
}

TEST(KindNoBuildTools, UnreadPackageDatabaseFails) {
  Fixture f;
  f.facts.packages.unread = {"var/lib/rpm/Packages"};
  f.facts.packages.notes = {"var/lib/rpm/Packages: Berkeley DB, not read"};
  EXPECT_TRUE(one_finding(f.run("no-build-tools"), "var/lib/rpm/Packages", Severity::Error,
                          "package database var/lib/rpm/Packages could not be read (Berkeley DB, not read): build-time packages may be installed"));
}

}  // namespace rules_kinds_no_build_tools_test
}  // namespace imagelint::kind_test
