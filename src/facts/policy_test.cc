// The policy fact's parser held against containers/image: real policies, what it refuses and in
// which order, what it accepts. Lookups, JSON and bounds are in policy_lookup_test.cc.
#include "facts/policy.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "facts/policy_test_util.h"
#include "harness.h"

namespace imagelint {
namespace facts_policy_test {

using namespace facts_policy_test_util;

const PolicyRequirement& only_requirement(const PolicyResult& r) {
  static const PolicyRequirement none;
  if (!r.ok) return none;
  const auto& list = r.policy.transports.at("docker").at("quay.io");
  EXPECT_EQ(list.size(), 1u);
  return list.front();
}

TEST(PolicyCorpus, RealPoliciesParse) {
  for (const char* rel : kCorpusPolicies) {
    PolicyResult r = parse_policy(corpus_file(rel));
    EXPECT_TRUE(r.ok) << rel << ": " << r.error;
    EXPECT_TRUE(r.error.empty()) << rel;
    EXPECT_FALSE(r.policy.default_reqs.empty()) << rel;
  }
}

TEST(PolicyCorpus, ContainersImageFixtureModel) {
  PolicyResult r = parse_policy(corpus_file("containers-image/signature/fixtures/policy.json"));
  ASSERT_TRUE(r.ok) << r.error;
  const Policy& p = r.policy;
  ASSERT_EQ(p.default_reqs.size(), 1u);
  EXPECT_EQ(p.default_reqs[0].type, PolicyRequirementType::Reject);
  EXPECT_EQ(p.default_reqs[0].signature, nullptr);
  EXPECT_EQ(p.transports.at("dir").at("")[0].type, PolicyRequirementType::InsecureAcceptAnything);

  const PolicyScopes& docker = p.transports.at("docker");
  EXPECT_EQ(docker.size(), 14u);
  const auto& prod = docker.at("example.com/production").at(0);
  ASSERT_EQ(prod.type, PolicyRequirementType::SignedBy);
  EXPECT_EQ(prod.signature->key_type, "GPGKeys");
  EXPECT_EQ(prod.signature->key_source, PolicyKeySource::Path);
  EXPECT_EQ(prod.signature->keys, std::vector<std::string>{"/keys/employee-gpg-keyring"});
  EXPECT_EQ(prod.signature->identity.type, PolicyIdentityType::MatchRepoDigestOrExact);  // absent = default

  const auto& hardened = docker.at("example.com/hardened");
  ASSERT_EQ(hardened.size(), 3u);
  EXPECT_EQ(hardened[0].signature->identity.type, PolicyIdentityType::MatchRepository);
  EXPECT_EQ(hardened[1].signature->key_type, "signedByGPGKeys");
  EXPECT_EQ(hardened[1].signature->identity.type, PolicyIdentityType::MatchExact);
  ASSERT_EQ(hardened[2].type, PolicyRequirementType::SignedBaseLayer);
  EXPECT_EQ(hardened[2].signature->identity.type, PolicyIdentityType::ExactRepository);
  EXPECT_EQ(hardened[2].signature->identity.docker_repository, "registry.access.redhat.com/rhel7/rhel");

  const auto& beta = docker.at("registry.redhat.io/beta").at(0).signature;
  EXPECT_EQ(beta->key_source, PolicyKeySource::Paths);
  EXPECT_EQ(beta->keys.size(), 2u);
  const auto& data = docker.at("bogus/key-data-example").at(0).signature;
  EXPECT_EQ(data->key_source, PolicyKeySource::Data);
  EXPECT_EQ(data->keys, std::vector<std::string>{"bm9uc2Vuc2U="});
  const auto& remap = docker.at("private-mirror:5000/vendor-mirror").at(0).signature->identity;
  EXPECT_EQ(remap.type, PolicyIdentityType::RemapIdentity);
  EXPECT_EQ(remap.prefix, "private-mirror:5000/vendor-mirror");
  EXPECT_EQ(remap.signed_prefix, "vendor.example.com");
  EXPECT_EQ(docker.at("bogus/signed-identity-example").at(0).signature->identity.docker_reference,
            "registry.access.redhat.com/rhel7/rhel:latest");
  const auto& sig = docker.at("example.com/sigstore/key-path-example").at(0);
  EXPECT_EQ(sig.type, PolicyRequirementType::SigstoreSigned);
  EXPECT_EQ(sig.signature->identity.type, PolicyIdentityType::MatchRepository);
  EXPECT_EQ(sig.signature->rekor_source, PolicyKeySource::None);
}

TEST(PolicyCorpus, DistributionDefaults) {
  PolicyResult upstream = parse_policy(corpus_file("containers-image/default-policy.json"));
  ASSERT_TRUE(upstream.ok) << upstream.error;
  EXPECT_EQ(upstream.policy.default_reqs[0].type, PolicyRequirementType::InsecureAcceptAnything);
  EXPECT_EQ(upstream.policy.transports.at("docker-daemon").at("")[0].type,
            PolicyRequirementType::InsecureAcceptAnything);

  PolicyResult rhel = parse_policy(corpus_file("openela-containers-common/SOURCES/default-policy.json"));
  ASSERT_TRUE(rhel.ok) << rhel.error;
  const auto& rh = rhel.policy.transports.at("docker").at("registry.redhat.io").at(0);
  ASSERT_EQ(rh.type, PolicyRequirementType::SigstoreSigned);
  EXPECT_EQ(rh.signature->key_source, PolicyKeySource::Path);
  EXPECT_EQ(rh.signature->keys, std::vector<std::string>{"/etc/pki/sigstore/SIGSTORE-redhat-release3"});
  EXPECT_EQ(rh.signature->rekor_source, PolicyKeySource::Path);
  EXPECT_EQ(rh.signature->rekor_keys, std::vector<std::string>{"/etc/pki/sigstore/REKOR-signing-key"});

  PolicyResult skopeo = parse_policy(corpus_file("containers-skopeo/integration/fixtures/policy.json"));
  ASSERT_TRUE(skopeo.ok) << skopeo.error;
  const auto& dir = skopeo.policy.transports.at("dir").at("/@dirpath@").at(0).signature->identity;
  EXPECT_EQ(dir.type, PolicyIdentityType::ExactRepository);
  EXPECT_EQ(dir.docker_repository, "localhost:5000/myns/official");
  EXPECT_EQ(skopeo.policy.transports.at("atomic").size(), 6u);
}

TEST(PolicyCorpus, OldSkopeoAcceptIsRefused) {
  PolicyResult r = parse_policy(corpus_file("projectatomic-skopeo/integration/fixtures/policy.json"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, R"(transports["docker"]["docker.io/openshift"][0]: Unknown policy requirement type "accept")");
  EXPECT_TRUE(r.policy.transports.empty());  // nothing half-parsed is kept
}

struct Bad {
  std::string json;
  std::string message;  // a part of the error
};

TEST(PolicyErrors, RefusedAsContainersImageRefusesThem) {
  const std::string R = R"({"type":"reject"})";
  const std::string ok_default = R"("default":[)" + R + "]";
  const std::vector<Bad> cases = {
      // Not a policy at all.
      {"", "not JSON"},
      {"{", "not JSON"},
      {"[]", "JSON object expected, got an array"},
      {"null", "JSON object expected, got null"},
      {"{" + ok_default + "} x", "not JSON"},
      {"\xEF\xBB\xBF{" + ok_default + "}", "not JSON"},
      {R"({"default":[{"type":"reject"}],})", "not JSON"},
      {"{}", "Default policy is missing"},
      {R"({"transports":{}})", "Default policy is missing"},
      // Duplicated keys, at every level, also when spelled with escapes.
      {"{" + ok_default + "," + ok_default + "}", R"(Duplicate key "default")"},
      {"{" + ok_default + R"(,"transports":{},"transports":{}})", R"(Duplicate key "transports")"},
      {"{" + ok_default + R"(,"transports":{"docker":{},"docker":{}}})", R"(transports: Duplicate key "docker")"},
      {"{" + ok_default + R"(,"transports":{"docker":{"quay.io":[)" + R + R"(],"quay.io":[)" + R + "]}}}",
       R"(transports["docker"]: Duplicate key "quay.io")"},
      {with_requirement(R"({"type":"reject","type":"reject"})"), R"([0]: Duplicate key "type")"},
      {with_requirement(R"({"type":"reject","t\u0079pe":"reject"})"), R"(Duplicate key "type")"},
      {with_requirement(
           R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchExact","type":"matchExact"}})"),
       R"(signedIdentity: Duplicate key "type")"},
      {with_requirement(
           R"({"type":"sigstoreSigned","fulcio":{"caPath":"/a","caPath":"/b","oidcIssuer":"i","subjectEmail":"e"},"rekorPublicKeyPath":"/r"})"),
       R"(fulcio: Duplicate key "caPath")"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","keyPath":"/b"})"),
       R"(Duplicate key "keyPath")"},
      // Unknown keys.
      {"{" + ok_default + R"(,"defaults":[]})", R"(Unknown key "defaults")"},
      {with_requirement(R"({"type":"reject","comment":"x"})"), R"(Unknown key "comment")"},
      {with_requirement(R"({"type":"reject","keyPath":"/k"})"), R"(Unknown key "keyPath")"},
      {with_requirement(R"({"type":"sigstoreSigned","keyType":"GPGKeys","keyPath":"/k"})"), R"(Unknown key "keyType")"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchExact","dockerReference":"a/b:1"}})"),
       R"(signedIdentity: Unknown key "dockerReference")"},
      {with_requirement(R"({"type":"sigstoreSigned","pki":{"caRootsPath":"/r","subjectEmail":"e","x":1}})"),
       R"(pki: Unknown key "x")"},
      // Empty or missing requirement lists.
      {R"({"default":[]})", R"(default: List of verification policy requirements must not be empty)"},
      {R"({"default":null})", "must not be empty"},
      {"{" + ok_default + R"(,"transports":{"docker":{"quay.io":[]}}})",
       R"(transports["docker"]["quay.io"]: List of verification policy requirements must not be empty)"},
      {"{" + ok_default + R"(,"transports":{"docker":{"quay.io":null}}})", "must not be empty"},
      // Wrong JSON types.
      {R"({"default":{"type":"reject"}})", "default: expected an array"},
      {R"({"default":["reject"]})", "default[0]: JSON object expected, got a string"},
      {R"({"default":[null]})", R"(default[0]: Unknown policy requirement type "")"},
      {"{" + ok_default + R"(,"transports":[]})", "transports: JSON object expected"},
      {"{" + ok_default + R"(,"transports":{"docker":null}})", R"(transports["docker"]: JSON object expected)"},
      {with_requirement(R"({"type":1})"), "type: expected a string"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":["/k"]})"), "keyPath: expected a string"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPaths":[1]})"), "keyPaths: expected an array"},
      {with_requirement(R"({"type":"sigstoreSigned","fulcio":null,"rekorPublicKeyPath":"/r"})"),
       "fulcio: JSON object expected, got null"},
      // Unknown types; the message names the bad type.
      {with_requirement(R"({"type":"accept"})"), R"(Unknown policy requirement type "accept")"},
      {with_requirement(R"({"keyPath":"/k"})"), R"(Unknown policy requirement type "")"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchAll"}})"),
       R"(signedIdentity: Unknown policy reference match type "matchAll")"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":null})"),
       R"(signedIdentity: Unknown policy reference match type "")"},
      // signedBy combinations.
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","keyData":"eA=="})"),
       "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys"})"),
       "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present"},
      {with_requirement(R"({"type":"signedBy","keyPath":"/k"})"), R"(invalid keyType "")"},
      {with_requirement(R"({"type":"signedBy","keyType":"PGP","keyPath":"/k"})"), R"(Unrecognized keyType value "PGP")"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":""})"),
       "exactly one of keyPath, keyPaths and keyData must be specified"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPaths":null})"), "exactly one of keyPath"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyData":"not base64!"})"),
       "keyData: illegal base64 data"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyData":"eA="})"), "illegal base64"},
      // sigstoreSigned combinations.
      {with_requirement(R"({"type":"sigstoreSigned","keyPath":"/k","keyData":"eA=="})"),
       "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified"},
      {with_requirement(R"({"type":"sigstoreSigned"})"), "exactly one of keyPath, keyPaths"},
      {with_requirement(R"({"type":"sigstoreSigned","keyPaths":[]})"), R"("keyPaths" contains no entries)"},
      {with_requirement(R"({"type":"sigstoreSigned","keyDatas":null})"), R"("keyDatas" contains no entries)"},
      {with_requirement(R"({"type":"sigstoreSigned","keyPath":"/k","rekorPublicKeyPath":"/r","rekorPublicKeyData":"eA=="})"),
       "at most one of rekorPublicKeyPath"},
      {with_requirement(R"({"type":"sigstoreSigned","fulcio":{"caPath":"/c","oidcIssuer":"i","subjectEmail":"e"}})"),
       "must be specified if fulcio is used"},
      {with_requirement(R"({"type":"sigstoreSigned","fulcio":{"caPath":"/c","subjectEmail":"e"},"rekorPublicKeyPath":"/r"})"),
       "fulcio: oidcIssuer not specified"},
      {with_requirement(R"({"type":"sigstoreSigned","fulcio":{"caPath":"/c","caData":"","oidcIssuer":"i","subjectEmail":"e"},"rekorPublicKeyPath":"/r"})"),
       "fulcio: caPath and caData cannot be used simultaneously"},
      {with_requirement(R"({"type":"sigstoreSigned","pki":{"caRootsPath":"/r"}})"),
       "pki: At least one of subjectEmail, subjectHostname must be specified"},
      {with_requirement(R"({"type":"sigstoreSigned","pki":{"subjectEmail":"e"}})"),
       "pki: At least one of caRootsPath and caRootsData must be specified"},
      // Identities.
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"quay.io/x/y"}})"),
       "contains neither a tag nor digest"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"quay.io/X/y:1"}})"),
       "Invalid format of dockerReference"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactRepository"}})"),
       R"(Key "dockerRepository" missing in a JSON object)"},
      {with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"","signedPrefix":"quay.io"}})"),
       R"(prefix "" is not valid)"},
      {with_requirement(R"({"type":"signedBaseLayer"})"), R"(Key "baseLayerIdentity" missing in a JSON object)"},
      // Scopes of transports containers/image knows.
      {"{" + ok_default + R"(,"transports":{"dir":{"relative/dir":[)" + R + "]}}}",
       R"(transports["dir"]: invalid scope "relative/dir": must be an absolute path)"},
      {"{" + ok_default + R"(,"transports":{"oci":{"/":[)" + R + "]}}}", R"(invalid scope "/")"},
      {"{" + ok_default + R"(,"transports":{"oci-archive":{"/a/../b":[)" + R + "]}}}", "non-canonical"},
      {"{" + ok_default + R"(,"transports":{"dir":{"/a/":[)" + R + "]}}}", "non-canonical"},
      {"{" + ok_default + R"(,"transports":{"docker-archive":{"/a.tar":[)" + R + "]}}}",
       R"(does not support any scopes except the default "" one)"},
      {"{" + ok_default + R"(,"transports":{"containers-storage":{"docker.io/library/busybox":[)" + R + "]}}}",
       R"(invalid scope "docker.io/library/busybox")"},
      {"{" + ok_default + R"(,"transports":{"containers-storage":{"[var/lib/containers]":[)" + R + "]}}}",
       "absolute path"},
      {"{" + ok_default + R"(,"transports":{"containers-storage":{"[/var/lib/containers]busybox@nothex":[)" + R +
           "]}}}",
       "neither a valid digest nor a valid ID"},
      {"{" + ok_default + R"(,"transports":{"docker-daemon":{"sha256:)" + std::string(64, 'a') + R"(":[)" + R +
           "]}}}",
       "algo:digest"},
  };
  for (const Bad& c : cases) {
    std::string e = error_of(c.json);
    EXPECT_TRUE(contains(e, c.message)) << "policy: " << c.json << "\nerror:   " << e << "\nwanted:  " << c.message;
  }
}

