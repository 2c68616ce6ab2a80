// OCI image layouts (directory or archive): index.json, nested indexes, platform and tag
// selection, manifest and config verified against their digests.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "image/layout_files.h"
#include "image/media_types.h"
#include "util/error.h"

namespace imagelint {
namespace {

using nlohmann::json;

constexpr const char* kRefName = "org.opencontainers.image.ref.name";

std::string str_field(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ref_name(const json& desc) {
  auto a = desc.find("annotations");
  return a != desc.end() && a->is_object() ? str_field(*a, kRefName) : std::string();
}

bool platform_matches(const json& desc, const Platform& want) {
  auto p = desc.find("platform");
  if (p == desc.end() || !p->is_object()) return false;
  if (str_field(*p, "os") != want.os || str_field(*p, "architecture") != want.arch) return false;
  std::string v = str_field(*p, "variant");
  if (want.variant.empty()) return true;
  if (v == want.variant) return true;
  return want.arch == "arm64" && v.empty() && want.variant == "v8";
}

std::string platform_of(const json& desc) {
  auto p = desc.find("platform");
  if (p == desc.end() || !p->is_object()) return "(no platform)";
  std::string v = str_field(*p, "variant");
  return str_field(*p, "os") + "/" + str_field(*p, "architecture") + (v.empty() ? "" : "/" + v);
}

const json& manifests_of(const json& index, const std::string& display) {
  auto m = index.find("manifests");
  if (m == index.end() || !m->is_array()) throw InputError(display, "index has no manifests array");
  for (auto& d : *m)
    if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string())
      throw InputError(display, "index holds a descriptor without a digest");
  return *m;
}

// Picks by platform among an index's descriptors.
const json& pick_platform(const json& list, const Platform& want, const std::string& display) {
  const json* first = nullptr;
  std::set<std::string> seen;
  for (auto& d : list) {
    seen.insert(platform_of(d));
    if (platform_matches(d, want)) {
      if (!first) first = &d;
    }
  }
  if (first) return *first;
  if (list.size() == 1 && !list[0].contains("platform")) return list[0];
  std::string avail;
  for (auto& s : seen) avail += (avail.empty() ? "" : ", ") + s;
  throw InputError(display, "no image for platform " + want.str() + " (available: " + avail + "); use --platform");
}

// index.json, once the layout's marker (oci-layout, when present) names a supported version.
json read_oci_index(const LayoutFiles& files) {
  if (!files.has("index.json")) throw InputError(files.display("index.json"), "missing: not an OCI image layout");
  if (files.has("oci-layout")) {
    json layout = parse_json_blob(files.blob("oci-layout"), 4096);
    std::string v = str_field(layout, "imageLayoutVersion");
    if (v.empty() || v[0] != '1') throw InputError(files.display("oci-layout"), "unsupported imageLayoutVersion '" + v + "'");
  }
  return parse_json_blob(files.blob("index.json"), kMaxManifestBytes);
}

// The top-level descriptor the reference means: by tag, then (among several) by platform.
json pick_oci_top_descriptor(const json& top, const Reference& ref, const LayoutFiles& files, const std::string& where,
                             const Platform& want) {
  std::vector<const json*> cands;
  if (!ref.tag.empty()) {
    for (auto& d : top)
      if (ref_name(d) == ref.tag) cands.push_back(&d);
    if (cands.empty()) {
      std::set<std::string> tags;
      for (auto& d : top)
        if (!ref_name(d).empty()) tags.insert(ref_name(d));
      std::string list;
      for (auto& t : tags) list += (list.empty() ? "" : ", ") + t;
      throw InputError(where, "no image tagged '" + ref.tag + "' (tags here: " + (list.empty() ? "none" : list) + ")");
    }
  } else {
    for (auto& d : top) cands.push_back(&d);
    if (cands.empty()) throw InputError(files.display("index.json"), "the layout holds no images");
  }
  // Duplicate entries for the same digest are one image.
  std::sort(cands.begin(), cands.end(), [](const json* a, const json* b) { return (*a)["digest"] < (*b)["digest"]; });
  cands.erase(std::unique(cands.begin(), cands.end(),
                          [](const json* a, const json* b) { return (*a)["digest"] == (*b)["digest"]; }),
              cands.end());

  if (cands.size() == 1) return *cands[0];
  bool all_platforms = std::all_of(cands.begin(), cands.end(), [](const json* d) { return d->contains("platform"); });
  if (!all_platforms && !ref.tag.empty())
    throw InputError(where, fmt::format("tag '{}' is ambiguous: {} different images carry it", ref.tag, cands.size()));
  if (!all_platforms) {
    std::set<std::string> tags;
    for (auto* d : cands) tags.insert(ref_name(*d).empty() ? std::string("(untagged)") : ref_name(*d));
    std::string list;
    for (auto& t : tags) list += (list.empty() ? "" : ", ") + t;
    throw InputError(where, fmt::format("{} images match; choose one with {}:{}:TAG (tags here: {})", cands.size(),
                                        transport_name(ref.transport), ref.path, list));
  }
  json arr = json::array();
  for (auto* d : cands) arr.push_back(*d);
  return pick_platform(arr, want, files.display("index.json"));
}

// The manifest's config descriptor and layer descriptors into img, each layer blob's size checked.
void read_oci_manifest_descriptors(Image& img, const json& doc, const LayoutFiles& files, const std::string& rel) {
  auto cfg = doc.find("config");
  if (cfg == doc.end() || !cfg->is_object() || !cfg->contains("digest") || !(*cfg)["digest"].is_string())
    throw InputError(files.display(rel), "manifest has no config descriptor");
  std::string cmt = str_field(*cfg, "mediaType");
  if (!media::is_config(cmt))
    throw InputError(files.display(rel), "not a container image: config media type '" + cmt + "' (an artifact?)");
  img.config_digest = (*cfg)["digest"].get<std::string>();

  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array()) throw InputError(files.display(rel), "manifest has no layers array");
  int i = 0;
  for (auto& l : *layers) {
    if (!l.is_object() || !l.contains("digest") || !l["digest"].is_string())
      throw InputError(files.display(rel), "layer descriptor without a digest");
    LayerInfo li;
    li.index = i++;
    li.media_type = str_field(l, "mediaType");
    li.digest = l["digest"].get<std::string>();
    std::string lrel = blob_path(li.digest, files.display(rel));
    media::check_layer(li.media_type, files.display(lrel));
    li.blob = files.blob(lrel);
    if (auto s = l.find("size"); s != l.end() && s->is_number_unsigned()) li.size = s->get<uint64_t>();
    if (auto a = l.find("annotations"); a != l.end() && a->is_object())
      for (const char* prefix : {"io.github.containers.zstd-chunked.", "io.containers.zstd-chunked."}) {
        if (li.toc_position.empty()) li.toc_position = str_field(*a, (std::string(prefix) + "manifest-position").c_str());
        if (li.toc_checksum.empty()) li.toc_checksum = str_field(*a, (std::string(prefix) + "manifest-checksum").c_str());
      }
    if (li.size != li.blob.length)
      throw InputError(li.blob.display, fmt::format("size mismatch: descriptor says {} bytes, blob has {}", li.size,
                                                    li.blob.length));
    img.layers.push_back(std::move(li));
  }
}

}  // namespace

