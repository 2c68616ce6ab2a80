// `imagelint report`: nightly diff JSON over time as one self-contained HTML page.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_trend_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

// A night's report from a real diff of two images, with its "created" time set.
std::string night(const TempDir& d, const std::string& name, const std::string& created, const fixture::Recipe& b) {
  fixture::write_oci_archive({recipe("example")}, d / "a.tar");
  fixture::write_oci_archive({b}, d / (name + ".tar"));
  Result r = imagelint({"diff", d / "a.tar", d / (name + ".tar"), "--format", "json"});
  EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["created"].is_string());
  j["created"] = created;
  j["b"]["reference"] = "<script>alert(1)</script>";  // what a night says goes into the page escaped
  j["hints"].push_back("<img src=x onerror=alert(2)>");
  std::string file = d / ("nights/" + name + ".json");
  write_file(file, j.dump());
  return file;
}

TEST(Trend, NightsInOrderWithVerdictsChartsAndCategories) {
  TempDir d;
  std::filesystem::create_directories(d / "nights");
  fixture::Recipe hostile = recipe("example-rebuild");
  hostile.layers.back().entries.push_back(fixture::file("etc/<script>alert(1)</script>", "x"));
  night(d, "2026-11-27", "2026-11-27T02:00:00Z", recipe("example"));
  night(d, "2026-11-26", "2026-11-26T02:00:00Z", recipe("example-rebuild"));
  night(d, "2026-11-28", "2026-11-28T02:00:00Z", hostile);
  Result r = imagelint({"report", d / "nights", "--output", d / "trend.html", "--title", "base <image>"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string html = read_file(d / "trend.html");
  EXPECT_NE(html.find("<title>base &lt;image&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("3 nights from 2026-11-26T02:00:00Z to 2026-11-28T02:00:00Z"), std::string::npos) << html;
  EXPECT_NE(html.find("Last night: drift"), std::string::npos);
  EXPECT_NE(html.find("2 of 3 nights drifted"), std::string::npos);
  // The strip, oldest first: drift, identical, drift.
  size_t s1 = html.find("title=\"2026-11-26T02:00:00Z: drift\""), s2 = html.find("title=\"2026-11-27T02:00:00Z: identical\""),
         s3 = html.find("title=\"2026-11-28T02:00:00Z: drift\"");
  ASSERT_NE(s1, std::string::npos);
  EXPECT_LT(s1, s2);
  EXPECT_LT(s2, s3);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<td>unexplained</td>"), std::string::npos) << html;
  // The update cost per night: the rebuild re-ships the whole example (every layer's mtimes moved).
  EXPECT_NE(html.find("What each build makes a host download"), std::string::npos);
  EXPECT_NE(html.find("2026-11-26 02:00 noise"), std::string::npos) << html;
  EXPECT_NE(html.find("<td class=\"n\">474 kB (474 kB)</td>"), std::string::npos) << html;
  // Nothing from a report becomes markup; nothing runs, nothing is fetched.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
}

TEST(Trend, WhatIsNotADiffReportIsExit2NamingTheFile) {
  TempDir d;
  write_file(d / "x.json", R"({"schema": "imagelint.check/v1"})");
  Result r = imagelint({"report", d / "x.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(d / "x.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not an imagelint.diff/v1 report"), std::string::npos) << r.err;
  write_file(d / "y.json", "{");
  EXPECT_EQ(imagelint({"report", d / "y.json"}).code, 2);
  // Fields of the wrong type or shape are exit 2 naming the file, never a crash; a "created" that
  // is not a time gives way to the file's mtime.
  write_file(d / "z.json", R"({"schema": "imagelint.diff/v1", "verdict": 7, "summary": {"by_class": {}}})");
  Result z = imagelint({"report", d / "z.json"});
  EXPECT_EQ(z.code, 2);
  EXPECT_NE(z.err.find(d / "z.json"), std::string::npos) << z.err;
  write_file(d / "w.json", R"({"schema": "imagelint.diff/v1", "verdict": "drift", "created": "x\u001b[2J",
    "summary": {"by_class": {"drift": 1}}, "changes": [{"class": "drift", "category": 5}], "hints": [1]})");
  Result w = imagelint({"report", d / "w.json"});
  EXPECT_EQ(w.code, 0) << w.err;
  EXPECT_NE(w.out.find("Last night: drift"), std::string::npos);
  EXPECT_EQ(w.out.find('\x1b'), std::string::npos);
  write_file(d / "v.json", R"({"schema": "\u001b]0;x\u0007", "verdict": "drift"})");
  Result v = imagelint({"report", d / "v.json"});
  EXPECT_EQ(v.code, 2);
  EXPECT_EQ(v.err.find('\x1b'), std::string::npos) << "the error line is escaped";
  EXPECT_EQ(lines(v.err).size(), 1u);
  std::filesystem::create_directories(d / "empty");
  Result empty = imagelint({"report", d / "empty"});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("no diff JSON files"), std::string::npos) << empty.err;
}

}  // namespace e2e_trend_test
