// policy_to_json: the parsed policy model in containers-policy.json(5) spelling, for inspect.
#include <nlohmann/json.hpp>

#include "facts/policy.h"

namespace imagelint {

namespace {

nlohmann::json identity_json(const PolicyIdentity& id) {
  nlohmann::json j = {{"type", identity_type_name(id.type)}};
  switch (id.type) {
    case PolicyIdentityType::ExactReference: j["dockerReference"] = id.docker_reference; break;
    case PolicyIdentityType::ExactRepository: j["dockerRepository"] = id.docker_repository; break;
    case PolicyIdentityType::RemapIdentity:
      j["prefix"] = id.prefix;
      j["signedPrefix"] = id.signed_prefix;
      break;
    default: break;
  }
  return j;
}

void put_keys(nlohmann::json& j, PolicyKeySource source, const std::vector<std::string>& keys, const char* path,
              const char* paths, const char* data, const char* datas) {
  auto one = [&] { return keys.empty() ? std::string() : keys.front(); };
  switch (source) {
    case PolicyKeySource::Path: j[path] = one(); break;
    case PolicyKeySource::Paths: j[paths] = keys; break;
    case PolicyKeySource::Data: j[data] = one(); break;
    case PolicyKeySource::Datas: j[datas] = keys; break;
    default: break;
  }
}

nlohmann::json requirement_json(const PolicyRequirement& r) {
  nlohmann::json j = {{"type", requirement_type_name(r.type)}};
  if (!r.signature) return j;
  const PolicySignature& s = *r.signature;
  if (r.type == PolicyRequirementType::SignedBaseLayer) {
    j["baseLayerIdentity"] = identity_json(s.identity);
    return j;
  }
  if (r.type == PolicyRequirementType::SignedBy) j["keyType"] = s.key_type;
  put_keys(j, s.key_source, s.keys, "keyPath", "keyPaths", "keyData", "keyDatas");
  if (s.fulcio) {
    nlohmann::json f = nlohmann::json::object();
    if (!s.fulcio->ca_path.empty()) f["caPath"] = s.fulcio->ca_path;
    if (s.fulcio->ca_data) f["caData"] = *s.fulcio->ca_data;
    f["oidcIssuer"] = s.fulcio->oidc_issuer;
    f["subjectEmail"] = s.fulcio->subject_email;
    j["fulcio"] = std::move(f);
  }
  if (s.pki) {
    nlohmann::json p = nlohmann::json::object();
    if (!s.pki->ca_roots_path.empty()) p["caRootsPath"] = s.pki->ca_roots_path;
    if (s.pki->ca_roots_data) p["caRootsData"] = *s.pki->ca_roots_data;
    if (!s.pki->ca_intermediates_path.empty()) p["caIntermediatesPath"] = s.pki->ca_intermediates_path;
    if (s.pki->ca_intermediates_data) p["caIntermediatesData"] = *s.pki->ca_intermediates_data;
    if (!s.pki->subject_email.empty()) p["subjectEmail"] = s.pki->subject_email;
    if (!s.pki->subject_hostname.empty()) p["subjectHostname"] = s.pki->subject_hostname;
    j["pki"] = std::move(p);
  }
  put_keys(j, s.rekor_source, s.rekor_keys, "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData",
           "rekorPublicKeyDatas");
  j["signedIdentity"] = identity_json(s.identity);
  return j;
}

nlohmann::json requirements_json(const PolicyRequirements& reqs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : reqs) a.push_back(requirement_json(r));
  return a;
}

}  // namespace

nlohmann::json policy_to_json(const PolicyResult& result) {
  if (!result.ok) return {{"error", result.error}};
  nlohmann::json j = {{"default", requirements_json(result.policy.default_reqs)}};
  nlohmann::json transports = nlohmann::json::object();
  for (const auto& [name, scopes] : result.policy.transports) {
    nlohmann::json s = nlohmann::json::object();
    for (const auto& [scope, reqs] : scopes) s[scope] = requirements_json(reqs);
    transports[name] = std::move(s);
  }
  j["transports"] = std::move(transports);
  return j;
}

}  // namespace imagelint
