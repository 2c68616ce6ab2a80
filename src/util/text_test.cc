#include "util/text.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace util_text_test {

TEST(EscapeBytes, PrintableUtf8AndBackslashesAreKeptByteForByte) {
  // systemd's own escaping: the name a user pastes back into `cat` or a glob.
  EXPECT_EQ(escape_bytes("system-systemd\\x2dcryptsetup.slice", false), "system-systemd\\x2dcryptsetup.slice");
  EXPECT_EQ(escape_bytes("dev-disk-by\\x2dlabel-root.device", false), "dev-disk-by\\x2dlabel-root.device");
  EXPECT_EQ(escape_bytes("usr/share/doc/caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", false),
            "usr/share/doc/caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
}

TEST(EscapeBytes, ControlBytesAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(escape_bytes("a\nb\tc\x1b[31m\x7f", false), "a\\x0ab\\x09c\\x1b[31m\\x7f");
  EXPECT_EQ(escape_bytes("bad\xff", false), "bad\\xff");
  EXPECT_EQ(escape_bytes("\xc3", false), "\\xc3");                 // truncated sequence
  EXPECT_EQ(escape_bytes("\xc0\xaf", false), "\\xc0\\xaf");         // overlong '/'
  EXPECT_EQ(escape_bytes("\xed\xa0\x80", false), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_bytes("\xc3\xa9\xff\xc3\xa9", false), "\xc3\xa9\\xff\xc3\xa9");  // resynchronises
  EXPECT_EQ(escape_bytes(std::string("a\0b", 3), false), "a\\x00b");
}

TEST(EscapeBytes, TerminalControlsHiddenInValidUtf8AreEscaped) {
  EXPECT_EQ(escape_bytes("x\xc2\x9b" "31m", false), "x\\xc2\\x9b31m");                // C1 CSI
  EXPECT_EQ(escape_bytes("evil\xe2\x80\xaetxt.exe", false), "evil\\xe2\\x80\\xaetxt.exe");  // bidi override
}

TEST(EscapeBytes, IsIdempotentSoReportsMayEscapeTwice) {
  std::string once = escape_bytes("a\x1b\xff\\x2d\n", false);
  EXPECT_EQ(escape_bytes(once, false), once);
  EXPECT_EQ(escape_lines("label=\x1b[2J\nname=\xff\n\n"), "label=\\x1b[2J\nname=\\xff\n\n");
}

TEST(Shorten, CutsCharactersNotBytes) {
  EXPECT_EQ(shorten("abcdef", 0), "abcdef");
  EXPECT_EQ(shorten("abcdef", 6), "abcdef");
  EXPECT_EQ(shorten("abcdef", 4), "abc…");
  EXPECT_EQ(shorten("caf\xc3\xa9s", 4), "caf…");
  EXPECT_EQ(shorten("ab\xc3\xa9", 3), "ab\xc3\xa9");  // three characters fit in three
}

TEST(EscapeBytes, BinaryValuesKeepOnlyPrintableAscii) {
  EXPECT_EQ(escape_bytes("cap=\x01\x02 a\\b\xc3\xa9", true), "cap=\\x01\\x02\\x20a\\x5cb\\xc3\\xa9");
}

}  // namespace util_text_test
}  // namespace imagelint
