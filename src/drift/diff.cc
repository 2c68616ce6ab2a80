#include "drift/diff.h"

#include <chrono>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "drift/diff_internal.h"
#include "drift/udiff.h"
#include "facts/facts.h"
#include "fs/build.h"

namespace imagelint::drift {
namespace {

using internal::SideContent;

// Runs f(a) here and f(b) on a second thread: the two images are independent, and this machine's
// second core would otherwise idle. An exception on either side is rethrown here.
template <typename T, typename F>
std::pair<T, T> both(F f) {
  T b_result;
  std::exception_ptr b_error;
  std::thread t([&] {
    try {
      b_result = f(1);
    } catch (...) {
      b_error = std::current_exception();
    }
  });
  T a_result;
  try {
    a_result = f(0);
  } catch (...) {
    t.join();
    throw;
  }
  t.join();
  if (b_error) std::rethrow_exception(b_error);
  return {std::move(a_result), std::move(b_result)};
}

struct Want {
  std::vector<std::string> normalisers;
  bool text = false;
};

// The second read of one image: only files whose content differs and that a normaliser or a
// unified diff needs; each file is reduced to its substance digests as it arrives, so memory
// holds one file at a time plus the small texts.
SideContent read_side(const Image& img, const FileSystem& fs, const std::map<std::string, Want>& wants,
                      const DiffOptions& opt, int* rereads) {
  SideContent side;
  std::vector<std::string> paths;
  for (auto& [p, w] : wants) paths.push_back(p);
  uint64_t text_used = 0;
  *rereads = read_contents(
      img, fs, paths,
      [&](const std::string& p) {
        const Want& w = wants.at(p);
        uint64_t cap = w.normalisers.empty() ? opt.text_cap : std::max(opt.normalise_cap, opt.text_cap);
        return cap + 1;  // one byte more than allowed tells "too large" from "exactly the cap"
      },
      [&](const std::string& path, std::string&& bytes, uint64_t size) {
        const Want& w = wants.at(path);
        bool whole = bytes.size() == size;
        for (const std::string& n : w.normalisers) {
          if (!whole || size > opt.normalise_cap) {
            side.too_large[path] = n;
            continue;
          }
          side.substance[path][n] = find_normaliser(n)(bytes);
        }
        if (w.text && whole && size <= opt.text_cap && text_used + size <= opt.text_budget && looks_like_text(bytes)) {
          text_used += size;
          side.text[path] = std::move(bytes);
        }
      });
  return side;
}

void summarise(DiffResult& r) {
  for (auto& c : r.changes) {
    if (c.kind == ChangeKind::Added) ++r.added;
    if (c.kind == ChangeKind::Removed) ++r.removed;
    if (c.kind == ChangeKind::Changed) ++r.changed;
    ++r.by_class[class_name(c.cls)];
    ++r.by_category[c.category];
  }
  for (auto& c : r.config) {
    ++r.by_class[class_name(c.cls)];
    ++r.by_category[c.category];
  }
  for (const char* k : {"noise", "drift", "hazard"}) r.by_class.emplace(k, 0);
  bool drift = false;
  for (auto& c : r.changes) drift = drift || c.cls != Class::Noise;
  for (auto& c : r.config) drift = drift || c.cls != Class::Noise;
  if (r.verdict != Verdict::Identical) r.verdict = drift ? Verdict::Drift : Verdict::Reproducible;
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Identical: return "identical";
    case Verdict::Reproducible: return "reproducible";
    case Verdict::Drift: return "drift";
  }
  return "?";
}

DiffResult run_diff(const Image& a, const Image& b, const DriftRules& rules, const DiffOptions& opt) {
  DiffResult r;
  r.config = diff_configs(a.config_json, b.config_json, rules.config_noise);
  while (r.same_layers < a.layers.size() && r.same_layers < b.layers.size() &&
         a.layers[r.same_layers].diff_id == b.layers[r.same_layers].diff_id)
    ++r.same_layers;
  std::map<std::string, size_t> no_counts;

  // Tier 1: one image under two names.
  if (!a.manifest_digest.empty() && a.manifest_digest == b.manifest_digest) {
    r.tier = "manifest";
    r.verdict = Verdict::Identical;
    r.config.clear();  // same manifest, same config
    summarise(r);
    r.hints = internal::make_hints(r, rules, no_counts);
    return r;
  }
  // Tier 2: the same layers, maybe compressed or described differently. Only A is read, for its
  // hazards (they are B's too).
  if (a.rootfs.empty() && b.rootfs.empty() && !a.layers.empty() && a.layers.size() == b.layers.size() &&
      r.same_layers == a.layers.size()) {
    r.tier = "diff_ids";
    BuildResult built = build_filesystem(a);
    r.files_a = r.files_b = built.fs.size();
    r.hazards = internal::find_hazards(rules, built.fs, built.fs);
    r.layers_a = built.layers;
    r.notes = built.notes;
    summarise(r);
    r.hints = internal::make_hints(r, rules, no_counts);
    return r;
  }

  // Tier 3: both final filesystems, entry by entry.
  r.tier = "files";
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const char* phase) {
    auto now = std::chrono::steady_clock::now();
    r.timings.push_back({phase, std::chrono::duration<double>(now - t0).count()});
    t0 = now;
  };
  const Image* imgs[2] = {&a, &b};
  auto [ga, gb] = both<Gathered>([&](int i) { return gather_facts(*imgs[i]); });
  lap("read both images");
  ga.captures.reset();  // the facts are read; their captured bytes are not needed any more
  gb.captures.reset();
  const FileSystem& fa = ga.built.fs;
  const FileSystem& fb = gb.built.fs;
  r.files_a = fa.size();
  r.files_b = fb.size();
  r.layers_a = ga.built.layers;
  r.layers_b = gb.built.layers;
  for (auto& n : ga.built.notes) r.notes.push_back("A: " + n);
  for (auto& n : gb.built.notes) r.notes.push_back("B: " + n);
  for (auto& n : ga.facts.packages.errors) r.notes.push_back("A: package database: " + n);
  for (auto& n : gb.facts.packages.errors) r.notes.push_back("B: package database: " + n);

