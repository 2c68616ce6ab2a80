#include "app/pipelines.h"

#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "drift/normalise.h"
#include "fs/capture.h"
#include "rules/packs.h"
#include "util/error.h"
#include "util/path.h"
#include "util/perf.h"

namespace imagelint::pipeline {
namespace {

Image open(const ImageRequest& req, const RunContext& run) {
  return open_image(parse_reference(req.image), OpenOptions{req.platform}, run);
}

// The base of a tier check: its layers (only its JSON is read).
std::vector<LayerInfo> open_base(const std::string& base_ref, const ImageRequest& req, const RunContext& run) {
  Image base = open_image(parse_reference(base_ref), OpenOptions{req.platform}, run);
  if (base.layers.empty()) throw InputError(base_ref, "the base has no layers");
  return base.layers;
}

// The instance must start with the base's layers; returns how many there are. The one pass over the
// instance keeps the filesystem as the base's layers leave it (CaptureSet::want_snapshot), so they
// are never read twice.
int base_layers(const Image& img, const std::vector<LayerInfo>& base, const std::string& base_ref) {
  if (img.layers.size() < base.size())
    throw InputError(base_ref, fmt::format("the instance has {} layers, fewer than this base's {}: it is not built on it",
                                           img.layers.size(), base.size()));
  for (size_t i = 0; i < base.size(); ++i)
    if (img.layers[i].diff_id != base[i].diff_id)
      throw InputError(base_ref, fmt::format("the instance is not built on this base: layer {} is {} in the instance, {} in "
                                             "the base", i, img.layers[i].diff_id, base[i].diff_id));
  return static_cast<int>(base.size());
}

// One image checked: the pass (from the shared chain when there is one), the base, the rules.
void check_image(Checked& out, const std::string& base_ref, int base, const std::vector<Waiver>& waivers,
                 const RunContext& run, SharedChain* chain) {
  FactNeeds needs;
  needs.module_signatures = false;
  for (const RuleSpec& r : out.rules.rules) find_kind(r.kind)->declare_needs(r, needs);
  out.gathered = gather_facts(
      out.image,
      [&](CaptureSet& cap) {
        CaptureRequests wants(cap);
        for (const RuleSpec& r : out.rules.rules) find_kind(r.kind)->declare(r, wants);
        if (base > 0) cap.want_snapshot(base);
      },
      FactScope::All, needs, run, chain);
  // Stage: the base as the pass left it after the base's layers, with its packages: what the
  // instance's own layers are held against (tier-boundary).
  if (base > 0) {
    PerfStage stage(run.perf, "base");
    if (!out.gathered.built.snapshot) throw std::logic_error("check --base: the pass kept no filesystem of the base");
    out.gathered.facts.base = base_state(out.image, base_ref, base, out.gathered.built.snapshot, out.gathered, run);
  }
  // Stage: rules.
  Context ctx{out.image, out.gathered.built.fs, out.gathered.facts, *out.gathered.captures};
  out.result = run_rules(out.rules, ctx, waivers, run);
}

}  // namespace

Inspected inspect(const ImageRequest& req, const RunContext& run) {
  Inspected out;
  out.image = open(req, run);
  FactNeeds needs;  // all of them: inspect reads every module whole and verifies every package
  needs.package_verify = true;
  needs.file_digests = {1, 8};  // md5 (dpkg, old rpm) and sha256 (every current rpm)
  out.gathered = gather_facts(out.image, nullptr, FactScope::All, needs, run);
  return out;
}

Image open_only(const ImageRequest& req, const RunContext& run) { return open(req, run); }

Listed ls(const ImageRequest& req, const std::string& glob, const RunContext& run) {
  PathSelection selected(glob);
  Image img = open(req, run);
  BuildResult built = build_filesystem(img, nullptr, run);
  return Listed{std::move(img), std::move(built), std::move(selected)};
}

void cat(const ImageRequest& req, const std::string& path, const RunContext& run,
         const std::function<void(std::string_view)>& out) {
  std::string norm;
  if (!normalize_path(path, norm)) throw InputError(path, "climbs above the image root");
  if (norm.empty()) throw InputError(path, "is the root directory, not a file");
  Image img = open(req, run);
  CaptureSet captures;
  constexpr uint64_t kInMemory = 64u << 20;
  captures.want_path(norm, kInMemory);
  BuildResult built = build_filesystem(img, &captures, run);
  const std::string where = req.image + ":" + norm;
  if (std::string p = captures.problem(norm); !p.empty()) throw InputError(where, p);
  const Captured* got = captures.get(norm);
  if (!got) {
    Resolved r = built.fs.resolve(norm, true);
    if (r.status == Resolve::NotDir) throw InputError(where, r.path + " is not a directory");
    if (r.status != Resolve::Ok) throw InputError(where, "no such file in the image");
    const Entry* e = built.fs.find(r.path);
    throw InputError(where, e ? std::string("is a ") + type_name(e->type) + ", not a file" : "no such file in the image");
  }
  if (!got->truncated) {
    out(got->data);
    return;
  }
  // Too big to hold: streamed from the one layer that has its bytes.
  Resolved r = built.fs.resolve(norm, true);
  const Entry* e = built.fs.find(r.path);
  const std::string name = e->data_path().empty() ? r.path : e->data_path();
  read_layer(
      img.layers[static_cast<size_t>(e->data_layer)],
      [&](const TarHeader& h, EntryData& d) {
        std::string n;
        if (h.type != EntryType::File || h.is_hardlink || !normalize_path(h.name, n) || n != name) return;
        d.each([&](const char* p, size_t k) { out(std::string_view(p, k)); });
      },
      read_options(run));
}

Checked check(const CheckRequest& req, const RunContext& run) {
  Checked out;
  // Stage: rules and waivers (a bad pack is exit 2 before any image work).
  out.rules = load_rules(req.packs);
  std::vector<Waiver> waivers = req.waivers.empty() ? std::vector<Waiver>{} : load_waivers(req.waivers);
  // Stage: open (and the base, for a tier check).
  out.image = open(req.image, run);
  const int base = req.base.empty() ? 0 : base_layers(out.image, open_base(req.base, req.image, run), req.base);
  check_image(out, req.base, base, waivers, run, nullptr);
  return out;
}

FleetShape check_fleet(const FleetRequest& req, const RunContext& run, const std::function<void(FleetItem&)>& each) {
  RuleSet rules = load_rules(req.packs);
  std::vector<Waiver> waivers = req.waivers.empty() ? std::vector<Waiver>{} : load_waivers(req.waivers);
  FleetShape shape;
  shape.base = req.base;
  std::vector<LayerInfo> base;
  if (!req.base.empty()) base = open_base(req.base, req.images.empty() ? ImageRequest{} : req.images[0], run);
  // Every image's JSON first (small): the layers they share.
  std::vector<std::optional<Image>> images(req.images.size());
  std::vector<std::string> errors(req.images.size());
  auto failed = [&](size_t i, const InputError& e) {
    errors[i] = e.what();  // "file: reason"
    images[i].reset();
  };
  for (size_t i = 0; i < req.images.size(); ++i) try {
      images[i] = open(req.images[i], run);
      if (!base.empty()) base_layers(*images[i], base, req.base);
    } catch (const InputError& e) {
      failed(i, e);
    }
  if (!base.empty()) {
    shape.shared_layers = static_cast<int>(base.size());
  } else {
    std::optional<std::vector<LayerInfo>> common;
    int readable = 0;
    for (auto& img : images) {
      if (!img) continue;
      ++readable;
      if (!common) {
        common = img->layers;
        continue;
      }
      size_t n = 0;
      while (n < common->size() && n < img->layers.size() && (*common)[n].diff_id == img->layers[n].diff_id &&
             (*common)[n].digest == img->layers[n].digest && !img->layers[n].diff_id.empty())
        ++n;
      common->resize(n);
    }
    if (common && readable > 1) shape.shared_layers = static_cast<int>(common->size());
  }
  SharedChain chain;
  chain.layers = shape.shared_layers;
  for (size_t i = 0; i < req.images.size(); ++i) {
    FleetItem item;
    item.index = i;
    item.reference = req.images[i].image;
    if (images[i]) try {
        auto c = std::make_unique<Checked>();
        c->rules = rules;
        c->image = std::move(*images[i]);
        images[i].reset();
        check_image(*c, req.base, static_cast<int>(base.size()), waivers, run, &chain);
        item.checked = std::move(c);
      } catch (const InputError& e) {
        failed(i, e);
      }
    item.error = errors[i];
    each(item);
  }
  return shape;
}

Diffed diff(const DiffRequest& req, const RunContext& run) {
  // Bad rules are exit 2 before any image is read.
  drift::DriftRules rules = drift::load_drift_rules(req.rules, req.ignores);
  Diffed out;
  auto start = std::chrono::steady_clock::now();
  out.a = open(req.a, run);
  out.b = open(req.b, run);
  out.result = drift::run_diff(out.a, out.b, rules, {}, run);
  out.seconds = run.frozen_clock ? 0 : std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace imagelint::pipeline
