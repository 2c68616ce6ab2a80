// The layer cache, end to end: the real binary, run cold and warm on images that share layers,
// prints the same bytes as with --no-cache; damaged entries, unwritable directories and two
// processes at once cost time, never a wrong answer.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "image/image.h"

namespace e2e_cache_test {

using namespace testing_util;
namespace fs = std::filesystem;

struct Images {
  TempDir dir;
  std::string base, instance, rebuilt;
  Images() {
    fixture::Recipe b = good_instance_plus({});
    fixture::Recipe i = good_instance_plus({{fixture::file("etc/motd", "instance one\n")}});
    fixture::Recipe r = good_instance_plus({{fixture::file("etc/motd", "instance two\n"), fixture::file("var/log/x", "x")}});
    fixture::write_oci({b}, dir / "base");
    fixture::write_oci({i}, dir / "instance");
    fixture::write_oci({r}, dir / "rebuilt");
    base = "oci:" + dir / "base";
    instance = "oci:" + dir / "instance";
    rebuilt = "oci:" + dir / "rebuilt";
  }
  size_t layers() const { return recipe_layers; }
  size_t recipe_layers = good_instance_plus({}).layers.size();
};

Result run_with(const std::string& cache_home, std::vector<std::string> args) {
  std::vector<std::string> argv{"env", "XDG_CACHE_HOME=" + cache_home, "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string tally(const Result& r) {
  for (const std::string& l : lines(r.err))
    if (l.starts_with("layer cache: ")) return l.substr(0, l.find(" ("));
  return "no tally in: " + r.err;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().filename());
  return out;
}

TEST(LayerCacheCli, WarmRunsPrintWhatColdOnesPrintAndReadOnlyNewLayers) {
  Images img;
  TempDir home;
  const std::string n = std::to_string(img.layers());
  const std::vector<std::vector<std::string>> commands = {
      {"check", img.base, "--format", "json"},
      {"check", img.base},
      {"ls", "--long", "--xattrs", img.base},
      {"inspect", img.base, "--format", "json"},
  };
  for (const auto& args : commands) {
    std::vector<std::string> no_cache = args;
    no_cache.insert(no_cache.begin(), "--no-cache");
    Result want = run_with(home / "unused", no_cache);
    std::vector<std::string> perf = args;
    perf.insert(perf.begin(), "--perf");
    TempDir own;  // check's two formats share a key: each command starts cold
    Result cold = run_with(own.path(), perf);
    Result warm = run_with(own.path(), perf);
    EXPECT_EQ(cold.code, want.code) << args[0] << ": " << cold.err;
    EXPECT_EQ(warm.code, want.code) << args[0] << ": " << warm.err;
    EXPECT_EQ(cold.out, want.out) << args[0];
    EXPECT_EQ(warm.out, want.out) << args[0];
    EXPECT_EQ(tally(cold), "layer cache: 0 layer(s) replayed, " + n + " written") << args[0];
    EXPECT_EQ(tally(warm), "layer cache: " + n + " layer(s) replayed, 0 written") << args[0];
  }
  EXPECT_TRUE(files_in(home / "unused").empty()) << "--no-cache wrote";

  // An instance that shares every layer of the base but its last: only that one is read.
  EXPECT_EQ(tally(run_with(home.path(), {"--perf", "check", img.base, "--format", "json"})),
            "layer cache: 0 layer(s) replayed, " + n + " written");
  Result inst = run_with(home.path(), {"--perf", "check", img.instance, "--format", "json"});
  EXPECT_EQ(tally(inst), "layer cache: " + n + " layer(s) replayed, 1 written");
  EXPECT_EQ(inst.out, run_with(home / "unused", {"--no-cache", "check", img.instance, "--format", "json"}).out);

  // diff: the same report, but for its times.
  auto timeless = [](const Result& r) {
    nlohmann::json j = nlohmann::json::parse(r.out);
    j.erase("seconds"), j.erase("timings"), j.erase("created");
    return j.dump(1);
  };
  Result want = run_with(home / "unused", {"--no-cache", "diff", img.instance, img.rebuilt, "--format", "json"});
  Result cold = run_with(home.path(), {"--perf", "diff", img.instance, img.rebuilt, "--format", "json"});
  Result warm = run_with(home.path(), {"--perf", "diff", img.instance, img.rebuilt, "--format", "json"});
  EXPECT_EQ(want.code, 1) << want.err;
  EXPECT_EQ(cold.code, want.code);
  EXPECT_EQ(warm.code, want.code);
  EXPECT_EQ(timeless(cold), timeless(want));
  EXPECT_EQ(timeless(warm), timeless(want));
  EXPECT_NE(want.out.find("instance two"), std::string::npos);
  EXPECT_EQ(tally(warm), "layer cache: " + std::to_string(2 * (img.layers() + 1)) + " layer(s) replayed, 0 written");
}

// Two builds that share their base, and a cache that holds neither: B replays the shared layers
// from what A's read recorded in the same run; a diff that fails leaves the cache as it was.
TEST(LayerCacheCli, DiffReadsTheLayersBothBuildsShareOnce) {
  Images img;
  TempDir home, broken;
  const size_t n = img.layers();
  Result want = run_with(home / "unused", {"--no-cache", "diff", img.instance, img.rebuilt});
  Result cold = run_with(home.path(), {"--perf", "diff", img.instance, img.rebuilt});
  EXPECT_EQ(want.code, 1) << want.err;
  EXPECT_EQ(cold.code, want.code) << cold.err;
  auto timeless = [](std::string out) {  // the summary's "compared: …, 0.1 s" line holds the time
    return std::regex_replace(out, std::regex(", [0-9.]+ s\\n"), "\n");
  };
  EXPECT_EQ(timeless(cold.out), timeless(want.out));
  EXPECT_NE(want.out.find("etc/motd"), std::string::npos) << want.out;
  EXPECT_EQ(tally(cold), "layer cache: " + std::to_string(n) + " layer(s) replayed, " + std::to_string(n + 2) + " written");
  EXPECT_EQ(files_in(home / "imagelint").size(), n + 2);

  // B's last layer damaged: exit 2, and A's entries, replayed by B before B failed, are not kept.
  fs::copy(img.dir / "rebuilt", broken / "rebuilt", fs::copy_options::recursive);
  imagelint::Image b = imagelint::open_image(imagelint::parse_reference(broken / "rebuilt"), {});
  std::string bytes = read_file(b.layers.back().blob.path);
  bytes[bytes.size() - 9] ^= 0x01;  // the gzip trailer's CRC
  write_file(b.layers.back().blob.path, bytes);
  TempDir fresh;
  Result bad = run_with(fresh.path(), {"diff", img.instance, "oci:" + broken / "rebuilt"});
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_TRUE(files_in(fresh.path()).empty()) << "a failed diff wrote the cache";

  // B's copy of a layer it shares with A damaged: B does not read it, but its digest is checked.
  TempDir shared_bad, fresh2;
  fs::copy(img.dir / "rebuilt", shared_bad / "rebuilt", fs::copy_options::recursive);
  imagelint::Image sb = imagelint::open_image(imagelint::parse_reference(shared_bad / "rebuilt"), {});
  std::string first = read_file(sb.layers.front().blob.path);
  first[first.size() / 2] ^= 0x01;
  write_file(sb.layers.front().blob.path, first);
  Result damaged = run_with(fresh2.path(), {"--perf", "diff", img.instance, "oci:" + shared_bad / "rebuilt"});
  EXPECT_EQ(damaged.code, 2) << damaged.err;
  EXPECT_NE(damaged.err.find("layer 0"), std::string::npos) << damaged.err;
  EXPECT_NE(damaged.err.find("blob digest mismatch"), std::string::npos) << damaged.err;
}

TEST(LayerCacheCli, WhereItGoesAndWhenNot) {
  Images img;
  TempDir home, mine;
  EXPECT_EQ(run_with(home.path(), {"--no-cache", "ls", img.base}).code, 0);
  EXPECT_TRUE(files_in(home.path()).empty());
  EXPECT_EQ(run_with(home.path(), {"--cache", mine / "c", "ls", img.base}).code, 0);
  EXPECT_TRUE(files_in(home.path()).empty());
  EXPECT_EQ(files_in(mine / "c").size(), img.layers());
  Result both = run_with(home.path(), {"--cache", mine / "c", "--no-cache", "ls", img.base});
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
  // The default: $XDG_CACHE_HOME/imagelint.
  EXPECT_EQ(run_with(home.path(), {"ls", img.base}).code, 0);
  EXPECT_EQ(files_in(home / "imagelint").size(), img.layers());
  // A run that fails writes nothing.
  Result missing = run_with(home.path(), {"cat", img.instance, "no/such/file"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(files_in(home / "imagelint").size(), img.layers());
}

TEST(LayerCacheCli, CacheMaxKeepsTheDirectoryWithinASize) {
  Images img;
  TempDir home;
  const std::string n = std::to_string(img.layers());
  EXPECT_EQ(tally(run_with(home.path(), {"--perf", "ls", img.base})), "layer cache: 0 layer(s) replayed, " + n + " written");
  // 1 KiB holds nothing: every entry but the one just written goes.
  Result small = run_with(home.path(), {"--perf", "--cache-max", "1K", "ls", img.instance});
  EXPECT_EQ(small.code, 0) << small.err;
  EXPECT_EQ(tally(small), "layer cache: " + n + " layer(s) replayed, 1 written, " + n + " evicted");
  EXPECT_EQ(files_in(home / "imagelint").size(), 1u);
  // The default keeps them all.
  EXPECT_EQ(tally(run_with(home.path(), {"--perf", "ls", img.base})), "layer cache: 0 layer(s) replayed, " + n + " written");
  EXPECT_EQ(files_in(home / "imagelint").size(), img.layers() + 1);
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--cache-max", "lots", "ls", img.base},
                                               std::vector<std::string>{"--no-cache", "--cache-max", "1G", "ls", img.base}}) {
    Result r = run_with(home.path(), bad);
    EXPECT_EQ(r.code, 2) << bad[1];
    EXPECT_NE(r.err.find("--cache-max"), std::string::npos) << r.err;
  }
}

TEST(LayerCacheCli, DamagedEntriesAndUnwritableDirectoriesCostOnlyTime) {
  Images img;
  TempDir home;
  Result want = run_with(home.path(), {"--no-cache", "check", img.base, "--format", "json"});
  ASSERT_EQ(run_with(home.path(), {"check", img.base, "--format", "json"}).out, want.out);
  for (auto& e : fs::directory_iterator(home / "imagelint")) fs::resize_file(e.path(), fs::file_size(e.path()) / 2);
  Result again = run_with(home.path(), {"--perf", "check", img.base, "--format", "json"});
  EXPECT_EQ(again.out, want.out);
  EXPECT_EQ(again.code, want.code);
  EXPECT_NE(again.err.find("imagelint: warning: layer cache: "), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("damaged or cut short"), std::string::npos) << again.err;
  EXPECT_EQ(tally(again), "layer cache: 0 layer(s) replayed, " + std::to_string(img.layers()) + " written");
  EXPECT_EQ(tally(run_with(home.path(), {"--perf", "check", img.base, "--format", "json"})),
            "layer cache: " + std::to_string(img.layers()) + " layer(s) replayed, 0 written");

  write_file(home / "file", "a file, not a directory");
  Result blocked = run_with(home.path(), {"--cache", home / "file/cache", "check", img.base, "--format", "json"});
  EXPECT_EQ(blocked.out, want.out);
  EXPECT_EQ(blocked.code, want.code);
  EXPECT_NE(blocked.err.find("imagelint: warning: layer cache: cannot create " + home / "file/cache"), std::string::npos)
      << blocked.err;
}

TEST(LayerCacheCli, TwoProcessesAtOnceShareOneCache) {
  Images img;
  TempDir home;
  Result want = run_with(home / "unused", {"--no-cache", "ls", "--long", img.instance});
  std::vector<Result> got(3);
  std::vector<std::thread> ts;
  for (auto& r : got) ts.emplace_back([&] { r = run_with(home.path(), {"ls", "--long", img.instance}); });
  for (auto& t : ts) t.join();
  for (auto& r : got) {
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, want.out);
  }
  for (const std::string& f : files_in(home / "imagelint")) EXPECT_FALSE(f.starts_with(".tmp")) << f;
  EXPECT_EQ(files_in(home / "imagelint").size(), img.layers() + 1);
  Result after = run_with(home.path(), {"--perf", "ls", "--long", img.instance});
  EXPECT_EQ(after.out, want.out);
  EXPECT_EQ(tally(after), "layer cache: " + std::to_string(img.layers() + 1) + " layer(s) replayed, 0 written");
}

}  // namespace e2e_cache_test
