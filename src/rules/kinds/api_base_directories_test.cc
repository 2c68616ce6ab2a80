#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_api_base_directories_test {

Fixture all_dirs() {
  Fixture f;
  for (const char* d : {"dev", "proc", "sys", "run", "tmp", "var"}) f.dir(d);
  return f;
}

TEST(KindApiBaseDirectories, AllDirectoriesPass) {
  Fixture f = all_dirs();
  EXPECT_TRUE(no_findings(f.run("api-base-directories")));
}

TEST(KindApiBaseDirectories, MissingDirectoryFails) {
  Fixture f;
  for (const char* d : {"dev", "proc", "sys", "run", "var"}) f.dir(d);
  EXPECT_TRUE(one_finding(f.run("api-base-directories"), "tmp", Severity::Error, "missing API filesystem base directory tmp"));
}

TEST(KindApiBaseDirectories, SymlinkInsteadOfDirectoryFails) {
  Fixture f;
  for (const char* d : {"dev", "proc", "sys", "run", "var"}) f.dir(d);
  f.symlink("tmp", "var/tmp");
  EXPECT_TRUE(one_finding(f.run("api-base-directories"), "tmp", Severity::Error, "tmp is a symlink: an API filesystem base directory must be"));
}

TEST(KindApiBaseDirectories, EveryMissingOneIsAFinding) {
  Fixture f;
  f.dir("var");
  auto got = f.run("api-base-directories");
  EXPECT_EQ(got.size(), 5u) << describe(got);
  EXPECT_TRUE(has_finding(got, "dev", Severity::Error, "missing API filesystem base directory dev"));
  EXPECT_TRUE(has_finding(got, "sys", Severity::Error, "missing API filesystem base directory sys"));
}

}  // namespace rules_kinds_api_base_directories_test
}  // namespace imagelint::kind_test
