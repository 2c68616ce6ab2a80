// The layer cache directory's housekeeping (fs/layer_cache.cc writes and reads the entries).
#pragma once
#include <cstdint>
#include <set>
#include <string>

namespace imagelint::cache_dir {

// Removes ".tmp-PID-…" files whose process no longer runs and that are a day old.
void remove_orphans(const std::string& dir);

// Keeps the entries of dir within limit bytes on disk: the least recently used (mtime; a replay
// touches it) go first, never those just written (final paths). Returns how many went.
int prune(const std::string& dir, uint64_t limit, const std::set<std::string>& just_written);

}  // namespace imagelint::cache_dir
