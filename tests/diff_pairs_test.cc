// `imagelint diff` on pairs whose files differ in bytes but not in substance (noise) or in
// substance (drift), one pair per normaliser, and pairs written by real tools: umoci packing one
// directory twice, skopeo converting an image, Debian's rpm installing the same packages twice,
// gzip and bsdcpio run twice.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "diff_harness.h"

namespace e2e_diff_pairs_test {
using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace
using fixture::dir;
using fixture::file;
using fixture::hardlink;
using nlohmann::json;
namespace fs = std::filesystem;

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

}  // namespace e2e_diff_pairs_test
