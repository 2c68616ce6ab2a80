#include "report/diff_report.h"

#include <algorithm>
#include <ctime>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "drift/update.h"
#include "report/check_report.h"
#include "report/diff_common.h"
#include "report/markdown.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {
namespace {

using drift::Change;
using drift::Class;
using nlohmann::json;

std::string short_digest(const std::string& d) {
  return d.size() > 19 ? fmt::format("{}…", d.substr(0, 19)) : d;
}

std::string verdict_line(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  size_t bad = d.by_class.at("drift") + d.by_class.at("hazard");
  switch (d.verdict) {
    case drift::Verdict::Identical: return "identical: the same image";
    case drift::Verdict::Reproducible: {
      size_t n = d.by_class.at("noise");
      return n == 0 ? "reproducible: no differences"
                    : fmt::format("reproducible: {} {}, all noise", with_commas(n), n == 1 ? "difference" : "differences");
    }
    case drift::Verdict::Drift:
      return fmt::format("drift: {} {} a look", with_commas(bad), bad == 1 ? "difference needs" : "differences need");
  }
  return "";
}

std::string image_line(const Image& img, size_t files) {
  std::string id = !img.manifest_digest.empty() ? img.manifest_digest : img.config_digest;
  std::string s = img.ref.original;
  if (!id.empty()) s += fmt::format("  {}", short_digest(id));
  std::vector<std::string> parts;
  if (!img.layers.empty()) parts.push_back(fmt::format("{} layer{}", img.layers.size(), img.layers.size() == 1 ? "" : "s"));
  if (files) parts.push_back(fmt::format("{} entries", with_commas(files)));
  if (parts.size() == 1) s += fmt::format("  ({})", parts[0]);
  if (parts.size() == 2) s += fmt::format("  ({}, {})", parts[0], parts[1]);
  return s;
}

// "2,772 entries changed, 0 added, 0 removed (noise 2,771, hazard 1); 2 config fields (noise 2)"
std::string counts_line(const drift::DiffResult& d) {
  std::map<Class, size_t> files, config;
  for (auto& c : d.changes) ++files[c.cls];
  for (auto& c : d.config) ++config[c.cls];
  auto classes = [](std::map<Class, size_t>& m) {
    std::string s;
    for (Class c : {Class::Noise, Class::Drift, Class::Hazard})
      if (m[c]) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", drift::class_name(c), with_commas(m[c]));
    return s.empty() ? std::string() : fmt::format(" ({})", s);
  };
  std::string out = fmt::format("{} {} changed, {} added, {} removed{}", with_commas(d.changed),
                                d.changed == 1 ? "entry" : "entries", with_commas(d.added), with_commas(d.removed),
                                classes(files));
  if (!d.config.empty())
    out += fmt::format("; {} config {}{}", d.config.size(), d.config.size() == 1 ? "field" : "fields", classes(config));
  return out;
}

// Where the changes live in B: per layer, how many of each class (removals count in A's layer).
struct LayerCount {
  size_t noise = 0, drift = 0, hazard = 0;
};
std::map<int, LayerCount> changes_by_layer(const drift::DiffResult& d) {
  std::map<int, LayerCount> out;
  for (const Change& c : d.changes) {
    if (c.kind == drift::ChangeKind::Removed) continue;
    LayerCount& n = out[c.layer_b];
    (c.cls == Class::Noise ? n.noise : c.cls == Class::Drift ? n.drift : n.hazard)++;
  }
  return out;
}

std::string compared_text(const drift::DiffResult& d) {
  if (d.compared == "manifest") return "same manifest digest: nothing else read";
  if (d.compared == "diff_ids") return "same diff_ids: A's layers read (for hazards), B's only checked against their digests";
  return fmt::format("final filesystems entry by entry; {} layers read again for content", d.rereads);
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += fmt::format("{}{}\n", pad, text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

int class_rank(Class c) { return c == Class::Hazard ? 0 : c == Class::Drift ? 1 : 2; }

std::vector<ChangeGroup> groups_of(const drift::DiffResult& r) {
  std::map<std::pair<int, std::string>, ChangeGroup> by;
  for (const Change& c : r.changes) {
    ChangeGroup& g = by[{class_rank(c.cls), c.category}];
    g.cls = c.cls;
    g.category = c.category;
    g.changes.push_back(&c);
  }
  std::vector<ChangeGroup> out;
  for (auto& [k, g] : by) out.push_back(std::move(g));
  std::stable_sort(out.begin(), out.end(), [](const ChangeGroup& x, const ChangeGroup& y) {
    if (class_rank(x.cls) != class_rank(y.cls)) return class_rank(x.cls) < class_rank(y.cls);
    bool ux = x.category == "unexplained", uy = y.category == "unexplained";
    if (ux != uy) return ux;
    return x.changes.size() > y.changes.size();
  });
  return out;
}

std::string attrs_of(const Change& c, const char* sep) {
  if (c.kind != drift::ChangeKind::Changed) return std::string(type_name(c.kind == drift::ChangeKind::Added ? c.type_b : c.type_a));
  std::string s;
  for (auto& n : drift::attr_names(c.attrs)) s += fmt::format("{}{}", s.empty() ? "" : sep, n);
  return s;
}

std::string layers_of(const Change& c) {
  auto l = [](int x) { return x < 0 ? std::string("-") : std::to_string(x); };
  if (c.kind == drift::ChangeKind::Added) return fmt::format("layer {} in B", l(c.layer_b));
  if (c.kind == drift::ChangeKind::Removed) return fmt::format("layer {} in A", l(c.layer_a));
  if (c.layer_a == c.layer_b) return fmt::format("layer {}", l(c.layer_a));
  return fmt::format("layer {} → {}", l(c.layer_a), l(c.layer_b));
}

// The update section: B's layers a host holding A downloads, largest first.
std::vector<const drift::UpdateLayer*> downloaded(const drift::UpdateCost& u) {
  std::vector<const drift::UpdateLayer*> out;
  for (auto& l : u.layers)
    if (l.status != "reused") out.push_back(&l);
  std::stable_sort(out.begin(), out.end(), [](auto* x, auto* y) { return x->size > y->size; });
  return out;
}

std::string update_totals(const drift::UpdateCost& u) {
  auto pct = [&](uint64_t n) { return u.image_bytes ? 100.0 * static_cast<double>(n) / static_cast<double>(u.image_bytes) : 0.0; };
  std::string s = fmt::format("a host holding A downloads {} of B's {} ({:.0f}%), {} of it for noise alone ({:.0f}%)",
                              drift::human_bytes(u.download_bytes), drift::human_bytes(u.image_bytes), pct(u.download_bytes),
                              drift::human_bytes(u.noise_bytes), pct(u.noise_bytes));
  if (u.hosts > 1)
    s += fmt::format("; {} hosts: {}, {} wasted", u.hosts, drift::human_bytes(u.download_bytes * u.hosts),
                     drift::human_bytes(u.noise_bytes * u.hosts));
  if (u.chunked)
    s += fmt::format("; with zstd:chunked partial pull, {}", drift::human_bytes(u.chunked_download_bytes));
  return s;
}

std::string update_line(const drift::UpdateLayer& l) {
  std::string why = l.status == "drift"
                        ? fmt::format("{} {} from A's layer {}", with_commas(l.entries_differ),
                                      l.entries_differ == 1 ? "entry differs" : "entries differ", l.index)
                        : l.cause;
  if (l.chunked_download >= 0)
    why += fmt::format(" (zstd:chunked partial pull: {})", drift::human_bytes(static_cast<uint64_t>(l.chunked_download)));
  return fmt::format("layer {:>3}  {:>8}  {:<17}  {}", l.index, drift::human_bytes(l.size), l.status, why);
}

std::string diff_text(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  auto paint = [&](const std::string& s, const char* code) { return r.color ? fmt::format("\033[{}m{}\033[0m", code, s) : s; };
  std::string out;
  const char* vcolor = d.verdict == drift::Verdict::Drift ? "1;31" : "1;32";
  out += fmt::format("imagelint diff: {}\n", paint(verdict_line(r), vcolor));
  out += fmt::format("  A  {}\n  B  {}\n", image_line(r.a, d.files_a), image_line(r.b, d.files_b));
  out += fmt::format("  compared: {}, {:.1f} s\n", compared_text(d), r.seconds);
  out += fmt::format("  {}\n", counts_line(d));
  if (!d.hints.empty()) {
    out += "\nHints\n";
    for (auto& h : d.hints) out += fmt::format("  - {}\n", escape_bytes(h, false));
  }
  if (!d.packages.empty()) {
    out += "\nPackages\n";
    for (auto& p : d.packages.changed)
      out += fmt::format("  changed  {}  {} → {}\n", escape_bytes(p.name, false), escape_bytes(p.a, false), escape_bytes(p.b, false));
    for (auto& p : d.packages.added) out += fmt::format("  added    {}\n", escape_bytes(p, false));
    for (auto& p : d.packages.removed) out += fmt::format("  removed  {}\n", escape_bytes(p, false));
  }
  if (!d.config.empty()) {
    out += "\nConfig\n";
    for (auto& c : d.config)
      if (!c.summary.empty())
        out += fmt::format("  {:<6} {}: {}\n", drift::class_name(c.cls), escape_bytes(c.field, false), escape_bytes(c.summary, false));
      else
        out += fmt::format("  {:<6} {}: {} → {}\n", drift::class_name(c.cls), escape_bytes(c.field, false),
                           c.a.empty() ? "(absent)" : escape_bytes(c.a, false), c.b.empty() ? "(absent)" : escape_bytes(c.b, false));
  }
  if (!d.hazards.empty()) {
    out += "\nHazards\n";
    for (auto& h : d.hazards) {
      std::string where = h.in_a && h.in_b ? (h.equal ? "in A and B, same content" : "in A and B, different content")
                                           : h.in_a ? "in A only" : "in B only";
      out += fmt::format("  {}  [{}] {}: {}\n", paint(escape_bytes(h.path, false), "1;31"), h.rule, where, h.description);
    }
  }
  if (!d.update.layers.empty()) {
    out += "\nUpdate (what a host holding A pulls to move to B)\n";
    out += fmt::format("  {}\n", update_totals(d.update));
    for (const drift::UpdateLayer* l : downloaded(d.update)) {
      out += fmt::format("  {}\n", escape_bytes(update_line(*l), false));
      if (l->status == "noise-only" || l->status == "unexplained-churn") {
        if (!l->first_paths.empty())
          out += fmt::format("             first: {}\n", escape_bytes(fmt::format("{}", fmt::join(l->first_paths, ", ")), false));
        out += fmt::format("             fix: {}\n", l->fix);
      }
    }
  }
  auto by_layer = changes_by_layer(d);
  if (!by_layer.empty() && !r.b.layers.empty()) {
    out += "\nLayers of B (added and changed entries)\n  layer     noise     drift    hazard  created_by\n";
    for (auto& [layer, n] : by_layer) {
      const std::string created = shorten(r.b.created_by(layer), 60);
      out += fmt::format("  {:>5}  {:>8}  {:>8}  {:>8}  {}\n", layer, with_commas(n.noise), with_commas(n.drift),
                         with_commas(n.hazard), escape_bytes(created, false));
    }
  }
  auto groups = groups_of(d);
  if (!groups.empty()) {
    out += "\nCategories\n";
    for (auto& g : groups) out += fmt::format("  {:<6}  {:<22} {:>9}\n", drift::class_name(g.cls), g.category, with_commas(g.changes.size()));
    out += "\nDetails\n";
    for (auto& g : groups) {
      out += fmt::format("  {} / {} ({})\n", drift::class_name(g.cls), g.category, with_commas(g.changes.size()));
      size_t limit = g.cls == Class::Noise ? r.max_noise_examples : 200;
      size_t shown = 0;
      for (const Change* c : g.changes) {
        if (shown++ >= limit) break;
        out += fmt::format("    {:<7} {}  [{}]  {}\n", drift::kind_name(c->kind), escape_bytes(c->path, false), attrs_of(*c),
                           layers_of(*c));
        out += fmt::format("            {}\n", escape_bytes(c->detail, false));
        if (!c->explained_by.empty()) out += fmt::format("            explained by {}\n", escape_bytes(c->explained_by, false));
        if (!c->note.empty()) out += fmt::format("            {}\n", escape_bytes(c->note, false));
        if (!c->udiff.empty()) out += indent(c->udiff, "            ");
      }
      if (g.changes.size() > limit)
        out += fmt::format("    … and {} more (--format json lists every change)\n", with_commas(g.changes.size() - limit));
    }
  }
  if (!d.notes.empty()) {
    out += "\nNotes\n";
    for (auto& n : d.notes) out += fmt::format("  {}\n", escape_bytes(n, false));
  }
  return out;
}

std::string diff_json(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  json j;
  j["schema"] = "imagelint.diff/v1";
  j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
  j["created"] = format_time(r.now);  // when the diff ran: `imagelint report` orders nights by it
  BuildResult la, lb;
  la.layers = d.layers_a;
  lb.layers = d.layers_b;
  j["a"] = image_to_json(r.a, &la);
  j["b"] = image_to_json(r.b, &lb);
  j["verdict"] = drift::verdict_name(d.verdict);
  j["compared"] = d.compared;
  j["summary"] = {{"added", d.added}, {"removed", d.removed}, {"changed", d.changed},
                  {"by_class", d.by_class}, {"by_category", d.by_category},
                  {"files_a", d.files_a}, {"files_b", d.files_b}, {"hazards", d.hazards.size()}};
  j["hints"] = d.hints;
  json pk = {{"added", d.packages.added}, {"removed", d.packages.removed}, {"changed", json::array()}};
  for (auto& p : d.packages.changed) pk["changed"].push_back({{"name", p.name}, {"arch", p.arch}, {"a", p.a}, {"b", p.b}});
  j["packages"] = pk;
  j["layers"] = {{"a", r.a.layers.size()}, {"b", r.b.layers.size()}, {"same_leading", d.same_layers},
                 {"read_again", d.rereads}, {"changes_in_b", json::array()}};
  for (auto& [layer, n] : changes_by_layer(d))
    j["layers"]["changes_in_b"].push_back({{"index", layer < 0 ? json(nullptr) : json(layer)},
                                           {"noise", n.noise}, {"drift", n.drift}, {"hazard", n.hazard}});
  j["update"] = drift::update_to_json(d.update);
  j["config"] = json::array();
  for (auto& c : d.config)
    j["config"].push_back({{"field", c.field},
                           {"a", c.a.empty() ? json(nullptr) : json::parse(c.a, nullptr, false)},
                           {"b", c.b.empty() ? json(nullptr) : json::parse(c.b, nullptr, false)},
                           {"class", drift::class_name(c.cls)},
                           {"category", c.category}});
  for (size_t i = 0; i < d.config.size(); ++i)
    if (!d.config[i].summary.empty()) j["config"][i]["summary"] = d.config[i].summary;
  j["hazards"] = json::array();
  for (auto& h : d.hazards)
    j["hazards"].push_back({{"path", h.path}, {"rule", h.rule}, {"category", h.category}, {"in_a", h.in_a},
                            {"in_b", h.in_b}, {"equal", h.equal}, {"message", h.description}});
  j["changes"] = json::array();
  auto layer = [](int x) { return x < 0 ? json(nullptr) : json(x); };
  for (const Change& c : d.changes) {
    json cj = {{"path", c.path},
               {"kind", drift::kind_name(c.kind)},
               {"attributes", drift::attr_names(c.attrs)},
               {"class", drift::class_name(c.cls)},
               {"category", c.category},
               {"rule", c.rule.empty() ? json(nullptr) : json(c.rule)},
               {"layer_a", layer(c.layer_a)},
               {"layer_b", layer(c.layer_b)},
               {"detail", c.detail}};
    if (!c.explained_by.empty()) cj["explained_by"] = c.explained_by;
    if (!c.note.empty()) cj["note"] = c.note;
    if (!c.udiff.empty()) cj["unified_diff"] = c.udiff;
    j["changes"].push_back(std::move(cj));
  }
  j["notes"] = d.notes;
  j["seconds"] = r.seconds;
  j["timings"] = json::object();
  for (auto& [phase, secs] : d.timings) j["timings"][phase] = secs;
  // Bytes from the image (paths, diffs) may be invalid UTF-8: replace rather than fail.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string diff_markdown(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  const char* mark = d.verdict == drift::Verdict::Drift ? "❌" : "✅";
  std::string out = fmt::format("### {} imagelint diff: {}\n\n", mark, md_text(verdict_line(r)));
  out += "| | A | B |\n|---|---|---|\n";
  out += fmt::format("| image | {} | {} |\n", md_code(r.a.ref.original), md_code(r.b.ref.original));
  out += fmt::format("| digest | {} | {} |\n",
                     md_code(short_digest(r.a.manifest_digest.empty() ? r.a.config_digest : r.a.manifest_digest)),
                     md_code(short_digest(r.b.manifest_digest.empty() ? r.b.config_digest : r.b.manifest_digest)));
  out += fmt::format("| layers | {} | {} |\n", r.a.layers.size(), r.b.layers.size());
  if (d.files_a || d.files_b) out += fmt::format("| entries | {} | {} |\n", with_commas(d.files_a), with_commas(d.files_b));
  out += fmt::format("\n{} ({:.1f} s)\n", counts_line(d), r.seconds);
  if (!d.hints.empty()) {
    out += "\n**Hints**\n\n";
    for (auto& h : d.hints) out += fmt::format("- {}\n", md_text(h));
  }
  if (!d.update.layers.empty()) {
    out += fmt::format("\n**Update**: {}\n", md_text(update_totals(d.update)));
    auto dl = downloaded(d.update);
    if (!dl.empty()) {
      out += "\n| layer | size | status | why | fix |\n|---|---|---|---|---|\n";
      for (const drift::UpdateLayer* l : dl)
        out += fmt::format("| {} | {} | {} | {} | {} |\n", l->index, drift::human_bytes(l->size), l->status,
                           md_text(l->status == "drift" ? fmt::format("{} {}", l->entries_differ, l->entries_differ == 1 ? "entry differs" : "entries differ") : l->cause),
                           md_text(l->fix));
    }
  }
  if (!d.packages.empty()) {
    out += "\n**Packages**\n\n| change | package | A | B |\n|---|---|---|---|\n";
    for (auto& p : d.packages.changed) out += fmt::format("| changed | {} | {} | {} |\n", md_code(p.name), md_code(p.a), md_code(p.b));
    for (auto& p : d.packages.added) out += fmt::format("| added | {} | | |\n", md_code(p));
    for (auto& p : d.packages.removed) out += fmt::format("| removed | {} | | |\n", md_code(p));
  }
  if (!d.hazards.empty()) {
    out += "\n**Hazards**\n\n| path | rule | where |\n|---|---|---|\n";
    for (auto& h : d.hazards)
      out += fmt::format("| {} | {} | {} |\n", md_code(h.path), md_code(h.rule),
                         h.in_a && h.in_b ? (h.equal ? "A and B, same" : "A and B, different") : h.in_a ? "A only" : "B only");
  }
  bool config_drift = false;
  for (auto& c : d.config) config_drift = config_drift || c.cls != Class::Noise;
  if (config_drift) {
    out += "\n**Config**\n\n| field | A | B |\n|---|---|---|\n";
    for (auto& c : d.config)
      if (c.cls != Class::Noise && !c.summary.empty())
        out += fmt::format("| {} | {} | |\n", md_code(c.field), md_text(c.summary));
      else if (c.cls != Class::Noise)
        out += fmt::format("| {} | {} | {} |\n", md_code(c.field), md_code(c.a), md_code(c.b));
  }
  auto groups = groups_of(d);
  if (!groups.empty()) {
    out += "\n**Categories**\n\n| class | category | changes |\n|---|---|---:|\n";
    for (auto& g : groups) out += fmt::format("| {} | {} | {} |\n", drift::class_name(g.cls), md_text(g.category), with_commas(g.changes.size()));
  }
  size_t rows = 0;
  std::string drift_rows, diffs;
  for (auto& g : groups) {
    if (g.cls == Class::Noise) continue;
    for (const Change* c : g.changes) {
      if (rows++ >= 100) continue;
      std::string why = !c->explained_by.empty() ? c->explained_by : c->note;
      drift_rows += fmt::format("| {} | {} | {} | {} | {} |\n", drift::kind_name(c->kind), md_code(c->path),
                                md_text(attrs_of(*c)), md_text(g.category), md_text(why.empty() ? c->detail : why));
      if (!c->udiff.empty() && rows <= 20)
        diffs += fmt::format("<details><summary>{}</summary>\n\n{}diff\n{}{}\n</details>\n\n", html_text(c->path),
                             fence_for(c->udiff), c->udiff, fence_for(c->udiff));
    }
  }
  if (!drift_rows.empty()) {
    out += "\n**Differences that need a look**\n\n| kind | path | attributes | category | why |\n|---|---|---|---|---|\n";
    out += drift_rows;
    if (rows > 100) out += fmt::format("\n… and {} more (the JSON report lists every change)\n", with_commas(rows - 100));
    if (!diffs.empty()) out += fmt::format("\n{}", diffs);
  }
  size_t noise = d.by_class.at("noise");
  if (noise) {
    out += fmt::format("\n<details><summary>Noise: {} differences</summary>\n\n| category | examples |\n|---|---|\n", with_commas(noise));
    for (auto& g : groups) {
      if (g.cls != Class::Noise) continue;
      std::string ex;
      for (size_t i = 0; i < g.changes.size() && i < r.max_noise_examples; ++i) ex += fmt::format("{}{}", i ? ", " : "", md_code(g.changes[i]->path));
      if (g.changes.size() > r.max_noise_examples) ex += fmt::format(" and {} more", with_commas(g.changes.size() - r.max_noise_examples));
      out += fmt::format("| {} ({}) | {} |\n", md_text(g.category), with_commas(g.changes.size()), ex);
    }
    out += "\n</details>\n";
  }
  return out;
}

DiffWriter find_diff_writer(const std::string& format) {
  if (format == "text") return diff_text;
  if (format == "json") return diff_json;
  if (format == "markdown") return diff_markdown;
  if (format == "html") return diff_html;
  return nullptr;
}

}  // namespace imagelint
