// An opened image: where its blobs are, what its manifest and config say. Opening reads only the
// small JSON documents (verified against their digests); layers are streamed later by fs/.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/reference.h"
#include "image/source.h"

#include "util/run_context.h"

namespace imagelint {

struct Platform {
  std::string os, arch, variant;
  std::string str() const { return os + "/" + arch + (variant.empty() ? "" : "/" + variant); }
};
// "os/arch[/variant]"; empty text means the machine's own platform.
Platform parse_platform(const std::string& text);

struct LayerInfo {
  int index = 0;
  BlobRef blob;
  std::string media_type;  // empty for docker-archive layers (no descriptor)
  std::string digest;      // descriptor digest of the blob as stored; empty when unknown
  uint64_t size = 0;       // bytes of the blob as stored
  std::string diff_id;     // from config rootfs.diff_ids
  std::string created_by;  // from config history (non-empty layers in order)
  // zstd:chunked (containers/storage): the descriptor's manifest-position and manifest-checksum
  // annotations (io.github.containers.zstd-chunked.* or io.containers.zstd-chunked.*), or "".
  std::string toc_position, toc_checksum;
};

struct Image {
  Reference ref;
  std::string manifest_digest;  // empty where the transport has none (docker-archive, dir)
  std::string manifest_media_type;
  std::string config_digest;
  std::string config_json;      // raw, verified
  Platform platform;
  std::map<std::string, std::string> labels;
  std::vector<LayerInfo> layers;
  std::string rootfs;           // dir: transport only
  std::shared_ptr<void> hold;   // containers-storage: the store's read locks, held while open
  // The history step that made layer i ("" for an index outside the image, e.g. -1).
  const std::string& created_by(int i) const {
    static const std::string kNone;
    return i >= 0 && static_cast<size_t>(i) < layers.size() ? layers[static_cast<size_t>(i)].created_by : kNone;
  }
};

struct OpenOptions {
  std::string platform;  // "os/arch[/variant]" or empty
};

// Throws InputError (exit 2) with the file and reason on anything unreadable or inconsistent.
// run: its environment finds podman's store (containers-storage: without a root); its timings.
Image open_image(const Reference& ref, const OpenOptions& opts, const RunContext& run = RunContext::none());

}  // namespace imagelint
