// Hazards end to end through the binary: machine-id, ssh-host-keys and private-keys from the
// shipped pack, and the generic kinds users compose (file-content, json-pointer) from a user
// pack. Each on an image that passes and one that fails; findings filtered by rule.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_hazards_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

using fixture::file;
using fixture::symlink;
using fixture::whiteout;

const std::string kRsaKey =
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1bpH6O0Wn8bcvZ3uX2p\n-----END RSA PRIVATE KEY-----\n";
const std::string kOpensshKey =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";

// The good instance image plus one layer per entry list; `check --format json` on it.
CheckRun check(const std::vector<std::vector<fixture::RecipeEntry>>& layers, const std::vector<std::string>& args = {}) {
  CheckRun out = check_image(good_instance_plus(layers), args);
  EXPECT_TRUE(out.code == 0 || out.code == 1) << out.err;
  return out;
}

std::vector<std::string> paths(const std::vector<nlohmann::json>& fs) {
  std::vector<std::string> out;
  for (auto& f : fs) out.push_back(f["path"]);
  return out;
}

bool mentions(const nlohmann::json& f, const std::string& needle) {
  return f["message"].get<std::string>().find(needle) != std::string::npos;
}

TEST(HazardMachineId, EmptyUninitializedOrAbsentPassPopulatedFires) {
  EXPECT_TRUE(check({}).of("machine-id").empty());
  EXPECT_TRUE(check({{file("etc/machine-id", "")}}).of("machine-id").empty());
  EXPECT_TRUE(check({{file("etc/machine-id", "uninitialized\n")}}).of("machine-id").empty());
  CheckRun bad = check({{file("etc/machine-id", "4f1c0e7f3c2a4b5e9d8c7b6a5f4e3d2c\n")}});
  auto found = bad.of("machine-id");
  ASSERT_EQ(found.size(), 1u) << bad.j.dump(2);
  EXPECT_EQ(found[0]["path"], "etc/machine-id");
  EXPECT_EQ(found[0]["severity"], "warning");
  EXPECT_EQ(found[0]["layer"], 2);
  EXPECT_TRUE(mentions(found[0], "ship it empty")) << found[0].dump();
}

TEST(HazardSshHostKeys, HostKeysFireConfigDoesNot) {
  CheckRun good = check({{file("etc/ssh/sshd_config", "PermitRootLogin no\n"), file("etc/ssh/ssh_known_hosts", "x\n")}});
  EXPECT_TRUE(good.of("ssh-host-keys").empty());
  CheckRun bad = check({{file("etc/ssh/ssh_host_ed25519_key", kOpensshKey, 0600), file("etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAA\n")}});
  auto found = bad.of("ssh-host-keys");
  EXPECT_EQ(paths(found), (std::vector<std::string>{"etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_ed25519_key.pub"}));
  for (auto& f : found) EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(bad.code, 1);
  // Reported once: private-keys leaves host keys to this rule.
  EXPECT_TRUE(bad.of("private-keys").empty()) << bad.j.dump(2);
}

