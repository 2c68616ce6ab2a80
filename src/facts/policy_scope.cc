// Docker references, scope validation per transport, and the lookup (match_policy, requirements_for).
#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

#include "facts/policy.h"
#include "facts/policy_internal.h"

namespace imagelint {

using policy_internal::quote;

namespace {

// ---------------------------------------------------------------------------------------------
// Docker references (containers/image docker/reference: regexp.go, normalize.go, reference.go).

struct ReferencePatterns {
  RE2 reference;      // name[:tag][@digest], capturing the three
  RE2 domain;         // host[:port]
  RE2 name;           // [host[:port]/]path
  RE2 domain_prefix;  // host[:port]/anything
  RE2 identifier;     // a 64-hex image ID
  RE2 digest_hex;

  ReferencePatterns() : ReferencePatterns(Grammar()) {}

 private:
  struct Grammar {
    std::string domain, name, reference;
    Grammar() {
      const std::string alnum = "[a-z0-9]+";
      const std::string separator = "(?:[._]|__|[-]+)";
      const std::string path_component = alnum + "(?:" + separator + alnum + ")*";
      const std::string domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
      const std::string domain_name = domain_component + "(?:\\." + domain_component + ")*";
      const std::string host = "(?:" + domain_name + "|\\[(?:[a-fA-F0-9:]+)\\])";
      const std::string tag = "[\\w][\\w.-]{0,127}";
      const std::string digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";
      domain = host + "(?::[0-9]+)?";
      name = "(?:" + domain + "/)?" + path_component + "(?:/" + path_component + ")*";
      reference = "(" + name + ")(?::(" + tag + "))?(?:@(" + digest + "))?";
    }
  };
  explicit ReferencePatterns(const Grammar& g)
      : reference(g.reference, RE2::Quiet),
        domain(g.domain, RE2::Quiet),
        name(g.name, RE2::Quiet),
        domain_prefix(g.domain + "/.*", RE2::Quiet),
        identifier("[a-f0-9]{64}", RE2::Quiet),
        digest_hex("[a-f0-9]+", RE2::Quiet) {}
};

const ReferencePatterns& patterns() {
  static const ReferencePatterns p;
  return p;
}

// go-digest's Digest.Validate for the algorithms a Go binary of containers/image knows.
bool valid_digest(std::string_view d, std::string* error) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == d.size()) {
    if (error) *error = "invalid checksum digest format";
    return false;
  }
  std::string_view alg = d.substr(0, colon), hex = d.substr(colon + 1);
  size_t want = alg == "sha256" ? 64 : alg == "sha384" ? 96 : alg == "sha512" ? 128 : 0;
  if (want == 0) {
    if (error) *error = "unsupported digest algorithm";
    return false;
  }
  if (hex.size() != want || !RE2::FullMatch(hex, patterns().digest_hex)) {
    if (error) *error = "invalid checksum digest format";
    return false;
  }
  return true;
}

// Validity of an absolute, canonical path scope (dir, oci, oci-archive, sif), as Go's
// filepath.Clean(scope) == scope plus containers/image's refusal of "/".
std::string path_scope_problem(std::string_view scope) {
  if (scope.empty() || scope[0] != '/') return "must be an absolute path";
  if (scope == "/") return "use the generic default scope \"\" instead of \"/\"";
  size_t i = 1;
  while (true) {
    size_t slash = scope.find('/', i);
    std::string_view part = scope.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
    if (part.empty() || part == "." || part == "..") return "uses non-canonical path format";
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  return "";
}

}  // namespace

// containers/image's ValidatePolicyConfigurationScope of each transport it registers; "" when
// the scope is valid (or the transport unknown: then any scope is kept, as containers/image does).
std::string policy_internal::scope_problem(std::string_view transport, std::string_view scope) {
  if (scope.empty()) return "";
  if (transport == "dir" || transport == "oci" || transport == "oci-archive" || transport == "sif")
    return path_scope_problem(scope);
  if (transport == "docker-archive" || transport == "tarball")
    return "does not support any scopes except the default \"\" one";
  if (transport == "docker-daemon") {
    if (valid_digest(scope, nullptr)) return "can not use algo:digest value as a namespace";
    return "";
  }
  if (transport == "containers-storage") {
    // [driver@graphroot] or [graphroot], then optionally name[:tag][@digest-or-ID][@ID].
    if (scope[0] != '[') return "must start with a [storage-specifier]";
    size_t close = scope.find(']');
    if (close == std::string_view::npos || close < 1) return "invalid storage specifier";
    std::string_view spec = scope.substr(1, close - 1), rest = scope.substr(close + 1);
    size_t at = spec.find('@');
    if (at != std::string_view::npos) {
      std::string_view driver = spec.substr(0, at), root = spec.substr(at + 1);
      if (driver.empty() || root.empty()) return "invalid storage specifier";
      if (root[0] != '/') return "the graph root must be an absolute path";
    } else {
      if (spec.empty()) return "invalid storage specifier";
      if (spec[0] != '/') return "the graph root must be an absolute path";
    }
    if (rest.empty()) return "";
    auto is_id = [](std::string_view s) { return RE2::FullMatch(s, patterns().identifier); };
    std::vector<std::string_view> fields;  // strings.SplitN(rest, "@", 3)
    size_t start = 0;
    for (size_t a; fields.size() < 2 && (a = rest.find('@', start)) != std::string_view::npos; start = a + 1)
      fields.push_back(rest.substr(start, a - start));
    fields.push_back(rest.substr(start));
    if (fields.size() == 2) {
      if (!is_id(fields[1]) && !valid_digest(fields[1], nullptr))
        return "neither a valid digest nor a valid ID after @";
    } else if (fields.size() == 3) {
      if (!valid_digest(fields[1], nullptr)) return "invalid digest after @";
      if (!is_id(fields[2])) return "invalid image ID after the second @";
    }
    return "";
  }
  return "";  // docker, atomic and transports containers/image does not know: anything goes
}

