#include "report/finding_groups.h"

#include <deque>

#include <gtest/gtest.h>

namespace imagelint {
namespace report_finding_groups_test {

struct Findings {
  std::deque<Finding> store;
  std::vector<const Finding*> ptrs;
  void add(const std::string& path, const std::string& message = "m") {
    Finding f;
    f.rule = "r";
    f.path = path;
    f.message = message;
    store.push_back(f);
    ptrs.push_back(&store.back());
  }
};

size_t covered(const FindingRows& rows) {
  size_t n = rows.hidden;
  for (auto& r : rows.rows) n += r.count;
  return n;
}

TEST(FindingGroups, FewFindingsAreEachARow) {
  Findings f;
  f.add("var/b");
  f.add("var/a");
  f.add("");
  FindingRows rows = group_findings(f.ptrs, 5);
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[0].path, "");
  EXPECT_EQ(rows.rows[1].path, "var/a");
  EXPECT_EQ(rows.rows[2].path, "var/b");
  for (auto& r : rows.rows) EXPECT_EQ(r.count, 1u);  // each printed whole
}

TEST(FindingGroups, ManyFilesBecomeTheirDirectoriesWithCounts) {
  Findings f;
  f.add("var/cache");  // the directory is a finding itself, as var-tmpfiles reports it
  f.add("var/cache/apt");
  for (int i = 0; i < 400; ++i) f.add("var/cache/apt/archives/p" + std::to_string(i) + ".deb");
  for (int i = 0; i < 300; ++i) f.add("var/lib/dpkg/info/p" + std::to_string(i) + ".list");
  f.add("var/log/x.log");
  FindingRows rows = group_findings(f.ptrs, 5);
  EXPECT_LE(rows.rows.size(), 5u);
  EXPECT_EQ(covered(rows), f.ptrs.size());  // every finding is counted somewhere
  bool cache = false, dpkg = false;
  for (auto& r : rows.rows) {
    if (r.path == "var/cache") {  // a finding itself: the top of everything below it
      cache = r.count == 402 && r.below;
      EXPECT_EQ(r.sample->path, r.path);  // the shallowest finding speaks for the row
    }
    if (r.path.starts_with("var/lib/dpkg")) dpkg = r.count == 300 && r.below && r.sample->path.starts_with("var/lib/dpkg/info/p");
  }
  EXPECT_TRUE(cache);
  EXPECT_TRUE(dpkg);  // a single-child chain is opened to its deepest directory
  for (auto& r : rows.rows)
    if (r.path.starts_with("var/lib")) {
      EXPECT_EQ(r.path, "var/lib/dpkg/info");
    }
}

TEST(FindingGroups, AWideDirectoryOpensIntoItsLargestChildren) {
  // As Debian's var: one directory holds most findings, a dozen small ones the rest.
  Findings f;
  for (int i = 0; i < 800; ++i) f.add(std::string("var/lib/dpkg/info/p").append(std::to_string(i)));
  for (int d = 0; d < 12; ++d) f.add(std::string("var/lib/small").append(std::to_string(d)).append("/x"));
  f.add("var/lib/dpkg");  // a finding itself: stays closed
  FindingRows rows = group_findings(f.ptrs, 5);
  ASSERT_EQ(rows.rows.size(), 5u);
  EXPECT_EQ(covered(rows), f.ptrs.size());
  EXPECT_EQ(rows.hidden, 8u);  // four small directories shown, eight not
  bool dpkg = false;
  for (auto& r : rows.rows) dpkg |= r.path == "var/lib/dpkg" && r.count == 801;
  EXPECT_TRUE(dpkg);
  // A directory of 780 files alone does not open into five of them.
  Findings g;
  for (int i = 0; i < 780; ++i) g.add(std::string("var/lib/dpkg/info/p").append(std::to_string(i)));
  FindingRows one = group_findings(g.ptrs, 5);
  ASSERT_EQ(one.rows.size(), 1u);
  EXPECT_EQ(one.rows[0].path, "var/lib/dpkg/info");
  EXPECT_EQ(one.hidden, 0u);
}

TEST(FindingGroups, TooManyTopLevelPlacesKeepTheLargest) {
  Findings f;
  for (int d = 0; d < 10; ++d)
    for (int i = 0; i <= d; ++i) f.add(std::string("d").append(std::to_string(d)).append("/f").append(std::to_string(i)));
  FindingRows rows = group_findings(f.ptrs, 3);
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[0].path, "d7");
  EXPECT_EQ(rows.rows[2].path, "d9");
  EXPECT_EQ(covered(rows), f.ptrs.size());
  EXPECT_EQ(rows.hidden, f.ptrs.size() - 8 - 9 - 10);
}

TEST(FindingGroups, SeveralFindingsOnOnePathStayTogether) {
  Findings f;
  for (int i = 0; i < 8; ++i) f.add("etc/a", "message " + std::to_string(i));
  f.add("etc/b");
  FindingRows rows = group_findings(f.ptrs, 5);
  EXPECT_EQ(covered(rows), 9u);
  ASSERT_FALSE(rows.rows.empty());
  int etc_a = 0;
  for (auto& r : rows.rows)
    if (r.path == "etc/a") {
      ++etc_a;
      EXPECT_EQ(r.count, 8u);
      EXPECT_FALSE(r.below);
    }
  EXPECT_EQ(etc_a, 1);  // one row holds all eight
}

TEST(FindingGroups, DeepHostilePathsAreBounded) {
  Findings f;
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep.append(i ? "/d" : "d");
  for (int i = 0; i < 20; ++i) f.add(deep + "/f" + std::to_string(i));
  FindingRows rows = group_findings(f.ptrs, 5);
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].path, deep);
  EXPECT_EQ(rows.rows[0].count, 20u);
}

}  // namespace report_finding_groups_test
}  // namespace imagelint
