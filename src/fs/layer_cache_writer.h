// The layer cache's on-disk entry and its writer (fs/layer_cache.cc reads entries,
// fs/layer_cache_writer.cc writes them, fs/layer_cache_session.cc places them). Internal to fs/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "fs/capture.h"
#include "fs/layer_cache.h"
#include "util/hash.h"
#include "util/serial.h"

namespace imagelint {
namespace cache_format {

// Bump whenever what a layer's read keeps changes meaning: the record layout, a visitor's saved
// form, or what the reader does with an entry.
inline constexpr uint32_t kFormat = 1;
inline constexpr char kMagic[8] = {'I', 'L', 'L', 'A', 'Y', 'E', 'R', '\n'};
inline constexpr uint32_t kByteOrder = 0x01020304;
inline constexpr size_t kTrailer = 8 + 8 + 16;  // visitors' offset, entries, xxh3-128 of what precedes
inline constexpr uint8_t kEntryTag = 1, kEndTag = 0;

std::string errno_text();
void put_header(SerialOut& w, const TarHeader& h);

}  // namespace cache_format

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
  ~Writer() override;

  void close_fd();
  void drop();
  bool open();
  void flush();

  void add(const IndexedEntry& x) override;
  void abandon() override;

  // The layer ended: its stats, and the file closed until commit.
  void end_layer(const LayerStats& stats);

  // The visitors' results and the trailer; then the rename. False: not written.
  bool finish();

  // The visitors' results and the trailer: the temporary file is a whole entry, which this
  // process may replay (sealed_path) before it is renamed into place.
  bool seal();

  bool place();
};

}  // namespace imagelint
