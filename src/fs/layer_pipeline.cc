#include "fs/layer_pipeline.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "fs/layer_cache.h"
#include "util/path.h"
#include "util/serial.h"
#include "util/task_pool.h"

namespace imagelint {
namespace {

constexpr size_t kBatch = 512;              // entries handed over at once
constexpr size_t kAheadEntries = 16 * 1024;  // a worker runs at most this far ahead of the merge, per layer

struct Cancelled {};

// Made here, on the worker, so that the merge only links it in.
void make_node(IndexedEntry& x) {
  if (!x.norm_ok || x.norm.empty() || x.h.is_hardlink || base_name(x.norm).starts_with(".wh.")) return;
  Entry e = entry_of(x.h);
  e.hash = x.hash;
  x.node = FileSystem::make_node(x.norm, std::move(e));
}

}  // namespace

struct LayerPipeline::Channel {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<IndexedEntry>> batches;
  size_t queued = 0;  // entries in batches
  bool done = false;
  std::exception_ptr error;
  LayerStats stats;
};

Entry entry_of(const TarHeader& h) {
  Entry e;
  e.type = h.type;
  e.mode = h.mode;
  e.uid = h.uid;
  e.gid = h.gid;
  e.mtime = h.mtime;
  e.dev_major = h.dev_major;
  e.dev_minor = h.dev_minor;
  e.set_xattrs(h.xattrs);
  if (h.type == EntryType::Symlink) e.link = h.link;
  if (h.type == EntryType::File) e.size = h.size;
  return e;
}

struct LayerPipeline::Impl {
  const std::vector<LayerInfo>& layers;
  CaptureSet* captures;
  LayerCache* cache;
  ReadOptions read;
  std::vector<std::unique_ptr<Channel>> channels;
  std::vector<std::thread> workers;
  std::atomic<bool> cancelled{false};
  std::atomic<size_t> next{0};  // the next layer no worker took

  Impl(const std::vector<LayerInfo>& l, CaptureSet* c, LayerCache* lc, ReadOptions r)
      : layers(l), captures(c), cache(lc), read(r) {
    for (size_t i = 0; i < layers.size(); ++i) channels.push_back(std::make_unique<Channel>());
  }

  void push(Channel& ch, std::vector<IndexedEntry>& batch) {
    std::unique_lock lock(ch.mu);
    ch.cv.wait(lock, [&] { return cancelled || ch.queued < kAheadEntries; });
    if (cancelled) throw Cancelled{};
    ch.queued += batch.size();
    ch.batches.push_back(std::move(batch));
    batch.clear();
    batch.reserve(kBatch);
    ch.cv.notify_all();
  }

  // The entry sinks are opened for: a regular file, by the name the tar gives it.
  bool sinks_for(const IndexedEntry& x) const {
    return captures && x.norm_ok && x.h.type == EntryType::File && !x.h.is_hardlink &&
           !base_name(x.norm).starts_with(".wh.");
  }
  static Entry sink_entry(const TarHeader& h, int layer) {
    Entry e;
    e.type = EntryType::File;
    e.mode = h.mode;
    e.size = h.size;
    e.layer = layer;
    return e;
  }

  // A cached layer: its entries as they were read, the sinks restored from what they kept.
  std::optional<LayerStats> replay(const std::string& key, const LayerInfo& layer, Channel& ch,
                                   std::vector<IndexedEntry>& batch) {
    return cache->replay(key, [&](CachedEntry& c) {
      if (cancelled) throw Cancelled{};
      IndexedEntry x;
      x.h = std::move(c.h);
      x.norm_ok = normalize_path(x.h.name, x.norm);
      x.hash = c.hash;
      if (sinks_for(x))
        x.sinks = captures->restore(x.norm, sink_entry(x.h, layer.index), c.has_content ? &c.content : nullptr, c.visitors);
      else if (c.has_content || !c.visitors.empty())
        throw SerialError("'" + x.h.name + "' has content or results kept that nothing wants");
      make_node(x);
      batch.push_back(std::move(x));
      if (batch.size() >= kBatch) push(ch, batch);
    });
  }

