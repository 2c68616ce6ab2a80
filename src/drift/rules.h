// Drift rules: how `imagelint diff` classifies each difference, read from rules/drift.json
// (compiled in) and from user files (--rules FILE) and patterns (--ignore). Every parameter of the
// classification lives in those files, none in C++.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imagelint::drift {

enum class Class { Noise, Drift, Hazard };
const char* class_name(Class c);

// The attributes of an entry that a change can touch. "content" is the bytes of a regular file.
enum Attr : uint16_t {
  kContent = 1 << 0, kType = 1 << 1, kMode = 1 << 2, kUid = 1 << 3, kGid = 1 << 4,
  kMtime = 1 << 5, kXattrs = 1 << 6, kLink = 1 << 7, kHardlink = 1 << 8, kDevice = 1 << 9,
};
inline constexpr int kAttrCount = 10;
const char* attr_name(int bit_index);     // "content", "type", ...
bool parse_attr(const std::string& name, uint16_t& out);
std::vector<std::string> attr_names(uint16_t attrs);

struct DriftRule {
  std::string id;
  std::vector<std::string> paths;  // globs (util/path.h glob_match); empty: any path
  uint16_t attributes = 0;         // non-zero: matches only changes touching no other attribute
  std::vector<std::string> kinds;  // "added", "removed", "changed"; empty: any
  std::string normaliser;          // non-empty: matches only content changes equal in substance
  Class cls = Class::Noise;
  std::string category;
  bool packages_explain = false;   // a change to it is explained when the package set changed
  // Normalise during the first pass, for files that nearly always differ between builds (the rpm
  // database, the initramfs): saves reading their layer a second time.
  bool early = false;
  std::string description, hint;  // hint: "{count}" is replaced by the number of changes
  std::string source;              // "rules/drift.json", a user file, or "--ignore"
};

struct HazardRule {
  std::string id;
  std::vector<std::string> paths;
  bool nonempty = false;  // only a regular file with content is a hazard
  std::string category, description, source;
};

struct DriftRules {
  std::vector<DriftRule> rules;  // in order: the first match decides
  std::vector<HazardRule> hazards;
  std::vector<std::string> config_noise;  // config fields whose differences are noise
  // The update cost's budget ("max_noise_bytes"): bytes a host may download for noise alone
  // before diff exits 1; the last file that sets it wins, --max-noise-bytes over all.
  std::optional<uint64_t> max_noise_bytes;
  std::vector<std::string> files;         // what was loaded, for the report
};

// The shipped rules, then each file in turn: a rule whose id is already known replaces it in
// place; a new rule goes before the shipped ones (user rules win). Then each --ignore pattern as
// a noise rule (category "ignored") ahead of everything. Throws InputError (bad file) or
// UsageError (bad pattern).
DriftRules load_drift_rules(const std::vector<std::string>& files, const std::vector<std::string>& ignores);
// Parses one rules document (exposed for tests); where names it in errors.
DriftRules parse_drift_rules(const std::string& text, const std::string& where);

bool rule_matches_path(const DriftRule& r, const std::string& path);
bool hazard_matches_path(const HazardRule& r, const std::string& path);

}  // namespace imagelint::drift