Image load_oci(const Reference& ref, const LayoutFiles& files, const std::string& where, const Platform& want) {
  json index = read_oci_index(files);
  const json& top = manifests_of(index, files.display("index.json"));

  // 1. Tag selection at the top level.
  json desc = pick_oci_top_descriptor(top, ref, files, where, want);

  // 2. Follow nested indexes down to a manifest.
  Image img;
  img.ref = ref;
  for (int depth = 0;; ++depth) {
    if (depth > 8) throw InputError(files.display("index.json"), "indexes nested too deeply");
    std::string digest = desc["digest"].get<std::string>();
    std::string mt = str_field(desc, "mediaType");
    std::string rel = blob_path(digest, files.display("index.json"));
    std::string raw = read_verified(files, digest, kMaxManifestBytes);
    json doc = json::parse(raw, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw InputError(files.display(rel), "not a JSON object");
    if (doc.contains("schemaVersion") && doc["schemaVersion"] == 1)
      throw InputError(files.display(rel), "Docker schema 1 manifest: not supported (convert it with skopeo copy)");
    std::string inner = str_field(doc, "mediaType");
    if (mt.empty()) mt = inner;
    if (mt.empty()) mt = doc.contains("manifests") ? media::kOciIndex : media::kOciManifest;
    if (!inner.empty() && inner != mt)
      throw InputError(files.display(rel), "media type '" + inner + "' differs from its descriptor's '" + mt + "'");
    if (media::is_index(mt)) {
      const json& list = manifests_of(doc, files.display(rel));
      if (list.empty()) throw InputError(files.display(rel), "index holds no manifests");
      desc = pick_platform(list, want, files.display(rel));
      continue;
    }
    if (!media::is_manifest(mt)) throw InputError(files.display(rel), "unsupported manifest media type '" + mt + "'");
    img.manifest_digest = digest;
    img.manifest_media_type = mt;
    read_oci_manifest_descriptors(img, doc, files, rel);
    // Read the config only once the manifest itself is known to be good.
    img.config_json = read_verified(files, img.config_digest, kMaxConfigBytes);
    apply_config(img, img.config_json, files.display(blob_path(img.config_digest, files.display(rel))));
    return img;
  }
}

}  // namespace imagelint
