// package-absent / package-present: no shipped pack uses them; declared as a user pack would.
#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_package_rule_test {

RuleSpec no_telnet() { return user_rule("package-absent", R"({"names": ["telnet(-server)?"]})", Severity::Warning); }
RuleSpec needs_podman() { return user_rule("package-present", R"({"names": ["podman", "bootc"]})"); }

TEST(KindPackageAbsent, OtherPackagesPass) {
  Fixture f;
  f.package(rpm("telnetd-docs", "1", "1")).package(rpm("openssh-server", "9.6p1", "1.fc40"));
  EXPECT_TRUE(no_findings(f.run(no_telnet())));
}

TEST(KindPackageAbsent, InstalledPackageFails) {
  Fixture f;
  f.package(rpm("telnet-server", "0.17", "92.fc40"));
  auto got = f.run(no_telnet());
  EXPECT_TRUE(one_finding(got, "", Severity::Warning, "package telnet-server-0.17-92.fc40.x86_64 is installed"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].package, "telnet-server-0.17-92.fc40.x86_64");
}

TEST(KindPackageAbsent, UnreadDatabaseFails) {
  Fixture f;
  f.facts.packages.unread = {"usr/lib/sysimage/rpm/Packages.db"};
  EXPECT_TRUE(one_finding(f.run(no_telnet()), "usr/lib/sysimage/rpm/Packages.db", Severity::Warning,
                          "could not be read: installed packages are unknown"));
}

TEST(KindPackagePresent, InstalledPasses) {
  Fixture f;
  f.package(rpm("podman", "5.0.2", "1.fc40")).package(rpm("bootc", "1.1.0", "1.fc40"));
  EXPECT_TRUE(no_findings(f.run(needs_podman())));
}

TEST(KindPackagePresent, MissingFails) {
  Fixture f;
  f.package(rpm("podman-docker", "5.0.2", "1.fc40")).package(rpm("bootc", "1.1.0", "1.fc40"));
  EXPECT_TRUE(one_finding(f.run(needs_podman()), "", Severity::Error, "no installed package matches podman"));
}

}  // namespace rules_kinds_package_rule_test
}  // namespace imagelint::kind_test
