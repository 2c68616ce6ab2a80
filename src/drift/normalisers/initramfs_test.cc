// The initramfs normaliser: cpio newc archives, stored or compressed, one after another. mtime,
// inode numbers and the compression are left out; names, modes, owners and contents are not.
// Held against archives written by bsdcpio (libarchive-tools) and compressed by gzip, zstd, xz.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "drift/normalise.h"
#include "harness.h"

namespace imagelint::drift {
namespace drift_normalisers_initramfs_test {

using testing_util::read_file;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

Substance initramfs(std::string_view b) { return find_normaliser("initramfs")(b); }

std::string pad4(std::string s) {
  while (s.size() % 4) s += '\0';
  return s;
}

// One newc member; namesize and filesize may be forced to lie.
std::string member(const std::string& name, uint32_t mode, const std::string& data, uint32_t mtime = 0,
                   uint32_t ino = 1, int64_t namesize = -1, int64_t filesize = -1) {
  char h[111];
  std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u, 1u,
                mtime, static_cast<unsigned>(filesize < 0 ? data.size() : filesize), 3u, 4u, 0u, 0u,
                static_cast<unsigned>(namesize < 0 ? name.size() + 1 : namesize), 0u);
  return pad4(pad4(std::string(h, 110) + name + '\0') + data);
}
std::string trailer() { return member("TRAILER!!!", 0, ""); }

TEST(InitramfsNormaliser, HandMadeMtimeAndInodeAreLeftOut) {
  std::string a = member("init", 0100755, "#!/bin/sh\n", 100, 7) + member("etc", 040755, "", 100, 8) + trailer();
  std::string b = member("init", 0100755, "#!/bin/sh\n", 999, 70) + member("etc", 040755, "", 5, 80) + trailer();
  Substance sa = initramfs(a), sb = initramfs(b);
  ASSERT_TRUE(sa.ok && sb.ok) << sa.error << sb.error;
  EXPECT_EQ(sa.digest, sb.digest);
  // Two archives with zero padding between them are the members of both, in order.
  std::string two = member("init", 0100755, "#!/bin/sh\n") + trailer() + std::string(512, '\0') +
                    member("etc", 040755, "") + trailer() + std::string(3, '\0');
  Substance s2 = initramfs(two);
  ASSERT_TRUE(s2.ok) << s2.error;
  EXPECT_EQ(s2.digest, sa.digest);
  EXPECT_NE(initramfs(member("init", 0100700, "#!/bin/sh\n") + member("etc", 040755, "") + trailer()).digest, sa.digest);
  EXPECT_NE(initramfs(member("etc", 040755, "") + member("init", 0100755, "#!/bin/sh\n") + trailer()).digest, sa.digest);
  EXPECT_NE(initramfs(member("init", 0100755, "#!/bin/sh \n") + member("etc", 040755, "") + trailer()).digest, sa.digest);
}

TEST(InitramfsNormaliser, HostileHeadersAreNotOkQuickly) {
  auto start = std::chrono::steady_clock::now();
  std::string good = member("init", 0100755, "data") + trailer();
  std::string nonhex = good;
  nonhex[20] = 'g';
  EXPECT_FALSE(initramfs(nonhex).ok);
  EXPECT_FALSE(initramfs(member("init", 0100755, "data", 0, 1, 0xffffffff) + trailer()).ok);    // namesize
  EXPECT_FALSE(initramfs(member("init", 0100755, "data", 0, 1, 0) + trailer()).ok);
  EXPECT_FALSE(initramfs(member("init", 0100755, "data", 0, 1, -1, 0xfffffff0) + trailer()).ok);  // filesize
  EXPECT_FALSE(initramfs(member("init", 0100755, "data", 0, 1, 3) + trailer()).ok);  // name without NUL
  for (size_t cut = 1; cut < good.size(); cut += 7) EXPECT_FALSE(initramfs(good.substr(0, cut)).ok) << cut;
  EXPECT_FALSE(initramfs(member("init", 0100755, "data")).ok);  // no trailer
  Substance lz4 = initramfs(good + std::string("\x02\x21\x4c\x18rest", 8));
  EXPECT_FALSE(lz4.ok);
  EXPECT_NE(lz4.error.find("lz4"), std::string::npos) << lz4.error;
  Substance bz = initramfs(good + "BZh91AY&SY");
  EXPECT_FALSE(bz.ok);
  EXPECT_NE(bz.error.find("bzip2"), std::string::npos) << bz.error;
  EXPECT_FALSE(initramfs(good + "junk").ok);
  EXPECT_FALSE(initramfs("").ok);
  EXPECT_FALSE(initramfs(std::string(4096, '\0')).ok);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Real tools: bsdcpio archives of a small tree, compressed by the usual CLIs.
class InitramfsTools : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"bsdcpio", "gzip", "zstd", "xz"})
      if (!testing_util::have(tool)) GTEST_SKIP() << tool << " is not installed";
  }
  // A tree under d_/name with every mtime set to mtime.
  std::string tree(const std::string& name, long mtime, const std::string& init = "#!/bin/sh\nexec /bin/sh\n") {
    std::string root = d_ / name;
    std::string script = "set -e; mkdir -p " + root + "/bin " + root + "/etc " + root +
                         "/kernel/x86/microcode; cd " + root + "; printf '%s' \"$1\" > init; chmod 755 init; " +
                         "echo conf > etc/conf; echo ucode > kernel/x86/microcode/GenuineIntel.bin; " +
                         "ln -sf ../init bin/sh; find . -exec touch -h -d @" + std::to_string(mtime) + " {} +";
    EXPECT_EQ(run({"sh", "-c", script, "sh", init}).code, 0);
    return root;
  }
  // bsdcpio -o -H newc of dir (the paths listed by find, under subdir when given), then filter.
  std::string cpio(const std::string& dir, const std::string& subdir = ".", const std::string& filter = "cat") {
    auto r = run({"sh", "-c", "find " + subdir + " | LC_ALL=C sort | bsdcpio -o -H newc 2>/dev/null | " + filter}, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }
  TempDir d_;
};

