// Real writers and readers as oracles: images written by umoci (insert, --whiteout, --opaque),
// converted by skopeo to oci-archive and docker-archive, and compared with what `umoci unpack`
// writes to disk: same paths, types, modes, owners, link targets, xattrs and content hashes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "harness.h"

namespace e2e_oracle_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace
namespace fs = std::filesystem;

void must(const Result& r, const std::string& what) { ASSERT_EQ(r.code, 0) << what << ": " << r.err << r.out; }

// ls --xattrs without the mtime and layer columns (umoci unpack and dir: have their own mtimes).
std::string comparable(const std::string& listing) {
  std::string out;
  for (const std::string& l : lines(listing)) {
    size_t p4 = 0;
    for (int i = 0; i < 4; ++i) p4 = l.find(' ', p4) + 1;
    size_t p6 = p4;
    for (int i = 0; i < 2; ++i) p6 = l.find(' ', p6) + 1;
    out += l.substr(0, p4) + l.substr(p6) + "\n";
  }
  return out;
}

class UmociImage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have("umoci")) << "umoci is missing: run ci/install-deps.sh";
    ASSERT_TRUE(have("skopeo")) << "skopeo is missing: run ci/install-deps.sh";
    ASSERT_EQ(::geteuid(), 0u) << "umoci unpack keeps owners only as root";
    std::string t1 = d / "t1";
    fs::create_directories(t1 + "/etc");
    fs::create_directories(t1 + "/usr/bin");
    fs::create_directories(t1 + "/var/cache/dnf/sub");
    fs::create_directories(t1 + "/opt/app");
    write_file(t1 + "/etc/motd", "hello\n");
    write_file(t1 + "/etc/keep", "keep\n");
    write_file(t1 + "/usr/bin/tool", "#!/bin/sh\necho tool\n");
    ::chmod((t1 + "/usr/bin/tool").c_str(), 04755);
    fs::create_symlink("tool", t1 + "/usr/bin/tl");
    fs::create_symlink("/etc/motd", t1 + "/usr/bin/abs");
    fs::create_hard_link(t1 + "/usr/bin/tool", t1 + "/usr/bin/tool-hard");
    write_file(t1 + "/var/cache/dnf/old.rpm", std::string(100000, 'r'));
    write_file(t1 + "/var/cache/dnf/sub/x", "x");
    ASSERT_EQ(::chown((t1 + "/opt/app").c_str(), 1001, 1002), 0);
    ::chmod((t1 + "/opt/app").c_str(), 0750);
    ASSERT_EQ(::mkfifo((t1 + "/opt/app/fifo").c_str(), 0600), 0);
    write_file(t1 + "/opt/app/ping", "ping");
    const char cap[] = "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
    ASSERT_EQ(::setxattr((t1 + "/opt/app/ping").c_str(), "security.capability", cap, sizeof cap - 1, 0), 0);
    ASSERT_EQ(::setxattr((t1 + "/opt/app/ping").c_str(), "user.note", "hello", 5, 0), 0);
    std::string t2 = d / "t2";
    fs::create_directories(t2);
    write_file(t2 + "/fresh", "fresh\n");

    std::string img = d / "img";
    must(run({"umoci", "init", "--layout", img}), "umoci init");
    must(run({"umoci", "new", "--image", img + ":t"}), "umoci new");
    must(run({"umoci", "insert", "--image", img + ":t", t1, "/"}), "umoci insert");
    must(run({"umoci", "insert", "--image", img + ":t", "--opaque", t2, "/var/cache/dnf"}), "umoci insert --opaque");
    must(run({"umoci", "insert", "--image", img + ":t", "--whiteout", "/etc/motd"}), "umoci insert --whiteout");
    must(run({"umoci", "unpack", "--image", img + ":t", d / "bundle"}), "umoci unpack");
  }
  TempDir d;
};

TEST_F(UmociImage, FinalFilesystemMatchesUmociUnpack) {
  Result ours = imagelint({"ls", "oci:" + d / "img" + ":t", "--xattrs"});
  ASSERT_EQ(ours.code, 0) << ours.err;
  Result theirs = imagelint({"ls", "dir:" + d / "bundle/rootfs", "--xattrs"});
  ASSERT_EQ(theirs.code, 0) << theirs.err;
  EXPECT_EQ(comparable(ours.out), comparable(theirs.out));
  // The whiteout and the opaque directory took effect, and were not just listed.
  EXPECT_EQ(ours.out.find(" etc/motd\n"), std::string::npos);
  EXPECT_NE(ours.out.find(" etc/keep\n"), std::string::npos);
  EXPECT_EQ(ours.out.find("old.rpm"), std::string::npos);
  EXPECT_NE(ours.out.find("var/cache/dnf/fresh"), std::string::npos);
  EXPECT_NE(ours.out.find("security.capability=\\x01"), std::string::npos);
  EXPECT_NE(ours.out.find("d 0750 1001:1002 "), std::string::npos);
  EXPECT_NE(ours.out.find("- 4755 0:0 "), std::string::npos);
  // umoci 0.4.7 leaves out the end-of-archive blocks: read, with a note.
  Result inspect = imagelint({"inspect", d / "img"});
  EXPECT_NE(inspect.out.find("no end-of-archive marker"), std::string::npos);
}

TEST_F(UmociImage, SkopeoCopiesReadTheSame) {
  must(run({"skopeo", "copy", "-q", "oci:" + d / "img" + ":t", "oci-archive:" + d / "img.oci.tar"}), "skopeo oci-archive");
  must(run({"skopeo", "copy", "-q", "oci:" + d / "img" + ":t", "docker-archive:" + d / "img.docker.tar:example/img:t"}),
       "skopeo docker-archive");
  must(run({"skopeo", "copy", "-q", "--dest-compress-format", "zstd", "oci:" + d / "img" + ":t",
            "oci:" + d / "zstd:t"}),
       "skopeo oci zstd");
  Result base = imagelint({"ls", "oci:" + d / "img" + ":t", "--xattrs"});
  ASSERT_EQ(base.code, 0) << base.err;
  for (std::string ref : {"oci-archive:" + d / "img.oci.tar", d / "img.docker.tar",
                          "docker-archive:" + d / "img.docker.tar:example/img:t", "oci:" + d / "zstd:t"}) {
    Result r = imagelint({"ls", ref, "--xattrs"});
    ASSERT_EQ(r.code, 0) << ref << ": " << r.err;
    EXPECT_EQ(r.out, base.out) << ref;
  }
  Result z = imagelint({"inspect", "oci:" + d / "zstd:t", "--format", "json"});
  EXPECT_NE(z.out.find("\"compression\": \"zstd\""), std::string::npos) << z.out;
}

}  // namespace e2e_oracle_test
