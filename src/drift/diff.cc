#include "drift/diff.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "drift/diff_internal.h"
#include "drift/udiff.h"
#include "drift/update.h"
#include "facts/facts.h"
#include "facts/file_digest.h"
#include "fs/build.h"
#include "fs/layer_cache.h"
#include "util/perf.h"
#include "util/progress.h"
#include "util/serial.h"
#include "util/text.h"

namespace imagelint::drift {
namespace {

using internal::SideContent;

// Runs f(a) here and f(b) on a second thread: the two images are independent, and this machine's
// second core would otherwise idle. An exception on either side is rethrown here. With
// a_then_b, f(b) runs after f(a), here.
template <typename T, typename F>
std::pair<T, T> on_both_images(F f, bool a_then_b = false) {
  if (a_then_b) {
    T a_result = f(0);
    return {std::move(a_result), f(1)};
  }
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

// Early normalisation: during the first pass, a file that an "early" rule names is held (up to
// the cap) only while it streams, and reduced to its substance digests at its end.
class SubstanceVisitor : public EntryVisitor {
 public:
  SubstanceVisitor(std::vector<std::string> names, uint64_t cap, int from_layer, uint64_t size)
      : layer(from_layer), names_(std::move(names)), cap_(cap) {
    buf_.reserve(static_cast<size_t>(std::min(size, cap)));
  }
  void data(const char* p, size_t n) override {
    hash_.update(p, n);
    if (over_) return;
    if (buf_.size() + n > cap_) {
      over_ = true;
      std::string().swap(buf_);
      return;
    }
    buf_.append(p, n);
  }
  void end() override {
    if (!over_)
      for (const std::string& n : names_) digests[n] = find_normaliser(n)(buf_);
    std::string().swap(buf_);
  }
  std::map<std::string, Substance> digests;
  const int layer;  // the layer whose entry this was: a later layer may replace it
  ContentHash content() const { return saved_content_ ? *saved_content_ : hash_.digest(); }  // of every byte seen, to match the final entry
  bool save(std::string& out) const override {
    SerialOut w(out);
    ContentHash h = content();
    w.num(h.hi), w.num(h.lo);
    w.num(static_cast<uint64_t>(digests.size()));
    for (auto& [name, sub] : digests) {
      w.str(name);
      w.num(static_cast<uint8_t>(sub.ok));
      w.str(sub.error);
      w.num(sub.digest.hi), w.num(sub.digest.lo);
    }
    return true;
  }
  bool load(std::string_view in) override {
    try {
      SerialIn r(in);
      ContentHash h;
      h.hi = r.num<uint64_t>(), h.lo = r.num<uint64_t>();
      saved_content_ = h;
      for (uint64_t n = r.num<uint64_t>(); n > 0; --n) {
        Substance& sub = digests[std::string(r.str())];
        sub.ok = r.num<uint8_t>() != 0;
        sub.error = r.str();
        sub.digest.hi = r.num<uint64_t>(), sub.digest.lo = r.num<uint64_t>();
      }
      return r.done();
    } catch (const SerialError&) {
      return false;
    }
  }

 private:
  std::vector<std::string> names_;
  uint64_t cap_;
  std::string buf_;
  bool over_ = false;
  Xxh128 hash_;
  std::optional<ContentHash> saved_content_;  // from the layer cache
};

int declare_early(CaptureSet& cap, const DriftRules& rules, uint64_t normalise_cap) {
  std::vector<const DriftRule*> early;
  for (const DriftRule& r : rules.rules)
    if (r.early) early.push_back(&r);
  if (early.empty()) return -1;
  // The key: everything that decides which files a visitor takes and what it keeps.
  std::string key = "substance/1 cap=" + std::to_string(normalise_cap);
  for (const DriftRule* r : early) {
    key.append(" ").append(r->normaliser).append(":");
    for (const std::string& p : r->paths) key.append(std::to_string(p.size())).append("=").append(p);
  }
  return cap.want_visits(".*", key, [early, normalise_cap](const std::string& path, const Entry& e) -> std::unique_ptr<EntryVisitor> {
    if (e.type != EntryType::File || e.size > normalise_cap) return nullptr;
    std::vector<std::string> names;
    for (const DriftRule* r : early)
      if (rule_matches_path(*r, path) && std::find(names.begin(), names.end(), r->normaliser) == names.end())
        names.push_back(r->normaliser);
    if (names.empty()) return nullptr;
    return std::make_unique<SubstanceVisitor>(std::move(names), normalise_cap, e.layer, e.size);
  });
}

void collect_early(const CaptureSet& cap, int id, const FileSystem& fs, SideContent& side) {
  if (id < 0) return;
  for (auto& [path, v] : cap.visits(id)) {
    const auto& sv = static_cast<const SubstanceVisitor&>(*v);
    const Entry* e = fs.find(path);
    // Replaced later, or by a second entry of the same name in the same layer that this visitor
    // did not see (e.g. one over the cap): only the bytes of the final entry count.
    if (!e || e->layer != sv.layer || sv.content() != e->hash) continue;
    for (auto& [n, sub] : sv.digests) side.substance[path][n] = sub;
  }
}

// What the second read of a changed file is for: normalisers that did not run during the first
// pass, and the text of a unified diff.
// diff reads the databases' file attributes (cheap: no digest in the first pass), so that a
// changed packaged file can be held against its package in the second read.
FactNeeds diff_needs() {
  FactNeeds n;
  n.package_verify = true;
  return n;
}

struct SecondRead {
  std::vector<std::string> normalisers;
  bool text = false;
  uint32_t package_digest = 0;  // the algorithm of a package that lists the file in both builds
};

// The second read of one image: only files whose content differs and that a normaliser or a
// unified diff needs; each file is reduced to its substance digests as it arrives, so memory
// holds one file at a time plus the small texts.
void read_side(const Image& img, const FileSystem& fs, const std::map<std::string, SecondRead>& wants, const DiffOptions& opt,
               const RunContext& run, int* rereads, SideContent& side) {
  // Only what will be used is read: a file over every cap is marked, not fetched.
  std::vector<std::string> paths;
  for (auto& [p, w] : wants) {
    const Entry* e = fs.find(p);
    if (!e) continue;
    bool for_normalisers = !w.normalisers.empty() && e->size <= opt.normalise_cap;
    if (!w.normalisers.empty() && !for_normalisers) side.too_large[p] = w.normalisers.front();
    const bool for_digest = w.package_digest && e->size <= opt.normalise_cap;
    if (for_normalisers || for_digest || (w.text && e->size <= opt.text_cap)) paths.push_back(p);
  }
  uint64_t text_used = 0;
  *rereads = read_contents(
      img, fs, paths, [&](const std::string& p) { return fs.find(p)->size; },
      [&](const std::string& path, std::string&& bytes, uint64_t size) {
        // read_contents delivers only the final entry's bytes (hash-checked); caps are the sizes.
        if (bytes.size() != size) return;
        const SecondRead& w = wants.at(path);
        if (size <= opt.normalise_cap)
          for (const std::string& n : w.normalisers) side.substance[path][n] = find_normaliser(n)(bytes);
        if (w.package_digest && size <= opt.normalise_cap) {
          FileDigester d({w.package_digest});
          d.data(bytes.data(), bytes.size());
          d.end();
          if (const std::string* hex = d.hex(w.package_digest)) side.package_digest[path] = *hex;
        }
        if (w.text && size <= opt.text_cap && text_used + size <= opt.text_budget && looks_like_text(bytes)) {
          text_used += size;
          side.text[path] = std::move(bytes);
        }
      }, run);
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

// The verdict's counts, then the hints: the last step at every depth.
void conclude(DiffResult& r, const DriftRules& rules, const std::map<std::string, size_t>& rule_counts) {
  summarise(r);
  r.hints = internal::make_hints(r, rules, rule_counts);
}

// Depth 1: one image under two names.
DiffResult same_manifest(DiffResult r, const DriftRules& rules) {
  r.compared = "manifest";
  r.verdict = Verdict::Identical;
  r.config.clear();  // same manifest, same config
  conclude(r, rules, {});
  return r;
}

// Depth 2: the same layers, maybe compressed or described differently. Only A is read, for its
// hazards (they are B's too); B's layers are still streamed, so that its blob digests and diff_ids
// are checked: a corrupt B is an error, never "reproducible".
DiffResult same_layers(DiffResult r, const Image& a, const Image& b, const DriftRules& rules, const RunContext& run) {
  r.compared = "diff_ids";
  BuildResult built;
  on_both_images<int>([&](int i) {
    if (i == 0) built = build_filesystem(a, nullptr, run);
    else {
      uint64_t stored = 0;
      for (const LayerInfo& l : b.layers) stored += l.size;
      if (run.progress) run.progress->expect(stored, b.layers.size());
      for (const LayerInfo& l : b.layers) {
        r.layers_b.push_back(read_layer(l, [](const TarHeader&, EntryData&) {}, read_options(run)));
        if (run.progress) run.progress->layer_done();
      }
    }
    return 0;
  });
  r.files_a = r.files_b = built.fs.size();
  r.hazards = internal::find_hazards(rules, built.fs, built.fs);
  r.layers_a = built.layers;
  r.notes = built.notes;
  conclude(r, rules, {});
  return r;
}

// The files the second read must fetch: changed regular files a normaliser must still see, or
// whose text a unified diff shows.
std::map<std::string, SecondRead> plan_second_read(const DiffResult& r, const DriftRules& rules, const DiffOptions& opt,
                                                   const SideContent (&sides)[2], internal::ClassifyContext& pre) {
  std::map<std::string, SecondRead> wants;
  for (const Change& c : r.changes) {
    if (c.kind != ChangeKind::Changed || !(c.attrs & kContent) || c.type_a != EntryType::File ||
        c.type_b != EntryType::File)
      continue;
    SecondRead w;
    bool noise = false;
    for (const std::string& n : internal::normalisers_for(rules, c, &noise)) {
      auto ea = sides[0].substance.find(c.path), eb = sides[1].substance.find(c.path);
      bool done = ea != sides[0].substance.end() && eb != sides[1].substance.end() && ea->second.count(n) && eb->second.count(n);
      if (!done) w.normalisers.push_back(n);  // not normalised early: the second read does it
    }
    // Never show the bytes of a file that is not world-readable (shadow, keys) or of a hazard;
    // nor fetch them for a change that is noise whatever its bytes (logs, caches).
    w.text = !noise && c.size_a <= opt.text_cap && c.size_b <= opt.text_cap && (c.mode_a & 04) && (c.mode_b & 04) &&
             !internal::is_hazard_path(rules, c.path, nullptr);
    if (w.text && w.normalisers.empty()) {  // everything known already: noise needs no text
      Change probe = c;
      internal::classify(probe, pre);
      w.text = probe.cls != Class::Noise;
    }
    if (internal::PackagedIn in = internal::packaged_in_both(pre.db_a, pre.db_b, c.path);
        in.a && digest_algo_name(in.a->digest_algo))
      w.package_digest = in.a->digest_algo;
    if (!w.normalisers.empty() || w.text || w.package_digest) wants[c.path] = std::move(w);
  }
  return wants;
}

// Depth 3: both final filesystems, entry by entry; then a second read of only what the
// classification needs, and every change classified.
DiffResult every_file(DiffResult r, const Image& a, const Image& b, const DriftRules& rules, const DiffOptions& opt,
                      const RunContext& run) {
  r.compared = "files";
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const char* phase) {
    auto now = std::chrono::steady_clock::now();
    r.timings.push_back({phase, run.frozen_clock ? 0.0 : std::chrono::duration<double>(now - t0).count()});
    t0 = now;
  };
  const Image* imgs[2] = {&a, &b};
  int early_ids[2] = {-1, -1};
  // Layers B shares with A (a rebuild's base, wherever it sits): with a layer cache, A is read
  // first and B replays those layers from what A's read recorded, instead of reading them again.
  std::set<std::pair<std::string, std::string>> in_a;
  for (const LayerInfo& l : a.layers) in_a.emplace(l.digest, l.diff_id);
  bool shared = false;
  for (const LayerInfo& l : b.layers) shared |= !l.digest.empty() && in_a.count({l.digest, l.diff_id});
  auto [ga, gb] = on_both_images<Gathered>(
      [&](int i) {
        return gather_facts(
            *imgs[i],
            [&](CaptureSet& cap) {
              early_ids[i] = declare_early(cap, rules, opt.normalise_cap);
              cap.want_layer_records();
            },
            FactScope::PackagesOnly, diff_needs(), run);
      },
      shared && run.cache && !run.cache->dir().empty());
  lap("read both images");
  SideContent sides[2];
  collect_early(*ga.captures, early_ids[0], ga.built.fs, sides[0]);
  collect_early(*gb.captures, early_ids[1], gb.built.fs, sides[1]);
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

  r.changes = compare_filesystems(fa, fb, a.rootfs.empty() && b.rootfs.empty());
  r.packages = diff_packages(ga.facts.packages, gb.facts.packages);
  r.hazards = internal::find_hazards(rules, fa, fb);
  lap("compare");

  internal::ClassifyContext pre{rules, sides[0], sides[1], r.packages, &ga.facts.packages, &gb.facts.packages, {}, {}};
  internal::prepare_package_story(pre);
  const std::map<std::string, SecondRead> wants = plan_second_read(r, rules, opt, sides, pre);
  if (!wants.empty()) {
    const FileSystem* fss[2] = {&fa, &fb};
    int rereads[2] = {0, 0};
    on_both_images<int>([&](int i) {
      read_side(*imgs[i], *fss[i], wants, opt, run, &rereads[i], sides[i]);
      return 0;
    });
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
    c.udiff = unified_diff(ta->second, tb->second, escape_bytes(c.path, false));
    ++udiffs;
  }
  std::map<std::string, std::string> too_large = sides[0].too_large;
  too_large.insert(sides[1].too_large.begin(), sides[1].too_large.end());
  for (auto& [path, n] : too_large)
    r.notes.push_back(fmt::format("{}: larger than {} MiB, not normalised ({})", path, opt.normalise_cap >> 20, n));
  conclude(r, rules, cx.rule_counts);
  lap("classify");
  r.update = update_cost(a, b, ga.built.layer_records, gb.built.layer_records, ga.built.layers, gb.built.layers, r, rules);
  lap("update cost");
  return r;
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

DiffResult run_diff(const Image& a, const Image& b, const DriftRules& rules, const DiffOptions& opt,
                    const RunContext& run) {
  PerfStage stage(run.perf, "diff (all of it)");
  DiffResult r;
  r.config = diff_configs(a.config_json, b.config_json, rules.config_noise);
  while (r.same_layers < a.layers.size() && r.same_layers < b.layers.size() &&
         a.layers[r.same_layers].diff_id == b.layers[r.same_layers].diff_id)
    ++r.same_layers;
  // As deep as it takes: the same manifest, else the same layers, else every file.
  if (!a.manifest_digest.empty() && a.manifest_digest == b.manifest_digest) r = same_manifest(std::move(r), rules);
  else if (a.rootfs.empty() && b.rootfs.empty() && !a.layers.empty() && a.layers.size() == b.layers.size() &&
           r.same_layers == a.layers.size())
    r = same_layers(std::move(r), a, b, rules, run);
  else
    return every_file(std::move(r), a, b, rules, opt, run);
  r.update = update_cost(a, b, {}, {}, {}, {}, r, rules);  // no layer was read
  return r;
}

}  // namespace imagelint::drift
