#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_file_mode_test {

TEST(KindFileMode, AllowlistedSetuidPasses) {
  Fixture f;
  f.file("usr/bin/sudo", "elf", 04755).file("usr/bin/ls", "elf", 0755);
  EXPECT_TRUE(no_findings(f.run("setuid-files")));
}

TEST(KindFileMode, SetuidOutsideAllowlistFails) {
  Fixture f;
  f.file("usr/bin/sudo", "elf", 04755).file("usr/local/bin/rootshell", "elf", 04755);
  EXPECT_TRUE(one_finding(f.run("setuid-files"), "usr/local/bin/rootshell", Severity::Warning, "is setuid"));
}

TEST(KindFileMode, SetgidFails) {
  Fixture f;
  f.file("usr/bin/games", "elf", 02755);
  EXPECT_TRUE(one_finding(f.run("setuid-files"), "usr/bin/games", Severity::Warning, "usr/bin/games is setgid"));
}

TEST(KindFileMode, StickyWorldWritableDirectoryPasses) {
  Fixture f;
  f.dir("tmp", 01777).dir("var/tmp", 01777).put("dev/null", [] {
    Entry e;
    e.type = EntryType::Char;
    e.mode = 0666;
    return e;
  }());
  EXPECT_TRUE(no_findings(f.run("world-writable")));
}

TEST(KindFileMode, WorldWritableFileAndDirectoryFail) {
  Fixture f;
  f.file("etc/app.conf", "x=1\n", 0666).dir("srv/drop", 0777).symlink("etc/link", "app.conf");
  auto got = f.run("world-writable");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "etc/app.conf", Severity::Warning, "etc/app.conf is world-writable"));
  EXPECT_TRUE(has_finding(got, "srv/drop", Severity::Warning, "srv/drop is world-writable"));
}

}  // namespace rules_kinds_file_mode_test
}  // namespace imagelint::kind_test