TEST_F(InitramfsTools, MtimesAreLeftOutContentIsNot) {
  std::string a = cpio(tree("a", 1000000000)), b = cpio(tree("b", 1200000000));
  ASSERT_NE(a, b);
  Substance sa = initramfs(a), sb = initramfs(b);
  ASSERT_TRUE(sa.ok && sb.ok) << sa.error << sb.error;
  EXPECT_EQ(sa.digest, sb.digest);
  Substance sc = initramfs(cpio(tree("c", 1000000000, "#!/bin/sh\nexec /bin/bash\n")));
  ASSERT_TRUE(sc.ok) << sc.error;
  EXPECT_NE(sc.digest, sa.digest);
  ASSERT_EQ(run({"chmod", "700", d_ / "a/init"}).code, 0);
  EXPECT_NE(initramfs(cpio(d_ / "a")).digest, sa.digest);
}

TEST_F(InitramfsTools, EarlyMicrocodeThenCompressedMain) {
  std::string a = tree("a", 1000000000), b = tree("b", 1300000000);
  std::string early_a = cpio(a, "kernel"), early_b = cpio(b, "kernel");
  std::string main_a = cpio(a, "./etc ./init ./bin"), main_b = cpio(b, "./etc ./init ./bin");
  Substance plain = initramfs(early_a + main_a);
  ASSERT_TRUE(plain.ok) << plain.error;
  for (const char* filter : {"gzip -9 -c", "zstd -q -c", "xz -c --check=crc32"}) {
    std::string cmp_a = cpio(a, "./etc ./init ./bin", filter), cmp_b = cpio(b, "./etc ./init ./bin", filter);
    Substance sa = initramfs(early_a + cmp_a), sb = initramfs(early_b + cmp_b);
    ASSERT_TRUE(sa.ok && sb.ok) << filter << ": " << sa.error << sb.error;
    EXPECT_EQ(sa.digest, sb.digest) << filter;
    EXPECT_EQ(sa.digest, plain.digest) << filter;  // the compression is left out too
    // A second compressed archive after the first, with padding between.
    Substance twice = initramfs(early_a + cmp_a + std::string(8, '\0') + cmp_b);
    ASSERT_TRUE(twice.ok) << filter << ": " << twice.error;
    EXPECT_NE(twice.digest, sa.digest);
    EXPECT_EQ(twice.digest, initramfs(early_a + main_a + main_b).digest);
    // Truncated anywhere in the compressed part: not ok.
    for (size_t cut : {size_t{3}, cmp_a.size() / 2, cmp_a.size() - 1}) {
      Substance t = initramfs(early_a + cmp_a.substr(0, cut));
      EXPECT_FALSE(t.ok) << filter << " cut at " << cut;
    }
    std::string corrupt = cmp_a;
    corrupt[corrupt.size() / 2] ^= 0x40;
    EXPECT_FALSE(initramfs(early_a + corrupt).ok) << filter;
  }
  // Several cpio archives inside one compressed stream.
  std::string both = cpio(a, "kernel") + cpio(a, "./etc ./init ./bin");
  write_file(d_ / "both.cpio", both);
  auto z = run({"gzip", "-c", d_ / "both.cpio"});
  ASSERT_EQ(z.code, 0);
  Substance inner = initramfs(z.out);
  ASSERT_TRUE(inner.ok) << inner.error;
  EXPECT_EQ(inner.digest, plain.digest);
  // Content changed in the compressed part.
  write_file(a + "/etc/conf", "conf2\n");
  EXPECT_NE(initramfs(early_a + cpio(a, "./etc ./init ./bin", "zstd -q -c")).digest, plain.digest);
}

