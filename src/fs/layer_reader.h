// Streams one layer: blob bytes -> sha256 (blob digest) -> decompress -> sha256 (diff_id) -> tar
// entries. Nothing is buffered beyond libarchive's block and the decompressor's window.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fs/filesystem.h"
#include "image/decompress.h"
#include "image/image.h"

namespace imagelint {

struct TarHeader {
  std::string name;      // raw, as in the archive
  EntryType type = EntryType::File;
  bool is_hardlink = false;
  std::string link;      // symlink target or hardlink name
  uint32_t mode = 0, uid = 0, gid = 0;
  uint64_t size = 0;
  int64_t mtime = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// Pulls an entry's content in chunks (holes of sparse files come back as zeros).
class EntryData {
 public:
  virtual ~EntryData() = default;
  // Calls fn for each chunk until the entry ends.
  virtual void each(const std::function<void(const char*, size_t)>& fn) = 0;
};

struct LayerStats {
  Compression compression = Compression::None;
  uint64_t compressed_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  uint64_t entries = 0;
  std::string blob_digest, diff_id;  // as computed
  std::vector<std::string> notes;
};

using EntryFn = std::function<void(const TarHeader&, EntryData&)>;

class Progress;
struct RunContext;

// How a read goes, from the run (RunContext): where the blob bytes read are counted, and which
// gzip decoder inflates.
struct ReadOptions {
  Progress* progress = nullptr;  // null: not counted
  bool zlib = false;             // zlib instead of ISA-L
};
// A run's read options (its progress line and gzip decoder).
ReadOptions read_options(const RunContext& run);

// Reads the whole layer, calling fn for every entry, then checks the blob digest (when the
// descriptor names one) and the diff_id. Throws InputError naming the layer on any failure.
LayerStats read_layer(const LayerInfo& layer, const EntryFn& fn, const ReadOptions& opts = {});

// Checks the layer's blob against its descriptor digest without decompressing it (sha256 of the
// stored bytes); a layer without one is read whole, for its diff_id. Throws InputError naming the
// layer, as read_layer does.
void verify_blob(const LayerInfo& layer, const ReadOptions& opts = {});

// A second read, for content the first pass already verified: stops as soon as stop() says so
// after an entry (the rest of the layer is neither decompressed nor checked). Callers must check
// what they get against the first pass (e.g. the entry's content hash).
void read_layer_until(const LayerInfo& layer, const EntryFn& fn, const std::function<bool()>& stop,
                      const ReadOptions& opts = {});

}  // namespace imagelint
