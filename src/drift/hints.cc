// Root-cause hints: one line per cause, above the details, so the reader of a nightly report
// learns why two builds differ before reading a single path. What is drift comes first, then
// the noise causes by how many changes each explains. Noise hints are templates in
// rules/drift.json ("hint", with {count}).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "drift/diff_internal.h"
#include "util/text.h"

namespace imagelint::drift::internal {

namespace {

// "{count}" becomes the number; "{one|many}" the first word for a count of 1, else the second
// ("{count} module{|s} differ{s|}").
std::string fill(const std::string& tmpl, size_t count) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += tmpl[i++];
      continue;
    }
    std::string inner = tmpl.substr(i + 1, close - i - 1);
    size_t bar = inner.find('|');
    if (inner == "count") out += with_commas(count);
    else if (bar != std::string::npos) out += count == 1 ? inner.substr(0, bar) : inner.substr(bar + 1);
    else out += tmpl.substr(i, close - i + 1);
    i = close + 1;
  }
  return out;
}

// What the mtimes of mtime-only changes say about the two builds' clocks: one build clamped them
// (all one value) and the other did not, or where the unclamped ones come from.
std::string clock_hint(const DiffResult& r, const std::string& rule_id) {
  std::set<int64_t> a, b;
  size_t n = 0;
  for (auto& c : r.changes)
    if (c.rule == rule_id && c.kind == ChangeKind::Changed) {
      a.insert(c.mtime_a);
      b.insert(c.mtime_b);
      ++n;
    }
  // A handful of entries from one RUN step share a second without anything being clamped.
  if (n < 20) return {};
  if (a.size() == 1 && b.size() == 1)
    return fmt::format("every entry has mtime {} in A and {} in B: both builds clamp, to different times "
                       "(is SOURCE_DATE_EPOCH taken from the clock rather than from the sources?)",
                       format_time(*a.begin()), format_time(*b.begin()));
  if (a.size() == 1)
    return fmt::format("A's entries all have mtime {} (clamped, e.g. by SOURCE_DATE_EPOCH); B's do not", format_time(*a.begin()));
  if (b.size() == 1)
    return fmt::format("B's entries all have mtime {} (clamped, e.g. by SOURCE_DATE_EPOCH); A's do not", format_time(*b.begin()));
  int64_t lo = *b.begin(), hi = *b.rbegin();
  // Unsigned: a hostile image's mtimes can span the whole int64 range.
  if (static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) < 86400 && *a.rbegin() < lo)
    return fmt::format("B's mtimes lie between {} and {}, after all of A's: the time of the build, not of the sources",
                       format_time(lo), format_time(hi));
  return {};
}

}  // namespace

std::vector<std::string> make_hints(const DiffResult& r, const DriftRules& rules,
                                    const std::map<std::string, size_t>& rule_counts) {
  std::vector<std::string> out;
  if (r.compared == "manifest") out.push_back("same manifest digest: both references name one image");
  if (r.compared == "diff_ids")
    out.push_back("every layer has the same diff_id: no file can differ; only compression or image metadata do");

  size_t unexplained = 0, by_packages = 0;
  for (auto& c : r.changes) {
    if (c.cls == Class::Drift && c.category == "unexplained") ++unexplained;
    if (c.category == "packages") ++by_packages;
  }
  if (unexplained)
    out.push_back(fmt::format("{} {} no rule explains (drift, category unexplained): listed first in the details",
                              with_commas(unexplained), unexplained == 1 ? "difference" : "differences"));
  if (!r.packages.empty()) {
    size_t p = r.packages.added.size() + r.packages.removed.size() + r.packages.changed.size();
    out.push_back(fmt::format("package set changed: {} {} {} {}", p, p == 1 ? "package explains" : "packages explain",
                              with_commas(by_packages), by_packages == 1 ? "file" : "files"));
  }
  std::vector<std::string> drift_fields, noise_fields;
  for (auto& c : r.config) (c.cls == Class::Noise ? noise_fields : drift_fields).push_back(c.field);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 6; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 6) s += fmt::format(" and {} more", v.size() - 6);
    return s;
  };
  if (!drift_fields.empty()) out.push_back("image config differs: " + join(drift_fields));
  size_t hazards = r.hazards.size();
  if (hazards) {
    std::vector<std::string> cats;
    for (auto& h : r.hazards)
      if (std::find(cats.begin(), cats.end(), h.category) == cats.end()) cats.push_back(h.category);
    out.push_back(fmt::format("{} {} ({}): every host booted from this image would share {}", hazards,
                              hazards == 1 ? "hazard" : "hazards", join(cats), hazards == 1 ? "it" : "them"));
  }
  if (r.compared == "files" && !r.layers_a.empty() && !r.layers_b.empty()) {
    size_t na = r.layers_a.size(), nb = r.layers_b.size();
    std::string counts = na == nb ? "" : fmt::format(" (A has {} layers, B has {})", na, nb);
    if (r.same_layers > 0 && r.same_layers < std::min(na, nb))
      out.push_back(fmt::format("layers 0–{} are the same in both (equal diff_ids); the builds diverge at layer {}{}",
                                r.same_layers - 1, r.same_layers, counts));
    else if (r.same_layers == 0)
      out.push_back("the builds differ from the first layer on" + counts);
    else if (!counts.empty())
      out.push_back("one build has extra layers" + counts);
  }
  // Noise (and classified drift) causes, by how many changes each explains.
  std::vector<std::pair<size_t, std::string>> causes;
  for (const DriftRule& rule : rules.rules) {
    auto it = rule_counts.find(rule.id);
    if (it == rule_counts.end() || it->second == 0 || rule.hint.empty()) continue;
    std::string text = fill(rule.hint, it->second);
    if (rule.attributes == kMtime)
      if (std::string clock = clock_hint(r, rule.id); !clock.empty()) text += "; " + clock;
    causes.push_back({it->second, text});
  }
  std::stable_sort(causes.begin(), causes.end(), [](auto& x, auto& y) { return x.first > y.first; });
  for (auto& [n, text] : causes) out.push_back(text);
  if (drift_fields.empty() && !noise_fields.empty())
    out.push_back("image config differs only in build timestamps and builder stamps: " + join(noise_fields));
  return out;
}

}  // namespace imagelint::drift::internal
