// check --base: a tier-3 instance held to what tier 3 may change on top of its tier-2 base.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_tier_test {

using namespace testing_util;

// The good instance's first layer is its base (FROM centos-bootc + ZFS and NVIDIA), the second
// is tier 3's own (users, quadlets, policy).
fixture::Recipe base_of(fixture::Recipe r, size_t layers = 1) {
  r.layers.resize(layers);
  return r;
}

struct TierRun {
  int code = -1;
  std::string err;
  nlohmann::json findings;
  std::vector<nlohmann::json> tier() const {
    std::vector<nlohmann::json> out;
    for (auto& f : findings)
      if (f["rule"] == "tier-boundary") out.push_back(f);
    return out;
  }
};

TierRun check_on_base(const fixture::Recipe& instance, const fixture::Recipe& base) {
  TempDir d;
  fixture::write_oci({instance}, d / "instance");
  fixture::write_oci({base}, d / "base");
  Result r = run({"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", "oci:" + d / "instance", "--base",
                  "oci:" + d / "base", "--format", "json"});
  TierRun t;
  t.code = r.code;
  t.err = r.err;
  if (r.code == 0 || r.code == 1) {
    // The findings are written by hand (report/check_report.cc): exactly as the library dumps them.
    nlohmann::json doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", r.out);
    t.findings = doc["findings"];
  }
  return t;
}

std::string messages(const std::vector<nlohmann::json>& fs) {
  std::string out;
  for (auto& f : fs) out += f["message"].get<std::string>() + "\n";
  return out;
}

TEST(Tier, TheGoodInstanceChangesOnlyWhatTierThreeOwns) {
  fixture::Recipe good = recipe("good-instance");
  TierRun t = check_on_base(good, base_of(good));
  ASSERT_TRUE(t.code == 0 || t.code == 1) << t.err;
  EXPECT_TRUE(t.tier().empty()) << messages(t.tier());
  // Without --base the rule has nothing to compare.
  CheckRun plain = check_image(good_instance_plus({{fixture::file("usr/bin/htop", "x")}}));
  ASSERT_TRUE(plain.code == 0 || plain.code == 1) << plain.err;
  EXPECT_TRUE(plain.of("tier-boundary").empty()) << plain.dump();
}

TEST(Tier, AddChangeAndDeleteEachAFindingWithItsLayer) {
  fixture::Recipe good = recipe("good-instance");
  fixture::Recipe inst = good_instance_plus({{fixture::file("usr/bin/htop", "x"),                     // add
                                              fixture::file("usr/lib/os-release", "ID=other\n"),    // change
                                              fixture::whiteout("usr/lib/modules"),                 // delete
                                              fixture::file("etc/containers/registries.conf", "")}});  // allowed
  TierRun t = check_on_base(inst, base_of(good));
  ASSERT_EQ(t.code, 1) << t.err;
  std::string m = messages(t.tier());
  EXPECT_NE(m.find("adds usr/bin/htop: outside what tier 3 may change"), std::string::npos) << m;
  EXPECT_NE(m.find("changes usr/lib/os-release (content): outside"), std::string::npos) << m;
  EXPECT_NE(m.find("deletes usr/lib/modules: outside"), std::string::npos) << m;
  EXPECT_EQ(t.tier().size(), 3u) << m;  // a deleted tree once; the allowed file not at all
  for (auto& f : t.tier()) {
    EXPECT_EQ(f["layer"], 2) << f.dump();
    EXPECT_EQ(f["severity"], "error");
  }
  // The same instance on the good instance as its base: the tier-3 layer is base now.
  TierRun on_good = check_on_base(inst, good);
  EXPECT_EQ(on_good.tier().size(), 3u) << messages(on_good.tier());
}

