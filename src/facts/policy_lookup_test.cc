// The policy fact's lookups (which scope answers for a reference), its JSON for inspect, and
// its bounds on large input. Parsing and refusals are in policy_test.cc.
#include "facts/policy.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <string>

#include "facts/policy_test_util.h"

namespace imagelint {
namespace facts_policy_lookup_test {

using namespace facts_policy_test_util;

// --- lookup ---

Policy policy_of(const std::string& json) {
  PolicyResult r = parse_policy(json);
  EXPECT_TRUE(r.ok) << r.error;
  return r.policy;
}

// A requirement whose keyPath names the scope, so a lookup shows which scope answered.
std::string marked(const std::string& name) {
  return R"([{"type":"signedBy","keyType":"GPGKeys","keyPath":")" + name + R"("}])";
}

std::string answer(const Policy& p, std::string_view transport, std::string_view ref, std::string* scope = nullptr) {
  const PolicyRequirements& reqs = requirements_for(p, transport, ref, scope);
  if (reqs.empty()) return "?";
  if (!reqs[0].signature) return requirement_type_name(reqs[0].type);
  return reqs[0].signature->keys.at(0);
}

TEST(PolicyLookup, DockerScopesMostSpecificFirst) {
  Policy p = policy_of(R"({"default":)" + marked("default") + R"(,"transports":{"docker":{
      "quay.io/ns/repo:1":)" + marked("tag") + R"(,
      "quay.io/ns/repo@sha256:)" + std::string(64, 'a') + R"(":)" + marked("digest") + R"(,
      "quay.io/ns/repo":)" + marked("repo") + R"(,
      "quay.io/ns":)" + marked("namespace") + R"(,
      "quay.io":)" + marked("host") + R"(,
      "localhost:5000":)" + marked("host-port") + R"(,
      "*.example.com":)" + marked("wild") + R"(,
      "*.b.example.com":)" + marked("wild-longer") + R"(,
      "docker.io/library/busybox":)" + marked("busybox") + R"(,
      "":)" + marked("transport-default") + R"(}, "oci":{"/srv/x":)" + marked("oci-exact") + "}}}");
  std::string scope;
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/repo:1", &scope), "tag");
  EXPECT_EQ(scope, R"(transports["docker"]["quay.io/ns/repo:1"])");
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/repo@sha256:" + std::string(64, 'a')), "digest");
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/repo@sha256:" + std::string(64, 'b')), "repo");
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/repo:2"), "repo");
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/repo"), "repo");  // :latest
  EXPECT_EQ(answer(p, "docker", "//quay.io/ns/repo:1"), "tag");  // docker://… style
  EXPECT_EQ(answer(p, "docker", "quay.io/ns/other/deeper:1"), "namespace");
  EXPECT_EQ(answer(p, "docker", "quay.io/elsewhere/x:1", &scope), "host");
  EXPECT_EQ(scope, R"(transports["docker"]["quay.io"])");
  EXPECT_EQ(answer(p, "docker", "localhost:5000/x"), "host-port");
  EXPECT_EQ(answer(p, "docker", "a.example.com/x/y:1"), "wild");
  EXPECT_EQ(answer(p, "docker", "a.example.com:8443/x"), "wild");  // wildcards ignore the port
  EXPECT_EQ(answer(p, "docker", "a.b.example.com/x"), "wild-longer");
  EXPECT_EQ(answer(p, "docker", "example.com/x"), "transport-default");  // *.example.com is for subdomains
  EXPECT_EQ(answer(p, "docker", "busybox"), "busybox");                   // docker.io/library/busybox:latest
  EXPECT_EQ(answer(p, "docker", "index.docker.io/library/busybox:1"), "busybox");
  EXPECT_EQ(answer(p, "docker", "ghcr.io/x/y:1", &scope), "transport-default");
  EXPECT_EQ(scope, R"(transports["docker"][""])");
  // Other transports: the exact scope, then "" (absent here), then default.
  EXPECT_EQ(answer(p, "oci", "/srv/x"), "oci-exact");
  EXPECT_EQ(answer(p, "oci", "/srv/x/y", &scope), "default");
  EXPECT_EQ(scope, "default");
  EXPECT_EQ(answer(p, "dir", "/srv/x"), "default");
  PolicyMatch m = match_policy(p, "docker", "quay.io/ns/repo:9");
  EXPECT_FALSE(m.from_default);
  EXPECT_EQ(m.scope, "quay.io/ns/repo");
  EXPECT_TRUE(match_policy(p, "oci", "/elsewhere").from_default);

  EXPECT_THROW(requirements_for(p, "docker", "quay.io/Upper/x:1"), std::invalid_argument);
  EXPECT_THROW(requirements_for(p, "docker", "quay.io/x:1@sha256:" + std::string(64, 'a')), std::invalid_argument);
  EXPECT_THROW(requirements_for(p, "docker", ""), std::invalid_argument);
}

