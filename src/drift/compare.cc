#include "drift/compare.h"

#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "util/text.h"

namespace imagelint::drift {
namespace {

// Hardlink topology: for every path that shares its bytes with another live path (the same tar
// entry: data_layer and data_path), the smallest path of its group. Entry::hardlink names the path
// the tar wrote first, which another build may write second, or a later layer may have removed or
// rewritten (a rewrite breaks the link); grouping by the bytes' origin sees through both.
std::unordered_map<std::string, std::string> hardlink_groups(const FileSystem& fs) {
  // Only origins a hardlink entry names can have a group: most images have few, and the pass
  // over a million entries then allocates nothing for the rest.
  auto origin = [](const std::string& path, const Entry& e) {
    return std::pair<int, std::string_view>(e.data_layer, e.data_path().empty() ? std::string_view(path) : std::string_view(e.data_path()));
  };
  std::set<std::pair<int, std::string_view>> linked;
  for (auto& [path, e] : fs.entries())
    if (e.type == EntryType::File && e.data_layer >= 0 && !e.hardlink().empty()) linked.insert(origin(path, e));
  if (linked.empty()) return {};
  std::map<std::pair<int, std::string_view>, std::vector<std::string>> groups;
  for (auto& [path, e] : fs.entries())
    if (e.type == EntryType::File && e.data_layer >= 0 && linked.count(origin(path, e))) groups[origin(path, e)].push_back(path);
  std::unordered_map<std::string, std::string> out;
  for (auto& [from, members] : groups) {
    if (members.size() < 2) continue;
    for (auto& m : members) out[m] = members.front();  // entries() is sorted: front is the smallest
  }
  return out;
}

std::string group_of(const std::unordered_map<std::string, std::string>& g, const std::string& path) {
  auto it = g.find(path);
  return it == g.end() ? std::string() : it->second;
}

std::string xattr_detail(const Entry& a, const Entry& b) {
  std::map<std::string, std::pair<const std::string*, const std::string*>> all;
  for (auto& [k, v] : a.xattrs()) all[k].first = &v;
  for (auto& [k, v] : b.xattrs()) all[k].second = &v;
  std::string out;
  for (auto& [k, p] : all) {
    const char* what = !p.first ? "added" : !p.second ? "removed" : *p.first != *p.second ? "changed" : nullptr;
    if (what) out += (out.empty() ? "" : ", ") + k + " " + what;
  }
  return out;
}

std::string delta(int64_t from, int64_t to) {
  // In unsigned arithmetic: tar's base-256 fields allow any int64, and to - from may overflow.
  bool neg = to < from;
  uint64_t s = neg ? static_cast<uint64_t>(from) - static_cast<uint64_t>(to) : static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  std::string sign = neg ? "-" : "+";
  if (s < 60) return fmt::format("{}{}s", sign, s);
  if (s < 3600) return fmt::format("{}{}m{}s", sign, s / 60, s % 60);
  if (s < 86400) return fmt::format("{}{}h{}m", sign, s / 3600, (s % 3600) / 60);
  return fmt::format("{}{}d{}h", sign, s / 86400, (s % 86400) / 3600);
}

// A path on one side only (only_a: side A's): everything about it is that side's.
Change one_side_change(const std::string& path, const Entry& e, bool only_a) {
  Change c;
  c.path = path;
  c.kind = only_a ? ChangeKind::Removed : ChangeKind::Added;
  (only_a ? c.type_a : c.type_b) = e.type;
  (only_a ? c.size_a : c.size_b) = e.size;
  (only_a ? c.mode_a : c.mode_b) = e.mode;
  (only_a ? c.layer_a : c.layer_b) = e.layer;
  c.detail = fmt::format("{} only in {}", type_name(e.type), only_a ? "A" : "B");
  return c;
}

// The attributes that differ between x and y (hx, hy: their hardlink groups), each described in parts.
uint16_t differing_attrs(const Entry& x, const Entry& y, const std::string& hx, const std::string& hy,
                         std::vector<std::string>& parts) {
  uint16_t attrs = 0;
  if (x.type != y.type) {
    attrs |= kType;
    parts.push_back(fmt::format("type {} → {}", type_name(x.type), type_name(y.type)));
  }
  if (x.type == EntryType::File && y.type == EntryType::File && (x.hash != y.hash || x.size != y.size)) {
    attrs |= kContent;
    parts.push_back(x.size == y.size ? fmt::format("content ({} bytes both)", x.size)
                                     : fmt::format("content (size {} → {})", x.size, y.size));
  }
  if (x.mode != y.mode) {
    attrs |= kMode;
    parts.push_back(fmt::format("mode {:04o} → {:04o}", x.mode, y.mode));
  }
  if (x.uid != y.uid) {
    attrs |= kUid;
    parts.push_back(fmt::format("uid {} → {}", x.uid, y.uid));
  }
  if (x.gid != y.gid) {
    attrs |= kGid;
    parts.push_back(fmt::format("gid {} → {}", x.gid, y.gid));
  }
  if (x.mtime != y.mtime) {
    attrs |= kMtime;
    parts.push_back(fmt::format("mtime {} → {} ({})", format_time(x.mtime), format_time(y.mtime), delta(x.mtime, y.mtime)));
  }
  if (x.xattrs() != y.xattrs()) {
    attrs |= kXattrs;
    parts.push_back("xattrs: " + xattr_detail(x, y));
  }
  if (x.type == EntryType::Symlink && y.type == EntryType::Symlink && x.link != y.link) {
    attrs |= kLink;
    parts.push_back(fmt::format("link {} → {}", x.link, y.link));
  }
  if ((x.type == EntryType::Char || x.type == EntryType::Block) && x.type == y.type &&
      (x.dev_major != y.dev_major || x.dev_minor != y.dev_minor)) {
    attrs |= kDevice;
    parts.push_back(fmt::format("device {},{} → {},{}", x.dev_major, x.dev_minor, y.dev_major, y.dev_minor));
  }
  if (hx != hy) {
    attrs |= kHardlink;
    parts.push_back(fmt::format("hardlinked with {} → {}", hx.empty() ? "(none)" : hx, hy.empty() ? "(none)" : hy));
  }
  return attrs;
}

// A path on both sides whose attrs differ: both sides' values and the parts that describe them.
Change changed_entry(const std::string& path, const Entry& x, const Entry& y, uint16_t attrs,
                     const std::vector<std::string>& parts) {
  Change c;
  c.path = path;
  c.kind = ChangeKind::Changed;
  c.attrs = attrs;
  c.type_a = x.type;
  c.type_b = y.type;
  c.size_a = x.size;
  c.size_b = y.size;
  c.mode_a = x.mode;
  c.mode_b = y.mode;
  c.mtime_a = x.mtime;
  c.mtime_b = y.mtime;
  c.layer_a = x.layer;
  c.layer_b = y.layer;
  for (auto& p : parts) c.detail += (c.detail.empty() ? "" : "; ") + p;
  return c;
}

}  // namespace

const char* kind_name(ChangeKind k) {
  switch (k) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::Changed: return "changed";
  }
  return "?";
}


