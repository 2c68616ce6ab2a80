#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_baseimage_root_test {

TEST(KindBaseimageRoot, SysrootAndOstreeLinkPass) {
  Fixture f;
  f.dir("sysroot").symlink("ostree", "sysroot/ostree");
  EXPECT_TRUE(no_findings(f.run("baseimage-root")));
}

TEST(KindBaseimageRoot, MissingSysrootAndLinkFail) {
  Fixture f;
  f.dir("usr");
  auto got = f.run("baseimage-root");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "sysroot", Severity::Error, "missing sysroot (a directory)"));
  EXPECT_TRUE(has_finding(got, "ostree", Severity::Error, "missing symlink ostree -> sysroot/ostree"));
}

TEST(KindBaseimageRoot, OstreeLinkWithAnotherTargetFails) {
  Fixture f;
  f.dir("sysroot").symlink("ostree", "/sysroot/ostree");
  EXPECT_TRUE(one_finding(f.run("baseimage-root"), "ostree", Severity::Error, "ostree links to /sysroot/ostree, expected sysroot/ostree"));
}

TEST(KindBaseimageRoot, OstreeDirectoryFails) {
  Fixture f;
  f.dir("sysroot").dir("ostree");
  EXPECT_TRUE(one_finding(f.run("baseimage-root"), "ostree", Severity::Error, "ostree must be a symlink to sysroot/ostree, not a dir"));
}

TEST(KindBaseimageRoot, TheDocumentedBaseRootIsCheckedToo) {
  Fixture f;
  f.dir("sysroot").symlink("ostree", "sysroot/ostree");
  f.file("usr/share/doc/bootc/baseimage/base/sysroot", "not a dir").symlink("usr/share/doc/bootc/baseimage/base/ostree", "sysroot/ostree");
  EXPECT_TRUE(one_finding(f.run("baseimage-root"), "usr/share/doc/bootc/baseimage/base/sysroot", Severity::Error,
                          "must be a directory, not a file"));
}

}  // namespace rules_kinds_baseimage_root_test
}  // namespace imagelint::kind_test
