// `imagelint diff` end to end: identity tiers, every attribute, classification (rules, hazards,
// config, --ignore, --rules), reports, bad input. Normaliser and real-tool pairs are in
// diff_pairs_test.cc.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "diff_harness.h"

namespace e2e_diff_test {
using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace
using fixture::dir;
using fixture::file;
using fixture::hardlink;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(Diff, AnImageAgainstItselfIsIdentical) {
  TempDir t;
  fixture::write_oci({image({file("etc/a", "a\n")})}, t / "a");
  DiffRun d = diff_refs("oci:" + (t / "a"), "oci:" + (t / "a"));
  EXPECT_EQ(d.code, 0);
  EXPECT_EQ(d.j["verdict"], "identical");
  EXPECT_EQ(d.j["schema"], "imagelint.diff/v1");
  EXPECT_EQ(d.j["changes"].size(), 0u);
  EXPECT_EQ(d.j["a"]["manifest_digest"], d.j["b"]["manifest_digest"]);
}

TEST(Diff, SameLayersInAnotherContainerHaveNoFileChanges) {
  TempDir t;
  fixture::Recipe r = image({file("etc/a", "a\n")});
  fixture::write_oci({r}, t / "a");
  fixture::write_docker_archive(r, t / "b.tar");
  DiffRun d = diff_refs("oci:" + (t / "a"), "docker-archive:" + (t / "b.tar"));
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(d.j["verdict"], "reproducible");
  EXPECT_EQ(d.j["compared"], "diff_ids");
  EXPECT_EQ(d.j["summary"]["added"], 0);
  EXPECT_EQ(d.j["summary"]["changed"], 0);
}

TEST(Diff, EveryDifferingAttributeIsReported) {
  fixture::RecipeEntry a1 = file("usr/share/f", "same\n", 0644);
  fixture::RecipeEntry b1 = file("usr/share/f", "same\n", 0755);
  b1.uid = 1000;
  b1.gid = 1000;
  b1.mtime = 1700000999;
  b1.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02", 4)}};
  DiffRun d = diff(image({a1, fixture::symlink("usr/share/l", "f")}), image({b1, fixture::symlink("usr/share/l", "g")}));
  EXPECT_EQ(d.code, 1);
  json c = d.change("usr/share/f");
  ASSERT_TRUE(c.is_object()) << d.j.dump(2);
  EXPECT_EQ(c["attributes"], json({"mode", "uid", "gid", "mtime", "xattrs"}));
  EXPECT_EQ(c["class"], "drift");
  EXPECT_EQ(c["category"], "unexplained");
  EXPECT_EQ(c["layer_a"], 1);
  EXPECT_NE(c["detail"].get<std::string>().find("security.capability added"), std::string::npos) << c.dump();
  EXPECT_EQ(d.change("usr/share/l")["attributes"], json({"link"}));
  // Where the changes are: both in B's layer 1.
  ASSERT_EQ(d.j["layers"]["changes_in_b"].size(), 1u) << d.j["layers"].dump();
  EXPECT_EQ(d.j["layers"]["changes_in_b"][0]["index"], 1);
  EXPECT_EQ(d.j["layers"]["changes_in_b"][0]["drift"], 2);
}

TEST(Diff, SeveralReportsInOneRun) {
  TempDir t;
  fixture::write_oci({image({file("etc/a", "1\n")})}, t / "a");
  fixture::write_oci({image({file("etc/a", "2\n")})}, t / "b");
  Result r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "b"), "--format", "text", "--output", "-", "--format", "json",
                        "--output", t / "d.json", "--format", "markdown", "--output", t / "d.md"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out.rfind("imagelint diff: drift", 0), 0u) << r.out;
  EXPECT_EQ(json::parse(read_file(t / "d.json"))["verdict"], "drift");
  EXPECT_EQ(read_file(t / "d.md").rfind("### ❌ imagelint diff: drift", 0), 0u);
  Result unpaired = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "b"), "--format", "json", "--format", "text",
                               "--output", t / "x"});
  EXPECT_EQ(unpaired.code, 2);
  EXPECT_NE(unpaired.err.find("go in pairs"), std::string::npos) << unpaired.err;
}

