// Test-only: what rpmdb_test.cc and rpmdb_hostile_test.cc share: the corpus database, where an
// image keeps it, the NEVRAs read, and a database file's raw rows.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "facts/rpmdb.h"
#include "harness.h"

namespace imagelint::facts_rpmdb_test_util {

// A file of the shared corpus of real files (see ../shared/corpus/README.md).
inline std::string corpus(const std::string& rel) { return testing_util::source_dir() + "/../shared/corpus/" + rel; }
// rpm's own test database (WAL mode), and where an image keeps its database.
inline const std::string kCorpusDb = "rpm/tests/data/misc/rpmdb.sqlite";
inline const std::string kImagePath = "usr/lib/sysimage/rpm/rpmdb.sqlite";

// The NEVRAs of db's packages, in its order.
inline std::vector<std::string> nevras(const PackageDb& db) {
  std::vector<std::string> out;
  for (const auto& p : db.packages) out.push_back(p.nevra);
  return out;
}

// Raw Packages rows of a database file (a copy in a temp dir), by hnum.
inline std::map<int64_t, std::string> raw_blobs(const std::string& path) {
  sqlite3* db = nullptr;
  std::map<int64_t, std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &s, nullptr);
    while (s && sqlite3_step(s) == SQLITE_ROW)
      out[sqlite3_column_int64(s, 0)] = std::string(static_cast<const char*>(sqlite3_column_blob(s, 1)),
                                                    static_cast<size_t>(sqlite3_column_bytes(s, 1)));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace imagelint::facts_rpmdb_test_util
