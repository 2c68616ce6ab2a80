// The rpm sqlite database reader, the PackageDb path index, and packages_to_json.
#include "facts/rpmdb.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "facts/rpmdb_internal.h"
#include "util/path.h"
#include "util/error.h"
#include "util/utf8.h"

namespace imagelint {

using rpm_internal::be16;
using rpm_internal::be32;

// ---------------------------------------------------------------- PackageDb

std::vector<const Package*> PackageDb::owners(std::string_view path) const {
  std::vector<const Package*> out;
  std::string norm;
  if (!normalize_path(path, norm) || norm.empty()) return out;
  auto it = index_.find(norm);
  if (it == index_.end()) return out;
  for (uint32_t i : it->second)
    if (i < packages.size()) out.push_back(&packages[i]);  // stale index after an edit: skip
  return out;
}

const Package* PackageDb::owner(std::string_view path) const {
  auto all = owners(path);
  return all.empty() ? nullptr : all.front();
}

void PackageDb::reindex(const PathResolver& resolve) {
  index_.clear();
  for (size_t i = 0; i < packages.size(); ++i) {
    auto idx = static_cast<uint32_t>(i);
    auto add = [&](const std::string& p) {
      auto& v = index_[p];
      if (v.empty() || v.back() != idx) v.push_back(idx);  // a package listing a path twice
    };
    for (const auto& f : packages[i].files) {
      add(f);
      if (resolve) {
        std::string r = resolve(f), norm;
        if (r != f && normalize_path(r, norm) && !norm.empty()) add(norm);
      }
    }
  }
}

void PackageDb::merge(PackageDb other, const PathResolver& resolve) {
  for (auto& p : other.packages) packages.push_back(std::move(p));
  for (auto& n : other.notes) notes.push_back(std::move(n));
  for (auto& e : other.errors) errors.push_back(std::move(e));
  for (auto& u : other.unread) unread.push_back(std::move(u));
  reindex(resolve);
}

std::string PackageDb::why_unread(std::string_view db) const {
  for (const auto* list : {&errors, &notes})
    for (const std::string& e : *list)
      if (e.starts_with(db) && e.size() > db.size() && (e[db.size()] == ':' || e[db.size()] == ' ')) {
        std::string_view rest = std::string_view(e).substr(db.size());
        if (rest.starts_with(": ")) rest.remove_prefix(2);
        else if (rest.starts_with(" ")) rest.remove_prefix(1);
        return std::string(rest);
      }
  return "";
}

// ---------------------------------------------------------------- sqlite

namespace {

struct DbCloser {
  void operator()(sqlite3* d) const { sqlite3_close(d); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The sqlite file header (https://www.sqlite.org/fileformat.html, section 1.3), checked before
// sqlite sees the bytes so that the common failures get a message that says what is wrong.
void check_sqlite_header(std::string_view bytes, const std::string& where) {
  static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
  if (bytes.size() < 100 || std::memcmp(bytes.data(), kMagic, 16) != 0)
    throw InputError(where, "not an SQLite database (" + std::to_string(bytes.size()) +
                                " bytes, no \"SQLite format 3\" header)");
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  uint32_t page = be16(b + 16);
  if (page == 1) page = 65536;
  if (page < 512 || page > 65536 || (page & (page - 1)) != 0)
    throw InputError(where, "SQLite header has an invalid page size " + std::to_string(page));
  if (b[19] > 2) throw InputError(where, "SQLite file format read version " + std::to_string(b[19]) + " is unknown");
  uint32_t pages = be32(b + 28), change = be32(b + 24), valid_for = be32(b + 92);
  if (pages != 0 && change == valid_for && uint64_t{pages} * page > bytes.size())
    throw InputError(where, "truncated: the SQLite header says " + std::to_string(pages) + " pages of " +
                                std::to_string(page) + " bytes, only " + std::to_string(bytes.size()) +
                                " bytes are there");
  if (bytes.size() % page != 0)
    throw InputError(where, "truncated: " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                                std::to_string(page) + "-byte pages");
}

}  // namespace

void for_each_rpmdb_row(std::string_view bytes, std::string_view display_path,
                        const std::function<void(int64_t hnum, std::optional<std::string_view> blob)>& row) {
  const std::string where(display_path);
  if (bytes.size() > kRpmMaxDbBytes)
    throw InputError(where, "rpm database of " + std::to_string(bytes.size()) + " bytes (at most 1 GiB)");
  check_sqlite_header(bytes, where);

  // A private copy that sqlite owns (and frees, even when deserialize fails).
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(bytes.size()));
  if (!copy) throw InputError(where, "out of memory copying the rpm database");
  std::memcpy(copy, bytes.data(), bytes.size());
  // rpm runs sqlite in WAL mode (header bytes 18-19 = 2). The in-memory VFS has no shared memory
  // for a WAL index and refuses such a file; legacy (rollback) mode reads the same pages.
  if (copy[18] == 2) copy[18] = 1;
  if (copy[19] == 2) copy[19] = 1;

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    sqlite3_free(copy);
    throw InputError(where, std::string("cannot open an in-memory SQLite database: ") + sqlite3_errstr(rc));
  }
  // The file is hostile until proven otherwise: no triggers or views run, no schema-defined
  // functions, no writes; nothing spills to temporary files.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(kRpmMaxData) + 8 + 16 * static_cast<int>(kRpmMaxTags));
  auto n = static_cast<sqlite3_int64>(bytes.size());
  rc = sqlite3_deserialize(db.get(), "main", copy, n, n, SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) throw InputError(where, std::string("SQLite cannot load it: ") + sqlite3_errmsg(db.get()));

