// One run's use of the layer cache (fs/layer_cache.h: LayerCacheSession).
#include <unistd.h>

#include <map>
#include <set>

#include "fs/layer_cache_dir.h"
#include "fs/layer_cache_writer.h"

namespace imagelint {

LayerCacheSession::LayerCacheSession(std::string dir, uint64_t limit) : dir_(std::move(dir)), limit_(limit) {}

LayerCacheSession::~LayerCacheSession() { end_writes(false); }

void LayerCacheSession::note_problem(std::string what) {
  std::lock_guard lock(mu_);
  if (tally_.problems.size() < 100) tally_.problems.push_back(std::move(what));
}

void LayerCacheSession::count_hit() {
  std::lock_guard lock(mu_);
  tally_.hits++;
}

LayerCacheTally LayerCacheSession::tally() const {
  std::lock_guard lock(mu_);
  return tally_;
}

std::string LayerCacheSession::temp_name(const std::string& key) {
  std::lock_guard lock(mu_);
  return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter_++) + "-" + key.substr(0, 16);
}

void LayerCacheSession::defer_writes() {
  std::lock_guard lock(mu_);
  defer_ = true;
}

bool LayerCacheSession::deferring() const {
  std::lock_guard lock(mu_);
  return defer_;
}

void LayerCacheSession::keep_deferred(std::vector<std::unique_ptr<LayerCache::Writer>> sealed,
                                      std::vector<std::string> made_dirs) {
  std::lock_guard lock(mu_);
  for (auto& w : sealed) {
    sealed_.emplace(w->dir + "/" + w->key, w->tmp);
    deferred_.push_back(std::move(w));
  }
  deferred_dirs_.insert(deferred_dirs_.end(), made_dirs.begin(), made_dirs.end());
}

std::string LayerCacheSession::sealed_path(const std::string& final_path) const {
  std::lock_guard lock(mu_);
  auto it = sealed_.find(final_path);
  return it == sealed_.end() ? "" : it->second;
}

// Writes each entry (placed: sealed already, only the rename is left), then keeps each directory
// written to within the limit; counts both in the tally.
void LayerCacheSession::write_entries(std::vector<std::unique_ptr<LayerCache::Writer>>& ws, bool placed) {
  int written = 0;
  std::map<std::string, std::set<std::string>> by_dir;  // dir -> final paths written
  for (auto& w : ws)  // not under mu_: a failure notes a problem
    if (placed ? w->place() : w->finish()) {
      ++written;
      by_dir[w->dir].insert(w->dir + "/" + w->key);
    }
  int evicted = 0;
  for (auto& [dir, keep] : by_dir) evicted += cache_dir::prune(dir, limit_, keep);
  std::lock_guard lock(mu_);
  tally_.written += written;
  tally_.evicted += evicted;
}

void LayerCacheSession::end_writes(bool write) {
  std::vector<std::unique_ptr<LayerCache::Writer>> ws;
  std::vector<std::string> made;
  {
    std::lock_guard lock(mu_);
    ws.swap(deferred_);
    made.swap(deferred_dirs_);
    sealed_.clear();
  }
  if (write) write_entries(ws, true);
  ws.clear();  // unwritten ones take their temporary files with them
  if (!write)
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());  // only if empty
}

}  // namespace imagelint
