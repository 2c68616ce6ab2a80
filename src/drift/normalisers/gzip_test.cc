// The gzip normaliser: header and compression level left out, content kept; held against files
// written by gzip(1).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "drift/normalise.h"
#include "harness.h"

namespace imagelint::drift {
namespace drift_normalisers_gzip_test {

using testing_util::read_file;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

Substance gz(std::string_view b) { return find_normaliser("gzip")(b); }

class GzipNormaliser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_util::have("gzip")) GTEST_SKIP() << "gzip is not installed";
  }
  // gzip(1) on a file holding content whose mtime is mtime; flags such as -n or -9.
  std::string gzip(const std::string& content, long mtime, const std::string& flag = "-6") {
    write_file(d_ / "data.txt", content);
    EXPECT_EQ(run({"touch", "-d", fmt::format("@{}", mtime), d_ / "data.txt"}).code, 0);
    EXPECT_EQ(run({"sh", "-c", fmt::format("gzip -c {} data.txt > data.gz", flag)}, d_.path()).code, 0);
    return read_file(d_ / "data.gz");
  }
  TempDir d_;
};

std::string text() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "line " + std::to_string(i % 97) + " of a compressible file\n";
  return s;
}

TEST_F(GzipNormaliser, HeaderAndLevelAreLeftOut) {
  std::string a = gzip(text(), 1000000000), b = gzip(text(), 1100000000), n = gzip(text(), 1000000000, "-n");
  std::string fast = gzip(text(), 1000000000, "-1"), best = gzip(text(), 1000000000, "-9");
  ASSERT_NE(a, b);
  ASSERT_NE(fast, best);
  Substance sa = gz(a);
  ASSERT_TRUE(sa.ok) << sa.error;
  for (const std::string* other : {&b, &n, &fast, &best}) {
    Substance s = gz(*other);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.digest, sa.digest);
  }
  EXPECT_EQ(sa.digest, xxh128_of(text()));  // the digest is the content's
}

TEST_F(GzipNormaliser, OtherContentDiffers) {
  Substance a = gz(gzip(text(), 1)), b = gz(gzip(text() + "one more line\n", 1));
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_NE(a.digest, b.digest);
}

TEST_F(GzipNormaliser, EveryMemberCounts) {
  std::string one = gzip("first\n", 1), two = gzip("second\n", 2);
  Substance s = gz(one + two);
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.digest, xxh128_of("first\nsecond\n"));
}

TEST_F(GzipNormaliser, TruncatedOrNotGzipIsNotOk) {
  std::string a = gzip(text(), 1);
  for (size_t cut : {size_t{1}, size_t{10}, a.size() / 2, a.size() - 1}) {
    Substance s = gz(a.substr(0, cut));
    EXPECT_FALSE(s.ok) << cut;
    EXPECT_FALSE(s.error.empty());
  }
  EXPECT_FALSE(gz("plain text").ok);
  std::string corrupt = a;
  corrupt[corrupt.size() / 2] ^= 0x55;
  EXPECT_FALSE(gz(corrupt).ok);
  EXPECT_FALSE(gz(a + "trailing").ok);
}

}  // namespace drift_normalisers_gzip_test
}  // namespace imagelint::drift
