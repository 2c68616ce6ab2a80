// Facts end to end: `imagelint inspect --format json` on an image written from a recipe.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "harness.h"

namespace e2e_facts_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

TEST(Facts, InspectJsonShowsTheFacts) {
  TempDir d;
  fixture::write_oci({recipe("facts")}, d / "oci");
  Result r = imagelint({"inspect", d / "oci", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "imagelint.inspect/v1");
  EXPECT_EQ(j["os_release"]["PRETTY_NAME"], "CentOS Stream 10 (Coughlan)");  // through the symlink

  auto& kernels = j["kernels"];
  ASSERT_EQ(kernels.size(), 2u);
  EXPECT_EQ(kernels[0]["kver"], "6.12.0-55.el10.x86_64");
  EXPECT_TRUE(kernels[0]["vmlinuz"].get<bool>());
  EXPECT_TRUE(kernels[0]["initramfs"].get<bool>());
  EXPECT_TRUE(kernels[0]["modules_dep"].get<bool>());
  EXPECT_EQ(kernels[0]["modules"], 5);
  EXPECT_EQ(kernels[1]["kver"], "6.12.0-61.el10.x86_64");  // a module-only directory
  EXPECT_FALSE(kernels[1]["vmlinuz"].get<bool>());

  std::map<std::string, nlohmann::json> mods;
  for (auto& m : j["modules"]) mods[m["path"]] = m;
  const std::string k = "usr/lib/modules/6.12.0-55.el10.x86_64/";
  ASSERT_EQ(mods.size(), 6u);
  EXPECT_EQ(mods[k + "extra/zfs/zfs.ko.xz"]["version"], "2.2.7-1");
  EXPECT_EQ(mods[k + "extra/zfs/zfs.ko.xz"]["depends"], nlohmann::json::array({"spl"}));
  EXPECT_EQ(mods[k + "extra/zfs/spl.ko.zst"]["name"], "spl");
  EXPECT_EQ(mods[k + "extra/nvidia/nvidia.ko.gz"]["version"], "570.124.06");
  EXPECT_TRUE(mods[k + "kernel/fs/xfs/xfs.ko.xz"]["signed"].get<bool>());
  EXPECT_FALSE(mods[k + "extra/zfs/zfs.ko.xz"]["signed"].get<bool>());
  EXPECT_EQ(mods[k + "extra/broken.ko"]["error"], "not an ELF object");
  EXPECT_EQ(mods["usr/lib/modules/6.12.0-61.el10.x86_64/extra/zfs/zfs.ko.xz"]["vermagic"],
            "6.12.0-61.el10.x86_64 SMP preempt mod_unload modversions");

  auto& users = j["users"];
  ASSERT_EQ(users["passwd"].size(), 2u);
  EXPECT_EQ(users["passwd"][1]["name"], "envoy");
  EXPECT_EQ(users["shadow_with_password"], nlohmann::json::array({"admin"}));
  ASSERT_EQ(users["sysusers"].size(), 2u);  // masked.conf is masked by /dev/null in etc/
  EXPECT_EQ(users["sysusers"][1]["name"], "app");
  // etc/tmpfiles.d/app.conf replaces usr/lib/tmpfiles.d/app.conf
  EXPECT_EQ(users["lingering"], nlohmann::json::array({"app", "other"}));
  for (auto& t : users["tmpfiles"]) EXPECT_EQ(t["file"], "etc/tmpfiles.d/app.conf");
  bool baked_note = false;
  for (auto& n : users["notes"]) baked_note |= n.get<std::string>().find("var/lib/systemd/linger/baked") != std::string::npos;
  EXPECT_TRUE(baked_note) << users["notes"];
}

// The rpm database as rpm's own test suite ships it, placed as rpm-ostree does (usr/share/rpm,
// reached through usr/lib/sysimage/rpm), plus quadlets, units and a symlinked policy.json.
fixture::Recipe facts_with_rpmdb() {
  fixture::Recipe r = recipe("facts");
  fixture::RecipeEntry db;
  db.path = "usr/share/rpm/rpmdb.sqlite";
  db.content = read_file(source_dir() + "/../shared/corpus/rpm/tests/data/misc/rpmdb.sqlite");
  r.layers[1].entries.push_back(db);
  return r;
}

TEST(Facts, PackagesUnitsAndPolicy) {
  TempDir d;
  fixture::Recipe r = facts_with_rpmdb();
  ASSERT_GT(r.layers[1].entries.back().content.size(), 1000u);
  fixture::write_oci({r}, d / "oci");
  Result res = imagelint({"inspect", d / "oci", "--format", "json"});
  ASSERT_EQ(res.code, 0) << res.err;
  auto j = nlohmann::json::parse(res.out);

  std::set<std::string> names;
  for (auto& p : j["packages"]) {
    names.insert(p["name"].get<std::string>());
    EXPECT_EQ(p["db"], "rpm");
  }
  EXPECT_EQ(names, (std::set<std::string>{"foo", "hlinktest", "gpg-pubkey"}));

  std::map<std::string, nlohmann::json> units;
  for (auto& u : j["units"]) units[u["path"]] = u;
  auto& web = units["etc/containers/systemd/users/1001/web.container"];
  EXPECT_EQ(web["scope"], "rootless");
  EXPECT_EQ(web["user"], "app");  // uid 1001 from sysusers.d
  EXPECT_TRUE(web["enabled"].get<bool>());
  auto& envoy = units["etc/containers/systemd/envoy.container"];
  EXPECT_EQ(envoy["scope"], "rootful");
  EXPECT_EQ(envoy["user"], "root");
  auto& podman = units["usr/lib/systemd/system/podman.service"];
  EXPECT_EQ(podman["scope"], "system");
  EXPECT_FALSE(podman["enabled"].get<bool>());  // packaged, nobody enabled it
  auto& legacy = units["usr/lib/systemd/system/legacy-app.service"];
  EXPECT_TRUE(legacy["enabled"].get<bool>());
  EXPECT_EQ(legacy["user"], "root");

  EXPECT_EQ(j["policy"]["path"], "usr/share/containers/policy.json");
  EXPECT_EQ(j["policy"]["default"][0]["type"], "reject");
  EXPECT_FALSE(j["policy"].contains("error"));
}

TEST(Facts, UnreadableFactsAreErrorsNotExit2) {
  TempDir d;
  fixture::Recipe r = facts_with_rpmdb();
  auto& db = r.layers[1].entries.back().content;
  db.resize(1000);  // a truncated sqlite file
  fixture::RecipeEntry bad;
  bad.path = "usr/share/containers/policy.json";
  bad.content = "{\"default\": [{\"type\": \"accept\"}]}";
  r.layers[1].entries.push_back(bad);
  fixture::write_oci({r}, d / "oci");
  Result res = imagelint({"inspect", d / "oci", "--format", "json"});
  ASSERT_EQ(res.code, 0) << res.err;
  auto j = nlohmann::json::parse(res.out);
  EXPECT_TRUE(j["packages"].empty());
  ASSERT_FALSE(j["package_errors"].empty());
  EXPECT_NE(j["package_errors"][0].get<std::string>().find("usr/share/rpm/rpmdb.sqlite"), std::string::npos);
  EXPECT_NE(j["policy"]["error"].get<std::string>().find("accept"), std::string::npos) << j["policy"];
}

TEST(Facts, InspectTextSummarises) {
  TempDir d;
  fixture::write_oci({recipe("facts")}, d / "oci");
  Result r = imagelint({"inspect", d / "oci"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("os:            CentOS Stream 10 (Coughlan)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kernel:        6.12.0-61.el10.x86_64 (no vmlinuz) (no modules.dep), 1 modules"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 without a readable .modinfo"), std::string::npos) << r.out;
}

}  // namespace e2e_facts_test
