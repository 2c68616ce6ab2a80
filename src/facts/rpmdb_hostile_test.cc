// Hostile rpm databases: truncated or foreign files, bad rows among good ones, damaged pages.
// The reader refuses them clearly or reads what is left; it never crashes. The oracle tests
// against rpm itself are in rpmdb_test.cc.
#include "facts/rpmdb.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "facts/rpm_test_util.h"
#include "facts/rpmdb_test_util.h"
#include "harness.h"
#include "util/error.h"

namespace imagelint {
namespace facts_rpmdb_hostile_test {

using namespace rpm_test;
using namespace facts_rpmdb_test_util;

using testing_util::read_file;
using testing_util::TempDir;
using testing_util::write_file;

// A database sqlite itself writes: schema statements, then rows (hnum, value) where a value that
// starts with "text:" is stored as TEXT, anything else as a BLOB. Returned as file bytes.
std::string make_db(const std::vector<std::string>& schema, const std::vector<std::pair<int64_t, std::string>>& rows) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  for (const auto& sql : schema) EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  for (const auto& [hnum, value] : rows) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages(hnum, blob) VALUES (?, ?)", -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_int64(s, 1, hnum);
    if (value.rfind("text:", 0) == 0)
      sqlite3_bind_text(s, 2, value.c_str() + 5, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_blob(s, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
  }
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return out;
}

const std::string kPackagesTable =
    "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";

// ---------------------------------------------------------------- hostile databases

TEST(RpmDb, TruncatedOrForeignDatabasesAreClearErrors) {
  const std::string bytes = read_file(corpus(kCorpusDb));
  auto error_of = [](const std::string& b) -> std::string {
    try {
      read_rpmdb_sqlite(b, kImagePath);
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), kImagePath);
      return e.what();
    }
    return "no error";
  };
  auto has = [](const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << s;
  };
  EXPECT_TRUE(has(error_of(bytes.substr(0, 1000)), "usr/lib/sysimage/rpm/rpmdb.sqlite: truncated"));
  EXPECT_TRUE(has(error_of(bytes.substr(0, 3 * 4096)), "truncated: the SQLite header says 56 pages"));
  EXPECT_TRUE(has(error_of(bytes.substr(0, 50)), "not an SQLite database"));
  EXPECT_TRUE(has(error_of(""), "not an SQLite database"));
  EXPECT_TRUE(has(error_of(std::string(8192, '\0')), "not an SQLite database"));
  {
    std::string b = bytes;
    b[16] = 0x03;  // page size 0x0310
    EXPECT_TRUE(has(error_of(b), "page size"));
  }
  // Written by sqlite, but not rpm's.
  EXPECT_TRUE(has(error_of(make_db({"CREATE TABLE t(x)"}, {})), "without a Packages table"));
  EXPECT_TRUE(has(error_of(make_db({"CREATE TABLE t(hnum, blob)", "CREATE VIEW Packages AS SELECT * FROM t"}, {})),
                  "Packages is a view"));
  EXPECT_TRUE(has(error_of(make_db({"CREATE TABLE Packages(x)"}, {})), "no such column"));
}

TEST(RpmDb, BadRowsAreErrorsAndTheRestCounts) {
  TempDir dir;
  write_file(dir / "rpmdb.sqlite", read_file(corpus(kCorpusDb)));
  auto blobs = raw_blobs(dir / "rpmdb.sqlite");
  ASSERT_EQ(blobs.size(), 3u);
  std::string foo = blobs.begin()->second;
  std::string bad_il = foo;
  put32(bad_il, 0, get32(foo, 0) + 1000);
  std::string bad_offset = foo;
  put32(bad_offset, entry_pos(1) + 8, 0x7ffffff0);
  PackageDb db = read_rpmdb_sqlite(
      make_db({kPackagesTable}, {{1, foo}, {2, foo.substr(0, 100)}, {3, "text:not a blob"}, {4, bad_il},
                                 {5, bad_offset}, {6, ""}, {9, build_header(tiny_entries())}}),
      kImagePath);
  EXPECT_EQ(nevras(db), (std::vector<std::string>{"foo-1.0-1.noarch", "tiny-3:1.0-1.x86_64"}));
  ASSERT_EQ(db.errors.size(), 5u);
  EXPECT_EQ(db.errors[0].rfind(kImagePath + ": package #2: header blob is 100 bytes", 0), 0u) << db.errors[0];
  EXPECT_EQ(db.errors[1], kImagePath + ": package #3: blob is not a BLOB");
  EXPECT_NE(db.errors[2].find("package #4"), std::string::npos) << db.errors[2];
  EXPECT_NE(db.errors[3].find("package #5: index entry 1"), std::string::npos) << db.errors[3];
  EXPECT_NE(db.errors[4].find("package #6"), std::string::npos) << db.errors[4];
  nlohmann::json j = packages_to_json(db);
  EXPECT_EQ(j["package_errors"].size(), 5u);
  EXPECT_EQ(db.owner("etc/tool.conf")->name, "tiny");
}

// Damaged pages: sqlite reports the corruption (an InputError) or the reader gets what is left;
// it never crashes or reads outside its copy.
TEST(RpmDb, DamagedPagesNeverCrash) {
  const std::string bytes = read_file(corpus(kCorpusDb));
  int errors = 0;
  for (size_t page = 0; page < bytes.size() / 4096; ++page)
    for (char fill : {'\0', '\xff', 'Z'}) {
      std::string b = bytes;
      std::fill(b.begin() + static_cast<long>(page * 4096 + (page == 0 ? 100 : 0)),
                b.begin() + static_cast<long>((page + 1) * 4096), fill);
      try {
        read_rpmdb_sqlite(b, kImagePath);
      } catch (const InputError&) {
        ++errors;
      }
    }
  EXPECT_GT(errors, 0);
  // And an sqlite file whose in-header size is stale (sqlite then trusts the file size).
  std::string b = bytes;
  put32(b, 92, get32(b, 24) + 1);
  EXPECT_EQ(read_rpmdb_sqlite(b, kImagePath).packages.size(), 3u);
}

}  // namespace facts_rpmdb_hostile_test
}  // namespace imagelint
