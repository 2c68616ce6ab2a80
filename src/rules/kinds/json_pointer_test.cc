// json-pointer: no shipped pack uses it; the rules are declared as a user pack would.
#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_json_pointer_test {

RuleSpec telemetry_off() {
  return user_rule("json-pointer", R"({"path": "etc/app/config.json", "pointer": "/features/telemetry", "op": "equals",
                                      "value": false, "message": "no telemetry from hosts"})");
}

TEST(KindJsonPointer, EqualValuePasses) {
  Fixture f;
  f.file("etc/app/config.json", R"({"features": {"telemetry": false, "x": 1}})");
  EXPECT_TRUE(no_findings(f.run(telemetry_off())));
}

TEST(KindJsonPointer, OtherValueFails) {
  Fixture f;
  f.file("etc/app/config.json", R"({"features": {"telemetry": "on"}})");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "etc/app/config.json", Severity::Error,
                          "etc/app/config.json: /features/telemetry is \"on\", expected false: no telemetry from hosts"));
}

TEST(KindJsonPointer, MissingPointerFails) {
  Fixture f;
  f.file("etc/app/config.json", R"({"features": []})");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "etc/app/config.json", Severity::Error,
                          "/features/telemetry does not exist (expected false)"));
}

TEST(KindJsonPointer, NotJsonFails) {
  Fixture f;
  f.file("etc/app/config.json", "{features: yes}");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "etc/app/config.json", Severity::Error, "etc/app/config.json is not JSON"));
}

TEST(KindJsonPointer, MissingFileFails) {
  Fixture f;
  f.dir("etc/app");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "", Severity::Error, "etc/app/config.json is missing"));
}

TEST(KindJsonPointer, FindingNamesTheFileASymlinkLeadsTo) {
  Fixture f;
  f.file("usr/share/app/config.json", R"({"features": {"telemetry": true}})").symlink("etc/app/config.json", "../../usr/share/app/config.json");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "usr/share/app/config.json", Severity::Error, "/features/telemetry is true, expected false"));
}

TEST(KindJsonPointer, SymlinkLoopFails) {
  Fixture f;
  f.symlink("etc/app/config.json", "config.json");
  EXPECT_TRUE(one_finding(f.run(telemetry_off()), "etc/app/config.json", Severity::Error, "cannot be read: symlink loop"));
}

RuleSpec no_insecure(const char* op) {
  return user_rule("json-pointer", std::string(R"({"path": "etc/app/config.json", "pointer": "/insecure", "max_bytes": 64, "op": ")") + op + "\"}",
                   Severity::Warning);
}

TEST(KindJsonPointer, AbsentPassesWhenMissingOrFileMissing) {
  Fixture f;
  EXPECT_TRUE(no_findings(f.run(no_insecure("absent"))));
  f.file("etc/app/config.json", R"({"secure": true})");
  EXPECT_TRUE(no_findings(f.run(no_insecure("absent"))));
}

TEST(KindJsonPointer, AbsentFailsWhenPresent) {
  Fixture f;
  f.file("etc/app/config.json", R"({"insecure": [1, 2]})");
  EXPECT_TRUE(one_finding(f.run(no_insecure("absent")), "etc/app/config.json", Severity::Warning, "/insecure must not exist (it is [1,2])"));
}

TEST(KindJsonPointer, ExistsFailsWhenMissing) {
  Fixture f;
  f.file("etc/app/config.json", R"({"secure": true})");
  EXPECT_TRUE(one_finding(f.run(no_insecure("exists")), "etc/app/config.json", Severity::Warning, "/insecure does not exist"));
}

TEST(KindJsonPointer, LargerThanMaxBytesFails) {
  Fixture f;
  f.file("etc/app/config.json", R"({"insecure": ")" + std::string(100, 'x') + "\"}");
  EXPECT_TRUE(one_finding(f.run(no_insecure("exists")), "etc/app/config.json", Severity::Warning, "is larger than 64 bytes; not checked"));
}

}  // namespace rules_kinds_json_pointer_test
}  // namespace imagelint::kind_test
