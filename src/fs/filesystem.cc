#include "fs/filesystem.h"

#include <deque>
#include <optional>
#include <set>

#include "util/path.h"

namespace imagelint {

const EntryExtra& Entry::none() {
  static const EntryExtra empty;
  return empty;
}

EntryExtra& Entry::edit() {
  if (!extra_) extra_.reset(new EntryExtra());
  return *extra_;
}


char type_char(EntryType t) {
  switch (t) {
    case EntryType::File: return '-';
    case EntryType::Dir: return 'd';
    case EntryType::Symlink: return 'l';
    case EntryType::Char: return 'c';
    case EntryType::Block: return 'b';
    case EntryType::Fifo: return 'p';
    case EntryType::Socket: return 's';
  }
  return '?';
}

const char* type_name(EntryType t) {
  switch (t) {
    case EntryType::File: return "file";
    case EntryType::Dir: return "dir";
    case EntryType::Symlink: return "symlink";
    case EntryType::Char: return "char";
    case EntryType::Block: return "block";
    case EntryType::Fifo: return "fifo";
    case EntryType::Socket: return "socket";
  }
  return "?";
}

const Entry* FileSystem::find(std::string_view path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

namespace {
void split_into(std::string_view p, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) parts.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  if (front) out.insert(out.begin(), parts.begin(), parts.end());
  else out.insert(out.end(), parts.begin(), parts.end());
}
}  // namespace

// The common case, without allocating: a clean path ("a/b/c": no empty, "." or ".." component) whose
// every component exists and no symlink is followed. nullopt: resolve the long way.
std::optional<Resolved> FileSystem::resolve_plain(std::string_view path, bool follow_last) const {
  if (path.empty() || path.front() == '/' || path.back() == '/') return std::nullopt;
  for (size_t start = 0;;) {
    size_t end = path.find('/', start);
    const bool last = end == std::string_view::npos;
    if (last) end = path.size();
    const std::string_view c = path.substr(start, end - start);
    if (c.empty() || c == "." || c == "..") return std::nullopt;
    const Entry* e = find(path.substr(0, end));
    if (!e || (e->type == EntryType::Symlink && (!last || follow_last))) return std::nullopt;
    if (last) return Resolved{Resolve::Ok, std::string(path), ""};
    if (e->type != EntryType::Dir) return std::nullopt;
    start = end + 1;
  }
}

Resolved FileSystem::resolve(const std::string& path, bool follow_last, bool allow_missing) const {
  if (auto r = resolve_plain(path, follow_last)) return std::move(*r);
  std::deque<std::string> todo;
  split_into(path, todo, false);
  std::string cur;
  std::vector<size_t> lens;  // cur's length before each pushed component
  int hops = 0;
  bool missing = false;
  std::string via;
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (lens.empty()) return {Resolve::Escapes, cur, via.empty() ? path : via};
      cur.resize(lens.back());
      lens.pop_back();
      continue;
    }
    size_t before = cur.size();
    std::string cand = cur.empty() ? c : cur + "/" + c;
    if (!missing) {
      const Entry* e = find(cand);
      if (!e) {
        if (!allow_missing) return {Resolve::NotFound, cand, via};
        missing = true;
      } else {
        bool last = todo.empty();
        if (e->type == EntryType::Symlink && (!last || follow_last)) {
          if (++hops > 40) return {Resolve::Loop, cand, cand};
          via = cand;
          if (e->link.starts_with("/")) {
            cur.clear();
            lens.clear();
          }
          split_into(e->link, todo, true);
          continue;
        }
        if (!last && e->type != EntryType::Dir) return {Resolve::NotDir, cand, via};
      }
    }
    cur = std::move(cand);
    lens.push_back(before);
  }
  return {Resolve::Ok, cur, via};
}

Resolved FileSystem::place(const std::string& norm_path) {
  const size_t slash = norm_path.rfind('/');
  if (slash == std::string::npos) return {Resolve::Ok, norm_path, ""};
  const std::string_view parent = std::string_view(norm_path).substr(0, slash);
  const std::string_view base = std::string_view(norm_path).substr(slash + 1);
  if (cache_epoch_ == epoch_ && parent == cache_parent_) return {Resolve::Ok, join_path(cache_resolved_, base), ""};
  Resolved r = resolve(std::string(parent), true, true);
  if (r.status != Resolve::Ok) return r;
  cache_epoch_ = epoch_;
  cache_parent_ = parent;
  cache_resolved_ = r.path;
  return {Resolve::Ok, join_path(r.path, base), r.via};
}

