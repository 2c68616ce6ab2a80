#include "util/utf8.h"

#include <gtest/gtest.h>

namespace imagelint {

TEST(Utf8, StrictAsRfc3629) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // 2, 3 and 4 bytes
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));          // overlong, 3 bytes
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));          // a surrogate (U+D800)
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));              // cut short
  EXPECT_FALSE(valid_utf8("\x80"));                  // a lone continuation byte
  EXPECT_EQ(utf8_sequence_length("a\xe2\x82\xac", 1), 3u);
  EXPECT_EQ(utf8_sequence_length("a\xe2\x82\xac", 0), 1u);
}

TEST(Utf8, EveryBadByteBecomesOneReplacement) {
  EXPECT_EQ(utf8_or_replacement("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(utf8_or_replacement("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(utf8_or_replacement("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace imagelint
