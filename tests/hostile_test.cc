// The hostile-image suite: every case builds its image (tests/hostile.cc writes the bytes that
// libarchive would not), runs the real binary on it, and holds the run to the contract for
// hostile input:
//   - the expected outcome: exit 2 with one line naming the file and the reason, or the right
//     result (exit 0/1 and what ls/check print);
//   - no crash, and a bound on wall time (the child is killed past it);
//   - peak RSS at most 256 MiB (measured with wait4; under ASan its shadow memory and
//     quarantine make RSS meaningless, so there only the address-space-free run is checked);
//   - nothing written: the working directory, TMPDIR and HOME stay empty but for the layer cache
//     ($XDG_CACHE_HOME/imagelint), a run that fails (exit 2) writes nothing there either, and the
//     input (every file's content hash, mode, size, mtime) is the same after every command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/stat.h>

#include "facts/rpm_test_util.h"
#include "harness.h"
#include "hostile.h"
#include "util/hash.h"

namespace e2e_hostile_test {

using namespace testing_util;
using hostile::Hdr;
using hostile::RawTar;
using nlohmann::json;

constexpr long kMaxRssKb = 256 * 1024;

// One command on the case's image and what it must give. "IMG" in args is the image reference.
struct Expect {
  std::vector<std::string> args;
  int exit = 0;
  std::vector<std::string> needles;  // in stderr when exit is 2, in stdout otherwise
  std::vector<std::string> absent = {};   // must not be in stdout
};

struct Case {
  std::string name;
  // Writes the image below dir; returns its reference.
  std::function<std::string(const std::string& dir)> build;
  std::vector<Expect> runs;
  int seconds = 20;  // the bound on each run (doubled under ASan)
};

std::string oci(const std::string& dir) { return "oci:" + dir + "/img"; }

// An image of one layer from a raw tar.
std::function<std::string(const std::string&)> one_layer(std::function<std::string()> tar,
                                                          std::string how = "gzip") {
  return [tar, how](const std::string& dir) {
    hostile::write_layout(dir + "/img", {hostile::layer(tar(), how)});
    return oci(dir);
  };
}

// An image of several raw-tar layers.
std::function<std::string(const std::string&)> layers(std::function<std::vector<std::string>()> tars) {
  return [tars](const std::string& dir) {
    std::vector<hostile::Layer> ls;
    for (const std::string& t : tars()) ls.push_back(hostile::layer(t));
    hostile::write_layout(dir + "/img", ls);
    return oci(dir);
  };
}

// The good tier-3 instance plus one layer of recipe entries (facts' worst inputs go here).
std::function<std::string(const std::string&)> instance_plus(std::function<std::vector<fixture::RecipeEntry>()> entries) {
  return [entries](const std::string& dir) {
    fixture::write_oci({good_instance_plus({entries()})}, dir + "/img");
    return oci(dir);
  };
}

// An image of one good layer whose layout JSON is then damaged.
std::function<std::string(const std::string&)> tampered(hostile::Tamper t) {
  return [t](const std::string& dir) {
    hostile::write_layout(dir + "/img", {hostile::layer(RawTar().file("etc/hostname", "h\n").finish())}, t);
    return oci(dir);
  };
}

Expect refused(std::vector<std::string> needles, std::vector<std::string> args = {"ls", "IMG"}) {
  return {std::move(args), 2, std::move(needles)};
}
Expect listed(std::vector<std::string> needles, std::vector<std::string> absent = {}) {
  return {{"ls", "--long", "IMG"}, 0, std::move(needles), std::move(absent)};
}
// check --format json: exit 0 or 1 is decided by the rest of the image; the needles are rule ids
// or messages in the JSON.
Expect checked(int exit, std::vector<std::string> needles, std::vector<std::string> absent = {}) {
  return {{"check", "IMG", "--format", "json"}, exit, std::move(needles), std::move(absent)};
}

std::string rpmdb_bytes() {
  static const std::string bytes = [] {
    TempDir d;
    return make_rpmdb(d, {{"tool", "1.0", "1", "mkdir -p %{buildroot}/usr/bin && echo t > %{buildroot}/usr/bin/tool",
                           "/usr/bin/tool"}});
  }();
  return bytes;
}

// rpmdb_bytes() with every package's header replaced by blob (sqlite3 edits a copy on disk).
std::string rpmdb_with_blob(const std::string& blob) {
  TempDir d;
  write_file(d / "rpmdb.sqlite", rpmdb_bytes());
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((d / "rpmdb.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "UPDATE Packages SET blob = ?", -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return read_file(d / "rpmdb.sqlite");
}

constexpr const char* kRpmdb = "usr/lib/sysimage/rpm/rpmdb.sqlite";
constexpr const char* kPolicy = "etc/containers/policy.json";
// sha256 of the zero bombs' tar (header_block of `zeros` with a pax size, then the zeros and the
// end blocks): recompute with hostile::zero_bomb's head + size + 1024 zeros through sha256sum.
constexpr const char* kZeroBomb10GiBDiffId = "sha256:67bfb5e46df98f1af78fec346b0c5f3f3c5377d54690d90bcab0915d961019d5";

std::vector<Case> cases() {
  std::vector<Case> c;
  // ---------------------------------------------------------------- names
  c.push_back({"DotDotEntry", one_layer([] { return RawTar().file("a/../../x", "x").finish(); }),
               {refused({"layer 0", "escapes the image root"})}});
  c.push_back({"AbsolutePath", one_layer([] { return RawTar().file("/etc/abs", "x").finish(); }),
               {listed({"etc/abs"}, {"/etc/abs"})}});
  c.push_back({"DoubleSlashes", one_layer([] { return RawTar().file("etc//x///y", "x").finish(); }),
               {listed({"etc/x/y"}, {"//"})}});
  c.push_back({"NulInPaxName",
               one_layer([] { return RawTar().pax({{"path", std::string("etc/a\0b", 7)}}).file("etc/p", "x").finish(); }),
               {listed({"etc/a"}, {"etc/p"})}});
  c.push_back({"NewlineInName", one_layer([] { return RawTar().file("etc/bad\nname", "x").finish(); }),
               {listed({"etc/bad\\x0aname"})}});
  c.push_back({"NonUtf8Name", one_layer([] { return RawTar().file("etc/\xff\xfe", "x").finish(); }),
               {listed({"etc/\\xff\\xfe"})}});
  c.push_back({"Path4096", one_layer([] {
                 std::string p;
                 while (p.size() + 201 < 4096) p += std::string(200, 'd') + "/";
                 p += std::string(4096 - p.size(), 'f');
                 return RawTar().pax({{"path", p}}).file("x", "x").finish();
               }),
               {listed({std::string(200, 'd') + "/"})}});
  c.push_back({"Path4097", one_layer([] {
                 std::string p;
                 while (p.size() + 201 < 4097) p += std::string(200, 'd') + "/";
                 p += std::string(4097 - p.size(), 'f');
                 return RawTar().pax({{"path", p}}).file("x", "x").finish();
               }),
               {refused({"layer 0", "longer than 4096 bytes"})}});
  c.push_back({"LinkTarget1MB",
               one_layer([] { return RawTar().pax({{"linkpath", std::string((1 << 20) - 64, 'l')}}).symlink("s", "x").finish(); }),
               {refused({"layer 0", "'s'", "Rejecting pax extended attribute > 1MB"})}});
  c.push_back({"LinkTarget900KB",
               one_layer([] { return RawTar().pax({{"linkpath", std::string(900000, 'l')}}).symlink("s", "x").finish(); }),
               {refused({"layer 0", "symlink 's': target longer than 4096 bytes"})}});
  c.push_back({"GnuLongName10MB",
               one_layer([] { return RawTar().gnu_long('L', std::string(10 << 20, 'n')).file("x", "x").finish(); }),
               {refused({"layer 0"})}});
  c.push_back({"PaxHeader100MB", one_layer([] {
                 return RawTar().pax({{"comment", std::string(100 << 20, 'c')}}).file("x", "x").finish();
               }),
               {refused({"layer 0"})}, 30});
  c.push_back({"Xattr1MB", one_layer([] {
                 return RawTar().pax({{"SCHILY.xattr.user.big", std::string((1 << 20) - 64, 'v')}}).file("x", "x").finish();
               }),
               {refused({"layer 0", "Rejecting pax extended attribute > 1MB"})}});
  c.push_back({"Xattr900KB", one_layer([] {
                 return RawTar().pax({{"SCHILY.xattr.user.big", std::string(900000, 'v')}}).file("x", "x").finish();
               }),
               {refused({"layer 0", "xattr larger than 64 KiB"})}});
  c.push_back({"MalformedPaxRecord", one_layer([] {
                 return RawTar().entry({.name = "PaxHeaders/x", .type = 'x', .size = 12}, "99 path=zz\n").file("x", "x").finish();
               }),
               {refused({"layer 0", "malformed pax"})}});
  // ---------------------------------------------------------------- links
  c.push_back({"SymlinkChainOutOfTheRoot", layers([] {
                 return std::vector<std::string>{RawTar().dir("a").symlink("up", "a/../..").symlink("way", "up").finish(),
                                                 RawTar().file("way/etc/passwd", "owned").finish()};
               }),
               {refused({"layer 1", "escapes the image root through symlink"})}});
  c.push_back({"SymlinkLoopOnPolicy", one_layer([] {
                 return RawTar().symlink(kPolicy, "policy2.json").symlink("etc/containers/policy2.json", "policy.json").finish();
               }),
               {checked(1, {"policy", "symlink loop"}), refused({"symlink loop"}, {"cat", "IMG", kPolicy})}});
  c.push_back({"AbsoluteSymlinkStaysInTheImage", one_layer([] {
                 // On the host /etc/hostname exists; in the image it does not: the policy is missing.
                 return RawTar().symlink(kPolicy, "/etc/hostname").finish();
               }),
               {refused({"no such file in the image"}, {"cat", "IMG", kPolicy}), checked(1, {"policy-default-deny"})}});
  c.push_back({"HardlinkToMissing", one_layer([] { return RawTar().entry({.name = "h", .type = '1', .link = "nothing"}).finish(); }),
               {refused({"hardlink 'h' points to 'nothing', which does not exist"})}});
  c.push_back({"HardlinkEscaping", one_layer([] {
                 return RawTar().file("a", "x").entry({.name = "h", .type = '1', .link = "../../etc/passwd"}).finish();
               }),
               {refused({"layer 0", "'h'"})}});
  c.push_back({"HardlinkToDirectory",
               one_layer([] { return RawTar().dir("d").entry({.name = "h", .type = '1', .link = "d"}).finish(); }),
               {refused({"layer 0", "'h'"})}});
  // ---------------------------------------------------------------- whiteouts
  c.push_back({"WhiteoutOfDotDot", layers([] {
                 return std::vector<std::string>{RawTar().dir("etc").file("etc/keep", "k").finish(),
                                                 RawTar().file("etc/.wh...", "").finish()};
               }),
               {refused({"layer 1", "whiteout"})}});
  c.push_back({"WhiteoutOfDot", layers([] {
                 return std::vector<std::string>{RawTar().dir("etc").file("etc/keep", "k").finish(),
                                                 RawTar().file("etc/.wh..", "").finish()};
               }),
               {refused({"layer 1", "whiteout"})}});
  c.push_back({"WhiteoutOfTheRoot", layers([] {
                 return std::vector<std::string>{RawTar().file("keep", "k").finish(), RawTar().file(".wh.", "").finish()};
               }),
               {refused({"layer 1", "whiteout"})}});
  c.push_back({"OpaqueAtTheRoot", layers([] {
                 return std::vector<std::string>{RawTar().file("old", "o").finish(),
                                                 RawTar().file(".wh..wh..opq", "").file("new", "n").finish()};
               }),
               {listed({"new"}, {"old"})}});
  c.push_back({"DuplicateEntriesLastWins", one_layer([] {
                 return RawTar().file("etc/dup", "first\n").file("etc/dup", "second\n").finish();
               }),
               {{{"cat", "IMG", "etc/dup"}, 0, {"second"}, {"first"}}}});
  c.push_back({"DevicesFifosSockets", one_layer([] {
                 return RawTar()
                     .entry({.name = "dev/null", .type = '3', .mode = 0666, .dev_major = 1, .dev_minor = 3})
                     .entry({.name = "dev/sda", .type = '4', .mode = 0660, .dev_major = 8, .dev_minor = 0})
                     .entry({.name = "run/fifo", .type = '6'})
                     .finish();
               }),
               {listed({"dev/null", "dev/sda", "run/fifo"}), {{"cat", "IMG", "run/fifo"}, 2, {"run/fifo"}}}});
  c.push_back({"SparseTerabyte", one_layer([] {
                 // pax sparse 1.0: the map (one 5-byte extent at 1 TiB) heads the data.
                 std::string map = "1\n1099511627776\n5\n";
                 map.append(512 - map.size(), '\0');
                 return RawTar()
                     .pax({{"GNU.sparse.major", "1"},
                           {"GNU.sparse.minor", "0"},
                           {"GNU.sparse.name", "var/log/lastlog"},
                           {"GNU.sparse.realsize", "1099511627781"}})
                     .entry({.name = "GNUSparseFile.0/lastlog", .size = 512 + 5}, map + "hello")
                     .finish();
               }),
               {refused({"layer 0", "var/log/lastlog", "sparse"})}});
  c.push_back({"RootfsFifosAndHostSymlinks",
               [](const std::string& dir) {
                 // dir: reads a tree in place: a fifo must never be opened, a symlink never followed
                 // onto the host.
                 std::string root = dir + "/rootfs";
                 std::filesystem::create_directories(root + "/etc/containers");
                 EXPECT_EQ(::mkfifo((root + "/" + kPolicy).c_str(), 0644), 0);
                 EXPECT_EQ(::mkfifo((root + "/etc/os-release").c_str(), 0644), 0);
                 std::filesystem::create_symlink("/etc/passwd", root + "/etc/passwd");
                 std::filesystem::create_symlink("../../../../../../etc/shadow", root + "/etc/shadow");
                 return "dir:" + root;
               },
               {checked(1, {"policy-default-deny"}, {"root:x:0:0"}),
                {{"cat", "IMG", "etc/passwd"}, 2, {"symlink loop"}},
                {{"cat", "IMG", "etc/shadow"}, 2, {"leads outside the image root"}},
                {{"cat", "IMG", kPolicy}, 2, {"policy.json"}}}});
  // ---------------------------------------------------------------- streams
  for (std::string how : {"gzip", "zstd"}) {
    c.push_back({how == "gzip" ? "GzipBomb10GiB" : "ZstdBomb10GiB",
                 [how](const std::string& dir) {
                   hostile::write_layout(dir + "/img", {hostile::zero_bomb(10ull << 30, how, kZeroBomb10GiBDiffId)});
                   return oci(dir);
                 },
                 {listed({"10737418240", "zeros"})},
                 120});
  }
  for (std::string how : {"gzip", "zstd", "xz"}) {
    c.push_back({"Truncated_" + how,
                 [how](const std::string& dir) {
                   std::string tar = RawTar().file("big", fixture::compress(std::string(300000, 'q'), "gzip")).finish();
                   hostile::Layer l = hostile::layer(tar, how);
                   l.blob.resize(l.blob.size() / 2);
                   hostile::write_layout(dir + "/img", {l});
                   return oci(dir);
                 },
                 {refused({"layer 0", "truncated"})}});
    c.push_back({"Corrupted_" + how,
                 [how](const std::string& dir) {
                   std::string tar = RawTar().file("big", std::string(300000, 'q')).finish();
                   hostile::Layer l = hostile::layer(tar, how);
                   for (size_t i = l.blob.size() / 2; i < l.blob.size() / 2 + 16; ++i) l.blob[i] = static_cast<char>(~l.blob[i]);
                   hostile::write_layout(dir + "/img", {l});
                   return oci(dir);
                 },
                 {refused({"layer 0"})}});
    c.push_back({"TrailingGarbage_" + how,
                 [how](const std::string& dir) {
                   hostile::Layer l = hostile::layer(RawTar().file("a", "a").finish(), how);
                   l.blob += "GARBAGE AFTER THE STREAM";
                   hostile::write_layout(dir + "/img", {l});
                   return oci(dir);
                 },
                 {refused({"layer 0", how == "gzip" ? "trailing garbage" : "corrupt " + how + " stream"})}});
  }
  c.push_back({"BadHeaderChecksum", one_layer([] {
                 return RawTar().file("a", "a").entry({.name = "b", .size = 1, .checksum_delta = 1}, "b").finish();
               }),
               {refused({"layer 0", "corrupt tar"})}});
  c.push_back({"NegativeSize", one_layer([] {
                 return RawTar().entry({.name = "neg", .size_raw = std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xf0", 12)}).finish();
               }),
               {refused({"layer 0"})}});
  c.push_back({"SizeLargerThanTheStream",
               one_layer([] { return RawTar().entry({.name = "big", .size = 1ull << 30}, "only this").finish(); }),
               {refused({"layer 0", "truncated layer", "'big'"})}});
  c.push_back({"GarbageAfterTheEndOfArchive",
               one_layer([] { return RawTar().file("a", "a").finish() + std::string(4096, 'G'); }, "none"),
               {listed({"a"})}});
  // ---------------------------------------------------------------- layout
  c.push_back({"DigestWithDotDot", tampered({.manifest = [](json& m) {
                 m["layers"][0]["digest"] = "sha256:../../../../etc/passwd";
               }}),
               {refused({"digest"})}});
  c.push_back({"DigestOfAnotherAlgorithm", tampered({.manifest = [](json& m) {
                 m["layers"][0]["digest"] = "md5:d41d8cd98f00b204e9800998ecf8427e";
               }}),
               {refused({"md5"})}});
  c.push_back({"BlobMissing", tampered({.manifest = [](json& m) {
                 m["layers"][0]["digest"] = "sha256:" + std::string(64, 'c');
               }}),
               {refused({"missing"})}});
  c.push_back({"SizeSaysLess", tampered({.manifest = [](json& m) { m["layers"][0]["size"] = 3; }}),
               {refused({"size mismatch", "descriptor says 3 bytes"})}});
  c.push_back({"SizeSaysMore", tampered({.manifest = [](json& m) { m["layers"][0]["size"] = 1ull << 40; }}),
               {refused({"size mismatch", "descriptor says 1099511627776 bytes"})}});
  c.push_back({"NegativeDescriptorSize", tampered({.manifest = [](json& m) { m["layers"][0]["size"] = -1; }}),
               {refused({"size"})}});
  c.push_back({"IndexPointingAtItself", [](const std::string& dir) {
                 // The nested index names its own (claimed) digest: what is stored there is not it.
                 std::string self = "sha256:" + std::string(64, 'e');
                 hostile::write_layout(dir + "/img", {hostile::layer(RawTar().file("a", "a").finish())},
                                       {.index = [self](json& ix) {
                                         ix["manifests"][0]["mediaType"] = "application/vnd.oci.image.index.v1+json";
                                         ix["manifests"][0]["digest"] = self;
                                       }});
                 json nested = {{"schemaVersion", 2},
                                {"manifests", json::array({{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                                            {"digest", self},
                                                            {"size", 200}}})}};
                 std::string text = nested.dump();
                 std::filesystem::create_directories(dir + "/img/blobs/sha256");
                 write_file(dir + "/img/blobs/sha256/" + std::string(64, 'e'), text);
                 return oci(dir);
               },
               {refused({"digest"})}});
  c.push_back({"IndexesNested100Deep", [](const std::string& dir) {
                 hostile::write_layout(dir + "/img", {hostile::layer(RawTar().file("a", "a").finish())},
                                       {.index = [dir](json& ix) {
                                         json desc = ix["manifests"][0];
                                         for (int i = 0; i < 100; ++i) {
                                           std::string text = json{{"schemaVersion", 2}, {"manifests", json::array({desc})}}.dump();
                                           desc = {{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                                   {"digest", hostile::add_blob(dir + "/img", text)},
                                                   {"size", text.size()}};
                                         }
                                         ix["manifests"][0] = desc;
                                         ix["manifests"][0]["annotations"] = {{"org.opencontainers.image.ref.name", "latest"}};
                                       }});
                 return oci(dir);
               },
               {refused({"nested too deeply"})}});
  c.push_back({"Config100MB", tampered({.config = [](json& cfg) { cfg["config"]["Labels"]["pad"] = std::string(100 << 20, 'p'); }}),
               {refused({"too large", "limit"})}, 30});
  c.push_back({"Index100MB", tampered({.index = [](json& ix) { ix["pad"] = std::string(100 << 20, 'p'); }}),
               {refused({"index.json", "too large", "limit"})}, 30});
  c.push_back({"ConfigNestedAMillionDeep", tampered({.config_text = [](std::string& text) {
                 text = "{\"deep\":" + std::string(1000000, '[') + std::string(1000000, ']') + "," + text.substr(1);
               }}),
               {listed({"etc/hostname"})}});
  c.push_back({"LayersDisagreeWithDiffIds", tampered({.config = [](json& cfg) {
                 cfg["rootfs"]["diff_ids"].push_back("sha256:" + std::string(64, 'd'));
               }}),
               {refused({"diff_ids"})}});
  c.push_back({"TenThousandLayers", [](const std::string& dir) {
                 std::vector<hostile::Layer> ls(10000, hostile::layer(RawTar().file("a", "a").finish()));
                 hostile::write_layout(dir + "/img", ls);
                 return oci(dir);
               },
               {listed({"a"})}, 60});
  c.push_back({"AMillionEmptyFiles", [](const std::string& dir) {
                 hostile::write_layout(dir + "/img", {hostile::many_files(1000000)});
                 return oci(dir);
               },
               {checked(1, {"api-base-directories"}), listed({"d0999/0999999"})},
               120});
  c.push_back({"DockerArchiveLayerOutside",
               [](const std::string& dir) {
                 std::string layer = RawTar().file("a", "a").finish();
                 json cfg = {{"architecture", "amd64"},
                             {"os", "linux"},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", {imagelint::sha256_of(layer)}}}}};
                 json man = json::array({{{"Config", "c.json"}, {"RepoTags", {"x:1"}}, {"Layers", {"../../../../etc/passwd"}}}});
                 write_file(dir + "/img.tar",
                            RawTar().file("manifest.json", man.dump()).file("c.json", cfg.dump()).file("l.tar", layer).finish());
                 return "docker-archive:" + dir + "/img.tar";
               },
               {refused({"img.tar", "../../../../etc/passwd"})}});
  c.push_back({"OciArchiveBlobIsASymlinkToTheHost",
               [](const std::string& dir) {
                 hostile::write_layout(dir + "/img", {hostile::layer(RawTar().file("a", "a").finish())});
                 // The archive again, with the layer's member a symlink to a host file.
                 RawTar t;
                 for (auto& e : std::filesystem::recursive_directory_iterator(dir + "/img")) {
                   if (!e.is_regular_file()) continue;
                   std::string name = std::filesystem::relative(e.path(), dir + "/img").string();
                   std::string data = read_file(e.path());
                   if (data.starts_with("\x1f\x8b")) t.symlink(name, "/etc/passwd");
                   else t.file(name, data);
                 }
                 write_file(dir + "/img.tar", t.finish());
                 std::filesystem::remove_all(dir + "/img");
                 return "oci-archive:" + dir + "/img.tar";
               },
               {refused({"img.tar"})}});
  // ---------------------------------------------------------------- facts
  c.push_back({"RpmdbTruncated", instance_plus([] {
                 return std::vector<fixture::RecipeEntry>{fixture::file(kRpmdb, rpmdb_bytes().substr(0, 8192))};
               }),
               {checked(1, {"could not be read (", "truncated"})}});
  c.push_back({"RpmdbNotSqlite", instance_plus([] {
                 return std::vector<fixture::RecipeEntry>{fixture::file(kRpmdb, std::string(100000, 'R'))};
               }),
               {checked(1, {"could not be read (", "not an SQLite"})}});
  for (auto [name, at, value] : std::vector<std::tuple<std::string, size_t, uint32_t>>{
           {"RpmHeaderLyingIndexCount", 0, 0x0fffffff},
           {"RpmHeaderLyingDataLength", 4, 0x0ffffff0},
           {"RpmHeaderLyingEntryCount", imagelint::rpm_test::entry_pos(8) + 12, 0x7fffffff},
           {"RpmHeaderLyingEntryOffset", imagelint::rpm_test::entry_pos(3) + 8, 0xfffffff0}}) {
    c.push_back({name, instance_plus([at, value] {
                   std::string h = imagelint::rpm_test::build_header(imagelint::rpm_test::tiny_entries());
                   imagelint::rpm_test::put32(h, at, value);
                   return std::vector<fixture::RecipeEntry>{fixture::file(kRpmdb, rpmdb_with_blob(h))};
                 }),
                 {checked(1, {"could not be read (package #1: "}), {{"inspect", "IMG"}, 0, {"error: "}}}});
  }
  c.push_back({"KmodLyingSectionTable", instance_plus([] {
                 std::string ko = fixture::make_kmod({{"name", "liar"}, {"vermagic", "6.12.0 SMP mod_unload"}}, false, "none");
                 // e_shoff (0x28, 8 bytes) far past the end, e_shnum (0x3c) at its maximum.
                 for (int i = 0; i < 8; ++i) ko[0x28 + i] = static_cast<char>(0x7f);
                 ko[0x3c] = '\xff';
                 ko[0x3d] = '\xff';
                 return std::vector<fixture::RecipeEntry>{fixture::file("usr/lib/modules/6.12.0-55.el10.x86_64/extra/liar.ko", ko)};
               }),
               {checked(1, {})}});
  c.push_back({"UnitLine2MB", instance_plus([] {
                 return std::vector<fixture::RecipeEntry>{
                     fixture::file("etc/systemd/system/huge.service", "[Service]\nExecStart=/bin/" + std::string(2 << 20, 'x') + "\n"),
                     fixture::symlink("etc/systemd/system/multi-user.target.wants/huge.service", "../huge.service")};
               }),
               {checked(1, {"huge.service"}), {{"inspect", "IMG", "--format", "json"}, 0, {"huge.service"}}}});
  c.push_back({"Unit100MB", instance_plus([] {
                 return std::vector<fixture::RecipeEntry>{
                     fixture::file("etc/systemd/system/huge.service", std::string(100 << 20, '#')),
                     fixture::symlink("etc/systemd/system/multi-user.target.wants/huge.service", "../huge.service")};
               }),
               {checked(1, {"huge.service"})},
               60});
  c.push_back({"PolicyNestedAMillionDeep", instance_plus([] {
                 return std::vector<fixture::RecipeEntry>{fixture::file(kPolicy, std::string(1000000, '[') + std::string(1000000, ']'))};
               }),
               {checked(1, {"policy"})}});
  c.push_back({"PasswdGarbage", instance_plus([] {
                 std::string g;
                 for (int i = 0; i < 256 * 64; ++i) g += static_cast<char>(i * 37 % 256);
                 return std::vector<fixture::RecipeEntry>{fixture::file("etc/passwd", g + std::string(2 << 20, ':'))};
               }),
               {checked(1, {})}});
  return c;
}

void PrintTo(const Case& k, std::ostream* os) { *os << k.name; }

class Hostile : public testing::TestWithParam<Case> {};

// The files of a snapshot (a directory's mtime moves when a temporary file comes and goes).
std::string files_only(const std::string& snap) {
  std::string out;
  for (const std::string& line : lines(snap)) {
    size_t sp = line.find(' ');
    if (sp != std::string::npos && !S_ISDIR(static_cast<mode_t>(std::stoul(line.substr(sp + 1))))) out += line + "\n";
  }
  return out;
}

TEST_P(Hostile, Contract) {
  const Case& k = GetParam();
  TempDir input, cwd, tmp, home;
  std::string ref = k.build(input.path());
  if (const char* keep = std::getenv("IMAGELINT_HOSTILE_KEEP")) {  // a copy to look at by hand
    std::filesystem::create_directories(std::string(keep) + "/" + k.name);
    std::filesystem::copy(input.path(), std::string(keep) + "/" + k.name,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  }
  const std::string before = snapshot(input.path());
  const int bound = k.seconds * (under_sanitizer() ? 3 : 1);
  for (const Expect& e : k.runs) {
    std::vector<std::string> argv{"env", "TMPDIR=" + tmp.path(), "HOME=" + home.path(),
                                  "XDG_CACHE_HOME=" + home.path() + "/.cache", "IMAGELINT_TODAY=2026-06-01",
                                  IMAGELINT_BIN};
    for (const std::string& a : e.args) argv.push_back(a == "IMG" ? ref : a);
    std::string what = fmt::format("{}: imagelint {}", k.name, fmt::join(e.args, " "));
    const std::string home_before = files_only(snapshot(home.path()));
    BoundedResult r = run_bounded(argv, cwd.path(), bound);
    ASSERT_FALSE(r.timed_out) << what << ": still running after " << bound << " s";
    EXPECT_EQ(r.code, e.exit) << what << "\nstderr: " << r.err.substr(0, 2000) << "\nstdout: " << r.out.substr(0, 2000);
    if (e.exit == 2) {
      EXPECT_EQ(lines(r.err).size(), 1u) << what << ": " << r.err.substr(0, 2000);
      EXPECT_TRUE(r.err.starts_with("imagelint: ")) << what << ": " << r.err.substr(0, 2000);
      EXPECT_TRUE(r.out.empty()) << what << ": " << r.out.substr(0, 2000);
    } else {
      EXPECT_EQ(r.err.find("internal error"), std::string::npos) << what << ": " << r.err;
    }
    const std::string& where = e.exit == 2 ? r.err : r.out;
    for (const std::string& n : e.needles)
      EXPECT_NE(where.find(n), std::string::npos) << what << ": want '" << n << "' in: " << where.substr(0, 3000);
    for (const std::string& n : e.absent)
      EXPECT_EQ(r.out.find(n), std::string::npos) << what << ": '" << n << "' must not be in: " << r.out.substr(0, 3000);
    if (!under_sanitizer()) {
      EXPECT_LE(r.max_rss_kb, kMaxRssKb) << what << ": peak RSS";
    }
    RecordProperty(fmt::format("run{}", &e - k.runs.data()),
                   fmt::format("{:.2f}s {}KiB exit {}", r.seconds, r.max_rss_kb, r.code));
    EXPECT_EQ(snapshot(cwd.path()), "") << what;
    EXPECT_EQ(snapshot(tmp.path()), "") << what;
    EXPECT_EQ(snapshot_outside_cache(home.path(), home / ".cache/imagelint"), "") << what;
    if (r.code == 2) {
      EXPECT_EQ(files_only(snapshot(home.path())), home_before) << what << ": a failed run wrote to the layer cache";
    }
    EXPECT_EQ(snapshot(input.path()), before) << what << ": the input changed";
  }
}

// Every command, on every transport, on an image with an rpm database (sqlite would create -shm
// and -wal files beside a database it opened by path): the input is byte for byte the same after
// each, and nothing appears in the working directory, TMPDIR or HOME (but the layer cache); reports
// go where --output says and nowhere else.
TEST(Untouched, EveryCommandLeavesItsInputAsItWas) {
  TempDir in, out, cwd, tmp, home;
  fixture::Recipe r = good_instance_plus({{fixture::file("usr/share/rpm/rpmdb.sqlite", rpmdb_bytes())}});
  fixture::write_oci({r}, in / "oci");
  fixture::write_oci({good_instance_plus({{fixture::file("etc/motd", "changed\n")}})}, in / "oci2");
  fixture::write_oci_archive({r}, in / "img.tar");
  fixture::write_docker_archive(r, in / "d.tar");
  fixture::write_rootfs(r, in / "rootfs");
  ASSERT_TRUE(std::filesystem::exists(in / "rootfs/usr/share/rpm/rpmdb.sqlite"));
  const std::string before = snapshot(in.path());
  std::vector<std::vector<std::string>> commands;
  for (std::string img : {"oci:" + in / "oci", "oci-archive:" + in / "img.tar", "docker-archive:" + in / "d.tar",
                          "dir:" + in / "rootfs"}) {
    commands.push_back({"inspect", img});
    commands.push_back({"inspect", img, "--format", "json"});
    commands.push_back({"ls", "--long", img});
    commands.push_back({"cat", img, "etc/containers/policy.json"});
    commands.push_back({"check", img, "--format", "json", "--output", out / "c.json", "--format",
                        "sarif", "--output", out / "c.sarif", "--format", "junit", "--output", out / "c.xml", "--format",
                        "codequality", "--output", out / "cq.json", "--format", "markdown", "--output", out / "c.md"});
    commands.push_back({"diff", img, "oci:" + in / "oci2", "--format", "json", "--output", out / "d.json", "--format",
                        "html", "--output", out / "d.html"});
  }
  commands.push_back({"report", out / "d.json", "--output", out / "trend.html"});
  commands.push_back({"rules"});
  for (const auto& args : commands) {
    std::vector<std::string> argv{"env", "TMPDIR=" + tmp.path(), "HOME=" + home.path(),
                                  "XDG_CACHE_HOME=" + home.path() + "/.cache", IMAGELINT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string what = fmt::format("imagelint {}", fmt::join(args, " "));
    Result res = run(argv, cwd.path());
    // check and diff may find something (1); the others have nothing to find. Never 2 here.
    if (args[0] == "check" || args[0] == "diff") EXPECT_TRUE(res.code == 0 || res.code == 1) << what << ": " << res.err;
    else EXPECT_EQ(res.code, 0) << what << ": " << res.err;
    EXPECT_EQ(snapshot(in.path()), before) << what << ": the input changed";
    EXPECT_EQ(snapshot(cwd.path()), "") << what;
    EXPECT_EQ(snapshot(tmp.path()), "") << what;
    EXPECT_EQ(snapshot_outside_cache(home.path(), home / ".cache/imagelint"), "") << what;
  }
  std::vector<std::string> written;
  for (auto& e : std::filesystem::directory_iterator(out.path())) written.push_back(e.path().filename());
  std::sort(written.begin(), written.end());
  EXPECT_EQ(written, (std::vector<std::string>{"c.json", "c.md", "c.sarif", "c.xml", "cq.json", "d.html", "d.json",
                                               "trend.html"}));
}

INSTANTIATE_TEST_SUITE_P(Cases, Hostile, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace e2e_hostile_test
