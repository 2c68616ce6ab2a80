// `imagelint diff` end to end: fixture pairs for every category and normaliser (equal in
// substance: noise; different: drift), and pairs written by real tools: umoci packing one
// directory twice, skopeo converting an image, Debian's rpm installing the same packages twice,
// gzip and bsdcpio run twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "harness.h"

using namespace testing_util;
using fixture::dir;
using fixture::file;
using fixture::hardlink;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A small image: a base layer every test shares, then the test's own layer.
fixture::Recipe image(std::vector<fixture::RecipeEntry> top, std::map<std::string, std::string> labels = {}) {
  fixture::Recipe r;
  r.labels = labels;
  fixture::RecipeLayer base;
  base.created_by = "base";
  base.entries = {dir("etc"), file("etc/hostname", "host\n"), file("etc/machine-id", ""), dir("usr"), dir("usr/bin"),
                  file("usr/bin/tool", "#!/bin/sh\necho v1\n", 0755), dir("usr/share"), dir("var"), dir("var/log")};
  fixture::RecipeLayer mine;
  mine.created_by = "RUN the test's layer";
  mine.entries = std::move(top);
  r.layers = {base, mine};
  return r;
}

struct DiffRun {
  int code = -1;
  json j;
  std::string err;
  // The change of one path, or null.
  json change(const std::string& path) const {
    for (auto& c : j["changes"])
      if (c["path"] == path) return c;
    return json();
  }
};

DiffRun diff_refs(const std::string& a, const std::string& b, std::vector<std::string> args = {}) {
  std::vector<std::string> argv{"diff", a, b, "--format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = imagelint(argv);
  DiffRun d;
  d.code = r.code;
  d.err = r.err;
  if (r.code != 2) {
    d.j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(d.j.is_discarded()) << r.out;
  }
  return d;
}

DiffRun diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args = {}) {
  TempDir t;
  fixture::write_oci({a}, t / "a");
  fixture::write_oci({b}, t / "b");
  return diff_refs("oci:" + (t / "a"), "oci:" + (t / "b"), std::move(args));
}

std::string text_diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args = {}) {
  TempDir t;
  fixture::write_oci({a}, t / "a");
  fixture::write_oci({b}, t / "b");
  std::vector<std::string> argv{"diff", "oci:" + (t / "a"), "oci:" + (t / "b")};
  argv.insert(argv.end(), args.begin(), args.end());
  return imagelint(argv).out;
}

fixture::RecipeEntry at(fixture::RecipeEntry e, int64_t mtime) {
  e.mtime = mtime;
  return e;
}

}  // namespace

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

TEST(Diff, SkopeoCopyToDockerArchiveIsNotIdenticalButHasNoFileChanges) {
  if (!have("skopeo")) GTEST_SKIP() << "skopeo is not installed";
  TempDir t;
  fixture::write_oci({image({file("etc/a", "a\n")})}, t / "a");
  Result c = run({"skopeo", "copy", "--quiet", "oci:" + (t / "a") + ":latest", "docker-archive:" + (t / "b.tar") + ":x/y:latest"});
  ASSERT_EQ(c.code, 0) << c.err;
  DiffRun d = diff_refs("oci:" + (t / "a"), "docker-archive:" + (t / "b.tar"));
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.j["verdict"], "identical");
  EXPECT_EQ(d.j["summary"]["added"], 0);
  EXPECT_EQ(d.j["summary"]["removed"], 0);
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
  DiffRun d = diff(image({at(file("usr/share/a", "a\n"), 1700000000), at(dir("usr/share/d"), 1700000000)}),
                   image({at(file("usr/share/a", "a\n"), 1700086400), at(dir("usr/share/d"), 1700086400)}));
  EXPECT_EQ(d.code, 0) << d.j.dump(2);
  EXPECT_EQ(d.j["verdict"], "reproducible");
  EXPECT_EQ(d.change("usr/share/a")["category"], "timestamps");
  EXPECT_EQ(d.j["summary"]["by_category"]["timestamps"], 2);
  bool hinted = false;
  for (auto& h : d.j["hints"]) hinted = hinted || h.get<std::string>().find("2 entries differ only in mtime") == 0;
  EXPECT_TRUE(hinted) << d.j["hints"].dump(2);
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

