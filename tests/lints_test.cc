// bootc `container lint` parity, end to end through the binary: for every lint, the good
// instance image passes it and a variant with one more layer fails it (or, for lints about what
// is missing, a variant that removes what the lint needs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_lints_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

using fixture::dir;
using fixture::file;
using fixture::symlink;
using fixture::whiteout;

// The good instance image plus one layer with extra entries, checked with bootc-base.
CheckRun lint(const std::vector<fixture::RecipeEntry>& extra) {
  CheckRun out = check_image(good_instance_plus(extra.empty() ? std::vector<std::vector<fixture::RecipeEntry>>{}
                                                              : std::vector<std::vector<fixture::RecipeEntry>>{extra}),
                             {"--rules", "bootc-base"});
  EXPECT_TRUE(out.code == 0 || out.code == 1) << out.err;
  return out;
}

bool has(const std::vector<nlohmann::json>& fs, const std::string& path, const std::string& needle) {
  for (auto& f : fs)
    if (f["path"] == path && f["message"].get<std::string>().find(needle) != std::string::npos) return true;
  return false;
}

const std::set<std::string> kFatal = {"var-run", "etc-usretc", "bootc-kargs", "utf8", "api-base-directories", "baseimage-root"};

// bootc's fatal lints are errors, its warnings warnings; r has at least one finding of sev.
void expect_severity(const CheckRun& r, const std::string& sev) {
  int n = 0;
  for (auto& f : r.j["findings"]) {
    std::string rule = f["rule"];
    if (rule.starts_with("kmod-")) continue;  // no rpm database in these images
    EXPECT_EQ(f["severity"], kFatal.count(rule) ? "error" : "warning") << f.dump();
    if (f["severity"] == sev) ++n;
  }
  EXPECT_GT(n, 0);
}

const char* kLints[] = {"var-run", "etc-usretc", "bootc-kargs", "utf8", "api-base-directories", "baseimage-root",
                        "baseimage-composefs", "var-log", "var-tmpfiles", "sysusers", "nonempty-boot",
                        "nonempty-run-tmp", "buildah-injected"};

TEST(Lint, GoodImagePassesEveryLint) {
  CheckRun r = lint({});  // (without an rpm database kmod-version fires: not ours)
  for (const char* id : kLints) EXPECT_TRUE(r.of(id).empty()) << id << r.dump();
  Result rules = imagelint({"rules", "--rules", "bootc-base"});
  for (const char* id : kLints) EXPECT_NE(rules.out.find(std::string(id) + " "), std::string::npos) << id;
}

TEST(Lint, Levels) {
  Result rules = imagelint({"rules", "--rules", "bootc-base"});
  ASSERT_EQ(rules.code, 0) << rules.err;
  std::map<std::string, std::string> line_of;  // rule id -> its line
  for (const std::string& l : lines(rules.out)) line_of[l.substr(0, l.find(' '))] = l;
  for (const char* fatal : {"var-run", "etc-usretc", "bootc-kargs", "utf8", "api-base-directories", "baseimage-root"}) {
    ASSERT_TRUE(line_of.count(fatal)) << fatal << " is not listed:\n" << rules.out;
    EXPECT_NE(line_of[fatal].find(" error "), std::string::npos) << line_of[fatal];
  }
  for (const char* warn : {"baseimage-composefs", "var-log", "var-tmpfiles", "sysusers", "nonempty-boot", "nonempty-run-tmp",
                           "buildah-injected"}) {
    ASSERT_TRUE(line_of.count(warn)) << warn << " is not listed:\n" << rules.out;
    EXPECT_NE(line_of[warn].find(" warning "), std::string::npos) << line_of[warn];
  }
}

TEST(Lint, VarRun) {
  EXPECT_TRUE(lint({symlink("var/run", "../run")}).of("var-run").empty());
  CheckRun r = lint({dir("var/run")});
  EXPECT_TRUE(has(r.of("var-run"), "var/run", "not a symlink")) << r.dump();
  expect_severity(r, "error");
}

TEST(Lint, EtcUsretc) {
  EXPECT_TRUE(lint({file("etc/motd", "hi\n")}).of("etc-usretc").empty());
  CheckRun r = lint({file("usr/etc/motd", "hi\n")});
  EXPECT_TRUE(has(r.of("etc-usretc"), "usr/etc", "beside etc")) << r.dump();
  expect_severity(r, "error");
}

