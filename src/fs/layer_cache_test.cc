#include "fs/layer_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <chrono>
#include <iterator>
#include <algorithm>
#include <set>
#include <fstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "fs/build.h"
#include "fs/capture.h"
#include "harness.h"
#include "image/image.h"
#include "util/error.h"

namespace imagelint {
namespace fs_layer_cache_test {

namespace fs = std::filesystem;
using testing_util::TempDir;

// Keeps the number of bytes it saw: enough to tell a replayed result from a fresh one.
class SizeVisitor : public EntryVisitor {
 public:
  void data(const char*, size_t n) override { bytes += n; }
  bool save(std::string& out) const override {
    out = std::to_string(bytes);
    return true;
  }
  bool load(std::string_view in) override {
    bytes = std::stoull(std::string(in));
    return true;
  }
  uint64_t bytes = 0;
};

fixture::Recipe recipe() {
  fixture::Recipe r;
  fixture::RecipeLayer l0, l1, l2, l3;
  l0.entries = {fixture::dir("usr"), fixture::dir("usr/lib"), fixture::file("usr/lib/os-release", "ID=test\n"),
                fixture::file("m/a.ko", std::string(70000, 'a')), fixture::file("m/b.ko", "bb"),
                fixture::file("gone", "x"), fixture::file("usr/bin/gcc", "gcc-bytes"), fixture::file("o/hidden", "h")};
  l0.entries[2].xattrs = {{"user.note", "kept"}};
  l1.entries = {fixture::symlink("lib", "usr/lib"), fixture::whiteout("gone"), fixture::file("m/b.ko", "bbb"),
                fixture::hardlink("usr/bin/cc", "usr/bin/gcc")};
  l1.compression = "zstd";
  l2.entries = {fixture::file("lib/late.conf", "through the symlinked parent\n"), fixture::file("m/c.ko", "c")};
  l2.compression = "none";
  fixture::RecipeEntry opaque;
  opaque.type = "opaque";
  opaque.path = "o";
  l3.entries = {fixture::symlink("etc/os-release", "../usr/lib/os-release"), opaque, fixture::file("o/new", "n"),
                fixture::file("m/d.ko", "d")};
  r.layers = {l0, l1, l2, l3};
  return r;
}

struct Outcome {
  std::string listing;  // every entry, every attribute the builder sets
  std::string captured;
  std::string visited;
  std::string stats;
  LayerCacheTally tally;  // this build's share
};

int declare(CaptureSet& c, const std::string& visitor_key) {
  c.want_path("etc/os-release", 1000);
  c.want_pattern("usr/lib/.*\\.conf", 1000);
  c.want_pattern("m/a\\.ko", 100);  // cut at the cap
  return c.want_visits("m/.*\\.ko", visitor_key,
                       [](const std::string&, const Entry&) { return std::make_unique<SizeVisitor>(); });
}

// One run: a session of its own on cache ("" for none), written as the build commits.
Outcome build(const Image& img, const std::string& cache, const std::string& visitor_key = "size/1",
              uint64_t budget = 1ull << 30, uint64_t limit = kDefaultLayerCacheLimit) {
  LayerCacheSession session(cache, limit);
  RunContext run;
  if (!cache.empty()) run.cache = &session;
  CaptureSet c;
  c.set_budget(budget);
  int id = declare(c, visitor_key);
  BuildResult b = build_filesystem(img, &c, run);
  Outcome o;
  for (auto& [path, e] : b.fs.entries()) {
    o.listing += fmt::format("{} {} {:o} {}:{} {} {} {} {} {} {}", path, type_char(e.type), e.mode, e.uid, e.gid, e.size,
                             e.hash.hex(), e.layer, e.data_layer, e.link, e.hardlink());
    for (auto& [k, v] : e.xattrs()) o.listing += " " + k + "=" + v;
    o.listing += "\n";
  }
  for (auto& [path, r] : b.fs.removed()) o.listing += fmt::format("removed {} in {}\n", path, r.deleted_in);
  for (auto& [path, cap] : c.all()) o.captured += fmt::format("{} {} {} {}\n", path, cap.data, cap.size, cap.truncated);
  if (const Captured* p = c.get("etc/os-release")) o.captured += "os-release " + p->data;
  for (auto& [path, v] : c.visits(id)) o.visited += fmt::format("{} {}\n", path, static_cast<const SizeVisitor&>(*v).bytes);
  for (auto& s : b.layers)
    o.stats += fmt::format("{} {} {} {} {} {}\n", compression_name(s.compression), s.compressed_bytes,
                           s.uncompressed_bytes, s.entries, s.blob_digest, s.diff_id);
  o.tally = session.tally();
  return o;
}

void expect_same(const Outcome& a, const Outcome& b) {
  EXPECT_EQ(a.listing, b.listing);
  EXPECT_EQ(a.captured, b.captured);
  EXPECT_EQ(a.visited, b.visited);
  EXPECT_EQ(a.stats, b.stats);
}

std::vector<std::string> entries_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

struct Fixture {
  TempDir dir;
  Image img;
  std::string cache;
  Fixture() : cache(dir / "cache/imagelint") {
    fixture::write_oci({recipe()}, dir / "oci");
    img = open_image(parse_reference(dir / "oci"), {});
  }
};

TEST(LayerCache, SecondBuildReplaysEveryLayerWithTheSameResult) {
  Fixture f;
  Outcome none = build(f.img, "");
  EXPECT_EQ(none.tally.written, 0);
  Outcome cold = build(f.img, f.cache);
  EXPECT_EQ(cold.tally.hits, 0);
  EXPECT_EQ(cold.tally.written, 4);
  EXPECT_EQ(entries_in(f.cache).size(), 4u);  // no temporary file left
  Outcome warm = build(f.img, f.cache);
  EXPECT_EQ(warm.tally.hits, 4);
  EXPECT_EQ(warm.tally.written, 0);
  expect_same(none, cold);
  expect_same(none, warm);
  // What the checks prove something about is there at all.
  EXPECT_NE(warm.captured.find("usr/lib/late.conf through the symlinked parent"), std::string::npos) << warm.captured;
  EXPECT_NE(warm.captured.find("m/a.ko " + std::string(100, 'a') + " 70000 true"), std::string::npos);
  EXPECT_NE(warm.captured.find("os-release ID=test"), std::string::npos);
  EXPECT_NE(warm.visited.find("m/a.ko 70000"), std::string::npos) << warm.visited;
  EXPECT_NE(warm.listing.find(" user.note=kept\n"), std::string::npos) << "listed once";
  EXPECT_NE(warm.listing.find("removed gone in 1"), std::string::npos);
  EXPECT_NE(warm.listing.find("removed o/hidden in 3"), std::string::npos) << warm.listing;
  EXPECT_NE(warm.listing.find("usr/bin/cc - 644 0:0 9"), std::string::npos) << warm.listing;
}

TEST(LayerCache, ALayerTheImageRepeatsIsWrittenOnce) {
  TempDir dir;
  fixture::Recipe r = recipe();
  r.layers = {r.layers[0], r.layers[1], r.layers[0], r.layers[1], r.layers[0]};
  fixture::write_oci({r}, dir / "oci");
  Image img = open_image(parse_reference(dir / "oci"), {});
  ASSERT_EQ(img.layers[0].digest, img.layers[4].digest);
  const std::string cache = dir / "cache";
  Outcome none = build(img, "");
  Outcome cold = build(img, cache);
  EXPECT_EQ(cold.tally.written, 2);
  EXPECT_TRUE(cold.tally.problems.empty()) << cold.tally.problems[0];
  EXPECT_EQ(entries_in(cache).size(), 2u);
  Outcome warm = build(img, cache);
  EXPECT_EQ(warm.tally.hits, 5);
  expect_same(none, cold);
  expect_same(none, warm);
}

// Over the limit, the least recently used entries go first (a replay counts as a use), and never
// those the run just wrote.
TEST(LayerCache, OverTheLimitTheLeastRecentlyUsedGo) {
  Fixture f;
  auto names = [&] {
    std::vector<std::string> v = entries_in(f.cache);
    return std::set<std::string>(v.begin(), v.end());
  };
  auto minus = [](const std::set<std::string>& a, const std::set<std::string>& b) {
    std::set<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
  };
  const auto now = fs::file_time_type::clock::now();
  auto age = [&](const std::set<std::string>& set, int minutes) {
    int i = 0;
    for (const std::string& n : set) fs::last_write_time(fs::path(f.cache) / n, now - std::chrono::minutes(minutes + i++));
  };
  build(f.img, f.cache, "size/1");
  const std::set<std::string> a = names();
  ASSERT_EQ(a.size(), 4u);
  age(a, 100);
  EXPECT_EQ(build(f.img, f.cache, "size/1").tally.hits, 4);
  for (const std::string& n : a)
    EXPECT_GT(fs::last_write_time(fs::path(f.cache) / n), now - std::chrono::minutes(1)) << "a replay touches " << n;

  build(f.img, f.cache, "size/2");
  const std::set<std::string> b = minus(names(), a);
  ASSERT_EQ(b.size(), 4u);
  uint64_t eight = 0;
  for (const std::string& n : names()) {
    struct stat st {};
    ASSERT_EQ(::stat((fs::path(f.cache) / n).c_str(), &st), 0);
    eight += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  age(a, 100);  // the oldest
  age(b, 50);   // then b, each a minute apart: the first in name order is the newest
  Outcome c_run = build(f.img, f.cache, "size/3", 1ull << 30, eight - 1);
  const std::set<std::string> after = names();
  EXPECT_EQ(c_run.tally.written, 4);
  EXPECT_EQ(c_run.tally.evicted, 5);
  EXPECT_TRUE(minus(a, after) == a) << "every entry of the oldest set went";
  std::set<std::string> b_left = minus(b, minus(b, after));
  EXPECT_EQ(b_left.size(), 3u);
  EXPECT_FALSE(b_left.count(*b.rbegin())) << "the oldest of b went";
  EXPECT_EQ(minus(after, b).size(), 4u) << "what the run wrote stays";
}

TEST(LayerCache, ADamagedOrCutEntryIsReadAgainAndRewritten) {
  Fixture f;
  Outcome cold = build(f.img, f.cache);
  std::vector<std::string> names = entries_in(f.cache);
  ASSERT_EQ(names.size(), 4u);
  {  // one byte flipped in the middle of one entry, another cut short, a third emptied
    std::fstream io(f.cache + "/" + names[0], std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(fs::file_size(f.cache + "/" + names[0]) / 2));
    char c = static_cast<char>(io.get());
    io.seekp(static_cast<std::streamoff>(fs::file_size(f.cache + "/" + names[0]) / 2));
    io.put(static_cast<char>(c ^ 0x20));
  }
  fs::resize_file(f.cache + "/" + names[1], fs::file_size(f.cache + "/" + names[1]) - 5);
  fs::resize_file(f.cache + "/" + names[2], 0);
  Outcome again = build(f.img, f.cache);
  EXPECT_EQ(again.tally.hits, 1);
  EXPECT_EQ(again.tally.written, 3);
  expect_same(cold, again);
  ASSERT_FALSE(again.tally.problems.empty());
  EXPECT_NE(again.tally.problems[0].find("damaged or cut short"), std::string::npos) << again.tally.problems[0];
  Outcome mended = build(f.img, f.cache);
  EXPECT_EQ(mended.tally.hits, 4);
  expect_same(cold, mended);
}

TEST(LayerCache, TheKeyFollowsTheCaptureSetAndAVisitorWithoutAKeyKeepsItOut) {
  Fixture f;
  build(f.img, f.cache);
  Outcome other = build(f.img, f.cache, "size/2");  // a visitor that keeps something else
  EXPECT_EQ(other.tally.hits, 0);
  EXPECT_EQ(other.tally.written, 4);
  EXPECT_EQ(entries_in(f.cache).size(), 8u);
  Outcome keyless = build(f.img, f.cache, "");
  EXPECT_EQ(keyless.tally.hits, 0);
  EXPECT_EQ(keyless.tally.written, 0);
  expect_same(other, keyless);
  LayerCacheSession session(f.cache);  // no captures at all (ls) is a key of its own
  RunContext run;
  run.cache = &session;
  BuildResult plain = build_filesystem(f.img, nullptr, run);
  BuildResult replayed = build_filesystem(f.img, nullptr, run);
  EXPECT_EQ(session.tally().written, 4);
  EXPECT_EQ(session.tally().hits, 4);
  EXPECT_EQ(plain.fs.size(), replayed.fs.size());
}

TEST(LayerCache, AnImageThatFailsWritesNothing) {
  Fixture f;
  // The last layer's blob damaged in place: the first three read fine, the image does not.
  const BlobRef& blob = f.img.layers[3].blob;
  std::string bytes = testing_util::read_file(blob.path);
  bytes[bytes.size() - 9] ^= 0x01;  // the gzip trailer's CRC
  testing_util::write_file(blob.path, bytes);
  {
    LayerCacheSession session(f.cache);
    RunContext run;
    run.cache = &session;
    CaptureSet c;
    EXPECT_THROW(build_filesystem(f.img, &c, run), InputError);
  }
  EXPECT_FALSE(fs::exists(f.dir / "cache")) << "the directories it made are gone again";
}

TEST(LayerCache, ALayerCutByTheCaptureBudgetIsNotKept) {
  Fixture f;
  Outcome cut = build(f.img, f.cache, "size/1", 50);  // m/a.ko's 100 bytes do not fit
  EXPECT_EQ(cut.tally.written, 3);
  Outcome whole = build(f.img, f.cache);
  EXPECT_EQ(whole.tally.hits, 3);
  EXPECT_EQ(whole.tally.written, 1);
  EXPECT_NE(whole.captured.find(std::string(100, 'a')), std::string::npos);
}

TEST(LayerCache, BuildsAtOnceShareTheCacheAndLeaveWholeEntries) {
  Fixture f;
  Outcome ref = build(f.img, "");
  std::vector<Outcome> got(4);
  std::vector<std::thread> ts;
  LayerCacheSession session(f.cache);
  RunContext run;
  run.cache = &session;
  for (auto& o : got)
    ts.emplace_back([&f, &o, &run] {
      CaptureSet c;
      c.want_path("etc/os-release", 1000);
      BuildResult b = build_filesystem(f.img, &c, run);
      o.listing = std::to_string(b.fs.size()) + (c.get("etc/os-release") ? c.get("etc/os-release")->data : "");
    });
  for (auto& t : ts) t.join();
  for (auto& o : got) EXPECT_EQ(o.listing, got[0].listing);
  EXPECT_NE(got[0].listing.find("ID=test"), std::string::npos);
  for (const std::string& n : entries_in(f.cache)) EXPECT_FALSE(n.starts_with(".tmp")) << n;
  EXPECT_EQ(entries_in(f.cache).size(), 4u);
}

TEST(LayerCache, ACacheThatCannotBeWrittenCostsOnlyTime) {
  Fixture f;
  testing_util::write_file(f.dir / "file", "not a directory");
  Outcome ref = build(f.img, "");
  Outcome o = build(f.img, f.dir / "file/cache");
  expect_same(ref, o);
  EXPECT_EQ(o.tally.written, 0);
  ASSERT_FALSE(o.tally.problems.empty());
  EXPECT_NE(o.tally.problems[0].find("cannot create"), std::string::npos) << o.tally.problems[0];
}

TEST(LayerCache, AnEntryThatCannotBeRenamedIntoPlaceCostsOnlyTime) {
  Fixture f;
  CaptureSet c;
  declare(c, "size/1");
  for (const LayerInfo& layer : f.img.layers) fs::create_directories(f.cache + "/" + LayerCache::key(layer, &c));
  Outcome ref = build(f.img, "");
  Outcome o = build(f.img, f.cache);  // every rename meets a directory
  expect_same(ref, o);
  EXPECT_EQ(o.tally.written, 0);
  ASSERT_EQ(o.tally.problems.size(), 4u);
  EXPECT_NE(o.tally.problems[0].find("cannot write " + f.cache + "/"), std::string::npos) << o.tally.problems[0];
  for (const std::string& n : entries_in(f.cache)) EXPECT_FALSE(n.starts_with(".tmp")) << n;
}

TEST(LayerCache, TemporaryFilesOfAKilledProcessGoWhenADayOld) {
  Fixture f;
  build(f.img, f.cache);
  auto make = [&](const std::string& name, int days_old) {
    testing_util::write_file(f.cache + "/" + name, "half an entry");
    fs::last_write_time(f.cache + "/" + name, fs::file_time_type::clock::now() - std::chrono::hours(24 * days_old));
  };
  make(".tmp-999999999-0-dead", 2);                                   // no such process, old: goes
  make(".tmp-999999999-1-young", 0);                                  // no such process, new: stays
  make(".tmp-" + std::to_string(::getpid()) + "-7-alive", 2);         // a live process: stays
  make(".tmp-1-0-init", 2);                                           // pid 1 is alive: stays
  Outcome o = build(f.img, f.cache);
  EXPECT_EQ(o.tally.hits, 4);
  std::vector<std::string> names = entries_in(f.cache);
  EXPECT_EQ(std::count(names.begin(), names.end(), ".tmp-999999999-0-dead"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), ".tmp-999999999-1-young"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), ".tmp-" + std::to_string(::getpid()) + "-7-alive"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), ".tmp-1-0-init"), 1);
}

}  // namespace fs_layer_cache_test
}  // namespace imagelint
