// Debian's database into the packages fact, held against dpkg-query reading the same files.
#include "facts/dpkg.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "harness.h"

namespace imagelint {
namespace facts_dpkg_test {

using testing_util::lines;
using testing_util::Result;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

// Three stanzas: a Multi-Arch: same library with a long Description (continuation lines, a " ."
// paragraph break), a removed package whose config files stay (not installed), and a package
// with an epoch.
const std::string kStatus = R"(Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12988
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 Package: not-a-field (a continuation line that looks like one)

Package: oldpkg
Status: deinstall ok config-files
Maintainer: Someone <someone@example.org>
Architecture: all
Version: 1.0-1
Conffiles:
 /etc/oldpkg.conf 0123456789abcdef0123456789abcdef
Description: removed, config kept

Package: cpp
Status: install ok installed
Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>
Architecture: amd64
Source: gcc-defaults (1.203)
Version: 4:12.2.0-3
Description: GNU C preprocessor (cpp)
)";

const std::map<std::string, std::string> kLists{
    {"var/lib/dpkg/info/libc6:amd64.list",
     "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n/usr\n/usr/share\n/usr/share/doc\n"},
    {"var/lib/dpkg/info/cpp.list", "/.\n/usr\n/usr/bin\n/usr/bin/cpp-12\n/usr/share\n/usr/share/doc\n"},
    {"var/lib/dpkg/info/oldpkg.list", "/.\n/etc\n/etc/oldpkg.conf\n"},  // stale: oldpkg is not installed
};

std::set<std::string> owner_names(const PackageDb& db, const std::string& path) {
  std::set<std::string> out;
  for (const Package* p : db.owners(path)) out.insert(p->name);
  return out;
}

// An admindir dpkg-query reads: status, info/format (1: Multi-Arch names), info/*.list.
std::string admindir(const TempDir& dir, const std::string& status, const std::map<std::string, std::string>& lists) {
  std::string d = dir / "dpkg";
  std::filesystem::create_directories(d + "/info");
  std::filesystem::create_directories(d + "/updates");
  write_file(d + "/status", status);
  write_file(d + "/info/format", "1\n");
  for (const auto& [path, content] : lists)
    write_file(d + "/info/" + std::string(std::filesystem::path(path).filename()), content);
  return d;
}

TEST(DpkgStatus, InstalledPackagesVersionsAndOwners) {
  PackageDb db = read_dpkg(kStatus, kLists);
  EXPECT_TRUE(db.errors.empty()) << db.errors.front();
  EXPECT_TRUE(db.notes.empty()) << db.notes.front();
  ASSERT_EQ(db.packages.size(), 2u);
  const Package& libc = db.packages[0];
  EXPECT_EQ(libc.name, "libc6");
  EXPECT_EQ(libc.epoch, "");
  EXPECT_EQ(libc.version, "2.36");
  EXPECT_EQ(libc.release, "9+deb12u4");
  EXPECT_EQ(libc.arch, "amd64");
  EXPECT_EQ(libc.nevra, "libc6-2.36-9+deb12u4.amd64");
  EXPECT_EQ(libc.db, "dpkg");
  const Package& cpp = db.packages[1];
  EXPECT_EQ(cpp.epoch, "4");
  EXPECT_EQ(cpp.version, "12.2.0");
  EXPECT_EQ(cpp.release, "3");
  EXPECT_EQ(cpp.nevra, "cpp-4:12.2.0-3.amd64");
  EXPECT_EQ(cpp.files, (std::vector<std::string>{"usr", "usr/bin", "usr/bin/cpp-12", "usr/share", "usr/share/doc"}));

  EXPECT_EQ(owner_names(db, "usr/bin/cpp-12"), std::set<std::string>{"cpp"});
  EXPECT_EQ(owner_names(db, "/lib/x86_64-linux-gnu/libc.so.6"), std::set<std::string>{"libc6"});
  EXPECT_EQ(owner_names(db, "usr/share/doc"), (std::set<std::string>{"libc6", "cpp"}));
  EXPECT_TRUE(owner_names(db, "etc/oldpkg.conf").empty());  // removed: its stale list does not count
  EXPECT_TRUE(owner_names(db, "").empty());                 // "/." is the root, listed by everyone

  nlohmann::json j = packages_to_json(db);
  ASSERT_EQ(j["packages"].size(), 2u);
  EXPECT_EQ(j["packages"][1]["nevra"], "cpp-4:12.2.0-3.amd64");
  EXPECT_EQ(j["packages"][1]["epoch"], "4");
  EXPECT_TRUE(j["packages"][0]["epoch"].is_null());
  EXPECT_EQ(j["packages"][0]["db"], "dpkg");

  // dpkg-query, on the same files, agrees on versions, architectures and owners.
  if (!testing_util::have("dpkg-query")) GTEST_SKIP() << "dpkg-query is not installed";
  TempDir dir;
  std::string d = admindir(dir, kStatus, kLists);
  Result w = run({"dpkg-query", "--admindir=" + d, "-W",
                  "-f=${Package}|${Version}|${Architecture}|${db:Status-Status}\\n"});
  ASSERT_EQ(w.code, 0) << w.err;
  std::set<std::string> installed;
  for (const auto& l : lines(w.out))
    if (l.size() > 10 && l.substr(l.size() - 10) == "|installed") installed.insert(l.substr(0, l.size() - 10));
  std::set<std::string> ours;
  for (const auto& p : db.packages)
    ours.insert(p.name + "|" + (p.epoch.empty() ? "" : p.epoch + ":") + p.version + "-" + p.release + "|" + p.arch);
  EXPECT_EQ(ours, installed);
  for (const std::string path : {"/usr/bin/cpp-12", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/doc", "/usr"}) {
    Result s = run({"dpkg-query", "--admindir=" + d, "-S", path});
    ASSERT_EQ(s.code, 0) << s.err;
    // "libc6:amd64, cpp: /usr/share/doc"
    std::set<std::string> theirs;
    std::string who = s.out.substr(0, s.out.find(": "));
    for (size_t pos = 0; pos <= who.size();) {
      size_t comma = who.find(", ", pos);
      std::string name = who.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      theirs.insert(name.substr(0, name.find(':')));
      if (comma == std::string::npos) break;
      pos = comma + 2;
    }
    EXPECT_EQ(owner_names(db, path), theirs) << path;
  }
  // One deliberate difference: dpkg -S still names a removed package for the conffiles it left
  // (config-files state); here only installed packages own paths.
  Result left = run({"dpkg-query", "--admindir=" + d, "-S", "/etc/oldpkg.conf"});
  EXPECT_EQ(left.out, "oldpkg: /etc/oldpkg.conf\n") << left.err;
  EXPECT_EQ(db.owner("etc/oldpkg.conf"), nullptr);
}

TEST(DpkgStatus, StatesThatCountAndStatesThatDoNot) {
  std::string status;
  for (const char* st : {"install ok installed", "hold ok installed", "install ok triggers-pending",
                         "install ok triggers-awaited", "install ok unpacked", "install ok half-configured",
                         "install reinstreq half-installed", "deinstall ok config-files", "purge ok not-installed",
                         "install ok not-installed"}) {
    std::string name = st;
    for (char& c : name)
      if (c == ' ') c = '-';
    status += "Package: p-" + name + "\nStatus: " + st + "\nArchitecture: all\nVersion: 1\n\n";
  }
  PackageDb db = read_dpkg(status, {});
  std::vector<std::string> names;
  for (const auto& p : db.packages) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"p-install-ok-installed", "p-hold-ok-installed",
                                             "p-install-ok-triggers-pending", "p-install-ok-triggers-awaited"}));
  ASSERT_EQ(db.notes.size(), 3u);
  EXPECT_NE(db.notes[0].find("p-install-ok-unpacked is unpacked"), std::string::npos) << db.notes[0];
  EXPECT_NE(db.notes[2].find("half-installed"), std::string::npos) << db.notes[2];
  EXPECT_TRUE(db.errors.empty());
  EXPECT_EQ(db.packages[0].nevra, "p-install-ok-installed-1.all");  // a native version: no revision
}

