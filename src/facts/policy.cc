// The policy model: the type names, and parse_policy, which runs the SAX handler
// (policy_sax.cc, policy_requirement.cc) over the text as Go sees it (policy_text.cc).
#include "facts/policy.h"

#include <nlohmann/json.hpp>

#include "facts/policy_internal.h"

namespace imagelint {

using policy_internal::go_compatible_text;
using policy_internal::PolicySax;

// How containers/image reads a policy (signature/policy_config*.go, signature/internal/json.go),
// and so how this parser decides:
// - The whole input is first checked as JSON by Go's encoding/json, so a syntax error anywhere
//   wins over any other problem. Go refuses a byte order mark, but accepts invalid UTF-8 and lone
//   UTF-16 surrogate escapes inside strings (each becomes U+FFFD); go_compatible_text() makes
//   nlohmann see the same thing.
// - Every object is read key by key, failing at the first duplicated key, unknown key, or value
//   of the wrong JSON type. JSON null in a string field is the empty string, and in a list or
//   key-data field "present but nil"; the rules below treat it as containers/image does.
// - A requirement's (and a signedIdentity's) "type" is read first, from the whole object, with
//   Go's case-insensitive field matching; an unknown type is reported before any other problem of
//   that object. Then its fields, in order; then the identity; then the combinations.
// - The scopes of known transports are validated (ValidatePolicyConfigurationScope); scopes of
//   transports containers/image does not know are accepted as they are.
// The messages use containers/image's wording, prefixed with where the problem is.

const char* requirement_type_name(PolicyRequirementType t) {
  switch (t) {
    case PolicyRequirementType::InsecureAcceptAnything: return "insecureAcceptAnything";
    case PolicyRequirementType::Reject: return "reject";
    case PolicyRequirementType::SignedBy: return "signedBy";
    case PolicyRequirementType::SigstoreSigned: return "sigstoreSigned";
    case PolicyRequirementType::SignedBaseLayer: return "signedBaseLayer";
  }
  return "?";
}

const char* identity_type_name(PolicyIdentityType t) {
  switch (t) {
    case PolicyIdentityType::MatchExact: return "matchExact";
    case PolicyIdentityType::MatchRepoDigestOrExact: return "matchRepoDigestOrExact";
    case PolicyIdentityType::MatchRepository: return "matchRepository";
    case PolicyIdentityType::ExactReference: return "exactReference";
    case PolicyIdentityType::ExactRepository: return "exactRepository";
    case PolicyIdentityType::RemapIdentity: return "remapIdentity";
  }
  return "?";
}

// A string as JSON would quote it, for messages.
std::string policy_internal::quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}


PolicyResult parse_policy(std::string_view bytes) {
  PolicyResult result;
  if (bytes.size() > kPolicyMaxBytes) {
    result.error = "policy is " + std::to_string(bytes.size()) + " bytes, over the " +
                   std::to_string(kPolicyMaxBytes >> 20) + " MiB limit";
    return result;
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {  // nlohmann skips a BOM; Go's decoder refuses it
    result.error = "not JSON: invalid character (byte order mark) looking for beginning of value";
    return result;
  }
  std::optional<std::string> rewritten = go_compatible_text(bytes);
  std::string_view text = rewritten ? std::string_view(*rewritten) : bytes;
  PolicySax sax(result.policy);
  nlohmann::json::sax_parse(text.begin(), text.end(), &sax, nlohmann::json::input_format_t::json, true, false);
  result.error = sax.error();
  result.ok = result.error.empty();
  if (!result.ok) result.policy = Policy{};
  return result;
}


}  // namespace imagelint
