// The per-layer cache: what reading a layer produced (every tar header with its content hash, the
// content the capture set kept, each visitor's result, the layer's stats), kept on disk under a key
// made of the layer's digests and everything that changes what a read keeps: the cache format, the
// tool version and the capture set's fingerprint. Instance images of one fleet share their base
// layers, so a re-check reads only the layers it has not seen.
//
// A cached layer is not read again: its blob digest and diff_id were verified when it was written,
// and the blob that names the same digests is trusted to hold the same bytes, as in every
// content-addressed store. --no-cache reads and verifies every layer.
//
// An entry is one file: a header with the key, the entries as they streamed, the layer's stats,
// the visitors' results (written last, once the visitors' work is done), and a trailer with the
// xxh3-128 of everything before it. It is written to a temporary file and renamed into place, so
// a reader (another process too) sees a whole entry or none; one that is truncated or damaged
// fails its checksum and is read as a miss, and the layer's fresh read replaces it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fs/layer_reader.h"
#include "image/image.h"
#include "util/hash.h"

namespace imagelint {

class CaptureSet;
struct IndexedEntry;

// The process-wide cache directory (the CLI sets it from --cache, --no-cache and
// $XDG_CACHE_HOME); empty: no cache, which is the default for code that does not set it.
void set_layer_cache_dir(std::string dir);
const std::string& layer_cache_dir();
// The default: $XDG_CACHE_HOME/imagelint, else $HOME/.cache/imagelint; empty when neither is set.
std::string default_layer_cache_dir();

// The most the cache directory holds (bytes on disk); after a run wrote entries, the least
// recently used others are removed until it fits (a replay counts as a use: it touches the
// entry's mtime). The entries a run just wrote always stay.
inline constexpr uint64_t kDefaultLayerCacheLimit = 4ull << 30;
void set_layer_cache_limit(uint64_t bytes);

// What the caches of this process did, for --perf and for warnings: layers replayed, layers
// written, entries evicted, and why an entry could not be read or written (at most a few lines).
struct LayerCacheTally {
  int hits = 0, written = 0, evicted = 0;
  std::vector<std::string> problems;
};
LayerCacheTally layer_cache_tally();
// The CLI writes the cache only when the command succeeds: after defer, commit() keeps what it
// would write until end_layer_cache_writes(true) writes it, or end_layer_cache_writes(false)
// drops it (a run that exits 2 leaves the cache as it was).
void defer_layer_cache_writes();
void end_layer_cache_writes(bool write);

// One entry of a cached layer, as the replay hands it over.
struct CachedEntry {
  TarHeader h;
  ContentHash hash;
  bool has_content = false;
  std::string content;                                        // what the capture kept
  std::vector<std::pair<size_t, std::string_view>> visitors;  // visitor index -> saved result
};

class LayerCache {
 public:
  explicit LayerCache(std::string dir);
  ~LayerCache();  // removes what was not committed (and directories it made that stayed empty)
  LayerCache(const LayerCache&) = delete;
  LayerCache& operator=(const LayerCache&) = delete;

  // The key of a layer read with this capture set (null: none); empty when it cannot be cached
  // (no digest, or a visitor without a key).
  static std::string key(const LayerInfo& layer, const CaptureSet* captures);

  // Replays a cached layer on this thread: fn for each entry in order, then the stats. nullopt on
  // a miss, or when the entry is damaged (then nothing was handed to fn). Throws what fn throws.
  std::optional<LayerStats> replay(const std::string& key, const std::function<void(CachedEntry&)>& fn);
  // True when key's entry was recorded by this process and is not yet in place (diff's B
  // replaying what A's read recorded): its blob was verified as A's, not as this image's.
  bool from_this_run(const std::string& key) const;

  // Records a layer as it is read. A layer whose recording was abandoned is not written.
  class Recording {
   public:
    virtual ~Recording() = default;
    virtual void add(const IndexedEntry& x) = 0;
    virtual void abandon() = 0;
  };
  std::unique_ptr<Recording> record(const std::string& key);
  // The layer was read whole and verified: its recording waits for commit().
  void finished(std::unique_ptr<Recording> r, const LayerStats& stats);
  // Writes every finished recording (after the capture set settled), or hands it to
  // end_layer_cache_writes() when writes are deferred. Never throws: a cache that cannot be
  // written costs only speed, and layer_cache_tally().problems says why.
  void commit();

  struct Writer;

 private:
  bool ensure_dir();
  std::string dir_;
  std::vector<std::string> made_dirs_;  // made by ensure_dir, deepest last
  bool dir_ok_ = false, dir_failed_ = false;
  std::vector<std::unique_ptr<Writer>> pending_;
  std::set<std::string> recorded_;  // keys record() handed out a recording for
  std::mutex mu_;  // record(), finished() and problem() run on the threads that read layers
};

}  // namespace imagelint
