// The rpmdb normaliser: the same packages installed at another time and in another order give
// the same digest though the sqlite files differ; an upgraded package does not. Databases are
// written by Debian's rpm and rpmbuild (skipped when they are absent).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "drift/normalise.h"
#include "harness.h"

namespace imagelint::drift {
namespace drift_normalisers_rpmdb_test {

using testing_util::read_file;
using testing_util::Result;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

Substance rpmdb(std::string_view b) { return find_normaliser("rpmdb")(b); }

class RpmdbNormaliser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_util::have("rpm") || !testing_util::have("rpmbuild")) GTEST_SKIP() << "rpm and rpmbuild are not installed";
    if (run({"sh", "-c", "test \"$(rpm --eval %_db_backend)\" = sqlite"}).code != 0) define_ = {"--define", "_db_backend sqlite"};
  }
  Result rpm(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"rpm"};
    argv.insert(argv.end(), define_.begin(), define_.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  // Builds NAME-VERSION-1.noarch.rpm with one file and one config file; returns its path.
  std::string build(const std::string& name, const std::string& version) {
    std::string spec = d_ / (name + "-" + version + ".spec");
    write_file(spec, "Name: " + name + "\nVersion: " + version +
                         "\nRelease: 1\nSummary: t\nLicense: MIT\nBuildArch: noarch\n%description\nt\n%install\n"
                         "mkdir -p %{buildroot}/usr/share/" + name + " %{buildroot}/etc\n"
                         "echo " + version + " > %{buildroot}/usr/share/" + name + "/file\n"
                         "echo c > %{buildroot}/etc/" + name + ".conf\n"
                         "%files\n/usr/share/" + name + "/file\n%config(noreplace) /etc/" + name + ".conf\n");
    Result b = run({"rpmbuild", "-bb", "--define", "_topdir " + (d_ / "top"), spec});
    EXPECT_EQ(b.code, 0) << b.err;
    return d_ / ("top/RPMS/noarch/" + name + "-" + version + "-1.noarch.rpm");
  }
  // A fresh database in d_/NAME; each step is one `rpm` transaction (-i or -U) of some packages.
  std::string db(const std::string& name, const std::vector<std::pair<std::string, std::vector<std::string>>>& steps) {
    std::string dir = d_ / name;
    std::filesystem::create_directories(dir);
    EXPECT_EQ(rpm({"--initdb", "--dbpath", dir}).code, 0);
    for (const auto& [op, rpms] : steps) {
      std::vector<std::string> args{op, "--justdb", "--nodeps", "--noscripts", "--dbpath", dir};
      args.insert(args.end(), rpms.begin(), rpms.end());
      Result r = rpm(args);
      EXPECT_EQ(r.code, 0) << r.err;
    }
    return read_file(dir + "/rpmdb.sqlite");
  }
  TempDir d_;
  std::vector<std::string> define_;
};

TEST_F(RpmdbNormaliser, InstallTimeAndOrderAreLeftOut) {
  std::string a10 = build("alpha", "1.0"), b10 = build("beta", "1.0"), c10 = build("gamma", "1.0");
  std::string a11 = build("alpha", "1.1");
  std::string one = db("one", {{"-i", {a10, b10, c10}}});
  ASSERT_EQ(run({"sleep", "1.1"}).code, 0);  // INSTALLTIME and INSTALLTID are in seconds
  std::string two = db("two", {{"-i", {c10}}, {"-i", {b10}}, {"-i", {a10}}});
  std::string upgraded = db("upgraded", {{"-i", {c10}}, {"-i", {b10}}, {"-i", {a10}}, {"-U", {a11}}});
  std::string fewer = db("fewer", {{"-i", {a10, b10}}});
  ASSERT_NE(one, two);
  Substance s1 = rpmdb(one), s2 = rpmdb(two), su = rpmdb(upgraded), sf = rpmdb(fewer);
  ASSERT_TRUE(s1.ok && s2.ok && su.ok && sf.ok) << s1.error << s2.error << su.error << sf.error;
  EXPECT_EQ(s1.digest, s2.digest);
  EXPECT_NE(s1.digest, su.digest);
  EXPECT_NE(s1.digest, sf.digest);
  // Upgrading back to the same set is the same set.
  std::string same = db("same", {{"-i", {a11, b10, c10}}});
  EXPECT_EQ(rpmdb(same).digest, su.digest);
}

TEST_F(RpmdbNormaliser, BrokenDatabasesAreNotOk) {
  std::string one = db("one", {{"-i", {build("alpha", "1.0")}}});
  ASSERT_TRUE(rpmdb(one).ok);
  Substance cut = rpmdb(one.substr(0, one.size() - 4096 - 1));
  EXPECT_FALSE(cut.ok);
  EXPECT_FALSE(cut.error.empty());
  EXPECT_FALSE(rpmdb(one.substr(0, 50)).ok);
  EXPECT_FALSE(rpmdb("not sqlite at all, not sqlite at all, not sqlite at all, not sqlite at all, not sqlite").ok);
  EXPECT_FALSE(rpmdb("").ok);
}

TEST(RpmdbNormaliserSqlite, BadHeaderBlobsAreNotOk) {
  // A database with a Packages table whose blob says more than it holds.
  TempDir d;
  std::string path = d / "rpmdb.sqlite";
  std::string blobs[] = {
      "X'0000000100000010'",  // il 1, dl 16, nothing after
      "X'0000000100000004000003E800000007FFFFFF000000000100000000'",  // offset past dl
      "X'0000000100000004000003E800000006000000000000000141424344'",  // a string without its NUL
      "X'0000000200000004000003E8000000040000000000000001000003E90000000400000000000000010000000A'",  // two tags, one data
      "'text, not a blob'",
  };
  for (const auto& blob : blobs) {
    std::filesystem::remove(path);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string sql = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"
                      "INSERT INTO Packages (blob) VALUES (" + blob + ");";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
    Substance s = rpmdb(read_file(path));
    EXPECT_FALSE(s.ok) << blob;
    EXPECT_NE(s.error.find("package #1"), std::string::npos) << s.error;
  }
}

}  // namespace drift_normalisers_rpmdb_test
}  // namespace imagelint::drift
