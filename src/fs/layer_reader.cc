#include "fs/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>

#include <fmt/format.h>

#include "util/run_context.h"
#include "util/error.h"
#include "util/progress.h"

namespace imagelint {
namespace {

// After the real stream ends, libarchive may still ask for the padding and end-of-archive
// blocks that some writers (umoci 0.4.7) leave out; it gets zeros, and we check afterwards that
// no zero was consumed as file content.
constexpr size_t kSyntheticZeros = 1024 + 512;

// Holes of sparse files are handed on as zeros (the content hash must not depend on how the
// writer stored a file). A few bytes of tar can declare a terabyte of holes, so one layer may
// expand at most this much: hashing it takes seconds, not hours.
constexpr uint64_t kMaxHoleBytes = 16ull << 30;

struct Feed {
  ByteSource* src = nullptr;
  std::vector<char> buf = std::vector<char>(256 * 1024);
  uint64_t real = 0;          // real bytes handed to libarchive
  size_t zeros_given = 0;
  uint64_t holes = 0;  // hole bytes expanded so far in this layer
  bool real_eof = false;
  std::exception_ptr error;
};

la_ssize_t feed_read(struct archive*, void* ctx, const void** out) {
  auto* f = static_cast<Feed*>(ctx);
  if (!f->real_eof) {
    try {
      size_t n = f->src->read(f->buf.data(), f->buf.size());
      if (n > 0) {
        f->real += n;
        *out = f->buf.data();
        return static_cast<la_ssize_t>(n);
      }
    } catch (...) {
      f->error = std::current_exception();
      return -1;
    }
    f->real_eof = true;
  }
  if (f->zeros_given >= kSyntheticZeros) return 0;
  std::memset(f->buf.data(), 0, 512);
  f->zeros_given += 512;
  *out = f->buf.data();
  return 512;
}

// The blob's bytes as they are read, for the progress line.
class ProgressSource : public ByteSource {
 public:
  ProgressSource(ByteSource& in, Progress* progress) : in_(in), progress_(progress) {}
  size_t read(char* buf, size_t n) override {
    size_t got = in_.read(buf, n);
    if (progress_) progress_->advance(got);
    return got;
  }

 private:
  ByteSource& in_;
  Progress* progress_;
};

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

class LaEntryData : public EntryData {
 public:
  LaEntryData(struct archive* a, uint64_t size, Feed& feed, const std::string& display, const std::string& name)
      : a_(a), size_(size), data_end_(static_cast<uint64_t>(archive_filter_bytes(a, -1)) + size), feed_(feed),
        display_(display), name_(name) {}
  void each(const std::function<void(const char*, size_t)>& fn) override {
    if (done_) return;
    done_ = true;
    static const char zeros[64 * 1024] = {};
    uint64_t pos = 0;
    auto fill_hole = [&](uint64_t to) {
      feed_.holes += to - pos;
      if (feed_.holes > kMaxHoleBytes)
        throw InputError(display_, fmt::format("sparse file '{}' ({} bytes) has holes adding up to more than {} GiB in "
                                               "this layer, more than this tool expands",
                                               name_, size_, kMaxHoleBytes >> 30));
      while (pos < to) {
        size_t k = static_cast<size_t>(std::min<uint64_t>(sizeof zeros, to - pos));
        fn(zeros, k);
        pos += k;
      }
    };
    for (;;) {
      const void* buf = nullptr;
      size_t len = 0;
      la_int64_t off = 0;
      int rc = archive_read_data_block(a_, &buf, &len, &off);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) fail();
      uint64_t uoff = static_cast<uint64_t>(off);
      if (off < 0 || uoff < pos || uoff > size_ || len > size_ - uoff)
        throw InputError(display_, "corrupt tar: data of '" + name_ + "' lies outside the entry");
      if (pos < uoff) fill_hole(uoff);
      if (len) fn(static_cast<const char*>(buf), len);
      pos += len;
    }
    if (pos < size_) fill_hole(size_);
    check_real();
  }
  void skip() {
    if (done_) return;
    done_ = true;
    if (archive_read_data_skip(a_) < ARCHIVE_WARN) fail();
    check_real();
  }