TEST(Diff, ShadowLastChangeIsNoiseButAPasswordIsNot) {
  auto shadow = [](const std::string& text) { return file("etc/shadow", text, 0); };
  DiffRun same = diff(image({shadow("root:*:19000:0:99999:7:::\nsvc:!:19000::::::\n")}),
                      image({shadow("root:*:20417:0:99999:7:::\nsvc:!:20417::::::\n")}));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change("etc/shadow")["category"], "account-dates");
  DiffRun pw = diff(image({shadow("root:*:19000:0:99999:7:::\n")}), image({shadow("root:$6$x$y:19000:0:99999:7:::\n")}));
  EXPECT_EQ(pw.code, 1);
  EXPECT_EQ(pw.change("etc/shadow")["category"], "unexplained");
  EXPECT_FALSE(pw.change("etc/shadow").contains("unified_diff"));  // mode 0000: never shown
}

TEST(Diff, PycHeaderMtimeIsNoise) {
  // CPython 3.12 header: magic, flags 0, source mtime, source size; then the marshalled code.
  auto pyc = [](uint32_t mtime, const std::string& code) {
    std::string h("\xcb\x0d\x0d\x0a\0\0\0\0", 8);
    for (int i = 0; i < 4; ++i) h += static_cast<char>((mtime >> (8 * i)) & 0xff);
    h += std::string("\x10\0\0\0", 4);
    return h + code;
  };
  std::string path = "usr/lib/python3.12/__pycache__/m.cpython-312.pyc";
  auto mk = [&](const std::string& bytes) {
    return image({dir("usr/lib"), dir("usr/lib/python3.12"), dir("usr/lib/python3.12/__pycache__"), file(path, bytes)});
  };
  DiffRun same = diff(mk(pyc(1700000000, "\xe3" "code")), mk(pyc(1700086400, "\xe3" "code")));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change(path)["category"], "python-bytecode");
  DiffRun other = diff(mk(pyc(1700000000, "\xe3" "code")), mk(pyc(1700086400, "\xe3" "CODE")));
  EXPECT_EQ(other.code, 1);
  EXPECT_EQ(other.change(path)["category"], "unexplained");
  EXPECT_EQ(other.change(path)["note"], "differs in substance (pyc normaliser)");
}

TEST(Diff, GzipHeadersFromRealGzipAreNoise) {
  if (!have("gzip")) GTEST_SKIP() << "gzip is not installed";
  TempDir t;
  write_file(t / "changelog", std::string(5000, 'x') + "release notes\n");
  auto gz = [&](const std::string& when, const std::string& name, const std::string& level) {
    Result r = run({"sh", "-c", "cd '" + t.path() + "' && touch -d @" + when + " changelog && gzip " + level +
                                    " -c changelog > " + name});
    EXPECT_EQ(r.code, 0) << r.err;
    return read_file(t / name);
  };
  std::string a = gz("1700000000", "a.gz", "-6"), b = gz("1700086400", "b.gz", "-9");
  ASSERT_NE(a, b);  // the header's mtime differs: the bytes do
  auto mk = [](const std::string& bytes) {
    return image({dir("usr/share/doc"), dir("usr/share/doc/app"), file("usr/share/doc/app/changelog.gz", bytes)});
  };
  DiffRun same = diff(mk(a), mk(b));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change("usr/share/doc/app/changelog.gz")["category"], "compression");
  EXPECT_EQ(same.j["layers"]["read_again"], 2);  // the layer holding it, in A and in B
  write_file(t / "changelog", "other notes\n");
  DiffRun other = diff(mk(a), mk(gz("1700000000", "c.gz", "-6")));
  EXPECT_EQ(other.code, 1);
  EXPECT_EQ(other.change("usr/share/doc/app/changelog.gz")["category"], "unexplained");
}