TEST(Lint, BootcKargs) {
  CheckRun ok = lint({file("usr/lib/bootc/kargs.d/10-console.toml",
                      "# serial console\nkargs = [\"console=ttyS0,115200n8\", 'nosmt', \"a\\u00e9\",]\n"
                      "match-architectures = [\n  \"x86_64\", # intel\n  \"aarch64\"\n]\n"),
                 // multi-line strings (TOML 1.0, read by toml++) are as valid as bootc finds them
                 file("usr/lib/bootc/kargs.d/20-multi.toml", "kargs = [\n  \"\"\"\nconsole=tty0\"\"\",\n  \'\'\'nosmt\'\'\',\n]\n"),
                 file("usr/lib/bootc/kargs.d/README", "not toml, ignored")});
  EXPECT_TRUE(ok.of("bootc-kargs").empty()) << ok.dump();
  const std::string d = "usr/lib/bootc/kargs.d/";
  CheckRun r = lint({file(d + "01-unknown.toml", "kargs = [\"a\"]\nfoo = \"bar\"\n"),
                file(d + "02-missing.toml", "match-architectures = [\"x86_64\"]\n"),
                file(d + "03-type.toml", "kargs = \"quiet\"\n"),
                file(d + "04-table.toml", "[kargs]\nx = 1\n"),
                file(d + "05-unterminated.toml", "kargs = [\"quiet\n"),
                file(d + "06-dup.toml", "kargs = []\nkargs = []\n"),
                file(d + "07-arch.toml", "kargs = [\"quiet\"]\nmatch-architectures = [\"amd64\"]\n"),
                file(d + "08-good.toml", "kargs = [\"quiet\"]\n")});
  auto f = r.of("bootc-kargs");
  EXPECT_TRUE(has(f, d + "01-unknown.toml", "line 2: unknown key 'foo'")) << r.dump();
  EXPECT_TRUE(has(f, d + "02-missing.toml", "missing key 'kargs'")) << r.dump();
  EXPECT_TRUE(has(f, d + "03-type.toml", "must be a list of strings")) << r.dump();
  EXPECT_TRUE(has(f, d + "04-table.toml", "table")) << r.dump();
  EXPECT_TRUE(has(f, d + "05-unterminated.toml", "line 1, column 16: Error while parsing string")) << r.dump();
  EXPECT_TRUE(has(f, d + "06-dup.toml", "line 2, column 9: Error while parsing key-value pair: cannot redefine existing array 'kargs'")) << r.dump();
  EXPECT_TRUE(has(f, d + "07-arch.toml", "'amd64'")) << r.dump();
  EXPECT_EQ(f.size(), 7u) << r.dump();  // every bad file, and the run went on
  expect_severity(r, "error");
  // kargs.d that is not a directory
  CheckRun nd = lint({file("usr/lib/bootc/kargs.d", "x")});
  EXPECT_TRUE(has(nd.of("bootc-kargs"), "usr/lib/bootc/kargs.d", "not a directory")) << nd.dump();
}

// libarchive's writer refuses names that are not valid in the locale, so this image is an
// unpacked root (dir: transport) with the names made by the kernel, which takes any bytes.
CheckRun lint_rootfs(const std::vector<std::pair<std::string, std::string>>& files,
                    const std::vector<std::pair<std::string, std::string>>& links) {
  TempDir d;
  fixture::write_rootfs(recipe("good-instance"), d / "root");
  for (auto& [p, content] : files) {
    std::string full = d / ("root/" + p);
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    write_file(full, content);
  }
  for (auto& [p, target] : links) EXPECT_EQ(::symlink(target.c_str(), (d / ("root/" + p)).c_str()), 0) << p;
  Result res = imagelint({"check", "dir:" + (d / "root"), "--rules", "bootc-base", "--format", "json"});
  CheckRun out;
  out.code = res.code;
  EXPECT_TRUE(res.code == 0 || res.code == 1) << res.err;
  if (res.code != 2) out.j = nlohmann::json::parse(res.out);
  return out;
}

TEST(Lint, Utf8) {
  CheckRun ok = lint_rootfs({{"usr/share/doc/caf\xc3\xa9.txt", "x"}}, {});
  EXPECT_TRUE(ok.of("utf8").empty()) << ok.dump();
  CheckRun r = lint_rootfs({{"usr/share/doc/bad\xff/x.txt", "x"}}, {{"usr/share/doc/link", "target\xfe"}});
  auto f = r.of("utf8");
  EXPECT_TRUE(has(f, "usr/share/doc/bad\\xff", "non-UTF-8 file name")) << r.dump();
  EXPECT_TRUE(has(f, "usr/share/doc/link", "target is not UTF-8")) << r.dump();
  EXPECT_EQ(f.size(), 2u) << r.dump();  // the child of the bad directory is not reported again
  expect_severity(r, "error");
}

