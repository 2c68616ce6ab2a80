#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_buildah_injected_test {

TEST(KindBuildahInjected, FilesWithContentPass) {
  Fixture f;
  f.file("etc/hostname", "host\n").file("etc/resolv.conf", "nameserver 1.1.1.1\n");
  EXPECT_TRUE(no_findings(f.run("buildah-injected")));
}

TEST(KindBuildahInjected, AbsentOrSymlinkPasses) {
  Fixture f;
  f.symlink("etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf");
  EXPECT_TRUE(no_findings(f.run("buildah-injected")));
}

TEST(KindBuildahInjected, EmptyResolvConfFails) {
  Fixture f;
  f.file("etc/hostname", "host\n").file("etc/resolv.conf", "");
  EXPECT_TRUE(one_finding(f.run("buildah-injected"), "etc/resolv.conf", Severity::Warning,
                          "etc/resolv.conf is an empty file: a container runtime probably created it"));
}

}  // namespace rules_kinds_buildah_injected_test
}  // namespace imagelint::kind_test
