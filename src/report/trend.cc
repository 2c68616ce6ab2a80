#include "report/trend.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "drift/update.h"
#include "report/markdown.h"
#include "report/svg.h"
#include "util/error.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {

namespace {

constexpr uint64_t kMaxJson = 512u << 20;  // a diff JSON lists every change: large, but bounded
constexpr size_t kHints = 3;

uint64_t count_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string mtime_of(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "";
  return format_time(st.st_mtime);
}

// "created" as `diff --format json` writes it (YYYY-MM-DDTHH:MM:SSZ); anything else is not used.
bool iso_time(const std::string& s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

Night read_night_json(const std::string& file, const nlohmann::json& j) {
  auto str = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(); };
  if (str("schema") != "imagelint.diff/v1")
    throw InputError(file, "not an imagelint.diff/v1 report (schema: " + shorten(str("schema").empty() ? "none" : str("schema"), 40) + ")");
  Night n;
  n.file = file;
  n.when = iso_time(str("created")) ? str("created") : mtime_of(file);
  n.verdict = str("verdict");
  if (n.verdict != "identical" && n.verdict != "reproducible" && n.verdict != "drift")
    throw InputError(file, "verdict '" + shorten(n.verdict, 40) + "' is none of identical, reproducible, drift");
  auto ref = [](const nlohmann::json& img) { return img.is_object() && img.contains("reference") && img["reference"].is_string() ? img["reference"].get<std::string>() : std::string(); };
  n.a = ref(j.value("a", nlohmann::json()));
  n.b = ref(j.value("b", nlohmann::json()));
  if (j.contains("summary") && j["summary"].is_object() && j["summary"].contains("by_class") && j["summary"]["by_class"].is_object()) {
    const auto& c = j["summary"]["by_class"];
    n.drift = count_of(c, "drift");
    n.hazard = count_of(c, "hazard");
    n.noise = count_of(c, "noise");
  } else {
    throw InputError(file, "no summary.by_class");
  }
  for (const char* list : {"changes", "config"})
    if (j.contains(list) && j[list].is_array())
      for (const auto& c : j[list])
        if (c.is_object() && c.contains("class") && c["class"] == "drift")
          ++n.drift_categories[c.contains("category") && c["category"].is_string() ? c["category"].get<std::string>() : "unexplained"];
  if (j.contains("update") && j["update"].is_object()) {
    const auto& u = j["update"];
    auto bytes = [&](const char* key) { return u.contains(key) && u[key].is_number_unsigned() ? u[key].get<uint64_t>() : uint64_t{0}; };
    n.has_update = true;
    n.download_bytes = bytes("download_bytes");
    n.noise_bytes = bytes("noise_bytes");
  }
  if (j.contains("hints") && j["hints"].is_array())
    for (const auto& hint : j["hints"])
      if (hint.is_string() && n.hints.size() < kHints) n.hints.push_back(hint.get<std::string>());
  return n;
}

// The two bar charts, drift and hazards then noise, one bar per night.
std::string trend_charts(const std::vector<Night>& nights) {
  std::string out;
  std::vector<Bar> drift_bars, noise_bars;
  for (const Night& n : nights) {
    std::string day = n.when.substr(0, 16);
    if (day.size() > 10 && day[10] == 'T') day[10] = ' ';
    drift_bars.push_back({day, static_cast<double>(n.drift + n.hazard), n.verdict,
                          fmt::format("{} drift, {} hazard", with_commas(n.drift), with_commas(n.hazard))});
    noise_bars.push_back({day, static_cast<double>(n.noise), "noise", with_commas(n.noise)});
  }
  BarChartOptions o;
  o.width = 760;
  o.label_width = 150;
  o.value_width = 150;
  o.title = "drift and hazards per night";
  out += "<h2>Drift and hazards per night</h2>\n" + svg_bar_chart(drift_bars, o) + "\n";
  o.title = "noise per night";
  out += "<h2>Noise per night</h2>\n" + svg_bar_chart(noise_bars, o) + "\n";
  // What each night's build makes a host download, and how much of it for noise alone (one scale).
  std::vector<Bar> pull_bars;
  uint64_t most = 0;
  for (const Night& n : nights) {
    if (!n.has_update) continue;
    std::string day = n.when.substr(0, 16);
    if (day.size() > 10 && day[10] == 'T') day[10] = ' ';
    pull_bars.push_back({day + " download", static_cast<double>(n.download_bytes), "drift", drift::human_bytes(n.download_bytes)});
    pull_bars.push_back({day + " noise", static_cast<double>(n.noise_bytes), "noise", drift::human_bytes(n.noise_bytes)});
    most = std::max(most, n.download_bytes);
  }
  if (!pull_bars.empty()) {
    o.title = "bytes a host downloads per night, and of those for noise alone";
    o.label_width = 210;
    o.max_value = static_cast<double>(most);
    out += "<h2>What each build makes a host download</h2>\n<p class=\"note\">Per night: the bytes of B's layers a host "
           "holding A downloads, and of those the bytes of layers that carry only noise (diff's update section).</p>\n" +
           svg_bar_chart(pull_bars, o) + "\n";
  }
  return out;
}

// Categories of drift: one row each, one column per night (the latest fourteen).
std::string trend_category_table(const std::vector<Night>& nights) {
  std::string out;
  std::map<std::string, uint64_t> total;
  for (const Night& n : nights)
    for (auto& [c, k] : n.drift_categories) total[c] += k;
  out += "<h2>Drift by category</h2>\n";
  if (total.empty()) {
    out += "<p>No drift in any night.</p>\n";
  } else {
    size_t first = nights.size() > 14 ? nights.size() - 14 : 0;
    out += "<table><tr><th>category</th>";
    for (size_t i = first; i < nights.size(); ++i) out += fmt::format("<th>{}</th>", html_text(nights[i].when.size() >= 10 ? nights[i].when.substr(5, 5) : nights[i].when));
    out += "</tr>\n";
    for (auto& [c, k] : total) {
      out += fmt::format("<tr><td>{}</td>", html_text(c));
      for (size_t i = first; i < nights.size(); ++i) {
        auto it = nights[i].drift_categories.find(c);
        out += fmt::format("<td class=\"n\">{}</td>", it == nights[i].drift_categories.end() ? "" : with_commas(it->second));
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  return out;
}

// One row per night, newest first: its verdict, counts, image, report file and hints.
std::string trend_nights_table(const std::vector<Night>& nights) {
  std::string out;
  out += "<h2>Nights</h2>\n<table><tr><th>night</th><th>verdict</th><th>drift</th><th>hazard</th><th>noise</th><th>download (noise)</th><th>B</th><th>report</th><th>hints</th></tr>\n";
  for (auto it = nights.rbegin(); it != nights.rend(); ++it) {
    std::string hints;
    for (auto& s : it->hints) hints += (hints.empty() ? "" : "<br>") + html_text(s);
    const std::string pull = it->has_update ? fmt::format("{} ({})", drift::human_bytes(it->download_bytes), drift::human_bytes(it->noise_bytes)) : "";
    out += fmt::format("<tr><td class=\"when\">{}</td><td><span class=\"v {}\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td class=\"ref\"><code>{}</code></td><td class=\"ref\"><code>{}</code></td><td>{}</td></tr>\n",
                       html_text(it->when), html_text(it->verdict), html_text(it->verdict), with_commas(it->drift), with_commas(it->hazard),
                       with_commas(it->noise), pull, html_text(it->b), html_text(std::filesystem::path(it->file).filename().string()), hints);
  }
  out += "</table>\n";
  return out;
}

}  // namespace

Night read_night(const std::string& file) {
  nlohmann::json j = nlohmann::json::parse(read_small_file(file, "diff report", kMaxJson), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw InputError(file, "not JSON: expected the output of `imagelint diff --format json`");
  try {
    return read_night_json(file, j);
  } catch (const nlohmann::json::exception&) {  // a field of the wrong type
    throw InputError(file, "not an imagelint.diff/v1 report: a field has the wrong type");
  }
}

std::vector<Night> read_nights(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(in, ec)) {
      std::vector<std::string> here;
      for (const auto& e : std::filesystem::directory_iterator(in, ec))
        if (e.path().extension() == ".json" && e.is_regular_file(ec)) here.push_back(e.path().string());
      if (ec) throw InputError(in, "cannot list the directory: " + ec.message());
      std::sort(here.begin(), here.end());
      files.insert(files.end(), here.begin(), here.end());
    } else {
      files.push_back(in);
    }
  }
  if (files.empty()) throw UsageError("report: no diff JSON files in " + fmt::format("{}", fmt::join(inputs, ", ")));
  std::vector<Night> nights;
  for (const std::string& f : files) nights.push_back(read_night(f));
  std::stable_sort(nights.begin(), nights.end(), [](const Night& x, const Night& y) { return x.when < y.when; });
  return nights;
}

std::string trend_html(const std::vector<Night>& nights, const std::string& title) {
  size_t drift_nights = 0;
  for (const Night& n : nights) drift_nights += n.verdict == "drift";
  const Night& last = nights.back();
  std::string out;
  // Nothing runs and nothing is fetched: the page is its own markup and styles.
  out += html_page_start(title, true);
  out += R"(<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.banner{border-radius:8px;padding:14px 18px;color:#fff;margin:12px 0}
.banner.drift{background:#cf222e} .banner.ok{background:#1a7f37}
.cards{display:flex;gap:12px;flex-wrap:wrap} .card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:150px}
.card b{font-size:20px;display:block}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{padding:5px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top} th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.v{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff} .v.drift{background:#cf222e} .v.reproducible{background:#1a7f37} .v.identical{background:#0969da}
.strip{display:flex;gap:3px;flex-wrap:wrap;margin:8px 0} .strip span{width:14px;height:22px;border-radius:3px;display:inline-block}
.strip .drift{background:#cf222e} .strip .reproducible{background:#1a7f37} .strip .identical{background:#0969da}
svg .bar.drift{fill:#cf222e} svg .bar.reproducible{fill:#1a7f37} svg .bar.identical{fill:#0969da} svg .bar.noise{fill:#8c959f} svg .bar.hazard{fill:#bc4c00}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere} td.when{white-space:nowrap} td.ref{min-width:9em;max-width:22em}
.muted{color:#57606a}
</style></head><body><main>
)";
  out += fmt::format("<h1>{}</h1>\n<p class=\"muted\">{} nights from {} to {} · imagelint {}</p>\n", html_text(title), nights.size(),
                     html_text(nights.front().when), html_text(last.when), kVersion);
  bool bad = last.verdict == "drift";
  out += fmt::format("<div class=\"banner {}\"><b>Last night: {}</b> — {} drift, {} hazard, {} noise. {} of {} nights drifted.</div>\n",
                     bad ? "drift" : "ok", html_text(last.verdict), with_commas(last.drift), with_commas(last.hazard), with_commas(last.noise),
                     drift_nights, nights.size());
  out += "<h2>Verdict per night</h2>\n<div class=\"strip\" aria-label=\"verdict per night, oldest first\">";
  for (const Night& n : nights) out += fmt::format("<span class=\"{}\" title=\"{}: {}\"></span>", html_text(n.verdict), html_text(n.when), html_text(n.verdict));
  out += "</div>\n";

  out += trend_charts(nights);
  out += trend_category_table(nights);
  out += trend_nights_table(nights);
  out += "</main></body></html>\n";
  return out;
}

}  // namespace imagelint