  auto exec = [&](const char* sql) {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw InputError(where, std::string(sql) + ": " + sqlite3_errmsg(db.get()));
  };
  exec("PRAGMA temp_store=MEMORY");
  exec("PRAGMA query_only=ON");
  exec("PRAGMA cell_size_check=ON");

  auto prepare = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      throw InputError(where, std::string("not a readable rpm database: ") + sqlite3_errmsg(db.get()));
    }
    return StmtPtr(s);
  };
  {
    StmtPtr s = prepare("SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE");
    rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE)
      throw InputError(where, "an SQLite database without a Packages table: not an rpm database");
    if (rc != SQLITE_ROW)
      throw InputError(where, std::string("not a readable rpm database: ") + sqlite3_errmsg(db.get()));
    const auto* type = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    if (!type || std::strcmp(type, "table") != 0)
      throw InputError(where, "Packages is a " + std::string(type ? type : "NULL") + ", not a table");
  }

  StmtPtr s = prepare("SELECT hnum, blob FROM Packages");
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    int64_t hnum = sqlite3_column_int64(s.get(), 0);
    if (sqlite3_column_type(s.get(), 1) != SQLITE_BLOB) {
      row(hnum, std::nullopt);
      continue;
    }
    const void* data = sqlite3_column_blob(s.get(), 1);
    int len = sqlite3_column_bytes(s.get(), 1);
    row(hnum, std::string_view(static_cast<const char*>(data), data ? static_cast<size_t>(len) : 0));
  }
  if (rc != SQLITE_DONE) throw InputError(where, std::string("reading Packages: ") + sqlite3_errmsg(db.get()));
}

PackageDb read_rpmdb_sqlite(std::string_view bytes, std::string_view display_path, std::optional<uint64_t> wal_size,
                            PackageRead read) {
  const std::string where(display_path);
  PackageDb out;
  if (wal_size && *wal_size > 0)
    out.notes.push_back(where + ": a " + std::to_string(*wal_size) +
                        "-byte -wal file lies beside it; transactions not yet checkpointed into the database are "
                        "not seen");

  // Table scan order is hnum order (it is the rowid), the order `rpm -qa` prints.
  std::vector<std::pair<int64_t, Package>> rows;
  uint64_t path_bytes = 0;
  for_each_rpmdb_row(bytes, display_path, [&](int64_t hnum, std::optional<std::string_view> blob_or_not) {
    std::string label = where + ": package #" + std::to_string(hnum);
    if (!blob_or_not) {
      out.errors.push_back(label + ": blob is not a BLOB");
      return;
    }
    std::string_view blob = *blob_or_not;
    Package p;
    std::string why;
    if (!parse_rpm_header(blob, p, &why, read)) {
      out.errors.push_back(label + ": " + why);
      return;
    }
    if (!why.empty()) out.errors.push_back(label + " (" + p.nevra + "): " + why);
    for (const auto& f : p.files) path_bytes += f.size() + 1;
    if (path_bytes > kRpmMaxDbPathBytes)
      throw InputError(where, "the file lists add up to more than 256 MiB of paths");
    rows.emplace_back(hnum, std::move(p));
  });
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out.packages.reserve(rows.size());
  for (auto& r : rows) out.packages.push_back(std::move(r.second));
  out.reindex();
  return out;
}

