// Chain snapshots: the state after the first N layers of an image (the merged filesystem, every
// capture's content and visitor's result, the layers' stats and notes), kept in the layer cache
// directory under a key made of the layers' chain id and blob digests, the tool's build and the
// capture set's fingerprint. Instance images of one fleet share their base's chain: each loads the
// base's snapshot in one read and applies only its own layers (fs/build.cc).
//
// A snapshot is one file: magic, format, byte order, key, the state, and the xxh3-128 of all
// before it. It is written to a temporary file and renamed into place; one that does not check out
// (cut short, damaged, another build's) is a miss, and a fresh one replaces it. It is trusted as
// the layer entries it was made from are: the layers named by the same digests hold the same bytes.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fs/capture.h"
#include "fs/filesystem.h"
#include "fs/layer_reader.h"
#include "image/image.h"

namespace imagelint {

class LayerCacheSession;

struct ChainState {
  int layers = 0;                  // the first `layers` layers of the image
  FileSystem fs;                   // as they leave it
  std::vector<LayerStats> stats;   // one per layer
  std::vector<std::string> notes;  // BuildResult::notes of those layers
  CaptureState captures;           // every late read done, the visitors settled
};

// The OCI chain ids of the image's layers: ids[i] names layers 0..i (sha256 of the previous id,
// a space and the diff_id). Empty when a layer has no diff_id.
std::vector<std::string> chain_ids(const Image& img);

// The cache key of the snapshot of img's first n layers read with captures: 64 hex digits, or ""
// when it cannot be kept (a layer without digests, a capture set without a fingerprint).
std::string chain_key(const Image& img, int n, const CaptureSet& captures);
// The same for each n from 1 to the image's layer count (keys[n - 1]); empty when none can be kept.
std::vector<std::string> chain_keys(const Image& img, const CaptureSet& captures);

// The snapshot as bytes, key included; "" (and *why) when a visitor's result cannot be kept.
std::string encode_chain(const ChainState& st, const std::string& key, std::string* why);
// The snapshot back, its visitors made by captures' factories; throws SerialError on a file that
// does not check out (checksum, magic, format, key, any length).
std::shared_ptr<ChainState> decode_chain(std::string_view bytes, const std::string& key, const CaptureSet& captures);

// From the session's directory: the snapshot, or null on a miss (absent, or damaged: then the
// session notes why).
std::shared_ptr<ChainState> load_chain(LayerCacheSession& session, const std::string& key, const CaptureSet& captures);
// Whether the session's directory holds a snapshot under key (no read).
bool has_chain(const LayerCacheSession& session, const std::string& key);

}  // namespace imagelint
