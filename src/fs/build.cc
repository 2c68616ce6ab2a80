#include "fs/build.h"

#include <set>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <fmt/format.h>

#include "fs/chain.h"
#include "fs/layer_cache.h"
#include "fs/layer_pipeline.h"
#include "util/path.h"
#include "util/error.h"
#include "util/perf.h"
#include "util/progress.h"
#include "util/run_context.h"

namespace imagelint {
namespace {

constexpr const char* kWhPrefix = ".wh.";
constexpr const char* kOpaque = ".wh..wh..opq";

[[noreturn]] void placement_error(const std::string& display, const std::string& name, const Resolved& r) {
  switch (r.status) {
    case Resolve::Escapes:
      throw InputError(display, "entry '" + name + "' escapes the image root through symlink '" + r.via + "'");
    case Resolve::Loop: throw InputError(display, "entry '" + name + "' lies below a symlink loop at '" + r.via + "'");
    case Resolve::NotDir:
      throw InputError(display, "entry '" + name + "' lies below '" + r.path + "', which is not a directory");
    default: throw InputError(display, "entry '" + name + "' cannot be placed");
  }
}

class LayerApplier {
 public:
  LayerApplier(FileSystem& fs, CaptureSet* captures, int layer, std::string display)
      : fs_(fs), captures_(captures), layer_(layer), display_(std::move(display)) {}

  // Entries whose content a capture wants at the path they landed on, which is not the name the
  // worker opened sinks for (a symlinked parent on the way): read again after the pass.
  std::vector<std::pair<std::string, std::string>>& late() { return late_; }

  void operator()(IndexedEntry& x) {
    const TarHeader& h = x.h;
    if (!x.norm_ok) throw InputError(display_, "entry '" + h.name + "' escapes the image root");
    const std::string& norm = x.norm;
    if (norm.empty()) return;  // the root itself
    Resolved where = fs_.place(norm);
    if (where.status != Resolve::Ok) placement_error(display_, h.name, where);
    const std::string& path = where.path;
    std::string_view base = base_name(path);

    if (base.starts_with(kWhPrefix)) {
      std::string dir = parent_path(path);
      if (base == kOpaque) {
        if (!dir.empty() && !fs_.find(dir)) {
          Entry d;
          d.type = EntryType::Dir;
          d.mode = 0755;
          d.implicit = true;
          put(dir, std::move(d), h.name);
        }
        fs_.opaque(dir, layer_);
      } else if (!base.starts_with(".wh..wh.")) {
        std::string_view victim = base.substr(4);
        // ".wh." alone, ".wh.." and ".wh..." would delete the directory itself or its parent:
        // no writer makes them, and applying them would delete what the layer does not name.
        if (victim.empty() || victim == "." || victim == "..")
          throw InputError(display_, "whiteout '" + h.name + "' names '" + std::string(victim) +
                                         "', not an entry of its directory");
        fs_.whiteout(join_path(dir, victim), layer_);
      }
      return;
    }

    if (h.is_hardlink) {
      std::string tnorm;
      if (!normalize_path(h.link, tnorm) || tnorm.empty())
        throw InputError(display_, "hardlink '" + h.name + "' points outside the image root ('" + h.link + "')");
      Resolved t = fs_.place(tnorm);
      if (t.status != Resolve::Ok) placement_error(display_, h.link, t);
      const Entry* target = fs_.find(t.path);
      if (!target) throw InputError(display_, "hardlink '" + h.name + "' points to '" + h.link + "', which does not exist");
      if (target->type == EntryType::Dir)
        throw InputError(display_, "hardlink '" + h.name + "' points to directory '" + h.link + "'");
      if (t.path == path) return;  // a link to itself changes nothing
      Entry copy = *target;
      copy.touched.clear();
      copy.set_hardlink(target->hardlink().empty() ? t.path : target->hardlink());
      copy.data_layer = target->data_layer;
      copy.set_data_path(target->data_path().empty() ? t.path : target->data_path());
      copy.implicit = false;
      put(path, std::move(copy), h.name);
      return;
    }
    FileSystem::Node node = x.node ? std::move(x.node) : FileSystem::make_node(path, entry_of(h));
    Entry& e = node.mapped();
    if (h.type == EntryType::File) {
      e.data_layer = layer_;
      if (path != norm) e.set_data_path(norm);
      e.hash = x.hash;
      if (captures_ && path == norm) captures_->close(path, std::move(x.sinks));
      else if (captures_ && captures_->wants_any(path)) late_.emplace_back(norm, path);
    }
    if (node.key() != path) node.key() = path;
    std::string why;
    if (!fs_.put(std::move(node), layer_, &why))
      throw InputError(display_, "cannot apply entry '" + h.name + "': " + why);
  }

