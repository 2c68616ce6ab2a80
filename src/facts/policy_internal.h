// Internal to the policy fact: what the parser (policy.cc) and the scope code (policy_scope.cc) share.
#pragma once
#include <string>
#include <string_view>

namespace imagelint::policy_internal {

// A string as JSON would quote it, for messages (policy.cc).
std::string quote(std::string_view s);

// containers/image's ValidatePolicyConfigurationScope; "" when the scope is valid (policy_scope.cc).
std::string scope_problem(std::string_view transport, std::string_view scope);

// remapIdentity's prefix and signedPrefix: host[:port], or a name that starts with one (policy_scope.cc).
bool valid_remap_prefix(const std::string& s);

}  // namespace imagelint::policy_internal
