// `imagelint diff --format html`: one self-contained page for a person (the nightly job's artifact).
// Nothing is fetched: styles, the SVG charts and one small script are inline. Every string from an
// image is escaped (html_text: entities, quotes, control bytes and invalid UTF-8 as \xNN) and goes
// into the HTML, never into the script: the script only reads the DOM. A Content-Security-Policy
// allows that one script by its hash, so even markup that slipped through could run nothing.
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "drift/update.h"
#include "report/diff_common.h"
#include "report/diff_report.h"
#include "report/markdown.h"
#include "report/svg.h"
#include "util/hash.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {
namespace {

using drift::Change;
using drift::Class;

// Rows of the file table: every hazard, drift up to a bound, noise up to a smaller one. A page of a
// million rows helps nobody and a browser may not open it; the JSON report lists every change.
constexpr size_t kMaxDriftRows = 10000;
constexpr size_t kMaxNoiseRows = 2000;
constexpr size_t kOpenDiffs = 5;

// The page's only script. It reads the table (class filters, text search over the cells marked
// "k") and writes nothing from it back as markup: textContent and the hidden flag only.
constexpr const char* kScript = R"JS(
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#changes tbody tr'));
  var text = rows.map(function (r) {
    return Array.prototype.map.call(r.querySelectorAll('.k'), function (c) { return c.textContent; }).join(' ').toLowerCase();
  });
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[type=checkbox]'));
  var search = document.getElementById('search');
  var shown = document.getElementById('shown');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var q = search ? search.value.trim().toLowerCase() : '';
    var n = 0;
    rows.forEach(function (r, i) {
      var show = on[r.dataset.cls] !== false && (!q || text[i].indexOf(q) >= 0);
      r.hidden = !show;
      if (show) n++;
    });
    if (shown) shown.textContent = n + ' of ' + rows.length + ' rows shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (search) {
    // report.html#q=TEXT opens with the search filled in: a link can point at one path.
    try { if (location.hash.indexOf('#q=') === 0) search.value = decodeURIComponent(location.hash.slice(3)); } catch (e) {}
    search.addEventListener('input', apply);
  }
  apply();
  document.body.dataset.ready = '1';
})();
)JS";