TEST(DpkgStatus, MalformedStanzasAreErrorsAndTheRestCounts) {
  std::string status =
      "Package: good\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n"
      " continuation first\nPackage: orphan-continuation\nStatus: install ok installed\nVersion: 1\n\n"
      "Package: nocolon\nStatus: install ok installed\nthis line has no colon\nVersion: 1\n\n"
      "Status: install ok installed\nVersion: 1\n\n"
      "Package: nostatus\nVersion: 1\n\n"
      "Package: noversion\nStatus: install ok installed\n\n"
      "package: lower-case-fields\nSTATUS: install ok installed\nversion: 2:3\narchitecture: arm64\r\n";
  PackageDb db = read_dpkg(status, {}, "var/lib/dpkg/status");
  std::vector<std::string> names;
  for (const auto& p : db.packages) names.push_back(p.nevra);
  EXPECT_EQ(names, (std::vector<std::string>{"good-1.0-1.amd64", "lower-case-fields-2:3.arm64"}));
  ASSERT_EQ(db.errors.size(), 5u);
  EXPECT_EQ(db.errors[0],
            "var/lib/dpkg/status: stanza at line 6 (orphan-continuation): line 6: continuation line before any "
            "field");
  EXPECT_NE(db.errors[1].find("line 13: not a \"Field: value\" line"), std::string::npos) << db.errors[1];
  EXPECT_NE(db.errors[2].find("no Package field"), std::string::npos) << db.errors[2];
  EXPECT_NE(db.errors[3].find("(nostatus): no Status field"), std::string::npos) << db.errors[3];
  EXPECT_NE(db.errors[4].find("(noversion): installed but no Version field"), std::string::npos) << db.errors[4];
  EXPECT_EQ(read_dpkg("", {}).packages.size(), 0u);
  EXPECT_EQ(read_dpkg("\n\n \n", {}).errors.size(), 0u);
}

