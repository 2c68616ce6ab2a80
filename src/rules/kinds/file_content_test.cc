#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_file_content_test {

TEST(KindFileContent, EmptyOrUninitializedMachineIdPasses) {
  for (const char* content : {"", "uninitialized\n", "uninitialized"}) {
    Fixture f;
    f.file("etc/machine-id", content);
    EXPECT_TRUE(no_findings(f.run("machine-id"))) << content;
  }
}

TEST(KindFileContent, AbsentMachineIdPasses) {
  Fixture f;
  f.dir("etc");
  EXPECT_TRUE(no_findings(f.run("machine-id")));
}

TEST(KindFileContent, PopulatedMachineIdFails) {
  Fixture f;
  f.file("etc/machine-id", "4c4c4544003d4b10804cb4c04f4e3132\n");
  EXPECT_TRUE(one_finding(f.run("machine-id"), "etc/machine-id", Severity::Warning,
                          "etc/machine-id does not contain /\\A(uninitialized\\n?)?\\z/: an image-based host that boots with a populated"));
}

TEST(KindFileContent, MachineIdThroughASymlinkIsReadWhereItPoints) {
  Fixture populated;
  populated.file("var/lib/dbus/machine-id", "4c4c4544003d4b10804cb4c04f4e3132\n").symlink("etc/machine-id", "/var/lib/dbus/machine-id");
  EXPECT_TRUE(one_finding(populated.run("machine-id"), "etc/machine-id", Severity::Warning,
                          "etc/machine-id (a link to var/lib/dbus/machine-id) does not contain"));
  Fixture empty;
  empty.file("var/lib/dbus/machine-id", "").symlink("etc/machine-id", "/var/lib/dbus/machine-id");
  EXPECT_TRUE(no_findings(empty.run("machine-id")));
  Fixture dangling;  // systemd's own link to /run, a tmpfs on the host: nothing in the image
  dangling.dir("etc").symlink("etc/machine-id", "../run/machine-id");
  EXPECT_TRUE(no_findings(dangling.run("machine-id")));
}

RuleSpec no_password_auth() {
  return user_rule("file-content", R"({"paths": ["etc/ssh/sshd_config(\\.d/.*)?"], "mode": "must-not",
                                      "pattern": "(?m)^\\s*PasswordAuthentication\\s+yes", "max_bytes": 64})");
}

TEST(KindFileContent, MustNotPassesWithoutTheText) {
  Fixture f;
  f.file("etc/ssh/sshd_config", "PasswordAuthentication no\n").file("etc/ssh/sshd_config.d/50-x.conf", "# PasswordAuthentication yes\n");
  EXPECT_TRUE(no_findings(f.run(no_password_auth())));
}

TEST(KindFileContent, MustNotFailsWithTheText) {
  Fixture f;
  f.file("etc/ssh/sshd_config", "PasswordAuthentication no\n").file("etc/ssh/sshd_config.d/50-x.conf", "  PasswordAuthentication yes\n");
  EXPECT_TRUE(one_finding(f.run(no_password_auth()), "etc/ssh/sshd_config.d/50-x.conf", Severity::Error,
                          "etc/ssh/sshd_config.d/50-x.conf contains /(?m)^\\s*PasswordAuthentication\\s+yes/"));
}

TEST(KindFileContent, OnlyTheFirstMaxBytesAreRead) {
  Fixture f;
  f.file("etc/ssh/sshd_config", "PasswordAuthentication yes\n" + std::string(100, '#'));
  f.file("etc/ssh/sshd_config.d/late.conf", std::string(100, '#') + "\nPasswordAuthentication yes\n");
  EXPECT_TRUE(one_finding(f.run(no_password_auth()), "etc/ssh/sshd_config", Severity::Error,
                          "(only the first 64 of 127 bytes were checked)"));
}

}  // namespace rules_kinds_file_content_test
}  // namespace imagelint::kind_test