TEST(PolicyLookup, DefaultDenyWithAllowlist) {
  Policy p = policy_of(R"({"default":[{"type":"reject"}],
      "transports":{"docker":{"quay.io":[{"type":"insecureAcceptAnything"}]},
                    "containers-storage":{"":[{"type":"insecureAcceptAnything"}]}}})");
  EXPECT_EQ(answer(p, "docker", "quay.io/x/y:1"), "insecureAcceptAnything");
  EXPECT_EQ(answer(p, "docker", "quay.io/x/y@sha256:" + std::string(64, '0')), "insecureAcceptAnything");
  std::string scope;
  EXPECT_EQ(answer(p, "docker", "docker.io/library/x", &scope), "reject");
  EXPECT_EQ(scope, "default");
  EXPECT_EQ(answer(p, "docker", "x"), "reject");
  EXPECT_EQ(answer(p, "docker", "quay.io.evil.com/x:1"), "reject");
  EXPECT_EQ(answer(p, "docker", "evil.com/quay.io/x:1"), "reject");
  EXPECT_EQ(answer(p, "containers-storage", "[overlay@/var/lib/containers/storage]quay.io/x:1"),
            "insecureAcceptAnything");
  EXPECT_EQ(answer(p, "docker-daemon", "quay.io/x/y:1"), "reject");  // no docker-daemon section
}

TEST(PolicyLookup, DockerDaemonUsesDockerScopes) {
  Policy p = policy_of(R"({"default":[{"type":"reject"}],"transports":{"docker-daemon":{
      "quay.io":[{"type":"insecureAcceptAnything"}],"":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/d"}]}}})");
  EXPECT_EQ(answer(p, "docker-daemon", "quay.io/x:1"), "insecureAcceptAnything");
  EXPECT_EQ(answer(p, "docker-daemon", "sha256:" + std::string(64, 'c')), "/d");  // an image ID: only ""
}

TEST(PolicyLookup, DockerReferences) {
  auto ref = parse_docker_reference("busybox");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "docker.io/library/busybox");
  EXPECT_EQ(ref->tag, "");
  ref = parse_docker_reference("localhost/x:1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "localhost/x");
  EXPECT_EQ(ref->tag, "1");
  ref = parse_docker_reference("[::1]:5000/a/b@sha256:" + std::string(64, 'e'));
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->name, "[::1]:5000/a/b");
  EXPECT_EQ(ref->digest, "sha256:" + std::string(64, 'e'));
  std::string why;
  EXPECT_FALSE(parse_docker_reference(std::string(64, 'a'), &why));
  EXPECT_TRUE(contains(why, "64-byte hexadecimal"));
  EXPECT_FALSE(parse_docker_reference("a/b@sha256:abc", &why));
  EXPECT_FALSE(parse_docker_reference("a/b@md5:" + std::string(32, 'a'), &why));
  EXPECT_TRUE(contains(why, "unsupported digest algorithm"));
  EXPECT_FALSE(parse_docker_reference("quay.io/" + std::string(250, 'a'), &why));
  EXPECT_TRUE(contains(why, "255"));
  EXPECT_FALSE(parse_docker_reference("a//b", &why));
  EXPECT_FALSE(parse_docker_reference("a/b:-tag", &why));
}

// --- JSON for inspect ---

TEST(PolicyJson, ModelAndError) {
  PolicyResult r = parse_policy(with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPaths":["/a","/b"]})"));
  ASSERT_TRUE(r.ok) << r.error;
  nlohmann::json j = policy_to_json(r);
  EXPECT_EQ(j["default"], nlohmann::json::parse(R"([{"type":"reject"}])"));
  EXPECT_EQ(j["transports"]["docker"]["quay.io"],
            nlohmann::json::parse(
                R"([{"type":"signedBy","keyType":"GPGKeys","keyPaths":["/a","/b"],"signedIdentity":{"type":"matchRepoDigestOrExact"}}])"));
  nlohmann::json e = policy_to_json(parse_policy(R"({"default":[]})"));
  EXPECT_EQ(e, nlohmann::json::parse(R"({"error":"default: List of verification policy requirements must not be empty"})"));
}

