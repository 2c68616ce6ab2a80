// The container signature policy fact: /etc/containers/policy.json, containers-policy.json(5).
// The parser accepts and refuses exactly what containers/image (podman, skopeo, bootc) does:
// unknown or duplicated keys, wrong JSON types, empty requirement lists, unknown requirement or
// identity types and invalid key combinations are errors, because podman refuses to pull
// anything with such a file. It works on the captured bytes (no file I/O), streams them through
// a SAX parser, and keeps nothing but the model: about 3x the input for policies of a real
// shape, under 10x for the densest possible one (a list of one-byte key paths), no recursion.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imagelint {

// Larger input is refused before parsing (no real policy comes near it). Capture the file with a
// cap of kPolicyMaxBytes + 1 so that a bigger file reaches parse_policy and is refused by size.
inline constexpr size_t kPolicyMaxBytes = size_t{64} << 20;

enum class PolicyRequirementType : uint8_t {
  InsecureAcceptAnything,
  Reject,
  SignedBy,
  SigstoreSigned,
  SignedBaseLayer,  // parses, but containers/image rejects every image with it ("not implemented yet")
};
// signedIdentity (and signedBaseLayer's baseLayerIdentity): which identity a signature must claim.
enum class PolicyIdentityType : uint8_t {
  MatchExact,
  MatchRepoDigestOrExact,  // what an absent signedIdentity means
  MatchRepository,
  ExactReference,
  ExactRepository,
  RemapIdentity,
};
// Where keys come from: keyPath, keyPaths, keyData, keyDatas, fulcio or pki. The same values name
// the Rekor key source (rekorPublicKeyPath, …Paths, …Data, …Datas).
enum class PolicyKeySource : uint8_t { None, Path, Paths, Data, Datas, Fulcio, Pki };

const char* requirement_type_name(PolicyRequirementType t);  // the JSON spelling, e.g. "signedBy"
const char* identity_type_name(PolicyIdentityType t);

struct PolicyIdentity {
  PolicyIdentityType type = PolicyIdentityType::MatchRepoDigestOrExact;
  std::string docker_reference;       // exactReference
  std::string docker_repository;      // exactRepository
  std::string prefix, signed_prefix;  // remapIdentity
};

struct PolicyFulcio {
  std::string ca_path;
  std::optional<std::string> ca_data;  // base64 as written; "" is valid (empty data) and differs from absent
  std::string oidc_issuer, subject_email;
};

struct PolicyPki {
  std::string ca_roots_path;
  std::optional<std::string> ca_roots_data;
  std::string ca_intermediates_path;
  std::optional<std::string> ca_intermediates_data;
  std::string subject_email, subject_hostname;
};

// What signedBy, sigstoreSigned and signedBaseLayer ask of an image.
struct PolicySignature {
  std::string key_type;  // signedBy only: GPGKeys, signedByGPGKeys, X509Certificates or signedByX509CAs
  PolicyKeySource key_source = PolicyKeySource::None;
  std::vector<std::string> keys;  // key paths, or base64 key data, as written (one for keyPath/keyData)
  std::unique_ptr<const PolicyFulcio> fulcio;  // set when key_source is Fulcio (pointers keep the common case small)
  std::unique_ptr<const PolicyPki> pki;        // set when key_source is Pki
  PolicyKeySource rekor_source = PolicyKeySource::None;  // sigstoreSigned only; None, Path, Paths, Data or Datas
  std::vector<std::string> rekor_keys;
  PolicyIdentity identity;  // signedIdentity (defaulted as containers/image does), or baseLayerIdentity
};

struct PolicyRequirement {
  PolicyRequirementType type = PolicyRequirementType::Reject;
  // Null for insecureAcceptAnything and reject. Shared and immutable: a big policy keeps each
  // requirement small (a 64 MiB file can hold millions of them), and copies stay cheap.
  std::shared_ptr<const PolicySignature> signature;
};

using PolicyRequirements = std::vector<PolicyRequirement>;
using PolicyScopes = std::map<std::string, PolicyRequirements, std::less<>>;  // scope -> requirements

struct Policy {
  PolicyRequirements default_reqs;                          // never empty in a parsed policy
  std::map<std::string, PolicyScopes, std::less<>> transports;  // transport name -> scopes
};

struct PolicyResult {
  bool ok = false;
  // One line that says where and what, e.g.
  // `transports["docker"]["quay.io"][0]: Unknown policy requirement type "accept"`.
  std::string error;
  Policy policy;
};

// Parses a policy.json. Never throws on bad input: the reason is in PolicyResult::error.
PolicyResult parse_policy(std::string_view bytes);

// A docker reference as containers/image normalises it (ParseNormalizedNamed): "busybox" is
// docker.io/library/busybox. Tag and digest may both be empty.
struct DockerReference {
  std::string name;  // host[:port]/path
  std::string tag;
  std::string digest;
};
std::optional<DockerReference> parse_docker_reference(std::string_view text, std::string* error = nullptr);

// Which requirements apply to an image reference, with containers/image's lookup:
// - docker (and docker-daemon with a named reference): the reference is normalised (tag
//   "latest" when it has neither tag nor digest; a leading "//" is accepted), then the scopes
//   tried are the exact `host[:port]/ns/repo:tag` or `…@digest`, the repository, each parent
//   namespace, the bare host[:port], the `*.domain` wildcards of the host without its port
//   (longest first), then the transport's "" scope, then `default`;
// - any other transport: the reference exactly as given (containers/image derives it from
//   resolved paths or storage specs that imagelint cannot reproduce from an image), then "",
//   then `default`.
// Throws std::invalid_argument for a docker reference that containers/image would refuse.
struct PolicyMatch {
  const PolicyRequirements* requirements = nullptr;
  bool from_default = false;  // true: no scope of the transport matched, `default` applies
  std::string scope;          // otherwise the transport scope that matched ("" = the transport's default)
};
PolicyMatch match_policy(const Policy& policy, std::string_view transport, std::string_view reference);

// The same, for callers that only want the requirements. matched_scope (if given) receives
// where they come from: `default`, or `transports["docker"]["quay.io"]`.
const PolicyRequirements& requirements_for(const Policy& policy, std::string_view transport,
                                           std::string_view reference, std::string* matched_scope = nullptr);

// For `inspect --format json`: the parsed model in containers-policy.json(5) spelling (every
// requirement as containers/image understood it, e.g. with its effective signedIdentity), or
// {"error": "..."}.
nlohmann::json policy_to_json(const PolicyResult& result);

}  // namespace imagelint
