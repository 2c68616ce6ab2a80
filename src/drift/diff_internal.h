// Internal to drift/: the pieces of run_diff that classify changes, find hazards and write hints.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "drift/diff.h"
#include "drift/normalise.h"
#include "facts/rpmdb.h"
#include "fs/filesystem.h"

namespace imagelint::drift::internal {

// What the second read learnt about one image's files.
struct SideContent {
  std::map<std::string, std::map<std::string, Substance>> substance;  // path -> normaliser -> result
  std::map<std::string, std::string> text;                            // small text files, for unified diffs
  std::map<std::string, std::string> too_large;                       // path -> normaliser it was too large for
  // path -> the file's digest in its package's algorithm (second read), for a changed file that a
  // package of the same NEVRA lists in both builds (category modified-after-install).
  std::map<std::string, std::string> package_digest;
};

// The package that lists path with the same NEVRA in both databases, with a digest to compare
// (null when none), and the index of path in its files.
struct PackagedIn {
  const Package* a = nullptr;
  const Package* b = nullptr;
  size_t file = 0;
};
PackagedIn packaged_in_both(const PackageDb* a, const PackageDb* b, const std::string& path);

struct ClassifyContext {
  const DriftRules& rules;
  const SideContent& a;
  const SideContent& b;
  const PackageDiff& packages;
  const PackageDb* db_a = nullptr;
  const PackageDb* db_b = nullptr;
  std::map<std::string, std::string> package_story;  // NEVRA -> "kmod-zfs 2.2.7-1.el10 → 2.2.8-1.el10"
  std::map<std::string, size_t> rule_counts;         // rule id -> changes it classified
};

void prepare_package_story(ClassifyContext& cx);
// The normalisers a change may need, in rule order, up to the first matching rule without one.
// *settled_noise: that rule (reached whatever the normalisers say) makes the change noise, so
// its bytes are not worth showing.
std::vector<std::string> normalisers_for(const DriftRules& rules, const Change& c, bool* settled_noise = nullptr);
bool is_hazard_path(const DriftRules& rules, const std::string& path, const HazardRule** which);
void classify(Change& c, ClassifyContext& cx);

// Hazards in either image (b may be the same filesystem as a).
std::vector<Hazard> find_hazards(const DriftRules& rules, const FileSystem& a, const FileSystem& b);

std::vector<std::string> make_hints(const DiffResult& r, const DriftRules& rules,
                                    const std::map<std::string, size_t>& rule_counts);

}  // namespace imagelint::drift::internal
