#include "image/outer_tar.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"
#include "util/error.h"

namespace imagelint {
namespace image_outer_tar_test {

using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

TEST(OuterTar, IndexesMembersInPlaceWithLongNamesAndLinks) {
  TempDir d;
  std::string long_dir = std::string(90, 'd');  // with the file name, over ustar's 100
  std::filesystem::create_directories(d / ("src/" + long_dir));
  write_file(d / ("src/" + long_dir + "/blob-with-a-fairly-long-name-x"), "payload");
  std::filesystem::create_directories(d / "src/x");
  write_file(d / "src/x/y", "payload");
  std::filesystem::create_symlink("x/y", d / "src/link");
  for (std::string fmt : {"pax", "gnu", "ustar"}) {
    SCOPED_TRACE(fmt);
    std::string tar = d / (fmt + ".tar");
    ASSERT_EQ(run({"tar", "--format=" + fmt, "-cf", tar, "-C", d / "src", "."}).code, 0);
    OuterTar t(tar);
    BlobRef b = t.blob(long_dir + "/blob-with-a-fairly-long-name-x");
    EXPECT_EQ(b.length, 7u);
    EXPECT_EQ(read_blob(b, 100), "payload");
    EXPECT_EQ(read_blob(t.blob("./link"), 100), "payload");
    EXPECT_FALSE(t.has("nope"));
    EXPECT_THROW(t.blob("nope"), InputError);
  }
}

TEST(OuterTar, RefusesWhatIsNotATar) {
  TempDir d;
  write_file(d / "x", std::string(2048, 'x'));
  EXPECT_FALSE(looks_like_tar(d / "x"));
  EXPECT_THROW(OuterTar t(d / "x"), InputError);
  write_file(d / "short", "abc");
  EXPECT_THROW(OuterTar t(d / "short"), InputError);
}

TEST(OuterTar, RefusesAMemberThatRunsPastTheEnd) {
  TempDir d;
  write_file(d / "big", std::string(5000, 'b'));
  std::string tar = d / "t.tar";
  ASSERT_EQ(run({"tar", "-cf", tar, "-C", d.path(), "big"}).code, 0);
  ASSERT_EQ(run({"truncate", "-s", "2048", tar}).code, 0);
  try {
    OuterTar t(tar);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated tar archive"), std::string::npos) << e.what();
  }
}

}  // namespace image_outer_tar_test
}  // namespace imagelint