Change compare_entries(const std::string& path, const Entry* a, const Entry* b, const std::string& hx, const std::string& hy) {
  if (!a || !b) return one_side_change(path, a ? *a : *b, a != nullptr);
  std::vector<std::string> parts;
  const uint16_t attrs = differing_attrs(*a, *b, hx, hy, parts);
  return changed_entry(path, *a, *b, attrs, parts);
}

std::vector<Change> compare_filesystems(const FileSystem& a, const FileSystem& b, bool hardlinks) {
  std::vector<Change> out;
  std::unordered_map<std::string, std::string> ga, gb;
  if (hardlinks) {
    ga = hardlink_groups(a);
    gb = hardlink_groups(b);
  }
  auto ia = a.entries().begin(), ea = a.entries().end();
  auto ib = b.entries().begin(), eb = b.entries().end();
  while (ia != ea || ib != eb) {
    const bool only_a = ib == eb || (ia != ea && ia->first < ib->first);
    if (only_a || ia == ea || ib->first < ia->first) {
      // A path on one side only: everything about it is that side's.
      const auto& [path, e] = only_a ? *ia++ : *ib++;
      out.push_back(one_side_change(path, e, only_a));
      continue;
    }
    std::vector<std::string> parts;
    uint16_t attrs = differing_attrs(ia->second, ib->second, group_of(ga, ia->first), group_of(gb, ib->first), parts);
    if (attrs) out.push_back(changed_entry(ia->first, ia->second, ib->second, attrs, parts));
    ++ia;
    ++ib;
  }
  return out;
}

}  // namespace imagelint::drift
