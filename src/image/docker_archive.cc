// docker save / podman save / skopeo docker-archive tars: manifest.json names the config and the
// layer tars (legacy "<id>/layer.tar", possibly symlinks, or docker 25+ "blobs/sha256/<hex>").
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "image/layout_files.h"
#include "util/error.h"

namespace imagelint {
namespace {

using nlohmann::json;

// "docker.io/library/busybox:latest" and "busybox:latest" name the same image.
std::string short_name(std::string n) {
  for (const char* p : {"docker.io/library/", "docker.io/", "index.docker.io/library/", "localhost/"})
    if (n.starts_with(p)) {
      n = n.substr(std::string(p).size());
      break;
    }
  if (n.find(':') == std::string::npos && n.find('@') == std::string::npos) n += ":latest";
  return n;
}

}  // namespace

Image load_docker_archive(const Reference& ref, const OuterTar& tar, const Platform& want) {
  (void)want;  // a docker-archive holds one platform per image; nothing to choose
  BlobRef mref = tar.blob("manifest.json");
  std::string raw = read_blob(mref, kMaxManifestBytes);
  json doc = json::parse(raw, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) throw InputError(mref.display, "not a JSON array");
  if (doc.empty()) throw InputError(mref.display, "the archive holds no images");

  const json* pick = nullptr;
  if (ref.index >= 0) {
    if (static_cast<size_t>(ref.index) >= doc.size())
      throw InputError(ref.path, fmt::format("no image @{} (the archive holds {})", ref.index, doc.size()));
    pick = &doc[static_cast<size_t>(ref.index)];
  } else if (!ref.tag.empty()) {
    std::set<std::string> tags;
    for (auto& e : doc) {
      if (!e.is_object()) continue;
      if (auto t = e.find("RepoTags"); t != e.end() && t->is_array())
        for (auto& s : *t) {
          if (!s.is_string()) continue;
          tags.insert(s.get<std::string>());
          if (!pick && short_name(s.get<std::string>()) == short_name(ref.tag)) pick = &e;
        }
    }
    if (!pick) {
      std::string list;
      for (auto& t : tags) list += (list.empty() ? "" : ", ") + t;
      throw InputError(ref.path, "no image tagged '" + ref.tag + "' (tags here: " + (list.empty() ? "none" : list) + ")");
    }
  } else {
    if (doc.size() > 1)
      throw InputError(ref.path, fmt::format("{} images in the archive; choose one with docker-archive:{}:NAME:TAG or :@N",
                                             doc.size(), ref.path));
    pick = &doc[0];
  }
  if (!pick->is_object() || !pick->contains("Config") || !(*pick)["Config"].is_string())
    throw InputError(mref.display, "image entry has no Config");

  Image img;
  img.ref = ref;
  std::string cfg_path = (*pick)["Config"].get<std::string>();
  BlobRef cref = tar.blob(cfg_path);
  img.config_json = read_blob(cref, kMaxConfigBytes);
  img.config_digest = sha256_of(img.config_json);
  // Configs stored by digest must match it.
  if (cfg_path.starts_with("blobs/sha256/") || cfg_path.size() == 69) {
    std::string hex = cfg_path.substr(cfg_path.rfind('/') == std::string::npos ? 0 : cfg_path.rfind('/') + 1);
    if (hex.ends_with(".json")) hex.resize(hex.size() - 5);
    if (hex.size() == 64 && "sha256:" + hex != img.config_digest)
      throw InputError(cref.display, "digest mismatch: expected sha256:" + hex + ", actual " + img.config_digest);
  }

  auto layers = pick->find("Layers");
  if (layers == pick->end() || !layers->is_array()) throw InputError(mref.display, "image entry has no Layers");
  int i = 0;
  for (auto& l : *layers) {
    if (!l.is_string()) throw InputError(mref.display, "Layers holds a non-string");
    LayerInfo li;
    li.index = i++;
    std::string p = l.get<std::string>();
    li.blob = tar.blob(p);
    li.size = li.blob.length;
    if (p.starts_with("blobs/sha256/") && p.size() == 13 + 64) li.digest = "sha256:" + p.substr(13);
    img.layers.push_back(std::move(li));
  }
  apply_config(img, img.config_json, cref.display);
  return img;
}

}  // namespace imagelint
