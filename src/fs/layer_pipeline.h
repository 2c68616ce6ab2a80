// Layers decoded in parallel: each layer is read (inflate, both sha256, tar, xxh3 of every file,
// content captures and visitors) on its own worker thread into a stream of indexed entries, and
// the builder merges the streams strictly in layer order. A worker may run ahead of the merge by a
// bounded number of entries, so memory stays per entry in flight, never per layer; a layer's
// failure is reported when the merge reaches that layer, so errors come in layer order.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fs/capture.h"
#include "fs/layer_reader.h"
#include "image/image.h"
#include "util/hash.h"

namespace imagelint {

class LayerCache;

struct IndexedEntry {
  TarHeader h;
  std::string norm;      // normalised name; empty with norm_ok for the root itself
  bool norm_ok = false;  // false: the name escapes the root (the merge refuses it)
  ContentHash hash;      // regular files
  // Sinks opened by the name as the tar has it: the merge hands them on only when the entry lands
  // at that very path (no symlinked parent on the way).
  std::unique_ptr<CaptureSet::Active> sinks;
  // The entry as the filesystem will hold it, made by the worker (keyed by norm): every entry
  // but the root, whiteouts and hardlinks.
  FileSystem::Node node;
};

// The entry a tar header describes (what the header says; no layer, no hash).
Entry entry_of(const TarHeader& h);

class LayerPipeline {
 public:
  // captures and cache may be null. A layer the cache holds is replayed from it instead of read;
  // a layer read whole is recorded into it (written at cache->commit()). threads: workers reading
  // layers at once (0: one per core); read: how each layer is read (progress, gzip decoder).
  LayerPipeline(const std::vector<LayerInfo>& layers, CaptureSet* captures, LayerCache* cache = nullptr,
                unsigned threads = 0, ReadOptions read = {});
  ~LayerPipeline();  // stops the workers (a merge that threw leaves them blocked otherwise)
  LayerPipeline(const LayerPipeline&) = delete;
  LayerPipeline& operator=(const LayerPipeline&) = delete;

  // Calls fn for each entry of layer i in order, as they arrive, then returns the layer's stats;
  // rethrows the layer's error. Layers must be consumed in order 0, 1, 2…
  LayerStats consume(size_t i, const std::function<void(IndexedEntry&)>& fn);

 private:
  struct Channel;  // one layer's batches, from its worker to the merge
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imagelint