  r.changes = compare_filesystems(fa, fb);
  r.packages = diff_packages(ga.facts.packages, gb.facts.packages);
  r.hazards = internal::find_hazards(rules, fa, fb);
  lap("compare");

  // What the second read must fetch.
  std::map<std::string, Want> wants;
  for (const Change& c : r.changes) {
    if (c.kind != ChangeKind::Changed || !(c.attrs & kContent) || c.type_a != EntryType::File ||
        c.type_b != EntryType::File)
      continue;
    Want w;
    bool noise = false;
    w.normalisers = internal::normalisers_for(rules, c, &noise);
    // Never show the bytes of a file that is not world-readable (shadow, keys) or of a hazard;
    // nor fetch them for a change that is noise whatever its bytes (logs, caches).
    w.text = !noise && c.size_a <= opt.text_cap && c.size_b <= opt.text_cap && (c.mode_a & 04) && (c.mode_b & 04) &&
             !internal::is_hazard_path(rules, c.path, nullptr);
    if (!w.normalisers.empty() || w.text) wants[c.path] = std::move(w);
  }
  SideContent sides[2];
  if (!wants.empty()) {
    const FileSystem* fss[2] = {&fa, &fb};
    int rereads[2] = {0, 0};
    auto [sa, sb] = both<SideContent>([&](int i) { return read_side(*imgs[i], *fss[i], wants, opt, &rereads[i]); });
    sides[0] = std::move(sa);
    sides[1] = std::move(sb);
    r.rereads = rereads[0] + rereads[1];
    lap("read changed files again");
  }

  internal::ClassifyContext cx{rules, sides[0], sides[1], r.packages, &ga.facts.packages, &gb.facts.packages, {}, {}};
  internal::prepare_package_story(cx);
  size_t udiffs = 0;
  for (Change& c : r.changes) {
    internal::classify(c, cx);
    if (c.cls == Class::Noise || udiffs >= opt.max_udiffs) continue;
    auto ta = sides[0].text.find(c.path), tb = sides[1].text.find(c.path);
    if (ta == sides[0].text.end() || tb == sides[1].text.end()) continue;
    c.udiff = unified_diff(ta->second, tb->second, c.path);
    ++udiffs;
  }
  for (auto& [path, n] : sides[0].too_large)
    r.notes.push_back(fmt::format("{}: larger than {} MiB, not normalised ({})", path, opt.normalise_cap >> 20, n));
  summarise(r);
  r.hints = internal::make_hints(r, rules, cx.rule_counts);
  lap("classify");
  return r;
}

}  // namespace imagelint::drift