TEST(DpkgStatus, ListFilesByNameAndUsrMerge) {
  std::string status =
      "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\n\n"
      "Package: libfoo\nStatus: install ok installed\nVersion: 1-1\nArchitecture: amd64\nMulti-Arch: same\n\n"
      "Package: nolist\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n";
  // A format-0 database names a Multi-Arch: same list without ":arch"; names alone work as keys.
  std::map<std::string, std::string> lists{{"bash.list", "/.\n/bin\n/bin/bash\n/usr/share/doc/bash\n"},
                                           {"libfoo.list", "/usr/lib/libfoo.so.1\r\n"},
                                           {"/var/lib/dpkg/info/ignored.md5sums", "x"}};
  PackageDb db = read_dpkg(status, lists);
  ASSERT_EQ(db.packages.size(), 3u);
  EXPECT_EQ(db.packages[1].files, std::vector<std::string>{"usr/lib/libfoo.so.1"});
  ASSERT_EQ(db.notes.size(), 1u);
  EXPECT_EQ(db.notes[0],
            "var/lib/dpkg/status: files list file for package 'nolist' missing; assuming package has no files "
            "currently installed");
  // Debian lists bin/bash; in a merged-/usr image the file is usr/bin/bash. With the image's
  // resolver both names find it.
  EXPECT_EQ(db.owner("usr/bin/bash"), nullptr);
  db.reindex([](const std::string& p) { return p == "bin" || p.rfind("bin/", 0) == 0 ? "usr/" + p : p; });
  ASSERT_NE(db.owner("usr/bin/bash"), nullptr);
  EXPECT_EQ(db.owner("usr/bin/bash")->name, "bash");
  EXPECT_EQ(db.owner("bin/bash")->name, "bash");
}

TEST(DpkgStatus, SplitsDebianVersions) {
  auto parts = [](const std::string& v) {
    DebVersion d = split_deb_version(v);
    return d.epoch + "|" + d.upstream + "|" + d.revision;
  };
  EXPECT_EQ(parts("1.0"), "|1.0|");
  EXPECT_EQ(parts("1:2.3-4"), "1|2.3|4");
  EXPECT_EQ(parts("2.3-4-5"), "|2.3-4|5");
  EXPECT_EQ(parts("1:2:3-0ubuntu1"), "1|2:3|0ubuntu1");
  EXPECT_EQ(parts(""), "||");
}

}  // namespace facts_dpkg_test
}  // namespace imagelint