// ---------------------------------------------------------------- other backends

RpmBackend rpm_backend_of(std::string_view path) {
  std::string_view base = base_name(path);
  if (base == "rpmdb.sqlite") return RpmBackend::sqlite;
  if (base == "Packages.db") return RpmBackend::ndb;
  if (base == "Packages") return RpmBackend::bdb;
  return RpmBackend::none;
}

PackageDb read_rpmdb(std::string_view bytes, std::string_view path, std::optional<uint64_t> wal_size,
                     PackageRead read) {
  const std::string where(path);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  PackageDb out;
  auto unread = [&](const std::string& what, bool magic_ok) {
    out.unread.push_back(where);
    out.notes.push_back(where + ": " + what + " present but unread: imagelint reads rpm's sqlite database " +
                        "(rpmdb.sqlite) only, so this image's rpm packages are unknown" +
                        (magic_ok ? "" : " (and the file does not start like one)"));
  };
  switch (rpm_backend_of(path)) {
    case RpmBackend::sqlite:
      return read_rpmdb_sqlite(bytes, path, wal_size, read);
    case RpmBackend::ndb:
      // rpm's ndb/rpmpkg.c: the file starts with the little-endian magic 'RpmP'.
      unread("rpm ndb database (Packages.db)", bytes.size() >= 4 && std::memcmp(b, "RpmP", 4) == 0);
      return out;
    case RpmBackend::bdb: {
      // Berkeley DB metadata page: the magic at byte 12, in the writer's byte order (hash or btree).
      bool ok = false;
      if (bytes.size() >= 16) {
        uint32_t be = be32(b + 12), le = uint32_t{b[12]} | (uint32_t{b[13]} << 8) | (uint32_t{b[14]} << 16) |
                                          (uint32_t{b[15]} << 24);
        for (uint32_t m : {0x00061561u, 0x00053162u}) ok = ok || be == m || le == m;
      }
      unread("rpm Berkeley DB database (Packages)", ok);
      return out;
    }
    case RpmBackend::none:
      break;
  }
  throw InputError(where, "not an rpm database file name (rpmdb.sqlite, Packages.db or Packages)");
}

const std::vector<std::string>& rpmdb_dirs() {
  static const std::vector<std::string> dirs{"usr/lib/sysimage/rpm", "usr/share/rpm", "var/lib/rpm"};
  return dirs;
}

// ---------------------------------------------------------------- JSON

nlohmann::json packages_to_json(const PackageDb& db) {
  nlohmann::json pkgs = nlohmann::json::array();
  for (const auto& p : db.packages) {
    pkgs.push_back({{"nevra", utf8_or_replacement(p.nevra)},
                    {"name", utf8_or_replacement(p.name)},
                    {"epoch", p.epoch.empty() ? nlohmann::json(nullptr) : nlohmann::json(utf8_or_replacement(p.epoch))},
                    {"version", utf8_or_replacement(p.version)},
                    {"release", utf8_or_replacement(p.release)},
                    {"arch", utf8_or_replacement(p.arch)},
                    {"db", p.db}});
  }
  nlohmann::json notes = nlohmann::json::array(), errors = nlohmann::json::array();
  for (const auto& n : db.notes) notes.push_back(utf8_or_replacement(n));
  for (const auto& e : db.errors) errors.push_back(utf8_or_replacement(e));
  return {{"packages", std::move(pkgs)}, {"package_notes", std::move(notes)}, {"package_errors", std::move(errors)}};
}

}  // namespace imagelint
