#include "drift/udiff.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace drift_udiff_test {
using namespace imagelint::drift;

TEST(Udiff, OneChangedLineWithContext) {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n", b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(unified_diff(a, b, "etc/x"),
            "--- a/etc/x\n+++ b/etc/x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(Udiff, AdditionsAtTheEndAndFromEmpty) {
  EXPECT_EQ(unified_diff("a\n", "a\nb\n", "f"), "--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n a\n+b\n");
  EXPECT_EQ(unified_diff("", "x\n", "f"), "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n");
  EXPECT_EQ(unified_diff("same\n", "same\n", "f"), "");
}

TEST(Udiff, DistantChangesMakeTwoHunks) {
  std::string a, b;
  for (int i = 0; i < 30; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 2 || i == 25 ? "x" : std::to_string(i)) + "\n";
  }
  std::string d = unified_diff(a, b, "f");
  EXPECT_NE(d.find("@@ -1,6 +1,6 @@"), std::string::npos) << d;
  EXPECT_NE(d.find("@@ -23,7 +23,7 @@"), std::string::npos) << d;
}

TEST(Udiff, BoundedInLinesAndInEdits) {
  std::string a, b;
  for (int i = 0; i < 100; ++i) {
    a.append("a").append(std::to_string(i)).append("\n");
    b.append("b").append(std::to_string(i)).append("\n");
  }
  std::string d = unified_diff(a, b, "f", 10, 1000);
  EXPECT_NE(d.find("more lines\n"), std::string::npos) << d;
  EXPECT_LE(std::count(d.begin(), d.end(), '\n'), 13);
  EXPECT_EQ(unified_diff(a, b, "f", 60, 50), "(more than 50 lines differ: 100 lines → 100 lines)\n");
}

TEST(Udiff, TextDetection) {
  EXPECT_TRUE(looks_like_text("key = value\n\tindented\n"));
  EXPECT_FALSE(looks_like_text("innocent\rEVIL\n"));  // a carriage return hides what precedes it
  EXPECT_TRUE(looks_like_text("héllo\n"));
  EXPECT_FALSE(looks_like_text(""));
  EXPECT_FALSE(looks_like_text(std::string("a\0b", 3)));
  EXPECT_FALSE(looks_like_text("\x1b[31mred\n"));   // a terminal escape
  EXPECT_FALSE(looks_like_text("\xff\xfe bad utf-8"));
  EXPECT_FALSE(looks_like_text("a \xc2\x9b" "31m C1 CSI\n"));           // U+009B: a terminal control
  EXPECT_FALSE(looks_like_text("user \xe2\x80\xae" "nimda\n"));        // U+202E: right-to-left override
}

}  // namespace drift_udiff_test
