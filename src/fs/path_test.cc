#include "fs/path.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace {

std::string norm(const std::string& p) {
  std::string out;
  EXPECT_TRUE(normalize_path(p, out)) << p;
  return out;
}

TEST(Path, Normalises) {
  EXPECT_EQ(norm("./etc/hosts"), "etc/hosts");
  EXPECT_EQ(norm("/etc//hosts/"), "etc/hosts");
  EXPECT_EQ(norm("a/./b/../c"), "a/c");
  EXPECT_EQ(norm("."), "");
  EXPECT_EQ(norm("./"), "");
  std::string out;
  EXPECT_FALSE(normalize_path("../x", out));
  EXPECT_FALSE(normalize_path("a/../../x", out));
  EXPECT_FALSE(normalize_path("/..", out));
}

TEST(Path, Parts) {
  EXPECT_EQ(parent_path("a/b/c"), "a/b");
  EXPECT_EQ(parent_path("a"), "");
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_EQ(join_path("", "x"), "x");
  EXPECT_EQ(join_path("a", "x"), "a/x");
  EXPECT_TRUE(path_within("usr/lib/x", "usr/lib"));
  EXPECT_TRUE(path_within("usr/lib", "usr/lib"));
  EXPECT_FALSE(path_within("usr/libexec", "usr/lib"));
  EXPECT_TRUE(path_within("anything", ""));
}

TEST(Path, Glob) {
  EXPECT_TRUE(glob_match("usr/bin/gcc*", "usr/bin/gcc-14"));
  EXPECT_FALSE(glob_match("usr/bin/*", "usr/bin/sub/x"));
  EXPECT_TRUE(glob_match("usr/**", "usr/bin/sub/x"));
  EXPECT_TRUE(glob_match("**/*.ko.xz", "usr/lib/modules/k/extra/zfs.ko.xz"));
  EXPECT_TRUE(glob_match("**/vmlinuz", "vmlinuz"));
  EXPECT_TRUE(glob_match("etc/host?", "etc/hosts"));
  EXPECT_FALSE(glob_match("etc/host?", "etc/host/"));
  EXPECT_TRUE(glob_match("lib/[a-c]*", "lib/b1"));
  EXPECT_FALSE(glob_match("lib/[!a-c]*", "lib/b1"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
}

}  // namespace
}  // namespace imagelint
