#include "fs/layer_cache.h"

#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>

#include "fs/capture.h"
#include "fs/layer_cache_dir.h"
#include "fs/layer_pipeline.h"
#include "util/build_id.h"
#include "util/error.h"
#include "util/run_context.h"
#include "util/serial.h"
#include "util/version.h"

namespace imagelint {
namespace {

// Bump whenever what a layer's read keeps changes meaning: the record layout, a visitor's saved
// form, or what the reader does with an entry.
constexpr uint32_t kFormat = 1;
constexpr char kMagic[8] = {'I', 'L', 'L', 'A', 'Y', 'E', 'R', '\n'};
constexpr uint32_t kByteOrder = 0x01020304;
constexpr size_t kTrailer = 8 + 8 + 16;  // visitors' offset, entries, xxh3-128 of what precedes
constexpr uint8_t kEntryTag = 1, kEndTag = 0;

std::string errno_text() { return std::strerror(errno); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void put_header(SerialOut& w, const TarHeader& h) {
  w.str(h.name);
  w.num(static_cast<uint8_t>(h.type)), w.num(static_cast<uint8_t>(h.is_hardlink));
  w.str(h.link);
  w.num(h.mode), w.num(h.uid), w.num(h.gid), w.num(h.size), w.num(h.mtime), w.num(h.dev_major), w.num(h.dev_minor);
  w.num(static_cast<uint64_t>(h.xattrs.size()));
  for (auto& [k, v] : h.xattrs) w.str(k), w.str(v);
}

// Reads a file in large blocks, up to a limit, checking each length against what is left.
class BlockReader {
 public:
  BlockReader(int fd, uint64_t limit, std::string& buf) : fd_(fd), left_(limit), buf_(buf) { buf_.clear(); }
  void read(void* out, size_t n) {
    char* o = static_cast<char*>(out);
    while (n > 0) {
      if (at_ == buf_.size() && !fill()) throw SerialError("entry cut short");
      size_t k = std::min(n, buf_.size() - at_);
      std::memcpy(o, buf_.data() + at_, k);
      at_ += k, o += k, n -= k;
    }
  }
  template <typename T>
  T num() {
    T v;
    read(&v, sizeof v);
    return v;
  }
  std::string str() {
    uint64_t n = num<uint64_t>();
    if (n > left_ + (buf_.size() - at_)) throw SerialError("a length runs past the entry");
    std::string s(static_cast<size_t>(n), '\0');
    read(s.data(), s.size());
    return s;
  }

 private:
  bool fill() {
    if (left_ == 0) return false;
    buf_.resize(static_cast<size_t>(std::min<uint64_t>(left_, 1 << 20)));
    size_t got = 0;
    while (got < buf_.size()) {
      ssize_t r = ::read(fd_, buf_.data() + got, buf_.size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw SerialError(r < 0 ? "read failed: " + errno_text() : "entry cut short");
      got += static_cast<size_t>(r);
    }
    left_ -= got;
    at_ = 0;
    return true;
  }
  int fd_;
  uint64_t left_;
  std::string& buf_;
  size_t at_ = 0;
};

bool pread_all(int fd, void* out, size_t n, uint64_t off) {
  char* o = static_cast<char*>(out);
  while (n > 0) {
    ssize_t r = ::pread(fd, o, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    o += r, n -= static_cast<size_t>(r), off += static_cast<uint64_t>(r);
  }
  return true;
}


}  // namespace

std::string default_layer_cache_dir(const Environment& env) {
  std::string xdg = env.get("XDG_CACHE_HOME");
  if (xdg.starts_with("/")) return xdg + "/imagelint";
  std::string home = env.get("HOME");
  if (home.starts_with("/")) return home + "/.cache/imagelint";
  return "";
}

std::string LayerCache::key(const LayerInfo& layer, const CaptureSet* captures) {
  if (layer.digest.empty() && layer.diff_id.empty()) return "";
  std::string fp = captures ? captures->fingerprint() : "none";
  if (fp.empty()) return "";
  std::string text;
  SerialOut w(text);
  w.num(kFormat);
  w.str(kVersion);
  w.str(build_identity());
  w.str(layer.digest), w.str(layer.diff_id), w.num(layer.size), w.str(layer.media_type);
  w.str(fp);
  std::string d = sha256_of(text);  // "sha256:<hex>"
  return d.substr(d.find(':') + 1);
}

// ---- writing ----

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= static_cast<size_t>(w);
  }
  return true;
}

// One layer's entry being written: the entries as the layer streams and its stats when it ends
// (then the file is closed: an image of 10,000 layers must not hold 10,000 files open), the
// visitors' results and the trailer at commit, then the rename.
struct LayerCache::Writer : LayerCache::Recording {
  LayerCacheSession& session;
  std::string dir, key, tmp;
  int fd = -1;
  Xxh128 sum;
  uint64_t offset = 0, entries = 0;
  bool abandoned = false, sealed = false;
  struct Kept {
    uint64_t ordinal;
    size_t index;
    VisitorPtr visitor;
  };
  std::vector<Kept> visitors;
  std::string scratch;

