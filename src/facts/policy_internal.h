// Internal to the policy fact: what the parser (policy.cc, policy_sax.cc, policy_requirement.cc,
// policy_text.cc) and the scope code (policy_scope.cc) share: the SAX handler's declaration, the
// field tables and the helpers its parts use.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "facts/policy.h"

namespace imagelint::policy_internal {

// A string as JSON would quote it, for messages (policy.cc).
std::string quote(std::string_view s);

// containers/image's ValidatePolicyConfigurationScope; "" when the scope is valid (policy_scope.cc).
std::string scope_problem(std::string_view transport, std::string_view scope);

// remapIdentity's prefix and signedPrefix: host[:port], or a name that starts with one (policy_scope.cc).
bool valid_remap_prefix(const std::string& s);

// Input as Go sees it (policy_text.cc): the text rewritten so that nlohmann reads what Go's
// encoding/json reads (invalid UTF-8 and lone surrogate escapes become U+FFFD), or nullopt when
// it needs no change; and Go's standard base64 check for keyData values.
std::optional<std::string> go_compatible_text(std::string_view in);
bool is_std_base64(std::string_view s);

constexpr const char* kEmptyList = "List of verification policy requirements must not be empty";
constexpr size_t kNone = std::numeric_limits<size_t>::max();

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// ---------------------------------------------------------------------------------------------
// The streaming parser.

// Fields of a requirement object (the union over its types).
enum class RF : uint8_t {
  Type, KeyType, KeyPath, KeyPaths, KeyData, KeyDatas, Fulcio, Pki,
  RekorPath, RekorPaths, RekorData, RekorDatas, SignedIdentity, BaseLayerIdentity, Unknown
};
constexpr std::pair<const char*, RF> kReqFields[] = {
    {"type", RF::Type}, {"keyType", RF::KeyType}, {"keyPath", RF::KeyPath}, {"keyPaths", RF::KeyPaths},
    {"keyData", RF::KeyData}, {"keyDatas", RF::KeyDatas}, {"fulcio", RF::Fulcio}, {"pki", RF::Pki},
    {"rekorPublicKeyPath", RF::RekorPath}, {"rekorPublicKeyPaths", RF::RekorPaths},
    {"rekorPublicKeyData", RF::RekorData}, {"rekorPublicKeyDatas", RF::RekorDatas},
    {"signedIdentity", RF::SignedIdentity}, {"baseLayerIdentity", RF::BaseLayerIdentity}};
constexpr uint32_t bit(RF f) { return uint32_t{1} << static_cast<unsigned>(f); }

inline uint32_t allowed_fields(PolicyRequirementType t) {
  switch (t) {
    case PolicyRequirementType::InsecureAcceptAnything:
    case PolicyRequirementType::Reject: return bit(RF::Type);
    case PolicyRequirementType::SignedBy:
      return bit(RF::Type) | bit(RF::KeyType) | bit(RF::KeyPath) | bit(RF::KeyPaths) | bit(RF::KeyData) |
             bit(RF::SignedIdentity);
    case PolicyRequirementType::SigstoreSigned:
      return bit(RF::Type) | bit(RF::KeyPath) | bit(RF::KeyPaths) | bit(RF::KeyData) | bit(RF::KeyDatas) |
             bit(RF::Fulcio) | bit(RF::Pki) | bit(RF::RekorPath) | bit(RF::RekorPaths) | bit(RF::RekorData) |
             bit(RF::RekorDatas) | bit(RF::SignedIdentity);
    case PolicyRequirementType::SignedBaseLayer: return bit(RF::Type) | bit(RF::BaseLayerIdentity);
  }
  return 0;
}

inline std::optional<PolicyRequirementType> requirement_type(std::string_view s) {
  for (auto t : {PolicyRequirementType::InsecureAcceptAnything, PolicyRequirementType::Reject,
                 PolicyRequirementType::SignedBy, PolicyRequirementType::SigstoreSigned,
                 PolicyRequirementType::SignedBaseLayer})
    if (s == requirement_type_name(t)) return t;
  return std::nullopt;
}

inline std::optional<PolicyIdentityType> identity_type(std::string_view s) {
  for (auto t : {PolicyIdentityType::MatchExact, PolicyIdentityType::MatchRepoDigestOrExact,
                 PolicyIdentityType::MatchRepository, PolicyIdentityType::ExactReference,
                 PolicyIdentityType::ExactRepository, PolicyIdentityType::RemapIdentity})
    if (s == identity_type_name(t)) return t;
  return std::nullopt;
}

// Fields of an identity object.
enum class IF : uint8_t { Type, DockerReference, DockerRepository, Prefix, SignedPrefix, Unknown };
constexpr std::pair<const char*, IF> kIdentityFields[] = {{"type", IF::Type},
                                                          {"dockerReference", IF::DockerReference},
                                                          {"dockerRepository", IF::DockerRepository},
                                                          {"prefix", IF::Prefix},
                                                          {"signedPrefix", IF::SignedPrefix}};
constexpr uint32_t bit(IF f) { return uint32_t{1} << static_cast<unsigned>(f); }

inline uint32_t identity_fields(PolicyIdentityType t) {  // exactly these, each required
  switch (t) {
    case PolicyIdentityType::ExactReference: return bit(IF::Type) | bit(IF::DockerReference);
    case PolicyIdentityType::ExactRepository: return bit(IF::Type) | bit(IF::DockerRepository);
    case PolicyIdentityType::RemapIdentity: return bit(IF::Type) | bit(IF::Prefix) | bit(IF::SignedPrefix);
    default: return bit(IF::Type);
  }
}

// The first problem found among an object's fields, by the position of its key.
struct FirstError {
  size_t index = kNone;
  std::string message;
  void set(size_t i, std::string m) {
    if (i < index) index = i, message = std::move(m);
  }
  bool empty() const { return index == kNone; }
};

enum class Tok : uint8_t { Null, Bool, Number, String, Object, Array };

inline const char* tok_name(Tok t) {
  switch (t) {
    case Tok::Null: return "null";
    case Tok::Bool: return "a boolean";
    case Tok::Number: return "a number";
    case Tok::String: return "a string";
    case Tok::Object: return "an object";
    case Tok::Array: return "an array";
  }
  return "?";
}

class PolicySax {
 public:
  explicit PolicySax(Policy& policy) : policy_(policy) {}

