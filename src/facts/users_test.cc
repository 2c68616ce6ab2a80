#include "facts/users.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace facts_users_test {

TEST(Users, PasswdGroupShadow) {
  std::vector<FileNote> notes;
  auto pw = parse_passwd("root:x:0:0:root:/root:/bin/bash\nbroken line\napp:x:1001:1001::/var/home/app:/sbin/nologin\n", notes);
  ASSERT_EQ(pw.size(), 2u);
  EXPECT_EQ(pw[1].name, "app");
  EXPECT_EQ(pw[1].uid, 1001u);
  EXPECT_EQ(pw[1].home, "/var/home/app");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].text.find("line 2"), std::string::npos);
  auto gr = parse_group("wheel:x:10:alice,bob\napp:x:1001:\n", notes);
  ASSERT_EQ(gr.size(), 2u);
  EXPECT_EQ(gr[0].members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(gr[1].members.empty());
  EXPECT_EQ(shadow_users_with_password("root:!locked::\nbob:$6$salt$hash:19000::\napp:*:1::\nnone::1::\n"),
            (std::vector<std::string>{"bob"}));
}

TEST(Users, Sysusers) {
  std::vector<FileNote> notes;
  auto s = parse_sysusers("usr/lib/sysusers.d/app.conf",
                          "# comment\n"
                          "g app 1001\n"
                          "u app 1001:1001 \"App service\" /var/home/app /sbin/nologin\n"
                          "u! locked - \"Locked user\"\n"
                          "m app wheel\n"
                          "r - 500-900\n"
                          "x bad\n"
                          "u \"unbalanced\n",
                          notes);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[1].type, "u");
  EXPECT_EQ(s[1].gecos, "App service");
  EXPECT_EQ(s[1].uid(), 1001u);
  EXPECT_EQ(s[2].type, "u!");
  EXPECT_FALSE(s[2].uid().has_value());
  EXPECT_EQ(s[3].id, "wheel");
  EXPECT_EQ(notes.size(), 2u);
  Users u;
  u.sysusers = s;
  EXPECT_EQ(u.name_of(1001), "app");
  EXPECT_TRUE(u.declared("locked"));
  EXPECT_FALSE(u.declared("wheel"));
}

TEST(Users, Tmpfiles) {
  std::vector<FileNote> notes;
  auto t = parse_tmpfiles("usr/lib/tmpfiles.d/app.conf",
                          "f /var/lib/systemd/linger/app 0644 root root - \n"
                          "d /var/lib/app 0750 app app 10d\n"
                          "L+ /etc/localtime - - - - ../usr/share/zoneinfo/UTC\n"
                          "w /proc/sys/x - - - - some long argument\n",
                          notes);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].path, "var/lib/systemd/linger/app");
  EXPECT_EQ(t[1].age, "10d");
  EXPECT_EQ(t[2].type, "L+");
  EXPECT_EQ(t[2].argument, "../usr/share/zoneinfo/UTC");
  EXPECT_EQ(t[3].argument, "some long argument");
}

TEST(Users, OsRelease) {
  auto o = parse_os_release("NAME=\"CentOS Stream\"\nID=centos\nVERSION_ID='10'\n# c\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\nbad\n");
  EXPECT_EQ(o["NAME"], "CentOS Stream");
  EXPECT_EQ(o["ID"], "centos");
  EXPECT_EQ(o["VERSION_ID"], "10");
  EXPECT_EQ(o["PRETTY_NAME"], "A \"quoted\" name");
  EXPECT_EQ(o.count("bad"), 0u);
}

}  // namespace facts_users_test
}  // namespace imagelint
