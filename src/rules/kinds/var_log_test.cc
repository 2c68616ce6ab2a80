#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_var_log_test {

TEST(KindVarLog, EmptyFilesAndSymlinksPass) {
  Fixture f;
  f.file("var/log/lastlog", "").symlink("var/log/README", "../../usr/share/doc/systemd/README.logs").dir("var/log/journal");
  EXPECT_TRUE(no_findings(f.run("var-log")));
}

TEST(KindVarLog, NonEmptyLogFails) {
  Fixture f;
  f.file("var/log/dnf.log", "2026-01-01 installed gcc\n").file("var/logbook", "outside var/log");
  EXPECT_TRUE(one_finding(f.run("var-log"), "var/log/dnf.log", Severity::Warning, "non-empty log file (25 bytes)"));
}

TEST(KindVarLog, EveryNonEmptyFileBelowIsAFinding) {
  Fixture f;
  f.file("var/log/a.log", "a").file("var/log/sub/b.log", "b");
  auto got = f.run("var-log");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "var/log/a.log", Severity::Warning, "(1 bytes)"));
  EXPECT_TRUE(has_finding(got, "var/log/sub/b.log", Severity::Warning, "non-empty log file"));
}

}  // namespace rules_kinds_var_log_test
}  // namespace imagelint::kind_test
