#include "fs/filesystem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace imagelint {
namespace fs_filesystem_test {

Entry make(EntryType t, const std::string& link = "") {
  Entry e;
  e.type = t;
  e.mode = t == EntryType::Dir ? 0755 : 0644;
  e.link = link;
  return e;
}

std::string listing(const FileSystem& fs) {
  std::string out;
  for (auto& [p, e] : fs.entries()) out += p + "@" + std::to_string(e.layer) + " ";
  return out;
}

TEST(FileSystem, PutCreatesImplicitParents) {
  FileSystem fs;
  ASSERT_TRUE(fs.put("a/b/c", make(EntryType::File), 0, nullptr));
  ASSERT_NE(fs.find("a/b"), nullptr);
  EXPECT_TRUE(fs.find("a/b")->implicit);
  EXPECT_EQ(fs.find("a/b")->type, EntryType::Dir);
  std::string why;
  EXPECT_FALSE(fs.put("a/b/c/d", make(EntryType::File), 0, &why));
  EXPECT_EQ(why, "a/b/c is a file, not a directory");
}

// put() remembers the parent it checked and the slot it filled last; entries out of order, a
// parent replaced by a file, a whiteout and a copy between puts must not mislead it.
TEST(FileSystem, PutInAnyOrderEqualsPutInOrder) {
  const std::vector<std::string> paths = {"b/y", "b/x", "a/c/2", "a/c/1", "a/c/3", "a/b", "a.d/1", "a/c/0", "b/z/q"};
  FileSystem sorted_fs;
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  for (auto& p : sorted) ASSERT_TRUE(sorted_fs.put(p, make(EntryType::File), 0, nullptr));
  FileSystem fs;
  for (auto& p : paths) ASSERT_TRUE(fs.put(p, make(EntryType::File), 0, nullptr)) << p;
  EXPECT_EQ(listing(fs), listing(sorted_fs));
  EXPECT_EQ(listing(fs), "a@0 a.d@0 a.d/1@0 a/b@0 a/c@0 a/c/0@0 a/c/1@0 a/c/2@0 a/c/3@0 b@0 b/x@0 b/y@0 b/z@0 b/z/q@0 ");

  // The parent last checked becomes a file: the next entry under it is refused.
  ASSERT_TRUE(fs.put("b/z/r", make(EntryType::File), 1, nullptr));
  ASSERT_TRUE(fs.put("b/z", make(EntryType::File), 1, nullptr));
  std::string why;
  EXPECT_FALSE(fs.put("b/z/s", make(EntryType::File), 1, &why));
  EXPECT_EQ(why, "b/z is a file, not a directory");
  // A whiteout erases the entry put last; the next put lands where it belongs.
  ASSERT_TRUE(fs.put("a/c/4", make(EntryType::File), 1, nullptr));
  fs.whiteout("a/c/4", 2);
  ASSERT_TRUE(fs.put("a/c/5", make(EntryType::File), 2, nullptr));
  // A copy continues on its own map.
  FileSystem copy = fs;
  ASSERT_TRUE(copy.put("a/c/6", make(EntryType::File), 3, nullptr));
  ASSERT_TRUE(fs.put("a/c/7", make(EntryType::File), 3, nullptr));
  EXPECT_EQ(copy.find("a/c/7"), nullptr);
  EXPECT_EQ(fs.find("a/c/6"), nullptr);
  EXPECT_EQ(listing(copy),
            "a@0 a.d@0 a.d/1@0 a/b@0 a/c@0 a/c/0@0 a/c/1@0 a/c/2@0 a/c/3@0 a/c/5@2 a/c/6@3 b@0 b/x@0 b/y@0 b/z@1 ");
}

TEST(FileSystem, WhiteoutRemovesSubtreeAndRemembers) {
  FileSystem fs;
  fs.put("d", make(EntryType::Dir), 0, nullptr);
  fs.put("d/x", make(EntryType::File), 0, nullptr);
  fs.put("d/y/z", make(EntryType::File), 1, nullptr);
  fs.put("dd", make(EntryType::File), 1, nullptr);
  fs.whiteout("d", 2);
  EXPECT_EQ(listing(fs), "dd@1 ");
  ASSERT_TRUE(fs.removed().count("d/y/z"));
  EXPECT_EQ(fs.removed().at("d/y/z").deleted_in, 2);
  EXPECT_EQ(fs.removed().at("d/y/z").touched, LayerList(u"\x01"));
  // Added again later: the history carries on.
  fs.put("d/x", make(EntryType::File), 3, nullptr);
  EXPECT_EQ(fs.find("d/x")->touched, LayerList(u"\x00\x03", 2));
  EXPECT_FALSE(fs.removed().count("d/x"));
}

TEST(FileSystem, OpaqueHidesOnlyLowerLayers) {
  FileSystem fs;
  fs.put("o/old", make(EntryType::File), 0, nullptr);
  fs.put("o/sub/old", make(EntryType::File), 0, nullptr);
  fs.put("o/new", make(EntryType::File), 1, nullptr);       // written before the marker
  fs.put("o/sub/new", make(EntryType::File), 1, nullptr);   // keeps its lower parent
  fs.opaque("o", 1);
  fs.put("o/later", make(EntryType::File), 1, nullptr);     // written after the marker
  EXPECT_EQ(listing(fs), "o@0 o/later@1 o/new@1 o/sub@0 o/sub/new@1 ");
}

TEST(FileSystem, NonDirectoryReplacesDirectoryAndItsChildren) {
  FileSystem fs;
  fs.put("d/x", make(EntryType::File), 0, nullptr);
  fs.put("d", make(EntryType::Symlink, "elsewhere"), 1, nullptr);
  EXPECT_EQ(listing(fs), "d@1 ");
  fs.put("e", make(EntryType::Dir), 0, nullptr);
  fs.put("e/x", make(EntryType::File), 0, nullptr);
  Entry dir = make(EntryType::Dir);
  dir.mode = 0700;
  fs.put("e", dir, 1, nullptr);  // a directory over a directory merges
  EXPECT_EQ(fs.find("e")->mode, 0700u);
  EXPECT_NE(fs.find("e/x"), nullptr);
}

TEST(FileSystem, ResolveFollowsLinksInsideTheRoot) {
  FileSystem fs;
  fs.put("usr/lib/os-release", make(EntryType::File), 0, nullptr);
  fs.put("etc/os-release", make(EntryType::Symlink, "../usr/lib/os-release"), 0, nullptr);
  fs.put("lib", make(EntryType::Symlink, "usr/lib"), 0, nullptr);
  fs.put("abs", make(EntryType::Symlink, "/lib/os-release"), 0, nullptr);
  EXPECT_EQ(fs.resolve("etc/os-release", true).path, "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("abs", true).path, "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("abs", false).path, "abs");
  EXPECT_EQ(fs.resolve("lib/os-release", false).path, "usr/lib/os-release");
  EXPECT_EQ(fs.resolve("lib/missing", true).status, Resolve::NotFound);
  Resolved w = fs.resolve("lib/new/dir", true, true);
  EXPECT_EQ(w.status, Resolve::Ok);
  EXPECT_EQ(w.path, "usr/lib/new/dir");
  EXPECT_EQ(fs.resolve("usr/lib/os-release/x", true).status, Resolve::NotDir);
}

TEST(FileSystem, ResolveRefusesLoopsAndEscapes) {
  FileSystem fs;
  fs.put("a", make(EntryType::Symlink, "b"), 0, nullptr);
  fs.put("b", make(EntryType::Symlink, "a"), 0, nullptr);
  fs.put("self", make(EntryType::Symlink, "self/x"), 0, nullptr);
  fs.put("up", make(EntryType::Symlink, "../../etc/passwd"), 0, nullptr);
  fs.put("d/up2", make(EntryType::Symlink, "/.."), 0, nullptr);
  EXPECT_EQ(fs.resolve("a", true).status, Resolve::Loop);
  EXPECT_EQ(fs.resolve("self", true).status, Resolve::Loop);
  Resolved e = fs.resolve("up", true);
  EXPECT_EQ(e.status, Resolve::Escapes);
  EXPECT_EQ(e.via, "up");
  EXPECT_EQ(fs.resolve("d/up2/x", true, true).status, Resolve::Escapes);
}

TEST(FileSystem, PlaceWritesThroughParentSymlinks) {
  FileSystem fs;
  fs.put("usr/lib", make(EntryType::Dir), 0, nullptr);
  fs.put("lib", make(EntryType::Symlink, "usr/lib"), 0, nullptr);
  EXPECT_EQ(fs.place("lib/modules/k").path, "usr/lib/modules/k");
  EXPECT_EQ(fs.place("lib").path, "lib");  // the last component is the entry itself
  // The cached parent must not survive a change of what the parent is.
  fs.put("lib", make(EntryType::Dir), 1, nullptr);
  EXPECT_EQ(fs.place("lib/modules/k").path, "lib/modules/k");
}

}  // namespace fs_filesystem_test
}  // namespace imagelint
