#include "fs/chain.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/layer_cache.h"
#include "util/build_id.h"
#include "util/fd.h"
#include "util/hash.h"
#include "util/serial.h"
#include "util/version.h"

namespace imagelint {
namespace {

// Bump whenever the state a snapshot holds changes meaning (with the layer cache's format: what a
// visitor saves is the same in both).
constexpr uint32_t kChainFormat = 1;
constexpr char kChainMagic[8] = {'I', 'L', 'C', 'H', 'A', 'I', 'N', '\n'};
constexpr uint32_t kChainByteOrder = 0x01020304;
constexpr size_t kChainSum = 16;
constexpr uint64_t kMaxChainBytes = 4ull << 30;

void put_entry(SerialOut& w, const Entry& e) {
  w.num(static_cast<uint8_t>(e.type)), w.num(e.mode), w.num(e.uid), w.num(e.gid), w.num(e.size), w.num(e.mtime);
  w.num(e.dev_major), w.num(e.dev_minor);
  w.str(e.link);
  w.num(e.hash.hi), w.num(e.hash.lo);
  w.num(static_cast<int32_t>(e.layer));
  w.str(std::string_view(reinterpret_cast<const char*>(e.touched.data()), e.touched.size() * sizeof(char16_t)));
  w.num(static_cast<uint8_t>(e.implicit));
  w.num(static_cast<int32_t>(e.data_layer));
  w.str(e.hardlink()), w.str(e.data_path());
  w.num(static_cast<uint64_t>(e.xattrs().size()));
  for (auto& [k, v] : e.xattrs()) w.str(k), w.str(v);
}

LayerList get_layers(SerialIn& r) {
  std::string_view b = r.str();
  if (b.size() % sizeof(char16_t)) throw SerialError("a layer list of odd length");
  LayerList l(b.size() / sizeof(char16_t), u'\0');
  std::memcpy(l.data(), b.data(), b.size());
  return l;
}

Entry get_entry(SerialIn& r) {
  Entry e;
  uint8_t type = r.num<uint8_t>();
  if (type > static_cast<uint8_t>(EntryType::Socket)) throw SerialError("an entry of no known type");
  e.type = static_cast<EntryType>(type);
  e.mode = r.num<uint32_t>(), e.uid = r.num<uint32_t>(), e.gid = r.num<uint32_t>();
  e.size = r.num<uint64_t>(), e.mtime = r.num<int64_t>();
  e.dev_major = r.num<uint32_t>(), e.dev_minor = r.num<uint32_t>();
  e.link = r.str();
  e.hash.hi = r.num<uint64_t>(), e.hash.lo = r.num<uint64_t>();
  e.layer = r.num<int32_t>();
  e.touched = get_layers(r);
  e.implicit = r.num<uint8_t>() != 0;
  e.data_layer = r.num<int32_t>();
  if (std::string_view h = r.str(); !h.empty()) e.set_hardlink(std::string(h));
  if (std::string_view d = r.str(); !d.empty()) e.set_data_path(std::string(d));
  Xattrs x;
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    std::string k(r.str());
    x.emplace_back(std::move(k), std::string(r.str()));
  }
  e.set_xattrs(std::move(x));
  return e;
}

void put_strings(SerialOut& w, const std::vector<std::string>& v) {
  w.num(static_cast<uint64_t>(v.size()));
  for (auto& s : v) w.str(s);
}

std::vector<std::string> get_strings(SerialIn& r) {
  std::vector<std::string> v;
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) v.emplace_back(r.str());
  return v;
}

void put_stats(SerialOut& w, const LayerStats& s) {
  w.num(static_cast<uint8_t>(s.compression));
  w.num(s.compressed_bytes), w.num(s.uncompressed_bytes), w.num(s.entries);
  w.str(s.blob_digest), w.str(s.diff_id);
  put_strings(w, s.notes);
}

LayerStats get_stats(SerialIn& r) {
  LayerStats s;
  s.compression = static_cast<Compression>(r.num<uint8_t>());
  s.compressed_bytes = r.num<uint64_t>(), s.uncompressed_bytes = r.num<uint64_t>(), s.entries = r.num<uint64_t>();
  s.blob_digest = r.str(), s.diff_id = r.str();
  s.notes = get_strings(r);
  return s;
}

}  // namespace

