#include "fs/layer_cache_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/layer_pipeline.h"

namespace imagelint {
namespace cache_format {

std::string errno_text() { return std::strerror(errno); }

void put_header(SerialOut& w, const TarHeader& h) {
  w.str(h.name);
  w.num(static_cast<uint8_t>(h.type)), w.num(static_cast<uint8_t>(h.is_hardlink));
  w.str(h.link);
  w.num(h.mode), w.num(h.uid), w.num(h.gid), w.num(h.size), w.num(h.mtime), w.num(h.dev_major), w.num(h.dev_minor);
  w.num(static_cast<uint64_t>(h.xattrs.size()));
  for (auto& [k, v] : h.xattrs) w.str(k), w.str(v);
}

}  // namespace cache_format

using namespace cache_format;

namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

LayerCache::Writer::~Writer() { drop(); }

void LayerCache::Writer::close_fd() {
  if (fd >= 0) ::close(fd), fd = -1;
}

void LayerCache::Writer::drop() {
  close_fd();
  if (!tmp.empty()) ::unlink(tmp.c_str()), tmp.clear();
}

bool LayerCache::Writer::open() {
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

void LayerCache::Writer::flush() {
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

void LayerCache::Writer::add(const IndexedEntry& x) {
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

void LayerCache::Writer::abandon() {
  abandoned = true;
  visitors.clear();
  drop();
}

void LayerCache::Writer::end_layer(const LayerStats& stats) {
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

bool LayerCache::Writer::finish() { return seal() && place(); }

bool LayerCache::Writer::seal() {
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

bool LayerCache::Writer::place() {
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

}  // namespace imagelint
