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
#include <map>
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
struct Environment;
struct IndexedEntry;
class LayerCacheSession;

// The default directory: $XDG_CACHE_HOME/imagelint, else $HOME/.cache/imagelint; empty when
// neither is set (to an absolute path).
std::string default_layer_cache_dir(const Environment& env);

// The most the cache directory holds (bytes on disk); after a run wrote entries, the least
// recently used others are removed until it fits (a replay counts as a use: it touches the
// entry's mtime). The entries a run just wrote always stay.
inline constexpr uint64_t kDefaultLayerCacheLimit = 4ull << 30;

// What a run's cache did, for --perf and for warnings: layers replayed, layers written, entries
// evicted, and why an entry could not be read or written (at most a few lines).
struct LayerCacheTally {
  int hits = 0, written = 0, evicted = 0;
  int chain_hits = 0, chains_written = 0;  // chain snapshots (fs/chain.h) loaded and written
  std::vector<std::string> problems;
};

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
  // Reads and records under session.dir(); session outlives it.
  explicit LayerCache(LayerCacheSession& session);
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
  // the session when it defers writes. Never throws: a cache that cannot be
  // written costs only speed, and the session's tally().problems says why.
  void commit();

  struct Writer;

 private:
  bool ensure_dir();
  LayerCacheSession& session_;
  std::string dir_;
  std::vector<std::string> made_dirs_;  // made by ensure_dir, deepest last
  bool dir_ok_ = false, dir_failed_ = false;
  std::vector<std::unique_ptr<Writer>> pending_;
  std::set<std::string> recorded_;  // keys record() handed out a recording for
  std::mutex mu_;  // record(), finished() and problem() run on the threads that read layers
};

// One run's use of the layer cache (RunContext::cache): the directory and its size limit, the
// writes it defers until the command succeeds, the entries it sealed and may replay before they
// are renamed into place (diff's B replays what A's read recorded), and the tally. Safe from the
// threads that read layers.
class LayerCacheSession {
 public:
  explicit LayerCacheSession(std::string dir, uint64_t limit = kDefaultLayerCacheLimit);
  ~LayerCacheSession();  // what was deferred and not written is dropped, as end_writes(false)
  LayerCacheSession(const LayerCacheSession&) = delete;
  LayerCacheSession& operator=(const LayerCacheSession&) = delete;

  const std::string& dir() const { return dir_; }
  LayerCacheTally tally() const;
  // After defer_writes(), commit() keeps what it would write until end_writes(true) writes it, or
  // end_writes(false) drops it (a run that exits 2 leaves the cache as it was).
  void defer_writes();
  void end_writes(bool write);

  // A chain snapshot (fs/chain.h: encode_chain) under key: written now, or when the deferred
  // writes are (end_writes(true)). Never throws; a failure is a problem in the tally.
  void keep_chain(const std::string& key, std::string bytes);

  // For LayerCache and its writers.
  void note_problem(std::string what);
  void count_hit();
  void count_chain_hit();
  std::string temp_name(const std::string& key);  // a name no other writer of this process uses
  bool deferring() const;
  void keep_deferred(std::vector<std::unique_ptr<LayerCache::Writer>> sealed, std::vector<std::string> made_dirs);
  std::string sealed_path(const std::string& final_path) const;  // "" when not sealed by this run
  void write_entries(std::vector<std::unique_ptr<LayerCache::Writer>>& ws, bool placed);

 private:
  std::string dir_;
  uint64_t limit_;
  mutable std::mutex mu_;  // guards what follows
  LayerCacheTally tally_;
  bool defer_ = false;
  std::vector<std::unique_ptr<LayerCache::Writer>> deferred_;
  std::vector<std::string> deferred_dirs_;  // made for them, deepest last
  // Entries of deferred_, sealed but not renamed yet: final path -> temporary file.
  std::map<std::string, std::string> sealed_;
  unsigned temp_counter_ = 0;
  std::vector<std::pair<std::string, std::string>> chains_;  // deferred: key, bytes
  void write_chain(const std::string& key, const std::string& bytes);
};

}  // namespace imagelint