TEST(PolicyErrors, OrderIsContainersImages) {
  // A syntax error anywhere wins over a schema error before it (Go checks the text first).
  EXPECT_TRUE(contains(error_of(R"({"default":[{"type":"accept"}], x})"), "not JSON"));
  // A requirement's type is read first: an unknown type wins over an unknown key before it,
  // also when the key differs in case (Go's first pass matches fields case-insensitively).
  EXPECT_EQ(error_of(R"({"default":[{"comment":1,"type":"accept"}]})"),
            R"(default[0]: Unknown policy requirement type "accept")");
  EXPECT_EQ(error_of(R"({"default":[{"TYPE":"accept"}]})"), R"(default[0]: Unknown policy requirement type "accept")");
  EXPECT_EQ(error_of(R"({"default":[{"TYPE":"reject"}]})"), R"(default[0]: Unknown key "TYPE")");
  // Field problems in key order, then the identity, then the combinations.
  EXPECT_EQ(error_of(R"({"default":[{"type":"signedBy","signedIdentity":{"type":"bogus"},"keyType":"GPGKeys","x":1}]})"),
            R"(default[0]: Unknown key "x")");
  EXPECT_EQ(error_of(R"({"default":[{"type":"signedBy","signedIdentity":{"type":"bogus"},"keyType":"GPGKeys"}]})"),
            R"(default[0]: signedIdentity: Unknown policy reference match type "bogus")");
  // The first bad requirement in document order.
  EXPECT_EQ(error_of(R"({"default":[{"type":"reject"},{"type":"no"}],"transports":{"docker":{"a":[{"type":"x"}]}}})"),
            R"(default[1]: Unknown policy requirement type "no")");
}