TEST(Lint, ApiBaseDirectories) {
  CheckRun r = lint({whiteout("proc"), file("sys", "not a dir")});
  auto f = r.of("api-base-directories");
  EXPECT_TRUE(has(f, "proc", "missing")) << r.dump();
  EXPECT_TRUE(has(f, "sys", "must be a directory")) << r.dump();
  expect_severity(r, "error");
}

TEST(Lint, BaseimageRoot) {
  CheckRun r = lint({whiteout("sysroot"), whiteout("ostree"), symlink("ostree", "/sysroot/ostree")});
  auto f = r.of("baseimage-root");
  EXPECT_TRUE(has(f, "sysroot", "missing sysroot")) << r.dump();
  EXPECT_TRUE(has(f, "ostree", "expected sysroot/ostree")) << r.dump();
  // The documented base root inside the image is checked too.
  CheckRun doc = lint({dir("usr/share/doc/bootc/baseimage/base/sysroot")});
  EXPECT_TRUE(has(doc.of("baseimage-root"), "usr/share/doc/bootc/baseimage/base/ostree", "missing symlink")) << doc.dump();
}

TEST(Lint, BaseimageComposefs) {
  // etc overrides usr/lib
  CheckRun off = lint({file("etc/ostree/prepare-root.conf", "[composefs]\nenabled = no\n")});
  EXPECT_TRUE(has(off.of("baseimage-composefs"), "etc/ostree/prepare-root.conf", "does not enable composefs")) << off.dump();
  expect_severity(off, "warning");
  CheckRun transient = lint({file("usr/lib/ostree/prepare-root.conf", "[composefs]\nenabled=no\n[root]\ntransient = true\n")});
  EXPECT_TRUE(transient.of("baseimage-composefs").empty()) << transient.dump();
  CheckRun bad = lint({file("usr/lib/ostree/prepare-root.conf", "composefs enabled\n")});
  EXPECT_TRUE(has(bad.of("baseimage-composefs"), "usr/lib/ostree/prepare-root.conf", "does not parse")) << bad.dump();
  CheckRun gone = lint({whiteout("usr/lib/ostree/prepare-root.conf")});
  EXPECT_TRUE(has(gone.of("baseimage-composefs"), "usr/lib/ostree/prepare-root.conf", "no prepare-root.conf")) << gone.dump();
}

TEST(Lint, VarLog) {
  CheckRun ok = lint({file("var/log/empty.log", ""), symlink("var/log/README", "../../usr/share/doc/README.logs")});
  EXPECT_TRUE(ok.of("var-log").empty()) << ok.dump();
  CheckRun r = lint({file("var/log/dnf5.log", "installed gcc\n")});
  EXPECT_TRUE(has(r.of("var-log"), "var/log/dnf5.log", "non-empty log file")) << r.dump();
  expect_severity(r, "warning");
}

TEST(Lint, VarTmpfiles) {
  CheckRun ok = lint({dir("var/lib/app"), symlink("var/run", "../run"),
                 file("usr/lib/tmpfiles.d/app.conf", "d /var/lib 0755 root root -\nd /var/lib/app 0755 root root -\nL /var/run - - - - ../run\n")});
  EXPECT_TRUE(ok.of("var-tmpfiles").empty()) << ok.dump();
  fixture::RecipeEntry owned = dir("var/lib/web");
  owned.uid = owned.gid = 1001;
  CheckRun r = lint({owned, file("var/lib/state.db", "x"), symlink("var/lib/current", "web"),
                // masked: its entries do not count
                file("usr/lib/tmpfiles.d/masked.conf", "d /var/lib/masked 0755 root root -\n"),
                symlink("etc/tmpfiles.d/masked.conf", "/dev/null"), dir("var/lib/masked")});
  auto f = r.of("var-tmpfiles");
  EXPECT_TRUE(has(f, "var/lib", "`d /var/lib 0755 root root - -`")) << r.dump();
  EXPECT_TRUE(has(f, "var/lib/web", "`d /var/lib/web 0755 web web - -`")) << r.dump();  // names from sysusers.d
  EXPECT_TRUE(has(f, "var/lib/state.db", "is a file in var")) << r.dump();
  EXPECT_TRUE(has(f, "var/lib/current", "`L /var/lib/current - - - - web`")) << r.dump();
  EXPECT_TRUE(has(f, "var/lib/masked", "no tmpfiles.d entry")) << r.dump();
  expect_severity(r, "warning");
}

