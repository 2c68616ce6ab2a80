#include "drift/chunked.h"

#include <zstd.h>

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "image/source.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/path.h"

namespace imagelint::drift {

namespace {

constexpr uint64_t kFooterSize = 40;            // containers/storage FooterSizeSupported
constexpr uint64_t kMaxToc = 256ull << 20;      // uncompressed TOC bytes we accept
constexpr const char* kFooterMagic = "GnUlInUx";  // ZstdChunkedFrameMagic

uint64_t le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// "offset:length:uncompressed:type" -> its four numbers.
bool parse_position(const std::string& s, uint64_t (&out)[4]) {
  size_t pos = 0;
  for (int k = 0; k < 4; ++k) {
    size_t end = s.find(':', pos);
    if ((k < 3) != (end != std::string::npos)) return false;
    std::string part = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.empty() || part.size() > 19 || part.find_first_not_of("0123456789") != std::string::npos) return false;
    out[k] = std::stoull(part);
    pos = end + 1;
  }
  return true;
}

// A non-negative integer field of an entry no larger than max, or 0 when absent.
uint64_t number(const nlohmann::json& e, const char* key, uint64_t max, const std::string& where) {
  auto it = e.find(key);
  if (it == e.end()) return 0;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max)
    throw InputError(where, std::string("zstd:chunked TOC: an entry's ") + key + " is not an integer within the blob");
  return it->get<uint64_t>();
}

std::string text(const nlohmann::json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The TOC's JSON, its position checked against the blob and the footer, its digest against the
// annotation, its size against what it declares. *data_end: where the files' frames end.
nlohmann::json read_toc_json(const LayerInfo& layer, uint64_t* data_end, uint64_t* toc_bytes) {
  const std::string& where = layer.blob.display;
  const uint64_t blob = layer.blob.length;
  uint64_t pos[4];
  if (!parse_position(layer.toc_position, pos))
    throw InputError(where, "zstd:chunked manifest-position annotation '" + layer.toc_position.substr(0, 80) +
                                "' is not offset:length:uncompressed:type");
  const uint64_t off = pos[0], len = pos[1], ulen = pos[2];
  if (pos[3] != 1) throw InputError(where, "zstd:chunked TOC of type " + std::to_string(pos[3]) + " (only 1, CRFS, is known)");
  // The TOC's frame (8 bytes of header, len of data) ends where the footer's frame starts; every
  // subtraction below is checked not to wrap.
  if (blob < kFooterSize + 16 || len > blob - kFooterSize - 16 || off < 8 || off > blob - kFooterSize - 8 - len)
    throw InputError(where, "zstd:chunked TOC at " + std::to_string(off) + "+" + std::to_string(len) + " lies outside the " +
                                std::to_string(blob) + "-byte blob");
  if (ulen > kMaxToc) throw InputError(where, "zstd:chunked TOC declares " + std::to_string(ulen) + " bytes (at most 256 MiB)");
  // The footer says the same as the annotation.
  BlobRef foot = layer.blob;
  foot.offset += blob - kFooterSize;
  foot.length = kFooterSize;
  const std::string f = read_blob(foot, kFooterSize);
  const auto* fp = reinterpret_cast<const unsigned char*>(f.data());
  if (f.size() != kFooterSize || f.compare(32, 8, kFooterMagic) != 0 || le64(fp) != off || le64(fp + 8) != len ||
      le64(fp + 16) != ulen)
    throw InputError(where, "zstd:chunked footer does not match the manifest-position annotation");
  BlobRef tocref = layer.blob;
  tocref.offset += off;
  tocref.length = len;
  const std::string compressed = read_blob(tocref, len);
  if (!layer.toc_checksum.empty() && sha256_of(compressed) != layer.toc_checksum)
    throw InputError(where, "zstd:chunked TOC does not match its manifest-checksum annotation");
  std::string raw(ulen, '\0');
  size_t got = ZSTD_decompress(raw.data(), raw.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(got) || got != ulen)
    throw InputError(where, "zstd:chunked TOC does not decompress to the " + std::to_string(ulen) + " bytes it declares");
  nlohmann::json doc = nlohmann::json::parse(raw, nullptr, false);
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array())
    throw InputError(where, "zstd:chunked TOC is not JSON with an entries list");
  *data_end = off - 8;  // where the TOC's skippable frame starts
  *toc_bytes = len + 8 + kFooterSize + 8;
  return doc;
}

}  // namespace

