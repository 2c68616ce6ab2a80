// One run's use of the layer cache (fs/layer_cache.h: LayerCacheSession).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

void LayerCacheSession::count_chain_hit() {
  std::lock_guard lock(mu_);
  tally_.chain_hits++;
}

void LayerCacheSession::keep_chain(const std::string& key, std::string bytes) {
  if (dir_.empty() || key.empty() || bytes.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (defer_) {
      chains_.emplace_back(key, std::move(bytes));
      return;
    }
  }
  write_chain(key, bytes);
}

// Written whole to a temporary file, then renamed into place; the directory kept within the limit.
void LayerCacheSession::write_chain(const std::string& key, const std::string& bytes) {
  for (size_t at = dir_.find('/', 1);; at = dir_.find('/', at + 1)) {  // mkdir -p
    std::string d = dir_.substr(0, at);
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) {
      note_problem("cannot create " + d + ": " + std::strerror(errno));
      return;
    }
    if (at == std::string::npos) break;
  }
  const std::string final_path = dir_ + "/" + key, tmp = dir_ + "/" + temp_name(key);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  for (size_t at = 0; ok && at < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else at += static_cast<size_t>(n);
  }
  const std::string why = ok ? "" : std::strerror(errno);
  if (fd >= 0 && ::close(fd) != 0 && ok) ok = false;
  if (ok && ::rename(tmp.c_str(), final_path.c_str()) != 0) ok = false;
  if (!ok) {
    if (fd >= 0) ::unlink(tmp.c_str());
    note_problem("cannot write chain snapshot " + final_path + ": " + (why.empty() ? std::strerror(errno) : why));
    return;
  }
  int evicted = cache_dir::prune(dir_, limit_, {final_path});
  std::lock_guard lock(mu_);
  tally_.chains_written++;
  tally_.evicted += evicted;
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
  std::vector<std::pair<std::string, std::string>> chains;
  {
    std::lock_guard lock(mu_);
    chains.swap(chains_);
    ws.swap(deferred_);
    made.swap(deferred_dirs_);
    sealed_.clear();
  }
  if (write) write_entries(ws, true);
  if (write)
    for (auto& [key, bytes] : chains) write_chain(key, bytes);
  ws.clear();  // unwritten ones take their temporary files with them
  if (!write)
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());  // only if empty
}

}  // namespace imagelint