TEST(Diff, HardlinksCompareByTopologyNotByWhichNameCameFirst) {
  // A writes x then links y to it; B writes y then links x: the same two names share one inode.
  DiffRun same = diff(image({file("usr/bin/x", "bin\n"), hardlink("usr/bin/y", "usr/bin/x")}),
                      image({file("usr/bin/y", "bin\n"), hardlink("usr/bin/x", "usr/bin/y")}));
  EXPECT_TRUE(same.change("usr/bin/x").is_null()) << same.j["changes"].dump(2);
  EXPECT_TRUE(same.change("usr/bin/y").is_null());
  // The name written first is removed later: what is left is one file in both, no link.
  fixture::Recipe a = image({file("usr/bin/x", "bin\n"), hardlink("usr/bin/y", "usr/bin/x")});
  fixture::Recipe b = image({file("usr/bin/y", "bin\n"), hardlink("usr/bin/x", "usr/bin/y")});
  for (fixture::Recipe* r : {&a, &b}) {
    fixture::RecipeLayer rm;
    rm.entries = {fixture::whiteout("usr/bin/x")};
    r->layers.push_back(rm);
  }
  DiffRun removed = diff(a, b);
  EXPECT_TRUE(removed.change("usr/bin/y").is_null()) << removed.j["changes"].dump(2);
  DiffRun split = diff(image({file("usr/bin/x", "bin\n"), hardlink("usr/bin/y", "usr/bin/x")}),
                       image({file("usr/bin/x", "bin\n"), file("usr/bin/y", "bin\n")}));
  EXPECT_EQ(split.code, 1);
  EXPECT_EQ(split.change("usr/bin/y")["attributes"], json({"hardlink"}));
}

TEST(Diff, MtimeOnlyIsNoiseWithAHint) {
  std::vector<fixture::RecipeEntry> a, b;
  for (int i = 0; i < 24; ++i) {
    a.push_back(at(file("usr/share/f" + std::to_string(i), "x\n"), 1700000000));
    b.push_back(at(file("usr/share/f" + std::to_string(i), "x\n"), 1700086400));
  }
  a.push_back(at(dir("usr/share/d"), 1700000000));
  b.push_back(at(dir("usr/share/d"), 1700086400));
  DiffRun d = diff(image(a), image(b));
  EXPECT_EQ(d.code, 0) << d.j.dump(2);
  EXPECT_EQ(d.j["verdict"], "reproducible");
  EXPECT_EQ(d.change("usr/share/f0")["category"], "timestamps");
  EXPECT_EQ(d.j["summary"]["by_category"]["timestamps"], 25);
  bool hinted = false;
  for (auto& h : d.j["hints"]) {
    std::string t = h.get<std::string>();
    hinted = hinted || (t.find("25 entries differ only in mtime") == 0 &&
                        t.find("every entry has mtime 2023-11-14T22:13:20Z in A and 2023-11-15T22:13:20Z in B: both builds "
                               "clamp, to different times") != std::string::npos);
  }
  EXPECT_TRUE(hinted) << d.j["hints"].dump(2);
  // Two entries prove nothing about clamping: the plain hint only.
  DiffRun few = diff(image({at(file("usr/share/a", "a\n"), 1)}), image({at(file("usr/share/a", "a\n"), 2)}));
  ASSERT_FALSE(few.j["hints"].empty());
  for (auto& h : few.j["hints"]) EXPECT_EQ(h.get<std::string>().find("clamp, to different"), std::string::npos) << h;
}

