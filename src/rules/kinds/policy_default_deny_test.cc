#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_policy_default_deny_test {

// The policy fact as the pass reads etc/containers/policy.json (followed to path).
Fixture with_policy(const std::string& json, const std::string& path = "etc/containers/policy.json") {
  Fixture f;
  f.file(path, json);
  f.facts.policy_present = true;
  f.facts.policy_path = path;
  f.facts.policy = parse_policy(json);
  return f;
}

TEST(KindPolicyDefaultDeny, RejectByDefaultWithAllowedRegistriesPasses) {
  Fixture f = with_policy(R"({"default": [{"type": "reject"}],
    "transports": {"docker": {"quay.io/acme": [{"type": "insecureAcceptAnything"}],
                              "registry.gitlab.com/acme/app": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/etc/pki/acme.gpg"}],
                              "evil.example.com": [{"type": "reject"}]},
                   "docker-daemon": {"": [{"type": "reject"}]}}})");
  EXPECT_TRUE(no_findings(f.run("policy-default-deny")));
}

TEST(KindPolicyDefaultDeny, MissingPolicyFails) {
  Fixture f;
  f.dir("etc/containers");
  EXPECT_TRUE(one_finding(f.run("policy-default-deny"), "etc/containers/policy.json", Severity::Error,
                          "etc/containers/policy.json is missing"));
}

TEST(KindPolicyDefaultDeny, UnparsablePolicyFails) {
  Fixture f = with_policy(R"({"default": [{"type": "accept"}]})");
  EXPECT_TRUE(one_finding(f.run("policy-default-deny"), "etc/containers/policy.json", Severity::Error, "policy.json does not parse: "));
}

TEST(KindPolicyDefaultDeny, AcceptingDefaultFails) {
  Fixture f = with_policy(R"({"default": [{"type": "insecureAcceptAnything"}]})", "usr/share/containers/policy.json");
  EXPECT_TRUE(one_finding(f.run("policy-default-deny"), "usr/share/containers/policy.json", Severity::Error,
                          "default is not [{\"type\": \"reject\"}]"));
}

TEST(KindPolicyDefaultDeny, RegistryOutsideTheAllowlistFails) {
  Fixture f = with_policy(R"({"default": [{"type": "reject"}],
    "transports": {"docker": {"quay.io": [{"type": "insecureAcceptAnything"}], "evil.example.com/x": [{"type": "insecureAcceptAnything"}]}}})");
  EXPECT_TRUE(one_finding(f.run("policy-default-deny"), "etc/containers/policy.json", Severity::Error,
                          "docker scope 'evil.example.com/x' accepts images but evil.example.com is not an allowed registry"));
}

TEST(KindPolicyDefaultDeny, TransportWideScopeFails) {
  Fixture f = with_policy(R"({"default": [{"type": "reject"}], "transports": {"docker": {"": [{"type": "insecureAcceptAnything"}]}}})");
  EXPECT_TRUE(one_finding(f.run("policy-default-deny"), "etc/containers/policy.json", Severity::Error,
                          "docker scope '\"\"' accepts images but applies to every registry"));
}

TEST(KindPolicyDefaultDeny, UnsignedImagesFailWhenSignaturesAreRequired) {
  Fixture f = with_policy(R"({"default": [{"type": "reject"}], "transports": {"docker": {"quay.io/acme": [{"type": "insecureAcceptAnything"}]}}})");
  RuleSpec rule = shipped_rule("policy-default-deny");
  EXPECT_TRUE(no_findings(f.run(rule)));
  rule.params["require_signatures"] = true;
  EXPECT_TRUE(one_finding(f.run(rule), "etc/containers/policy.json", Severity::Error,
                          "docker scope 'quay.io/acme' accepts unsigned images (insecureAcceptAnything)"));
}

}  // namespace rules_kinds_policy_default_deny_test
}  // namespace imagelint::kind_test
