// Hostile and broken input: exit 2, one line on stderr naming the file and the reason, no crash,
// nothing written anywhere.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"

namespace e2e_bad_input_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

fixture::RecipeEntry file(const std::string& path, const std::string& content = "x") { return fixture::file(path, content); }

fixture::RecipeEntry link(const std::string& path, const std::string& target, const std::string& type = "symlink") {
  return type == "hardlink" ? fixture::hardlink(path, target) : fixture::symlink(path, target);
}

fixture::Recipe one_layer(std::vector<fixture::RecipeEntry> entries, const std::string& compression = "gzip") {
  fixture::Recipe r;
  fixture::RecipeLayer l;
  l.compression = compression;
  l.entries = std::move(entries);
  r.layers.push_back(l);
  return r;
}

// Runs imagelint in an empty working directory with an empty TMPDIR and checks the contract for
// errors: exit 2, exactly one line on stderr containing every needle, nothing on stdout, the input
// untouched, no file created.
void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& needles,
                    const std::string& input_dir = "") {
  TempDir cwd, tmp;
  std::string before = input_dir.empty() ? "" : snapshot(input_dir);
  std::vector<std::string> argv{"env", "TMPDIR=" + tmp.path(), IMAGELINT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = run(argv, cwd.path());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(r.err.starts_with("imagelint: ")) << r.err;
  for (const std::string& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << "want '" << n << "' in: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(snapshot(cwd.path()), "");
  EXPECT_EQ(snapshot(tmp.path()), "");
  if (!input_dir.empty()) {
    EXPECT_EQ(snapshot(input_dir), before);
  }
}

TEST(BadInput, MissingFile) { expect_refused({"ls", "/nonexistent/image.tar"}, {"/nonexistent/image.tar", "no such file"}); }

TEST(BadInput, UnknownTransport) {
  expect_refused({"ls", "docker://quay.io/centos/centos"}, {"transport 'docker' is not supported"});
  expect_refused({"ls", "bogus:thing"}, {"unknown transport 'bogus'"});
  expect_refused({"ls", "containers-storage:[overlay@/nonexistent/store]foo"}, {"/nonexistent/store", "no container storage here"});
}

TEST(BadInput, NotAnImage) {
  TempDir d;
  write_file(d / "notes.txt", "hello, I am not a tar archive at all\n");
  expect_refused({"ls", d / "notes.txt"}, {d / "notes.txt", "not an image"}, d.path());
  fixture::Recipe r = one_layer({file("a")});
  std::filesystem::create_directories(d / "src");
  write_file(d / "src/x", "x");
  // A tar that is neither layout: libarchive-written tar of one file.
  Result t = run({"tar", "-cf", d / "plain.tar", "-C", d / "src", "x"});
  ASSERT_EQ(t.code, 0);
  expect_refused({"ls", d / "plain.tar"}, {"plain.tar", "neither manifest.json nor an OCI layout"}, d.path());
  expect_refused({"ls", "oci:" + d / "src"}, {"index.json", "missing"}, d.path());
}

TEST(BadInput, MissingTagListsTheTags) {
  TempDir d;
  fixture::Recipe r = one_layer({file("a")});
  r.tag = "v1";
  fixture::write_oci({r}, d / "oci");
  fixture::write_docker_archive(r, d / "d.tar");
  expect_refused({"ls", "oci:" + d / "oci" + ":v2"}, {"no image tagged 'v2'", "tags here: v1"}, d.path());
  expect_refused({"ls", "docker-archive:" + d / "d.tar" + ":other:v2"}, {"no image tagged 'other:v2'", "example.com/fixture:v1"},
                 d.path());
  expect_refused({"ls", "docker-archive:" + d / "d.tar" + ":@3"}, {"no image @3"}, d.path());
}

TEST(BadInput, MissingBlob) {
  TempDir d;
  fixture::write_oci({one_layer({file("a")})}, d / "oci");
  // Remove the layer blob (the only gzip file among the blobs).
  std::string layer;
  for (auto& e : std::filesystem::directory_iterator(d / "oci/blobs/sha256")) {
    std::string head = read_file(e.path()).substr(0, 2);
    if (head == "\x1f\x8b") layer = e.path();
  }
  ASSERT_FALSE(layer.empty());
  std::filesystem::remove(layer);
  expect_refused({"ls", d / "oci"}, {layer, "missing"}, d.path());
}

TEST(BadInput, BlobDigestMismatch) {
  TempDir d;
  fixture::Recipe r = one_layer({file("a")});
  r.layers[0].bad_digest = true;
  fixture::write_oci({r}, d / "oci");
  expect_refused({"ls", d / "oci"}, {"layer 0", "blob digest mismatch", "expected sha256:aaaa", "actual sha256:"}, d.path());
}

TEST(BadInput, DiffIdMismatch) {
  TempDir d;
  fixture::Recipe r = one_layer({file("a")}, "zstd");
  r.layers[0].bad_diff_id = true;
  fixture::write_oci({r}, d / "oci");
  expect_refused({"inspect", d / "oci"}, {"layer 0", "diff_id mismatch", "expected sha256:bbbb", "actual sha256:"},
                 d.path());
}

TEST(BadInput, ManifestDigestMismatch) {
  TempDir d;
  fixture::write_oci({one_layer({file("a")})}, d / "oci");
  for (auto& e : std::filesystem::directory_iterator(d / "oci/blobs/sha256")) {
    std::string s = read_file(e.path());
    if (s.find("\"layers\"") != std::string::npos) write_file(e.path(), s + " ");
  }
  expect_refused({"ls", d / "oci"}, {"digest mismatch"}, d.path());
}

TEST(BadInput, TruncatedStreams) {
  for (std::string comp : {"gzip", "zstd", "xz"}) {
    TempDir d;
    fixture::Recipe r = one_layer({file("big", std::string(200000, 'q') + "tail")}, comp);
    r.layers[0].entries[0].generated = true;
    r.layers[0].entries[0].size = 300000;
    r.layers[0].truncate = 2000;  // and described as 2000 bytes: only the stream itself is wrong
    fixture::write_oci({r}, d / "oci");
    expect_refused({"ls", d / "oci"}, {"layer 0", "truncated " + comp + " stream"}, d.path());
  }
}

TEST(BadInput, TruncatedPlainTar) {
  TempDir d;
  fixture::Recipe r = one_layer({file("big", std::string(5000, 'q'))}, "none");
  r.layers[0].truncate = 2048;
  fixture::write_oci({r}, d / "oci");
  expect_refused({"ls", d / "oci"}, {"layer 0", "truncated layer", "'big'"}, d.path());
}

TEST(BadInput, EntryEscapingTheRoot) {
  TempDir d;
  fixture::write_oci({one_layer({file("../x")})}, d / "oci");
  expect_refused({"ls", d / "oci"}, {"layer 0", "'../x' escapes the image root"}, d.path());
}

TEST(BadInput, SymlinkChainLeadingOut) {
  TempDir d;
  // up -> a/../.. climbs above the root; writing through it would land outside.
  fixture::Recipe r = one_layer({file("a/f"), link("up", "a/../.."), link("way", "up")});
  fixture::RecipeLayer l2;
  l2.entries.push_back(file("way/etc/passwd", "owned"));
  r.layers.push_back(l2);
  fixture::write_oci({r}, d / "oci");
  expect_refused({"ls", d / "oci"}, {"layer 1", "'way/etc/passwd' escapes the image root through symlink 'up'"},
                 d.path());
  fixture::write_oci({one_layer({file("a/f"), link("up", "../../etc/shadow")})}, d / "cat");
  expect_refused({"cat", d / "cat", "up"}, {"up", "leads outside the image root"}, d.path());
}

TEST(BadInput, SymlinkLoop) {
  TempDir d;
  fixture::write_oci({one_layer({link("a", "b"), link("b", "c/../a"), file("c/x")})}, d / "oci");
  expect_refused({"cat", d / "oci", "a"}, {"symlink loop"}, d.path());
  Result ls = imagelint({"ls", d / "oci"});  // a loop is not an error until something follows it
  EXPECT_EQ(ls.code, 0) << ls.err;
}

TEST(BadInput, HardlinkToNothingAndEntryBelowAFile) {
  TempDir d;
  fixture::write_oci({one_layer({link("h", "missing", "hardlink")})}, d / "h");
  expect_refused({"ls", d / "h"}, {"hardlink 'h' points to 'missing', which does not exist"}, d.path());
  fixture::write_oci({one_layer({file("f"), file("f/g")})}, d / "f");
  expect_refused({"ls", d / "f"}, {"'f/g'", "f is a file, not a directory"}, d.path());
}

TEST(BadInput, ArtifactIsNotAnImage) {
  TempDir d;
  fixture::write_oci({one_layer({file("a")})}, d / "oci");
  // Rewrite the manifest's config media type, as an OCI artifact would have it, and re-link it.
  Result r = run({"sh", "-c",
                  "cd " + d / "oci" +
                      " && m=$(sed -n 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/p' index.json)"
                      " && sed 's#application/vnd.oci.image.config.v1+json#application/vnd.example.thing#' blobs/sha256/$m > new"
                      " && n=$(sha256sum new | cut -c1-64) && mv new blobs/sha256/$n"
                      " && sed -i \"s/$m/$n/; s/\\\"size\\\":[0-9]*/\\\"size\\\":$(stat -c %s blobs/sha256/$n)/\" index.json"});
  ASSERT_EQ(r.code, 0) << r.err;
  expect_refused({"ls", d / "oci"}, {"not a container image", "application/vnd.example.thing"}, d.path());
}

TEST(BadInput, BadArguments) {
  Result r = imagelint({"ls"});
  EXPECT_EQ(r.code, 2);
  Result p = imagelint({"ls", ".", "--platform", "amd64"});
  EXPECT_EQ(p.code, 2);
  EXPECT_NE(p.err.find("expected os/arch"), std::string::npos) << p.err;
  Result h = imagelint({"ls", "--help"});
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("Examples:"), std::string::npos);
}

}  // namespace e2e_bad_input_test