TEST(PolicyJson, RoundTripsEveryCorpusPolicy) {
  // What inspect prints is itself a valid policy that means the same.
  for (const char* rel : kCorpusPolicies) {
    PolicyResult r = parse_policy(corpus_file(rel));
    ASSERT_TRUE(r.ok) << rel << ": " << r.error;
    std::string once = policy_to_json(r).dump();
    PolicyResult again = parse_policy(once);
    ASSERT_TRUE(again.ok) << rel << ": " << again.error << "\n" << once;
    EXPECT_EQ(policy_to_json(again).dump(), once) << rel;
  }
}

// --- bounds ---

long max_rss_kib() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

#if defined(IMAGELINT_SANITIZED)  // the core and the binary are (CMakeLists.txt), this file may not be
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Peak memory may grow by at most `factor` times the input (the parsed model is all that stays).
// Skipped under ASan (its shadow memory and quarantine say nothing about the parser). The peak is
// process-wide, so a test that ran before with a higher peak makes this pass vacuously, never fail.
void expect_memory_bounded(long before_kib, size_t input, double factor) {
  if (kSanitized) return;
  long grown = max_rss_kib() - before_kib;
  EXPECT_LE(static_cast<double>(grown) * 1024, factor * static_cast<double>(input))
      << "peak RSS grew by " << grown << " KiB for " << input / 1024 << " KiB of policy";
}

// The inputs of the bounds below: 50 MiB, where the peak memory is measured; under ASan, which
// checks only memory safety here, 4 MiB walks the same code in a tenth of the time.
constexpr size_t kBoundsInput = kSanitized ? size_t{4} << 20 : size_t{50} << 20;

TEST(PolicyBounds, RefusesOver64MiB) {
  std::string big(kPolicyMaxBytes + 1, ' ');
  PolicyResult r = parse_policy(big);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.error, "64 MiB limit")) << r.error;
}

TEST(PolicyBounds, FiftyMegabytePolicyParses) {
  // A realistic shape, scaled up: many registries, each with a signed requirement.
  std::string json = R"({"default":[{"type":"reject"}],"transports":{"docker":{)";
  size_t n = 0;
  while (json.size() < kBoundsInput) {
    if (n) json += ',';
    json += "\"registry-" + std::to_string(n) + R"(.example.com/team/project":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/etc/pki/containers/key-)" +
            std::to_string(n) + R"(.gpg","signedIdentity":{"type":"matchRepository"}}])";
    ++n;
  }
  json += "}}}";
  long before = max_rss_kib();
  PolicyResult r = parse_policy(json);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.policy.transports.at("docker").size(), n);
  expect_memory_bounded(before, json.size(), 4.5);  // measured 3.1 (glibc, Debian 12)
  EXPECT_EQ(answer(r.policy, "docker", "registry-" + std::to_string(n - 1) + ".example.com/team/project/x:1"),
            "/etc/pki/containers/key-" + std::to_string(n - 1) + ".gpg");
}

TEST(PolicyBounds, FiftyMegabytesOfTinyValues) {
  // The densest valid inputs: one list of minimal requirements, and one list of one-byte key paths.
  std::string reqs = R"({"default":[)";
  while (reqs.size() < kBoundsInput) reqs += R"({"type":"reject"},)";
  reqs += R"({"type":"reject"}]})";
  long before = max_rss_kib();
  PolicyResult r = parse_policy(reqs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.policy.default_reqs.size(), (reqs.size() - 13) / 18);
  expect_memory_bounded(before, reqs.size(), 4.5);  // measured 2.7
  r = PolicyResult{};

  std::string keys = R"({"default":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":[)";
  while (keys.size() < kBoundsInput) keys += R"("a",)";
  keys += R"("a"]}]})";
  before = max_rss_kib();
  r = parse_policy(keys);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GT(r.policy.default_reqs[0].signature->keys.size(), kBoundsInput / 5);
  // 32 bytes of std::string per 4-byte element is the floor of any vector<string> model.
  expect_memory_bounded(before, keys.size(), 12.0);  // measured 9.3
}

TEST(PolicyBounds, FiftyMegabytesOfNestingIsRefusedWithoutCrashing) {
  const size_t depth = kBoundsInput / 2;
  std::string json = R"({"default":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  EXPECT_TRUE(contains(error_of(json), R"(default[0]: JSON object expected, got an array)"));
  json = with_requirement(R"({"type":"reject","x":)" + std::string(depth, '[') + std::string(depth, ']') + "}");
  EXPECT_TRUE(contains(error_of(json), R"(Unknown key "x")"));
  // Unbalanced: the syntax error is what is reported.
  json = R"({"default":[{"type":"reject","x":)" + std::string(depth, '[');
  EXPECT_TRUE(contains(error_of(json), "not JSON"));
}

}  // namespace facts_policy_lookup_test
}  // namespace imagelint
