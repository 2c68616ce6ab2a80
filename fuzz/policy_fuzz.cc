// containers-policy.json (facts/policy.h): parse_policy over the bytes (SAX parser, requirement
// and identity validation), then what inspect and the rules do with a result: policy_to_json and
// the scope lookup (match_policy) for a few references of each transport.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "facts/policy.h"

using namespace imagelint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  PolicyResult r = parse_policy(in);
  // As inspect/check write it: error messages may quote the input's bytes, which need not be UTF-8
  // (fuzz/regressions/policy/: a strict dump() threw there).
  (void)policy_to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!r.ok) return 0;
  static const std::pair<const char*, const char*> refs[] = {
      {"docker", "quay.io/ns/repo:tag"},
      {"docker", "busybox"},
      {"docker", "registry.example.com:5000/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
      {"docker-daemon", "docker.io/library/fedora:40"},
      {"atomic", "registry.access.redhat.com/ubi9"},
      {"oci", "/var/lib/images/x:latest"},
  };
  for (auto [transport, ref] : refs) {
    try {
      PolicyMatch m = match_policy(r.policy, transport, ref);
      (void)m.requirements->size();
      std::string scope;
      (void)requirements_for(r.policy, transport, ref, &scope);
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