  void read_one(size_t i) {
    Channel& ch = *channels[i];
    const LayerInfo& layer = layers[i];
    std::vector<IndexedEntry> batch;
    batch.reserve(kBatch);
    try {
      const std::string key = cache ? LayerCache::key(layer, captures) : "";
      std::optional<LayerStats> cached;
      // A layer another image of this run recorded (diff's B sharing A's): this image's blob is
      // a file of its own, so its digest is checked (sha256 of the stored bytes, no inflate).
      if (!key.empty() && cache->from_this_run(key)) verify_blob(layer, read);
      if (!key.empty()) cached = replay(key, layer, ch, batch);
      if (cached) {
        if (!batch.empty()) push(ch, batch);
        std::lock_guard lock(ch.mu);
        ch.stats = std::move(*cached);
        ch.done = true;
        ch.cv.notify_all();
        return;
      }
      std::unique_ptr<LayerCache::Recording> rec = key.empty() ? nullptr : cache->record(key);
      LayerStats st = read_layer(layer, [&](const TarHeader& h, EntryData& data) {
        IndexedEntry x;
        x.h = h;
        x.norm_ok = normalize_path(h.name, x.norm);
        if (x.norm_ok && h.type == EntryType::File && !h.is_hardlink) {
          std::unique_ptr<CaptureSet::Active> sinks;
          if (sinks_for(x)) sinks = captures->open(x.norm, sink_entry(h, layer.index));
          Xxh128 hasher;
          data.each([&](const char* p, size_t n) {
            if (cancelled) throw Cancelled{};  // the merge gave up: do not finish a 10 GiB file
            hasher.update(p, n);
            if (sinks) CaptureSet::write(*sinks, p, n);
          });
          x.hash = hasher.digest();
          if (sinks) CaptureSet::end_visitors(*sinks);
          x.sinks = std::move(sinks);
        }
        if (rec) rec->add(x);
        make_node(x);
        batch.push_back(std::move(x));
        if (batch.size() >= kBatch) push(ch, batch);
      }, read);
      if (!batch.empty()) push(ch, batch);
      if (rec) cache->finished(std::move(rec), st);
      std::lock_guard lock(ch.mu);
      ch.stats = std::move(st);
      ch.done = true;
    } catch (const Cancelled&) {
      return;
    } catch (...) {
      std::lock_guard lock(ch.mu);
      ch.error = std::current_exception();
      ch.done = true;
    }
    ch.cv.notify_all();
  }
};

LayerPipeline::LayerPipeline(const std::vector<LayerInfo>& layers, CaptureSet* captures, LayerCache* cache,
                             unsigned threads, ReadOptions read)
    : impl_(std::make_unique<Impl>(layers, captures, cache, read)) {
  if (threads == 0) threads = TaskPool::hardware_threads();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(layers.size())));
  // A worker takes the next layer nobody took yet (layers differ in size by 100×: a fixed share
  // each would leave one worker idle while the other reads the big ones). Layers are taken in
  // order, so the merge, which consumes them in order, always finds the layer it waits for being
  // read or done.
  for (unsigned k = 0; k < threads; ++k)
    impl_->workers.emplace_back([this] {
      for (size_t i; !impl_->cancelled && (i = impl_->next++) < impl_->layers.size();) impl_->read_one(i);
    });
}

LayerPipeline::~LayerPipeline() {
  impl_->cancelled = true;
  for (auto& ch : impl_->channels) {
    std::lock_guard lock(ch->mu);
    ch->cv.notify_all();
  }
  for (auto& t : impl_->workers) t.join();
}

LayerStats LayerPipeline::consume(size_t i, const std::function<void(IndexedEntry&)>& fn) {
  Channel& ch = *impl_->channels.at(i);
  for (;;) {
    std::vector<IndexedEntry> batch;
    {
      std::unique_lock lock(ch.mu);
      ch.cv.wait(lock, [&] { return !ch.batches.empty() || ch.done; });
      if (ch.batches.empty()) {
        if (ch.error) std::rethrow_exception(ch.error);
        return std::move(ch.stats);
      }
      batch = std::move(ch.batches.front());
      ch.batches.pop_front();
      ch.queued -= batch.size();
    }
    ch.cv.notify_all();
    for (IndexedEntry& x : batch) fn(x);
  }
}

}  // namespace imagelint