  Writer(LayerCacheSession& s, std::string d, std::string k) : session(s), dir(std::move(d)), key(std::move(k)) {}
  ~Writer() override { drop(); }

  void close_fd() {
    if (fd >= 0) ::close(fd), fd = -1;
  }
  void drop() {
    close_fd();
    if (!tmp.empty()) ::unlink(tmp.c_str()), tmp.clear();
  }
  bool open() {
    // Another run of this process (its own session, its own count) may hold a name: take the next.
    for (int tries = 0; tries < 1000; ++tries) {
      tmp = dir + "/" + session.temp_name(key);
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0 || errno != EEXIST) break;
    }
    if (fd < 0) {
      session.note_problem("cannot create " + tmp + ": " + errno_text());
      tmp.clear();
      return false;
    }
    SerialOut w(scratch);
    w.raw(kMagic, sizeof kMagic);
    w.num(kFormat), w.num(kByteOrder);
    w.str(key);
    flush();
    return true;
  }
  void flush() {
    if (abandoned || fd < 0) return;
    if (!write_all(fd, scratch.data(), scratch.size())) {
      session.note_problem("cannot write " + tmp + ": " + errno_text());
      abandon();
      return;
    }
    sum.update(scratch.data(), scratch.size());
    offset += scratch.size();
    scratch.clear();
  }

  void add(const IndexedEntry& x) override {
    if (abandoned) return;
    const CaptureSet::Active* a = x.sinks.get();
    if (a && a->budget_cut) return abandon();  // kept less than a fresh read would
    SerialOut w(scratch);
    w.num(kEntryTag);
    put_header(w, x.h);
    w.num(x.hash.hi), w.num(x.hash.lo);
    bool content = a && a->capture;
    w.num(static_cast<uint8_t>(content));
    if (content) w.str(a->buf.data);
    if (a)
      for (auto& [i, v] : a->visitors) visitors.push_back(Kept{entries, i, v});
    ++entries;
    if (scratch.size() >= (64u << 10)) flush();
  }
  void abandon() override {
    abandoned = true;
    visitors.clear();
    drop();
  }

  // The layer ended: its stats, and the file closed until commit.
  void end_layer(const LayerStats& stats) {
    SerialOut w(scratch);
    w.num(kEndTag);
    w.num(static_cast<uint8_t>(stats.compression));
    w.num(stats.compressed_bytes), w.num(stats.uncompressed_bytes), w.num(stats.entries);
    w.str(stats.blob_digest), w.str(stats.diff_id);
    w.num(static_cast<uint64_t>(stats.notes.size()));
    for (auto& n : stats.notes) w.str(n);
    flush();
    close_fd();
    std::string().swap(scratch);
  }

  // The visitors' results and the trailer; then the rename. False: not written.
  bool finish() { return seal() && place(); }

  // The visitors' results and the trailer: the temporary file is a whole entry, which this
  // process may replay (sealed_path) before it is renamed into place.
  bool seal() {
    if (sealed) return true;
    if (abandoned || tmp.empty()) return false;
    fd = ::open(tmp.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
      session.note_problem("cannot write " + tmp + ": " + errno_text());
      drop();
      return false;
    }
    const uint64_t visitors_at = offset;
    SerialOut w(scratch);
    uint64_t kept = 0;
    for (const Kept& k : visitors) kept += !k.visitor->inert();
    w.num(kept);
    std::string saved;
    for (const Kept& k : visitors) {
      if (k.visitor->inert()) continue;
      saved.clear();
      if (!k.visitor->save(saved)) {
        abandon();
        return false;
      }
      w.num(k.ordinal), w.num(static_cast<uint64_t>(k.index)), w.str(saved);
      if (scratch.size() >= (64u << 10)) flush();
    }
    flush();
    if (abandoned) return false;
    ContentHash h = sum.digest();
    w.num(visitors_at), w.num(entries), w.num(h.hi), w.num(h.lo);
    bool ok = write_all(fd, scratch.data(), scratch.size());
    ok = ::close(fd) == 0 && ok;
    fd = -1;
    if (!ok) {
      session.note_problem("cannot write " + tmp + ": " + errno_text());
      drop();
      return false;
    }
    sealed = true;
    return true;
  }

