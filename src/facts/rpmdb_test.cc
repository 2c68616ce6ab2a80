// The rpm database side of the packages fact, held against rpm itself: rpm's own test database
// (WAL mode), databases this test makes with Debian's rpm and rpmbuild, go-rpmdb's header blob.
// Hostile databases are in rpmdb_hostile_test.cc, the header parser's hostile-input tests in
// rpm_header_test.cc.
#include "facts/rpmdb.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "facts/rpm_test_util.h"
#include "facts/rpmdb_test_util.h"
#include "harness.h"
#include "util/error.h"

namespace imagelint {
namespace facts_rpmdb_test {

using namespace rpm_test;
using namespace facts_rpmdb_test_util;

using testing_util::lines;
using testing_util::read_file;
using testing_util::Result;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

const std::string kBlobBin = "go-rpmdb/pkg/testdata/blob.bin";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Debian's rpm, always on a copy in a temp dir (rpm creates -shm/-wal beside a database), with the
// sqlite backend forced if this rpm's default is another one.
class Rpm {
 public:
  Rpm() {
    if (trim(run({"rpm", "--eval", "%_db_backend"}).out) != "sqlite") define_ = {"--define", "_db_backend sqlite"};
  }
  Result operator()(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"rpm"};
    argv.insert(argv.end(), define_.begin(), define_.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

 private:
  std::vector<std::string> define_;
};

bool have_rpm() { return testing_util::have("rpm") && testing_util::have("rpmbuild"); }

std::set<std::string> owner_nevras(const PackageDb& db, const std::string& path) {
  std::set<std::string> out;
  for (const Package* p : db.owners(path)) out.insert(p->nevra);
  return out;
}

// What rpm says about every package: NEVRA|NAME|EPOCH|VERSION|RELEASE|ARCH, "(none)" for absent.
std::vector<std::string> rpm_fields(const Rpm& rpm, const std::string& dbdir) {
  Result r = rpm({"-qa", "--dbpath", dbdir, "--qf", "%{NEVRA}|%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}\\n"});
  EXPECT_EQ(r.code, 0) << r.err;
  return lines(r.out);
}
std::vector<std::string> our_fields(const PackageDb& db) {
  std::vector<std::string> out;
  auto none = [](const std::string& s) { return s.empty() ? std::string("(none)") : s; };
  for (const auto& p : db.packages)
    out.push_back(p.nevra + "|" + p.name + "|" + none(p.epoch) + "|" + p.version + "|" + p.release + "|" +
                  none(p.arch));
  return out;
}

// Every (NEVRA, path, mode) that rpm lists, and ours, both as "nevra path mode".
std::multiset<std::string> rpm_files(const Rpm& rpm, const std::string& dbdir) {
  // %{=TAG} repeats a scalar along the arrays; a package without files prints "(none)".
  Result r = rpm({"-qa", "--dbpath", dbdir, "--qf", "[%{=NEVRA} %{FILENAMES} %{FILEMODES}\\n]"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::multiset<std::string> out;
  for (auto& l : lines(r.out))
    if (l.find(" (none)") == std::string::npos) out.insert(l);
  return out;
}
std::multiset<std::string> our_files(const PackageDb& db) {
  std::multiset<std::string> out;
  for (const auto& p : db.packages) {
    EXPECT_EQ(p.modes.size(), p.files.size()) << p.nevra;
    for (size_t i = 0; i < p.files.size() && i < p.modes.size(); ++i)
      out.insert(p.nevra + " /" + p.files[i] + " " + std::to_string(p.modes[i]));
  }
  return out;
}

// `rpm -qf` for one path: the NEVRAs that own it (none when rpm says it is not owned).
std::set<std::string> rpm_owners(const Rpm& rpm, const std::string& dbdir, const std::string& path) {
  Result r = rpm({"-qf", "--dbpath", dbdir, "--qf", "%{NEVRA}\\n", "/" + path});
  std::set<std::string> out;
  if (r.code != 0) return out;
  for (auto& l : lines(r.out)) out.insert(l);
  return out;
}

// Adds a row to the Packages table of a database file (a temp copy).
void insert_blob(const std::string& path, const std::string& blob) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1, &s, nullptr), SQLITE_OK);
  sqlite3_bind_blob(s, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

// ---------------------------------------------------------------- rpm's own test database

TEST(RpmDb, CorpusDatabaseMatchesRpm) {
  std::string bytes = read_file(corpus(kCorpusDb));
  ASSERT_GT(bytes.size(), 100u);
  ASSERT_EQ(bytes[18], 2) << "the corpus database is expected in WAL mode";
  std::string before = testing_util::snapshot(corpus("rpm/tests/data/misc"));

  PackageDb db = read_rpmdb_sqlite(bytes, kImagePath);
  EXPECT_EQ(nevras(db), (std::vector<std::string>{"foo-1.0-1.noarch", "hlinktest-1.0-1.noarch",
                                                  "gpg-pubkey-1964c5fc-58e63918"}));
  EXPECT_TRUE(db.errors.empty()) << db.errors.front();
  EXPECT_EQ(db.packages[2].arch, "");
  EXPECT_EQ(db.packages[2].epoch, "");
  EXPECT_EQ(db.packages[0].db, "rpm");
  EXPECT_EQ(owner_nevras(db, "foo/hello"), (std::set<std::string>{"hlinktest-1.0-1.noarch"}));
  EXPECT_EQ(owner_nevras(db, "/foo"), (std::set<std::string>{"hlinktest-1.0-1.noarch"}));
  EXPECT_EQ(db.owner("foo/nothere"), nullptr);
  EXPECT_EQ(db.owner(""), nullptr);
  // Reading never touched the corpus (no -shm/-wal beside it).
  EXPECT_EQ(testing_util::snapshot(corpus("rpm/tests/data/misc")), before);

  if (!have_rpm()) GTEST_SKIP() << "rpm is not installed: the oracle part is skipped";
  Rpm rpm;
  TempDir dir;
  write_file(dir / "rpmdb.sqlite", bytes);
  EXPECT_EQ(our_fields(db), rpm_fields(rpm, dir.path()));
  EXPECT_EQ(our_files(db), rpm_files(rpm, dir.path()));
  for (const auto& p : db.packages)
    for (const auto& f : p.files) EXPECT_EQ(owner_nevras(db, f), rpm_owners(rpm, dir.path(), f)) << f;
}

TEST(RpmDb, DispatchByNameAndBackend) {
  EXPECT_EQ(rpm_backend_of("usr/lib/sysimage/rpm/rpmdb.sqlite"), RpmBackend::sqlite);
  EXPECT_EQ(rpm_backend_of("var/lib/rpm/Packages.db"), RpmBackend::ndb);
  EXPECT_EQ(rpm_backend_of("var/lib/rpm/Packages"), RpmBackend::bdb);
  EXPECT_EQ(rpm_backend_of("var/lib/rpm/Name"), RpmBackend::none);
  EXPECT_EQ(rpm_backend_of("rpmdb.sqlite-wal"), RpmBackend::none);
  PackageDb db = read_rpmdb(read_file(corpus(kCorpusDb)), "usr/share/rpm/rpmdb.sqlite");
  EXPECT_EQ(db.packages.size(), 3u);
  EXPECT_THROW(read_rpmdb("x", "var/lib/rpm/Name"), InputError);
  EXPECT_EQ(rpmdb_dirs().front(), "usr/lib/sysimage/rpm");
}

// rpm's backends other than sqlite: a clear note, no packages, no exception.
TEST(RpmDb, NdbAndBdbArePresentButUnread) {
  PackageDb ndb =
      read_rpmdb(read_file(corpus("go-rpmdb/pkg/testdata/sle15-bci/Packages.db")), "var/lib/rpm/Packages.db");
  EXPECT_TRUE(ndb.packages.empty());
  EXPECT_EQ(ndb.unread, std::vector<std::string>{"var/lib/rpm/Packages.db"});
  ASSERT_EQ(ndb.notes.size(), 1u);
  EXPECT_NE(ndb.notes[0].find("var/lib/rpm/Packages.db: rpm ndb database"), std::string::npos) << ndb.notes[0];
  EXPECT_NE(ndb.notes[0].find("present but unread"), std::string::npos);
  EXPECT_EQ(ndb.notes[0].find("does not start like one"), std::string::npos);

  PackageDb bdb = read_rpmdb(read_file(corpus("go-rpmdb/pkg/testdata/libuuid/Packages")), "var/lib/rpm/Packages");
  EXPECT_TRUE(bdb.packages.empty());
  EXPECT_EQ(bdb.unread, std::vector<std::string>{"var/lib/rpm/Packages"});
  ASSERT_EQ(bdb.notes.size(), 1u);
  EXPECT_NE(bdb.notes[0].find("Berkeley DB"), std::string::npos) << bdb.notes[0];
  EXPECT_NE(bdb.notes[0].find("present but unread"), std::string::npos);
  EXPECT_EQ(bdb.notes[0].find("does not start like one"), std::string::npos);

  // Only the first bytes matter for these two; a file with the name but not the magic says so.
  PackageDb odd = read_rpmdb(std::string(64, 'x'), "var/lib/rpm/Packages");
  ASSERT_EQ(odd.notes.size(), 1u);
  EXPECT_NE(odd.notes[0].find("does not start like one"), std::string::npos);
  PackageDb empty = read_rpmdb("", "var/lib/rpm/Packages.db");
  EXPECT_EQ(empty.unread.size(), 1u);

  nlohmann::json j = packages_to_json(ndb);
  EXPECT_TRUE(j["packages"].empty());
  EXPECT_EQ(j["package_notes"].size(), 1u);
}

// The WAL caveat made concrete: a transaction still in the -wal file is not in the main file.
TEST(RpmDb, TransactionsOnlyInTheWalAreNotSeen) {
  TempDir dir;
  std::string path = dir / "rpmdb.sqlite";
  write_file(path, read_file(corpus(kCorpusDb)));
  auto blobs = raw_blobs(path);
  ASSERT_EQ(blobs.size(), 3u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1, &s, nullptr), SQLITE_OK);
  const std::string& foo = blobs.begin()->second;
  sqlite3_bind_blob(s, 1, foo.data(), static_cast<int>(foo.size()), SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  // While the connection is open the new row lives only in the -wal.
  std::string main_file = read_file(path);
  auto wal = std::filesystem::file_size(path + "-wal");
  sqlite3_close(db);
  ASSERT_GT(wal, 0u);

  PackageDb seen = read_rpmdb_sqlite(main_file, kImagePath, wal);
  EXPECT_EQ(seen.packages.size(), 3u);
  ASSERT_EQ(seen.notes.size(), 1u);
  EXPECT_NE(seen.notes[0].find("-wal"), std::string::npos);
  EXPECT_NE(seen.notes[0].find("not seen"), std::string::npos);
  // After the checkpoint (sqlite3_close) the main file has it.
  EXPECT_EQ(read_rpmdb_sqlite(read_file(path), kImagePath, 0).packages.size(), 4u);
  EXPECT_TRUE(read_rpmdb_sqlite(read_file(path), kImagePath, 0).notes.empty());
}

// ---------------------------------------------------------------- databases rpm writes

struct Spec {
  std::string name, text;
};

std::vector<Spec> specs() {
  auto head = [](const std::string& name, const std::string& version, const std::string& release,
                 const std::string& epoch) {
    return "Name: " + name + "\nVersion: " + version + "\nRelease: " + release + "\n" +
           (epoch.empty() ? "" : "Epoch: " + epoch + "\n") +
           "Summary: imagelint test package\nLicense: MIT\nBuildArch: noarch\n%description\nTest.\n";
  };
  return {
      {"alpha", head("alpha", "1.2", "3", "2") +
                    "%install\nmkdir -p %{buildroot}/usr/share/alpha/sub %{buildroot}/usr/bin\n"
                    "echo hi > %{buildroot}/usr/bin/alpha\necho x > %{buildroot}/usr/share/alpha/sub/data\n"
                    "%files\n/usr/bin/alpha\n/usr/share/alpha\n"},
      {"beta", head("beta", "0.9", "1.el10", "0") +
                   "%install\nmkdir -p %{buildroot}/usr/share/alpha %{buildroot}/etc\n"
                   "echo y > %{buildroot}/etc/beta.conf\n"
                   "%files\n%dir /usr/share/alpha\n%config /etc/beta.conf\n"},
      {"gamma", head("gamma", "20240101", "0.1.git", "") +
                    "%install\nmkdir -p %{buildroot}/usr/libexec/gamma %{buildroot}/usr/bin\n"
                    "printf '#!/bin/sh\\n' > %{buildroot}/usr/libexec/gamma/tool\n"
                    "ln -s ../libexec/gamma/tool %{buildroot}/usr/bin/gamma\n"
                    "echo z > '%{buildroot}/usr/libexec/gamma/with space'\n"
                    "%files\n/usr/libexec/gamma\n/usr/bin/gamma\n"},
  };
}

TEST(RpmDb, DatabaseWrittenByRpmMatchesRpm) {
  if (!have_rpm()) GTEST_SKIP() << "rpm and rpmbuild are not installed";
  Rpm rpm;
  TempDir dir;
  std::string dbdir = dir / "db";
  std::filesystem::create_directories(dbdir);
  Result init = rpm({"--initdb", "--dbpath", dbdir});
  ASSERT_EQ(init.code, 0) << init.err;
  std::vector<std::string> install{"-i", "--justdb", "--nodeps", "--noscripts", "--dbpath", dbdir};
  for (const auto& s : specs()) {
    write_file(dir / (s.name + ".spec"), s.text);
    Result b = run({"rpmbuild", "-bb", "--define", "_topdir " + (dir / "top"), dir / (s.name + ".spec")});
    ASSERT_EQ(b.code, 0) << b.err;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir / "top/RPMS/noarch")) install.push_back(e.path());
  ASSERT_EQ(install.size(), 9u);
  Result i = rpm(install);
  ASSERT_EQ(i.code, 0) << i.err;

  std::string bytes = read_file(dbdir + "/rpmdb.sqlite");
  PackageDb db = read_rpmdb_sqlite(bytes, kImagePath);
  EXPECT_TRUE(db.errors.empty()) << db.errors.front();
  ASSERT_EQ(db.packages.size(), 3u);

  // The package list, in rpm's order, field by field.
  Result qa = rpm({"-qa", "--dbpath", dbdir, "--qf", "%{NEVRA}\\n"});
  ASSERT_EQ(qa.code, 0) << qa.err;
  EXPECT_EQ(nevras(db), lines(qa.out));
  EXPECT_EQ(our_fields(db), rpm_fields(rpm, dbdir));
  std::map<std::string, const Package*> by_name;
  for (const auto& p : db.packages) by_name[p.name] = &p;
  EXPECT_EQ(by_name["alpha"]->nevra, "alpha-2:1.2-3.noarch");
  EXPECT_EQ(by_name["alpha"]->epoch, "2");
  EXPECT_EQ(by_name["beta"]->nevra, "beta-0:0.9-1.el10.noarch");  // an explicit Epoch: 0 shows
  EXPECT_EQ(by_name["gamma"]->nevra, "gamma-20240101-0.1.git.noarch");

  // Files and modes, and who owns each path (directories shared by two packages included).
  EXPECT_EQ(our_files(db), rpm_files(rpm, dbdir));
  std::set<std::string> paths{"usr/share/alpha", "usr/share/alpha/sub", "usr/share/alpha/sub/data", "usr/bin/alpha",
                              "etc/beta.conf", "usr/bin/gamma", "usr/libexec/gamma/with space", "usr/bin"};
  for (const auto& p : db.packages) paths.insert(p.files.begin(), p.files.end());
  for (const auto& p : paths) EXPECT_EQ(owner_nevras(db, p), rpm_owners(rpm, dbdir, p)) << p;
  EXPECT_EQ(owner_nevras(db, "usr/share/alpha"),
            (std::set<std::string>{"alpha-2:1.2-3.noarch", "beta-0:0.9-1.el10.noarch"}));
  EXPECT_TRUE(owner_nevras(db, "usr/bin").empty());  // nobody lists it: rpm agrees (checked above)
  EXPECT_EQ(by_name["gamma"]->modes.size(), by_name["gamma"]->files.size());

  // The JSON that inspect prints.
  nlohmann::json j = packages_to_json(db);
  ASSERT_EQ(j["packages"].size(), 3u);
  int named = 0;
  for (const auto& p : j["packages"]) {
    if (p["name"] == "alpha") {
      ++named;
      EXPECT_EQ(p["epoch"], "2");
    }
    if (p["name"] == "gamma") {
      ++named;
      EXPECT_TRUE(p["epoch"].is_null());
    }
    EXPECT_EQ(p["db"], "rpm");
    EXPECT_EQ(p["arch"], "noarch");
  }
  EXPECT_EQ(named, 2) << j["packages"].dump(2);
  EXPECT_TRUE(j["package_errors"].empty());
}

// ---------------------------------------------------------------- go-rpmdb's blob.bin

TEST(RpmHeader, GoRpmdbBlobParses) {
  std::string blob = read_file(corpus(kBlobBin));
  ASSERT_EQ(get32(blob, 0), 69u);
  ASSERT_EQ(get32(blob, 4), 4144u);
  Package p;
  std::string why;
  ASSERT_TRUE(parse_rpm_header(blob, p, &why)) << why;
  EXPECT_EQ(p.name, "publicsuffix-list-dafsa");
  EXPECT_EQ(p.version, "20210518");
  EXPECT_EQ(p.release, "2.fc35");
  EXPECT_EQ(p.arch, "noarch");
  EXPECT_EQ(p.epoch, "");
  EXPECT_EQ(p.nevra, "publicsuffix-list-dafsa-20210518-2.fc35.noarch");
  // Its DIRINDEXES name a fifth dirname of four (the blob was edited: its digests fail too); rpm
  // lists the package with no files, and so do we, saying why.
  EXPECT_NE(why.find("DIRINDEXES[3] = 4 but only 4 DIRNAMES"), std::string::npos) << why;
  EXPECT_TRUE(p.files.empty());

  // With the index put right, the four paths come out.
  std::string fixed = blob;
  size_t data = 8 + 16 * 69;
  ASSERT_EQ(get32(fixed, data + 2012 + 12), 4u);  // DIRINDEXES (tag 1116) is at data offset 2012
  put32(fixed, data + 2012 + 12, 3);
  ASSERT_TRUE(parse_rpm_header(fixed, p, &why)) << why;
  EXPECT_EQ(why, "");
  EXPECT_EQ(p.files, (std::vector<std::string>{"usr/share/licenses/publicsuffix-list-dafsa",
                                               "usr/share/licenses/publicsuffix-list-dafsa/COPYING",
                                               "usr/share/publicsuffix",
                                               "usr/share/publicsuffix/public_suffix_list.dafsa"}));
  EXPECT_EQ(p.modes, (std::vector<uint16_t>{040755, 0100644, 040755, 0100644}));

  if (!have_rpm()) GTEST_SKIP() << "rpm is not installed: the oracle part is skipped";
  // rpm reads both blobs from a database (digest checks off: the blob was edited).
  Rpm rpm;
  for (const std::string* b : {&blob, &fixed}) {
    TempDir dir;
    ASSERT_EQ(rpm({"--initdb", "--dbpath", dir.path()}).code, 0);
    insert_blob(dir / "rpmdb.sqlite", *b);
    PackageDb db = read_rpmdb_sqlite(read_file(dir / "rpmdb.sqlite"), kImagePath);
    Result qa = rpm({"-qa", "--nodigest", "--nosignature", "--dbpath", dir.path(), "--qf", "%{NEVRA}\\n"});
    EXPECT_EQ(nevras(db), lines(qa.out)) << qa.err;
    // -qal: the blob is in Packages only, not in the Name index that `-ql NAME` looks up.
    Result ql = rpm({"-qal", "--nodigest", "--nosignature", "--dbpath", dir.path()});
    std::vector<std::string> ours;
    for (const auto& f : db.packages.at(0).files) ours.push_back("/" + f);
    if (ours.empty()) ours.push_back("(contains no files)");
    EXPECT_EQ(ours, lines(ql.out)) << ql.err;
    EXPECT_EQ(db.errors.size(), b == &blob ? 1u : 0u);
  }
}

// ---------------------------------------------------------------- the model

TEST(RpmDb, OwnersResolveAndJsonIsUtf8) {
  PackageDb db;
  Package a;
  a.name = "bash";
  a.nevra = "bash-5.2-1.x86_64";
  a.db = "rpm";
  a.files = {"bin/bash", "usr/share/doc/bash"};
  Package b = a;
  b.name = std::string("bad\xff\xc3name");
  b.nevra = b.name + "-1-1";
  b.files = {"usr/share/doc/bash"};
  db.packages = {a, b};
  db.reindex([](const std::string& p) { return p.rfind("bin/", 0) == 0 ? "usr/" + p : p; });
  ASSERT_NE(db.owner("usr/bin/bash"), nullptr);
  EXPECT_EQ(db.owner("/bin/bash")->name, "bash");
  EXPECT_EQ(db.owners("usr/share/doc/bash").size(), 2u);
  EXPECT_EQ(db.owners("./usr//share/doc/bash/").size(), 2u);
  EXPECT_TRUE(db.owners("../etc").empty());

  PackageDb copy = db;  // the index holds positions, not pointers: a copy answers for itself
  EXPECT_EQ(copy.owner("usr/bin/bash"), &copy.packages[0]);

  PackageDb other;
  other.packages = {a};
  other.packages[0].name = "zsh";
  other.packages[0].files = {"bin/zsh"};
  other.notes = {"n"};
  db.merge(other);
  EXPECT_EQ(db.owner("bin/zsh")->name, "zsh");
  EXPECT_EQ(db.notes.size(), 1u);

  nlohmann::json j = packages_to_json(db);
  EXPECT_EQ(j["packages"][1]["name"], "bad\xef\xbf\xbd\xef\xbf\xbdname");
  EXPECT_NO_THROW((void)j.dump());
}

}  // namespace facts_rpmdb_test
}  // namespace imagelint