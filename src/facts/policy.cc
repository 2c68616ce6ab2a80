// The policy model: the type names, and parse_policy with the SAX handler that builds the model.
#include "facts/policy.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "facts/policy_internal.h"

namespace imagelint {

using policy_internal::quote;
using policy_internal::scope_problem;
using policy_internal::valid_remap_prefix;

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

namespace {

constexpr const char* kEmptyList = "List of verification policy requirements must not be empty";
constexpr size_t kNone = std::numeric_limits<size_t>::max();

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// ---------------------------------------------------------------------------------------------
// Input as Go sees it.

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a `\uXXXX` escape starting at s[i], or -1.
int u4(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = hex_value(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// Length of the valid UTF-8 sequence at s[i] (as Go's utf8.DecodeRune accepts it), or 0.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

// Inside strings, rewrites what Go's decoder turns into U+FFFD (invalid UTF-8 bytes, one each;
// lone surrogate escapes) so that nlohmann, which refuses both, accepts the same files. Returns
// nullopt when nothing needs rewriting (the common case: no copy). Outside strings nothing is
// touched: there such bytes are syntax errors for both.
std::optional<std::string> go_compatible_text(std::string_view in) {
  std::string out;
  bool changed = false;
  size_t copied = 0;
  auto replace = [&](size_t at, size_t len, std::string_view with) {
    if (!changed) out.reserve(in.size() + 64), changed = true;
    out.append(in.substr(copied, at - copied));
    out.append(with);
    copied = at + len;
  };
  bool in_string = false;
  for (size_t i = 0; i < in.size();) {
    char c = in[i];
    if (!in_string) {
      in_string = c == '"';
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = false;
      ++i;
    } else if (c == '\\') {
      int cu = u4(in, i);
      if (cu >= 0xD800 && cu <= 0xDBFF) {
        int next = u4(in, i + 6);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          i += 12;
        } else {
          replace(i, 6, "\\ufffd");
          i += 6;
        }
      } else if (cu >= 0xDC00 && cu <= 0xDFFF) {
        replace(i, 6, "\\ufffd");
        i += 6;
      } else {
        i += i + 1 < in.size() ? 2 : 1;  // any other escape: its validity is the parser's business
      }
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      size_t n = utf8_length(in, i);
      if (n == 0) {
        replace(i, 1, "\xEF\xBF\xBD");
        n = 1;
      }
      i += n;
    } else {
      ++i;
    }
  }
  if (!changed) return std::nullopt;
  out.append(in.substr(copied));
  return out;
}

// Go's base64.StdEncoding, as encoding/json decodes a []byte: padded, standard alphabet, \r and
// \n ignored anywhere, bits after the last full byte not checked.
bool is_std_base64(std::string_view s) {
  size_t m = 0;
  for (char c : s) m += c != '\r' && c != '\n';
  if (m % 4 != 0) return false;
  size_t pos = 0;
  bool padding = false;
  for (char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      if (pos + 2 < m) return false;  // only the last two characters may be padding
      padding = true;
    } else {
      if (padding) return false;
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
      if (!ok) return false;
    }
    ++pos;
  }
  return true;
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

uint32_t allowed_fields(PolicyRequirementType t) {
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

std::optional<PolicyRequirementType> requirement_type(std::string_view s) {
  for (auto t : {PolicyRequirementType::InsecureAcceptAnything, PolicyRequirementType::Reject,
                 PolicyRequirementType::SignedBy, PolicyRequirementType::SigstoreSigned,
                 PolicyRequirementType::SignedBaseLayer})
    if (s == requirement_type_name(t)) return t;
  return std::nullopt;
}

std::optional<PolicyIdentityType> identity_type(std::string_view s) {
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

uint32_t identity_fields(PolicyIdentityType t) {  // exactly these, each required
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

const char* tok_name(Tok t) {
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
  void requirement_value(Tok t, std::string* s);
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

bool PolicySax::key(std::string& k) {
  if (failed() || skip_) return true;
  switch (top()) {
    case In::Root:
      if ((k == "default" && seen_default_) || (k == "transports" && seen_transports_)) {
        fail("Duplicate key " + quote(k));
      } else if (k == "default") {
        seen_default_ = true;
      } else if (k == "transports") {
        seen_transports_ = true;
      } else {
        fail("Unknown key " + quote(k));
      }
      root_key_ = k;
      break;
    case In::Transports:
      if (policy_.transports.count(k)) {
        fail("transports: Duplicate key " + quote(k));
        break;
      }
      transport_ = k;
      scopes_ = &policy_.transports[k];
      break;
    case In::Scopes:
      if (scopes_->count(k)) {
        fail("transports[" + quote(transport_) + "]: Duplicate key " + quote(k));
      } else if (std::string why = scope_problem(transport_, k); !why.empty()) {
        fail("transports[" + quote(transport_) + "]: invalid scope " + quote(k) + ": " + why);
      }
      scope_key_ = k;
      break;
    case In::Requirement: {
      req_key_index_ = req_.nkeys++;
      req_type_key_ = iequals(k, "type");
      req_field_ = RF::Unknown;
      for (auto& [name, f] : kReqFields)
        if (k == name) req_field_ = f;
      if (req_field_ == RF::Unknown) {
        req_.fields.set(req_key_index_, "Unknown key " + quote(k));
      } else if (req_.present & bit(req_field_)) {
        req_.fields.set(req_key_index_, "Duplicate key " + quote(k));
      } else {
        req_.present |= bit(req_field_);
        req_.order.emplace_back(req_field_, req_key_index_);
      }
      break;
    }
    case In::Identity: {
      ident_key_index_ = ident_.nkeys++;
      ident_type_key_ = iequals(k, "type");
      ident_field_ = IF::Unknown;
      for (auto& [name, f] : kIdentityFields)
        if (k == name) ident_field_ = f;
      if (ident_field_ == IF::Unknown) {
        ident_.fields.set(ident_key_index_, "Unknown key " + quote(k));
      } else if (ident_.present & bit(ident_field_)) {
        ident_.fields.set(ident_key_index_, "Duplicate key " + quote(k));
      } else {
        ident_.present |= bit(ident_field_);
        ident_.order.emplace_back(ident_field_, ident_key_index_);
      }
      break;
    }
    case In::Fulcio:
    case In::Pki: {
      size_t index = sub_.nkeys++;
      static const char* const kFulcio[] = {"caPath", "caData", "oidcIssuer", "subjectEmail"};
      static const char* const kPki[] = {"caRootsPath",         "caRootsData",  "caIntermediatesPath",
                                         "caIntermediatesData", "subjectEmail", "subjectHostname"};
      bool known = false;
      if (top() == In::Fulcio) {
        for (const char* n : kFulcio) known |= k == n;
      } else {
        for (const char* n : kPki) known |= k == n;
      }
      if (std::find(sub_.seen.begin(), sub_.seen.end(), k) != sub_.seen.end()) {
        sub_.fields.set(index, "Duplicate key " + quote(k));
      } else if (!known) {
        sub_.fields.set(index, "Unknown key " + quote(k));
      } else {
        sub_.seen.push_back(k);
      }
      sub_.key = known ? k : "";
      break;
    }
    default: break;
  }
  return true;
}

void PolicySax::begin_list(PolicyRequirements* target, bool is_default) {
  list_ = target;
  in_default_ = is_default;
  push(In::List);
}

bool PolicySax::value(Tok t, std::string* s) {
  if (failed()) return true;
  if (skip_) {
    if (t == Tok::Object || t == Tok::Array) ++skip_;
    return true;
  }
  switch (top()) {
    case In::Document:
      if (t == Tok::Object) {
        push(In::Root);
      } else {
        fail("JSON object expected, got " + std::string(tok_name(t)));
      }
      break;
    case In::Root:
      if (root_key_ == "default") {
        if (t == Tok::Array) {
          begin_list(&policy_.default_reqs, true);
        } else if (t == Tok::Null) {
          fail(std::string("default: ") + kEmptyList);
        } else {
          fail("default: expected an array of requirements, got " + std::string(tok_name(t)));
        }
      } else if (t == Tok::Object) {
        push(In::Transports);
      } else {
        fail("transports: JSON object expected, got " + std::string(tok_name(t)));
      }
      break;
    case In::Transports:
      if (t == Tok::Object) {
        push(In::Scopes);
      } else {
        fail("transports[" + quote(transport_) + "]: JSON object expected, got " + tok_name(t));
      }
      break;
    case In::Scopes:
      if (t == Tok::Array) {
        begin_list(&(*scopes_)[scope_key_], false);
      } else {
        in_default_ = false;
        fail(list_location() + ": " +
             (t == Tok::Null ? kEmptyList : "expected an array of requirements, got " + std::string(tok_name(t))));
      }
      break;
    case In::List: {
      if (t == Tok::Object) {
        req_ = Req{};
        push(In::Requirement);
      } else if (t == Tok::Null) {
        fail(requirement_location() + ": Unknown policy requirement type \"\"");
      } else {
        fail(requirement_location() + ": JSON object expected, got " + tok_name(t));
      }
      break;
    }
    case In::Requirement: requirement_value(t, s); break;
    case In::Identity: identity_value(t, s); break;
    case In::Fulcio:
    case In::Pki: sub_value(t, s); break;
    case In::Strings: strings_value(t, s); break;
  }
  return true;
}

void PolicySax::requirement_value(Tok t, std::string* s) {
  Req& r = req_;
  size_t at = req_key_index_;
  if (req_type_key_) {
    // Go's first pass (json.Unmarshal into {Type string}) sees every key equal to "type" when
    // case is ignored; the last one wins, null leaves it alone, anything else fails.
    if (t == Tok::String) {
      r.type = *s;
    } else if (t != Tok::Null && r.type_error.empty()) {
      r.type_error = "type: expected a string, got " + std::string(tok_name(t));
    }
  }
  auto mistyped = [&](const char* want) {
    r.fields.set(at, std::string(requirement_field_name()) + ": expected " + want + ", got " + tok_name(t));
    skip_container(t);
  };
  switch (req_field_) {
    case RF::Unknown:
    case RF::Type:
      if (req_field_ == RF::Type && t != Tok::String && t != Tok::Null) r.fields.set(at, "type: expected a string");
      skip_container(t);
      return;
    case RF::KeyType:
      if (t == Tok::String || t == Tok::Null) {
        r.key_type = s ? *s : "";
        const std::string& v = r.key_type;
        if (v != "GPGKeys" && v != "signedByGPGKeys" && v != "X509Certificates" && v != "signedByX509CAs")
          r.fields.set(at, "Unrecognized keyType value " + quote(v));
      } else {
        mistyped("a string");
      }
      return;
    case RF::KeyPath:
    case RF::RekorPath:
      if (t == Tok::String || t == Tok::Null) {
        (req_field_ == RF::KeyPath ? r.key_path : r.rekor_path) = s ? std::move(*s) : "";
      } else {
        mistyped("a string");
      }
      return;
    case RF::KeyData:
    case RF::RekorData:
      if (t == Tok::Null) {
        r.null |= bit(req_field_);
      } else if (t == Tok::String) {
        if (!is_std_base64(*s)) r.fields.set(at, std::string(requirement_field_name()) + ": illegal base64 data");
        (req_field_ == RF::KeyData ? r.key_data : r.rekor_data) = std::move(*s);
      } else {
        mistyped("a base64 string");
      }
      return;
    case RF::KeyPaths:
    case RF::KeyDatas:
    case RF::RekorPaths:
    case RF::RekorDatas:
      if (t == Tok::Null) {
        r.null |= bit(req_field_);
      } else if (t == Tok::Array) {
        strings_field_ = req_field_;
        push(In::Strings);
      } else {
        mistyped("an array of strings");
      }
      return;
    case RF::Fulcio:
    case RF::Pki:
      if (t == Tok::Object) {
        sub_ = Sub{};
        sub_.fulcio = req_field_ == RF::Fulcio;
        sub_.key_index = at;
        push(req_field_ == RF::Fulcio ? In::Fulcio : In::Pki);
      } else {
        r.fields.set(at, std::string(requirement_field_name()) + ": JSON object expected, got " + tok_name(t));
        skip_container(t);
      }
      return;
    case RF::SignedIdentity:
    case RF::BaseLayerIdentity: {
      // Kept raw by containers/image and decoded after the fields: its problems come later.
      std::string& err = req_field_ == RF::SignedIdentity ? r.identity_error : r.base_identity_error;
      if (t == Tok::Object) {
        ident_ = Ident{};
        ident_.base = req_field_ == RF::BaseLayerIdentity;
        push(In::Identity);
      } else if (t == Tok::Null) {
        err = std::string(requirement_field_name()) + ": Unknown policy reference match type \"\"";
      } else {
        err = std::string(requirement_field_name()) + ": JSON object expected, got " + tok_name(t);
        skip_container(t);
      }
      return;
    }
  }
}

void PolicySax::identity_value(Tok t, std::string* s) {
  Ident& id = ident_;
  size_t at = ident_key_index_;
  if (ident_type_key_) {
    if (t == Tok::String) {
      id.type = *s;
    } else if (t != Tok::Null && id.type_error.empty()) {
      id.type_error = "type: expected a string, got " + std::string(tok_name(t));
    }
  }
  if (ident_field_ == IF::Unknown || ident_field_ == IF::Type) {
    skip_container(t);
    return;
  }
  if (t != Tok::String && t != Tok::Null) {
    for (auto& [name, f] : kIdentityFields)
      if (f == ident_field_) id.fields.set(at, std::string(name) + ": expected a string, got " + tok_name(t));
    skip_container(t);
    return;
  }
  std::string v = s ? std::move(*s) : "";
  switch (ident_field_) {
    case IF::DockerReference: id.docker_reference = std::move(v); break;
    case IF::DockerRepository: id.docker_repository = std::move(v); break;
    case IF::Prefix: id.prefix = std::move(v); break;
    case IF::SignedPrefix: id.signed_prefix = std::move(v); break;
    default: break;
  }
}

void PolicySax::sub_value(Tok t, std::string* s) {
  Sub& sub = sub_;
  size_t at = sub.nkeys - 1;
  if (sub.key.empty()) {  // unknown or duplicated: already an error
    skip_container(t);
    return;
  }
  if (t != Tok::String && t != Tok::Null) {
    sub.fields.set(at, sub.key + ": expected a string, got " + tok_name(t));
    skip_container(t);
    return;
  }
  const std::string& k = sub.key;
  bool is_data = k == "caData" || k == "caRootsData" || k == "caIntermediatesData";
  if (is_data && t == Tok::String && !is_std_base64(*s)) sub.fields.set(at, k + ": illegal base64 data");
  std::string v = s ? std::move(*s) : "";
  if (top() == In::Fulcio) {
    PolicyFulcio& f = req_.fulcio;
    if (k == "caPath") f.ca_path = std::move(v);
    if (k == "caData" && t == Tok::String) f.ca_data = std::move(v);
    if (k == "oidcIssuer") f.oidc_issuer = std::move(v);
    if (k == "subjectEmail") f.subject_email = std::move(v);
  } else {
    PolicyPki& p = req_.pki;
    if (k == "caRootsPath") p.ca_roots_path = std::move(v);
    if (k == "caRootsData" && t == Tok::String) p.ca_roots_data = std::move(v);
    if (k == "caIntermediatesPath") p.ca_intermediates_path = std::move(v);
    if (k == "caIntermediatesData" && t == Tok::String) p.ca_intermediates_data = std::move(v);
    if (k == "subjectEmail") p.subject_email = std::move(v);
    if (k == "subjectHostname") p.subject_hostname = std::move(v);
  }
}

void PolicySax::strings_value(Tok t, std::string* s) {
  Req& r = req_;
  size_t at = req_key_index_;
  const char* name = requirement_field_name();
  bool data = strings_field_ == RF::KeyDatas || strings_field_ == RF::RekorDatas;
  std::vector<std::string>& out = strings_field_ == RF::KeyPaths     ? r.key_paths
                                  : strings_field_ == RF::KeyDatas   ? r.key_datas
                                  : strings_field_ == RF::RekorPaths ? r.rekor_paths
                                                                     : r.rekor_datas;
  if (t == Tok::String) {
    if (data && !is_std_base64(*s)) r.fields.set(at, std::string(name) + ": illegal base64 data");
    out.push_back(std::move(*s));
  } else if (t == Tok::Null) {
    out.emplace_back();  // Go leaves the element at its zero value
  } else {
    r.fields.set(at, std::string(name) + ": expected an array of strings, got an element that is " + tok_name(t));
    skip_container(t);
  }
}

bool PolicySax::end() {
  if (failed()) return true;
  if (skip_) {
    --skip_;
    return true;
  }
  In done = top();
  stack_.pop_back();
  switch (done) {
    case In::Root:
      if (!seen_default_) fail("Default policy is missing");
      break;
    case In::List:
      if (list_->empty()) fail(list_location() + ": " + kEmptyList);
      break;
    case In::Requirement: finish_requirement(); break;
    case In::Identity: finish_identity(); break;
    case In::Fulcio:
    case In::Pki: finish_sub(); break;
    default: break;
  }
  return true;
}

void PolicySax::finish_identity() {
  Ident& id = ident_;
  std::string& out_error = id.base ? req_.base_identity_error : req_.identity_error;
  const char* field = id.base ? "baseLayerIdentity" : "signedIdentity";
  auto bad = [&](const std::string& m) { out_error = std::string(field) + ": " + m; };
  if (!id.type_error.empty()) return bad(id.type_error);
  auto type = identity_type(id.type);
  if (!type) return bad("Unknown policy reference match type " + quote(id.type));
  FirstError fields = id.fields;
  uint32_t want = identity_fields(*type);
  for (auto& [f, index] : id.order)
    if (!(want & bit(f)))
      for (auto& [name, g] : kIdentityFields)
        if (g == f && index <= fields.index) fields.index = index, fields.message = "Unknown key " + quote(name);
  if (!fields.empty()) return bad(fields.message);
  for (auto& [name, f] : kIdentityFields)
    if ((want & bit(f)) && !(id.present & bit(f))) return bad("Key " + quote(name) + " missing in a JSON object");
  PolicyIdentity& out = id.base ? req_.base_identity : req_.identity;
  out = PolicyIdentity{};
  out.type = *type;
  std::string why;
  switch (*type) {
    case PolicyIdentityType::ExactReference: {
      auto ref = parse_docker_reference(id.docker_reference, &why);
      if (!ref) return bad("Invalid format of dockerReference " + quote(id.docker_reference) + ": " + why);
      if (ref->tag.empty() && ref->digest.empty())
        return bad("dockerReference " + quote(id.docker_reference) + " contains neither a tag nor digest");
      out.docker_reference = id.docker_reference;
      break;
    }
    case PolicyIdentityType::ExactRepository:
      if (!parse_docker_reference(id.docker_repository, &why))
        return bad("Invalid format of dockerRepository " + quote(id.docker_repository) + ": " + why);
      out.docker_repository = id.docker_repository;
      break;
    case PolicyIdentityType::RemapIdentity:
      if (!valid_remap_prefix(id.prefix)) return bad("prefix " + quote(id.prefix) + " is not valid");
      if (!valid_remap_prefix(id.signed_prefix)) return bad("prefix " + quote(id.signed_prefix) + " is not valid");
      out.prefix = id.prefix;
      out.signed_prefix = id.signed_prefix;
      break;
    default: break;
  }
}

void PolicySax::finish_sub() {
  Sub& sub = sub_;
  bool fulcio = sub.fulcio;
  const char* name = fulcio ? "fulcio" : "pki";
  std::string why = sub.fields.message;
  if (sub.fields.empty() && fulcio) {
    const PolicyFulcio& f = req_.fulcio;
    if (!f.ca_path.empty() && f.ca_data) why = "caPath and caData cannot be used simultaneously";
    else if (f.ca_path.empty() && !f.ca_data) why = "At least one of caPath and caData must be specified";
    else if (f.oidc_issuer.empty()) why = "oidcIssuer not specified";
    else if (f.subject_email.empty()) why = "subjectEmail not specified";
  } else if (sub.fields.empty()) {
    const PolicyPki& p = req_.pki;
    if (!p.ca_roots_path.empty() && p.ca_roots_data) why = "caRootsPath and caRootsData cannot be used simultaneously";
    else if (p.ca_roots_path.empty() && !p.ca_roots_data)
      why = "At least one of caRootsPath and caRootsData must be specified";
    else if (!p.ca_intermediates_path.empty() && p.ca_intermediates_data)
      why = "caIntermediatesPath and caIntermediatesData cannot be used simultaneously";
    else if (p.subject_email.empty() && p.subject_hostname.empty())
      why = "At least one of subjectEmail, subjectHostname must be specified";
  }
  if (!why.empty()) req_.fields.set(sub.key_index, std::string(name) + ": " + why);
}

void PolicySax::finish_requirement() {
  Req& r = req_;
  auto bad = [&](const std::string& m) { fail(requirement_location() + ": " + m); };
  if (!r.type_error.empty()) return bad(r.type_error);
  auto type = requirement_type(r.type);
  if (!type) return bad("Unknown policy requirement type " + quote(r.type));

  // containers/image's strict pass over the fields of this type, in key order.
  FirstError fields = r.fields;
  uint32_t allowed = allowed_fields(*type);
  for (auto& [f, index] : r.order)
    if (!(allowed & bit(f)))
      for (auto& [name, g] : kReqFields)
        if (g == f && index <= fields.index) fields.index = index, fields.message = "Unknown key " + quote(name);
  if (!fields.empty()) return bad(fields.message);
  if (!(r.present & bit(RF::Type))) return bad("Key \"type\" missing in a JSON object");

  auto has = [&](RF f) { return (r.present & bit(f)) != 0; };
  auto nonnull = [&](RF f) { return has(f) && !(r.null & bit(f)); };
  PolicyRequirement out;
  out.type = *type;
  if (*type == PolicyRequirementType::InsecureAcceptAnything || *type == PolicyRequirementType::Reject) {
    list_->push_back(std::move(out));
    return;
  }
  auto sig = std::make_shared<PolicySignature>();
  if (*type == PolicyRequirementType::SignedBaseLayer) {
    if (!has(RF::BaseLayerIdentity)) return bad("Key \"baseLayerIdentity\" missing in a JSON object");
    if (!r.base_identity_error.empty()) return bad(r.base_identity_error);
    sig->identity = std::move(r.base_identity);
    out.signature = std::move(sig);
    list_->push_back(std::move(out));
    return;
  }
  if (has(RF::SignedIdentity) && !r.identity_error.empty()) return bad(r.identity_error);
  sig->identity = has(RF::SignedIdentity) ? std::move(r.identity) : PolicyIdentity{};

  if (*type == PolicyRequirementType::SignedBy) {
    int given = has(RF::KeyPath) + has(RF::KeyPaths) + has(RF::KeyData);
    if (given == 0) return bad("Exactly one of keyPath, keyPaths and keyData must be specified, none of them present");
    if (given > 1) return bad("Exactly one of keyPath, keyPaths and keyData must be specified, more than one present");
    const std::string& kt = r.key_type;
    if (kt != "GPGKeys" && kt != "signedByGPGKeys" && kt != "X509Certificates" && kt != "signedByX509CAs")
      return bad("invalid keyType " + quote(kt));
    // The value must be real: "" for keyPath, or null for keyPaths/keyData, is no key at all.
    if ((has(RF::KeyPath) && r.key_path.empty()) || (has(RF::KeyPaths) && !nonnull(RF::KeyPaths)) ||
        (has(RF::KeyData) && !nonnull(RF::KeyData)))
      return bad("exactly one of keyPath, keyPaths and keyData must be specified");
    sig->key_type = kt;
    if (has(RF::KeyPath)) sig->key_source = PolicyKeySource::Path, sig->keys = {std::move(r.key_path)};
    if (has(RF::KeyPaths)) sig->key_source = PolicyKeySource::Paths, sig->keys = std::move(r.key_paths);
    if (has(RF::KeyData)) sig->key_source = PolicyKeySource::Data, sig->keys = {std::move(r.key_data)};
  } else {  // sigstoreSigned
    auto nonempty_list = [&](RF f, const std::vector<std::string>& v, const char* name) -> bool {
      if (has(f) && v.empty()) {
        bad(quote(name) + " contains no entries");
        return false;
      }
      return true;
    };
    if (!nonempty_list(RF::KeyPaths, r.key_paths, "keyPaths") ||
        !nonempty_list(RF::KeyDatas, r.key_datas, "keyDatas") ||
        !nonempty_list(RF::RekorPaths, r.rekor_paths, "rekorPublicKeyPaths") ||
        !nonempty_list(RF::RekorDatas, r.rekor_datas, "rekorPublicKeyDatas"))
      return;
    bool key_path = !r.key_path.empty(), key_data = nonnull(RF::KeyData);
    int sources = key_path + has(RF::KeyPaths) + key_data + has(RF::KeyDatas) + has(RF::Fulcio) + has(RF::Pki);
    if (sources != 1)
      return bad("exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified");
    bool rekor_path = !r.rekor_path.empty(), rekor_data = nonnull(RF::RekorData);
    int rekor = rekor_path + has(RF::RekorPaths) + rekor_data + has(RF::RekorDatas);
    if (rekor > 1)
      return bad("at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas "
                 "can be used simultaneously");
    if (has(RF::Fulcio) && rekor == 0)
      return bad("At least one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas "
                 "must be specified if fulcio is used");
    if (key_path) sig->key_source = PolicyKeySource::Path, sig->keys = {std::move(r.key_path)};
    if (has(RF::KeyPaths)) sig->key_source = PolicyKeySource::Paths, sig->keys = std::move(r.key_paths);
    if (key_data) sig->key_source = PolicyKeySource::Data, sig->keys = {std::move(r.key_data)};
    if (has(RF::KeyDatas)) sig->key_source = PolicyKeySource::Datas, sig->keys = std::move(r.key_datas);
    if (has(RF::Fulcio))
      sig->key_source = PolicyKeySource::Fulcio, sig->fulcio = std::make_unique<PolicyFulcio>(std::move(r.fulcio));
    if (has(RF::Pki)) sig->key_source = PolicyKeySource::Pki, sig->pki = std::make_unique<PolicyPki>(std::move(r.pki));
    if (rekor_path) sig->rekor_source = PolicyKeySource::Path, sig->rekor_keys = {std::move(r.rekor_path)};
    if (has(RF::RekorPaths)) sig->rekor_source = PolicyKeySource::Paths, sig->rekor_keys = std::move(r.rekor_paths);
    if (rekor_data) sig->rekor_source = PolicyKeySource::Data, sig->rekor_keys = {std::move(r.rekor_data)};
    if (has(RF::RekorDatas)) sig->rekor_source = PolicyKeySource::Datas, sig->rekor_keys = std::move(r.rekor_datas);
  }
  out.signature = std::move(sig);
  list_->push_back(std::move(out));
}

}  // namespace

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
