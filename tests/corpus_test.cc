// Real layouts and manifests written by containers/image (../shared/corpus): they open, or fail
// with the right message (their layer blobs are tiny text files, not tars).
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"
#include "util/hash.h"

namespace e2e_corpus_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace
namespace fs = std::filesystem;

std::string corpus(const std::string& rel) { return source_dir() + "/../shared/corpus/containers-image/" + rel; }

void expect_error(const std::vector<std::string>& args, const std::string& needle) {
  Result r = testing_util::imagelint(args);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "' in: " << r.err;
}

TEST(Corpus, OciLayoutFixturesResolveIndexesAndTags) {
  std::string multi = corpus("oci/layout/fixtures/delete_image_multiple_images");
  ASSERT_TRUE(fs::exists(multi)) << multi;
  // No tag and several images: the error lists the tags.
  expect_error({"ls", multi}, "tags here: 1.0.0, 3, 3.16.7, 3.17.5, latest");
  // A tag through a nested index to the platform's manifest, whose layer blob is not a tar.
  expect_error({"ls", "oci:" + multi + ":latest", "--platform", "linux/amd64"},
               "blobs/sha256/557ac7d133b7770216a8101268640edf4e88beab1b4e1e1bfc9b1891a1cab861): not a tar archive");
  expect_error({"ls", "oci:" + multi + ":latest", "--platform", "linux/386"},
               "blobs/sha256/e19729d5a968c71b4b691d60f4a6f85f93c303bb88635dcfef36e23b76cb7b3a): not a tar archive");
  expect_error({"ls", "oci:" + multi + ":latest", "--platform", "linux/riscv64"}, "no image for platform linux/riscv64");
  expect_error({"ls", "oci:" + multi + ":3.17.5"}, "986315a0e599fac2b80eb31db2124dab8d3de04d7ca98b254999bd913c1f73fe");
  expect_error({"ls", "oci:" + corpus("oci/layout/fixtures/delete_image_two_identical_references") + ":1.0.0"},
               "tag '1.0.0' is ambiguous: 2 different images carry it");
  expect_error({"ls", "oci:" + corpus("oci/layout/fixtures/delete_image_shared_blobs_dir")},
               "eaa95f3cfaac07c8a5153eb77c933269586ad0226c83405776be08547e4d2a18: missing");
  expect_error({"ls", "oci:" + corpus("oci/layout/fixtures/name_lookups") + ":zzz"}, "tags here: a, b, c, d, invalid-mime");
  // Without an oci-layout file a directory is a root filesystem, as DESIGN.md says.
  Result files = testing_util::imagelint({"ls", corpus("oci/layout/fixtures/files")});
  EXPECT_EQ(files.code, 0) << files.err;
  EXPECT_EQ(files.out, "a.txt\nb.txt\n");
}

TEST(Corpus, LegacyDockerSaveArchive) {
  std::string tar = corpus("docker/archive/fixtures/almostempty.tar");
  Result r = testing_util::imagelint({"ls", tar, "--long"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 1u);
  EXPECT_NE(r.out.find(" emptyfile"), std::string::npos);
  Result tagged = testing_util::imagelint({"inspect", "docker-archive:" + tar + ":emptyimage:latest"});
  EXPECT_EQ(tagged.code, 0) << tagged.err;
  EXPECT_NE(tagged.out.find("ADD file:"), std::string::npos) << tagged.out;
}

// Each manifest fixture as the only image of a fresh layout.
struct ManifestCase {
  const char* file;
  const char* media_type;
  const char* error;
};

TEST(Corpus, ManifestMediaTypes) {
  const ManifestCase cases[] = {
      {"ociv1.invalid.mediatype.manifest.json", "application/vnd.oci.image.manifest.v1+json",
       "unsupported layer media type 'application/vnd.oci.image.layer.v1.tar+unknown'"},
      {"ociv1.encrypted.manifest.json", "application/vnd.oci.image.manifest.v1+json", "encrypted layer"},
      {"ociv1.artifact.json", "application/vnd.oci.image.manifest.v1+json", "not a container image"},
      {"v2s1.manifest.json", "application/vnd.docker.distribution.manifest.v1+prettyjws", "schema 1"},
      {"v2s1-unsigned.manifest.json", "application/vnd.docker.distribution.manifest.v1+json", "schema 1"},
      // Accepted media types: they get as far as the (absent) config blob.
      {"ociv1.zstd.manifest.json", "application/vnd.oci.image.manifest.v1+json", "missing"},
      {"ociv1.nondistributable.manifest.json", "application/vnd.oci.image.manifest.v1+json", "missing"},
      {"ociv1.uncompressed.manifest.json", "application/vnd.oci.image.manifest.v1+json", "missing"},
      {"v2s2.manifest.json", "application/vnd.docker.distribution.manifest.v2+json", "missing"},
      {"v2s2.nondistributable.manifest.json", "application/vnd.docker.distribution.manifest.v2+json", "missing"},
  };
  for (const ManifestCase& c : cases) {
    SCOPED_TRACE(c.file);
    std::string body = read_file(corpus("manifest/fixtures/") + c.file);
    if (body.starts_with("../"))  // a git symlink stored as text
      body = read_file(corpus("manifest/fixtures/") + body.substr(0, body.find_first_of("\n")));
    ASSERT_FALSE(body.empty());
    TempDir d;
    std::string digest = ::imagelint::sha256_of(body);
    fs::create_directories(d / "blobs/sha256");
    write_file(d / ("blobs/sha256/" + digest.substr(7)), body);
    write_file(d / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    write_file(d / "index.json", std::string(R"({"schemaVersion":2,"manifests":[{"mediaType":")") + c.media_type +
                                     R"(","digest":")" + digest + R"(","size":)" + std::to_string(body.size()) + "}]}");
    expect_error({"ls", d.path()}, c.error);
  }
}

}  // namespace e2e_corpus_test
