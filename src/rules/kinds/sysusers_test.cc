#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_sysusers_test {

// The users fact as the pass reads etc/passwd, etc/group and sysusers.d.
void users(Fixture& f, const std::string& passwd, const std::string& group, const std::string& sysusers) {
  Users& u = f.facts.users;
  u.passwd = parse_passwd(passwd, u.notes);
  u.groups = parse_group(group, u.notes);
  u.sysusers = parse_sysusers("usr/lib/sysusers.d/app.conf", sysusers, u.notes);
  f.file("etc/passwd", passwd).file("etc/group", group).file("usr/lib/sysusers.d/app.conf", sysusers);
}

const std::string kPasswd = "root:x:0:0:root:/root:/bin/bash\napp:x:1001:1001::/var/home/app:/bin/bash\n";
const std::string kGroup = "root:x:0:\napp:x:1001:\n";

TEST(KindSysusers, DeclaredUsersAndGroupsPass) {
  Fixture f;
  users(f, kPasswd, kGroup, "u root 0:0 \"Super User\" /root /bin/bash\nu app 1001 \"App\" /var/home/app\n");
  EXPECT_TRUE(no_findings(f.run("sysusers")));
}

TEST(KindSysusers, UsersInTheAltfilesDatabasesPass) {
  Fixture f;
  users(f, kPasswd, kGroup, "u app 1001\n");
  // As the pass reads them when the rule asks (declare_needs: params.altfiles_*).
  std::vector<FileNote> unused;
  f.facts.users.altfiles_passwd = parse_passwd("root:x:0:0:root:/root:/bin/bash\n", unused);
  f.facts.users.altfiles_groups = parse_group("root:x:0:\n", unused);
  EXPECT_TRUE(no_findings(f.run("sysusers")));
}

TEST(KindSysusers, UserOnlyInPasswdFails) {
  Fixture f;
  users(f, kPasswd, "root:x:0:\n", "u root 0:0 \"Super User\" /root /bin/bash\n");
  EXPECT_TRUE(one_finding(f.run("sysusers"), "etc/passwd", Severity::Warning, "user app (uid 1001) is in etc/passwd but not in sysusers.d"));
}

TEST(KindSysusers, GroupOfAUserWithAnotherPrimaryGroupFails) {
  Fixture f;
  users(f, kPasswd, kGroup + "wheel:x:10:\n", "u root 0:0\ng wheel 10\nu app 1001:wheel\n");
  EXPECT_TRUE(one_finding(f.run("sysusers"), "etc/group", Severity::Warning, "group app (gid 1001) is in etc/group but not in sysusers.d"));
}

TEST(KindSysusers, UnknownLineTypeFails) {
  Fixture f;
  users(f, "root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n", "u root 0:0\nx app 1001\n");
  EXPECT_TRUE(one_finding(f.run("sysusers"), "usr/lib/sysusers.d/app.conf", Severity::Warning,
                          "usr/lib/sysusers.d/app.conf line 2: unknown type 'x', skipped"));
}

}  // namespace rules_kinds_sysusers_test
}  // namespace imagelint::kind_test
