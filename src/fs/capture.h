// Content capture. Before the pass, consumers declare what they need: an exact path (resolved in
// the final filesystem, through symlinks and hardlinks), an RE2 pattern over final paths, each
// with a size cap; or a visitor that sees an entry's bytes as they stream and keeps only what it
// extracts (a 100 MB module is never held whole). Only entries that survive into the final
// filesystem are reported.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fs/filesystem.h"

namespace re2 {
class RE2;
class Set;
}  // namespace re2

namespace imagelint {

struct Captured {
  std::string data;        // at most the cap
  uint64_t size = 0;       // the entry's real size
  bool truncated = false;  // size > cap
  int layer = -1;          // the layer whose entry this is
};

class EntryVisitor {
 public:
  virtual ~EntryVisitor() = default;
  virtual void data(const char* p, size_t n) = 0;
  virtual void end() {}
  // The layer cache (fs/layer_cache.h) keeps what a visitor extracted, so that a cached layer's
  // entries need not stream again. save() is called once the visitor's work is done (after the
  // capture set's settle()); it returns false when the result cannot be kept (the layer is then
  // not cached). load() gives a visitor fresh from its factory the result save() wrote, as if it
  // had seen the bytes and ended; false: the bytes are not this visitor's.
  virtual bool save(std::string& out) const {
    (void)out;
    return false;
  }
  virtual bool load(std::string_view in) {
    (void)in;
    return false;
  }
  // True when the visitor found nothing and its absence means the same to whoever reads the
  // results: the layer cache then keeps nothing for it (a scan of every file for a rare thing).
  virtual bool inert() const { return false; }
};
using VisitorFactory = std::function<std::unique_ptr<EntryVisitor>(const std::string& path, const Entry& e)>;
using VisitorPtr = std::shared_ptr<EntryVisitor>;  // shared with the layer cache until it is written

// What a capture set holds after some layers (fs/chain.h: a chain snapshot): the content kept by
// final path, each visitor's results by final path (visitors are done and only read from here on,
// so two capture sets may share them), the bytes counted against the budget and the notes.
struct CaptureState {
  std::map<std::string, Captured> captured;
  std::vector<std::map<std::string, VisitorPtr>> visits;  // by visitor index
  uint64_t used = 0;
  std::vector<std::string> notes;
  // The chain's regular files a want_pattern matches, with the largest cap of those that do, in
  // path order (export_state(fs, layers)): finish() then matches only the entries written after
  // the chain's `layers` layers.
  int layers = 0;
  std::vector<std::pair<std::string, uint64_t>> pattern_files;
};

class CaptureSet {
 public:
  CaptureSet();
  ~CaptureSet();
  CaptureSet(const CaptureSet&) = delete;
  CaptureSet& operator=(const CaptureSet&) = delete;

  // --- declarations (before the pass) ---
  void want_path(const std::string& path, uint64_t cap);
  void want_pattern(const std::string& re2, uint64_t cap);  // throws UsageError on a bad pattern
  // key names the visitor and every parameter that changes what it keeps (e.g. "modinfo/1 sig=0"):
  // it is part of the layer cache's key. An empty key keeps this capture set out of the cache.
  int want_visits(const std::string& re2, const std::string& key, VisitorFactory factory);
  // The filesystem as the first `layers` layers leave it, copied during the pass
  // (BuildResult::snapshot): check --base's base, without reading its layers twice.
  void want_snapshot(int layers) { snapshot_layers_ = layers; }
  int snapshot_layers() const { return snapshot_layers_; }
  // Every layer's entries as its tar ships them (BuildResult::layer_records): diff's update cost.
  void want_layer_records() { layer_records_ = true; }
  bool layer_records() const { return layer_records_; }
  // What a visitor's work still running elsewhere (a pool) needs to finish: the builder calls
  // settle() after the pass and before it writes the layer cache.
  void set_settle(std::function<void()> fn) { settle_ = std::move(fn); }
  void settle() const {
    if (settle_) settle_();
  }
  // Every declaration (paths, patterns and caps, visitor keys) in one string: two capture sets
  // with the same fingerprint open the same sinks for the same entry. Empty when a visitor has no
  // key.
  std::string fingerprint() const;

  // The results so far (after settle()), for a chain snapshot; and a set with the same
  // declarations (the same fingerprint) taking them as its own, as if it had read those layers.
  CaptureState export_state(const FileSystem& fs, int layers) const;
  void import_state(const CaptureState& st);
  // A visitor of index i for path made by its factory and given its saved result (a snapshot
  // read from disk); null when the factory declines or the result does not load.
  VisitorPtr load_visitor(size_t i, const std::string& path, const Entry& e, std::string_view saved) const;
  size_t visitor_count() const { return visits_.size(); }