std::optional<ChunkedToc> read_chunked_toc(const LayerInfo& layer, const LayerRecord* names) {
  if (layer.toc_position.empty()) return std::nullopt;
  const std::string& where = layer.blob.display;
  uint64_t data_end = 0;
  ChunkedToc toc;
  const nlohmann::json doc = read_toc_json(layer, &data_end, &toc.toc_bytes);
  std::unordered_set<std::string_view> in_tar;
  if (names)
    for (const LayerRecordEntry& e : *names) in_tar.insert(e.name);
  ChunkedToc::File* open = nullptr;  // the file the following chunk entries belong to
  uint64_t file_end = 0;
  for (const nlohmann::json& e : doc["entries"]) {
    if (!e.is_object()) throw InputError(where, "zstd:chunked TOC: an entry is not an object");
    const std::string type = text(e, "type");
    std::string name;
    if (!normalize_path(text(e, "name"), name) || (name.empty() && (type == "reg" || type == "chunk")))
      throw InputError(where, "zstd:chunked TOC: entry '" + text(e, "name").substr(0, 200) + "' is no path inside the root");
    if (type == "reg") {
      const uint64_t size = number(e, "size", UINT64_MAX >> 1, where);
      if (names && !in_tar.count(name)) throw InputError(where, "zstd:chunked TOC lists " + name + ", which the layer's tar does not hold");
      toc.files.push_back({name, text(e, "digest"), {}});
      open = &toc.files.back();
      if (size == 0) {
        open = nullptr;
        continue;
      }
      const uint64_t begin = number(e, "offset", data_end, where), end = number(e, "endOffset", data_end, where);
      if (begin >= end) throw InputError(where, "zstd:chunked TOC: " + name + " ends at " + std::to_string(end) + ", before it begins");
      open->chunks.push_back({begin, end, text(e, "chunkDigest")});
      file_end = end;
    } else if (type == "chunk") {
      if (!open || open->name != name) throw InputError(where, "zstd:chunked TOC: a chunk of " + name + " follows no file of that name");
      const uint64_t begin = number(e, "offset", data_end, where);
      ChunkedToc::Chunk& last = open->chunks.back();
      if (begin <= last.begin || begin >= file_end)
        throw InputError(where, "zstd:chunked TOC: a chunk of " + name + " at " + std::to_string(begin) + " is out of order");
      last.end = begin;  // the previous chunk ends where this one starts
      open->chunks.push_back({begin, file_end, text(e, "chunkDigest")});
    } else {
      open = nullptr;  // directories, links, devices: no content
    }
  }
  return toc;
}

void HeldDigests::add(const ChunkedToc& toc) {
  for (const ChunkedToc::File& f : toc.files) {
    if (!f.digest.empty()) files.insert(f.digest);
    for (const ChunkedToc::Chunk& c : f.chunks)
      if (!c.digest.empty()) chunks.insert(c.digest);
  }
}

uint64_t partial_pull_bytes(const ChunkedToc& toc, const HeldDigests& held) {
  uint64_t n = toc.toc_bytes;
  for (const ChunkedToc::File& f : toc.files) {
    if (!f.digest.empty() && held.files.count(f.digest)) continue;
    for (const ChunkedToc::Chunk& c : f.chunks)
      if (c.digest.empty() || !held.chunks.count(c.digest)) n += c.end - c.begin;
  }
  return n;
}

}  // namespace imagelint::drift
