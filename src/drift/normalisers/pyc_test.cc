// The pyc normaliser: the source mtime in the header is left out, nothing else is; held against
// .pyc files written by python3's py_compile when it is installed.
#include <gtest/gtest.h>

#include "drift/normalise.h"
#include "harness.h"

namespace imagelint::drift {
namespace drift_normalisers_pyc_test {

using testing_util::read_file;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

Substance pyc(std::string_view b) { return find_normaliser("pyc")(b); }

std::string le32(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
}
// 3.12's magic (3531) and a header with the given flags and 8 bytes after them.
std::string header(uint32_t flags, uint32_t a, uint32_t b) { return le32(3531 | (0x0a0d << 16)) + le32(flags) + le32(a) + le32(b); }

TEST(PycNormaliser, IgnoresOnlyTheSourceMtime) {
  const std::string code = "\xe3" "code object bytes";
  Substance a = pyc(header(0, 1700000000, 120) + code), b = pyc(header(0, 1800000000, 120) + code);
  ASSERT_TRUE(a.ok) << a.error;
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_NE(a.digest, pyc(header(0, 1700000000, 121) + code).digest);      // source size
  EXPECT_NE(a.digest, pyc(header(0, 1700000000, 120) + code + "x").digest);  // code
  EXPECT_NE(a.digest, pyc(header(0, 1700000000, 120)).digest);
}

TEST(PycNormaliser, HashBasedKeepsTheSourceHash) {
  const std::string code = "\xe3" "code";
  Substance a = pyc(header(1, 1, 2) + code), b = pyc(header(1, 1, 3) + code), c = pyc(header(3, 1, 2) + code);
  ASSERT_TRUE(a.ok && b.ok && c.ok);
  EXPECT_NE(a.digest, b.digest);
  EXPECT_NE(a.digest, c.digest);  // check_source differs
  EXPECT_EQ(a.digest, pyc(header(1, 1, 2) + code).digest);
}

TEST(PycNormaliser, RefusesWhatIsNotA37Pyc) {
  EXPECT_FALSE(pyc("").ok);
  EXPECT_FALSE(pyc(header(0, 1, 2).substr(0, 15)).ok);
  EXPECT_FALSE(pyc(header(2, 1, 2)).ok);
  EXPECT_FALSE(pyc(header(4, 1, 2)).ok);
  for (uint32_t old : {3379u, 62211u}) {  // 3.6, 2.7
    Substance s = pyc(le32(old | (0x0a0d << 16)) + le32(0) + le32(0) + le32(0));
    EXPECT_FALSE(s.ok);
    EXPECT_NE(s.error.find("not Python 3.7"), std::string::npos) << s.error;
  }
  std::string no_crlf = header(0, 1, 2);
  no_crlf[2] = 'x';
  Substance s = pyc(no_crlf);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("magic"), std::string::npos) << s.error;
}

TEST(PycNormaliser, Python3CompiledTwiceWithOtherMtimes) {
  if (!testing_util::have("python3")) GTEST_SKIP() << "python3 is not installed";
  TempDir d;
  auto compile = [&](const std::string& source, long mtime, const std::string& out) {
    write_file(d / "mod.py", source);
    auto r = run({"python3", "-c",
                  "import os, sys, py_compile\n"
                  "os.utime(sys.argv[1], (int(sys.argv[3]), int(sys.argv[3])))\n"
                  "py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)\n",
                  d / "mod.py", d / out, std::to_string(mtime)});
    EXPECT_EQ(r.code, 0) << r.err;
    return read_file(d / out);
  };
  const std::string src = "def f(x):\n    return x * 2\n";
  std::string a = compile(src, 1600000000, "a.pyc"), b = compile(src, 1700000000, "b.pyc");
  std::string c = compile("def f(x):\n    return x * 3\n", 1600000000, "c.pyc");
  ASSERT_NE(a, b);  // the mtime is in the header
  Substance sa = pyc(a), sb = pyc(b), sc = pyc(c);
  ASSERT_TRUE(sa.ok && sb.ok && sc.ok) << sa.error << sb.error << sc.error;
  EXPECT_EQ(sa.digest, sb.digest);
  EXPECT_NE(sa.digest, sc.digest);
}

}  // namespace drift_normalisers_pyc_test
}  // namespace imagelint::drift
