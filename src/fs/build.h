// The single streaming pass: every layer in order, applied to one FileSystem, content captured on
// the way. Layers are never extracted and never held in memory.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fs/capture.h"
#include "fs/filesystem.h"
#include "fs/layer_reader.h"
#include "image/image.h"
#include "util/run_context.h"

namespace imagelint {

// One entry of one layer as its tar ships it (diff's update cost: what a layer makes hosts
// download), recorded in the pass when CaptureSet::want_layer_records() asks.
struct LayerRecordEntry {
  std::string name;  // normalised (whiteouts keep their .wh. names)
  Entry entry;       // as the header says (entry_of), with the content hash; hardlink(): its target
};
using LayerRecord = std::vector<LayerRecordEntry>;  // tar order

struct BuildResult {
  FileSystem fs;
  std::vector<LayerStats> layers;  // one per image layer (empty for dir:)
  std::vector<std::string> notes;  // tolerated oddities, one line each
  int rereads = 0;                 // layers read a second time to resolve links for captures
  // The filesystem after the first CaptureSet::snapshot_layers() layers, when asked for.
  std::shared_ptr<const FileSystem> snapshot;  // shared with the chain it came from, when one did
  std::vector<LayerRecord> layer_records;  // one per layer, when asked for
};

struct ChainState;

// Throws InputError on anything unreadable, corrupt or hostile. run: the layer cache, threads,
// progress line and timings of this run. from: the state after the image's first layers (a chain
// snapshot made with a capture set of the same fingerprint); only the layers after it are applied.
// Without one, and with a layer cache and captures, the longest chain of the image's first layers
// that the cache holds a snapshot of is loaded (with CaptureSet::want_snapshot(N): the chain of N
// layers, made and kept when the cache has none).
BuildResult build_filesystem(const Image& img, CaptureSet* captures = nullptr, const RunContext& run = RunContext::none(),
                             std::shared_ptr<const ChainState> from = nullptr);

// The state after img's first n layers, read with captures (whose declarations it follows): loaded from the
// layer cache's snapshot of that chain, else made from the layers (each late read done, the
// captures settled) and kept there. Throws as build_filesystem.
std::shared_ptr<ChainState> build_chain(const Image& img, int n, CaptureSet& captures,
                                              const RunContext& run = RunContext::none());

// The chain the images of one run share (check IMAGE...: their common first layers, or the base's):
// made by the first image that needs it, applied under each of the others.
struct SharedChain {
  int layers = 0;               // 0: none
  std::string fingerprint;      // of the capture set it was read with
  std::shared_ptr<ChainState> state;
};

// Content read again after the pass: at most cap_for(path) bytes of each file, and its real size.
using CapFor = std::function<uint64_t(const std::string& final_path)>;
using ContentSink = std::function<void(const std::string& final_path, std::string&& bytes, uint64_t size)>;

// Reads the content of regular files of the final filesystem again: only the layers that hold
// their bytes, each once, in layer order (or the files of a dir: rootfs). Paths that are not
// regular files are skipped, and so are bytes whose xxh3 is not the entry's (an earlier entry of
// the same name in a layer, a rootfs file changed since the walk). Returns how many layers were read.
int read_contents(const Image& img, const FileSystem& fs, const std::vector<std::string>& paths, const CapFor& cap_for,
                  const ContentSink& got, const RunContext& run = RunContext::none());

// dir: transport (fs/dir_source.cc): walks ROOTFS without following symlinks.
void walk_rootfs(const std::string& root, FileSystem& fs, CaptureSet* captures);
// Reads wanted files of a rootfs after the walk (captures by path that resolved elsewhere).
// names: file name under root -> final path.
void read_rootfs_files(const std::string& root, const std::map<std::string, std::string>& names, const FileSystem& fs,
                       const CapFor& cap_for, const ContentSink& got);

}  // namespace imagelint