std::vector<std::string> chain_ids(const Image& img) {
  std::vector<std::string> ids;
  for (const LayerInfo& l : img.layers) {
    if (l.diff_id.empty()) return {};
    ids.push_back(ids.empty() ? l.diff_id : sha256_of(ids.back() + " " + l.diff_id));
  }
  return ids;
}

namespace {

std::string key_of(const Image& img, int n, const std::vector<std::string>& ids, const std::string& fp) {
  std::string text;
  SerialOut w(text);
  w.num(kChainFormat);
  w.str(kVersion);
  w.str(build_identity());
  w.str(ids[static_cast<size_t>(n - 1)]);
  // The blobs too: the layers' stats (compression, stored size) are the blobs'.
  for (int i = 0; i < n; ++i) {
    const LayerInfo& l = img.layers[static_cast<size_t>(i)];
    if (l.digest.empty()) return "";
    w.str(l.digest), w.num(l.size), w.str(l.media_type);
  }
  w.str(fp);
  std::string d = sha256_of(text);
  return d.substr(d.find(':') + 1);
}

}  // namespace

std::string chain_key(const Image& img, int n, const CaptureSet& captures) {
  if (n <= 0 || static_cast<size_t>(n) > img.layers.size() || !img.rootfs.empty()) return "";
  const std::string fp = captures.fingerprint();
  std::vector<std::string> ids = fp.empty() ? std::vector<std::string>{} : chain_ids(img);
  return ids.empty() ? "" : key_of(img, n, ids, fp);
}

std::vector<std::string> chain_keys(const Image& img, const CaptureSet& captures) {
  if (!img.rootfs.empty()) return {};
  const std::string fp = captures.fingerprint();
  std::vector<std::string> ids = fp.empty() ? std::vector<std::string>{} : chain_ids(img);
  std::vector<std::string> keys;
  for (size_t n = 1; n <= ids.size(); ++n) {
    keys.push_back(key_of(img, static_cast<int>(n), ids, fp));
    if (keys.back().empty()) return {};
  }
  return keys;
}

std::string encode_chain(const ChainState& st, const std::string& key, std::string* why) {
  std::string out;
  SerialOut w(out);
  w.raw(kChainMagic, sizeof kChainMagic);
  w.num(kChainFormat), w.num(kChainByteOrder);
  w.str(key);
  w.num(static_cast<int32_t>(st.layers));
  w.num(static_cast<uint64_t>(st.stats.size()));
  for (auto& s : st.stats) put_stats(w, s);
  put_strings(w, st.notes);
  w.num(static_cast<uint64_t>(st.fs.size()));
  for (auto& [path, e] : st.fs.entries()) w.str(path), put_entry(w, e);
  w.num(static_cast<uint64_t>(st.fs.removed().size()));
  for (auto& [path, r] : st.fs.removed()) {
    w.str(path);
    w.str(std::string_view(reinterpret_cast<const char*>(r.touched.data()), r.touched.size() * sizeof(char16_t)));
    w.num(static_cast<int32_t>(r.deleted_in));
  }
  const CaptureState& c = st.captures;
  w.num(c.used);
  put_strings(w, c.notes);
  w.num(static_cast<int32_t>(c.layers));
  w.num(static_cast<uint64_t>(c.pattern_files.size()));
  for (auto& [path, cap] : c.pattern_files) w.str(path), w.num(cap);
  w.num(static_cast<uint64_t>(c.captured.size()));
  for (auto& [path, k] : c.captured) {
    w.str(path), w.str(k.data), w.num(k.size), w.num(static_cast<uint8_t>(k.truncated)), w.num(static_cast<int32_t>(k.layer));
  }
  w.num(static_cast<uint64_t>(c.visits.size()));
  std::string saved;
  for (size_t i = 0; i < c.visits.size(); ++i) {
    std::vector<std::pair<const std::string*, std::string>> kept;
    for (auto& [path, v] : c.visits[i]) {
      if (v->inert()) continue;
      saved.clear();
      if (!v->save(saved)) {
        if (why) *why = "visitor " + std::to_string(i) + " cannot keep its result for '" + path + "'";
        return "";
      }
      kept.emplace_back(&path, saved);
    }
    w.num(static_cast<uint64_t>(kept.size()));
    for (auto& [path, bytes] : kept) w.str(*path), w.str(bytes);
  }
  ContentHash sum = xxh128_of(out);
  w.num(sum.hi), w.num(sum.lo);
  return out;
}