TEST(HazardPrivateKeys, KeysAnywhereFirePublicMaterialDoesNot) {
  static const char kElf[] = "\x7f" "ELF\0\0-----BEGIN RSA PRIVATE KEY-----\0";  // a string in a binary: not a line
  CheckRun good = check({{file("etc/pki/tls/certs/server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
                     file("etc/pki/tls/public.pem", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"),
                     file("usr/bin/tool", std::string(kElf, sizeof kElf - 1)),
                     file("usr/share/doc/openssl/test.key", kRsaKey)}});  // allowlisted
  EXPECT_TRUE(good.of("private-keys").empty()) << good.j.dump(2);
  CheckRun bad = check({{file("etc/pki/tls/private/server.key", kRsaKey, 0600), file("var/roothome/.ssh/id_ed25519", "\n" + kOpensshKey, 0600),
                    file("etc/app/config.yaml", "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcC\n")}});
  auto found = bad.of("private-keys");
  EXPECT_EQ(paths(found), (std::vector<std::string>{"etc/app/config.yaml", "etc/pki/tls/private/server.key", "var/roothome/.ssh/id_ed25519"}))
      << bad.j.dump(2);
  for (auto& f : found) {
    EXPECT_EQ(f["severity"], "error");
    EXPECT_EQ(f["layer"], 2);
  }
  EXPECT_EQ(bad.code, 1);
}

TEST(HazardPrivateKeys, AKeyDeletedByALaterWhiteoutDoesNotFire) {
  CheckRun r = check({{file("etc/pki/tls/private/build.key", kRsaKey), file("etc/pki/tls/private/kept.key", kRsaKey)},
                 {whiteout("etc/pki/tls/private/build.key")}});
  EXPECT_EQ(paths(r.of("private-keys")), (std::vector<std::string>{"etc/pki/tls/private/kept.key"})) << r.j.dump(2);
  // Overwritten with something else in a later layer: the final content decides.
  CheckRun o = check({{file("etc/secret.pem", kRsaKey)}, {file("etc/secret.pem", "placeholder, mounted at runtime\n")}});
  EXPECT_TRUE(o.of("private-keys").empty()) << o.j.dump(2);
}

TEST(HazardPrivateKeys, LargeFilesAreReadOnlyInTheirFirst64KiB) {
  const size_t five_mb = 5 << 20;
  std::string at_start = kRsaKey;
  at_start.resize(five_mb, 'x');
  // Documented limit (docs/rules/private-keys.md): a key that begins after the first 64 KiB of
  // a file is not looked for, e.g. one appended to a large archive or binary.
  std::string at_1mb(1 << 20, 'x');
  at_1mb += "\n" + kRsaKey;
  at_1mb.resize(five_mb, 'x');
  CheckRun r = check({{file("opt/data/big-start.bin", at_start), file("opt/data/big-1mb.bin", at_1mb)}});
  EXPECT_EQ(paths(r.of("private-keys")), (std::vector<std::string>{"opt/data/big-start.bin"})) << r.j.dump(2);
}

TEST(HazardFileContent, MustAndMustNotWithACap) {
  TempDir d;
  write_file(d / "site.json", R"({"name": "site", "rules": [
    {"id": "no-debug", "kind": "file-content", "severity": "warning", "summary": "No debug logging in app configs.",
     "params": {"paths": ["etc/app/.*\\.conf"], "mode": "must-not", "pattern": "(?m)^log_level\\s*=\\s*debug$", "max_bytes": 4096}},
    {"id": "sshd-no-root", "kind": "file-content", "severity": "error", "summary": "sshd forbids root login.",
     "params": {"paths": ["etc/ssh/sshd_config"], "mode": "must", "pattern": "(?m)^PermitRootLogin no$",
                "message": "root logs in with a console only"}}]})");
  std::vector<std::string> args{"--rules", d / "site.json"};
  CheckRun good = check({{file("etc/app/a.conf", "log_level = info\n"), file("etc/ssh/sshd_config", "Port 22\nPermitRootLogin no\n")}}, args);
  EXPECT_TRUE(good.of("no-debug").empty()) << good.j.dump(2);
  EXPECT_TRUE(good.of("sshd-no-root").empty()) << good.j.dump(2);

  std::string late(5000, '#');  // debug beyond the 4096-byte cap: not seen, and the finding says so
  late += "\nlog_level = debug\n";
  CheckRun bad = check({{file("etc/app/a.conf", "x = 1\nlog_level = debug\n"), file("etc/app/b.conf", late),
                    file("etc/app/c.txt", "log_level = debug\n"), file("etc/ssh/sshd_config", "PermitRootLogin yes\n" + late)}}, args);
  auto nd = bad.of("no-debug");
  EXPECT_EQ(paths(nd), (std::vector<std::string>{"etc/app/a.conf"})) << bad.j.dump(2);
  auto root = bad.of("sshd-no-root");
  ASSERT_EQ(root.size(), 1u) << bad.j.dump(2);
  EXPECT_EQ(root[0]["path"], "etc/ssh/sshd_config");
  EXPECT_EQ(root[0]["severity"], "error");
  EXPECT_TRUE(mentions(root[0], "does not contain")) << root[0].dump();
  EXPECT_TRUE(mentions(root[0], "root logs in with a console only")) << root[0].dump();
  EXPECT_FALSE(mentions(root[0], "bytes were checked")) << root[0].dump();  // under the default 1 MiB cap

  // The cap is reported when it cut the file.
  write_file(d / "cap.json", R"({"name": "cap", "rules": [
    {"id": "has-end", "kind": "file-content", "severity": "error", "summary": "s",
     "params": {"paths": ["etc/app/b.conf"], "mode": "must", "pattern": "log_level", "max_bytes": 100}}]})");
  CheckRun cut = check({{file("etc/app/b.conf", late)}}, {"--rules", d / "cap.json"});
  auto he = cut.of("has-end");
  ASSERT_EQ(he.size(), 1u) << cut.j.dump(2);
  EXPECT_TRUE(mentions(he[0], "only the first 100 of 5019 bytes were checked")) << he[0].dump();
}

