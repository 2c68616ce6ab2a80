#include "fs/capture.h"

#include <gtest/gtest.h>

#include "fs/build.h"
#include "harness.h"
#include "image/image.h"

namespace imagelint {
namespace fs_capture_test {

using testing_util::TempDir;

fixture::Recipe recipe() {
  fixture::Recipe r;
  fixture::RecipeLayer l0, l1, l2, l3;
  l0.entries = {fixture::file("usr/share/containers/policy.json", "{\"default\":[{\"type\":\"reject\"}]}"),
                fixture::file("usr/share/rpm/rpmdb.sqlite", std::string(5000, 'S')), fixture::file("a", "old"), fixture::file("gone", "x"),
                fixture::file("m/k1.ko", std::string(100000, 'k')), fixture::file("m/k2.ko", "dropped"),
                fixture::file("usr/bin/gcc", "gcc-bytes")};
  l1.entries = {fixture::symlink("usr/lib/sysimage/rpm", "../../share/rpm"), fixture::file("a", "new"),
                fixture::whiteout("gone"), fixture::whiteout("m/k2.ko")};
  l2.entries = {fixture::hardlink("usr/bin/cc", "usr/bin/gcc"), fixture::file("m/k3.ko", "k3")};
  l3.entries = {fixture::symlink("etc/containers/policy.json", "/usr/share/containers/policy.json")};
  r.layers = {l0, l1, l2, l3};
  return r;
}

class CountingVisitor : public EntryVisitor {
 public:
  void data(const char*, size_t n) override { bytes += n; }
  void end() override { ended = true; }
  uint64_t bytes = 0;
  bool ended = false;
};

struct Fixture {
  TempDir dir;
  Image img;
  Fixture() {
    fixture::write_oci({recipe()}, dir / "oci");
    img = open_image(parse_reference(dir / "oci"), {});
  }
};

TEST(Capture, ExactPathsResolveThroughLinksInOtherLayers) {
  Fixture f;
  CaptureSet c;
  c.want_path("etc/containers/policy.json", 1 << 20);   // symlink in layer 3 -> file in layer 0
  c.want_path("usr/lib/sysimage/rpm/rpmdb.sqlite", 1 << 20);  // parent symlink in layer 1
  c.want_path("usr/bin/cc", 100);                       // hardlink in layer 2 -> bytes in layer 0
  c.want_path("a", 100);
  c.want_path("gone", 100);
  BuildResult b = build_filesystem(f.img, &c);
  ASSERT_NE(c.get("etc/containers/policy.json"), nullptr);
  EXPECT_EQ(c.get("etc/containers/policy.json")->data, "{\"default\":[{\"type\":\"reject\"}]}");
  ASSERT_NE(c.get("usr/lib/sysimage/rpm/rpmdb.sqlite"), nullptr);
  EXPECT_EQ(c.get("usr/lib/sysimage/rpm/rpmdb.sqlite")->data.size(), 5000u);
  ASSERT_NE(c.get("usr/bin/cc"), nullptr);
  EXPECT_EQ(c.get("usr/bin/cc")->data, "gcc-bytes");
  EXPECT_EQ(c.get("a")->data, "new");
  EXPECT_EQ(c.get("gone"), nullptr);
  // All three link targets live in layer 0: one layer read again, once.
  EXPECT_EQ(b.rereads, 1);
}

TEST(Capture, DirectHitsNeedNoSecondRead) {
  Fixture f;
  CaptureSet c;
  c.want_path("usr/share/containers/policy.json", 1 << 20);
  c.want_path("usr/share/rpm/rpmdb.sqlite", 100);
  BuildResult b = build_filesystem(f.img, &c);
  EXPECT_EQ(b.rereads, 0);
  const Captured* db = c.get("usr/share/rpm/rpmdb.sqlite");
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->truncated);
  EXPECT_EQ(db->data.size(), 100u);
  EXPECT_EQ(db->size, 5000u);
  EXPECT_EQ(db->layer, 0);
}

TEST(Capture, PatternsAndVisitorsSeeOnlySurvivors) {
  Fixture f;
  CaptureSet c;
  c.want_pattern("m/.*\\.ko", 10);
  int id = c.want_visits(".*\\.ko", "", [](const std::string&, const Entry&) { return std::make_unique<CountingVisitor>(); });
  build_filesystem(f.img, &c);
  std::vector<std::string> got;
  for (auto& [p, cap] : c.all()) got.push_back(p);
  EXPECT_EQ(got, (std::vector<std::string>{"m/k1.ko", "m/k3.ko"}));
  const auto& visits = c.visits(id);
  ASSERT_EQ(visits.size(), 2u);
  auto* k1 = dynamic_cast<CountingVisitor*>(visits.at("m/k1.ko").get());
  ASSERT_NE(k1, nullptr);
  EXPECT_EQ(k1->bytes, 100000u);
  EXPECT_TRUE(k1->ended);
  EXPECT_EQ(visits.count("m/k2.ko"), 0u);
}

// Layers are read in parallel, each by the names its tar holds; an entry that lands elsewhere
// through a symlinked parent made by an earlier layer (usr-merge: lib -> usr/lib) still reaches
// the patterns and visitors of its final path, from one more read of its layer.
TEST(Capture, EntriesWrittenThroughASymlinkedParentReachVisitorsAtTheirFinalPath) {
  TempDir dir;
  fixture::Recipe r;
  fixture::RecipeLayer l0, l1, l2;
  l0.entries = {fixture::dir("usr/lib/modules"), fixture::symlink("lib", "usr/lib")};
  l1.entries = {fixture::file("lib/modules/k.ko", std::string(70000, 'm')), fixture::file("lib/modules/conf", "c=1"),
                fixture::file("usr/lib/modules/direct.ko", "d")};
  l2.entries = {fixture::file("lib/modules/late.ko", "late")};
  r.layers = {l0, l1, l2};
  fixture::write_oci({r}, dir / "oci");
  Image img = open_image(parse_reference(dir / "oci"), {});
  for (const char* threads : {"1", "2", "4"}) {
    SCOPED_TRACE(threads);
    setenv("IMAGELINT_THREADS", threads, 1);
    CaptureSet c;
    c.want_pattern("usr/lib/modules/conf", 100);
    int id = c.want_visits("usr/lib/modules/.*\\.ko", "", [](const std::string&, const Entry&) { return std::make_unique<CountingVisitor>(); });
    BuildResult b = build_filesystem(img, &c);
    ASSERT_NE(c.get("usr/lib/modules/conf"), nullptr);
    EXPECT_EQ(c.get("usr/lib/modules/conf")->data, "c=1");
    const auto& visits = c.visits(id);
    ASSERT_EQ(visits.size(), 3u);
    EXPECT_EQ(dynamic_cast<CountingVisitor&>(*visits.at("usr/lib/modules/k.ko")).bytes, 70000u);
    EXPECT_TRUE(dynamic_cast<CountingVisitor&>(*visits.at("usr/lib/modules/k.ko")).ended);
    EXPECT_EQ(dynamic_cast<CountingVisitor&>(*visits.at("usr/lib/modules/late.ko")).bytes, 4u);
    EXPECT_EQ(dynamic_cast<CountingVisitor&>(*visits.at("usr/lib/modules/direct.ko")).bytes, 1u);
    EXPECT_EQ(b.rereads, 2);  // layers 1 and 2, once each
  }
  unsetenv("IMAGELINT_THREADS");
}

TEST(Capture, ProblemsAreReportedNotThrown) {
  TempDir d;
  fixture::Recipe r;
  fixture::RecipeLayer l;
  l.entries = {fixture::symlink("loop1", "loop2"), fixture::symlink("loop2", "loop1"),
               fixture::symlink("out", "../../x"), fixture::file("dir/x", "x")};
  r.layers = {l};
  fixture::write_oci({r}, d / "oci");
  CaptureSet c;
  for (auto p : {"loop1", "out", "dir", "nothing"}) c.want_path(p, 10);
  build_filesystem(open_image(parse_reference(d / "oci"), {}), &c);
  EXPECT_NE(c.problem("loop1").find("symlink loop"), std::string::npos);
  EXPECT_NE(c.problem("out").find("outside the image root"), std::string::npos);
  EXPECT_NE(c.problem("dir").find("is a dir"), std::string::npos);
  EXPECT_EQ(c.problem("nothing"), "");
  EXPECT_EQ(c.get("nothing"), nullptr);
}

TEST(Capture, RootfsTransport) {
  TempDir d;
  fixture::write_rootfs(recipe(), d / "root");
  CaptureSet c;
  c.want_path("etc/containers/policy.json", 1 << 20);
  c.want_path("usr/bin/cc", 100);
  build_filesystem(open_image(parse_reference("dir:" + d / "root"), {}), &c);
  ASSERT_NE(c.get("etc/containers/policy.json"), nullptr);
  EXPECT_EQ(c.get("etc/containers/policy.json")->data, "{\"default\":[{\"type\":\"reject\"}]}");
  ASSERT_NE(c.get("usr/bin/cc"), nullptr);
  EXPECT_EQ(c.get("usr/bin/cc")->data, "gcc-bytes");
}

}  // namespace fs_capture_test
}  // namespace imagelint

namespace imagelint {
namespace fs_capture_test {

TEST(Capture, BudgetBoundsTheTotal) {
  Fixture f;
  CaptureSet c;
  c.set_budget(6000);
  c.want_pattern(".*", 1 << 20);  // everything, each file up to 1 MiB
  build_filesystem(f.img, &c);
  uint64_t held = 0;
  for (auto& [p, cap] : c.all()) held += cap.data.size();
  EXPECT_LE(held, 6000u);
  ASSERT_FALSE(c.notes().empty());
  EXPECT_NE(c.notes()[0].find("budget"), std::string::npos);
}

}  // namespace fs_capture_test
}  // namespace imagelint