FileSystem::Node FileSystem::make_node(std::string path, Entry e) {
  Entries one;
  one.emplace(std::move(path), std::move(e));
  return one.extract(one.begin());
}

bool FileSystem::put(Node node, int layer, std::string* why) {
  const std::string& path = node.key();
  Entry& e = node.mapped();
  // Parents must be directories; missing ones are created as a tar extractor would. Consecutive
  // entries of a tar usually share a parent: one checked since the last removal is not walked again.
  const size_t slash = path.rfind('/');
  const std::string_view parent = std::string_view(path).substr(0, slash == std::string::npos ? 0 : slash);
  if (!(put_epoch_ == epoch_ && parent == put_parent_)) {
    for (size_t k = path.find('/'); k != std::string::npos; k = path.find('/', k + 1)) {
      const std::string_view anc = std::string_view(path).substr(0, k);
      auto it = entries_.lower_bound(anc);
      if (it == entries_.end() || it->first != anc) {
        Entry d;
        d.type = EntryType::Dir;
        d.mode = 0755;
        d.layer = layer;
        d.touched = LayerList(1, static_cast<char16_t>(layer));
        d.implicit = true;
        entries_.emplace_hint(it, anc, std::move(d));
      } else if (it->second.type != EntryType::Dir) {
        if (why) *why = std::string(anc) + " is a " + type_name(it->second.type) + ", not a directory";
        return false;
      }
    }
  }
  // Where path goes: a tar lists a directory's entries in order, so it is usually just after the
  // entry put last (two comparisons instead of a descent of the tree).
  Entries::iterator it;
  if (last_put_.valid && last_put_.it->first < path) {
    it = std::next(last_put_.it);
    if (it != entries_.end() && it->first < path) it = entries_.lower_bound(path);
  } else {
    it = entries_.lower_bound(path);
  }
  const bool exists = it != entries_.end() && it->first == path;
  if (exists) {
    Entry& old = it->second;
    if (old.type == EntryType::Dir && e.type != EntryType::Dir) remove_subtree(path, layer, false, false);
    if (old.type != EntryType::Dir || e.type != EntryType::Dir) ++epoch_;
    e.touched = std::move(old.touched);
  } else if (auto r = removed_.find(path); r != removed_.end()) {
    e.touched = std::move(r->second.touched);
    removed_.erase(r);
  }
  if (e.touched.empty() || e.touched.back() != layer) e.touched.push_back(static_cast<char16_t>(layer));
  if (e.type == EntryType::Symlink) ++epoch_;
  e.layer = layer;
  put_epoch_ = epoch_;
  put_parent_.assign(parent);
  // remove_subtree above erased only entries below path: it stays valid, as a hint too.
  if (exists) it->second = std::move(e);
  else it = entries_.insert(it, std::move(node));
  last_put_.it = it;
  last_put_.valid = true;
  return true;
}

void FileSystem::remove_subtree(const std::string& path, int layer, bool include_self, bool only_lower) {
  ++epoch_;
  last_put_.valid = false;
  std::string prefix = path.empty() ? "" : path + "/";
  auto begin = entries_.lower_bound(prefix);
  auto end = begin;
  while (end != entries_.end() && end->first.starts_with(prefix)) ++end;
  // With only_lower, entries this layer wrote stay, and so do the directories above them.
  std::set<std::string> keep;
  if (only_lower)
    for (auto it = begin; it != end; ++it)
      if (it->second.layer >= layer)
        for (std::string p = it->first; p.size() > prefix.size(); p = parent_path(p)) keep.insert(p);
  auto bury = [&](Entries::iterator it) {
    Removed& r = removed_[it->first];
    r.touched = std::move(it->second.touched);
    r.deleted_in = layer;
    return entries_.erase(it);
  };
  for (auto it = begin; it != end;) {
    if (only_lower && keep.count(it->first)) ++it;
    else it = bury(it);
  }
  if (include_self && !path.empty()) {
    auto self = entries_.find(path);
    if (self != entries_.end() && !(only_lower && self->second.layer >= layer)) {
      if (only_lower && !keep.empty()) return;  // this layer wrote below it: it stays
      bury(self);
    }
  }
}

void FileSystem::whiteout(const std::string& path, int layer) { remove_subtree(path, layer, true, true); }

void FileSystem::opaque(const std::string& dir, int layer) { remove_subtree(dir, layer, false, true); }

}  // namespace imagelint
