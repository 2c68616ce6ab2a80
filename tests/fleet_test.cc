// check IMAGE... (a fleet of instances on one base) and the layer cache's chain snapshots: each
// image's reports are what checking it alone gives, the base's layers are read once, a snapshot
// that does not check out is a miss, and report --fleet renders the summaries.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_fleet_test {

using namespace testing_util;
namespace fs = std::filesystem;
using nlohmann::json;

// A layout holding the base (the good instance's first layer), three instances on it (one adding
// a file tier 3 may not add) and one built on another base.
struct Fleet {
  TempDir d;
  std::string layout, base;
  std::vector<std::string> hosts;
  Fleet() {
    fixture::Recipe good = recipe("good-instance");
    fixture::Recipe base_r = good;
    base_r.layers.resize(1);
    base_r.tag = "base";
    std::vector<fixture::Recipe> all{base_r};
    for (int i = 1; i <= 3; ++i) {
      fixture::Recipe h = good;
      h.tag = "host" + std::to_string(i);
      h.layers[1].entries.push_back(fixture::file("etc/hostname", h.tag + "\n"));
      if (i == 2) h.layers[1].entries.push_back(fixture::file("usr/bin/htop", "x"));
      all.push_back(h);
    }
    fixture::Recipe other = good;
    other.tag = "elsewhere";
    other.layers[0].entries.push_back(fixture::file("usr/share/other-base", "1"));
    all.push_back(other);
    layout = d / "oci";
    fixture::write_oci(all, layout);
    base = "oci:" + layout + ":base";
    for (const char* t : {"host1", "host2", "host3", "elsewhere"}) hosts.push_back("oci:" + layout + ":" + t);
  }
};

