#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_nonempty_run_tmp_test {

TEST(KindNonemptyRunTmp, EmptyDirectoriesPass) {
  Fixture f;
  f.dir("run").dir("tmp", 01777);
  EXPECT_TRUE(no_findings(f.run("nonempty-run-tmp")));
}

TEST(KindNonemptyRunTmp, PodmanStubResolvConfAndItsParentsPass) {
  Fixture f;
  f.dir("run").dir("tmp", 01777).file("run/systemd/resolve/stub-resolv.conf", "");
  EXPECT_TRUE(no_findings(f.run("nonempty-run-tmp")));
}

TEST(KindNonemptyRunTmp, LitterInTmpFails) {
  Fixture f;
  f.dir("run").file("tmp/build.log", "make: ok\n");
  EXPECT_TRUE(one_finding(f.run("nonempty-run-tmp"), "tmp/build.log", Severity::Warning,
                          "tmp/build.log is in the image: tmp is a tmpfs on the host"));
}

TEST(KindNonemptyRunTmp, ParentOfTheIgnoredFileWithOtherContentFails) {
  Fixture f;
  f.file("run/systemd/resolve/stub-resolv.conf", "").file("run/systemd/journal/socket-stale", "");
  auto got = f.run("nonempty-run-tmp");
  EXPECT_EQ(got.size(), 3u) << describe(got);  // run/systemd, run/systemd/journal, the file
  EXPECT_TRUE(has_finding(got, "run/systemd", Severity::Warning, "run is a tmpfs on the host"));
  EXPECT_TRUE(has_finding(got, "run/systemd/journal/socket-stale", Severity::Warning, "build litter"));
}

}  // namespace rules_kinds_nonempty_run_tmp_test
}  // namespace imagelint::kind_test