TEST(Tier, PackagesInstalledChangedOrRemovedAreFindings) {
  TempDir d;
  std::vector<std::string> rpms = build_rpms(d, {{"tool", "1.0", "1", "mkdir -p %{buildroot}/usr/bin && echo 1 > %{buildroot}/usr/bin/tool", "/usr/bin/tool"},
                                                  {"tool", "1.1", "1", "mkdir -p %{buildroot}/usr/bin && echo 2 > %{buildroot}/usr/bin/tool", "/usr/bin/tool"},
                                                  {"htop", "3.3", "1", "mkdir -p %{buildroot}/usr/bin && echo h > %{buildroot}/usr/bin/htop", "/usr/bin/htop"},
                                                  {"gone", "1", "1", "mkdir -p %{buildroot}/usr/share/gone && echo g > %{buildroot}/usr/share/gone/g", "/usr/share/gone/g"}});
  ASSERT_EQ(rpms.size(), 4u);
  std::string before = install_rpmdb(d / "db1", {rpms[0], rpms[3]});
  std::string after = install_rpmdb(d / "db2", {rpms[1], rpms[2]});
  fixture::Recipe base = good_instance_plus({{fixture::file("usr/share/rpm/rpmdb.sqlite", before), fixture::file("usr/bin/tool", "1\n"),
                                              fixture::file("usr/share/gone/g", "g\n")}});
  fixture::Recipe inst = base;
  fixture::RecipeLayer l;
  l.created_by = "RUN dnf install htop && dnf update tool && dnf remove gone";
  l.entries = {fixture::file("usr/share/rpm/rpmdb.sqlite", after), fixture::file("usr/bin/tool", "2\n"),
               fixture::file("usr/bin/htop", "h\n"), fixture::whiteout("usr/share/gone")};
  inst.layers.push_back(l);
  TierRun t = check_on_base(inst, base);
  ASSERT_EQ(t.code, 1) << t.err;
  std::string m = messages(t.tier());
  EXPECT_NE(m.find("installs package htop-3.3-1.noarch: tier 3 may not install packages"), std::string::npos) << m;
  EXPECT_NE(m.find("changes package tool-1.0-1.noarch to tool-1.1-1.noarch"), std::string::npos) << m;
  EXPECT_NE(m.find("removes package gone-1-1.noarch"), std::string::npos) << m;
  EXPECT_NE(m.find("adds usr/bin/htop: tier 3 may not install packages"), std::string::npos) << m;
  EXPECT_NE(m.find("changes usr/bin/tool (content): tier 3 may not install packages"), std::string::npos) << m;
  EXPECT_NE(m.find("deletes usr/share/gone: outside"), std::string::npos) << m;
  int installs = 0;
  for (auto& f : t.tier())
    if (f["message"].get<std::string>().starts_with("installs")) {
      ++installs;
      EXPECT_EQ(f["package"], "htop-3.3-1.noarch");
    }
  EXPECT_EQ(installs, 1) << m;
}

TEST(Tier, AnInstanceNotBuiltOnTheBaseIsRefused) {
  fixture::Recipe good = recipe("good-instance");
  fixture::Recipe other = base_of(good);
  other.layers[0].entries.push_back(fixture::file("etc/other", "x"));
  TierRun t = check_on_base(good, other);
  EXPECT_EQ(t.code, 2);
  EXPECT_NE(t.err.find("the instance is not built on this base: layer 0 is sha256:"), std::string::npos) << t.err;
  EXPECT_EQ(lines(t.err).size(), 1u) << t.err;
  TierRun shorter = check_on_base(base_of(good), good);
  EXPECT_EQ(shorter.code, 2);
  EXPECT_NE(shorter.err.find("the instance has 1 layers, fewer than this base's 2"), std::string::npos) << shorter.err;
}

// The real writer: umoci adds the instance's layer (GNU tar, with its own directory entries for
// usr/ and etc/) on top of the base in one OCI layout; the instance is then also read from a
// containers/storage overlay store that skopeo filled, against the base from the layout.
TEST(Tier, AnInstanceUmociBuiltOnItsBaseAlsoFromContainersStorage) {
  if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo is not installed";
  TempDir d;
  fixture::Recipe good = recipe("good-instance");
  fixture::write_oci({good}, d / "img");
  std::filesystem::create_directories(d / "add/usr/bin");
  std::filesystem::create_directories(d / "add/etc/containers/systemd");
  write_file(d / "add/usr/bin/htop", "htop\n");
  write_file(d / "add/etc/containers/systemd/alloy.container", "[Container]\nImage=docker.io/grafana/alloy:v1\n");
  ASSERT_EQ(run({"tar", "-C", d / "add", "-cf", d / "layer.tar", "usr", "etc"}).code, 0);
  Result add = run({"umoci", "raw", "add-layer", "--image", d / "img:latest", "--tag", "host7", "--history.created_by",
                    "RUN dnf -y install htop", d / "layer.tar"});
  ASSERT_EQ(add.code, 0) << add.err;
  std::string store = "containers-storage:[overlay@" + d / "root" + "+" + d / "run" + "]example/host7:1";
  Result copy = run({"skopeo", "copy", "--quiet", "oci:" + d / "img:host7", store});
  if (store_unwritable(copy)) GTEST_SKIP() << "skopeo cannot write a store here: " << copy.err;
  ASSERT_EQ(copy.code, 0) << copy.err;
  for (std::string instance : {"oci:" + d / "img:host7", store}) {
    Result r = run({"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", instance, "--base", "oci:" + d / "img:latest"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.out.find("on base oci:" + d / "img:latest" + ": layers 0-1 are the base's, 1 the instance's own"),
              std::string::npos) << r.out;
    EXPECT_NE(r.out.find("adds usr/bin/htop: outside what tier 3 may change"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("layer 2: RUN dnf -y install htop"), std::string::npos) << r.out;
    // The quadlet is tier 3's; GNU tar's entries for usr/ and usr/bin/ change nothing.
    EXPECT_EQ(r.out.find("alloy.container: outside"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("changes usr"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("tier-boundary 1,"), std::string::npos) << r.out;
  }
}

}  // namespace e2e_tier_test
