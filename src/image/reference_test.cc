#include "image/reference.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"
#include "image/image.h"
#include "util/error.h"

namespace imagelint {
namespace image_reference_test {

using testing_util::TempDir;

TEST(Reference, ParsesTransports) {
  TempDir d;
  std::filesystem::create_directories(d / "lay");
  testing_util::write_file(d / "lay/oci-layout", "{}");
  testing_util::write_file(d / "a.tar", "");
  Reference r = parse_reference("oci:" + d / "lay" + ":v1");
  EXPECT_EQ(r.transport, Transport::Oci);
  EXPECT_EQ(r.path, d / "lay");
  EXPECT_EQ(r.tag, "v1");
  r = parse_reference("docker-archive:" + d / "a.tar" + ":quay.io/x/y:1.2");
  EXPECT_EQ(r.transport, Transport::DockerArchive);
  EXPECT_EQ(r.tag, "quay.io/x/y:1.2");
  r = parse_reference("docker-archive:" + d / "a.tar" + ":@2");
  EXPECT_EQ(r.index, 2);
  r = parse_reference("oci-archive:" + d / "a.tar");
  EXPECT_EQ(r.transport, Transport::OciArchive);
  EXPECT_TRUE(r.tag.empty());
  r = parse_reference(d / "lay/");
  EXPECT_EQ(r.transport, Transport::Oci);
  EXPECT_EQ(r.path, d / "lay");
  r = parse_reference(d.path());
  EXPECT_EQ(r.transport, Transport::Dir);
}

TEST(Reference, RefusesClearly) {
  EXPECT_THROW(parse_reference(""), UsageError);
  EXPECT_THROW(parse_reference("docker://x"), UsageError);
  EXPECT_THROW(parse_reference("oci:/nonexistent/x"), InputError);
  EXPECT_THROW(parse_reference("docker-archive:/tmp:@x"), UsageError);
}

TEST(Platform, Parses) {
  Platform p = parse_platform("linux/arm64/v8");
  EXPECT_EQ(p.os, "linux");
  EXPECT_EQ(p.arch, "arm64");
  EXPECT_EQ(p.variant, "v8");
  EXPECT_EQ(parse_platform("").os, "linux");
  EXPECT_THROW(parse_platform("amd64"), UsageError);
}

}  // namespace image_reference_test
}  // namespace imagelint