  std::string error() const { return syntax_error_.empty() ? error_ : syntax_error_; }

  // --- nlohmann SAX interface ---
  bool null() { return value(Tok::Null, nullptr); }
  bool boolean(bool) { return value(Tok::Bool, nullptr); }
  bool number_integer(nlohmann::json::number_integer_t) { return value(Tok::Number, nullptr); }
  bool number_unsigned(nlohmann::json::number_unsigned_t) { return value(Tok::Number, nullptr); }
  bool number_float(nlohmann::json::number_float_t, const std::string&) { return value(Tok::Number, nullptr); }
  bool string(std::string& s) { return value(Tok::String, &s); }
  bool binary(nlohmann::json::binary_t&) { return value(Tok::Number, nullptr); }  // never for JSON text
  bool start_object(std::size_t) { return value(Tok::Object, nullptr); }
  bool start_array(std::size_t) { return value(Tok::Array, nullptr); }
  bool key(std::string& k);
  bool end_object() { return end(); }
  bool end_array() { return end(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    // Go checks the whole text before decoding anything: a syntax error wins over any other.
    std::string what = ex.what();
    if (size_t p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    syntax_error_ = "not JSON: " + what;
    return false;
  }

 private:
  enum class In : uint8_t { Document, Root, Transports, Scopes, List, Requirement, Identity, Fulcio, Pki, Strings };

  // The requirement being read, its fields as containers/image would hold them.
  struct Req {
    std::string type;      // from the last key that matches "type" case-insensitively (Go's first pass)
    std::string type_error;
    size_t nkeys = 0;
    uint32_t present = 0;  // fields seen
    uint32_t null = 0;     // fields whose value was JSON null
    std::vector<std::pair<RF, size_t>> order;  // known fields with the position of their key
    FirstError fields;
    std::string identity_error, base_identity_error;
    std::string key_type, key_path, key_data, rekor_path, rekor_data;
    std::vector<std::string> key_paths, key_datas, rekor_paths, rekor_datas;
    PolicyFulcio fulcio;
    PolicyPki pki;
    PolicyIdentity identity, base_identity;
  };
  // A signedIdentity / baseLayerIdentity being read.
  struct Ident {
    bool base = false;
    std::string type, type_error;
    size_t nkeys = 0;
    uint32_t present = 0;
    std::vector<std::pair<IF, size_t>> order;
    FirstError fields;
    std::string docker_reference, docker_repository, prefix, signed_prefix;
  };
  // A fulcio / pki object being read; its values go straight into req_.fulcio / req_.pki.
  struct Sub {
    bool fulcio = false;
    size_t key_index = 0;  // position of "fulcio"/"pki" in the requirement
    std::vector<std::string> seen;
    FirstError fields;
    size_t nkeys = 0;
    std::string key;
  };

  bool failed() const { return !error_.empty(); }
  // The JSON name of the requirement field whose value is being read.
  const char* requirement_field_name() const {
    RF f = top() == In::Strings ? strings_field_ : req_field_;
    for (auto& [name, g] : kReqFields)
      if (g == f) return name;
    return "?";
  }
  void fail(std::string m) {
    if (error_.empty()) error_ = std::move(m);
  }
  In top() const { return stack_.back(); }
  void push(In in) { stack_.push_back(in); }

  // A container value nobody reads: consumed and dropped.
  void skip_container(Tok t) {
    if (t == Tok::Object || t == Tok::Array) skip_ = 1;
  }

  bool value(Tok t, std::string* s);
  bool end();
  void requirement_key(const std::string& k);  // the requirement field k names, or its problem
  void identity_key(const std::string& k);     // the identity field k names, or its problem
  void sub_key(const std::string& k);          // the fulcio / pki field k names, or its problem
  void requirement_value(Tok t, std::string* s);
  void requirement_type_value(Tok t, const std::string* s);  // a value under a key like "type" (Go's first pass)
  void requirement_sub_value(Tok t);       // the value of fulcio or pki
  void requirement_identity_value(Tok t);  // the value of signedIdentity or baseLayerIdentity
  void identity_value(Tok t, std::string* s);
  void sub_value(Tok t, std::string* s);
  void strings_value(Tok t, std::string* s);
  void begin_list(PolicyRequirements* target, bool is_default);
  // Where the current list is, or its next requirement: built only for a message.
  std::string list_location() const {
    return in_default_ ? std::string("default")
                       : "transports[" + quote(transport_) + "][" + quote(scope_key_) + "]";
  }
  std::string requirement_location() const { return list_location() + "[" + std::to_string(list_->size()) + "]"; }
  void finish_requirement();
  std::string requirement_fields_problem(PolicyRequirementType type) const;  // the strict pass over its fields
  std::string take_signed_by_keys(PolicySignature& sig);  // signedBy's keys, or the problem
  std::string take_sigstore_keys(PolicySignature& sig);   // sigstoreSigned's keys, or the problem
  // Whether the requirement has field f, and has it with a value other than null.
  bool req_has(RF f) const { return (req_.present & bit(f)) != 0; }
  bool req_nonnull(RF f) const { return req_has(f) && !(req_.null & bit(f)); }
  void finish_identity();
  void finish_sub();

  Policy& policy_;
  std::string error_, syntax_error_;
  std::vector<In> stack_{In::Document};
  size_t skip_ = 0;  // depth inside a dropped value

  // Root
  bool seen_default_ = false, seen_transports_ = false;
  std::string root_key_;
  // Transports / Scopes / List
  std::string transport_;
  PolicyScopes* scopes_ = nullptr;
  std::string scope_key_;
  PolicyRequirements* list_ = nullptr;
  bool in_default_ = false;
  // Requirement and what nests in it
  Req req_;
  RF req_field_ = RF::Unknown;
  bool req_type_key_ = false;  // the current key matches "type" case-insensitively
  size_t req_key_index_ = 0;
  Ident ident_;
  IF ident_field_ = IF::Unknown;
  bool ident_type_key_ = false;
  size_t ident_key_index_ = 0;
  Sub sub_;
  RF strings_field_ = RF::Unknown;
};


}  // namespace imagelint::policy_internal
