// rpmdb: rpm's sqlite database (rpmdb.sqlite). Installing the same packages at another time, or in
// another order, gives other sqlite pages, other hnums and other install-time tags. The substance
// is the multiset of package headers, each without the tags rpm adds as install bookkeeping:
// INSTALLTIME (1008) and INSTALLTID (1128), which an experiment showed to differ between two
// installs of the same rpms, and INSTALLCOLOR (1127), the installing rpm's transaction colour.
// FILESTATES (1029) stays: it says which files are really on disk (e.g. --excludedocs).
#include <algorithm>
#include <cstring>
#include <vector>

#include "drift/normalisers/normalisers.h"
#include "facts/rpmdb.h"
#include "facts/rpmdb_internal.h"
#include "util/error.h"

namespace imagelint::drift {

using rpm_internal::be32;

namespace {

constexpr uint32_t kDroppedTags[] = {1008, 1127, 1128};  // INSTALLTIME, INSTALLCOLOR, INSTALLTID
constexpr uint32_t kTypeSize[10] = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};  // 0: NUL-terminated strings
constexpr uint32_t kTypeString = 6, kTypeBin = 7, kTypeMax = 9;

struct Entry {
  uint32_t tag, type, offset, count, length;
};

// The canonical digest of one header blob: its entries but the dropped ones, sorted by tag, each
// as tag, type, count, data length and data bytes. Every extent is checked to lie in the data and
// not to overlap another, so scanning for strings reads each data byte at most once.
ContentHash header_digest(std::string_view blob, const std::string& label) {
  auto bad = [&](const std::string& why) { unreadable(label + ": " + why); };
  if (blob.size() < 8) bad("header blob of " + std::to_string(blob.size()) + " bytes");
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  uint32_t il = be32(b), dl = be32(b + 4);
  if (il < 1 || il > kRpmMaxTags || dl > kRpmMaxData) bad("header il/dl out of range");
  if (8 + 16 * uint64_t{il} + dl != blob.size()) bad("header size does not match its il and dl");
  const unsigned char* data = b + 8 + 16 * size_t{il};

  std::vector<Entry> entries;
  entries.reserve(il);
  for (uint32_t i = 0; i < il; ++i) {
    const unsigned char* e = b + 8 + 16 * size_t{i};
    Entry en{be32(e), be32(e + 4), be32(e + 8), be32(e + 12), 0};
    if (en.type == 0 || en.type > kTypeMax) bad("entry " + std::to_string(i) + " has an unknown type");
    if (en.count < 1 || en.offset > dl) bad("entry " + std::to_string(i) + " has its count or offset out of range");
    if (en.type != kTypeBin && en.count > kRpmMaxArray) bad("entry " + std::to_string(i) + " has too many elements");
    if (en.type == kTypeString && en.count != 1) bad("entry " + std::to_string(i) + " is a STRING with count != 1");
    entries.push_back(en);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.offset < y.offset; });
  uint64_t end = 0;  // where the previous entry's data ends
  for (Entry& en : entries) {
    if (en.offset < end) bad("tag " + std::to_string(en.tag) + " overlaps another entry's data");
    if (uint32_t size = kTypeSize[en.type]) {
      uint64_t len = uint64_t{size} * en.count;
      if (len > dl - en.offset) bad("tag " + std::to_string(en.tag) + " runs past the header data");
      en.length = static_cast<uint32_t>(len);
    } else {
      uint32_t pos = en.offset;
      for (uint32_t k = 0; k < en.count; ++k) {
        const void* nul = pos < dl ? std::memchr(data + pos, 0, dl - pos) : nullptr;
        if (!nul) bad("tag " + std::to_string(en.tag) + " has a string running past the header data");
        pos = static_cast<uint32_t>(static_cast<const unsigned char*>(nul) - data) + 1;
      }
      en.length = pos - en.offset;
    }
    end = uint64_t{en.offset} + en.length;
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.tag < y.tag; });

  Xxh128 h;
  for (const Entry& en : entries) {
    if (std::find(std::begin(kDroppedTags), std::end(kDroppedTags), en.tag) != std::end(kDroppedTags)) continue;
    uint32_t fields[4] = {en.tag, en.type, en.count, en.length};
    h.update(fields, sizeof fields);
    h.update(data + en.offset, en.length);
  }
  return h.digest();
}

}  // namespace

Substance normalise_rpmdb(std::string_view bytes) {
  std::vector<ContentHash> headers;
  for_each_rpmdb_row(bytes, "", [&](int64_t hnum, std::optional<std::string_view> blob) {
    std::string label = "package #" + std::to_string(hnum);
    if (!blob) unreadable(label + ": blob is not a BLOB");
    headers.push_back(header_digest(*blob, label));
  });
  // hnum order is install order: the set of packages is what counts.
  std::sort(headers.begin(), headers.end(),
            [](const ContentHash& x, const ContentHash& y) { return x.hi != y.hi ? x.hi < y.hi : x.lo < y.lo; });
  Xxh128 h;
  for (const ContentHash& d : headers) {
    uint64_t words[2] = {d.hi, d.lo};
    h.update(words, sizeof words);
  }
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