TEST(Diff, AnUnexplainedChangeIsDriftWithAUnifiedDiff) {
  DiffRun d = diff(image({file("etc/app.conf", "a=1\nb=2\nc=3\n")}), image({file("etc/app.conf", "a=1\nb=20\nc=3\n")}));
  EXPECT_EQ(d.code, 1);
  EXPECT_EQ(d.j["verdict"], "drift");
  json c = d.change("etc/app.conf");
  EXPECT_EQ(c["category"], "unexplained");
  EXPECT_EQ(c["unified_diff"], "--- a/etc/app.conf\n+++ b/etc/app.conf\n@@ -1,3 +1,3 @@\n a=1\n-b=2\n+b=20\n c=3\n");
  EXPECT_NE(d.j["hints"][0].get<std::string>().find("no rule explains"), std::string::npos);
}

TEST(Diff, TheSecondReadTakesTheBytesThatWonNotAnEarlierEntryOfTheSameName) {
  // One layer writes etc/dup.conf twice; the second one is the file. The unified diff (made from a
  // second read of that layer) must show it, not the first.
  DiffRun d = diff(image({file("etc/dup.conf", "old\n"), file("etc/dup.conf", "new\n")}), image({file("etc/dup.conf", "newer\n")}));
  EXPECT_EQ(d.change("etc/dup.conf")["unified_diff"], "--- a/etc/dup.conf\n+++ b/etc/dup.conf\n@@ -1,1 +1,1 @@\n-new\n+newer\n")
      << d.j.dump(2);
}

TEST(Diff, NoUnifiedDiffOfFilesOthersCannotRead) {
  DiffRun d = diff(image({file("etc/secret.conf", "token=aaa\n", 0600)}), image({file("etc/secret.conf", "token=bbb\n", 0600)}));
  json c = d.change("etc/secret.conf");
  EXPECT_EQ(c["class"], "drift");
  EXPECT_FALSE(c.contains("unified_diff")) << c.dump();
}

TEST(Diff, LogsAndCachesAreNoise) {
  DiffRun d = diff(image({file("var/log/dnf.log", "run 1\n"), dir("var/cache"), dir("var/cache/ldconfig"),
                          file("var/cache/ldconfig/aux-cache", "x")}),
                   image({file("var/log/dnf.log", "run 2\n"), file("var/log/hawkey.log", "new\n"), dir("var/cache"),
                          dir("var/cache/ldconfig"), file("var/cache/ldconfig/aux-cache", "y")}));
  EXPECT_EQ(d.code, 0) << d.j.dump(2);
  EXPECT_EQ(d.change("var/log/dnf.log")["category"], "logs");
  EXPECT_EQ(d.change("var/log/hawkey.log")["kind"], "added");
  EXPECT_EQ(d.change("var/log/hawkey.log")["class"], "noise");
  EXPECT_EQ(d.change("var/cache/ldconfig/aux-cache")["rule"], "ldso-aux-cache");
}

TEST(Diff, HazardsAreReportedEvenWhenEqualAndChangedOnesAreDrift) {
  fixture::Recipe a = image({dir("etc/ssh"), file("etc/ssh/ssh_host_ed25519_key", "KEY", 0600)});
  // Compared with a build that differs only in a label, the key is listed though it is equal.
  fixture::Recipe b = a;
  b.labels["build"] = "2";
  DiffRun d = diff(a, b);
  ASSERT_EQ(d.j["hazards"].size(), 1u) << d.j.dump(2);
  EXPECT_EQ(d.j["hazards"][0]["path"], "etc/ssh/ssh_host_ed25519_key");
  EXPECT_EQ(d.j["hazards"][0]["equal"], true);
  fixture::Recipe c = image({dir("etc/ssh"), file("etc/ssh/ssh_host_ed25519_key", "OTHER KEY", 0600)});
  DiffRun changed = diff(a, c);
  EXPECT_EQ(changed.code, 1);
  EXPECT_EQ(changed.change("etc/ssh/ssh_host_ed25519_key")["class"], "hazard");
  EXPECT_EQ(changed.change("etc/ssh/ssh_host_ed25519_key")["category"], "host-keys");
  EXPECT_FALSE(changed.change("etc/ssh/ssh_host_ed25519_key").contains("unified_diff"));
  // An empty machine-id (the base layer's) is the right state, not a hazard.
  for (auto& h : changed.j["hazards"]) EXPECT_NE(h["path"], "etc/machine-id");
  // Nor is it one when only its mtime moves: it is a timestamp, noise.
  fixture::Recipe later = image({});
  for (auto& e : later.layers[0].entries)
    if (e.path == "etc/machine-id") e.mtime = 1800000000;
  DiffRun mtime = diff(image({}), later);
  EXPECT_EQ(mtime.code, 0) << mtime.j.dump(2);
  EXPECT_EQ(mtime.change("etc/machine-id")["category"], "timestamps");
  // A populated one is, whatever else changed.
  fixture::Recipe populated = image({file("etc/machine-id", "0123456789abcdef0123456789abcdef\n")});
  DiffRun pop = diff(image({}), populated);
  EXPECT_EQ(pop.code, 1);
  EXPECT_EQ(pop.change("etc/machine-id")["class"], "hazard");
}