// remapIdentity's prefix and signedPrefix: host[:port], or a name that starts with one.
bool policy_internal::valid_remap_prefix(const std::string& s) {
  const auto& p = patterns();
  return RE2::FullMatch(s, p.domain) || (RE2::FullMatch(s, p.name) && RE2::FullMatch(s, p.domain_prefix));
}

std::optional<DockerReference> parse_docker_reference(std::string_view text, std::string* error) {
  auto refuse = [&](std::string m) -> std::optional<DockerReference> {
    if (error) *error = std::move(m);
    return std::nullopt;
  };
  const auto& p = patterns();
  std::string s(text);
  if (RE2::FullMatch(s, p.identifier))
    return refuse("invalid repository name (" + s + "), cannot specify 64-byte hexadecimal strings");
  // The first component is a registry when it looks like one (a dot, a port, localhost, or
  // upper case); otherwise it is docker.io, and a single-component name is an official image.
  std::string domain = "docker.io", remainder = s;
  size_t slash = s.find('/');
  if (slash != std::string::npos) {
    std::string first = s.substr(0, slash);
    bool lower = std::none_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (first.find_first_of(".:") != std::string::npos || first == "localhost" || !lower)
      domain = first, remainder = s.substr(slash + 1);
  }
  if (domain == "index.docker.io") domain = "docker.io";
  if (domain == "docker.io" && remainder.find('/') == std::string::npos) remainder = "library/" + remainder;
  std::string remote = remainder.substr(0, remainder.find(':'));
  if (std::any_of(remote.begin(), remote.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return refuse("invalid reference format: repository name must be lowercase");
  std::string full = domain + "/" + remainder;
  DockerReference ref;
  if (!RE2::FullMatch(full, p.reference, &ref.name, &ref.tag, &ref.digest)) return refuse("invalid reference format");
  if (ref.name.size() > 255) return refuse("repository name must not be more than 255 characters");
  std::string why;
  if (!ref.digest.empty() && !valid_digest(ref.digest, &why)) return refuse(why);
  return ref;
}

PolicyMatch match_policy(const Policy& policy, std::string_view transport, std::string_view reference) {
  PolicyMatch m;
  m.requirements = &policy.default_reqs;
  m.from_default = true;
  auto t = policy.transports.find(transport);
  if (t == policy.transports.end()) return m;
  const PolicyScopes& scopes = t->second;

  std::vector<std::string> candidates;  // the identity, then the namespaces, most specific first
  std::string_view ref = reference;
  bool docker = transport == "docker";
  if (transport == "docker-daemon") docker = !valid_digest(ref, nullptr);  // an image ID has identity ""
  if (docker) {
    if (ref.substr(0, 2) == "//") ref.remove_prefix(2);
    std::string why;
    auto parsed = parse_docker_reference(ref, &why);
    if (!parsed) throw std::invalid_argument("invalid docker reference " + quote(ref) + ": " + why);
    if (!parsed->tag.empty() && !parsed->digest.empty())
      throw std::invalid_argument("docker reference " + quote(ref) +
                                  " has both a tag and a digest, which containers/image does not support");
    if (parsed->tag.empty() && parsed->digest.empty()) parsed->tag = "latest";
    candidates.push_back(parsed->name + (parsed->digest.empty() ? ":" + parsed->tag : "@" + parsed->digest));
    std::string name = parsed->name;
    while (true) {
      candidates.push_back(name);
      size_t slash = name.rfind('/');
      if (slash == std::string::npos) break;
      name.resize(slash);
    }
    // name is now host[:port]; wildcards use the host without its port, longest first.
    if (size_t colon = name.find(':'); colon != std::string::npos) name.resize(colon);
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.')) {
      name.erase(0, dot + 1);
      candidates.push_back("*." + name);
    }
  } else if (transport != "docker-daemon") {
    candidates.emplace_back(ref);
  } else {
    candidates.emplace_back("");
  }
  candidates.emplace_back("");
  for (const auto& c : candidates) {
    if (auto it = scopes.find(c); it != scopes.end()) {
      m.requirements = &it->second;
      m.from_default = false;
      m.scope = c;
      return m;
    }
  }
  return m;
}

const PolicyRequirements& requirements_for(const Policy& policy, std::string_view transport,
                                           std::string_view reference, std::string* matched_scope) {
  PolicyMatch m = match_policy(policy, transport, reference);
  if (matched_scope)
    *matched_scope = m.from_default ? "default" : "transports[" + quote(transport) + "][" + quote(m.scope) + "]";
  return *m.requirements;
}

}  // namespace imagelint
