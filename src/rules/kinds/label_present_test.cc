// label-present: no shipped pack uses it; the rule is declared as a user pack would.
#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_label_present_test {

RuleSpec bootc_label() { return user_rule("label-present", R"({"labels": ["containers.bootc"]})", Severity::Warning); }

TEST(KindLabelPresent, LabelPresentPasses) {
  Fixture f;
  f.image.labels.emplace("containers.bootc", "1");
  EXPECT_TRUE(no_findings(f.run(bootc_label())));
}

TEST(KindLabelPresent, MissingLabelFails) {
  Fixture f;
  f.image.labels.emplace("org.opencontainers.image.version", "1");
  EXPECT_TRUE(one_finding(f.run(bootc_label()), "", Severity::Warning, "the image config has no label containers.bootc"));
}

}  // namespace rules_kinds_label_present_test
}  // namespace imagelint::kind_test
