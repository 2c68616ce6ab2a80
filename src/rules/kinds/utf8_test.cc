#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_utf8_test {

TEST(KindUtf8, Utf8NamesAndTargetsPass) {
  Fixture f;
  f.file("usr/share/doc/caf\xc3\xa9.txt", "x").symlink("usr/share/doc/\xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9.txt");
  EXPECT_TRUE(no_findings(f.run("utf8")));
}

TEST(KindUtf8, Latin1FileNameFails) {
  Fixture f;
  f.file("usr/share/doc/caf\xe9.txt", "x");
  EXPECT_TRUE(one_finding(f.run("utf8"), "usr/share/doc/caf\\xe9.txt", Severity::Error, "non-UTF-8 file name: usr/share/doc/caf\\xe9.txt"));
}

TEST(KindUtf8, OnlyTheBadDirectoryIsReportedNotWhatIsBelow) {
  Fixture f;
  f.file("opt/\xff/a/b", "x").file("opt/\xff/c", "y");
  EXPECT_TRUE(one_finding(f.run("utf8"), "opt/\\xff", Severity::Error, "non-UTF-8 file name: opt/\\xff"));
}

TEST(KindUtf8, SymlinkTargetFails) {
  Fixture f;
  f.symlink("usr/lib/link", "../caf\xe9");
  EXPECT_TRUE(one_finding(f.run("utf8"), "usr/lib/link", Severity::Error, "usr/lib/link is a symlink whose target is not UTF-8: ../caf\\xe9"));
}

}  // namespace rules_kinds_utf8_test
}  // namespace imagelint::kind_test