 private:
  // Content must come from the real stream, never from the synthetic end-of-archive zeros
  // (padding after it may: umoci 0.4.7 leaves it out).
  void check_real() {
    if (feed_.real_eof && data_end_ > feed_.real)
      throw InputError(display_, "truncated layer: the tar stream ends inside '" + name_ + "'");
  }
  [[noreturn]] void fail() {
    if (feed_.error) std::rethrow_exception(feed_.error);
    check_real();
    throw InputError(display_, "corrupt tar in '" + name_ + "': " + (archive_error_string(a_) ? archive_error_string(a_) : "read failed"));
  }
  struct archive* a_;
  uint64_t size_;
  uint64_t data_end_;  // offset in the tar stream where this entry's data ends
  Feed& feed_;
  const std::string& display_;
  const std::string& name_;
  bool done_ = false;
};

EntryType type_of(mode_t m) {
  switch (m & AE_IFMT) {
    case AE_IFDIR: return EntryType::Dir;
    case AE_IFLNK: return EntryType::Symlink;
    case AE_IFCHR: return EntryType::Char;
    case AE_IFBLK: return EntryType::Block;
    case AE_IFIFO: return EntryType::Fifo;
    case AE_IFSOCK: return EntryType::Socket;
    default: return EntryType::File;
  }
}

}  // namespace

namespace {

// The entry's extended attributes into h, sorted, each listed once.
void read_tar_xattrs(struct archive_entry* ae, TarHeader& h, const std::string& display) {
  if (archive_entry_xattr_reset(ae) <= 0) return;
  const char* xn = nullptr;
  const void* xv = nullptr;
  size_t xl = 0;
  while (archive_entry_xattr_next(ae, &xn, &xv, &xl) == ARCHIVE_OK) {
    if (xl > 65536) throw InputError(display, "xattr larger than 64 KiB on '" + h.name + "'");
    h.xattrs.emplace_back(xn ? xn : "", std::string(static_cast<const char*>(xv), xl));
  }
  // libarchive's pax writer stores each xattr twice (LIBARCHIVE.xattr.* and SCHILY.xattr.*),
  // and its reader hands both back: one attribute, listed once.
  std::sort(h.xattrs.begin(), h.xattrs.end());
  h.xattrs.erase(std::unique(h.xattrs.begin(), h.xattrs.end()), h.xattrs.end());
}

// The header libarchive read (rc: what archive_read_next_header returned) as a TarHeader, with
// what it dropped and what no filesystem holds refused.
TarHeader read_tar_header(struct archive* a, struct archive_entry* ae, int rc, const std::string& display) {
  TarHeader h;
  const char* name = archive_entry_pathname(ae);
  h.name = name ? name : "";
  if (rc == ARCHIVE_WARN) {
    // libarchive warns and goes on when it drops part of a header: a pax record it rejects
    // (over 1 MB, malformed) loses the path, link target or size it carried. Only a failed
    // charset conversion is harmless here (names are kept as raw bytes).
    const char* msg = archive_error_string(a);
    std::string_view m = msg ? msg : "";
    if (!m.ends_with("to current locale."))
      throw InputError(display, fmt::format("corrupt tar at entry '{}': {}", h.name, m.empty() ? "bad header" : m));
  }
  if (h.name.size() > 4096) throw InputError(display, "entry name longer than 4096 bytes");
  const char* hl = archive_entry_hardlink(ae);
  if (hl) {
    h.is_hardlink = true;
    h.link = hl;
    h.type = EntryType::File;
  } else {
    h.type = type_of(archive_entry_filetype(ae));
    if (h.type == EntryType::Symlink) {
      const char* t = archive_entry_symlink(ae);
      h.link = t ? t : "";
    }
  }
  // Linux refuses longer link targets (PATH_MAX): no filesystem can hold one.
  if (h.link.size() > 4096)
    throw InputError(display, fmt::format("{} '{}': target longer than 4096 bytes ({} bytes)",
                                          h.is_hardlink ? "hardlink" : "symlink", h.name, h.link.size()));
  h.mode = archive_entry_perm(ae) & 07777;
  h.uid = static_cast<uint32_t>(archive_entry_uid(ae));
  h.gid = static_cast<uint32_t>(archive_entry_gid(ae));
  la_int64_t sz = archive_entry_size(ae);
  h.size = (h.type == EntryType::File && !h.is_hardlink && sz > 0) ? static_cast<uint64_t>(sz) : 0;
  h.mtime = archive_entry_mtime(ae);
  if (h.type == EntryType::Char || h.type == EntryType::Block) {
    h.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(ae));
    h.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(ae));
  }
  read_tar_xattrs(ae, h, display);
  return h;
}

