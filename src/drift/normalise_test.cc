// The normaliser registry: every name resolves, the list is sorted, an unknown name does not.
#include "drift/normalise.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "drift/normalisers/normalisers.h"
#include "util/error.h"

namespace imagelint::drift {
namespace drift_normalise_test {

TEST(NormaliserRegistry, NamesAreSortedAndResolve) {
  std::vector<std::string> names = normaliser_names();
  EXPECT_EQ(names, (std::vector<std::string>{"gzip", "initramfs", "kmod", "pyc", "rpmdb", "shadow"}));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const auto& n : names) EXPECT_NE(find_normaliser(n), nullptr) << n;
  EXPECT_EQ(find_normaliser("tar"), nullptr);
  EXPECT_EQ(find_normaliser(""), nullptr);
}

TEST(NormaliserRegistry, ThrownErrorsBecomeNotOk) {
  // Every normaliser, given nothing or garbage, answers instead of throwing.
  for (const auto& n : normaliser_names()) {
    for (std::string_view junk : {std::string_view(""), std::string_view("\x1f\x8b\x08garbage", 10)}) {
      Substance s = find_normaliser(n)(junk);
      if (!s.ok) {
        EXPECT_FALSE(s.error.empty()) << n;
        EXPECT_EQ(s.error.find('\n'), std::string::npos) << n;
      }
    }
  }
  EXPECT_FALSE(find_normaliser("gzip")("").ok);
  EXPECT_FALSE(find_normaliser("kmod")("").ok);
  EXPECT_FALSE(find_normaliser("pyc")("").ok);
  EXPECT_FALSE(find_normaliser("rpmdb")("").ok);
  EXPECT_FALSE(find_normaliser("initramfs")("").ok);
  EXPECT_TRUE(find_normaliser("shadow")("").ok);  // an empty shadow is a shadow
}

TEST(NormaliserRegistry, DecompressedBytesAreCapped) {
  uint64_t total = 0;
  count_decompressed(&total, 100, 150, "150 bytes");
  EXPECT_EQ(total, 100u);
  EXPECT_THROW(count_decompressed(&total, 51, 150, "150 bytes"), InputError);
  total = kMaxDecompressed - 1;
  EXPECT_NO_THROW(count_decompressed(&total, 1));
  EXPECT_THROW(count_decompressed(&total, 1), InputError);
}

}  // namespace drift_normalise_test
}  // namespace imagelint::drift