 private:
  void put(const std::string& path, Entry e, const std::string& name) {
    std::string why;
    if (!fs_.put(path, std::move(e), layer_, &why))
      throw InputError(display_, "cannot apply entry '" + name + "': " + why);
  }

  FileSystem& fs_;
  CaptureSet* captures_;
  int layer_;
  std::string display_;
  std::vector<std::pair<std::string, std::string>> late_;  // tar name -> final path
};

}  // namespace

namespace {

LayerRecordEntry layer_record(const IndexedEntry& x, int layer) {
  LayerRecordEntry r{x.norm, entry_of(x.h)};
  r.entry.hash = x.hash;
  r.entry.layer = layer;
  if (x.h.is_hardlink) r.entry.set_hardlink(x.h.link);
  return r;
}

// layer -> {name in that layer's tar -> final path}; layer -1 is a dir: rootfs.
using Needs = std::map<int, std::map<std::string, std::string>>;

// Reads the named entries of each layer of needs, each layer once, stopping once every name has
// been had. A name may stand twice in one tar: fn streams an entry's bytes and says whether they
// were the final entry's (their hash), and only then does the name count as had.
using NamedFn = std::function<bool(const std::string& final_path, const Entry& e, EntryData& d)>;
int read_named(const Image& img, const Needs& needs, const FileSystem& fs, const RunContext& run, const NamedFn& fn) {
  const ReadOptions read = read_options(run);
  int layers = 0;
  for (auto& [layer_index, names] : needs) {
    if (layer_index < 0 || static_cast<size_t>(layer_index) >= img.layers.size()) continue;
    ++layers;
    size_t remaining = names.size();
    std::set<std::string> satisfied;
    if (run.progress) run.progress->expect(img.layers[static_cast<size_t>(layer_index)].size, 1);
    read_layer_until(
        img.layers[static_cast<size_t>(layer_index)],
        [&](const TarHeader& h, EntryData& d) {
          std::string norm;
          if (h.type != EntryType::File || h.is_hardlink || !normalize_path(h.name, norm)) return;
          auto it = names.find(norm);
          if (it == names.end() || satisfied.count(norm)) return;
          const Entry* e = fs.find(it->second);
          if (!e || e->type != EntryType::File || e->data_layer != layer_index || e->size != h.size) return;
          if (!fn(it->second, *e, d)) return;
          satisfied.insert(norm);
          --remaining;
        },
        [&] { return remaining == 0; }, read);
    if (run.progress) run.progress->layer_done();
  }
  return layers;
}

int reread(const Image& img, const Needs& needs, const FileSystem& fs, const RunContext& run, const CapFor& cap_for,
           const ContentSink& got) {
  if (!img.rootfs.empty()) {
    if (auto it = needs.find(-1); it != needs.end()) read_rootfs_files(img.rootfs, it->second, fs, cap_for, got);
    return 0;
  }
  return read_named(img, needs, fs, run, [&](const std::string& path, const Entry& e, EntryData& d) {
    std::string data;
    uint64_t cap = cap_for(path);
    data.reserve(static_cast<size_t>(std::min<uint64_t>(cap, e.size)));
    Xxh128 hash;
    d.each([&](const char* p, size_t n) {
      hash.update(p, n);
      uint64_t room = cap > data.size() ? cap - data.size() : 0;
      data.append(p, static_cast<size_t>(std::min<uint64_t>(room, n)));
    });
    if (hash.digest() != e.hash) return false;  // an earlier entry of the same name
    got(path, std::move(data), e.size);
    return true;
  });
}

// Entries that landed through a symlinked parent and that a capture or visitor wants at their
// final path: their layers read again, each once, the sinks opened for the final path.
int read_late(const Image& img, const Needs& late, const FileSystem& fs, CaptureSet& captures, const RunContext& run) {
  return read_named(img, late, fs, run, [&](const std::string& path, const Entry& e, EntryData& d) {
    std::unique_ptr<CaptureSet::Active> sinks = captures.open(path, e);
    Xxh128 hash;
    d.each([&](const char* p, size_t n) {
      hash.update(p, n);
      if (sinks) CaptureSet::write(*sinks, p, n);
    });
    if (hash.digest() != e.hash) return false;  // an earlier entry of the same name
    captures.close(path, std::move(sinks));
    return true;
  });
}

}  // namespace

namespace {

// Applies layers [from, to) of img to out (one pipeline over them; cached layers replayed).
void apply_layers(const Image& img, size_t from, size_t to, CaptureSet* captures, const RunContext& run,
                  BuildResult& out, Needs& late, LayerCache* cache) {
  if (from >= to) return;
  std::vector<LayerInfo> range(img.layers.begin() + static_cast<std::ptrdiff_t>(from),
                               img.layers.begin() + static_cast<std::ptrdiff_t>(to));
  uint64_t stored = 0;
  for (const LayerInfo& layer : range) stored += layer.size;
  if (run.progress) run.progress->expect(stored, range.size());
  PerfStage stage(run.perf, "read layers");
  LayerPipeline pipeline(range, captures, cache, run.worker_threads(), read_options(run));
  for (const LayerInfo& layer : range) {
    LayerApplier apply(out.fs, captures, layer.index, fmt::format("layer {} ({})", layer.index, layer.blob.display));
    LayerRecord* record = nullptr;
    if (captures && captures->layer_records()) record = &out.layer_records.emplace_back();
    LayerStats st = pipeline.consume(static_cast<size_t>(layer.index) - from, [&](IndexedEntry& x) {
      if (record && x.norm_ok && !x.norm.empty()) record->push_back(layer_record(x, layer.index));  // not the root
      apply(x);
    });
    for (auto& [name, path] : apply.late()) late[layer.index][name] = path;
    for (auto& n : st.notes) out.notes.push_back(fmt::format("layer {}: {}", layer.index, n));
    out.layers.push_back(std::move(st));
    if (captures && layer.index + 1 == captures->snapshot_layers()) out.snapshot = std::make_shared<const FileSystem>(out.fs);
    if (run.progress) run.progress->layer_done();
  }
}

// The longest chain of img's layers whose snapshot the cache holds (at most `most` layers), loaded.
std::shared_ptr<ChainState> cached_chain(const Image& img, int most, CaptureSet& captures, const RunContext& run) {
  const std::vector<std::string> keys = chain_keys(img, captures);
  for (int n = std::min(most, static_cast<int>(keys.size())); n > 0; --n) {
    const std::string& key = keys[static_cast<size_t>(n - 1)];
    if (!has_chain(*run.cache, key)) continue;
    PerfStage stage(run.perf, "load chain snapshot");
    if (auto st = load_chain(*run.cache, key, captures)) return st;
  }
  return nullptr;
}

bool chains_apply(const Image& img, const CaptureSet* captures, const RunContext& run) {
  return captures && run.cache && !run.cache->dir().empty() && !captures->layer_records() && img.rootfs.empty() &&
         !img.layers.empty();
}

}  // namespace

std::shared_ptr<ChainState> build_chain(const Image& img, int n, CaptureSet& captures, const RunContext& run) {
  if (n <= 0 || static_cast<size_t>(n) > img.layers.size() || !img.rootfs.empty())
    throw std::logic_error("build_chain: no such chain");
  const bool cached = chains_apply(img, &captures, run);
  const std::string key = cached ? chain_key(img, n, captures) : "";
  if (!key.empty() && has_chain(*run.cache, key)) {
    PerfStage stage(run.perf, "load chain snapshot");
    if (auto st = load_chain(*run.cache, key, captures)) return st;
  }
  BuildResult out;
  Needs late;
  std::unique_ptr<LayerCache> cache;
  if (cached) cache = std::make_unique<LayerCache>(*run.cache);
  apply_layers(img, 0, static_cast<size_t>(n), &captures, run, out, late, cache.get());
  auto st = std::make_shared<ChainState>();
  {
    PerfStage stage(run.perf, "read again (links)");
    read_late(img, late, out.fs, captures, run);
  }
  captures.settle();
  if (cache) cache->commit();
  st->layers = n;
  // A copy, not a move: the pass's nodes lie scattered among everything else the workers
  // allocated, a copy's lie together, and every image applied to the chain copies it again
  // (measured: 7 ms a copy of the bench base's 57k entries against 30 ms, and its rules faster).
  st->fs = out.fs;
  out.fs = FileSystem();
#ifdef __GLIBC__
  // The pass freed its buffers in the workers' arenas, where the main thread (every image applied
  // to the chain) cannot reuse them: hand them back, or a fleet run's peak is the pass's plus its own.
  ::malloc_trim(0);
#endif
  st->stats = std::move(out.layers);
  st->notes = std::move(out.notes);
  st->captures = captures.export_state(st->fs, n);
  if (!key.empty()) {
    PerfStage stage(run.perf, "write chain snapshot");
    std::string why;
    std::string bytes = encode_chain(*st, key, &why);
    if (bytes.empty()) run.cache->note_problem("chain snapshot not kept: " + why);
    else run.cache->keep_chain(key, std::move(bytes));
  }
  return st;
}

BuildResult build_filesystem(const Image& img, CaptureSet* captures, const RunContext& run,
                             std::shared_ptr<const ChainState> from) {
  BuildResult out;
  Needs late;
  std::unique_ptr<LayerCache> cache;
  if (!img.rootfs.empty()) walk_rootfs(img.rootfs, out.fs, captures);
  if (img.rootfs.empty()) {
    if (img.layers.size() > 65535) throw InputError(img.ref.path, "more than 65535 layers");
    // Where the layer cache holds a snapshot of a chain of this image's first layers, only the
    // layers after it are applied; check --base makes (and keeps) the snapshot of the base's chain.
    std::shared_ptr<ChainState> chain;  // this build's own: moved from, not copied
    if (!from && chains_apply(img, captures, run)) {
      const int want = captures->snapshot_layers();
      chain = want > 0 ? build_chain(img, want, *captures, run)
                       : cached_chain(img, static_cast<int>(img.layers.size()), *captures, run);
      from = chain;
    }
    size_t first = 0;
    if (from) {
      if (!captures || from->layers <= 0 || static_cast<size_t>(from->layers) > img.layers.size())
        throw std::logic_error("build_filesystem: a chain that is not this image's");
      PerfStage stage(run.perf, "copy chain");
      if (captures->snapshot_layers() == from->layers) out.snapshot = std::shared_ptr<const FileSystem>(from, &from->fs);
      if (chain && !out.snapshot) {
        out.fs = std::move(chain->fs);
        out.layers = std::move(chain->stats);
        out.notes = std::move(chain->notes);
      } else {
        out.fs = from->fs;
        out.layers = from->stats;
        out.notes = from->notes;
      }
      captures->import_state(from->captures);
      first = static_cast<size_t>(from->layers);
    }
    if (run.cache && !run.cache->dir().empty()) cache = std::make_unique<LayerCache>(*run.cache);
    apply_layers(img, first, img.layers.size(), captures, run, out, late, cache.get());
  }
  // The layer cache is written once the image was read whole and the visitors' work is done.
  auto commit = [&] {
    if (cache) cache->commit();
  };
  if (!captures) {
    commit();
    return out;
  }
  {
    PerfStage stage(run.perf, "read again (links)");
    out.rereads = read_late(img, late, out.fs, *captures, run);
    // Captures that resolved through a link to content the pass did not keep: read again only the
    // layers that hold those bytes, each once.
    out.rereads += reread(img, captures->finish(out.fs), out.fs, run,
                         [&](const std::string& p) { return captures->cap_for(p); },
                         [&](const std::string& path, std::string&& bytes, uint64_t size) {
                           Captured c;
                           c.size = size;
                           c.layer = out.fs.find(path)->layer;
                           c.truncated = size > bytes.size();
                           c.data = std::move(bytes);
                           captures->store(path, std::move(c));
                         });
  }
  captures->settle();
  commit();
  return out;
}

int read_contents(const Image& img, const FileSystem& fs, const std::vector<std::string>& paths, const CapFor& cap_for,
                  const ContentSink& got, const RunContext& run) {
  Needs needs;
  std::map<std::string, std::vector<std::string>> also;  // hardlinks: one read, several paths
  for (const std::string& p : paths) {
    const Entry* e = fs.find(p);
    if (!e || e->type != EntryType::File) continue;
    int layer = img.rootfs.empty() ? e->data_layer : -1;
    auto [it, fresh] = needs[layer].emplace(e->data_path().empty() ? p : e->data_path(), p);
    if (!fresh && it->second != p) also[it->second].push_back(p);
  }
  PerfStage stage(run.perf, "read again (contents)");
  return reread(img, needs, fs, run, cap_for, [&](const std::string& path, std::string&& bytes, uint64_t size) {
    auto it = also.find(path);
    if (it != also.end())
      for (auto& other : it->second) got(other, std::string(bytes), size);
    got(path, std::move(bytes), size);
  });
}

}  // namespace imagelint