// The digests of what was read (stats) against what the image says (layer), where it says.
void check_layer_digests(const LayerInfo& layer, const LayerStats& stats, const std::string& display) {
  if (!layer.digest.empty() && stats.blob_digest != layer.digest)
    throw InputError(display, "blob digest mismatch: expected " + layer.digest + ", actual " + stats.blob_digest);
  if (!layer.diff_id.empty() && stats.diff_id != layer.diff_id)
    throw InputError(display, "diff_id mismatch: expected " + layer.diff_id + ", actual " + stats.diff_id);
}

LayerStats read_layer_impl(const LayerInfo& layer, const EntryFn& fn, const std::function<bool()>& stop,
                           const ReadOptions& opts) {
  const std::string display = fmt::format("layer {} ({})", layer.index, layer.blob.display);
  LayerStats stats;
  auto raw = open_blob(layer.blob);
  ProgressSource counted(*raw, opts.progress);
  HashingSource blob_hash(counted);
  DecompressingSource decomp(blob_hash, display, opts.zlib);
  HashingSource tar_hash(decomp);
  stats.compression = decomp.compression();

  std::unique_ptr<struct archive, ArchiveFree> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  Feed feed;
  feed.src = &tar_hash;
  if (archive_read_open2(a.get(), &feed, nullptr, feed_read, nullptr, nullptr) != ARCHIVE_OK) {
    if (feed.error) std::rethrow_exception(feed.error);
    throw InputError(display, "not a tar archive (nor gzip, zstd or xz compressed)");
  }

  for (;;) {
    struct archive_entry* ae = nullptr;
    int rc = archive_read_next_header(a.get(), &ae);
    if (rc == ARCHIVE_EOF) break;
    if (feed.error) std::rethrow_exception(feed.error);
    if (rc < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a.get());
      if (feed.real_eof && static_cast<uint64_t>(archive_filter_bytes(a.get(), -1)) > feed.real)
        throw InputError(display, "truncated layer: the tar stream ends inside an entry header");
      throw InputError(display, std::string("corrupt tar: ") + (msg ? msg : "bad header"));
    }
    TarHeader h = read_tar_header(a.get(), ae, rc, display);
    ++stats.entries;
    LaEntryData data(a.get(), h.size, feed, display, h.name);
    fn(h, data);
    data.skip();
    if (stop && stop()) return stats;  // a second read that has what it wanted
  }
  if (feed.zeros_given >= 1024)  // libarchive needed the end-of-archive blocks we supplied
    stats.notes.push_back("the tar stream has no end-of-archive marker (as umoci 0.4.7 writes); read anyway");
  // Bytes after the end-of-archive marker are part of the blob and of the diff_id.
  if (!feed.real_eof) {
    std::vector<char> sink(64 * 1024);
    while (tar_hash.read(sink.data(), sink.size()) > 0) {
    }
  }
  stats.compressed_bytes = blob_hash.bytes();
  stats.uncompressed_bytes = tar_hash.bytes();
  stats.diff_id = tar_hash.digest();
  stats.blob_digest = blob_hash.digest();
  check_layer_digests(layer, stats, display);
  return stats;
}

}  // namespace

ReadOptions read_options(const RunContext& run) { return ReadOptions{run.progress, run.zlib_inflate}; }

LayerStats read_layer(const LayerInfo& layer, const EntryFn& fn, const ReadOptions& opts) {
  return read_layer_impl(layer, fn, nullptr, opts);
}

void verify_blob(const LayerInfo& layer, const ReadOptions& opts) {
  if (layer.digest.empty()) {
    read_layer(layer, [](const TarHeader&, EntryData&) {}, opts);
    return;
  }
  auto raw = open_blob(layer.blob);
  ProgressSource counted(*raw, opts.progress);
  HashingSource blob_hash(counted);
  std::vector<char> sink(256 * 1024);
  while (blob_hash.read(sink.data(), sink.size()) > 0) {
  }
  const std::string actual = blob_hash.digest();
  if (actual != layer.digest)
    throw InputError(fmt::format("layer {} ({})", layer.index, layer.blob.display),
                     "blob digest mismatch: expected " + layer.digest + ", actual " + actual);
}

void read_layer_until(const LayerInfo& layer, const EntryFn& fn, const std::function<bool()>& stop,
                      const ReadOptions& opts) {
  read_layer_impl(layer, fn, stop, opts);
}

}  // namespace imagelint
