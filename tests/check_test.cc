// `imagelint check` end to end: a tier-3 image that passes every shipped rule, and for each
// rule a variant with one more layer that breaks it: the finding names the rule, the path, the
// layer that introduced it and the owning package.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_check_test {

using namespace testing_util;
namespace fs = std::filesystem;

fixture::RecipeEntry module(const std::string& path, const std::string& name, const std::string& version,
                            const std::string& kver) {
  fixture::RecipeEntry e;
  e.path = path;
  e.kmod = true;
  e.kmod_compress = "xz";
  e.modinfo = {{"name", name}, {"version", version}, {"vermagic", kver + " SMP preempt mod_unload modversions"}};
  return e;
}

class Check : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    std::vector<RpmPkg> pkgs = {
        {"zfs", "2.2.7", "1.el10", "mkdir -p %{buildroot}/usr/sbin && echo z > %{buildroot}/usr/sbin/zfs", "/usr/sbin/zfs"},
        {"nvidia-driver", "570.124.06", "1.el10", "mkdir -p %{buildroot}/usr/bin && echo n > %{buildroot}/usr/bin/nvidia-smi", "/usr/bin/nvidia-smi"}};
    TempDir good_dir;
    rpmdb_ = new std::string(make_rpmdb(good_dir, pkgs));
    pkgs.push_back({"gcc", "14.2.1", "7.el10", "mkdir -p %{buildroot}/usr/bin && echo g > %{buildroot}/usr/bin/gcc", "/usr/bin/gcc"});
    rpmdb_gcc_ = new std::string(make_rpmdb(*dir_, pkgs));
  }
  static void TearDownTestSuite() {
    delete rpmdb_;
    delete rpmdb_gcc_;
    delete dir_;
  }

  fixture::Recipe good() {
    fixture::Recipe r = recipe("good-instance");
    r.layers[0].entries.push_back(fixture::file("usr/share/rpm/rpmdb.sqlite", *rpmdb_));
    return r;
  }

  // The good image plus one layer with the given entries; returns the check's JSON.
  nlohmann::json check_with(std::vector<fixture::RecipeEntry> extra, int* code, const std::vector<std::string>& args = {}) {
    fixture::Recipe r = good();
    if (!extra.empty()) {
      fixture::RecipeLayer l;
      l.created_by = "RUN the change under test";
      l.entries = std::move(extra);
      r.layers.push_back(l);
    }
    TempDir d;
    fixture::write_oci({r}, d / "oci");
    std::vector<std::string> argv{"check", d / "oci", "--format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    Result res = run_with_today(argv);
    *code = res.code;
    EXPECT_TRUE(res.code == 0 || res.code == 1) << res.err;
    return res.code == 2 ? nlohmann::json() : nlohmann::json::parse(res.out);
  }

  static Result run_with_today(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  static std::vector<nlohmann::json> of_rule(const nlohmann::json& j, const std::string& rule) {
    std::vector<nlohmann::json> out;
    for (auto& f : j["findings"])
      if (f["rule"] == rule) out.push_back(f);
    return out;
  }

  // gcc installed: the database as a build that forgot to remove it leaves it.
  static fixture::RecipeEntry gcc_db() { return fixture::file("usr/share/rpm/rpmdb.sqlite", *rpmdb_gcc_); }

  static TempDir* dir_;
  static std::string* rpmdb_;
  static std::string* rpmdb_gcc_;
};

TempDir* Check::dir_ = nullptr;
std::string* Check::rpmdb_ = nullptr;
std::string* Check::rpmdb_gcc_ = nullptr;

TEST_F(Check, GoodInstanceImagePassesEveryRule) {
  int code;
  auto j = check_with({}, &code);
  EXPECT_EQ(code, 0) << j.dump(2);
  EXPECT_TRUE(j["findings"].empty()) << j["findings"].dump(2);
  EXPECT_EQ(j["schema"], "imagelint.check/v1");
  EXPECT_EQ(j["summary"]["rules_run"], 28);
  EXPECT_EQ(j["packs"], nlohmann::json::array({"bootc-base", "bootc-instance"}));
}

struct Case {
  const char* rule;
  std::vector<fixture::RecipeEntry> extra;
  std::string path;
  std::string needle;  // in the message
};

TEST_F(Check, EachRuleFiresOnItsBreakage) {
  const std::string k = "usr/lib/modules/6.12.0-55.el10.x86_64/";
  std::vector<Case> cases = {
      {"no-build-tools", {fixture::file("usr/bin/gcc", "gcc", 0755), gcc_db()}, "usr/bin/gcc", "build tool usr/bin/gcc"},
      {"kernel-single", {fixture::file("usr/lib/modules/6.12.0-61.el10.x86_64/vmlinuz", "k")}, "usr/lib/modules/6.12.0-61.el10.x86_64", "more than one kernel"},
      {"kmod-vermagic", {module(k + "extra/zfs/zfs.ko.xz", "zfs", "2.2.7-1", "6.12.0-61.el10.x86_64")}, k + "extra/zfs/zfs.ko.xz", "built for kernel '6.12.0-61.el10.x86_64'"},
      {"kmod-version", {module(k + "extra/nvidia/nvidia.ko.xz", "nvidia", "565.57.01", "6.12.0-55.el10.x86_64")}, k + "extra/nvidia/nvidia.ko.xz", "expected 570.124.06"},
      {"kmod-depmod", {module(k + "extra/extra.ko.xz", "extra", "1", "6.12.0-55.el10.x86_64")}, k + "extra/extra.ko.xz", "not in modules.dep"},
      {"units-rootless", {fixture::file("etc/containers/systemd/app.container", "[Container]\nImage=quay.io/example/app:1\n")}, "etc/containers/systemd/app.container", "rootful container quadlet"},
      {"policy-default-deny", {fixture::file("etc/containers/policy.json", "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}")}, "etc/containers/policy.json", "default is not"},
      {"setuid-files", {fixture::file("usr/local/bin/helper", "h", 04755)}, "usr/local/bin/helper", "is setuid"},
      {"world-writable", {fixture::file("etc/app.conf", "x", 0666)}, "etc/app.conf", "world-writable"},
      {"dnf-cache", {fixture::file("var/cache/dnf/repo.solv", "x")}, "var/cache/dnf/repo.solv", "must not be in the image"},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.rule);
    int code;
    auto j = check_with(c.extra, &code);
    auto found = of_rule(j, c.rule);
    ASSERT_FALSE(found.empty()) << j["findings"].dump(2);
    bool hit = false;
    for (auto& f : found)
      if (f["path"] == c.path && f["message"].get<std::string>().find(c.needle) != std::string::npos) {
        hit = true;
        EXPECT_EQ(f["layer"], 2) << f.dump();  // the layer that brought it
        EXPECT_EQ(f["fingerprint"].get<std::string>().size(), 16u);
      }
    EXPECT_TRUE(hit) << nlohmann::json(found).dump(2);
    // Only this rule fires (the breakages are independent), but a dnf cache is content in var
    // without tmpfiles.d entries too.
    for (auto& f : j["findings"])
      if (!(std::string(c.rule) == "dnf-cache" && f["rule"] == "var-tmpfiles")) {
        EXPECT_EQ(f["rule"], c.rule) << f.dump();
      }
    bool warning = std::string(c.rule) == "setuid-files" || std::string(c.rule) == "world-writable" || std::string(c.rule) == "dnf-cache";
    EXPECT_EQ(code, warning ? 0 : 1);
  }
}

