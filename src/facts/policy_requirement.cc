// The SAX handler's requirements: each field of a requirement, its signedIdentity or
// baseLayerIdentity, fulcio and pki objects and string lists, then the checks containers/image
// makes once an object ends.
#include "facts/policy_internal.h"

namespace imagelint::policy_internal {

void PolicySax::requirement_value(Tok t, std::string* s) {
  Req& r = req_;
  size_t at = req_key_index_;
  if (req_type_key_) requirement_type_value(t, s);
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
      return requirement_sub_value(t);
    case RF::SignedIdentity:
    case RF::BaseLayerIdentity:
      return requirement_identity_value(t);
  }
}

// Go's first pass (json.Unmarshal into {Type string}) sees every key equal to "type" when
// case is ignored; the last one wins, null leaves it alone, anything else fails.
void PolicySax::requirement_type_value(Tok t, const std::string* s) {
  Req& r = req_;
  if (t == Tok::String) {
    r.type = *s;
  } else if (t != Tok::Null && r.type_error.empty()) {
    r.type_error = "type: expected a string, got " + std::string(tok_name(t));
  }
}

// The value of fulcio or pki: an object starts reading it, anything else is the field's problem.
void PolicySax::requirement_sub_value(Tok t) {
  Req& r = req_;
  size_t at = req_key_index_;
  if (t == Tok::Object) {
    sub_ = Sub{};
    sub_.fulcio = req_field_ == RF::Fulcio;
    sub_.key_index = at;
    push(req_field_ == RF::Fulcio ? In::Fulcio : In::Pki);
  } else {
    r.fields.set(at, std::string(requirement_field_name()) + ": JSON object expected, got " + tok_name(t));
    skip_container(t);
  }
}

