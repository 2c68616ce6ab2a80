// Helpers of the `imagelint diff` end-to-end tests: a small two-layer image, and running the
// real binary on a pair of images.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace testing_util {

// A small image: a base layer every test shares (etc, an empty machine-id, usr/bin/tool, var/log),
// then the test's own layer.
fixture::Recipe image(std::vector<fixture::RecipeEntry> top, std::map<std::string, std::string> labels = {});

struct DiffRun {
  int code = -1;
  nlohmann::json j;
  std::string err;
  nlohmann::json change(const std::string& path) const;  // the change of one path, or null
};

// `imagelint diff A B --format json ARGS`.
DiffRun diff_refs(const std::string& a, const std::string& b, std::vector<std::string> args = {});
// The same on two OCI images written from recipes.
DiffRun diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args = {});
// `imagelint diff A B ARGS` on two recipes: stdout.
std::string text_diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args = {});
fixture::RecipeEntry at(fixture::RecipeEntry e, int64_t mtime);

}  // namespace testing_util
