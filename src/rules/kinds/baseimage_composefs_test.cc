#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_baseimage_composefs_test {

TEST(KindBaseimageComposefs, EnabledInUsrLibPasses) {
  Fixture f;
  f.file("usr/lib/ostree/prepare-root.conf", "# ostree\n[composefs]\nenabled = yes\n[sysroot]\nreadonly = true\n");
  EXPECT_TRUE(no_findings(f.run("baseimage-composefs")));
}

TEST(KindBaseimageComposefs, TransientRootPasses) {
  Fixture f;
  f.file("etc/ostree/prepare-root.conf", "[root]\ntransient = true\n");
  EXPECT_TRUE(no_findings(f.run("baseimage-composefs")));
}

TEST(KindBaseimageComposefs, EtcSymlinkToAnEnablingFilePasses) {
  Fixture f;
  f.file("usr/share/ostree/prepare-root.conf", "[composefs]\nenabled=verity\n")
      .symlink("etc/ostree/prepare-root.conf", "../../usr/share/ostree/prepare-root.conf");
  EXPECT_TRUE(no_findings(f.run("baseimage-composefs")));
}

TEST(KindBaseimageComposefs, DisabledFails) {
  Fixture f;
  f.file("usr/lib/ostree/prepare-root.conf", "[composefs]\nenabled = no\n");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "usr/lib/ostree/prepare-root.conf", Severity::Warning,
                          "usr/lib/ostree/prepare-root.conf does not enable composefs (composefs.enabled = no)"));
}

TEST(KindBaseimageComposefs, EtcWinsOverUsrLib) {
  Fixture f;
  f.file("etc/ostree/prepare-root.conf", "[sysroot]\nreadonly = true\n").file("usr/lib/ostree/prepare-root.conf", "[composefs]\nenabled = yes\n");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "etc/ostree/prepare-root.conf", Severity::Warning,
                          "etc/ostree/prepare-root.conf does not enable composefs"));
}

TEST(KindBaseimageComposefs, NoConfigFails) {
  Fixture f;
  f.dir("usr/lib/ostree");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "usr/lib/ostree/prepare-root.conf", Severity::Warning,
                          "no prepare-root.conf (etc/ostree/prepare-root.conf or usr/lib/ostree/prepare-root.conf)"));
}

TEST(KindBaseimageComposefs, KeyOutsideAGroupFails) {
  Fixture f;
  f.file("usr/lib/ostree/prepare-root.conf", "enabled = yes\n");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "usr/lib/ostree/prepare-root.conf", Severity::Warning,
                          "does not parse: line 1: key outside any group"));
}

TEST(KindBaseimageComposefs, DirectoryInsteadOfFileFails) {
  Fixture f;
  f.dir("etc/ostree/prepare-root.conf");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "etc/ostree/prepare-root.conf", Severity::Warning,
                          "etc/ostree/prepare-root.conf is a dir, not a file"));
}

TEST(KindBaseimageComposefs, TheDocumentedBaseRootIsCheckedToo) {
  Fixture f;
  f.file("usr/lib/ostree/prepare-root.conf", "[composefs]\nenabled = yes\n").dir("usr/share/doc/bootc/baseimage/base/usr/lib/ostree");
  EXPECT_TRUE(one_finding(f.run("baseimage-composefs"), "usr/share/doc/bootc/baseimage/base/usr/lib/ostree/prepare-root.conf",
                          Severity::Warning, "no prepare-root.conf (usr/share/doc/bootc/baseimage/base/etc/ostree/prepare-root.conf"));
}

}  // namespace rules_kinds_baseimage_composefs_test
}  // namespace imagelint::kind_test
