// Test-only: what policy_test.cc and policy_lookup_test.cc share: the corpus policies, a refused
// policy's error, and a policy around one requirement.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "facts/policy.h"
#include "harness.h"

namespace imagelint::facts_policy_test_util {

// The shared corpus of real files (see ../shared/corpus/README.md).
inline std::string corpus_file(const std::string& rel) {
  std::string path = testing_util::source_dir() + "/../shared/corpus/" + rel;
  EXPECT_TRUE(std::filesystem::is_regular_file(path)) << path;
  return testing_util::read_file(path);
}

inline const char* const kCorpusPolicies[] = {
    "containers-image/signature/fixtures/policy.json",
    "containers-image/default-policy.json",
    "containers-skopeo/integration/fixtures/policy.json",
    "openela-containers-common/SOURCES/default-policy.json",
};

// The error of a policy that must be refused.
inline std::string error_of(std::string_view json) {
  PolicyResult r = parse_policy(json);
  EXPECT_FALSE(r.ok) << json;
  EXPECT_FALSE(r.error.empty()) << json;
  return r.error;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A policy whose default is `default_json` and with one docker scope holding `req`.
inline std::string with_requirement(const std::string& req) {
  return R"({"default":[{"type":"reject"}],"transports":{"docker":{"quay.io":[)" + req + "]}}}";
}

}  // namespace imagelint::facts_policy_test_util
