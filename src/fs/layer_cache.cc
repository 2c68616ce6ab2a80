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
#include "fs/layer_cache_writer.h"
#include "fs/layer_pipeline.h"
#include "util/build_id.h"
#include "util/error.h"
#include "util/run_context.h"
#include "util/serial.h"
#include "util/version.h"
#include "util/fd.h"

namespace imagelint {
namespace {

using namespace cache_format;

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

// An entry's trailer: where the visitors' results start, how many entries it holds, its checksum.
struct CacheTrailer {
  uint64_t visitors_at = 0, entries = 0;
  ContentHash want;
};

// Reads the trailer that starts at body (the entry's size less kTrailer); false if it cannot.
bool read_cache_trailer(int fd, uint64_t body, CacheTrailer& out) {
  std::string t(kTrailer, '\0');
  if (!pread_all(fd, t.data(), t.size(), body)) return false;
  SerialIn r(t);
  out.visitors_at = r.num<uint64_t>(), out.entries = r.num<uint64_t>();
  out.want.hi = r.num<uint64_t>(), out.want.lo = r.num<uint64_t>();
  return true;
}

// Whether the first body bytes of the entry hash to want (buf: scratch space, reused after).
bool cache_checksum_holds(int fd, uint64_t body, const ContentHash& want, std::string& buf) {
  Xxh128 sum;
  buf.resize(1 << 20);
  for (uint64_t off = 0; off < body;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), body - off));
    if (!pread_all(fd, buf.data(), n, off)) return false;
    sum.update(buf.data(), n);
    off += n;
  }
  return sum.digest() == want;
}

// The visitors' results by entry ordinal, as views into vbytes; throws SerialError.
using CachedVisitorResults = std::map<uint64_t, std::vector<std::pair<size_t, std::string_view>>>;
CachedVisitorResults read_cached_visitor_results(const std::string& vbytes) {
  CachedVisitorResults by_entry;
  SerialIn r(vbytes);
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    uint64_t ordinal = r.num<uint64_t>(), index = r.num<uint64_t>();
    by_entry[ordinal].emplace_back(static_cast<size_t>(index), r.str());
  }
  return by_entry;
}

// Whether the entry's header (magic, format, byte order) is this build's and names key; throws SerialError.
bool cache_header_matches(BlockReader& in, const std::string& key) {
  char magic[sizeof kMagic];
  in.read(magic, sizeof magic);
  return !(std::memcmp(magic, kMagic, sizeof kMagic) != 0 || in.num<uint32_t>() != kFormat ||
           in.num<uint32_t>() != kByteOrder || in.str() != key);
}

// One entry's record (header, hash, content) into c, its visitors' results left alone; throws SerialError.
void read_cached_record(BlockReader& in, CachedEntry& c) {
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
}

// The layer's stats, recorded after the end tag; throws SerialError.
LayerStats read_cached_stats(BlockReader& in) {
  LayerStats stats;
  stats.compression = static_cast<Compression>(in.num<uint8_t>());
  stats.compressed_bytes = in.num<uint64_t>(), stats.uncompressed_bytes = in.num<uint64_t>(), stats.entries = in.num<uint64_t>();
  stats.blob_digest = in.str(), stats.diff_id = in.str();
  for (uint64_t n = in.num<uint64_t>(); n > 0; --n) stats.notes.push_back(in.str());
  return stats;
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
  OwnedFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
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
  CacheTrailer trailer;
  if (!read_cache_trailer(fd.fd, body, trailer)) return damaged();
  if (trailer.visitors_at > body) return damaged();
  std::string block;  // for the checksum and the records
  // The checksum first: a damaged entry must be a miss before anything reaches fn.
  if (!cache_checksum_holds(fd.fd, body, trailer.want, block)) return damaged();
  // The visitors' results, by entry, and the header: a mismatch here is a miss.
  std::string vbytes(static_cast<size_t>(body - trailer.visitors_at), '\0');
  if (!pread_all(fd.fd, vbytes.data(), vbytes.size(), trailer.visitors_at)) return damaged();
  CachedVisitorResults by_entry;
  BlockReader in(fd.fd, trailer.visitors_at, block);
  try {
    by_entry = read_cached_visitor_results(vbytes);
    if (!cache_header_matches(in, key)) return damaged();
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
      if (tag != kEntryTag || ordinal >= trailer.entries) throw SerialError("bad entry tag");
      read_cached_record(in, c);
      auto v = by_entry.find(ordinal);
      if (v != by_entry.end()) c.visitors = std::move(v->second);
      else c.visitors.clear();
      fn(c);
    }
    return read_cached_stats(in);
  } catch (const SerialError& e) {
    // The checksum held, so this is not damage: a writer of another build with the same format
    // number. Entries may have reached fn already; the caller must not go on with this layer.
    throw InputError(path, std::string("layer cache entry unreadable (") + e.what() +
                               "); remove it, or run with --no-cache");
  }
}

}  // namespace imagelint
