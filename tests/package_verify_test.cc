// package-verify end to end, with the package managers as oracles: a real .deb installed by
// dpkg --root and a real .rpm installed by rpm --root (fixtures/package-verify/make.sh), made into
// an image by umoci with later layers that edit packaged files; imagelint's findings must name
// exactly the paths `dpkg --verify` and `rpm -Va` report on the same tree (mtime aside), with
// rpm's letters, and each with the layer that made the change.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "harness.h"

namespace e2e_package_verify_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

// The oracle's report: listed path -> its letters ("missing" for a missing file).
std::map<std::string, std::string> oracle(const std::string& out) {
  std::map<std::string, std::string> m;
  for (const std::string& l : lines(out)) {
    size_t slash = l.find(" /");
    if (slash == std::string::npos) continue;
    std::string letters = l.substr(0, l.find(' '));
    m[l.substr(slash + 1)] = letters;
  }
  return m;
}

struct Found {
  std::string letters, severity, package;
  int layer = -1;
};

// imagelint's package-verify findings: listed path -> letters, severity, layer.
std::map<std::string, Found> ours(const nlohmann::json& j) {
  std::map<std::string, Found> m;
  static const std::regex listed_as(R"(\(listed as (/[^)]+)\))"), letters(R"(([.SM5DLUGTP?]{9}) \()");
  for (auto& f : j["findings"]) {
    if (f["rule"] != "package-verify" || f["path"] == "") continue;
    std::string msg = f["message"], path = "/" + f["path"].get<std::string>();
    std::smatch m1;
    if (std::regex_search(msg, m1, listed_as)) path = m1[1];
    Found x;
    if (msg.find(" is missing") != std::string::npos) x.letters = "missing";
    else if (std::regex_search(msg, m1, letters)) x.letters = m1[1];
    x.severity = f["severity"];
    x.package = f.value("package", "");
    x.layer = f.value("layer", -1);
    m[path] = x;
  }
  return m;
}

class PackageVerify : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (const char* tool : {"umoci", "dpkg-deb", "rpm", "rpmbuild"})
      ASSERT_TRUE(have(tool)) << tool << " is missing: run ci/install-deps.sh";
    Result made = run({"sh", source_dir() + "/fixtures/package-verify/make.sh", GetParam(), d / "t"});
    ASSERT_EQ(made.code, 0) << made.err;
    write_file(d / "pack.json", R"({"name": "t", "extends": [], "rules": [{"id": "package-verify",
      "kind": "package-verify", "severity": "error", "summary": "t", "params": {"baseline": "none"}}]})");
  }
  nlohmann::json check(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"check", "oci:" + d / "t/img" + ":t", "--format", "json", "--no-cache"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = imagelint(args);
    EXPECT_EQ(r.code, 1) << r.err << r.out;
    return r.code == 1 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  }
  Result verify() {
    if (GetParam() == "dpkg") return run({"dpkg", "--root", d / "t/root", "--verify"});
    return run({"rpm", "--root", d / "t/root", "--dbpath", "/usr/lib/sysimage/rpm", "-Va"});
  }
  TempDir d;
};

