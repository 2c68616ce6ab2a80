#include "util/path.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace util_path_test {

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
  EXPECT_TRUE(glob_match("a[*]b", "a*b"));
  EXPECT_FALSE(glob_match("a[*]b", "axb"));
}

TEST(Glob, BackslashIsAnOrdinaryCharacterAsInSystemdNames) {
  const char* slice = "usr/lib/systemd/system/system-systemd\\x2dcryptsetup.slice";
  EXPECT_TRUE(glob_match(slice, slice));  // a name as `ls` prints it is a glob of itself
  EXPECT_TRUE(glob_match("usr/lib/systemd/system/system-systemd\\x2d*", slice));
  EXPECT_TRUE(glob_match("**/*\\x2d*.slice", slice));
  EXPECT_FALSE(glob_match("usr/lib/systemd/system/system-systemdx2d*", slice));
}

TEST(Glob, ManyStarsDoNotBacktrackExponentially) {
  // Without the memo of failed states this takes longer than the universe has.
  std::string path(1000, 'a');
  std::string pat;
  for (int i = 0; i < 30; ++i) pat += "*a";
  EXPECT_FALSE(glob_match(pat + "*b", path));
  EXPECT_TRUE(glob_match(pat + "*", path));
  EXPECT_FALSE(glob_match("**a**a**a**a**a**a**a**a**a**a**b", "x/" + path + "/" + path));
  std::string sep;
  for (int i = 0; i < 65; ++i) sep += "*x";
  EXPECT_FALSE(glob_match(sep, std::string(200, 'x')));  // more than kMaxGlobStars: matches nothing
  EXPECT_TRUE(glob_match(sep.substr(0, 128), std::string(200, 'x')));  // 64 stars still match
}

}  // namespace util_path_test
}  // namespace imagelint

namespace util_path_test {

TEST(Path, GlobLeadsToTheDirectoriesAboveWhatItMatches) {
  using imagelint::glob_leads_to;
  EXPECT_TRUE(glob_leads_to("etc/containers/**", "etc"));
  EXPECT_TRUE(glob_leads_to("var/home/*/.ssh/**", "var/home"));
  EXPECT_TRUE(glob_leads_to("var/home/*/.ssh/**", "var/home/core"));
  EXPECT_TRUE(glob_leads_to("var/home/*/.ssh/**", "var/home/core/.ssh"));
  EXPECT_TRUE(glob_leads_to("**/foo", "a/b/c"));
  EXPECT_TRUE(glob_leads_to("etc/**/x", "etc/a/b"));
  EXPECT_FALSE(glob_leads_to("var/home/*/.ssh/**", "var/lib"));
  EXPECT_FALSE(glob_leads_to("var/home/*/.ssh/**", "var/home/core/.cache"));
  EXPECT_FALSE(glob_leads_to("etc/hostname", "etc/hostname"));  // the glob names etc/hostname itself, nothing below
  EXPECT_FALSE(glob_leads_to("etc/hostname", "usr"));
}

}  // namespace util_path_test
