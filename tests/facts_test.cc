// Facts end to end: `imagelint inspect --format json` on an image written from a recipe.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness.h"

using namespace testing_util;

namespace {

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

}  // namespace