constexpr const char* kStyle = R"CSS(
:root { --noise: #8a8f98; --drift: #cf222e; --hazard: #bc4c00; --ok: #1a7f37; --same: #0969da;
        --fg: #1f2328; --muted: #59636e; --line: #d8dee4; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 0 24px 40px; }
.banner { padding: 18px 24px 16px; color: #fff; }
.banner > div { max-width: 1192px; margin: 0 auto; }
.banner.drift { background: var(--drift); } .banner.reproducible { background: var(--ok); } .banner.identical { background: var(--same); }
.banner .tool { font-size: 13px; opacity: .9; letter-spacing: .04em; text-transform: uppercase; }
.banner h1 { margin: 2px 0 0; font-size: 30px; line-height: 1.2; }
.banner p { margin: 4px 0 0; font-size: 15px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg2); font-weight: 600; white-space: nowrap; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.images th:first-child { width: 9em; }
code, pre, .path { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.path { overflow-wrap: anywhere; } td.path { min-width: 12em; }
.muted { color: var(--muted); } .zero { color: #b6bec7; }
.cls { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; }
.cls.noise { background: var(--noise); } .cls.drift { background: var(--drift); } .cls.hazard { background: var(--hazard); }
td.drift, td.hazard { font-weight: 600; } td.drift { color: var(--drift); } td.hazard { color: var(--hazard); }
ul.hints { margin: 0; padding-left: 20px; } ul.hints li { margin: 3px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 40px; }
svg.chart { max-width: 100%; height: auto; }
svg .bar.noise { fill: var(--noise); } svg .bar.drift { fill: var(--drift); } svg .bar.hazard { fill: var(--hazard); }
svg .bar.reused { fill: #b6bec7; } svg .bar.churn { fill: var(--noise); opacity: .6; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin: 6px 0 10px; }
.filters input[type=search] { flex: 1 1 260px; max-width: 420px; padding: 5px 8px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
#changes td.detail { max-width: 460px; }
details summary { cursor: pointer; color: var(--same); }
pre.udiff { margin: 4px 0 0; padding: 6px 8px; background: var(--bg2); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.udiff .add { color: #116329; background: #dafbe1; display: inline-block; min-width: 100%; }
pre.udiff .del { color: #82071e; background: #ffebe9; display: inline-block; min-width: 100%; }
pre.udiff .hunk { color: #0550ae; }
.note { color: var(--muted); margin: 8px 0 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
)CSS";

std::string h(const std::string& s) { return html_text(s); }

// Text of several lines (a unified diff) escaped line by line: newlines and tabs are kept, every
// other control byte becomes \xNN.
std::string html_lines(const std::string& text, bool colour) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start), esc;
    size_t t = 0;
    for (size_t tab; (tab = line.find('\t', t)) != std::string::npos; t = tab + 1) esc += h(line.substr(t, tab - t)) + "\t";
    esc += h(line.substr(t));
    const char* cls = !colour ? nullptr
                      : line.rfind("+++ ", 0) == 0 || line.rfind("--- ", 0) == 0 ? nullptr
                      : line.rfind("@@", 0) == 0 ? "hunk"
                      : line.rfind("+", 0) == 0  ? "add"
                      : line.rfind("-", 0) == 0  ? "del"
                                                  : nullptr;
    out += cls ? fmt::format("<span class=\"{}\">{}</span>\n", cls, esc) : esc + "\n";
    start = nl + 1;
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? abc[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? abc[n & 63] : '=';
  }
  return out;
}

// CSP names a script by base64 of its raw sha256; sha256_of gives "sha256:<hex>".
std::string csp_hash(const std::string& script) {
  std::string hex = sha256_of(script).substr(7), raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return "sha256-" + base64(raw);
}

size_t count(const drift::DiffResult& d, const char* cls) {
  auto it = d.by_class.find(cls);
  return it == d.by_class.end() ? 0 : it->second;
}

std::string verdict_detail(const drift::DiffResult& d) {
  size_t bad = count(d, "drift") + count(d, "hazard"), noise = count(d, "noise");
  switch (d.verdict) {
    case drift::Verdict::Identical: return "the same image (same manifest digest)";
    case drift::Verdict::Reproducible:
      return noise == 0 ? "no differences" : fmt::format("{} {}, all noise", with_commas(noise), noise == 1 ? "difference" : "differences");
    case drift::Verdict::Drift:
      return fmt::format("{} {} a look", with_commas(bad), bad == 1 ? "difference needs" : "differences need");
  }
  return "";
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", with_commas(n), n == 1 ? one : many); }

std::string digest_of(const Image& img) { return img.manifest_digest.empty() ? img.config_digest : img.manifest_digest; }

std::string images_table(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  auto digest = [](const Image& img) {
    std::string id = digest_of(img);
    return id.empty() ? std::string("<span class=\"muted\">none</span>") : fmt::format("<code>{}</code>", h(shorten(id, 20)));
  };
  std::string out = "<table class=\"images\">\n<tr><th></th><th>A (reference)</th><th>B</th></tr>\n";
  out += fmt::format("<tr><th>image</th><td class=\"path\">{}</td><td class=\"path\">{}</td></tr>\n", h(r.a.ref.original), h(r.b.ref.original));
  out += fmt::format("<tr><th>digest</th><td>{}</td><td>{}</td></tr>\n", digest(r.a), digest(r.b));
  if (!r.a.platform.os.empty() || !r.b.platform.os.empty())
    out += fmt::format("<tr><th>platform</th><td>{}</td><td>{}</td></tr>\n", h(r.a.platform.str()), h(r.b.platform.str()));
  out += fmt::format("<tr><th>layers</th><td>{}</td><td>{}</td></tr>\n", r.a.layers.size(), r.b.layers.size());
  if (d.files_a || d.files_b)
    out += fmt::format("<tr><th>entries</th><td>{}</td><td>{}</td></tr>\n", with_commas(d.files_a), with_commas(d.files_b));
  out += "</table>\n";
  std::string how = d.compared == "manifest" ? "same manifest digest: nothing else read"
                    : d.compared == "diff_ids" ? "same diff_ids: A's layers read for hazards, B's checked against their digests"
                                           : fmt::format("final filesystems entry by entry; {} read again for content",
                                                         plural(static_cast<size_t>(d.rereads), "layer", "layers"));
  std::string same = d.same_layers == 0 ? "no leading layer equal"
                     : fmt::format("{} equal", plural(d.same_layers, "leading layer", "leading layers"));
  out += fmt::format("<p class=\"note\">Compared: {}; {}; {:.1f} s.</p>\n", h(how), same, r.seconds);
  return out;
}

std::string charts(const drift::DiffResult& d) {
  std::vector<Bar> classes;
  for (const char* c : {"hazard", "drift", "noise"}) classes.push_back({c, static_cast<double>(count(d, c)), c, ""});
  // (class, category) of files and config fields, in the text report's order; a category that
  // occurs under two classes says which.
  std::map<std::pair<int, std::string>, size_t> cats;
  std::map<std::string, int> classes_of;
  auto add = [&](Class cls, const std::string& cat) {
    if (cats[{class_rank(cls), cat}]++ == 0) ++classes_of[cat];
  };
  for (auto& c : d.changes) add(c.cls, c.category);
  for (auto& c : d.config) add(c.cls, c.category);
  std::vector<std::pair<std::pair<int, std::string>, size_t>> sorted(cats.begin(), cats.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) {
    if (x.first.first != y.first.first) return x.first.first < y.first.first;
    return x.second > y.second;
  });
  static const char* names[] = {"hazard", "drift", "noise"};
  std::vector<Bar> categories;
  for (auto& [k, n] : sorted) {
    std::string label = classes_of[k.second] > 1 ? fmt::format("{} ({})", k.second, names[k.first]) : k.second;
    categories.push_back({label, static_cast<double>(n), names[k.first], ""});
  }
  std::string out = "<div class=\"charts\">\n";
  out += "<div><h3>By class</h3>\n" + svg_bar_chart(classes, {.title = "Differences by class", .width = 380, .label_width = 80}) + "\n</div>\n";
  out += "<div><h3>By category</h3>\n" + svg_bar_chart(categories, {.title = "Differences by category", .width = 560}) + "\n</div>\n";
  return out + "</div>\n";
}

std::string packages_section(const drift::PackageDiff& p) {
  std::string out = "<h2>Packages</h2>\n<table>\n<tr><th>change</th><th>package</th><th>A</th><th>B</th></tr>\n";
  for (auto& c : p.changed)
    out += fmt::format("<tr><td>changed</td><td class=\"path\">{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
                       h(c.name + (c.arch.empty() ? "" : "." + c.arch)), h(c.a), h(c.b));
  for (auto& n : p.added) out += fmt::format("<tr><td>added</td><td class=\"path\">{}</td><td></td><td></td></tr>\n", h(n));
  for (auto& n : p.removed) out += fmt::format("<tr><td>removed</td><td class=\"path\">{}</td><td></td><td></td></tr>\n", h(n));
  return out + "</table>\n";
}

std::string config_section(const std::vector<drift::ConfigChange>& config) {
  std::string out = "<h2>Config</h2>\n<table>\n<tr><th>class</th><th>category</th><th>field</th><th>A</th><th>B</th></tr>\n";
  auto value = [](const std::string& v) { return v.empty() ? std::string("<span class=\"muted\">(absent)</span>") : "<code>" + h(v) + "</code>"; };
  for (auto& c : config)
    if (!c.summary.empty())
      out += fmt::format("<tr><td class=\"{0}\">{0}</td><td>{1}</td><td class=\"path\">{2}</td><td colspan=\"2\">{3}</td></tr>\n",
                         drift::class_name(c.cls), h(c.category), h(c.field), h(c.summary));
    else
      out += fmt::format("<tr><td class=\"{0}\">{0}</td><td>{1}</td><td class=\"path\">{2}</td><td class=\"path\">{3}</td><td class=\"path\">{4}</td></tr>\n",
                       drift::class_name(c.cls), h(c.category), h(c.field), value(c.a), value(c.b));
  return out + "</table>\n";
}

std::string hazards_section(const std::vector<drift::Hazard>& hazards) {
  std::string out = "<h2>Hazards</h2>\n<table>\n<tr><th>path</th><th>rule</th><th>where</th><th>why it matters</th></tr>\n";
  for (auto& z : hazards) {
    const char* where = z.in_a && z.in_b ? (z.equal ? "A and B, same content" : "A and B, different content") : z.in_a ? "A only" : "B only";
    out += fmt::format("<tr><td class=\"path hazard\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n", h(z.path), h(z.rule),
                       where, h(z.description));
  }
  return out + "</table>\n";
}

// Where the changes live in B: per layer, how many of each class (removals have no layer in B).
std::string layers_section(const DiffReport& r) {
  std::map<int, std::array<size_t, 3>> by;  // layer -> hazard, drift, noise
  for (const Change& c : r.result.changes)
    if (c.kind != drift::ChangeKind::Removed) ++by[c.layer_b][static_cast<size_t>(class_rank(c.cls))];
  if (by.empty() || r.b.layers.empty()) return "";
  std::string out = "<h2>Layers of B</h2>\n<p class=\"note\">Added and changed entries by the layer of B that holds them.</p>\n"
                    "<table>\n<tr><th class=\"n\">layer</th><th class=\"n\">hazard</th><th class=\"n\">drift</th><th class=\"n\">noise</th>"
                    "<th>created by</th></tr>\n";
  static const char* names[] = {"hazard", "drift", "noise"};
  for (auto& [layer, n] : by) {
    const std::string& created = r.b.created_by(layer);
    out += fmt::format("<tr><td class=\"n\">{}</td>", layer < 0 ? "-" : std::to_string(layer));
    for (size_t i = 0; i < 3; ++i)
      out += fmt::format("<td class=\"n {}\">{}</td>", n[i] ? names[i] : "zero", with_commas(n[i]));
    out += fmt::format("<td><code>{}</code></td></tr>\n", h(shorten(created, 200)));
  }
  return out + "</table>\n";
}

// The update cost: each of B's layers as a bar as long as its stored size, coloured by what a host
// holding A does with it (reused, or downloaded for drift, for noise alone, for churn).
std::string update_section(const drift::UpdateCost& u) {
  if (u.layers.empty()) return "";
  std::vector<Bar> bars;
  for (const drift::UpdateLayer& l : u.layers) {
    const char* cls = l.status == "reused" ? "reused" : l.status == "drift" ? "drift" : l.status == "noise-only" ? "noise" : "churn";
    bars.push_back({fmt::format("layer {}", l.index), static_cast<double>(l.size), cls,
                    fmt::format("{} {}", drift::human_bytes(l.size), l.status)});
  }
  std::string out = "<h2>Update</h2>\n<p class=\"note\">What a host holding A downloads to move to B: each layer of B by its "
                    "stored size; grey ones it already holds.</p>\n";
  out += svg_bar_chart(bars, {.title = "Layers of B by size and status", .width = 640, .label_width = 80, .value_width = 170});
  out += "\n<table>\n<tr><th class=\"n\">layer</th><th class=\"n\">size</th><th>status</th><th>why</th><th>fix</th></tr>\n";
  for (const drift::UpdateLayer& l : u.layers) {
    if (l.status == "reused") continue;
    std::string why = l.status == "drift" ? plural(l.entries_differ, "entry differs", "entries differ") : l.cause;
    out += fmt::format("<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", l.index,
                       drift::human_bytes(l.size), l.status, h(why), h(l.fix));
  }
  return out + "</table>\n";
}

std::string change_row(const Change& c, bool open_diff) {
  const char* cls = drift::class_name(c.cls);
  std::string rule = h(c.rule);
  if (!c.explained_by.empty()) rule += fmt::format("<div class=\"muted\">explained by {}</div>", h(c.explained_by));
  std::string detail = fmt::format("<div class=\"k\">{}</div><div class=\"muted\">{}</div>", h(c.detail), layers_of(c));
  if (!c.note.empty()) detail += fmt::format("<div class=\"k muted\">{}</div>", h(c.note));
  if (!c.udiff.empty())
    detail += fmt::format("<details{}><summary>unified diff</summary><pre class=\"udiff\">{}</pre></details>", open_diff ? " open" : "",
                          html_lines(c.udiff, true));
  return fmt::format(
      "<tr data-cls=\"{0}\"><td class=\"path k\">{1}</td><td class=\"k\">{2}</td><td class=\"k\">{3}</td>"
      "<td><span class=\"cls {0}\">{0}</span></td><td class=\"k\">{4}</td><td class=\"k\">{5}</td><td class=\"detail\">{6}</td></tr>\n",
      cls, h(c.path), drift::kind_name(c.kind), h(attrs_of(c, ", ")), h(c.category), rule, detail);
}

std::string files_section(const drift::DiffResult& d) {
  std::string out = "<h2 id=\"files\">File changes</h2>\n";
  if (d.changes.empty()) return out + "<p>No file differs.</p>\n";
  size_t n[3] = {0, 0, 0}, shown[3] = {0, 0, 0};
  const size_t limit[3] = {SIZE_MAX, kMaxDriftRows, kMaxNoiseRows};
  std::string rows;
  size_t opened = 0;  // the first few diffs are open: for a handful of drifts they are the answer
  for (auto& g : groups_of(d))
    for (const Change* c : g.changes) {
      size_t k = static_cast<size_t>(class_rank(c->cls));
      if (n[k]++ < limit[k]) {
        ++shown[k];
        bool open = !c->udiff.empty() && opened < kOpenDiffs;
        opened += open;
        rows += change_row(*c, open);
      }
    }
  // Noise is folded away when something needs a look: the filter shows it with one click.
  bool hide_noise = n[0] + n[1] > 0;
  static const char* names[] = {"hazard", "drift", "noise"};
  out += "<div class=\"filters\" id=\"filters\">";
  for (size_t k = 0; k < 3; ++k)
    if (n[k])
      out += fmt::format("<label><input type=\"checkbox\" value=\"{0}\"{1}> <span class=\"cls {0}\">{0}</span> {2}</label>", names[k],
                         k == 2 && hide_noise ? "" : " checked", with_commas(shown[k]));
  out += "<input type=\"search\" id=\"search\" placeholder=\"Search paths, categories, rules, details\" aria-label=\"Search the file changes\">";
  out += "<span id=\"shown\" class=\"muted\"></span></div>\n";
  out += "<table id=\"changes\">\n<thead><tr><th>path</th><th>kind</th><th>attributes</th><th>class</th><th>category</th>"
         "<th>rule</th><th>detail</th></tr></thead>\n<tbody>\n" + rows + "</tbody>\n</table>\n";
  for (size_t k = 0; k < 3; ++k)
    if (n[k] > shown[k])
      out += fmt::format("<p class=\"note\">{} more {} rows are not listed here (the first {} are); --format json lists every change.</p>\n",
                         with_commas(n[k] - shown[k]), names[k], with_commas(shown[k]));
  return out;
}

}  // namespace

std::string diff_html(const DiffReport& r) {
  const drift::DiffResult& d = r.result;
  const char* verdict = drift::verdict_name(d.verdict);
  std::string verdict_title = verdict;
  verdict_title[0] = static_cast<char>(verdict_title[0] - 'a' + 'A');
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                     "script-src '{}'; base-uri 'none'; form-action 'none'\">\n",
                     csp_hash(kScript));
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>imagelint diff: {} — {} vs {}</title>\n", verdict, h(r.a.ref.original), h(r.b.ref.original));
  out += fmt::format("<style>{}</style>\n</head>\n<body>\n", kStyle);
  out += fmt::format("<header class=\"banner {}\" id=\"verdict\"><div><div class=\"tool\">imagelint diff</div><h1>{}</h1><p>{}</p>"
                     "<p>{} changed, {} added, {} removed{}</p></div></header>\n<main>\n",
                     verdict, verdict_title, verdict_detail(d), plural(d.changed, "entry", "entries"), with_commas(d.added),
                     with_commas(d.removed), d.config.empty() ? "" : "; " + plural(d.config.size(), "config field", "config fields"));
  if (!d.update.layers.empty())
    out += fmt::format("<p class=\"note\">Update: a host holding A downloads {} of B's {}, {} of it for noise alone{}.</p>\n",
                       drift::human_bytes(d.update.download_bytes), drift::human_bytes(d.update.image_bytes),
                       drift::human_bytes(d.update.noise_bytes),
                       d.update.hosts > 1 ? fmt::format(" ({} hosts: {} wasted)", d.update.hosts,
                                                        drift::human_bytes(d.update.noise_bytes * d.update.hosts))
                                          : "");
  out += "<h2>Images</h2>\n" + images_table(r);
  if (!d.hints.empty()) {
    out += "<h2>Hints</h2>\n<ul class=\"hints\">\n";
    for (auto& hint : d.hints) out += fmt::format("<li>{}</li>\n", h(hint));
    out += "</ul>\n";
  }
  if (!d.changes.empty() || !d.config.empty()) out += "<h2>Differences</h2>\n" + charts(d);
  if (!d.packages.empty()) out += packages_section(d.packages);
  if (!d.config.empty()) out += config_section(d.config);
  if (!d.hazards.empty()) out += hazards_section(d.hazards);
  out += update_section(d.update);
  out += layers_section(r);
  out += files_section(d);
  if (!d.notes.empty()) {
    out += "<h2>Notes</h2>\n<ul>\n";
    for (auto& n : d.notes) out += fmt::format("<li>{}</li>\n", h(n));
    out += "</ul>\n";
  }
  out += fmt::format("<footer>imagelint {} · diff report · every change is in <code>--format json</code></footer>\n</main>\n", kVersion);
  out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kScript);
  return out;
}

}  // namespace imagelint