TEST(Diff, ConfigLabelsAreDriftButBuilderStampsAreNoise) {
  DiffRun d = diff(image({file("etc/a", "a")}, {{"io.buildah.version", "1.37"}, {"tier", "base"}}),
                   image({file("etc/a", "a")}, {{"io.buildah.version", "1.38"}, {"tier", "instance"}}));
  EXPECT_EQ(d.code, 1);
  std::map<std::string, std::string> cls;
  for (auto& c : d.j["config"]) cls[c["field"]] = c["class"];
  EXPECT_EQ(cls["labels.io.buildah.version"], "noise");
  EXPECT_EQ(cls["labels.tier"], "drift");
  DiffRun noise = diff(image({file("etc/a", "a")}, {{"io.buildah.version", "1.37"}}),
                       image({file("etc/a", "a")}, {{"io.buildah.version", "1.38"}}));
  EXPECT_EQ(noise.code, 0) << noise.j.dump(2);
  EXPECT_EQ(noise.j["verdict"], "reproducible");
}

TEST(Diff, IgnoreAndUserRulesChangeTheClassification) {
  fixture::Recipe a = image({dir("var/lib"), dir("var/lib/alloy"), file("var/lib/alloy/wal", "1")});
  fixture::Recipe b = image({dir("var/lib"), dir("var/lib/alloy"), file("var/lib/alloy/wal", "2")});
  EXPECT_EQ(diff(a, b).code, 1);
  DiffRun ignored = diff(a, b, {"--ignore", "/var/lib/alloy"});
  EXPECT_EQ(ignored.code, 0) << ignored.j.dump(2);
  EXPECT_EQ(ignored.change("var/lib/alloy/wal")["category"], "ignored");
  // A user rule with a shipped id replaces it: here mtime-only becomes drift.
  TempDir t;
  write_file(t / "strict.json", R"({"rules": [{"id": "mtime-only", "attributes": ["mtime"], "class": "drift", "category": "timestamps"}]})");
  DiffRun strict = diff(image({at(file("etc/x", "x"), 1)}), image({at(file("etc/x", "x"), 2)}), {"--rules", t / "strict.json"});
  EXPECT_EQ(strict.code, 1);
  EXPECT_EQ(strict.change("etc/x")["class"], "drift");
}

TEST(Diff, BadRulesAndBadImagesAreExit2WithOneLine) {
  TempDir t;
  fixture::write_oci({image({})}, t / "a");
  write_file(t / "bad.json", R"({"rules": [{"id": "x", "paths": ["/abs"], "class": "noise", "category": "c"}]})");
  Result r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "a"), "--rules", t / "bad.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  write_file(t / "norm.json", R"({"rules": [{"id": "x", "normaliser": "nope", "class": "noise", "category": "c"}]})");
  r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "a"), "--rules", t / "norm.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no normaliser named 'nope'"), std::string::npos) << r.err;
  r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "missing")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "a"), "--format", "pdf"});
  EXPECT_EQ(r.code, 2);
}