TEST_F(Check, FindingsNameTheOwningPackageAndDeletedFilesDoNotFire) {
  int code;
  auto j = check_with({fixture::file("usr/bin/gcc", "gcc", 0755), gcc_db()}, &code);
  auto found = of_rule(j, "no-build-tools");
  bool file = false, pkg = false;
  for (auto& f : found) {
    if (f["path"] == "usr/bin/gcc") file = f["package"] == "gcc-14.2.1-7.el10.noarch";
    if (f["path"] == "" && f["message"].get<std::string>().find("gcc-14.2.1-7.el10.noarch") != std::string::npos) pkg = true;
  }
  EXPECT_TRUE(file) << nlohmann::json(found).dump(2);
  EXPECT_TRUE(pkg);
  // Added in one layer, deleted by a whiteout in the next: no file finding.
  fixture::Recipe r = good();
  fixture::RecipeLayer add, del;
  add.entries = {fixture::file("usr/bin/gcc", "gcc", 0755), fixture::file("usr/sbin/dkms", "dkms", 0755), gcc_db()};
  del.entries = {fixture::whiteout("usr/bin/gcc"), fixture::whiteout("usr/sbin/dkms")};
  r.layers.push_back(add);
  r.layers.push_back(del);
  TempDir d;
  fixture::write_oci({r}, d / "oci");
  Result res = run_with_today({"check", d / "oci", "--format", "json"});
  auto k = nlohmann::json::parse(res.out);
  auto left = of_rule(k, "no-build-tools");
  ASSERT_FALSE(left.empty()) << k["findings"].dump(2);  // the gcc package is still installed
  for (auto& f : left) EXPECT_EQ(f["path"], "") << f.dump();  // only the gcc package
}