  bool place() {
    if (!sealed || tmp.empty()) return false;
    std::string final_path = dir + "/" + key;
    if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
      session.note_problem("cannot write " + final_path + ": " + errno_text());
      drop();
      return false;
    }
    tmp.clear();
    return true;
  }
};

// ---- the session ----

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

// ---- the cache ----

LayerCache::LayerCache(LayerCacheSession& session) : session_(session), dir_(session.dir()) {
  if (!dir_.empty()) cache_dir::remove_orphans(dir_);
}

LayerCache::~LayerCache() {
  pending_.clear();  // their temporary files go
  for (auto it = made_dirs_.rbegin(); it != made_dirs_.rend(); ++it) ::rmdir(it->c_str());  // only if empty
}

bool LayerCache::ensure_dir() {
  std::lock_guard lock(mu_);
  if (dir_ok_ || dir_failed_) return dir_ok_;
  std::vector<std::string> missing;
  for (std::string d = dir_; !d.empty() && d != "/"; d = d.substr(0, d.rfind('/'))) {
    struct stat st {};
    if (::stat(d.c_str(), &st) == 0) break;
    missing.push_back(d);
    if (d.rfind('/') == std::string::npos) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) {
      dir_failed_ = true;
      session_.note_problem("cannot create " + *it + ": " + errno_text());
      return false;
    }
    made_dirs_.push_back(*it);
  }
  dir_ok_ = true;
  return true;
}

std::unique_ptr<LayerCache::Recording> LayerCache::record(const std::string& key) {
  if (key.empty() || dir_.empty() || !ensure_dir()) return nullptr;
  {
    // An image that repeats a layer records it once.
    std::lock_guard lock(mu_);
    if (!recorded_.insert(key).second) return nullptr;
  }
  auto w = std::make_unique<Writer>(session_, dir_, key);
  if (!w->open()) return nullptr;
  return w;
}

void LayerCache::finished(std::unique_ptr<Recording> r, const LayerStats& stats) {
  auto* w = static_cast<Writer*>(r.get());
  if (!w || w->abandoned) return;
  w->end_layer(stats);
  if (w->abandoned) return;
  std::lock_guard lock(mu_);
  pending_.emplace_back(static_cast<Writer*>(r.release()));
}

void LayerCache::commit() {
  std::vector<std::unique_ptr<Writer>> ws;
  std::vector<std::string> made;
  {
    std::lock_guard lock(mu_);
    ws.swap(pending_);
    made.swap(made_dirs_);
  }
  if (session_.deferring()) {  // renamed into place when the command succeeds; replayed by this process until then
    std::vector<std::unique_ptr<Writer>> sealed;
    for (auto& w : ws)
      if (w->seal()) sealed.push_back(std::move(w));
    session_.keep_deferred(std::move(sealed), std::move(made));
    return;
  }
  session_.write_entries(ws, false);
}

// ---- reading ----

bool LayerCache::from_this_run(const std::string& key) const { return !session_.sealed_path(dir_ + "/" + key).empty(); }

