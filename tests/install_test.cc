// `cmake --install`: the binary, the shipped packs it reads at run time from beside itself, the
// rule pages and the man page land under the prefix, and the installed binary works.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

namespace e2e_install_test {

using namespace testing_util;
namespace fs = std::filesystem;

TEST(Install, PutsTheBinaryPacksAndManPageInPlace) {
  TempDir d;
  std::string build = fs::path(IMAGELINT_BIN).parent_path();
  Result inst = run({"cmake", "--install", build, "--prefix", d / "usr"});
  ASSERT_EQ(inst.code, 0) << inst.out << inst.err;
  for (auto f : {"bin/imagelint", "share/imagelint/rules/bootc-base.json", "share/imagelint/rules/bootc-instance.json",
                 "share/man/man1/imagelint.1", "share/doc/imagelint/rules/units-rootless.md"})
    EXPECT_TRUE(fs::exists(d / ("usr/" + std::string(f)))) << f;
  std::string bin = d / "usr/bin/imagelint";
  Result rules = run({bin, "rules"});
  ASSERT_EQ(rules.code, 0) << rules.err;
  EXPECT_NE(rules.out.find("world-writable        warning"), std::string::npos) << rules.out;
  // The installed pack is what the installed binary reads: an administrator's change shows.
  std::string pack = d / "usr/share/imagelint/rules/bootc-base.json";
  std::string text = read_file(pack);
  size_t at = text.find("{\"id\": \"world-writable\", \"kind\": \"file-mode\", \"severity\": \"warning\"");
  ASSERT_NE(at, std::string::npos) << "the pack's world-writable line changed shape";
  text.replace(text.find("\"warning\"", at), 9, "\"error\"");
  write_file(pack, text);
  Result changed = run({bin, "rules"});
  EXPECT_NE(changed.out.find("world-writable        error"), std::string::npos) << changed.out;
  // A broken installed pack is named in the exit-2 line.
  write_file(pack, "{");
  Result broken = run({bin, "rules"});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("share/imagelint/rules/bootc-base.json"), std::string::npos) << broken.err;
  // The build tree's binary has no such directory beside it and uses its compiled-in copy.
  EXPECT_EQ(run({IMAGELINT_BIN, "rules"}).code, 0);
}

}  // namespace e2e_install_test
