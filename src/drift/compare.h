// The comparisons behind `imagelint diff`: two final filesystems entry by entry (every attribute
// that differs, not only the first), two package databases by NEVRA, two image configs field by
// field. Classification (drift/diff.cc) comes after.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "drift/rules.h"
#include "facts/rpmdb.h"
#include "fs/filesystem.h"

namespace imagelint::drift {

enum class ChangeKind { Added, Removed, Changed };
const char* kind_name(ChangeKind k);

struct Change {
  std::string path;
  ChangeKind kind = ChangeKind::Changed;
  uint16_t attrs = 0;  // Attr bits that differ (Changed only)
  EntryType type_a = EntryType::File, type_b = EntryType::File;
  uint64_t size_a = 0, size_b = 0;
  uint32_t mode_a = 0, mode_b = 0;
  int64_t mtime_a = 0, mtime_b = 0;  // Changed only
  int layer_a = -1, layer_b = -1;
  std::string detail;  // every differing attribute with both values, e.g. "mode 0644 → 0755; uid 0 → 1000"
  // Filled by classification:
  Class cls = Class::Drift;
  std::string category, rule, explained_by, note;
  std::string udiff;   // a bounded unified diff, for small text files
};

// Every path present in one filesystem and not the other, and every path whose attributes differ,
// sorted by path. Hardlinks compare by topology (which paths share an inode), not by which name
// the tar happened to write first; hardlinks=false leaves them out (a dir: rootfs does not record
// them).
std::vector<Change> compare_filesystems(const FileSystem& a, const FileSystem& b, bool hardlinks = true);
// The same for one path's entries (a or b null: removed or added): attrs 0 when nothing differs.
// hx, hy: what each is hardlinked with ("" for nothing).
Change compare_entries(const std::string& path, const Entry* a, const Entry* b, const std::string& hx = "",
                       const std::string& hy = "");

struct PackageChange {
  std::string name, arch, a, b;  // a, b: [epoch:]version-release
  std::string nevra_a, nevra_b;
};
struct PackageDiff {
  std::vector<std::string> added, removed;  // NEVRA
  std::vector<PackageChange> changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};
PackageDiff diff_packages(const PackageDb& a, const PackageDb& b);

struct ConfigChange {
  std::string field;  // "env.PATH", "labels.io.buildah.version", "created", "config.Cmd", …
  std::string a, b;   // JSON text; "" when absent on that side
  Class cls = Class::Drift;
  std::string category;  // "config" or "build-metadata"
  // One line for people where a and b are long (history's timestamps, a step only one build has),
  // e.g. "25 build timestamps differ (steps 0-24)"; "" when "a → b" says it.
  std::string summary;
};
// Compares two image config documents (raw JSON). Fields listed in noise are noise.
std::vector<ConfigChange> diff_configs(const std::string& a_json, const std::string& b_json,
                                       const std::vector<std::string>& noise);

}  // namespace imagelint::drift
