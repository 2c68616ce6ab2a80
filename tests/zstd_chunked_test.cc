// zstd:chunked layers written by containers/storage's own compressor (fixtures/zstd-chunked):
// the file-level cost of a partial pull beside the whole-layer figure, and lying TOCs refused.
#include <gtest/gtest.h>

#include "harness.h"

namespace e2e_zstd_chunked_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

class ZstdChunked : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    ASSERT_TRUE(have("go")) << "go is missing: run ci/install-deps.sh (golang-go, golang-github-containers-storage-dev)";
    Result made = run({"sh", source_dir() + "/fixtures/zstd-chunked/make.sh", *dir_ / "t"});
    ASSERT_EQ(made.code, 0) << made.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string ref(const std::string& layout, const std::string& tag) { return "oci:" + *dir_ / ("t/" + layout) + ":" + tag; }
  static TempDir* dir_;
};
TempDir* ZstdChunked::dir_ = nullptr;

TEST_F(ZstdChunked, APartialPullFetchesOneFileAndTheToc) {
  Result r = imagelint({"diff", ref("img", "a"), ref("img", "b"), "--format", "json", "--no-cache"});
  ASSERT_EQ(r.code, 1) << r.err;
  auto u = nlohmann::json::parse(r.out)["update"];
  ASSERT_EQ(u["layers"].size(), 2u) << u.dump(2);
  const auto& l0 = u["layers"][0];
  EXPECT_EQ(l0["status"], "drift");
  EXPECT_EQ(u["layers"][1]["status"], "reused");
  ASSERT_TRUE(l0.contains("chunked_download_bytes")) << l0.dump(2);
  const uint64_t whole = l0["size"], partial = l0["chunked_download_bytes"];
  // One changed 13-byte file and the TOC of 200-odd entries, against a 4 MB layer.
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, whole / 50) << partial << " of " << whole;
  EXPECT_EQ(u["chunked"]["download_bytes"], partial);
  EXPECT_EQ(u["download_bytes"], whole);
  Result text = imagelint({"diff", ref("img", "a"), ref("img", "b"), "--no-cache"});
  EXPECT_NE(text.out.find("zstd:chunked partial pull"), std::string::npos) << text.out;
}

TEST_F(ZstdChunked, ALyingTocIsExit2NamingTheLayer) {
  const std::pair<const char*, const char*> cases[] = {
      {"hostile-offset-past-blob", "endOffset is not an integer within the blob"},
      {"hostile-file-not-in-tar", "lists usr/lib/big/not-in-the-tar, which the layer's tar does not hold"},
      {"hostile-position-outside", "lies outside the"},
      {"hostile-position-overflow", "lies outside the"},
  };
  for (auto& [layout, why] : cases) {
    Result r = imagelint({"diff", ref("img", "a"), ref(layout, "b"), "--no-cache"});
    EXPECT_EQ(r.code, 2) << layout << ": " << r.out;
    EXPECT_NE(r.err.find(why), std::string::npos) << layout << ": " << r.err;
    EXPECT_NE(r.err.find("blobs/sha256/"), std::string::npos) << layout << ": " << r.err;  // names the layer's blob
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
  }
}

}  // namespace e2e_zstd_chunked_test