TEST_P(PackageVerify, SamePathsAsThePackageManagerEachWithItsLayer) {
  std::map<std::string, std::string> theirs = oracle(verify().out);
  std::map<std::string, Found> mine = ours(check({"--rules", d / "pack.json"}));
  ASSERT_FALSE(theirs.empty());
  std::vector<std::string> a, b;
  for (auto& [p, l] : theirs) a.push_back(p);
  for (auto& [p, f] : mine) b.push_back(p);
  EXPECT_EQ(b, a);
  const bool rpm = GetParam() == "rpm";
  for (auto& [p, l] : theirs) {
    if (!mine.count(p)) continue;
    const Found& f = mine[p];
    // rpm's own letters, mtime aside (off by default); dpkg checks only the digest.
    std::string want = l == "missing" ? l : rpm ? l.substr(0, 7) + "." + l.substr(8) : f.letters;
    EXPECT_EQ(f.letters, want) << p;
    EXPECT_EQ(f.package, rpm ? "demo-1.0-1.noarch" : "demo-1.0-1.all") << p;
    // Layer 1 edits; layers 2 and 3 are the whiteouts of b.txt and the README.
    int layer = p == "/usr/share/demo/b.txt" ? 2 : p == "/usr/share/doc/demo/README" ? 3 : 1;
    EXPECT_EQ(f.layer, layer) << p;
  }
  EXPECT_EQ(mine["/etc/demo.conf"].severity, "warning");
  EXPECT_EQ(mine["/usr/share/demo/a.txt"].severity, "error");
  EXPECT_EQ(mine["/usr/share/doc/demo/README"].severity, "info");
  if (!rpm) {
    // Merged /usr: the package lists /bin/demo-tool; dpkg --verify does not see the setuid bit.
    EXPECT_FALSE(mine.count("/bin/demo-tool"));
  } else {
    EXPECT_EQ(mine["/usr/bin/demo-tool"].letters, ".M.......");
  }
}

TEST_P(PackageVerify, ShippedPackAndInspectCounts) {
  // bootc-base (install-layer baseline): the same findings, nothing in layer 0 differs.
  std::map<std::string, Found> mine = ours(check({"--rules", "bootc-base"}));
  EXPECT_EQ(mine.size(), oracle(verify().out).size());
  // An allowlist takes a path out.
  write_file(d / "allow.json", R"({"name": "a", "extends": [], "rules": [{"id": "package-verify",
    "kind": "package-verify", "severity": "error", "summary": "t", "params": {"allow": ["etc/demo\\.conf"]}}]})");
  EXPECT_FALSE(ours(check({"--rules", d / "allow.json"})).count("/etc/demo.conf"));
  Result in = imagelint({"inspect", "oci:" + d / "t/img" + ":t", "--format", "json", "--no-cache"});
  ASSERT_EQ(in.code, 0) << in.err;
  auto j = nlohmann::json::parse(in.out);
  auto c = j["package_verification"][GetParam() == "rpm" ? "demo-1.0-1.noarch" : "demo-1.0-1.all"];
  EXPECT_EQ(c["missing"], 2) << c;
  EXPECT_EQ(c["changed"].get<int>() + c["missing"].get<int>(), static_cast<int>(oracle(verify().out).size())) << c;
  EXPECT_GT(c["verified"], 0) << c;
}

TEST_P(PackageVerify, DiffNamesAFileChangedAfterItsPackageInstalledIt) {
  // A: the root as the package manager left it; B: the same plus the editing layers.
  Result r = imagelint({"diff", "oci:" + d / "t/img" + ":installed", "oci:" + d / "t/img" + ":t", "--format", "json",
                        "--no-cache"});
  ASSERT_EQ(r.code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by;
  for (auto& c : j["changes"]) by[c["path"]] = c;
  const std::string nevra = GetParam() == "rpm" ? "demo-1.0-1.noarch" : "demo-1.0-1.all";
  for (const char* p : {"usr/share/demo/a.txt", "etc/demo.conf"}) {
    EXPECT_EQ(by[p]["category"], "modified-after-install") << by[p];
    EXPECT_EQ(by[p]["class"], "drift") << by[p];
    EXPECT_EQ(by[p]["explained_by"], nevra + " installed it as A has it; B's build changed it after the install");
  }
  // Not a content change of a file: a symlink now, or gone.
  EXPECT_NE(by["usr/share/demo/c.txt"]["category"], "modified-after-install");
  EXPECT_NE(by["usr/share/demo/b.txt"]["category"], "modified-after-install");
}

INSTANTIATE_TEST_SUITE_P(Managers, PackageVerify, ::testing::Values("dpkg", "rpm"));

}  // namespace e2e_package_verify_test