TEST(HazardJsonPointer, ExistsEqualsAbsentThroughSymlinks) {
  TempDir d;
  write_file(d / "site.json", R"({"name": "site", "rules": [
    {"id": "storage-driver", "kind": "json-pointer", "severity": "error", "summary": "s",
     "params": {"path": "etc/app/settings.json", "pointer": "/storage/driver", "op": "equals", "value": "overlay"}},
    {"id": "has-registries", "kind": "json-pointer", "severity": "error", "summary": "s",
     "params": {"path": "etc/app/settings.json", "pointer": "/registries/0", "op": "exists"}},
    {"id": "no-debug-flag", "kind": "json-pointer", "severity": "warning", "summary": "s",
     "params": {"path": "etc/app/settings.json", "pointer": "/a~1b/debug", "op": "absent"}}]})");
  std::vector<std::string> args{"--rules", d / "site.json"};
  const char* rules[] = {"storage-driver", "has-registries", "no-debug-flag"};

  // Good, through a symlink into usr (as bootc images ship defaults).
  CheckRun good = check({{file("usr/share/app/settings.json", R"({"storage": {"driver": "overlay"}, "registries": ["quay.io"], "a/b": {}})"),
                     symlink("etc/app/settings.json", "../../usr/share/app/settings.json")}}, args);
  for (auto rule : rules) EXPECT_TRUE(good.of(rule).empty()) << rule << good.j.dump(2);

  CheckRun bad = check({{file("etc/app/settings.json", R"({"storage": {"driver": "vfs"}, "registries": [], "a/b": {"debug": true}})")}}, args);
  auto sd = bad.of("storage-driver");
  ASSERT_EQ(sd.size(), 1u) << bad.j.dump(2);
  EXPECT_TRUE(mentions(sd[0], "/storage/driver is \"vfs\", expected \"overlay\"")) << sd[0].dump();
  EXPECT_EQ(sd[0]["path"], "etc/app/settings.json");
  ASSERT_EQ(bad.of("has-registries").size(), 1u);
  EXPECT_TRUE(mentions(bad.of("has-registries")[0], "/registries/0 does not exist"));
  auto nd = bad.of("no-debug-flag");
  ASSERT_EQ(nd.size(), 1u);
  EXPECT_EQ(nd[0]["severity"], "warning");
  EXPECT_TRUE(mentions(nd[0], "must not exist (it is true)")) << nd[0].dump();

  // Not JSON: every rule on the file says so. Missing: exists/equals fire, absent passes.
  CheckRun notjson = check({{file("etc/app/settings.json", "storage: {driver: overlay}\n")}}, args);
  for (auto rule : rules) {
    auto f = notjson.of(rule);
    ASSERT_EQ(f.size(), 1u) << rule;
    EXPECT_TRUE(mentions(f[0], "is not JSON")) << f[0].dump();
  }
  CheckRun missing = check({}, args);
  EXPECT_EQ(missing.of("storage-driver").size(), 1u);
  EXPECT_EQ(missing.of("has-registries").size(), 1u);
  EXPECT_TRUE(missing.of("no-debug-flag").empty());
  EXPECT_TRUE(mentions(missing.of("storage-driver")[0], "etc/app/settings.json is missing"));
}

TEST(HazardKinds, BadParamsAreExit2) {
  TempDir d;
  for (auto [body, needle] : std::vector<std::pair<std::string, std::string>>{
           {R"({"id": "x", "kind": "file-content", "summary": "s", "params": {"paths": ["a"], "pattern": "(", "mode": "must"}})", "bad pattern"},
           {R"({"id": "x", "kind": "file-content", "summary": "s", "params": {"paths": ["a"], "pattern": "a", "mode": "should"}})", "mode"},
           {R"({"id": "x", "kind": "file-content", "summary": "s", "params": {"pattern": "a", "mode": "must"}})", "needs params.paths"},
           {R"({"id": "x", "kind": "json-pointer", "summary": "s", "params": {"path": "a.json", "pointer": "nope", "op": "exists"}})", "JSON pointer"},
           {R"({"id": "x", "kind": "json-pointer", "summary": "s", "params": {"path": "a.json", "pointer": "/a", "op": "equals"}})", "needs params.value"},
           {R"({"id": "x", "kind": "private-keys", "summary": "s", "params": {"allow": ["("]}})", "needs params.markers"}}) {
    write_file(d / "bad.json", R"({"name": "bad", "rules": [)" + body + "]}");
    Result r = imagelint({"check", "/nonexistent", "--rules", d / "bad.json"});
    EXPECT_EQ(r.code, 2) << body;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
}

}  // namespace e2e_hazards_test
