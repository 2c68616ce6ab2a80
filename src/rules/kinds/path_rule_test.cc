// path-absent (shipped: dnf-cache, ssh-host-keys) and path-present (no shipped rule: declared as a
// user pack would).
#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_path_rule_test {

TEST(KindPathAbsent, CleanImagePasses) {
  Fixture f;
  f.dir("var/cache/dnf").file("etc/ssh/sshd_config", "PermitRootLogin no\n").file("etc/ssh/ssh_host_keys.md", "docs");
  EXPECT_TRUE(no_findings(f.run("dnf-cache")));
  EXPECT_TRUE(no_findings(f.run("ssh-host-keys")));
}

TEST(KindPathAbsent, DnfCacheFails) {
  Fixture f;
  f.file("var/cache/dnf/fedora.solv", "solv");
  EXPECT_TRUE(one_finding(f.run("dnf-cache"), "var/cache/dnf/fedora.solv", Severity::Warning,
                          "var/cache/dnf/fedora.solv must not be in the image: package manager state belongs in the build"));
}

TEST(KindPathAbsent, EverySshHostKeyFails) {
  Fixture f;
  f.file("etc/ssh/ssh_host_ed25519_key", "k", 0600).file("etc/ssh/ssh_host_ed25519_key.pub", "p");
  auto got = f.run("ssh-host-keys");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "etc/ssh/ssh_host_ed25519_key", Severity::Error, "sshd-keygen generates host keys at first boot"));
  EXPECT_TRUE(has_finding(got, "etc/ssh/ssh_host_ed25519_key.pub", Severity::Error, "must not be in the image"));
}

RuleSpec os_release_present() {
  return user_rule("path-present", R"({"patterns": ["(usr/lib|etc)/os-release"], "message": "bootc reads it"})");
}

TEST(KindPathPresent, MatchPasses) {
  Fixture f;
  f.file("usr/lib/os-release", "ID=fedora\n");
  EXPECT_TRUE(no_findings(f.run(os_release_present())));
}

TEST(KindPathPresent, NoMatchFails) {
  Fixture f;
  f.file("usr/lib/os-release.d/x", "ID=fedora\n");
  EXPECT_TRUE(one_finding(f.run(os_release_present()), "", Severity::Error,
                          "nothing in the image matches (usr/lib|etc)/os-release: bootc reads it"));
}

}  // namespace rules_kinds_path_rule_test
}  // namespace imagelint::kind_test