TEST(Diff, MarkdownFitsAMergeRequestComment) {
  std::string md = text_diff(image({file("etc/a|b", "1\n")}), image({file("etc/a|b", "2\n")}), {"--format", "markdown"});
  EXPECT_EQ(md.rfind("### ❌ imagelint diff: drift", 0), 0u) << md;
  EXPECT_NE(md.find("`etc/a\\|b`"), std::string::npos) << md;  // a '|' in a path does not break the table
  EXPECT_NE(md.find("```diff"), std::string::npos) << md;
}

TEST(Diff, ReportsCannotBeBrokenOutOfByTheImage) {
  // A README whose change sits next to a code fence, and a path with HTML and a carriage return.
  std::string a = "# app\n```\nrun it\n```\nversion 1\n", b = "# app\n```\nrun it\n```\nversion 2\n";
  std::string md = text_diff(image({file("usr/share/README.md", a), file("etc/<b>x\rdone", "1\n")}),
                             image({file("usr/share/README.md", b), file("etc/<b>x\rdone", "2\n")}), {"--format", "markdown"});
  EXPECT_NE(md.find("````diff\n"), std::string::npos) << md;  // a fence longer than any in the text
  EXPECT_NE(md.find("<summary>etc/&lt;b&gt;x\\x0ddone</summary>"), std::string::npos) << md;  // raw HTML: entities
  EXPECT_NE(md.find("| `etc/<b>x\\x0ddone` |"), std::string::npos) << md;  // in a code span it is text
  EXPECT_EQ(md.find('\r'), std::string::npos) << md;
  std::string text = text_diff(image({file("etc/\x1b[2Jx", "1\n")}), image({file("etc/\x1b[2Jx", "2\n")}));
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("etc/\\x1b[2Jx"), std::string::npos) << text;
  // A name that is not UTF-8 still gives valid JSON (the bad byte becomes U+FFFD).
  // (As rootfs directories: libarchive's pax writer refuses such names.)
  TempDir u;
  fixture::write_rootfs(image({file("etc/caf\xe9", "1\n")}), u / "a");
  fixture::write_rootfs(image({file("etc/caf\xe9", "2\n")}), u / "b");
  DiffRun bad = diff_refs("dir:" + (u / "a"), "dir:" + (u / "b"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(bad.change("etc/caf\xef\xbf\xbd").is_object()) << bad.j["changes"].dump();
}

TEST(Diff, SameDiffIdsStillVerifyBothImages) {
  TempDir t;
  fixture::Recipe r = image({file("etc/marker", std::string(4000, 'm'))});
  for (auto& l : r.layers) l.compression = "none";  // so the marker's bytes are in the archive as they are
  fixture::write_oci({r}, t / "a");
  fixture::write_docker_archive(r, t / "b.tar");
  std::string tar = read_file(t / "b.tar");
  size_t at = tar.find(std::string(4000, 'm'));
  ASSERT_NE(at, std::string::npos) << "the docker-archive layer is compressed; the test needs it plain";
  tar[at + 100] = 'X';
  write_file(t / "b.tar", tar);
  Result res = imagelint({"diff", "oci:" + (t / "a"), "docker-archive:" + (t / "b.tar")});
  EXPECT_EQ(res.code, 2) << res.out;
  EXPECT_NE(res.err.find("diff_id"), std::string::npos) << res.err;
}

TEST(Diff, NothingIsWrittenInsideTheInputs) {
  TempDir t;
  fixture::write_oci({image({file("etc/a", "1")})}, t / "a");
  fixture::write_oci({image({file("etc/a", "2")})}, t / "b");
  std::string before = snapshot(t.path());
  Result r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "b")});
  EXPECT_EQ(r.code, 1) << r.err;  // the diff ran to its end (etc/a drifted)
  EXPECT_EQ(snapshot(t.path()), before);
}

}  // namespace e2e_diff_test
