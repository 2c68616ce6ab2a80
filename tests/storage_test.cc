// containers-storage: images that skopeo (the real writer, containers/image + containers/storage)
// copied into an overlay store and a vfs store in a temp dir, read in place and compared with the
// same image read from its OCI layout.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_storage_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

struct Store {
  std::string driver, root, run;
  std::string ref(const std::string& name) const { return "containers-storage:[" + driver + "@" + root + "+" + run + "]" + name; }
};

// Writes the recipes as an OCI layout and copies each into a store of each driver.
class StorageTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!have("skopeo")) GTEST_SKIP() << "skopeo is not installed";
    fixture::Recipe layers = recipe("layers");  // whiteouts, an opaque directory, a symlinked parent
    layers.tag = "layers";
    fixture::Recipe good = recipe("good-instance");
    good.tag = "good";
    fixture::write_oci({layers, good}, d / "oci");
    for (std::string driver : {"overlay", "vfs"}) {
      Store s{driver, d / (driver + "-root"), d / (driver + "-run")};
      for (std::string tag : {"layers", "good"}) {
        Result r = run({"skopeo", "copy", "--quiet", "oci:" + d / "oci" + ":" + tag, s.ref("example/" + tag + ":1")});
        if (store_unwritable(r)) GTEST_SKIP() << "skopeo cannot write a store here: " << r.err;
        ASSERT_EQ(r.code, 0) << r.err;
      }
      stores.push_back(s);
    }
  }
  TempDir d;
  std::vector<Store> stores;
};

TEST_F(StorageTest, ListsTheSameFilesAsTheOciLayoutWhiteoutsAndOpaqueDirectoriesIncluded) {
  for (std::string tag : {"layers", "good"}) {
    Result oci = imagelint({"ls", "--long", "oci:" + d / "oci" + ":" + tag});
    ASSERT_EQ(oci.code, 0) << oci.err;
    for (const Store& s : stores) {
      std::string before = snapshot(s.root);
      Result st = imagelint({"ls", "--long", s.ref("example/" + tag + ":1")});
      EXPECT_EQ(st.code, 0) << st.err;
      EXPECT_EQ(st.out, oci.out) << s.driver << " " << tag;
      EXPECT_EQ(snapshot(s.root), before) << "the store changed";
    }
  }
  // The layers recipe deletes etc/hosts and empties var/cache/dnf: neither is listed.
  Result ls = imagelint({"ls", stores[0].ref("example/layers:1")});
  EXPECT_EQ(ls.out.find("etc/hosts\n"), std::string::npos) << ls.out;
}

TEST_F(StorageTest, CheckAndDiffAgreeAcrossTransports) {
  auto findings = [](const std::string& img) {
    Result r = run({"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", img, "--format", "json"});
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
    return nlohmann::json::parse(r.out)["findings"];
  };
  nlohmann::json want = findings("oci:" + d / "oci:good");
  for (const Store& s : stores) {
    EXPECT_EQ(findings(s.ref("example/good:1")), want) << s.driver;
    Result diff = imagelint({"diff", s.ref("example/good:1"), "oci:" + d / "oci:good", "--format", "json"});
    EXPECT_EQ(diff.code, 0) << diff.err << diff.out.substr(0, 2000);
    EXPECT_EQ(nlohmann::json::parse(diff.out)["verdict"], "identical") << diff.out.substr(0, 2000);
  }
}

TEST_F(StorageTest, NamesIdsAndDefaultsFromStorageConf) {
  const Store& s = stores[0];
  auto images = nlohmann::json::parse(read_file(s.root + "/overlay-images/images.json"));
  std::string id;
  for (auto& im : images)
    for (auto& n : im["names"])
      if (n == "docker.io/example/good:1") id = im["id"];
  ASSERT_FALSE(id.empty());
  std::string want = imagelint({"ls", s.ref("example/good:1")}).out;
  EXPECT_EQ(imagelint({"ls", s.ref(id)}).out, want);
  EXPECT_EQ(imagelint({"ls", s.ref(id.substr(0, 12))}).out, want);
  EXPECT_EQ(imagelint({"ls", s.ref("docker.io/example/good:1")}).out, want);
  // No specifier: the store comes from storage.conf.
  write_file(d / "storage.conf", "[storage]\ndriver = \"overlay\"\ngraphroot = \"" + s.root + "\"\nrunroot = \"" + s.run + "\"\n");
  Result r = run({"env", "CONTAINERS_STORAGE_CONF=" + d / "storage.conf", IMAGELINT_BIN, "ls", "containers-storage:example/good:1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, want);
  Result missing = imagelint({"ls", s.ref("example/nothing:1")});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no image named 'example/nothing:1' (images here: "), std::string::npos) << missing.err;
}

// Stores that are missing, half-written or changed behind the store's back: exit 2, one line
// naming the file.
TEST_F(StorageTest, BrokenStoresAreRefusedNamingTheFile) {
  const Store& s = stores[0];
  auto refused = [&](const std::string& needle) {
    Result r = imagelint({"ls", s.ref("example/good:1")});
    EXPECT_EQ(r.code, 2) << needle << ": " << r.out.substr(0, 500);
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "' in: " << r.err;
  };
  Result missing = imagelint({"ls", "containers-storage:[overlay@" + d / "nothing" + "]x"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no container storage here"), std::string::npos) << missing.err;

  // A file of the top layer changed in place (same size): its diff_id no longer adds up.
  auto layers = nlohmann::json::parse(read_file(s.root + "/overlay-layers/layers.json"));
  std::string top;
  for (auto& l : layers)
    if (l.contains("parent")) top = l["id"];
  ASSERT_FALSE(top.empty());
  std::string file = s.root + "/overlay/" + top + "/diff/etc/containers/policy.json";
  ASSERT_TRUE(std::filesystem::exists(file));
  std::string policy = read_file(file);
  write_file(file, std::string(policy.size(), ' '));
  refused("diff_id mismatch");
  std::filesystem::remove(file);
  refused("policy.json");
  write_file(file, policy);

  // The layer's etc swapped for a symlink to the host's /etc: resolved inside the layer (a loop
  // there), the host's policy.json is never read.
  std::string etc = s.root + "/overlay/" + top + "/diff/etc";
  std::filesystem::rename(etc, etc + ".away");
  std::filesystem::create_symlink("/etc", etc);
  refused("Too many levels of symbolic links");
  std::filesystem::remove(etc);
  std::filesystem::rename(etc + ".away", etc);

  std::string split = s.root + "/overlay-layers/" + top + ".tar-split.gz";
  std::filesystem::rename(split, split + ".away");
  refused(split);
  std::filesystem::rename(split + ".away", split);

  std::string images = read_file(s.root + "/overlay-images/images.json");
  write_file(s.root + "/overlay-images/images.json", images.substr(0, images.size() / 2));
  refused("images.json: not valid JSON");
  write_file(s.root + "/overlay-images/images.json", images);

  std::string list = read_file(s.root + "/overlay-layers/layers.json");
  write_file(s.root + "/overlay-layers/layers.json", "[]");
  refused("is not in the store");
  write_file(s.root + "/overlay-layers/layers.json", list);
  EXPECT_EQ(imagelint({"ls", s.ref("example/good:1")}).code, 0);
}

}  // namespace e2e_storage_test
