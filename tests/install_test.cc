// `cmake --install`: the binary, the shipped packs it reads at run time from beside itself, the
// rule pages and the man page land under the prefix, and the installed binary works.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

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

// CPack's DEB holds exactly the files cmake --install puts under the prefix, depends on the
// libraries the binary links, and the installed tree runs the demo's check of the example image.
TEST(Install, TheDebianPackageHoldsWhatInstallPutsAndTheInstalledTreeRunsTheDemo) {
  if (!have("dpkg-deb") || !have("cpack") || !have("dpkg-shlibdeps")) GTEST_SKIP() << "cpack, dpkg-deb or dpkg-shlibdeps missing";
  TempDir d;
  std::string build = fs::path(IMAGELINT_BIN).parent_path();
  Result pack = run({"cpack", "-G", "DEB", "-B", d / "pkg", "--config", build + "/CPackConfig.cmake"});
  ASSERT_EQ(pack.code, 0) << pack.out << pack.err;
  std::string deb;
  for (auto& e : fs::directory_iterator(d / "pkg"))
    if (e.path().extension() == ".deb") deb = e.path();
  ASSERT_FALSE(deb.empty());
  Result list = run({"dpkg-deb", "--fsys-tarfile", deb});
  ASSERT_EQ(list.code, 0);
  write_file(d / "data.tar", list.out);
  Result names = run({"tar", "-tf", d / "data.tar"});
  std::set<std::string> in_deb;
  for (auto& n : lines(names.out))
    if (!n.ends_with("/")) in_deb.insert(n.substr(n.find("usr/")));
  Result inst = run({"cmake", "--install", build, "--prefix", d / "root/usr"});
  ASSERT_EQ(inst.code, 0) << inst.err;
  std::set<std::string> installed;
  for (auto& e : fs::recursive_directory_iterator(d / "root"))
    if (!e.is_directory()) installed.insert(fs::relative(e.path(), d / "root").string());
  EXPECT_EQ(in_deb, installed);
  Result depends = run({"dpkg-deb", "-f", deb, "Depends"});
  for (auto lib : {"libarchive13", "libre2-9", "libxxhash0", "libssl3"}) EXPECT_NE(depends.out.find(lib), std::string::npos) << depends.out;
  // The demo's check, by the installed binary (its packs from the tree beside it).
  fixture::write_oci_archive({recipe("example")}, d / "example.oci.tar");
  Result check = run({d / "root/usr/bin/imagelint", "check", d / "example.oci.tar"});
  EXPECT_EQ(check.code, 1) << check.err;  // the example has findings on purpose
  EXPECT_NE(check.out.find("FAILED (--fail-on error)"), std::string::npos) << check.out;
}

}  // namespace e2e_install_test