TEST(PolicyParse, AcceptsWhatContainersImageAccepts) {
  // Go decodes a JSON null in a string field as "", an empty keyPaths array as a (useless but
  // valid) list, keyData "" as empty data; sigstoreSigned ignores an empty keyPath.
  PolicyResult r = parse_policy(with_requirement(R"({"type":"signedBy","keyType":"X509Certificates","keyPaths":[]})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->key_source, PolicyKeySource::Paths);
  EXPECT_TRUE(only_requirement(r).signature->keys.empty());
  r = parse_policy(with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyData":""})"));
  EXPECT_TRUE(r.ok) << r.error;
  r = parse_policy(with_requirement(R"({"type":"sigstoreSigned","keyPath":"","keyData":"eA=="})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->key_source, PolicyKeySource::Data);
  r = parse_policy(with_requirement(R"({"type":"sigstoreSigned","keyPath":"/k","keyData":null,"rekorPublicKeyPath":null})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->rekor_source, PolicyKeySource::None);
  // base64 with line breaks, as encoding/json accepts it.
  r = parse_policy(with_requirement(R"({"type":"sigstoreSigned","keyDatas":["eHl6\nYQ==","eA=="],"rekorPublicKeyDatas":["eA=="]})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->key_source, PolicyKeySource::Datas);
  EXPECT_EQ(only_requirement(r).signature->rekor_source, PolicyKeySource::Datas);
  // Fulcio and PKI.
  r = parse_policy(with_requirement(
      R"({"type":"sigstoreSigned","fulcio":{"caData":"eA==","oidcIssuer":"https://i","subjectEmail":"a@b"},"rekorPublicKeyPaths":["/r"],"signedIdentity":{"type":"matchRepository"}})"));
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_TRUE(only_requirement(r).signature->fulcio);
  EXPECT_EQ(only_requirement(r).signature->fulcio->ca_data, "eA==");
  EXPECT_EQ(only_requirement(r).signature->key_source, PolicyKeySource::Fulcio);
  r = parse_policy(with_requirement(
      R"({"type":"sigstoreSigned","pki":{"caRootsPath":"/r","caIntermediatesData":"","subjectHostname":"h"}})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->pki->ca_intermediates_data, "");
  // Every identity type.
  for (const char* id :
       {R"({"type":"matchExact"})", R"({"type":"matchRepoDigestOrExact"})", R"({"type":"matchRepository"})",
        R"({"type":"exactReference","dockerReference":"busybox@sha256:)" "0123456789012345678901234567890123456789012345678901234567890123" R"("})",
        R"({"type":"exactRepository","dockerRepository":"busybox"})",
        R"({"type":"remapIdentity","prefix":"mirror:5000/vendor","signedPrefix":"docker.io/library"})"}) {
    r = parse_policy(with_requirement(std::string(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":)") +
                                      id + "}"));
    EXPECT_TRUE(r.ok) << id << ": " << r.error;
  }
  // Scopes: docker and unknown transports take anything; known ones their own syntax.
  r = parse_policy(R"({"default":[{"type":"reject"}],"transports":{
      "docker":{"*.example.com":[{"type":"reject"}],"whatever at all":[{"type":"reject"}]},
      "made-up":{"relative":[{"type":"reject"}]},
      "atomic":{"host:5000/ns/is:tag":[{"type":"reject"}]},
      "containers-storage":{"[overlay@/var/lib/containers/storage]":[{"type":"insecureAcceptAnything"}],
                            "[/var/lib/containers/storage]docker.io/library/busybox:latest@)" +
                   std::string(64, 'f') + R"(":[{"type":"reject"}]},
      "docker-daemon":{"docker.io/library/busybox:latest":[{"type":"reject"}]},
      "dir":{"/srv/images":[{"type":"reject"}]}}})");
  EXPECT_TRUE(r.ok) << r.error;
}

TEST(PolicyParse, InvalidUtf8AsGoReadsIt) {
  // Go's decoder turns invalid UTF-8 and lone surrogate escapes in strings into U+FFFD.
  PolicyResult r = parse_policy(with_requirement("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/k\xff\"}"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->keys[0], "/k\xEF\xBF\xBD");
  r = parse_policy(with_requirement(R"({"type":"signedBy","keyType":"GPGKeys","keyPath":"/\ud800x\udc00\ud83d\ude00"})"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(only_requirement(r).signature->keys[0], "/\xEF\xBF\xBDx\xEF\xBF\xBD\xF0\x9F\x98\x80");
  // Outside strings a stray byte is still not JSON.
  EXPECT_TRUE(contains(error_of("{\"default\":[{\"type\":\"reject\"}]}\xff"), "not JSON"));
}

}  // namespace facts_policy_test
}  // namespace imagelint
