// The final filesystem: what a booted host sees after every layer is applied in order.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/hash.h"

namespace imagelint {

enum class EntryType : uint8_t { File, Dir, Symlink, Char, Block, Fifo, Socket };
char type_char(EntryType t);         // '-', 'd', 'l', 'c', 'b', 'p', 's'
const char* type_name(EntryType t);  // "file", "dir", ...

using Xattrs = std::vector<std::pair<std::string, std::string>>;

// What few entries have (hardlinks, files placed through a symlinked directory, xattrs), kept out
// of line: an image of a million files holds a million entries, each should cost ~200 bytes.
struct EntryExtra {
  std::string hardlink;   // for a hardlink: the path it links to (normalised)
  std::string data_path;  // where the bytes are in the data layer's tar, when not the entry's path
  Xattrs xattrs;          // sorted by name
};

// The layers that wrote an entry, in order. Nearly always one or two: a u16string keeps up to 7
// inline, where a vector would allocate for the first.
using LayerList = std::u16string;

struct Entry {
  EntryType type = EntryType::File;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
  uint32_t uid = 0, gid = 0;
  uint64_t size = 0;  // regular files only
  int64_t mtime = 0;  // seconds since the epoch
  uint32_t dev_major = 0, dev_minor = 0;
  std::string link;      // symlink target, as stored
  ContentHash hash;      // xxh3-128 of the content (regular files)
  int layer = -1;        // the layer that last wrote it; -1 for dir: roots
  LayerList touched;     // every layer that wrote it, in order
  bool implicit = false; // a parent directory no layer named
  // Where the bytes can be read again: the layer and the name inside that layer's tar
  // (extra().data_path, or the entry's own path when that is empty).
  int data_layer = -1;

  const std::string& hardlink() const { return extra_ ? extra_->hardlink : none().hardlink; }
  const std::string& data_path() const { return extra_ ? extra_->data_path : none().data_path; }
  const Xattrs& xattrs() const { return extra_ ? extra_->xattrs : none().xattrs; }
  void set_hardlink(std::string v) { edit().hardlink = std::move(v); }
  void set_data_path(std::string v) { edit().data_path = std::move(v); }
  void set_xattrs(Xattrs v) {
    if (!v.empty() || extra_) edit().xattrs = std::move(v);
  }


 private:
  // A unique_ptr that copies what it points to, so that Entry keeps its default copy.
  struct ExtraPtr : std::unique_ptr<EntryExtra> {
    ExtraPtr() = default;
    ExtraPtr(const ExtraPtr& o) : std::unique_ptr<EntryExtra>(o ? std::make_unique<EntryExtra>(*o) : nullptr) {}
    ExtraPtr& operator=(const ExtraPtr& o) {
      if (this != &o) reset(o ? new EntryExtra(*o) : nullptr);
      return *this;
    }
    ExtraPtr(ExtraPtr&&) noexcept = default;
    ExtraPtr& operator=(ExtraPtr&&) noexcept = default;
  };
  static const EntryExtra& none();
  EntryExtra& edit();
  ExtraPtr extra_;
};

struct Removed {
  LayerList touched;
  int deleted_in = -1;
};

enum class Resolve { Ok, NotFound, Loop, Escapes, NotDir };

struct Resolved {
  Resolve status = Resolve::Ok;
  std::string path;  // the resolved path (Ok), or how far resolution got
  std::string via;   // the symlink responsible for Loop/Escapes
};

class FileSystem {
 public:
  // Sorted by path; std::less<> so that a string_view looks up without a copy.
  using Entries = std::map<std::string, Entry, std::less<>>;
  const Entry* find(std::string_view path) const;
  const Entries& entries() const { return entries_; }
  const std::map<std::string, Removed>& removed() const { return removed_; }
  size_t size() const { return entries_.size(); }

  // Follows symlinks inside the root (absolute targets start at the root, at most 40 hops).
  // A missing component ends resolution with NotFound unless allow_missing, in which case the
  // rest of the path is folded lexically (what a write would create).
  Resolved resolve(const std::string& path, bool follow_last, bool allow_missing = false) const;

  // --- mutation, used while applying layers (see fs/build.cc) ---
  // Where a layer's entry lands: its parent resolved through symlinks already in the tree.
  // Throws std::runtime_error-derived InputError-free status: returns a Resolved.
  Resolved place(const std::string& norm_path);
  // Adds or replaces; creates missing parents as implicit directories. Returns false (with
  // *why set) when a parent is not a directory.
  bool put(const std::string& path, Entry e, int layer, std::string* why) {
    return put(make_node(path, std::move(e)), layer, why);
  }
  // The same with the entry in a node made beforehand (key: the path), e.g. on the thread that
  // read the layer: the merge then neither allocates nor copies.
  using Node = Entries::node_type;
  static Node make_node(std::string path, Entry e);
  bool put(Node node, int layer, std::string* why);
  // .wh.NAME: deletes path and everything below it that lower layers wrote.
  void whiteout(const std::string& path, int layer);
  // .wh..wh..opq: hides every lower entry below dir.
  void opaque(const std::string& dir, int layer);
  // A chain snapshot's entries, each after the last (false when one is not: nothing else is
  // checked), and its removed paths.
  bool append_sorted(std::string path, Entry e) {
    if (!entries_.empty() && !(entries_.rbegin()->first < path)) return false;
    ++epoch_;
    entries_.emplace_hint(entries_.end(), std::move(path), std::move(e));
    return true;
  }
  void set_removed(std::map<std::string, Removed> r) { removed_ = std::move(r); }
  // Inserts an entry as is (dir: transport).
  void insert_raw(const std::string& path, Entry e) {
    ++epoch_;
    entries_[path] = std::move(e);
  }

 private:
  std::optional<Resolved> resolve_plain(std::string_view path, bool follow_last) const;
  void remove_subtree(const std::string& path, int layer, bool include_self, bool only_lower);
  Entries entries_;
  std::map<std::string, Removed> removed_;
  // place() cache: consecutive entries of a tar usually share a parent.
  uint64_t epoch_ = 0;
  uint64_t cache_epoch_ = ~0ull;
  std::string cache_parent_, cache_resolved_;
  // put() cache: the parent of the last entry put, every ancestor checked to be a directory.
  uint64_t put_epoch_ = ~0ull;
  std::string put_parent_;
  // The entry put last, while no entry was erased since. A copy or move of the filesystem starts
  // without one (the iterator would point into the other map).
  struct LastPut {
    Entries::iterator it;
    bool valid = false;
    LastPut() = default;
    LastPut(const LastPut&) {}
    LastPut& operator=(const LastPut&) {
      valid = false;
      return *this;
    }
  } last_put_;
};

}  // namespace imagelint