Result il(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

json findings_of(const std::string& text) { return json::parse(text)["findings"]; }

TEST(Fleet, EachImageAsIfCheckedAloneTheBaseReadOnceTheWorstExit) {
  Fleet f;
  TempDir out, cache;
  std::vector<std::string> args{"--cache", cache.path(), "--perf", "check", "--base", f.base};
  args.insert(args.end(), f.hosts.begin(), f.hosts.end());
  for (auto& a : {"--output-dir", ""}) args.push_back(a);
  args.back() = out / "reports";
  Result r = il(args);
  ASSERT_EQ(r.code, 2) << r.err;  // "elsewhere" is not built on the base
  EXPECT_NE(r.err.find("the instance is not built on this base"), std::string::npos) << r.err;
  // The base's layer read once (4 images: 1 base layer + 3 own layers), its snapshot kept.
  EXPECT_NE(r.err.find("layer cache: 0 layer(s) replayed, 4 written, 1 chain snapshot(s) written"), std::string::npos) << r.err;
  // The table: worst first.
  std::vector<std::string> rows = lines(r.out);
  ASSERT_GE(rows.size(), 5u) << r.out;
  EXPECT_EQ(rows[1].rfind("ERROR", 0), 0u) << r.out;
  EXPECT_NE(rows[1].find("elsewhere"), std::string::npos) << r.out;
  EXPECT_EQ(rows[2].rfind("FAIL", 0), 0u) << r.out;
  EXPECT_NE(rows[2].find("host2"), std::string::npos) << r.out;
  // (The good instance has kmod-version findings on this date: every host fails, host2 most.)
  EXPECT_NE(r.out.find("4 images: 0 passed, 3 failed, 1 could not be checked"), std::string::npos) << r.out;
  // The summary.
  json s = json::parse(read_file(out / "reports/fleet.json"));
  EXPECT_EQ(s["schema"], "imagelint.fleet/v1");
  EXPECT_EQ(s["exit_code"], 2);
  EXPECT_EQ(s["shared_layers"], 1);
  ASSERT_EQ(s["images"].size(), 4u);
  EXPECT_EQ(s["images"][1]["verdict"], "fail");
  EXPECT_EQ(s["images"][1]["summary"]["error"].get<int>(), s["images"][0]["summary"]["error"].get<int>() + 1) << s.dump(2);
  EXPECT_NE(s["images"][1]["top_rules"].dump().find("tier-boundary"), std::string::npos) << s.dump(2);
  EXPECT_EQ(s["images"][0]["top_rules"].dump().find("tier-boundary"), std::string::npos) << s.dump(2);
  EXPECT_EQ(s["images"][3]["verdict"], "error");
  EXPECT_TRUE(s["images"][3]["reports"].empty());
  EXPECT_EQ(s["totals"]["fail"], 3);
  // Each host's report is what `check --no-cache --base` of it alone gives.
  for (int i = 0; i < 3; ++i) {
    const std::string name = "host" + std::to_string(i + 1);
    EXPECT_EQ(s["images"][i]["reports"]["json"], name + ".json");
    Result alone = il({"--no-cache", "check", "--base", f.base, f.hosts[static_cast<size_t>(i)], "--format", "json"});
    ASSERT_TRUE(alone.code == 0 || alone.code == 1) << alone.err;
    const std::string text = read_file(out / ("reports/" + name + ".json"));
    json mine = json::parse(text);
    EXPECT_EQ(mine.dump(2, ' ', false, json::error_handler_t::replace) + "\n", text) << name;
    EXPECT_EQ(mine["findings"], findings_of(alone.out)) << name;
    EXPECT_EQ(mine["image"], json::parse(alone.out)["image"]) << name;
    EXPECT_EQ(s["images"][i]["exit_code"], alone.code) << name;
    EXPECT_TRUE(fs::exists(out / ("reports/" + name + ".txt")));
  }
  // Again: the base's chain loaded from its snapshot, the same reports.
  std::string before = read_file(out / "reports/host2.json");
  Result again = il(args);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("3 layer(s) replayed, 0 written, 1 chain snapshot(s) loaded"), std::string::npos) << again.err;
  EXPECT_EQ(findings_of(read_file(out / "reports/host2.json")), findings_of(before));

  // report --fleet: a row per host, worst first, linked to its report.
  Result page = il({"report", "--fleet", out / "reports", "--output", out / "fleet.html"});
  ASSERT_EQ(page.code, 0) << page.err;
  std::string html = read_file(out / "fleet.html");
  EXPECT_NE(html.find("0 passed, 3 failed, 1 could not be checked"), std::string::npos);
  EXPECT_NE(html.find("href=\"reports/host2.md\"") == std::string::npos ? html.find("href=\"reports/host2.txt\"") : 0,
            std::string::npos) << html;
  EXPECT_LT(html.find("elsewhere"), html.find("host2"));
  EXPECT_LT(html.find("host2"), html.find("host1"));
  EXPECT_NE(html.find("<code>tier-boundary</code>"), std::string::npos);
  // Not a summary: exit 2 naming the file.
  write_file(out / "fleet-bad.json", "{\"schema\": \"imagelint.check/v1\"}");
  Result bad = il({"report", "--fleet", out / "fleet-bad.json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("fleet-bad.json: not an imagelint.fleet/v1 summary"), std::string::npos) << bad.err;
}

TEST(Fleet, WithoutABaseTheCommonLayersAreSharedAndTheListFileWorks) {
  Fleet f;
  TempDir t;
  write_file(t / "hosts.txt", "# the fleet\n" + f.hosts[0] + "\n\n" + f.hosts[2] + "  \n");
  Result r = il({"--no-cache", "check", "--images", t / "hosts.txt", "--summary", t / "s.json"});
  ASSERT_EQ(r.code, 1) << r.err << r.out;
  json s = json::parse(read_file(t / "s.json"));
  EXPECT_EQ(s["shared_layers"], 1);
  EXPECT_TRUE(s["base"].is_null());
  ASSERT_EQ(s["images"].size(), 2u);
  EXPECT_EQ(s["images"][0]["name"], "host1");
  EXPECT_EQ(s["images"][1]["name"], "host3");
  // --output is one file: with several images it is a usage error.
  Result u = il({"--no-cache", "check", f.hosts[0], f.hosts[1], "--output", t / "x"});
  EXPECT_EQ(u.code, 2);
  EXPECT_NE(u.err.find("--output-dir"), std::string::npos) << u.err;
}

TEST(ChainSnapshot, ASnapshotThatDoesNotCheckOutIsAMissAndIsRewritten) {
  Fleet f;
  TempDir cache;
  auto check = [&](const std::string& host) {
    return il({"--cache", cache.path(), "--perf", "check", "--base", f.base, host, "--format", "json"});
  };
  Result first = check(f.hosts[0]);
  ASSERT_EQ(first.code, 1) << first.err;
  EXPECT_NE(first.err.find("1 chain snapshot(s) written"), std::string::npos) << first.err;
  // A check of another instance without --base loads the base's chain too.
  Result plain = il({"--cache", cache.path(), "--perf", "check", f.hosts[2], "--format", "json"});
  ASSERT_EQ(plain.code, 1) << plain.err;
  EXPECT_NE(plain.err.find("1 chain snapshot(s) loaded"), std::string::npos) << plain.err;
  Result alone = il({"--no-cache", "check", f.hosts[2], "--format", "json"});
  EXPECT_EQ(findings_of(plain.out), findings_of(alone.out));
  // Damage every snapshot (files starting with ILCHAIN): one byte flipped in the middle.
  int damaged = 0;
  for (auto& e : fs::directory_iterator(cache.path())) {
    std::string bytes = read_file(e.path());
    if (!bytes.starts_with("ILCHAIN\n")) continue;
    bytes[bytes.size() / 2] ^= 0x20;
    write_file(e.path(), bytes);
    ++damaged;
  }
  ASSERT_EQ(damaged, 1);
  Result second = check(f.hosts[1]);
  ASSERT_EQ(second.code, 1) << second.err;
  EXPECT_NE(second.err.find("chain snapshot unusable (checksum mismatch)"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("1 chain snapshot(s) written"), std::string::npos) << second.err;
  Result fresh = il({"--no-cache", "check", "--base", f.base, f.hosts[1], "--format", "json"});
  EXPECT_EQ(findings_of(second.out), findings_of(fresh.out));
  // Cut short: a miss too.
  for (auto& e : fs::directory_iterator(cache.path())) {
    std::string bytes = read_file(e.path());
    if (bytes.starts_with("ILCHAIN\n")) write_file(e.path(), bytes.substr(0, bytes.size() / 3));
  }
  Result third = check(f.hosts[1]);
  EXPECT_EQ(third.code, 1) << third.err;
  EXPECT_NE(third.err.find("chain snapshot unusable"), std::string::npos) << third.err;
  EXPECT_EQ(findings_of(third.out), findings_of(fresh.out));
}

}  // namespace e2e_fleet_test