  // --- results (after the pass) ---
  // For want_path: by the requested path. For patterns: by the final path. nullptr if absent
  // (missing, not a regular file, or a symlink that does not resolve).
  const Captured* get(const std::string& path) const;
  // Every captured final path matching a want_pattern, sorted.
  const std::map<std::string, Captured>& all() const { return captured_; }
  const std::map<std::string, VisitorPtr>& visits(int id) const { return visits_.at(static_cast<size_t>(id)).done; }
  // The id want_visits returned for key (the first, if two used one key); -1 when none did. A rule
  // kind finds its visitors by its key in check(), so it keeps no state between declare and check.
  int visits_id(const std::string& key) const;
  // Why a want_path gave nothing (e.g. "symlink loop at a/b"); empty if captured or just absent.
  std::string problem(const std::string& path) const;
  // Captures stop once they hold this many bytes in all (hostile images: many files at their
  // cap); what was skipped is listed in notes().
  void set_budget(uint64_t bytes) { budget_ = bytes; }
  const std::vector<std::string>& notes() const { return notes_; }

  // --- used by the builder ---
  // The sinks of one entry being streamed.
  struct Active {
    bool capture = false;
    uint64_t cap = 0;
    Captured buf;
    std::vector<std::pair<size_t, VisitorPtr>> visitors;
    bool ended = false;      // end() already called on the visitors
    bool budget_cut = false; // the budget was spent: less was kept than the capture wanted
  };
  // Sinks for an entry being streamed; null when nothing wants it.
  std::unique_ptr<Active> open(const std::string& path, const Entry& e);
  // The sinks open() gave an entry of a cached layer (the cache key holds this set's fingerprint),
  // filled with what the layer cache kept: content (moved from; nullptr when none was kept) and
  // each visitor's saved result, by visitor index. Throws SerialError when a result does not load.
  std::unique_ptr<Active> restore(const std::string& path, const Entry& e, std::string* content,
                                  const std::vector<std::pair<size_t, std::string_view>>& saved);
  static void write(Active& a, const char* p, size_t n);
  // Ends the visitors as soon as the entry's bytes are through (on the thread that read them), so
  // that what they keep shrinks to their result before the entry waits for the merge.
  static void end_visitors(Active& a);
  void close(const std::string& path, std::unique_ptr<Active> a);

  // After the pass: drops what did not survive; returns what must be read again, grouped by
  // layer: layer -> {name in that layer's tar -> final path}.
  std::map<int, std::map<std::string, std::string>> finish(const FileSystem& fs);
  void store(const std::string& final_path, Captured c) { captured_[final_path] = std::move(c); }
  uint64_t cap_for(const std::string& final_path) const;
  bool wants_content(const std::string& final_path) const;
  // Content or a visitor pattern matches (a visitor's factory may still decline the entry).
  bool wants_any(const std::string& final_path) const;

 private:
  struct VisitSpec {
    std::unique_ptr<re2::RE2> re;
    std::string key;
    VisitorFactory factory;
    std::map<std::string, VisitorPtr> done;
  };
  std::map<std::string, uint64_t> exact_;                 // requested path -> cap
  std::map<std::string, uint64_t> exact_final_;           // resolved final path -> cap (after finish)
  std::vector<std::pair<std::unique_ptr<re2::RE2>, uint64_t>> patterns_;  // in declaration order
  std::vector<VisitSpec> visits_;
  std::map<std::string, Captured> captured_;              // final path -> content
  std::map<std::string, std::string> alias_;              // requested -> final
  std::map<std::string, std::string> problems_;
  std::mutex mu_;  // open() runs on the threads that read layers: guards used_ and notes_
  std::function<void()> settle_;
  uint64_t budget_ = 2ull << 30;
  uint64_t used_ = 0;
  std::vector<std::string> notes_;
  int snapshot_layers_ = 0;
  bool layer_records_ = false;
  int chain_layers_ = 0;  // import_state: the chain's pattern matches stand for entries older than this
  std::vector<std::pair<std::string, uint64_t>> chain_pattern_files_;
};

// What a rule kind may ask of the pass before it runs: content by path or pattern, and visitors.
// The narrow face of a CaptureSet that RuleKind::declare sees; check() sees a const CaptureSet.
class CaptureRequests {
 public:
  explicit CaptureRequests(CaptureSet& set) : set_(set) {}
  void want_path(const std::string& path, uint64_t cap) { set_.want_path(path, cap); }
  void want_pattern(const std::string& re2, uint64_t cap) { set_.want_pattern(re2, cap); }
  int want_visits(const std::string& re2, const std::string& key, VisitorFactory factory) {
    return set_.want_visits(re2, key, std::move(factory));
  }

 private:
  CaptureSet& set_;
};

}  // namespace imagelint