std::shared_ptr<ChainState> decode_chain(std::string_view bytes, const std::string& key, const CaptureSet& captures) {
  if (bytes.size() < sizeof kChainMagic + 8 + kChainSum) throw SerialError("cut short");
  std::string_view body = bytes.substr(0, bytes.size() - kChainSum);
  SerialIn sum(bytes.substr(body.size()));
  ContentHash want;
  want.hi = sum.num<uint64_t>(), want.lo = sum.num<uint64_t>();
  if (xxh128_of(body) != want) throw SerialError("checksum mismatch");
  SerialIn r(body);
  if (std::memcmp(r.take(sizeof kChainMagic).data(), kChainMagic, sizeof kChainMagic) != 0) throw SerialError("not a chain snapshot");
  if (r.num<uint32_t>() != kChainFormat || r.num<uint32_t>() != kChainByteOrder) throw SerialError("another format");
  if (r.str() != key) throw SerialError("another key");
  auto st = std::make_shared<ChainState>();
  st->layers = r.num<int32_t>();
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) st->stats.push_back(get_stats(r));
  if (st->layers <= 0 || st->stats.size() != static_cast<size_t>(st->layers)) throw SerialError("layer count");
  st->notes = get_strings(r);
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    std::string path(r.str());
    if (!st->fs.append_sorted(std::move(path), get_entry(r))) throw SerialError("entries out of order");
  }
  std::map<std::string, Removed> removed;
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    std::string path(r.str());
    Removed& x = removed[path];
    x.touched = get_layers(r);
    x.deleted_in = r.num<int32_t>();
  }
  st->fs.set_removed(std::move(removed));
  CaptureState& c = st->captures;
  c.used = r.num<uint64_t>();
  c.notes = get_strings(r);
  c.layers = r.num<int32_t>();
  if (c.layers != st->layers) throw SerialError("the captures' layer count");
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    std::string path(r.str());
    c.pattern_files.emplace_back(std::move(path), r.num<uint64_t>());
  }
  for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
    std::string path(r.str());
    Captured& k = c.captured[path];
    k.data = r.str();
    k.size = r.num<uint64_t>();
    k.truncated = r.num<uint8_t>() != 0;
    k.layer = r.num<int32_t>();
  }
  const uint64_t kinds = r.num<uint64_t>();
  if (kinds != captures.visitor_count()) throw SerialError("visitor count");
  c.visits.resize(static_cast<size_t>(kinds));
  for (size_t i = 0; i < kinds; ++i)
    for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
      std::string path(r.str());
      std::string_view saved = r.str();
      const Entry* e = st->fs.find(path);
      VisitorPtr v = captures.load_visitor(i, path, e ? *e : Entry{}, saved);
      if (!v) throw SerialError("the kept result of visitor " + std::to_string(i) + " for '" + path + "' does not load");
      c.visits[i].emplace(std::move(path), std::move(v));
    }
  if (!r.done()) throw SerialError("bytes after the end");
  return st;
}

bool has_chain(const LayerCacheSession& session, const std::string& key) {
  if (key.empty() || session.dir().empty()) return false;
  struct stat st {};
  return ::stat((session.dir() + "/" + key).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::shared_ptr<ChainState> load_chain(LayerCacheSession& session, const std::string& key, const CaptureSet& captures) {
  if (key.empty() || session.dir().empty()) return nullptr;
  const std::string path = session.dir() + "/" + key;
  OwnedFd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  auto damaged = [&](const std::string& why) -> std::shared_ptr<ChainState> {
    session.note_problem(path + ": chain snapshot unusable (" + why + "); the layers are applied again and it is rewritten");
    return nullptr;
  };
  if (static_cast<uint64_t>(st.st_size) > kMaxChainBytes) return damaged("larger than 4 GiB");
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  for (size_t got = 0; got < bytes.size();) {
    ssize_t n = ::read(fd.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return damaged(n < 0 ? std::strerror(errno) : "cut short");
    got += static_cast<size_t>(n);
  }
  try {
    auto out = decode_chain(bytes, key, captures);
    ::futimens(fd.fd, nullptr);  // used now: the last to be evicted
    session.count_chain_hit();
    return out;
  } catch (const SerialError& e) {
    return damaged(e.what());
  }
}

}  // namespace imagelint
