#include "drift/update.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "drift/chunked.h"
#include "drift/diff_internal.h"

namespace imagelint::drift {

namespace {

constexpr size_t kFirstPaths = 5;

// The change one layer's entry makes against the other build's layer at the same index (attrs 0
// when a host would see no difference).
Change layer_change(const std::string& name, const LayerRecordEntry* a, const LayerRecordEntry* b) {
  return compare_entries(name, a ? &a->entry : nullptr, b ? &b->entry : nullptr, a ? a->entry.hardlink() : "",
                         b ? b->entry.hardlink() : "");
}

// Why two blobs of the same tar differ.
std::string compression_cause(const std::string& media_a, const std::string& media_b) {
  auto algo = [](const std::string& m) -> std::string {
    if (m.ends_with("+zstd") || m.ends_with(".zstd")) return "zstd";
    if (m.ends_with("+gzip") || m.ends_with(".gzip") || m.ends_with("tar.gzip")) return "gzip";
    if (m.ends_with(".tar") || m.ends_with("tar")) return "no compression";
    return "";
  };
  const std::string a = algo(media_a), b = algo(media_b);
  if (!a.empty() && !b.empty() && a != b) return "compression: the same tar, " + a + " in A and " + b + " in B";
  return "compression: the same tar compressed to other bytes (another " + (b.empty() ? std::string("compressor") : b) +
         " level or implementation)";
}

std::string noise_fix(const std::string& category) {
  if (category == "timestamps") return "clamp mtimes: SOURCE_DATE_EPOCH, or buildah/podman build --timestamp";
  if (category == "module-signatures") return "sign modules with a persistent key, not one made per build";
  if (category == "package-database" || category == "package-manager-state")
    return "rechunk with the previous image as reference (rpm-ostree compose build-chunked-oci, rechunk --prev-ref)";
  if (category == "caches" || category == "logs" || category == "temporary-files" || category == "python-bytecode")
    return "delete it in the RUN that makes it, or move the noisy path to a layer of its own";
  return "move the noisy path to a layer of its own, so that the rest of the layer is reused";
}

// Holds B's layer i against A's layer i (or nothing) and fills u.
void compare_layer(const LayerRecord* ra, const LayerRecord& rb, const LayerStats* sa, const LayerStats* sb,
                   const std::string& media_a, const std::string& media_b,
                   const std::unordered_map<std::string, const Change*>& final_changes, internal::ClassifyContext& cx,
                   UpdateLayer& u) {
  std::unordered_map<std::string_view, const LayerRecordEntry*> in_a;
  if (ra)
    for (const LayerRecordEntry& e : *ra) in_a[e.name] = &e;  // a name twice in a tar: the last one counts
  std::unordered_map<std::string_view, const LayerRecordEntry*> in_b;
  for (const LayerRecordEntry& e : rb) in_b[e.name] = &e;
  auto count = [&](const std::string& name, Change c) {
    ++u.entries_differ;
    if (u.first_paths.size() < kFirstPaths) u.first_paths.push_back(name);
    Class cls;
    std::string category;
    auto f = final_changes.find(name);
    if (f != final_changes.end() && f->second->layer_b == u.index) {
      cls = f->second->cls;  // the final diff's own verdict (normalisers, second read) for what B's layer left
      category = f->second->category;
    } else {
      internal::classify(c, cx);
      cls = c.cls;
      category = c.category;
    }
    ++u.by_class[class_name(cls)];
    ++u.by_category[category];
  };
  for (const LayerRecordEntry& e : rb) {
    auto it = in_a.find(e.name);
    if (in_b.at(e.name) != &e) continue;  // an earlier copy of a name the tar writes twice
    Change c = layer_change(e.name, it == in_a.end() ? nullptr : it->second, &e);
    if (c.kind != ChangeKind::Changed || c.attrs) count(e.name, std::move(c));
  }
  if (ra)
    for (const LayerRecordEntry& e : *ra)
      if (!in_b.count(e.name) && in_a.at(e.name) == &e) count(e.name, layer_change(e.name, &e, nullptr));

  if (u.entries_differ == 0) {
    u.status = "unexplained-churn";
    bool same_order = ra && ra->size() == rb.size();
    for (size_t k = 0; same_order && k < rb.size(); ++k) same_order = (*ra)[k].name == rb[k].name;
    if (sa && sb && !sa->diff_id.empty() && sa->diff_id == sb->diff_id) {
      u.cause = compression_cause(media_a, media_b);
      u.fix = "compress with the same tool and level in every build, or rechunk with the previous image as reference";
    } else if (!same_order) {
      u.cause = "entry order: the same entries written in another order";
      u.fix = "write layers with sorted entries (tar --sort=name; buildah and podman sort)";
    } else {
      u.cause = "tar header fields the comparison does not see (user and group names, pax records, padding)";
      u.fix = "build with the same tool versions, or rechunk with the previous image as reference";
    }
    return;
  }
  if (u.by_class.count("drift") || u.by_class.count("hazard")) {
    u.status = "drift";
    return;
  }
  u.status = "noise-only";
  std::vector<std::pair<size_t, std::string>> cats;
  for (auto& [c, n] : u.by_category) cats.emplace_back(n, c);
  std::sort(cats.rbegin(), cats.rend());
  for (auto& [n, c] : cats) u.cause += (u.cause.empty() ? "" : ", ") + fmt::format("{} {}", c, n);
  for (auto& [n, c] : cats)  // each category's fix once, the largest first
    if (std::string f = noise_fix(c); u.fix.find(f) == std::string::npos) u.fix += (u.fix.empty() ? "" : "; ") + f;
}

}  // namespace

UpdateCost update_cost(const Image& a, const Image& b, const std::vector<LayerRecord>& ra, const std::vector<LayerRecord>& rb,
                       const std::vector<LayerStats>& sa, const std::vector<LayerStats>& sb, const DiffResult& r,
                       const DriftRules& rules) {
  UpdateCost out;
  out.budget = rules.max_noise_bytes;
  std::unordered_map<std::string, int> a_digests;
  for (const LayerInfo& l : a.layers)
    if (!l.digest.empty()) a_digests.emplace(l.digest, l.index);
  std::unordered_map<std::string, const Change*> final_changes;
  for (const Change& c : r.changes) final_changes.emplace(c.path, &c);
  internal::SideContent none_a, none_b;
  internal::ClassifyContext cx{rules, none_a, none_b, r.packages, nullptr, nullptr, {}, {}};
  internal::prepare_package_story(cx);
  // What a host holding A has by digest, from A's zstd:chunked TOCs (read only when B has one).
  HeldDigests held;
  bool b_chunked = false;
  for (const LayerInfo& l : b.layers) b_chunked |= !l.toc_position.empty() && !a_digests.count(l.digest);
  if (b_chunked)
    for (const LayerInfo& l : a.layers)
      if (auto toc = read_chunked_toc(l, static_cast<size_t>(l.index) < ra.size() ? &ra[static_cast<size_t>(l.index)] : nullptr))
        held.add(*toc);
  for (const LayerInfo& l : b.layers) {
    UpdateLayer u;
    u.index = l.index;
    u.digest = l.digest;
    u.size = l.size;
    out.image_bytes += l.size;
    if (auto it = a_digests.find(l.digest); it != a_digests.end()) {
      u.status = "reused";
      u.reused_from = it->second;
      out.layers.push_back(std::move(u));
      continue;
    }
    out.download_bytes += l.size;
    const auto i = static_cast<size_t>(l.index);
    const std::string media_a = i < a.layers.size() ? a.layers[i].media_type : "";
    if (i < rb.size()) {
      compare_layer(i < ra.size() ? &ra[i] : nullptr, rb[i], i < sa.size() ? &sa[i] : nullptr,
                    i < sb.size() ? &sb[i] : nullptr, media_a, l.media_type, final_changes, cx, u);
    } else if (i < a.layers.size() && !l.diff_id.empty() && a.layers[i].diff_id == l.diff_id) {
      u.status = "unexplained-churn";  // not read: the same tar, so the same entries
      u.cause = compression_cause(media_a, l.media_type);
      u.fix = "compress with the same tool and level in every build, or rechunk with the previous image as reference";
    } else {
      u.status = "drift";  // not read (cannot happen: a diff whose diff_ids differ reads the layers)
    }
    if (u.status == "noise-only" || u.status == "unexplained-churn") out.noise_bytes += l.size;
    if (auto toc = read_chunked_toc(l, i < rb.size() ? &rb[i] : nullptr)) {
      u.chunked_download = static_cast<int64_t>(partial_pull_bytes(*toc, held));
      out.chunked = true;
    }
    out.chunked_download_bytes += u.chunked_download >= 0 ? static_cast<uint64_t>(u.chunked_download) : l.size;
    out.layers.push_back(std::move(u));
  }
  return out;
}

nlohmann::json update_to_json(const UpdateCost& u) {
  using nlohmann::json;
  json layers = json::array();
  for (const UpdateLayer& l : u.layers) {
    json j = {{"index", l.index}, {"digest", l.digest}, {"size", l.size}, {"status", l.status}};
    if (l.reused_from >= 0) j["reused_from"] = l.reused_from;
    if (l.status != "reused") {
      j["entries_differ"] = l.entries_differ;
      j["by_class"] = l.by_class;
      j["by_category"] = l.by_category;
      j["first_paths"] = l.first_paths;
      j["causes"] = l.cause.empty() ? json::array() : json::array({l.cause});
      j["fix"] = l.fix.empty() ? json(nullptr) : json(l.fix);
      if (l.chunked_download >= 0) j["chunked_download_bytes"] = l.chunked_download;
    }
    layers.push_back(std::move(j));
  }
  auto share = [&](uint64_t n) { return u.image_bytes ? static_cast<double>(n) / static_cast<double>(u.image_bytes) : 0.0; };
  json out = {{"layers", layers},
          {"image_bytes", u.image_bytes},
          {"download_bytes", u.download_bytes},
          {"noise_bytes", u.noise_bytes},
          {"download_share", share(u.download_bytes)},
          {"noise_share", share(u.noise_bytes)},
          {"hosts", u.hosts},
          {"fleet_download_bytes", u.download_bytes * u.hosts},
          {"fleet_noise_bytes", u.noise_bytes * u.hosts}};
  if (u.chunked) out["chunked"] = {{"download_bytes", u.chunked_download_bytes}};
  return out;
}

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int k = 0;
  while (v >= 1000 && k < 4) v /= 1000, ++k;
  return k == 0 ? fmt::format("{} B", n) : fmt::format("{:.{}f} {}", v, v < 10 ? 1 : 0, units[k]);
}

}  // namespace imagelint::drift
