// `imagelint diff --format html`: the page is self-contained, nothing from an image can become
// markup or script (checked on the text and in a real browser: headless Chromium renders it, our
// script runs, an injected one does not), rows are capped, and the SVG helpers escape their labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "diff_harness.h"
#include "report/diff_report.h"
#include "report/svg.h"
#include "util/text.h"
#include "util/hash.h"

namespace e2e_diff_html_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace
using fixture::file;
namespace fs = std::filesystem;

// Names a browser would act on if they reached the page as markup. The ones that try to change
// the DOM (data-pwned) are what the Chromium test looks for.
const std::vector<std::string> kHostile = {
    "etc/<script>alert(1)</script>.conf",
    "etc/\"><img src=x onerror=alert(2)>",
    "etc/</script><script>alert(3)</script>",
    "etc/<img src=x onerror=\"document.body.dataset.pwned=1\">",
    "etc/'><svg onload=\"document.body.dataset.pwned=2\">",
    "etc/ctl\x1b[31mred\x7f",
};
const std::string kScriptText = "<script>document.body.dataset.pwned=3</script>\n";

// Two builds whose hostile files differ in content (drift, so they get unified diffs whose text has
// a script in it), plus a label, a created_by and a hazard that carry markup too.
std::string hostile_report(const TempDir& t) {
  auto build = [&](const std::string& v) {
    std::vector<fixture::RecipeEntry> top;
    for (auto& name : kHostile) top.push_back(file(name, "line 1\n" + kScriptText + "version " + v + "\n"));
    top.push_back(file("etc/machine-id", v == "2" ? "0123456789abcdef0123456789abcdef\n" : ""));
    fixture::Recipe r = image(top, {{"org.example.note", "<img src=x onerror=\"document.body.dataset.pwned=4\">" + v}});
    r.layers[1].created_by = "RUN echo '</script><script>document.body.dataset.pwned=5</script>'";
    return r;
  };
  fixture::write_oci({build("1")}, t / "a");
  fixture::write_oci({build("2")}, t / "b");
  Result r = testing_util::imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "b"), "--format", "html", "--output", t / "report.html"});
  EXPECT_EQ(r.code, 1) << r.err;
  return t / "report.html";
}

struct Tag {
  std::string name;
  std::vector<std::string> attrs;  // names only
};

