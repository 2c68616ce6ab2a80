#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_var_run_test {

TEST(KindVarRun, SymlinkToRunPasses) {
  Fixture f;
  f.dir("run").symlink("var/run", "../run");
  EXPECT_TRUE(no_findings(f.run("var-run")));
}

TEST(KindVarRun, AbsentPasses) {
  Fixture f;
  f.dir("var/lib");
  EXPECT_TRUE(no_findings(f.run("var-run")));
}

TEST(KindVarRun, DirectoryFails) {
  Fixture f;
  f.dir("var/run/lock");
  EXPECT_TRUE(one_finding(f.run("var-run"), "var/run", Severity::Error, "var/run is a dir, not a symlink"));
}

TEST(KindVarRun, FileFails) {
  Fixture f;
  f.file("var/run", "");
  EXPECT_TRUE(one_finding(f.run("var-run"), "var/run", Severity::Error, "var/run is a file, not a symlink"));
}

}  // namespace rules_kinds_var_run_test
}  // namespace imagelint::kind_test