std::optional<LayerStats> LayerCache::replay(const std::string& key, const std::function<void(CachedEntry&)>& fn) {
  if (key.empty() || dir_.empty()) return std::nullopt;
  std::string path = dir_ + "/" + key;
  if (std::string sealed = session_.sealed_path(path); !sealed.empty()) path = sealed;
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  // From here on, anything amiss is damage (a crash mid-write cannot leave one: entries are
  // renamed into place whole): the layer is read again and its entry replaced.
  auto damaged = [&] {
    session_.note_problem(path + ": damaged or cut short; the layer is read again and its entry rewritten");
    return std::nullopt;
  };
  if (size < sizeof kMagic + 8 + kTrailer) return damaged();
  const uint64_t body = size - kTrailer;
  uint64_t visitors_at, entries;
  ContentHash want;
  {
    std::string t(kTrailer, '\0');
    if (!pread_all(fd.fd, t.data(), t.size(), body)) return damaged();
    SerialIn r(t);
    visitors_at = r.num<uint64_t>(), entries = r.num<uint64_t>();
    want.hi = r.num<uint64_t>(), want.lo = r.num<uint64_t>();
  }
  if (visitors_at > body) return damaged();
  std::string block;  // for the checksum and the records
  // The checksum first: a damaged entry must be a miss before anything reaches fn.
  {
    Xxh128 sum;
    std::string& buf = block;
    buf.resize(1 << 20);
    for (uint64_t off = 0; off < body;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), body - off));
      if (!pread_all(fd.fd, buf.data(), n, off)) return damaged();
      sum.update(buf.data(), n);
      off += n;
    }
    if (sum.digest() != want) return damaged();
  }
  // The visitors' results, by entry, and the header: a mismatch here is a miss.
  std::string vbytes(static_cast<size_t>(body - visitors_at), '\0');
  if (!pread_all(fd.fd, vbytes.data(), vbytes.size(), visitors_at)) return damaged();
  std::map<uint64_t, std::vector<std::pair<size_t, std::string_view>>> by_entry;
  BlockReader in(fd.fd, visitors_at, block);
  try {
    SerialIn r(vbytes);
    for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
      uint64_t ordinal = r.num<uint64_t>(), index = r.num<uint64_t>();
      by_entry[ordinal].emplace_back(static_cast<size_t>(index), r.str());
    }
    char magic[sizeof kMagic];
    in.read(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof kMagic) != 0 || in.num<uint32_t>() != kFormat ||
        in.num<uint32_t>() != kByteOrder || in.str() != key)
      return damaged();
  } catch (const SerialError&) {
    return damaged();
  }
  ::futimens(fd.fd, nullptr);  // used now: the last to be evicted (a read-only cache stays as it is)
  try {
    session_.count_hit();
    CachedEntry c;
    for (uint64_t ordinal = 0;; ++ordinal) {
      uint8_t tag = in.num<uint8_t>();
      if (tag == kEndTag) break;
      if (tag != kEntryTag || ordinal >= entries) throw SerialError("bad entry tag");
      TarHeader& h = c.h;
      h.name = in.str();
      h.type = static_cast<EntryType>(in.num<uint8_t>());
      h.is_hardlink = in.num<uint8_t>() != 0;
      h.link = in.str();
      h.mode = in.num<uint32_t>(), h.uid = in.num<uint32_t>(), h.gid = in.num<uint32_t>();
      h.size = in.num<uint64_t>(), h.mtime = in.num<int64_t>();
      h.dev_major = in.num<uint32_t>(), h.dev_minor = in.num<uint32_t>();
      h.xattrs.clear();
      for (uint64_t n = in.num<uint64_t>(); n > 0; --n) {
        std::string k = in.str();
        h.xattrs.emplace_back(std::move(k), in.str());
      }
      c.hash.hi = in.num<uint64_t>(), c.hash.lo = in.num<uint64_t>();
      c.has_content = in.num<uint8_t>() != 0;
      if (c.has_content) c.content = in.str();
      else c.content.clear();
      auto v = by_entry.find(ordinal);
      if (v != by_entry.end()) c.visitors = std::move(v->second);
      else c.visitors.clear();
      fn(c);
    }
    LayerStats stats;
    stats.compression = static_cast<Compression>(in.num<uint8_t>());
    stats.compressed_bytes = in.num<uint64_t>(), stats.uncompressed_bytes = in.num<uint64_t>(), stats.entries = in.num<uint64_t>();
    stats.blob_digest = in.str(), stats.diff_id = in.str();
    for (uint64_t n = in.num<uint64_t>(); n > 0; --n) stats.notes.push_back(in.str());
    return stats;
  } catch (const SerialError& e) {
    // The checksum held, so this is not damage: a writer of another build with the same format
    // number. Entries may have reached fn already; the caller must not go on with this layer.
    throw InputError(path, std::string("layer cache entry unreadable (") + e.what() +
                               "); remove it, or run with --no-cache");
  }
}

}  // namespace imagelint
