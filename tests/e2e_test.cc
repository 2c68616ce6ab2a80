// End to end: the real binary on images written from fixtures/recipes by tests/recipe.cc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_e2e_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

// `ls --long` without the layer column (dir: has none).
std::string without_layer(const std::string& listing) {
  std::string out;
  for (const std::string& l : lines(listing)) {
    // fields: type mode uid:gid size mtime layer hash path...
    size_t pos = 0;
    for (int i = 0; i < 5; ++i) pos = l.find(' ', pos) + 1;
    size_t end = l.find(' ', pos);
    out += l.substr(0, pos) + l.substr(end + 1) + "\n";
  }
  return out;
}

class LayersImage : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture::Recipe r = recipe("layers");
    fixture::write_oci({r}, dir / "oci");
    fixture::write_oci_archive({r}, dir / "oci.tar");
    fixture::write_docker_archive(r, dir / "docker.tar");
    fixture::write_docker_archive(r, dir / "docker25.tar", /*oci_style=*/true);
    fixture::write_rootfs(r, dir / "rootfs");
  }
  TempDir dir;
};

TEST_F(LayersImage, SameListingThroughEveryTransport) {
  Result oci = imagelint({"ls", "oci:" + dir / "oci", "--long"});
  ASSERT_EQ(oci.code, 0) << oci.err;
  EXPECT_GT(lines(oci.out).size(), 20u);
  for (std::string ref : {"oci:" + dir / "oci" + ":latest", "oci-archive:" + dir / "oci.tar", dir / "oci.tar",
                          "docker-archive:" + dir / "docker.tar", dir / "docker.tar",
                          "docker-archive:" + dir / "docker.tar:example.com/fixture:latest",
                          "docker-archive:" + dir / "docker.tar:@0", dir / "oci", dir / "docker25.tar",
                          "oci-archive:" + dir / "docker25.tar:latest"}) {
    Result r = imagelint({"ls", ref, "--long"});
    ASSERT_EQ(r.code, 0) << ref << ": " << r.err;
    EXPECT_EQ(r.out, oci.out) << ref;
  }
  Result d = imagelint({"ls", "dir:" + dir / "rootfs", "--long"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(without_layer(d.out), without_layer(oci.out));
  for (const std::string& l : lines(d.out)) EXPECT_NE(l.find(" - "), std::string::npos) << l;
}

// Layers are read by several threads and merged in order: the result may not depend on how many.
TEST_F(LayersImage, SameResultWithAnyNumberOfThreadsAndPerfGoesToStderr) {
  std::string ref = "oci:" + dir / "oci";
  std::string want_ls, want_check;
  for (const char* threads : {"1", "2", "3", "8"}) {
    SCOPED_TRACE(threads);
    setenv("IMAGELINT_THREADS", threads, 1);
    Result ls = imagelint({"ls", ref, "--long"});
    Result check = imagelint({"check", ref, "--format", "json"});
    unsetenv("IMAGELINT_THREADS");
    ASSERT_EQ(ls.code, 0) << ls.err;
    ASSERT_NE(check.code, 2) << check.err;
    if (want_ls.empty()) want_ls = ls.out, want_check = check.out;
    EXPECT_EQ(ls.out, want_ls);
    EXPECT_EQ(check.out, want_check);
  }
  Result perf = imagelint({"check", ref, "--format", "json", "--perf"});
  EXPECT_EQ(perf.out, want_check);
  for (const char* stage : {"perf:", "open", "read layers", "facts", "rules", "report", "total", "peak RSS"})
    EXPECT_NE(perf.err.find(stage), std::string::npos) << stage << " in " << perf.err;
}

TEST_F(LayersImage, WhiteoutsOpaqueDirectoriesAndLinksApply) {
  Result r = imagelint({"ls", dir / "oci"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto has = [&](const std::string& p) { return ("\n" + r.out).find("\n" + p + "\n") != std::string::npos; };
  EXPECT_FALSE(has("usr/bin/gcc-14"));          // whiteout in layer 1
  EXPECT_TRUE(has("usr/bin/gcc"));              // deleted in 1, added again in 3
  EXPECT_FALSE(has("etc/hosts"));               // whiteout in layer 2
  EXPECT_FALSE(has("var/cache/dnf/a.rpm"));     // opaque marker after the entries
  EXPECT_FALSE(has("var/cache/dnf/sub/b"));
  EXPECT_TRUE(has("var/cache/dnf/fresh"));      // same layer as the marker: stays
  EXPECT_FALSE(has("home/svc/.profile"));       // opaque marker before the entries
  EXPECT_TRUE(has("home/svc/.bashrc"));
  EXPECT_TRUE(has("usr/lib/modules/6.12.0/vmlinuz"));  // written through the lib -> usr/lib symlink
  EXPECT_FALSE(has("lib/modules"));
  EXPECT_EQ(r.out.find(".wh."), std::string::npos);
}

TEST_F(LayersImage, LongListingCarriesAttributesAndLayer) {
  Result r = imagelint({"ls", dir / "oci", "usr/bin", "--long"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 4u) << r.out;
  EXPECT_EQ(ls[0], "d 0755 0:0 0 2023-11-14T22:13:20Z 0 - usr/bin");
  EXPECT_EQ(ls[1], "l 0777 0:0 0 2023-11-14T22:13:20Z 0 - usr/bin/cc -> gcc");
  EXPECT_TRUE(ls[2].starts_with("- 0755 0:0 12 2023-11-14T22:13:20Z 3 ")) << ls[2];
  EXPECT_TRUE(ls[3].starts_with("- 4755 0:0 10 2023-11-14T22:13:20Z 0 ")) << ls[3];
  Result home = imagelint({"ls", dir / "oci", "home/*", "--long"});
  EXPECT_EQ(home.out, "d 0700 1001:1001 0 2023-11-14T22:13:20Z 0 - home/svc\n");
  Result glob = imagelint({"ls", dir / "oci", "**/vmlinuz"});
  EXPECT_EQ(glob.out, "usr/lib/modules/6.12.0/vmlinuz\n");
}

TEST_F(LayersImage, CatFollowsSymlinksAcrossLayers) {
  Result r = imagelint({"cat", dir / "oci", "/etc/os-release"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ID=centos\nVERSION_ID=10\n");
  Result via_lib = imagelint({"cat", dir / "docker.tar", "lib/os-release"});
  EXPECT_EQ(via_lib.out, r.out);
  Result latest = imagelint({"cat", dir / "oci.tar", "etc/hostname"});
  EXPECT_EQ(latest.out, "fixture-2\n");
  Result big = imagelint({"cat", "dir:" + dir / "rootfs", "lib/modules/6.12.0/vmlinuz"});
  EXPECT_EQ(big.out.size(), 70000u);
  EXPECT_EQ(big.out, imagelint({"cat", dir / "oci", "usr/lib/modules/6.12.0/vmlinuz"}).out);
  Result gone = imagelint({"cat", dir / "oci", "etc/hosts"});
  EXPECT_EQ(gone.code, 2);
  EXPECT_NE(gone.err.find("no such file in the image"), std::string::npos) << gone.err;
  Result isdir = imagelint({"cat", dir / "oci", "usr"});
  EXPECT_EQ(isdir.code, 2);
  EXPECT_NE(isdir.err.find("not a file"), std::string::npos) << isdir.err;
}

TEST_F(LayersImage, InspectReportsEveryLayer) {
  Result r = imagelint({"inspect", dir / "oci", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "imagelint.inspect/v1");
  auto& layers = j["image"]["layers"];
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0]["compression"], "gzip");
  EXPECT_EQ(layers[1]["compression"], "zstd");
  EXPECT_EQ(layers[2]["compression"], "xz");
  EXPECT_EQ(layers[3]["compression"], "none");
  EXPECT_EQ(layers[1]["created_by"], "RUN rm -rf /usr/bin/gcc* && dnf clean all");
  EXPECT_TRUE(j["image"]["manifest_digest"].get<std::string>().starts_with("sha256:"));
  EXPECT_EQ(j["image"]["labels"]["org.opencontainers.image.title"], "layers");
  for (auto& l : layers) EXPECT_GT(l["uncompressed_size"].get<uint64_t>(), 0u);
  Result text = imagelint({"inspect", dir / "docker.tar"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("docker-archive"), std::string::npos);
  EXPECT_NE(text.out.find("RUN rm -rf /usr/bin/gcc*"), std::string::npos);
}

TEST(Platforms, MultiArchIndexPicksThePlatform) {
  TempDir dir;
  fixture::Recipe amd = recipe("layers"), arm = recipe("layers");
  arm.arch = "arm64";
  arm.variant = "v8";
  arm.layers.resize(1);
  fixture::RecipeEntry marker;
  marker.path = "ARM";
  marker.content = "arm\n";
  arm.layers[0].entries.push_back(marker);
  fixture::write_oci({amd, arm}, dir / "multi", /*multiarch=*/true);
  Result a = imagelint({"cat", dir / "multi", "ARM", "--platform", "linux/arm64"});
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, "arm\n");
  Result x = imagelint({"cat", dir / "multi", "ARM", "--platform", "linux/amd64"});
  EXPECT_EQ(x.code, 2);
  Result none = imagelint({"ls", dir / "multi", "--platform", "linux/s390x"});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("available: linux/amd64, linux/arm64/v8"), std::string::npos) << none.err;
}

TEST(Tolerance, TarWithoutEndOfArchiveMarkerReadsWithANote) {
  TempDir dir;
  fixture::Recipe r = recipe("layers");
  for (auto& l : r.layers) l.end_marker = false;
  fixture::write_oci({r}, dir / "oci");
  Result ls = imagelint({"ls", dir / "oci"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  EXPECT_NE(ls.out.find("usr/share/empty"), std::string::npos);
  Result inspect = imagelint({"inspect", dir / "oci"});
  EXPECT_NE(inspect.out.find("no end-of-archive marker"), std::string::npos) << inspect.out;
}

TEST(DockerArchive, RepeatedLayerIsASymlinkInTheArchive) {
  TempDir dir;
  fixture::Recipe r = recipe("layers");
  r.layers.push_back(r.layers[0]);  // the same tar again: docker save links it
  fixture::write_docker_archive(r, dir / "d.tar");
  Result tv = run({"tar", "tvf", dir / "d.tar"});
  EXPECT_NE(tv.out.find("/layer.tar -> ../"), std::string::npos) << tv.out;
  Result ls = imagelint({"ls", dir / "d.tar", "etc/hosts"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  EXPECT_EQ(ls.out, "etc/hosts\n");  // brought back by the repeated base layer
}

}  // namespace e2e_e2e_test

namespace e2e_e2e_test {

// libarchive's pax writer (bsdtar, and the fixture writer) stores an xattr twice, as
// LIBARCHIVE.xattr.NAME and SCHILY.xattr.NAME: it is one attribute, listed once.
TEST(Xattrs, AnAttributeStoredTwiceByLibarchiveIsListedOnce) {
  TempDir d;
  fixture::Recipe r;
  fixture::RecipeLayer l;
  l.entries = {fixture::file("usr/bin/ping", "p")};
  l.entries[0].xattrs = {{"security.capability", "cap"}, {"user.a", "1"}};
  r.layers = {l};
  fixture::write_oci({r}, d / "oci");
  Result ls = imagelint({"ls", "--long", "--xattrs", "oci:" + d / "oci"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  ASSERT_NE(ls.out.find("security.capability="), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("security.capability="), ls.out.rfind("security.capability=")) << ls.out;
  ASSERT_NE(ls.out.find("user.a=1"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("user.a=1"), ls.out.rfind("user.a=1")) << ls.out;
}

}  // namespace e2e_e2e_test
