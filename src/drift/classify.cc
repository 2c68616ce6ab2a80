// Classification: each change gets a class (noise, drift, hazard), a category and the rule or
// package that explains it. Hazard paths first, then the drift rules in order (the first match
// decides; a normaliser rule matches only when the two files are equal in substance), then the
// package set, and what is left is drift, category "unexplained".
#include <algorithm>

#include <fmt/format.h>

#include "drift/diff_internal.h"
#include "util/path.h"

namespace imagelint::drift::internal {
namespace {

bool rule_matches(const DriftRule& r, const Change& c) {
  if (!r.kinds.empty() && std::find(r.kinds.begin(), r.kinds.end(), kind_name(c.kind)) == r.kinds.end()) return false;
  if (r.attributes) {
    if (c.kind != ChangeKind::Changed || (c.attrs & ~r.attributes)) return false;
  }
  return rule_matches_path(r, c.path);
}

bool content_change(const Change& c) {
  return c.kind == ChangeKind::Changed && (c.attrs & kContent) && c.type_a == EntryType::File && c.type_b == EntryType::File;
}

const Substance* lookup(const SideContent& s, const std::string& path, const std::string& normaliser) {
  auto it = s.substance.find(path);
  if (it == s.substance.end()) return nullptr;
  auto jt = it->second.find(normaliser);
  return jt == it->second.end() ? nullptr : &jt->second;
}

void assign(Change& c, Class cls, const std::string& category, const std::string& rule, ClassifyContext& cx) {
  c.cls = cls;
  c.category = category;
  c.rule = rule;
  ++cx.rule_counts[rule];
}

}  // namespace

PackagedIn packaged_in_both(const PackageDb* a, const PackageDb* b, const std::string& path) {
  if (!a || !b) return {};
  for (const Package* pa : a->owners(path)) {
    if (pa->attrs.size() != pa->files.size()) continue;
    auto at = std::find(pa->files.begin(), pa->files.end(), path);
    if (at == pa->files.end()) continue;  // listed under another name (bin/ for usr/bin/)
    const size_t i = static_cast<size_t>(at - pa->files.begin());
    if (pa->attrs[i].digest.empty()) continue;
    for (const Package* pb : b->owners(path))
      if (pb->nevra == pa->nevra && pb->attrs.size() == pb->files.size() && i < pb->files.size() &&
          pb->files[i] == path && pb->attrs[i].digest == pa->attrs[i].digest)
        return {pa, pb, i};
  }
  return {};
}

namespace {

// A changed file that a package of the same NEVRA lists in both builds: it matches its package in
// one build and not in the other, so a later layer edited it (drift, category
// modified-after-install). Both matching is impossible for two different contents: the database
// is inconsistent, said in the note. False when the digests are not known.
bool modified_after_install(Change& c, ClassifyContext& cx) {
  if (!content_change(c)) return false;
  PackagedIn in = packaged_in_both(cx.db_a, cx.db_b, c.path);
  if (!in.a) return false;
  auto da = cx.a.package_digest.find(c.path), db = cx.b.package_digest.find(c.path);
  if (da == cx.a.package_digest.end() || db == cx.b.package_digest.end()) return false;
  const std::string& want = in.a->attrs[in.file].digest;
  const bool ma = da->second == want, mb = db->second == want;
  if (ma && mb) {
    c.note = fmt::format("matches {}'s digest in both builds although the contents differ: the package database is inconsistent",
                         in.a->nevra);
    return false;
  }
  if (ma == mb) return false;  // neither matches: both builds changed it (or the database lies)
  assign(c, Class::Drift, "modified-after-install", "modified-after-install", cx);
  c.explained_by = fmt::format("{} installed it as A has it; B's build changed it after the install", in.a->nevra);
  if (!ma) c.explained_by = fmt::format("{} installed it as B has it; A's build changed it after the install", in.a->nevra);
  return true;
}

}  // namespace

void prepare_package_story(ClassifyContext& cx) {
  for (auto& p : cx.packages.changed) {
    std::string story = fmt::format("{} {} → {}", p.name, p.a, p.b);
    cx.package_story[p.nevra_a] = story;
    cx.package_story[p.nevra_b] = story;
  }
  for (auto& n : cx.packages.added) cx.package_story[n] = n + " added";
  for (auto& n : cx.packages.removed) cx.package_story[n] = n + " removed";
}

const HazardRule* hazard_of(const DriftRules& rules, const Change& c);

std::vector<std::string> normalisers_for(const DriftRules& rules, const Change& c, bool* settled_noise) {
  std::vector<std::string> out;
  if (settled_noise) *settled_noise = false;
  if (hazard_of(rules, c)) return out;
  for (const DriftRule& r : rules.rules) {
    if (!rule_matches(r, c)) continue;
    if (r.normaliser.empty()) {
      if (settled_noise) *settled_noise = r.cls == Class::Noise && !r.packages_explain;
      break;
    }
    if (content_change(c) && std::find(out.begin(), out.end(), r.normaliser) == out.end()) out.push_back(r.normaliser);
  }
  return out;
}

bool is_hazard_path(const DriftRules& rules, const std::string& path, const HazardRule** which) {
  for (const HazardRule& h : rules.hazards)
    if (hazard_matches_path(h, path)) {
      if (which) *which = &h;
      return true;
    }
  return false;
}

// The hazard a change is, if any: its path matches and, for a "nonempty" hazard, one side is a
// regular file with content (an empty machine-id is the right state, whatever its mtime).
const HazardRule* hazard_of(const DriftRules& rules, const Change& c) {
  bool a = c.kind != ChangeKind::Added && c.type_a == EntryType::File && c.size_a > 0;
  bool b = c.kind != ChangeKind::Removed && c.type_b == EntryType::File && c.size_b > 0;
  for (const HazardRule& h : rules.hazards)  // every rule that matches: one may need content, another not
    if (hazard_matches_path(h, c.path) && (!h.nonempty || a || b)) return &h;
  return nullptr;
}

void classify(Change& c, ClassifyContext& cx) {
  // --ignore is the user's last word, even on a hazard path.
  for (const DriftRule& r : cx.rules.rules) {
    if (r.source != "--ignore") break;
    if (rule_matches(r, c)) {
      assign(c, r.cls, r.category, r.id, cx);
      return;
    }
  }
  if (const HazardRule* hazard = hazard_of(cx.rules, c)) {
    assign(c, Class::Hazard, hazard->category, hazard->id, cx);
    return;
  }
  if (modified_after_install(c, cx)) return;
  const bool packages_changed = !cx.packages.empty();
  for (const DriftRule& r : cx.rules.rules) {
    if (!rule_matches(r, c)) continue;
    if (!r.normaliser.empty()) {
      // A normaliser explains the bytes (and the mtime that comes with new bytes), nothing else.
      if (!content_change(c) || (c.attrs & ~(kContent | kMtime))) continue;
      const Substance* sa = lookup(cx.a, c.path, r.normaliser);
      const Substance* sb = lookup(cx.b, c.path, r.normaliser);
      if (!sa || !sb) {
        if (cx.a.too_large.count(c.path) || cx.b.too_large.count(c.path))
          c.note = fmt::format("too large for the {} normaliser; compared byte for byte", r.normaliser);
        continue;
      }
      if (!sa->ok || !sb->ok) {
        c.note = fmt::format("{} normaliser could not read {}: {}", r.normaliser, sa->ok ? "B" : "A", sa->ok ? sb->error : sa->error);
        continue;
      }
      if (sa->digest == sb->digest) {
        assign(c, r.cls, r.category, r.id, cx);
        c.note = fmt::format("equal in substance ({} normaliser)", r.normaliser);
        return;
      }
      c.note = fmt::format("differs in substance ({} normaliser)", r.normaliser);
      if (r.packages_explain && packages_changed) {
        assign(c, Class::Drift, "packages", "packages", cx);  // not the rule's hint: it would say "only"
        c.explained_by = "the package set changed";
        return;
      }
      continue;
    }
    if (r.packages_explain && packages_changed) {
      assign(c, Class::Drift, "packages", "packages", cx);
      c.explained_by = "the package set changed";
      return;
    }
    assign(c, r.cls, r.category, r.id, cx);
    return;
  }
  if (!cx.package_story.empty()) {
    for (const PackageDb* db : {cx.db_a, cx.db_b}) {
      if (!db) continue;
      for (const Package* p : db->owners(c.path)) {
        auto it = cx.package_story.find(p->nevra);
        if (it == cx.package_story.end()) continue;
        assign(c, Class::Drift, "packages", "packages", cx);
        c.explained_by = it->second;
        return;
      }
    }
  }
  assign(c, Class::Drift, "unexplained", "unexplained", cx);
}

std::vector<Hazard> find_hazards(const DriftRules& rules, const FileSystem& a, const FileSystem& b) {
  std::vector<Hazard> out;
  for (const HazardRule& h : rules.hazards) {
    std::map<std::string, Hazard> found;
    for (const FileSystem* fs : {&a, &b}) {
      for (const std::string& glob : h.paths) {
        std::string prefix(glob_literal_prefix(glob));
        for (auto it = fs->entries().lower_bound(prefix); it != fs->entries().end() && it->first.starts_with(prefix); ++it) {
          const Entry& e = it->second;
          if (e.type == EntryType::Dir) continue;
          if (h.nonempty && (e.type != EntryType::File || e.size == 0)) continue;
          if (!glob_match(glob, it->first)) continue;
          Hazard& z = found[it->first];
          z.path = it->first;
          z.rule = h.id;
          z.category = h.category;
          z.description = h.description;
          if (fs == &a) z.in_a = true;
          if (fs == &b) z.in_b = true;
        }
      }
    }
    for (auto& [path, z] : found) {
      const Entry* x = a.find(path);
      const Entry* y = b.find(path);
      z.equal = z.in_a && z.in_b && x && y && x->type == y->type && x->hash == y->hash && x->link == y->link;
      out.push_back(z);
    }
  }
  return out;
}

}  // namespace imagelint::drift::internal