TEST_F(InitramfsTools, HugeNameSizeInsideACompressedArchive) {
  std::string bad = member("init", 0100755, "data", 0, 1, 0x7fffffff) + trailer();
  write_file(d_ / "bad.cpio", bad);
  auto z = run({"gzip", "-c", d_ / "bad.cpio"});
  ASSERT_EQ(z.code, 0);
  EXPECT_FALSE(initramfs(z.out).ok);
  write_file(d_ / "cut.cpio", member("init", 0100755, "data", 0, 1, -1, 0x7fffffff));
  z = run({"gzip", "-c", d_ / "cut.cpio"});
  Substance cut = initramfs(z.out);
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.error.find("inside a cpio member"), std::string::npos) << cut.error;
}

TEST_F(InitramfsTools, MembersAcrossDecoderChunks) {
  // Members of every size and name length, so that headers, names, data and padding all straddle
  // the decoder's 64 KiB output pieces somewhere; read whole or in pieces, the digest is the same.
  std::string archive;
  for (int i = 0; i < 700; ++i)
    archive += member("dir/" + std::string(static_cast<size_t>(i % 13), 'n') + std::to_string(i), 0100644,
                      std::string(static_cast<size_t>((i * 97) % 1031), static_cast<char>('a' + i % 26)));
  archive += trailer();
  ASSERT_GT(archive.size(), 4u * 64 * 1024);
  // A first member of 0 to 199 bytes shifts where the pieces end by that much.
  for (size_t shift = 0; shift < 200; shift += 3) {
    std::string shifted = member("first", 0100644, std::string(shift, 'f')) + archive;
    Substance whole = initramfs(shifted);
    ASSERT_TRUE(whole.ok) << whole.error;
    write_file(d_ / "big.cpio", shifted);
    for (const char* tool : {"gzip", "zstd", "xz"}) {
      if (shift % 30 != 0 && std::string(tool) != "gzip") continue;
      auto z = run({tool, "-1", "-c", d_ / "big.cpio"});
      ASSERT_EQ(z.code, 0) << tool;
      Substance s = initramfs(z.out);
      ASSERT_TRUE(s.ok) << tool << " shift " << shift << ": " << s.error;
      EXPECT_EQ(s.digest, whole.digest) << tool << " shift " << shift;
    }
  }
}

}  // namespace drift_normalisers_initramfs_test
}  // namespace imagelint::drift
