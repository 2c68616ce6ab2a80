// The shadow normaliser: a lastchg date (field 3) is blanked on every line; nothing else changes.
#include <gtest/gtest.h>

#include "drift/normalise.h"

namespace imagelint::drift {
namespace drift_normalisers_shadow_test {

Substance shadow(std::string_view b) { return find_normaliser("shadow")(b); }

const std::string kA =
    "root:*:19000:0:99999:7:::\n"
    "alice:$y$j9T$abc$def:19001:0:99999:7:::\n"
    "broken-line\n"
    "two:fields\n";

TEST(ShadowNormaliser, LastChangeIsLeftOut) {
  std::string b = kA;
  b.replace(b.find("19000"), 5, "20111");
  b.replace(b.find("19001"), 5, "19005");
  Substance sa = shadow(kA), sb = shadow(b);
  ASSERT_TRUE(sa.ok && sb.ok);
  EXPECT_EQ(sa.digest, sb.digest);
  // The last line without its '\n', and lastchg as its last field.
  EXPECT_EQ(shadow("a:b:1").digest, shadow("a:b:2").digest);
  EXPECT_EQ(shadow("a:b:1\n").digest, shadow("a:b:7\n").digest);
}

TEST(ShadowNormaliser, EverythingElseCounts) {
  const Substance a = shadow(kA);
  auto differs = [&](const std::string& from, const std::string& to) {
    std::string b = kA;
    b.replace(b.find(from), from.size(), to);
    EXPECT_NE(shadow(b).digest, a.digest) << from << " -> " << to;
  };
  differs("$y$j9T$abc$def", "$y$j9T$abc$deg");  // a password hash
  differs("root:*", "root:");                    // a password removed
  differs(":0:99999:7:::\nalice", ":1:99999:7:::\nalice");  // min
  differs("broken-line", "broken-lime");
  differs("two:fields", "two:field");
  EXPECT_NE(shadow("a:b:1\nc:d:1\n").digest, shadow("c:d:1\na:b:1\n").digest);  // line order
  EXPECT_NE(shadow("a:b:1\n").digest, shadow("a:b:1").digest);               // final newline
  EXPECT_NE(shadow("a:b:1:2").digest, shadow("a:b:1:3").digest);
  // lastchg 0 forces a password change at next login and empty turns aging off: not dates.
  EXPECT_NE(shadow("a:b:0:0:99999:7:::\n").digest, shadow("a:b:19000:0:99999:7:::\n").digest);
  EXPECT_NE(shadow("a:b::0:99999:7:::\n").digest, shadow("a:b:19000:0:99999:7:::\n").digest);
  EXPECT_EQ(shadow("a:b:19000:0:99999:7:::\n").digest, shadow("a:b:20417:0:99999:7:::\n").digest);
}

}  // namespace drift_normalisers_shadow_test
}  // namespace imagelint::drift
