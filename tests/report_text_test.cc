// What a person reads: a finding below its rule's severity (the rootful API socket), the text
// report of a real-sized image (a few rows per rule, counts, --all), and names printed as they are
// (a systemd name with a backslash pastes back into cat; ls -z for scripts).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_report_text_test {

using namespace testing_util;
using fixture::file;

Result run_today(std::vector<std::string> args) {
  std::vector<std::string> argv{"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

// The rpm database of the good instance (zfs and nvidia-driver, which its modules pair with),
// written once by Debian's rpm.
const std::string& packages_db() {
  static const std::string db = [] {
    TempDir d;
    return make_rpmdb(d, {{"zfs", "2.2.7", "1.el10", "mkdir -p %{buildroot}/usr/sbin && echo z > %{buildroot}/usr/sbin/zfs", "/usr/sbin/zfs"},
                          {"nvidia-driver", "570.124.06", "1.el10", "mkdir -p %{buildroot}/usr/bin && echo n > %{buildroot}/usr/bin/nvidia-smi", "/usr/bin/nvidia-smi"}});
  }();
  return db;
}

// The good instance image, its package database and one more layer of entries.
fixture::Recipe instance(std::vector<fixture::RecipeEntry> extra) {
  extra.push_back(file("usr/share/rpm/rpmdb.sqlite", packages_db()));
  return good_instance_plus({extra});
}

std::string write_image(const TempDir& d, const fixture::Recipe& r) {
  fixture::write_oci({r}, d / "oci");
  return d / "oci";
}

const fixture::RecipeEntry kSocketEnabled =
    fixture::symlink("etc/systemd/system/sockets.target.wants/podman.socket", "/usr/lib/systemd/system/podman.socket");

TEST(ApiSocket, IsAWarningInsideTheErrorLevelRule) {
  TempDir d;
  std::string img = write_image(d, instance({kSocketEnabled}));
  Result res = run_today({"check", img, "--format", "json", "--output", d / "c.json", "--format", "text", "--output", "-"});
  EXPECT_EQ(res.code, 0) << res.out << res.err;  // a warning does not fail the default gate
  auto j = nlohmann::json::parse(read_file(d / "c.json"));
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["findings"][0]["rule"], "units-rootless");
  EXPECT_EQ(j["findings"][0]["severity"], "warning");
  EXPECT_EQ(j["summary"]["warning"], 1);
  EXPECT_EQ(j["summary"]["error"], 0);
  EXPECT_NE(res.out.find("warning (1)\n  units-rootless (1)"), std::string::npos) << res.out;
  EXPECT_EQ(run_today({"check", img, "--fail-on", "warning"}).code, 1);

  // The rule's own severity still bounds it: a site pack that makes the rule info gets info.
  write_file(d / "site.json", R"({"name": "site", "rules": [{"id": "units-rootless", "severity": "info"}]})");
  auto info = check_image(instance({kSocketEnabled}), {"--rules", d / "site.json"});
  ASSERT_EQ(info.of("units-rootless").size(), 1u) << info.dump();
  EXPECT_EQ(info.of("units-rootless")[0]["severity"], "info");
  // ... and the pack decides the socket's own level.
  write_file(d / "strict.json", R"({"name": "s", "rules": [{"id": "units-rootless", "params": {"api_socket_severity": "error"}}]})");
  auto strict = check_image(instance({kSocketEnabled}), {"--rules", d / "strict.json"});
  EXPECT_EQ(strict.code, 1);
  write_file(d / "bad.json", R"({"name": "b", "rules": [{"id": "units-rootless", "params": {"api_socket_severity": "loud"}}]})");
  Result bad = run_today({"check", img, "--rules", d / "bad.json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("api_socket_severity must be error, warning or info"), std::string::npos) << bad.err;
}

// An instance image as a Debian build leaves it: hundreds of files under var, logs, a socket.
fixture::Recipe noisy_image() {
  std::vector<fixture::RecipeEntry> l;
  l.push_back(fixture::dir("var/cache/apt"));
  for (int i = 0; i < 400; ++i) l.push_back(file("var/cache/apt/archives/pkg" + std::to_string(i) + ".deb", "x"));
  for (int i = 0; i < 300; ++i) l.push_back(file("var/lib/dpkg/info/pkg" + std::to_string(i) + ".list", "x"));
  for (int i = 0; i < 6; ++i) l.push_back(file("var/log/apt/log" + std::to_string(i), "log"));
  for (int i = 0; i < 19; ++i) l.push_back(file("run/lock/f" + std::to_string(i), ""));
  l.push_back(kSocketEnabled);
  return instance(l);
}

TEST(CheckText, ManyFindingsFitOnAScreenPerRule) {
  TempDir d;
  std::string img = write_image(d, noisy_image());
  Result json = run_today({"check", img, "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;  // only warnings
  auto j = nlohmann::json::parse(json.out);
  size_t tmpfiles = 0;
  for (auto& f : j["findings"]) tmpfiles += f["rule"] == "var-tmpfiles";
  EXPECT_GT(tmpfiles, 700u);  // JSON lists every finding

  Result text = run_today({"check", img});
  EXPECT_EQ(text.code, 0);
  auto ls = lines(text.out);
  EXPECT_LT(ls.size(), 80u) << text.out;
  // Each rule's block is at most a screen: 5 rows of at most 3 lines, a header and a "more" line.
  size_t block = 0, longest = 0;
  for (auto& l : ls) {
    if (l.starts_with("  ") && !l.starts_with("   ")) block = 0;
    longest = std::max(longest, ++block);
  }
  EXPECT_LE(longest, 17u) << text.out;
  EXPECT_NE(text.out.find("  var-tmpfiles (" + std::to_string(tmpfiles) + ")"), std::string::npos) << text.out;
  // var/cache is a finding itself (no tmpfiles.d entry): it speaks for the 402 below it.
  EXPECT_NE(text.out.find("    var/cache  (403 findings here and below)\n      var/cache has no tmpfiles.d entry"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("    var/lib  (303 findings here and below)"), std::string::npos) << text.out;
  // A directory that is no finding itself shows one of the findings below it.
  EXPECT_NE(text.out.find("    var/log/apt  (6 findings here and below)\n      e.g. var/log/apt/log0 is a non-empty log file"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" more (--all lists every finding; --format json too)"), std::string::npos) << text.out;
  // The summary counts findings per rule, most first.
  EXPECT_NE(text.out.find("warnings (var-tmpfiles " + std::to_string(tmpfiles)), std::string::npos) << ls.back();
  EXPECT_NE(ls.back().find("units-rootless 1"), std::string::npos) << ls.back();
  EXPECT_NE(ls.back().find(": passed"), std::string::npos) << ls.back();

  Result all = run_today({"check", img, "--all"});
  EXPECT_GT(lines(all.out).size(), 2 * tmpfiles) << "--all lists every finding";
  EXPECT_EQ(all.out.find("more (--all"), std::string::npos);
}

TEST(Names, PrintableNamesPrintByteForByteAndPasteBack) {
  const std::string slice = "usr/lib/systemd/system/system-systemd\\x2dcryptsetup.slice";
  TempDir d;
  std::string img = write_image(d, instance({file(slice, "[Unit]\n", 0666)}));
  Result ls = run_today({"ls", img, "usr/lib/systemd/system"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  auto names = lines(ls.out);
  ASSERT_NE(std::find(names.begin(), names.end(), slice), names.end()) << ls.out;
  Result cat = run_today({"cat", img, slice});  // pasted back as printed
  EXPECT_EQ(cat.code, 0) << cat.err;
  EXPECT_EQ(cat.out, "[Unit]\n");
  // check and diff text print it the same way.
  Result check = run_today({"check", img});
  EXPECT_NE(check.out.find("    " + slice + "\n"), std::string::npos) << check.out;  // world-writable
  TempDir before;
  Result diff = run_today({"diff", write_image(before, instance({})), img});
  EXPECT_NE(diff.out.find(slice), std::string::npos) << diff.out;
  EXPECT_EQ(diff.out.find("\\x5c"), std::string::npos) << diff.out;

  // -z: NUL-terminated raw names, for xargs -0.
  Result z = run_today({"ls", img, "usr/lib/systemd/system", "-z"});
  EXPECT_NE(z.out.find(std::string("\0", 1) + slice + std::string("\0", 1)), std::string::npos);
  EXPECT_EQ(z.out.find('\n'), std::string::npos);
  Result zl = run_today({"ls", img, slice, "--long", "--null"});
  EXPECT_TRUE(zl.out.ends_with(" " + slice + std::string("\0", 1))) << zl.out;
}

// Control bytes and invalid UTF-8 are the only escapes (a dir: root, where the kernel takes any
// bytes in a name).
TEST(Names, ControlBytesAndInvalidUtf8AreEscapedExactlyWithZ) {
  TempDir d;
  fixture::write_rootfs(recipe("good-instance"), d / "root");
  write_file(d / "root/etc/new\nline", "x");
  write_file(d / "root/etc/bad\xff", "x");
  write_file(d / "root/etc/caf\xc3\xa9", "x");
  Result ls = run_today({"ls", "dir:" + (d / "root"), "etc"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  EXPECT_NE(ls.out.find("etc/new\\x0aline\n"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("etc/bad\\xff\n"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("etc/caf\xc3\xa9\n"), std::string::npos) << ls.out;  // valid UTF-8 as it is
  Result z = run_today({"ls", "dir:" + (d / "root"), "etc", "-z"});
  EXPECT_NE(z.out.find(std::string("etc/new\nline\0", 13)), std::string::npos);
  EXPECT_NE(z.out.find(std::string("etc/bad\xff\0", 9)), std::string::npos);
}

}  // namespace e2e_report_text_test

namespace e2e_report_text_test {

TEST(Names, InspectTextEscapesWhatTheImageSays) {
  fixture::Recipe r = instance({});
  r.labels["org.example.evil"] = "\x1b]0;owned\x07\x1b[2J";
  r.labels["org.example.lines"] = "a\n  policy:        signed";  // no line the image did not earn
  r.layers.back().created_by = "RUN echo \x1b[31mred";
  TempDir d;
  Result res = run_today({"inspect", write_image(d, r)});
  ASSERT_EQ(res.code, 0) << res.err;
  EXPECT_EQ(res.out.find('\x1b'), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("org.example.evil=\\x1b]0;owned\\x07\\x1b[2J"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("RUN echo \\x1b[31mred"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("org.example.lines=a\\x0a  policy:        signed"), std::string::npos) << res.out;
  for (auto& l : lines(res.out)) EXPECT_FALSE(l.starts_with("  policy:        signed")) << res.out;
}

}  // namespace e2e_report_text_test

namespace e2e_report_text_test {

// The progress line: on stderr only when it is a terminal (forced here with
// IMAGELINT_PROGRESS=always, as a pty would), never with --quiet, erased before the report.
TEST(Progress, ShownOnATerminalOnlyAndNeverWithQuiet) {
  TempDir d;
  std::string img = write_image(d, instance({}));
  Result plain = run_today({"ls", img});
  EXPECT_EQ(plain.code, 0);
  EXPECT_EQ(plain.err, "");  // not a terminal: silent
  Result forced = run({"env", "IMAGELINT_PROGRESS=always", IMAGELINT_BIN, "ls", img});
  EXPECT_EQ(forced.code, 0);
  EXPECT_NE(forced.err.find("imagelint: layer "), std::string::npos) << forced.err;
  EXPECT_NE(forced.err.find(" of "), std::string::npos) << forced.err;
  EXPECT_TRUE(forced.err.ends_with("\r\x1b[K")) << "the line is erased";
  EXPECT_EQ(forced.out, plain.out);  // stdout untouched
  for (auto& args : std::vector<std::vector<std::string>>{{"ls", img, "--quiet"}, {"-q", "ls", img}}) {
    std::vector<std::string> argv{"env", "IMAGELINT_PROGRESS=always", IMAGELINT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    Result quiet = run(argv);
    EXPECT_EQ(quiet.code, 0) << quiet.err;
    EXPECT_EQ(quiet.err, "");
  }
  // An error is one clean line, the progress line erased before it.
  Result err = run({"env", "IMAGELINT_PROGRESS=always", IMAGELINT_BIN, "cat", img, "no/such/file"});
  EXPECT_EQ(err.code, 2);
  EXPECT_NE(err.err.find("\r\x1b[Kimagelint: "), std::string::npos) << err.err;
}

}  // namespace e2e_report_text_test