TEST(Diff, InitramfsFromRealCpioWithEarlyMicrocodeIsNoiseAcrossMtimes) {
  if (!have("bsdcpio") || !have("gzip")) GTEST_SKIP() << "bsdcpio or gzip is not installed";
  TempDir t;
  auto build = [&](const std::string& when, const std::string& init, const std::string& out) {
    std::string script =
        "set -e; cd '" + t.path() + "'; rm -rf early main; mkdir -p early/kernel/x86/microcode main/usr/bin; "
        "printf 'ucode' > early/kernel/x86/microcode/GenuineIntel.bin; printf '" + init + "' > main/init; "
        "printf 'sh' > main/usr/bin/sh; find early main -exec touch -h -d @" + when + " {} +; "
        "(cd early && find . | sort | bsdcpio -o -H newc --quiet) > " + out + "; "
        "(cd main && find . | sort | bsdcpio -o -H newc --quiet) | gzip -n >> " + out;
    Result r = run({"sh", "-c", script});
    EXPECT_EQ(r.code, 0) << r.err;
    return read_file(t / out);
  };
  std::string a = build("1700000000", "#!/bin/sh", "a.img"), b = build("1700086400", "#!/bin/sh", "b.img");
  ASSERT_NE(a, b);
  std::string path = "usr/lib/modules/6.12.0-55.el10.x86_64/initramfs.img";
  auto mk = [&](const std::string& bytes) {
    return image({dir("usr/lib"), dir("usr/lib/modules"), dir("usr/lib/modules/6.12.0-55.el10.x86_64"), file(path, bytes)});
  };
  DiffRun same = diff(mk(a), mk(b));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change(path)["category"], "initramfs");
  EXPECT_EQ(same.j["layers"]["read_again"], 0);  // an "early" rule: normalised in the first pass
  DiffRun other = diff(mk(a), mk(build("1700000000", "#!/bin/bash", "c.img")));
  EXPECT_EQ(other.code, 1);
  EXPECT_EQ(other.change(path)["category"], "unexplained");
}

TEST(Diff, KernelModulesDifferingOnlyInTheirSignatureAreNoise) {
  std::string body = fixture::make_kmod({{"name", "zfs"}, {"version", "2.2.7"}, {"vermagic", "6.12.0 SMP mod_unload"}}, false, "none");
  auto signed_with = [&](const std::string& sig) {
    std::string s = body + sig;
    // struct module_signature: algo, hash, id_type (2 = PKCS#7), signer_len, key_id_len, pad[3], be32 sig_len
    s += std::string("\0\0\x02\0\0\0\0\0", 8);
    uint32_t n = static_cast<uint32_t>(sig.size());
    for (int i = 3; i >= 0; --i) s += static_cast<char>((n >> (8 * i)) & 0xff);
    return s + "~Module signature appended~\n";
  };
  std::string path = "usr/lib/modules/6.12.0/extra/zfs.ko";
  auto mk = [&](const std::string& bytes) {
    return image({dir("usr/lib"), dir("usr/lib/modules"), dir("usr/lib/modules/6.12.0"), dir("usr/lib/modules/6.12.0/extra"),
                  file(path, bytes)});
  };
  DiffRun same = diff(mk(signed_with(std::string(300, 'a'))), mk(signed_with(std::string(290, 'b'))));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change(path)["category"], "module-signatures");
  std::string other_body = fixture::make_kmod({{"name", "zfs"}, {"version", "2.2.8"}, {"vermagic", "6.12.0 SMP mod_unload"}}, false, "none");
  DiffRun other = diff(mk(signed_with(std::string(300, 'a'))), mk(other_body));
  EXPECT_EQ(other.code, 1);
  // Signing that silently failed is drift: Secure Boot would refuse the module.
  DiffRun unsigned_b = diff(mk(signed_with(std::string(300, 'a'))), mk(body));
  EXPECT_EQ(unsigned_b.code, 1);
  EXPECT_EQ(unsigned_b.change(path)["category"], "unexplained");
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
  r = imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "a"), "--format", "html"});
  EXPECT_EQ(r.code, 2);
}

