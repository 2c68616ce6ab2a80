#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_etc_usretc_test {

TEST(KindEtcUsretc, EtcAlonePasses) {
  Fixture f;
  f.file("etc/hostname", "h\n").dir("usr/lib");
  EXPECT_TRUE(no_findings(f.run("etc-usretc")));
}

TEST(KindEtcUsretc, UsrEtcWithoutEtcPasses) {  // as bootc: nothing to conflict with
  Fixture f;
  f.file("usr/etc/os-release", "ID=x\n");
  EXPECT_TRUE(no_findings(f.run("etc-usretc")));
}

TEST(KindEtcUsretc, BothFail) {
  Fixture f;
  f.file("etc/hostname", "h\n").file("usr/etc/motd", "hi\n");
  EXPECT_TRUE(one_finding(f.run("etc-usretc"), "usr/etc", Severity::Error, "usr/etc is in the image beside etc"));
}

}  // namespace rules_kinds_etc_usretc_test
}  // namespace imagelint::kind_test