// The tags a browser would see, roughly as its tokenizer does: attribute values (quoted or not)
// skipped, comments skipped, the text of script and style taken whole up to their end tag.
std::vector<Tag> tags_of(const std::string& html, std::vector<std::string>* scripts) {
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  std::vector<Tag> tags;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      i = html.find("-->", i);
      if (i == std::string::npos) break;
      continue;
    }
    size_t p = i + 1;
    if (p < html.size() && (html[p] == '/' || html[p] == '!')) ++p;
    if (p >= html.size() || !std::isalpha(static_cast<unsigned char>(html[p]))) {
      ++i;
      continue;
    }
    Tag tag;
    while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '>' && html[p] != '/') tag.name += html[p++];
    tag.name = (html[i + 1] == '/' ? "/" : "") + lower(tag.name);
    while (p < html.size() && html[p] != '>') {
      if (std::isspace(static_cast<unsigned char>(html[p])) || html[p] == '/') {
        ++p;
        continue;
      }
      std::string attr;
      while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '=' && html[p] != '>') attr += html[p++];
      tag.attrs.push_back(lower(attr));
      if (p < html.size() && html[p] == '=') {
        ++p;
        if (p < html.size() && (html[p] == '"' || html[p] == '\'')) {
          size_t q = html.find(html[p], p + 1);
          p = q == std::string::npos ? html.size() : q + 1;
        }
        else while (p < html.size() && !std::isspace(static_cast<unsigned char>(html[p])) && html[p] != '>') ++p;
      }
    }
    i = p;
    if (tag.name == "script" || tag.name == "style") {
      size_t end = lower(html).find("</" + tag.name, i);
      if (tag.name == "script" && scripts) scripts->push_back(html.substr(i + 1, end - i - 1));
      i = end;
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

std::string base64(const std::string& bytes) {
  const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += {abc[(n >> 18) & 63], abc[(n >> 12) & 63], i + 1 < bytes.size() ? abc[(n >> 6) & 63] : '=', i + 2 < bytes.size() ? abc[n & 63] : '='};
  }
  return out;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

// Headless Chromium on a page, as root and without network; "--dump-dom" or "--screenshot=PATH".
Result chromium(const TempDir& t, const std::string& page, const std::string& what) {
  return run({"timeout", "120", "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--user-data-dir=" + (t / "profile"),
              "--window-size=1280,1600", what, "file://" + page});
}

TEST(DiffHtml, NothingFromTheImageBecomesMarkupOrScript) {
  TempDir t;
  std::string html = read_file(hostile_report(t));
  ASSERT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u) << html.substr(0, 200);
  std::vector<std::string> scripts;
  std::vector<Tag> tags = tags_of(html, &scripts);
  // Only the tags the report writes; no event handler, nothing that loads or navigates.
  const std::set<std::string> ours = {"doctype", "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "div", "h1",
                                      "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "code", "span", "pre",
                                      "details", "summary", "label", "input", "svg", "g", "text", "rect", "script"};
  for (auto& tag : tags) {
    std::string name = tag.name[0] == '/' ? tag.name.substr(1) : tag.name;
    EXPECT_TRUE(ours.count(name)) << "a tag the report does not write: <" << tag.name << ">";
    for (auto& a : tag.attrs) {
      EXPECT_NE(a.rfind("on", 0), 0u) << "<" << tag.name << " " << a << ">";
      EXPECT_FALSE(a == "src" || a == "href" || a == "srcdoc" || a == "action" || a == "style" || a == "xlink:href")
          << "<" << tag.name << " " << a << ">";
    }
  }
  ASSERT_EQ(scripts.size(), 1u) << "one <script>, the report's own";
  EXPECT_EQ(scripts[0].find("pwned"), std::string::npos);
  EXPECT_EQ(scripts[0].find("alert"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  EXPECT_EQ(occurrences(html, "</script"), 1u);
  // Self-contained: no URL to fetch anything from.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // The CSP names the script by its hash, so an injected script could not run either.
  std::string hex = ::imagelint::sha256_of(scripts[0]).substr(7), raw;
  for (size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                      "script-src 'sha256-" + base64(raw) + "'"),
            std::string::npos);
  // The names are there, as text.
  EXPECT_NE(html.find("etc/&lt;script&gt;alert(1)&lt;/script&gt;.conf"), std::string::npos);
  EXPECT_NE(html.find("etc/&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("etc/ctl\\x1b[31mred\\x7f"), std::string::npos);
  EXPECT_NE(html.find("+version 2"), std::string::npos) << "the unified diffs are in the page";
  EXPECT_NE(html.find("&lt;script&gt;document.body.dataset.pwned=3&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<h2>Hazards</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Config</h2>"), std::string::npos);
}

TEST(DiffHtml, RendersInChromiumAndNoInjectedScriptRuns) {
  ASSERT_TRUE(have("chromium")) << "headless Chromium is missing: apt-get install chromium (ci/install-deps.sh installs it)";
  TempDir t;
  std::string page = hostile_report(t);
  Result dom = chromium(t, page, "--dump-dom");
  ASSERT_EQ(dom.code, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-ready=\"1\""), std::string::npos) << "the report's script did not run:\n" << dom.err;
  EXPECT_EQ(dom.out.find("data-pwned"), std::string::npos) << "an injected script ran";
  EXPECT_NE(dom.out.find("id=\"verdict\""), std::string::npos);
  EXPECT_NE(dom.out.find("<h1>Drift</h1>"), std::string::npos);
  size_t rows = occurrences(dom.out, "<tr data-cls=");
  EXPECT_EQ(rows, kHostile.size() + 1) << "the hostile files and the machine-id";
  EXPECT_NE(dom.out.find(std::to_string(rows) + " of " + std::to_string(rows) + " rows shown"), std::string::npos);
  // A link with #q=TEXT opens the table filtered: the script hid every other row.
  Result filtered = chromium(t, page + "#q=machine-id", "--dump-dom");
  ASSERT_EQ(filtered.code, 0) << filtered.err;
  EXPECT_NE(filtered.out.find("1 of " + std::to_string(rows) + " rows shown"), std::string::npos);
  EXPECT_EQ(occurrences(filtered.out, "<tr data-cls=\"drift\" hidden"), kHostile.size());
  // And a person could read it: a screenshot with something on it.
  Result shot = chromium(t, page, "--screenshot=" + (t / "report.png"));
  ASSERT_EQ(shot.code, 0) << shot.err;
  ASSERT_TRUE(fs::exists(t / "report.png")) << shot.err;
  EXPECT_GT(fs::file_size(t / "report.png"), 10000u);
}

TEST(DiffHtml, HugeDiffsKeepEveryDriftRowAndCapTheNoise) {
  std::vector<fixture::RecipeEntry> a, b;
  for (int i = 0; i < 2050; ++i) {
    a.push_back(at(file("usr/share/doc/f" + std::to_string(i), "same\n"), 1700000000));
    b.push_back(at(file("usr/share/doc/f" + std::to_string(i), "same\n"), 1700000500));
  }
  a.push_back(file("etc/app.conf", "port 1\n"));
  b.push_back(file("etc/app.conf", "port 2\n"));
  std::string html = text_diff(image(a), image(b), {"--format", "html"});
  EXPECT_EQ(occurrences(html, "<tr data-cls=\"drift\""), 1u);
  EXPECT_EQ(occurrences(html, "<tr data-cls=\"noise\""), 2000u);
  EXPECT_NE(html.find("50 more noise rows are not listed here (the first 2,000 are); --format json lists every change."),
            std::string::npos);
  // Something needs a look, so the noise starts filtered out (one click shows it).
  EXPECT_NE(html.find("<input type=\"checkbox\" value=\"noise\">"), std::string::npos);
  EXPECT_NE(html.find("<input type=\"checkbox\" value=\"drift\" checked>"), std::string::npos);
}

TEST(DiffHtml, ReproducibleBuildsGetAGreenBanner) {
  std::string html = text_diff(image({at(file("etc/a", "1\n"), 1700000000)}), image({at(file("etc/a", "1\n"), 1700000500)}),
                               {"--format", "html"});
  EXPECT_NE(html.find("<header class=\"banner reproducible\" id=\"verdict\">"), std::string::npos) << html.substr(0, 4000);
  EXPECT_NE(html.find("<input type=\"checkbox\" value=\"noise\" checked>"), std::string::npos);
}

// Bytes the fixture writer cannot put in a tar name (invalid UTF-8) straight into the report.
TEST(DiffHtml, InvalidUtf8AndControlBytesAreEscaped) {
  ::imagelint::Image a, b;
  a.ref.original = "oci:a\xff<i>";
  ::imagelint::drift::DiffResult d;
  d.by_class = {{"noise", 0}, {"drift", 1}, {"hazard", 0}};
  ::imagelint::drift::Change c;
  c.path = "etc/bad\xfe\x01<x>";
  c.category = "unexplained";
  c.detail = "content \x1b[2J";
  c.udiff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-\told\xff\n+new </pre></details><b>\n";
  d.changes.push_back(c);
  d.hints = {"\xc3(<b>hint</b>"};
  std::string html = ::imagelint::diff_html({a, b, d});
  EXPECT_NE(html.find("oci:a\\xff&lt;i&gt;"), std::string::npos);
  EXPECT_NE(html.find("etc/bad\\xfe\\x01&lt;x&gt;"), std::string::npos);
  EXPECT_NE(html.find("content \\x1b[2J"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"del\">-\told\\xff</span>"), std::string::npos) << "tabs kept, bytes escaped";
  EXPECT_NE(html.find("+new &lt;/pre&gt;&lt;/details&gt;&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<li>\\xc3(&lt;b&gt;hint&lt;/b&gt;</li>"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
}

TEST(DiffHtml, SvgBarChartEscapesLabelsAndShowsSmallValues) {
  std::string svg = ::imagelint::svg_bar_chart({{"<b>noise</b>", 100000, "noise", ""},
                                              {"drift \"x\"", 1, "drift\" onclick=\"x", ""},
                                              {"none", 0, "noise", ""},
                                              {"seconds", 2.5, "", ""}},
                                             {.title = "A & B", .width = 500, .label_width = 150});
  EXPECT_EQ(svg.rfind("<svg class=\"chart\" role=\"img\" aria-label=\"A &amp; B\"", 0), 0u) << svg;
  EXPECT_NE(svg.find("&lt;b&gt;noise&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"bar driftonclickx\""), std::string::npos) << "a class cannot close its attribute";
  EXPECT_NE(svg.find(">100,000</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2.5</text>"), std::string::npos);
  // 1 of 100,000 still gets a bar a person can see; 0 gets none.
  EXPECT_NE(svg.find("width=\"3\" height=\"18\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"0\" height=\"18\""), std::string::npos) << svg;
  EXPECT_NE(::imagelint::svg_bar_chart({}).find("nothing to show"), std::string::npos);
  EXPECT_EQ(::imagelint::shorten("ééééé", 3), "éé…");
  EXPECT_EQ(::imagelint::shorten("ééé", 3), "ééé");
}

}  // namespace e2e_diff_html_test