TEST(Diff, UmociPackingOneDirectoryTwiceAfterTouchingMtimesIsNoise) {
  if (!have("umoci")) GTEST_SKIP() << "umoci is not installed";
  TempDir t;
  fs::create_directories(t / "src/etc/app");
  write_file(t / "src/etc/app/app.conf", "listen = 8080\n");
  write_file(t / "src/etc/app/motd", "hello\n");
  auto pack = [&](const std::string& layout, const std::string& when) {
    Result touch = run({"sh", "-c", "find '" + (t / "src") + "' -exec touch -h -d @" + when + " {} +"});
    ASSERT_EQ(touch.code, 0) << touch.err;
    ASSERT_EQ(run({"umoci", "init", "--layout", layout}).code, 0);
    ASSERT_EQ(run({"umoci", "new", "--image", layout + ":t"}).code, 0);
    Result ins = run({"umoci", "insert", "--image", layout + ":t", t / "src", "/"});
    ASSERT_EQ(ins.code, 0) << ins.err;
  };
  pack(t / "a", "1700000000");
  pack(t / "b", "1700086400");
  DiffRun d = diff_refs("oci:" + (t / "a") + ":t", "oci:" + (t / "b") + ":t");
  EXPECT_EQ(d.code, 0) << d.j.dump(2);
  EXPECT_EQ(d.j["verdict"], "reproducible");
  EXPECT_GE(d.j["summary"]["by_category"]["timestamps"].get<int>(), 3);
  EXPECT_EQ(d.change("etc/app/app.conf")["attributes"], json({"mtime"}));
  // The text report: verdict first, then the hint.
  Result text = imagelint({"diff", "oci:" + (t / "a") + ":t", "oci:" + (t / "b") + ":t"});
  auto l = lines(text.out);
  ASSERT_FALSE(l.empty());
  EXPECT_EQ(l[0].rfind("imagelint diff: reproducible", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("differ only in mtime: the build does not clamp timestamps"), std::string::npos) << text.out;
}

TEST(Diff, RpmDatabasesFromRealRpmSamePackagesAreNoiseAnUpgradeIsNamed) {
  if (!have("rpm") || !have("rpmbuild")) GTEST_SKIP() << "rpm or rpmbuild is not installed";
  TempDir t;
  auto pkg = [](const std::string& name, const std::string& version, const std::string& data) {
    return RpmPkg{name, version, "1.el10",
                  "mkdir -p %{buildroot}/usr/share/" + name + "\necho " + data + " > %{buildroot}/usr/share/" + name + "/data",
                  "/usr/share/" + name + "/data"};
  };
  std::vector<std::string> v1 = build_rpms(t, {pkg("kmod-zfs", "2.2.7", "old"), pkg("tools", "1.0", "t")});
  std::vector<std::string> v2 = build_rpms(t, {pkg("kmod-zfs", "2.2.8", "new")});
  std::string db1 = install_rpmdb(t / "db1", v1);
  run({"sleep", "1.1"});  // another install time
  std::string db2 = install_rpmdb(t / "db2", v1);
  std::string db3 = install_rpmdb(t / "db3", {v2[0], v1[1]});
  ASSERT_NE(db1, db2);
  auto mk = [](const std::string& db, const std::string& zfs_data) {
    return image({dir("usr/lib"), dir("usr/lib/sysimage"), dir("usr/lib/sysimage/rpm"),
                  file("usr/lib/sysimage/rpm/rpmdb.sqlite", db), dir("usr/share/kmod-zfs"),
                  file("usr/share/kmod-zfs/data", zfs_data), dir("usr/share/tools"), file("usr/share/tools/data", "t\n")});
  };
  DiffRun same = diff(mk(db1, "old\n"), mk(db2, "old\n"));
  EXPECT_EQ(same.code, 0) << same.j.dump(2);
  EXPECT_EQ(same.change("usr/lib/sysimage/rpm/rpmdb.sqlite")["category"], "package-database");
  bool hinted = false;
  for (auto& h : same.j["hints"]) hinted = hinted || h.get<std::string>().find("rpmdb differs only in install times") == 0;
  EXPECT_TRUE(hinted) << same.j["hints"].dump(2);

  DiffRun up = diff(mk(db1, "old\n"), mk(db3, "new\n"));
  EXPECT_EQ(up.code, 1);
  ASSERT_EQ(up.j["packages"]["changed"].size(), 1u) << up.j["packages"].dump(2);
  EXPECT_EQ(up.j["packages"]["changed"][0]["name"], "kmod-zfs");
  EXPECT_EQ(up.j["packages"]["changed"][0]["a"], "2.2.7-1.el10");
  EXPECT_EQ(up.j["packages"]["changed"][0]["b"], "2.2.8-1.el10");
  json data = up.change("usr/share/kmod-zfs/data");
  EXPECT_EQ(data["category"], "packages");
  EXPECT_EQ(data["explained_by"], "kmod-zfs 2.2.7-1.el10 → 2.2.8-1.el10");
  EXPECT_EQ(up.change("usr/lib/sysimage/rpm/rpmdb.sqlite")["category"], "packages");
  EXPECT_EQ(up.j["summary"]["by_category"].value("unexplained", 0), 0) << up.j["changes"].dump(2);
  for (auto& h : up.j["hints"]) EXPECT_EQ(h.get<std::string>().find("rpmdb differs only"), std::string::npos) << h;
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
  imagelint({"diff", "oci:" + (t / "a"), "oci:" + (t / "b")});
  EXPECT_EQ(snapshot(t.path()), before);
}
