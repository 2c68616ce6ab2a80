// zstd:chunked layers (containers/storage pkg/chunked): the table of contents a layer carries, and
// what podman's partial pull of it fetches. The blob is a zstd stream whose files are frames of
// their own (large files in chunks), followed by a skippable frame holding the TOC (zstd-compressed
// JSON: every entry with its digest, and for each file or chunk the range of the blob that holds
// it) and a 40-byte footer; the layer descriptor's annotations give the TOC's position
// (`offset:length:uncompressed length:type`) and its sha256. A host fetches the TOC, then only the
// ranges of files and chunks whose digests it does not hold already.
//
// The TOC is hostile input: its position must lie inside the blob and agree with the footer, its
// digest must match, it must decompress to the size it declares (at most 256 MiB), every range
// must lie inside the blob's data with chunks in order, and every file it lists must be in the
// layer's tar. A TOC that breaks any of these is an InputError naming the layer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "fs/build.h"
#include "image/image.h"

namespace imagelint::drift {

struct ChunkedToc {
  uint64_t toc_bytes = 0;  // the compressed TOC and the footer: always fetched
  struct Chunk {
    uint64_t begin = 0, end = 0;  // the compressed bytes of the chunk in the blob
    std::string digest;           // chunkDigest ("" for a file in one piece)
  };
  struct File {
    std::string name;    // normalised
    std::string digest;  // of the whole content
    std::vector<Chunk> chunks;
  };
  std::vector<File> files;
};

// Reads the layer's TOC when its annotations name one (nullopt otherwise); names: the entries of
// the layer's tar (normalised), which every file of the TOC must be among.
std::optional<ChunkedToc> read_chunked_toc(const LayerInfo& layer, const LayerRecord* names);

// What a host holding some layers has, by digest: whole files and chunks.
struct HeldDigests {
  std::unordered_set<std::string> files, chunks;
  void add(const ChunkedToc& toc);
};

// The bytes podman's partial pull of the layer fetches for a host that holds `held`.
uint64_t partial_pull_bytes(const ChunkedToc& toc, const HeldDigests& held);

}  // namespace imagelint::drift