TEST(Lint, Sysusers) {
  CheckRun ok = lint({file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nweb:x:1001:1001::/var/home/web:/sbin/nologin\n"),
                 file("etc/group", "root:x:0:\nweb:x:1001:\nwheel:x:10:\n"),
                 file("usr/lib/sysusers.d/basic.conf", "u root 0 \"Super User\" /root /bin/bash\n"),
                 file("usr/lib/group", "wheel:x:10:\n")});  // nss-altfiles
  EXPECT_TRUE(ok.of("sysusers").empty()) << ok.dump();
  CheckRun r = lint({file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\npostgres:x:26:26::/var/lib/pgsql:/bin/bash\n"),
                file("etc/group", "root:x:0:\npostgres:x:26:\n"),
                file("usr/lib/sysusers.d/basic.conf", "u root 0 \"Super User\" /root /bin/bash\n"),
                file("usr/lib/sysusers.d/broken.conf", "u\n")});
  auto f = r.of("sysusers");
  EXPECT_TRUE(has(f, "etc/passwd", "user postgres (uid 26)")) << r.dump();
  EXPECT_TRUE(has(f, "etc/group", "group postgres (gid 26)")) << r.dump();
  EXPECT_TRUE(has(f, "usr/lib/sysusers.d/broken.conf", "malformed")) << r.dump();
  expect_severity(r, "warning");
}

TEST(Lint, NonemptyBoot) {
  EXPECT_TRUE(lint({dir("boot/EFI")}).of("nonempty-boot").empty());
  CheckRun r = lint({file("boot/initramfs-6.12.0-55.el10.x86_64.img", "x"), file("boot/grub2/grub.cfg", "x")});
  auto f = r.of("nonempty-boot");
  EXPECT_TRUE(has(f, "boot/initramfs-6.12.0-55.el10.x86_64.img", "must be empty")) << r.dump();
  EXPECT_TRUE(has(f, "boot/grub2", "must be empty")) << r.dump();
  EXPECT_EQ(f.size(), 2u) << r.dump();  // top-level names only
  CheckRun gone = lint({whiteout("boot")});
  EXPECT_TRUE(has(gone.of("nonempty-boot"), "boot", "missing boot")) << gone.dump();
}

TEST(Lint, NonemptyRunTmp) {
  CheckRun ok = lint({file("run/systemd/resolve/stub-resolv.conf", "nameserver 10.0.0.1\n")});
  EXPECT_TRUE(ok.of("nonempty-run-tmp").empty()) << ok.dump();
  CheckRun r = lint({dir("run/dnf"), file("tmp/build.log", "x"), file("run/systemd/resolve/stub-resolv.conf", "x"),
                file("run/systemd/other", "x")});
  auto f = r.of("nonempty-run-tmp");
  EXPECT_TRUE(has(f, "run/dnf", "build litter")) << r.dump();
  EXPECT_TRUE(has(f, "tmp/build.log", "build litter")) << r.dump();
  EXPECT_TRUE(has(f, "run/systemd/other", "build litter")) << r.dump();
  EXPECT_TRUE(has(f, "run/systemd", "build litter")) << r.dump();  // it holds more than the known file
  EXPECT_FALSE(has(f, "run/systemd/resolve/stub-resolv.conf", "")) << r.dump();
  expect_severity(r, "warning");
}

TEST(Lint, BuildahInjected) {
  EXPECT_TRUE(lint({file("etc/hostname", "host1\n")}).of("buildah-injected").empty());
  CheckRun r = lint({file("etc/hostname", ""), file("etc/resolv.conf", "")});
  auto f = r.of("buildah-injected");
  EXPECT_TRUE(has(f, "etc/hostname", "empty file")) << r.dump();
  EXPECT_TRUE(has(f, "etc/resolv.conf", "empty file")) << r.dump();
  expect_severity(r, "warning");
}

TEST(Lint, WaiverByPathGlob) {
  TempDir d;
  write_file(d / "w.json", R"({"waivers": [{"rule": "var-log", "path": "var/log/*", "reason": "kept for audit", "expires": "2099-01-01"}]})");
  fixture::Recipe r = recipe("good-instance");
  fixture::RecipeLayer l;
  l.entries = {file("var/log/audit.log", "x")};
  r.layers.push_back(l);
  fixture::write_oci({r}, d / "oci");
  Result res = imagelint({"check", d / "oci", "--rules", "bootc-base", "--waivers", d / "w.json", "--format", "json"});
  auto j = nlohmann::json::parse(res.out);
  bool waived = false;
  for (auto& f : j["findings"])
    if (f["rule"] == "var-log") waived = f["waived"].get<bool>();
  EXPECT_TRUE(waived) << res.out;
}

}  // namespace e2e_lints_test
