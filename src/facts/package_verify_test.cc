// Package integrity: the file attributes the rpm header and dpkg's info files give (hostile ones
// become notes), the digest visitor, and rpm -V's letters computed against a final filesystem.
#include "facts/package_verify.h"

#include <gtest/gtest.h>

#include "facts/dpkg.h"
#include "facts/file_digest.h"
#include "facts/rpm_test_util.h"

namespace imagelint {
namespace facts_package_verify_test {

using namespace rpm_test;

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";  // "test"
const std::string kShaX = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";  // "x"

// tiny_entries() (usr/, usr/bin/tool, etc/tool.conf) with the attribute arrays rpm writes.
std::vector<HEntry> with_attrs(std::string digests = strs({"", kSha, kShaX}), uint32_t ndigests = 3) {
  auto e = tiny_entries();
  e.push_back({1028, 4, 3, be32s({4096, 4, 1})});                        // FILESIZES
  e.push_back({1029, 1, 3, std::string("\0\0\2", 3)});                  // FILESTATES: conf not installed
  e.push_back({1035, 8, ndigests, digests});                                  // FILEDIGESTS
  e.push_back({1036, 8, 3, strs({"", "", ""})});                         // FILELINKTOS
  e.push_back({1037, 4, 3, be32s({0, 0, 1})});                           // FILEFLAGS: %config
  e.push_back({1039, 8, 3, strs({"root", "root", "root"})});             // FILEUSERNAME
  e.push_back({1040, 8, 3, strs({"root", "root", "root"})});             // FILEGROUPNAME
  e.push_back({5011, 4, 1, be32s({8})});                                 // FILEDIGESTALGO sha256
  return e;
}

TEST(RpmAttrs, ReadOnlyWhenAskedAndParallelToFiles) {
  std::string h = build_header(with_attrs());
  Package plain, full;
  std::string err;
  ASSERT_TRUE(parse_rpm_header(h, plain, &err));
  EXPECT_TRUE(plain.attrs.empty());  // a plain check pays nothing
  ASSERT_TRUE(parse_rpm_header(h, full, &err, PackageRead{true})) << err;
  ASSERT_EQ(full.attrs.size(), full.files.size());
  EXPECT_EQ(full.digest_algo, 8u);
  EXPECT_EQ(full.files[1], "usr/bin/tool");
  EXPECT_EQ(full.attrs[1].digest, kSha);
  EXPECT_EQ(full.attrs[1].mode, 0100755);
  EXPECT_EQ(full.attrs[1].size, 4u);
  EXPECT_EQ(full.attrs[1].user, "root");
  EXPECT_EQ(full.attrs[1].verify, ~0u);  // no FILEVERIFYFLAGS: everything
  EXPECT_EQ(full.attrs[2].flags, PackagedFile::kConfig);
  EXPECT_EQ(full.attrs[2].state, PackagedFile::kNotInstalled);
}

TEST(RpmAttrs, HostileArraysAreANoteOnThePackageNeverAFailure) {
  Package p;
  std::string err;
  // A digest array shorter than the file list.
  ASSERT_TRUE(parse_rpm_header(build_header(with_attrs(strs({"", kSha}), 2)), p, &err, PackageRead{true}));
  EXPECT_EQ(p.files.size(), 3u);
  EXPECT_TRUE(p.attrs.empty());
  EXPECT_EQ(p.attrs_error, "FILEDIGESTS has 2 entries for 3 files");
  // A digest that is not hex.
  ASSERT_TRUE(parse_rpm_header(build_header(with_attrs(strs({"", "zz", kShaX}))), p, &err, PackageRead{true}));
  EXPECT_EQ(p.attrs_error, "FILEDIGESTS[1] is not hex");
  // An unknown algorithm: read, and said so when verified.
  auto e = with_attrs();
  e.back() = {5011, 4, 1, be32s({99})};
  ASSERT_TRUE(parse_rpm_header(build_header(e), p, &err, PackageRead{true}));
  PackageDb db;
  db.packages.push_back(p);
  db.reindex();
  FileSystem fs;
  auto v = verify_packages(db, fs, Users{}, nullptr);
  ASSERT_FALSE(v.notes.empty());
  EXPECT_NE(v.notes[0].find("unknown FILEDIGESTALGO 99"), std::string::npos) << v.notes[0];
}

TEST(DpkgAttrs, Md5sumsAndConffilesAndHostileLines) {
  const std::string status =
      "Package: demo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n"
      "Conffiles:\n /etc/demo.conf 0123456789abcdef0123456789abcdef\n /etc/old.conf 0123456789abcdef0123456789abcdef obsolete\n";
  std::map<std::string, std::string> lists = {
      {"demo.list", "/.\n/etc\n/etc/demo.conf\n/etc/old.conf\n/usr\n/usr/bin\n/usr/bin/demo\n/usr/bin/odd\n"}};
  std::map<std::string, std::string> sums = {
      {"var/lib/dpkg/info/demo.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/bin/demo\n"
                                         "not-a-digest  usr/bin/odd\n"
                                         "d41d8cd98f00b204e9800998ecf8427e  ../../etc/shadow\n"}};
  PackageDb db = read_dpkg(status, lists, kDpkgStatusPath, &sums);
  ASSERT_EQ(db.packages.size(), 1u);
  const Package& p = db.packages[0];
  ASSERT_EQ(p.attrs.size(), p.files.size());
  auto at = [&](const std::string& f) {
    for (size_t i = 0; i < p.files.size(); ++i)
      if (p.files[i] == f) return p.attrs[i];
    return PackagedFile{};
  };
  EXPECT_EQ(at("usr/bin/demo").digest, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(at("etc/demo.conf").flags, PackagedFile::kConfig);
  EXPECT_EQ(at("etc/old.conf").verify, 0u);  // obsolete: no longer the package's to verify
  EXPECT_EQ(at("usr/bin/odd").verify, 0u);
  EXPECT_EQ(at("usr/bin").verify, 0u);
  ASSERT_EQ(db.notes.size(), 2u);
  EXPECT_NE(db.notes[0].find("is not an md5 and a path"), std::string::npos) << db.notes[0];
  EXPECT_NE(db.notes[1].find("../../etc/shadow is no path inside the root"), std::string::npos) << db.notes[1];
  // Without md5sums asked for, nothing is read.
  EXPECT_TRUE(read_dpkg(status, lists).packages[0].attrs.empty());
}

TEST(FileDigest, ComputesSavesAndLoads) {
  FileDigester d({8, 1});
  d.data("te", 2);
  d.data("st", 2);
  d.end();
  ASSERT_NE(d.hex(8), nullptr);
  EXPECT_EQ(*d.hex(8), kSha);
  EXPECT_EQ(*d.hex(1), "098f6bcd4621d373cade4e832627b4f6");
  EXPECT_EQ(d.hex(2), nullptr);
  std::string saved;
  ASSERT_TRUE(d.save(saved));
  FileDigester back({8, 1});
  ASSERT_TRUE(back.load(saved));
  EXPECT_EQ(*back.hex(8), kSha);
  FileDigester bad({8});
  EXPECT_FALSE(bad.load("8:zz"));
  EXPECT_FALSE(bad.load("77:00"));
  EXPECT_EQ(digest_algo_from_name("sha256"), 8u);
  EXPECT_EQ(digest_algo_from_name("crc32"), 0u);
}

// A file system the way a build leaves it: layer 0 installs, later layers edit.
struct Tree {
  FileSystem fs;
  void put(const std::string& path, EntryType t, uint32_t mode, uint64_t size, int layer, const std::string& link = "",
           uint32_t uid = 0) {
    Entry e;
    e.type = t;
    e.mode = mode;
    e.size = size;
    e.link = link;
    e.uid = uid;
    std::string why;
    ASSERT_TRUE(fs.put(path, e, layer, &why)) << why;
  }
};

PackagedFile file_attrs(uint16_t mode, uint64_t size, const std::string& digest, uint32_t flags = 0) {
  PackagedFile a;
  a.mode = mode;
  a.size = size;
  a.digest = digest;
  a.user = a.group = "root";
  a.flags = flags;
  a.verify = ~0u;
  return a;
}

TEST(Verify, RpmLettersMissingGhostsAndTheInstallLayer) {
  Package p;
  p.name = "demo";
  p.nevra = "demo-1-1.noarch";
  p.db = "rpm";
  p.digest_algo = 8;
  auto add = [&](const std::string& f, PackagedFile a) {
    p.files.push_back(f);
    p.attrs.push_back(a);
  };
  add("usr/bin/same", file_attrs(0100755, 4, kSha));
  add("usr/bin/edited", file_attrs(0100755, 4, kSha));
  add("usr/bin/chmodded", file_attrs(0100755, 4, kSha));
  add("usr/bin/relinked", file_attrs(0120777, 4, ""));
  p.attrs.back().linkto = "same";
  add("usr/bin/gone", file_attrs(0100644, 1, kShaX));
  add("usr/bin/ghost", file_attrs(0100644, 1, kShaX, PackagedFile::kGhost));
  add("usr/bin/optional", file_attrs(0100644, 1, kShaX, PackagedFile::kMissingOk));
  add("usr/share/doc/demo/README", file_attrs(0100644, 1, kShaX, PackagedFile::kDoc));
  p.attrs.back().state = PackagedFile::kNotInstalled;
  add("usr/bin/postinst", file_attrs(0100644, 1, kShaX));
  add("usr/bin/owned", file_attrs(0100644, 1, kShaX));
  PackageDb db;
  db.packages.push_back(p);
  db.reindex();

  Tree t;
  for (const char* f : {"usr/bin/same", "usr/bin/edited", "usr/bin/chmodded"}) t.put(f, EntryType::File, 0755, 4, 0);
  t.put("usr/bin/relinked", EntryType::Symlink, 0777, 0, 0, "same");
  t.put("usr/bin/gone", EntryType::File, 0644, 1, 0);
  t.put("usr/bin/postinst", EntryType::File, 0644, 9, 0);  // edited by %post in the install layer
  t.put("usr/bin/owned", EntryType::File, 0644, 1, 0, "", 1000);
  t.put("usr/bin/edited", EntryType::File, 0755, 5, 1);
  t.put("usr/bin/chmodded", EntryType::File, 04755, 4, 1);
  t.put("usr/bin/relinked", EntryType::Symlink, 0777, 0, 1, "other");
  t.fs.whiteout("usr/bin/gone", 2);
  std::map<std::string, std::string> digests = {{"usr/bin/same", kSha},    {"usr/bin/edited", kShaX},
                                                {"usr/bin/chmodded", kSha}, {"usr/bin/postinst", kSha},
                                                {"usr/bin/owned", kShaX}};
  DigestOf digest = [&](const std::string& path, uint32_t algo) -> const std::string* {
    auto it = digests.find(path);
    return algo == 8 && it != digests.end() ? &it->second : nullptr;
  };
  Users users;
  users.passwd.push_back({"root", 0, 0, "", "/root", "/bin/sh"});
  users.groups.push_back({"root", 0, {}});
  PackageVerification v = verify_packages(db, t.fs, users, digest);
  std::map<std::string, const VerifyIssue*> by;
  for (auto& is : v.issues) by[is.path] = &is;
  ASSERT_EQ(by.size(), 6u);
  EXPECT_EQ(by["usr/bin/edited"]->letters, "S.5......");
  EXPECT_EQ(by["usr/bin/edited"]->layer, 1);
  EXPECT_FALSE(by["usr/bin/edited"]->at_install);
  EXPECT_EQ(by["usr/bin/chmodded"]->letters, ".M.......");
  EXPECT_EQ(by["usr/bin/relinked"]->letters, "....L....");
  EXPECT_TRUE(by["usr/bin/gone"]->missing);
  EXPECT_EQ(by["usr/bin/gone"]->layer, 2);  // the whiteout's layer
  EXPECT_EQ(by["usr/bin/postinst"]->letters, "S.5......");
  EXPECT_TRUE(by["usr/bin/postinst"]->at_install);  // the baseline: same layer as the package
  EXPECT_EQ(by["usr/bin/owned"]->letters, ".....U...");
  EXPECT_EQ(v.install_layer[0], 0);
  EXPECT_EQ(v.counts[0].files, 10u);
  EXPECT_EQ(v.counts[0].skipped, 3u);  // ghost, missingok, not installed
  EXPECT_EQ(v.counts[0].missing, 1u);
  EXPECT_EQ(v.counts[0].changed, 5u);
  EXPECT_EQ(v.counts[0].verified, 1u);
}

TEST(Verify, TypeChangedAndDigestNotComputed) {
  Package p;
  p.nevra = "demo-1-1.all";
  p.db = "dpkg";
  p.digest_algo = 1;
  p.files = {"usr/share/demo/a", "usr/share/demo/b"};
  p.attrs.resize(2);
  for (auto& a : p.attrs) {
    a.digest = "d41d8cd98f00b204e9800998ecf8427e";
    a.verify = PackagedFile::kVerifyDigest;
  }
  PackageDb db;
  db.packages.push_back(p);
  db.reindex();
  Tree t;
  t.put("usr/share/demo/a", EntryType::Symlink, 0777, 0, 1, "b");
  t.put("usr/share/demo/b", EntryType::File, 0644, 0, 0);
  PackageVerification v = verify_packages(db, t.fs, Users{}, nullptr);
  ASSERT_EQ(v.issues.size(), 2u);
  EXPECT_EQ(v.issues[0].type_changed, "file, now a symlink");
  EXPECT_EQ(v.issues[1].letters, "..?......");  // no digest was computed: unknown, not changed
}

}  // namespace facts_package_verify_test
}  // namespace imagelint
