#include "fs/build.h"

#include <fmt/format.h>

#include "fs/path.h"
#include "util/error.h"

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

  void operator()(const TarHeader& h, EntryData& data) {
    std::string norm;
    if (!normalize_path(h.name, norm)) throw InputError(display_, "entry '" + h.name + "' escapes the image root");
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
        fs_.whiteout(join_path(dir, base.substr(4)), layer_);
      }
      return;
    }

    Entry e;
    e.type = h.type;
    e.mode = h.mode;
    e.uid = h.uid;
    e.gid = h.gid;
    e.mtime = h.mtime;
    e.dev_major = h.dev_major;
    e.dev_minor = h.dev_minor;
    e.xattrs = h.xattrs;
    e.layer = layer_;
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
      copy.hardlink = target->hardlink.empty() ? t.path : target->hardlink;
      copy.data_layer = target->data_layer;
      copy.data_path = target->data_path.empty() ? t.path : target->data_path;
      copy.implicit = false;
      put(path, std::move(copy), h.name);
      return;
    }
    if (h.type == EntryType::Symlink) e.link = h.link;
    if (h.type == EntryType::File) {
      e.size = h.size;
      e.data_layer = layer_;
      if (path != norm) e.data_path = norm;
      std::unique_ptr<CaptureSet::Active> sinks = captures_ ? captures_->open(path, e) : nullptr;
      Xxh128 hasher;
      data.each([&](const char* p, size_t n) {
        hasher.update(p, n);
        if (sinks) CaptureSet::write(*sinks, p, n);
      });
      e.hash = hasher.digest();
      if (captures_) captures_->close(path, std::move(sinks));
    }
    put(path, std::move(e), h.name);
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
};

}  // namespace

BuildResult build_filesystem(const Image& img, CaptureSet* captures) {
  BuildResult out;
  if (!img.rootfs.empty()) {
    walk_rootfs(img.rootfs, out.fs, captures);
    if (captures) {
      auto needs = captures->finish(out.fs);
      if (auto it = needs.find(-1); it != needs.end()) read_rootfs_files(img.rootfs, it->second, out.fs, *captures);
    }
    return out;
  }
  if (img.layers.size() > 65535) throw InputError(img.ref.path, "more than 65535 layers");
  for (const LayerInfo& layer : img.layers) {
    LayerApplier apply(out.fs, captures, layer.index, fmt::format("layer {} ({})", layer.index, layer.blob.display));
    LayerStats st = read_layer(layer, [&](const TarHeader& h, EntryData& d) { apply(h, d); });
    for (auto& n : st.notes) out.notes.push_back(fmt::format("layer {}: {}", layer.index, n));
    out.layers.push_back(std::move(st));
  }
  if (!captures) return out;
  // Captures that resolved through a link to content the pass did not keep: read again only the
  // layers that hold those bytes, each once.
  auto needs = captures->finish(out.fs);
  for (auto& [layer_index, names] : needs) {
    if (layer_index < 0 || static_cast<size_t>(layer_index) >= img.layers.size()) continue;
    ++out.rereads;
    read_layer(img.layers[static_cast<size_t>(layer_index)], [&](const TarHeader& h, EntryData& d) {
      std::string norm;
      if (!normalize_path(h.name, norm)) return;
      auto it = names.find(norm);
      if (it == names.end() || h.type != EntryType::File || h.is_hardlink) return;
      const Entry* e = out.fs.find(it->second);
      if (!e) return;
      Captured c;
      c.size = h.size;
      c.layer = e->layer;
      uint64_t cap = captures->cap_for(it->second);
      d.each([&](const char* p, size_t n) {
        uint64_t room = cap > c.data.size() ? cap - c.data.size() : 0;
        c.data.append(p, static_cast<size_t>(std::min<uint64_t>(room, n)));
      });
      c.truncated = c.size > c.data.size();
      captures->store(it->second, std::move(c));
    });
  }
  return out;
}

}  // namespace imagelint