TEST_F(Check, WaiversWaiveExpireAndGoStale) {
  TempDir d;
  write_file(d / "w.json", R"({"waivers": [
    {"rule": "world-writable", "path": "etc/*.conf", "reason": "vendor app needs it, ticket OPS-1", "expires": "2026-12-31"},
    {"rule": "setuid-files", "path": "usr/local/bin/helper", "reason": "old", "expires": "2026-01-01"},
    {"rule": "dnf-cache", "path": "var/**", "reason": "nothing matches", "expires": "2027-01-01"}]})");
  int code;
  auto j = check_with({fixture::file("etc/app.conf", "x", 0666), fixture::file("usr/local/bin/helper", "h", 04755)}, &code,
                      {"--waivers", d / "w.json", "--fail-on", "warning"});
  EXPECT_EQ(code, 1);  // the expired waiver no longer waives the setuid warning
  auto ww = of_rule(j, "world-writable");
  ASSERT_EQ(ww.size(), 1u);
  EXPECT_TRUE(ww[0]["waived"].get<bool>());
  auto su = of_rule(j, "setuid-files");
  ASSERT_EQ(su.size(), 1u);
  EXPECT_FALSE(su[0]["waived"].get<bool>());
  EXPECT_NE(su[0]["waiver"].get<std::string>().find("expired on 2026-01-01"), std::string::npos);
  EXPECT_EQ(j["summary"]["waived"], 1);
  std::map<std::string, std::string> status;
  for (auto& w : j["waivers"]) status[w["rule"]] = w["status"];
  EXPECT_EQ(status["world-writable"], "active");
  EXPECT_EQ(status["setuid-files"], "expired");
  EXPECT_EQ(status["dnf-cache"], "stale");
  write_file(d / "bad.json", R"({"waivers": [{"rule": "x", "path": "y", "expires": "2026-01-01"}]})");
  Result bad = run_with_today({"check", "/nonexistent", "--waivers", d / "bad.json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("reason"), std::string::npos) << bad.err;
}

TEST_F(Check, UserPacksOverrideAndBadPacksAreExit2) {
  TempDir d;
  write_file(d / "site.json", R"({"name": "site", "rules": [
    {"id": "world-writable", "severity": "error"},
    {"id": "policy-default-deny", "params": {"registries": ["registry.example.com"]}},
    {"id": "site-label", "kind": "label-present", "severity": "info", "summary": "Images carry an owner label.",
     "params": {"labels": ["org.example.owner"]}}]})");
  int code;
  auto j = check_with({fixture::file("etc/app.conf", "x", 0666)}, &code, {"--rules", d / "site.json"});
  EXPECT_EQ(code, 1);
  auto ww = of_rule(j, "world-writable");
  ASSERT_EQ(ww.size(), 1u);
  EXPECT_EQ(ww[0]["severity"], "error");
  EXPECT_FALSE(of_rule(j, "policy-default-deny").empty());  // quay.io is no longer allowed
  ASSERT_EQ(of_rule(j, "site-label").size(), 1u);
  Result rules = run_with_today({"rules", "--rules", d / "site.json"});
  EXPECT_NE(rules.out.find("site-label"), std::string::npos);
  bool ww_error = false;  // the id column is as wide as the longest id
  for (const std::string& l : lines(rules.out))
    if (l.starts_with("world-writable ") && l.find(" error ") != std::string::npos) ww_error = true;
  EXPECT_TRUE(ww_error) << rules.out;

  for (auto [body, needle] : std::vector<std::pair<std::string, std::string>>{
           {R"({"name": "x", "rules": [{"id": "new", "kind": "nope", "summary": "s"}]})", "unknown kind 'nope'"},
           {R"({"name": "x", "rules": [{"id": "missing-rule", "severity": "info"}]})", "no such shipped rule"},
           {R"({"name": "x", "rules": [{"id": "kmod-version", "params": {"pairs": "zfs"}}]})", "needs params.pairs"},
           {R"({"name": "x", "extends": ["nope"]})", "no rule pack named 'nope'"},
           {R"(not json)", "not a JSON object"}}) {
    write_file(d / "bad.json", body);
    Result r = run_with_today({"check", "/nonexistent", "--rules", d / "bad.json"});
    EXPECT_EQ(r.code, 2) << body;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
}

TEST_F(Check, TextReportIsGroupedAndNamesTheLayer) {
  fixture::Recipe r = good();
  fixture::RecipeLayer l;
  l.created_by = "RUN dnf -y install gcc";
  l.entries = {fixture::file("usr/bin/gcc", "gcc", 0755), fixture::file("etc/app.conf", "x", 0666), gcc_db()};
  r.layers.push_back(l);
  TempDir d;
  fixture::write_oci({r}, d / "oci");
  Result res = run_with_today({"check", d / "oci", "--format", "text", "--output", "-", "--format", "json", "--output", d / "c.json"});
  EXPECT_EQ(res.code, 1);
  EXPECT_NE(res.out.find("error (2)"), std::string::npos) << res.out;  // the gcc file and the gcc package
  EXPECT_NE(res.out.find("warning (1)"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("layer 2: RUN dnf -y install gcc; package gcc-14.2.1-7.el10.noarch"), std::string::npos) << res.out;
  EXPECT_EQ(res.out.find("\x1b["), std::string::npos);  // no colour when not a terminal
  EXPECT_EQ(nlohmann::json::parse(read_file(d / "c.json"))["summary"]["error"], 2);
}

}  // namespace e2e_check_test