// The value of signedIdentity or baseLayerIdentity: an object starts reading it, anything else
// is its problem, kept for later (containers/image keeps it raw and decodes it after the fields).
void PolicySax::requirement_identity_value(Tok t) {
  Req& r = req_;
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

// containers/image's strict pass over the fields of this type, in key order: the first
// problem, or "" when there is none.
std::string PolicySax::requirement_fields_problem(PolicyRequirementType type) const {
  const Req& r = req_;
  FirstError fields = r.fields;
  uint32_t allowed = allowed_fields(type);
  for (auto& [f, index] : r.order)
    if (!(allowed & bit(f)))
      for (auto& [name, g] : kReqFields)
        if (g == f && index <= fields.index) fields.index = index, fields.message = "Unknown key " + quote(name);
  if (!fields.empty()) return fields.message;
  if (!(r.present & bit(RF::Type))) return "Key \"type\" missing in a JSON object";
  return "";
}

// signedBy's key type and its one source of keys into sig, or the problem ("" when none).
std::string PolicySax::take_signed_by_keys(PolicySignature& sig) {
  Req& r = req_;
  int given = req_has(RF::KeyPath) + req_has(RF::KeyPaths) + req_has(RF::KeyData);
  if (given == 0) return "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present";
  if (given > 1) return "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present";
  const std::string& kt = r.key_type;
  if (kt != "GPGKeys" && kt != "signedByGPGKeys" && kt != "X509Certificates" && kt != "signedByX509CAs")
    return "invalid keyType " + quote(kt);
  // The value must be real: "" for keyPath, or null for keyPaths/keyData, is no key at all.
  if ((req_has(RF::KeyPath) && r.key_path.empty()) || (req_has(RF::KeyPaths) && !req_nonnull(RF::KeyPaths)) ||
      (req_has(RF::KeyData) && !req_nonnull(RF::KeyData)))
    return "exactly one of keyPath, keyPaths and keyData must be specified";
  sig.key_type = kt;
  if (req_has(RF::KeyPath)) sig.key_source = PolicyKeySource::Path, sig.keys = {std::move(r.key_path)};
  if (req_has(RF::KeyPaths)) sig.key_source = PolicyKeySource::Paths, sig.keys = std::move(r.key_paths);
  if (req_has(RF::KeyData)) sig.key_source = PolicyKeySource::Data, sig.keys = {std::move(r.key_data)};
  return "";
}

// sigstoreSigned's one source of keys and its Rekor keys into sig, or the problem ("" when none).
std::string PolicySax::take_sigstore_keys(PolicySignature& sig) {
  Req& r = req_;
  auto empty_list = [&](RF f, const std::vector<std::string>& v, const char* name) {
    return req_has(f) && v.empty() ? quote(name) + " contains no entries" : std::string();
  };
  for (const std::string& empty : {empty_list(RF::KeyPaths, r.key_paths, "keyPaths"),
                                   empty_list(RF::KeyDatas, r.key_datas, "keyDatas"),
                                   empty_list(RF::RekorPaths, r.rekor_paths, "rekorPublicKeyPaths"),
                                   empty_list(RF::RekorDatas, r.rekor_datas, "rekorPublicKeyDatas")})
    if (!empty.empty()) return empty;
  bool key_path = !r.key_path.empty(), key_data = req_nonnull(RF::KeyData);
  int sources = key_path + req_has(RF::KeyPaths) + key_data + req_has(RF::KeyDatas) + req_has(RF::Fulcio) + req_has(RF::Pki);
  if (sources != 1) return "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified";
  bool rekor_path = !r.rekor_path.empty(), rekor_data = req_nonnull(RF::RekorData);
  int rekor = rekor_path + req_has(RF::RekorPaths) + rekor_data + req_has(RF::RekorDatas);
  if (rekor > 1)
    return "at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas "
           "can be used simultaneously";
  if (req_has(RF::Fulcio) && rekor == 0)
    return "At least one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas "
           "must be specified if fulcio is used";
  if (key_path) sig.key_source = PolicyKeySource::Path, sig.keys = {std::move(r.key_path)};
  if (req_has(RF::KeyPaths)) sig.key_source = PolicyKeySource::Paths, sig.keys = std::move(r.key_paths);
  if (key_data) sig.key_source = PolicyKeySource::Data, sig.keys = {std::move(r.key_data)};
  if (req_has(RF::KeyDatas)) sig.key_source = PolicyKeySource::Datas, sig.keys = std::move(r.key_datas);
  if (req_has(RF::Fulcio))
    sig.key_source = PolicyKeySource::Fulcio, sig.fulcio = std::make_unique<PolicyFulcio>(std::move(r.fulcio));
  if (req_has(RF::Pki)) sig.key_source = PolicyKeySource::Pki, sig.pki = std::make_unique<PolicyPki>(std::move(r.pki));
  if (rekor_path) sig.rekor_source = PolicyKeySource::Path, sig.rekor_keys = {std::move(r.rekor_path)};
  if (req_has(RF::RekorPaths)) sig.rekor_source = PolicyKeySource::Paths, sig.rekor_keys = std::move(r.rekor_paths);
  if (rekor_data) sig.rekor_source = PolicyKeySource::Data, sig.rekor_keys = {std::move(r.rekor_data)};
  if (req_has(RF::RekorDatas)) sig.rekor_source = PolicyKeySource::Datas, sig.rekor_keys = std::move(r.rekor_datas);
  return "";
}

void PolicySax::finish_requirement() {
  Req& r = req_;
  auto bad = [&](const std::string& m) { fail(requirement_location() + ": " + m); };
  if (!r.type_error.empty()) return bad(r.type_error);
  auto type = requirement_type(r.type);
  if (!type) return bad("Unknown policy requirement type " + quote(r.type));
  if (std::string why = requirement_fields_problem(*type); !why.empty()) return bad(why);

  PolicyRequirement out;
  out.type = *type;
  if (*type == PolicyRequirementType::InsecureAcceptAnything || *type == PolicyRequirementType::Reject) {
    list_->push_back(std::move(out));
    return;
  }
  auto sig = std::make_shared<PolicySignature>();
  if (*type == PolicyRequirementType::SignedBaseLayer) {
    if (!req_has(RF::BaseLayerIdentity)) return bad("Key \"baseLayerIdentity\" missing in a JSON object");
    if (!r.base_identity_error.empty()) return bad(r.base_identity_error);
    sig->identity = std::move(r.base_identity);
    out.signature = std::move(sig);
    list_->push_back(std::move(out));
    return;
  }
  if (req_has(RF::SignedIdentity) && !r.identity_error.empty()) return bad(r.identity_error);
  sig->identity = req_has(RF::SignedIdentity) ? std::move(r.identity) : PolicyIdentity{};

  std::string why = *type == PolicyRequirementType::SignedBy ? take_signed_by_keys(*sig)
                                                             : take_sigstore_keys(*sig);  // sigstoreSigned
  if (!why.empty()) return bad(why);
  out.signature = std::move(sig);
  list_->push_back(std::move(out));
}


}  // namespace imagelint::policy_internal
