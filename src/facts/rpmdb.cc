#include "facts/rpmdb.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "fs/path.h"
#include "util/error.h"

namespace imagelint {

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

// ---------------------------------------------------------------- header blobs

namespace {

// Tags and types from rpm's rpmtag.h; regions from header.c.
enum : uint32_t {
  kTagHeaderImage = 61,
  kTagHeaderSignatures = 62,
  kTagHeaderImmutable = 63,
  kTagName = 1000,
  kTagVersion = 1001,
  kTagRelease = 1002,
  kTagEpoch = 1003,
  kTagArch = 1022,
  kTagOldFilenames = 1027,
  kTagFileModes = 1030,
  kTagDirIndexes = 1116,
  kTagBasenames = 1117,
  kTagDirNames = 1118,
};
enum : uint32_t {
  kTypeNull = 0,
  kTypeChar = 1,
  kTypeInt8 = 2,
  kTypeInt16 = 3,
  kTypeInt32 = 4,
  kTypeInt64 = 5,
  kTypeString = 6,
  kTypeBin = 7,
  kTypeStringArray = 8,
  kTypeI18nString = 9,
};
constexpr uint32_t kEntrySize = 16;
constexpr uint32_t kTypeSize[10] = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};  // 0: NUL-terminated strings

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

std::string tag_desc(uint32_t tag) {
  switch (tag) {
    case kTagName: return "NAME";
    case kTagVersion: return "VERSION";
    case kTagRelease: return "RELEASE";
    case kTagEpoch: return "EPOCH";
    case kTagArch: return "ARCH";
    case kTagOldFilenames: return "OLDFILENAMES";
    case kTagFileModes: return "FILEMODES";
    case kTagDirIndexes: return "DIRINDEXES";
    case kTagBasenames: return "BASENAMES";
    case kTagDirNames: return "DIRNAMES";
    default: return "tag " + std::to_string(tag);
  }
}

struct Entry {
  uint32_t tag, type, offset, count, length;  // validated: [offset, offset+length) lies in data
};

// A header whose every entry was checked to lie inside its data; values are read only through it.
class Header {
 public:
  bool parse(std::string_view blob, std::string* err);
  const Entry* find(uint32_t tag) const;
  // A STRING, or the first string of an I18NSTRING / STRING_ARRAY. False when absent or mistyped.
  bool string(uint32_t tag, std::string& out, std::string* err) const;
  bool strings(uint32_t tag, std::vector<std::string_view>& out, std::string* err) const;
  bool u32s(uint32_t tag, std::vector<uint32_t>& out, std::string* err) const;
  bool u16s(uint32_t tag, std::vector<uint16_t>& out, std::string* err) const;

 private:
  const unsigned char* at(uint32_t off) const { return reinterpret_cast<const unsigned char*>(data_.data()) + off; }
  std::string_view data_;
  std::vector<Entry> entries_;
};

bool fail(std::string* err, std::string why) {
  if (err) *err = std::move(why);
  return false;
}

bool Header::parse(std::string_view blob, std::string* err) {
  if (blob.size() < 8) return fail(err, "header blob of " + std::to_string(blob.size()) + " bytes (at least 8)");
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  uint32_t il = be32(b), dl = be32(b + 4);
  if (il < 1 || il > kRpmMaxTags) return fail(err, "header has " + std::to_string(il) + " tags (1 to 65535)");
  if (dl > kRpmMaxData) return fail(err, "header data of " + std::to_string(dl) + " bytes (at most 256 MiB)");
  uint64_t want = 8 + uint64_t{kEntrySize} * il + dl;
  if (want != blob.size())
    return fail(err, "header blob is " + std::to_string(blob.size()) + " bytes but il " + std::to_string(il) +
                         " and dl " + std::to_string(dl) + " say 8 + 16*il + dl = " + std::to_string(want));
  const unsigned char* pe = b + 8;
  data_ = blob.substr(8 + size_t{kEntrySize} * il);

  uint32_t first = 0;
  uint32_t tag0 = be32(pe);
  if (tag0 == kTagHeaderImage || tag0 == kTagHeaderSignatures || tag0 == kTagHeaderImmutable) {
    // The region tag points at a 16-byte trailer in the data whose negative offset covers the
    // region's entries. rpm refuses a header whose region does not add up; so do we.
    uint32_t type = be32(pe + 4), off = be32(pe + 8), count = be32(pe + 12);
    if (type != kTypeBin || count != kEntrySize)
      return fail(err, "region tag " + std::to_string(tag0) + " has type " + std::to_string(type) + " count " +
                           std::to_string(count) + " (BIN, 16)");
    if (uint64_t{off} + kEntrySize > dl)
      return fail(err, "region trailer at " + std::to_string(off) + " lies outside the " + std::to_string(dl) +
                           " data bytes");
    const unsigned char* tr = at(off);
    uint32_t ttag = be32(tr), ttype = be32(tr + 4), tcount = be32(tr + 12);
    uint32_t tneg = 0u - be32(tr + 8);  // stored negated
    if (tag0 == kTagHeaderSignatures && ttag == kTagHeaderImage) ttag = kTagHeaderSignatures;  // old packages
    if (ttag != tag0 || ttype != kTypeBin || tcount != kEntrySize)
      return fail(err, "region trailer has tag " + std::to_string(ttag) + " type " + std::to_string(ttype) +
                           " count " + std::to_string(tcount));
    if (tneg % kEntrySize != 0 || tneg / kEntrySize > il || tneg == 0)
      return fail(err, "region trailer covers " + std::to_string(tneg) + " index bytes of " +
                           std::to_string(uint64_t{il} * kEntrySize));
    first = 1;
  }

  entries_.reserve(il - first);
  for (uint32_t i = first; i < il; ++i) {
    const unsigned char* e = pe + size_t{i} * kEntrySize;
    Entry en{be32(e), be32(e + 4), be32(e + 8), be32(e + 12), 0};
    auto bad = [&](const std::string& why) {
      return fail(err, "index entry " + std::to_string(i) + " (" + tag_desc(en.tag) + ", type " +
                           std::to_string(en.type) + ", offset " + std::to_string(en.offset) + ", count " +
                           std::to_string(en.count) + "): " + why);
    };
    if (en.type == kTypeNull || en.type > kTypeI18nString) return bad("unknown type");
    if (en.count < 1 || en.count > dl) return bad("count outside 1.." + std::to_string(dl));
    if (en.type != kTypeBin && en.count > kRpmMaxArray) return bad("more than 1048575 elements");
    if (en.offset > dl) return bad("offset outside the " + std::to_string(dl) + " data bytes");
    uint32_t size = kTypeSize[en.type];
    if (size > 1 && en.offset % size != 0) return bad("offset not aligned for its type");
    if (en.type == kTypeString && en.count != 1) return bad("a STRING has count 1");
    if (size != 0) {
      uint64_t len = uint64_t{size} * en.count;
      if (len > dl - en.offset) return bad("data runs past the " + std::to_string(dl) + " data bytes");
      en.length = static_cast<uint32_t>(len);
    } else {
      // count NUL-terminated strings, all inside the data.
      uint32_t pos = en.offset;
      for (uint32_t k = 0; k < en.count; ++k) {
        const void* nul = pos < dl ? std::memchr(data_.data() + pos, '\0', dl - pos) : nullptr;
        if (!nul) return bad("string " + std::to_string(k) + " runs past the " + std::to_string(dl) + " data bytes");
        pos = static_cast<uint32_t>(static_cast<const char*>(nul) - data_.data()) + 1;
      }
      en.length = pos - en.offset;
    }
    entries_.push_back(en);
  }
  return true;
}

const Entry* Header::find(uint32_t tag) const {
  // Entries added after the region ("dribbles") replace region entries of the same tag.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->tag == tag) return &*it;
  return nullptr;
}

bool Header::strings(uint32_t tag, std::vector<std::string_view>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeString && e->type != kTypeStringArray && e->type != kTypeI18nString)
    return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not a string type");
  out.reserve(e->count);
  const char* p = data_.data() + e->offset;
  for (uint32_t k = 0; k < e->count; ++k) {
    std::string_view s(p);  // NUL-terminated inside the data: checked by parse()
    out.push_back(s);
    p += s.size() + 1;
  }
  return true;
}

bool Header::string(uint32_t tag, std::string& out, std::string* err) const {
  std::vector<std::string_view> v;
  if (!strings(tag, v, err)) return false;
  out.assign(v.front());  // count >= 1
  return true;
}

bool Header::u32s(uint32_t tag, std::vector<uint32_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeInt32) return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not INT32");
  out.reserve(e->count);
  for (uint32_t k = 0; k < e->count; ++k) out.push_back(be32(at(e->offset + 4 * k)));
  return true;
}

bool Header::u16s(uint32_t tag, std::vector<uint16_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeInt16) return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not INT16");
  out.reserve(e->count);
  for (uint32_t k = 0; k < e->count; ++k) out.push_back(be16(at(e->offset + 2 * k)));
  return true;
}

std::string make_nevra(const Package& p) {
  // rpm's tagexts.c getNEVRA: each part only when present; Debian's rpm 4.18 prints no ".src"
  // for a header without ARCH (gpg-pubkey), and "0:" for an explicit Epoch: 0.
  std::string s = p.name + "-";
  if (!p.epoch.empty()) s += p.epoch + ":";
  s += p.version;
  if (!p.release.empty()) s += "-" + p.release;
  if (!p.arch.empty()) s += "." + p.arch;
  return s;
}

// The file list: rpm stores it compressed (BASENAMES + DIRINDEXES into DIRNAMES); very old headers
// list whole paths in OLDFILENAMES. All or nothing, as rpm's rpmfi: a list that does not add up
// is no list at all.
bool read_files(const Header& h, std::vector<std::string>& files, std::vector<uint16_t>& modes_out, std::string* err) {
  std::vector<std::string> listed;
  std::vector<std::string_view> base, dirs;
  std::vector<uint32_t> dirindex;
  if (h.strings(kTagBasenames, base, err)) {
    if (!h.strings(kTagDirNames, dirs, err)) return fail(err, err->empty() ? "BASENAMES without DIRNAMES" : *err);
    if (!h.u32s(kTagDirIndexes, dirindex, err)) return fail(err, err->empty() ? "BASENAMES without DIRINDEXES" : *err);
    if (dirindex.size() != base.size())
      return fail(err, "DIRINDEXES has " + std::to_string(dirindex.size()) + " entries for " +
                             std::to_string(base.size()) + " BASENAMES");
    uint64_t bytes = 0;
    for (size_t i = 0; i < base.size(); ++i) {
      if (dirindex[i] >= dirs.size())
        return fail(err, "DIRINDEXES[" + std::to_string(i) + "] = " + std::to_string(dirindex[i]) + " but only " +
                               std::to_string(dirs.size()) + " DIRNAMES");
      bytes += dirs[dirindex[i]].size() + base[i].size() + 1;
    }
    // Checked before expanding: a few shared long dirnames could otherwise name gigabytes.
    if (bytes > kRpmMaxPathBytes)
      return fail(err, "file list expands to " + std::to_string(bytes) + " bytes (at most 64 MiB)");
    listed.reserve(base.size());
    for (size_t i = 0; i < base.size(); ++i) listed.push_back(std::string(dirs[dirindex[i]]).append(base[i]));
  } else if (!err->empty()) {
    return false;
  } else if (h.strings(kTagOldFilenames, base, err)) {
    listed.assign(base.begin(), base.end());
  } else if (!err->empty()) {
    return false;
  }

  std::vector<uint16_t> modes;
  if (h.u16s(kTagFileModes, modes, err)) {
    if (modes.size() != listed.size())
      return fail(err, "FILEMODES has " + std::to_string(modes.size()) + " entries for " +
                             std::to_string(listed.size()) + " files");
  } else if (!err->empty()) {
    return false;
  }

  files.reserve(listed.size());
  if (!modes.empty()) modes_out.reserve(listed.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    std::string norm;
    if (!normalize_path(listed[i], norm)) return fail(err, "file " + listed[i] + " climbs above the root");
    if (norm.empty()) continue;  // the root directory itself
    files.push_back(std::move(norm));
    if (!modes.empty()) modes_out.push_back(modes[i]);
  }
  return true;
}

}  // namespace

bool parse_rpm_header(std::string_view blob, Package& out, std::string* error) {
  out = Package{};
  out.db = "rpm";
  if (error) error->clear();
  Header h;
  if (!h.parse(blob, error)) return false;

  std::string why;
  auto need = [&](uint32_t tag, std::string& field) {
    if (h.string(tag, field, &why)) return true;
    return fail(error, why.empty() ? "no " + tag_desc(tag) + " tag" : why);
  };
  if (!need(kTagName, out.name) || !need(kTagVersion, out.version) || !need(kTagRelease, out.release)) return false;
  if (out.name.empty()) return fail(error, "empty NAME");
  if (!h.string(kTagArch, out.arch, &why) && !why.empty()) return fail(error, why);
  std::vector<uint32_t> epoch;
  if (h.u32s(kTagEpoch, epoch, &why))
    out.epoch = std::to_string(epoch.front());
  else if (!why.empty())
    return fail(error, why);
  out.nevra = make_nevra(out);

  std::string files_why;
  if (!read_files(h, out.files, out.modes, &files_why)) {
    // rpm still lists such a package (`rpm -ql` says "contains no files"): keep it, say why.
    out.files.clear();
    out.modes.clear();
    if (error) *error = "file list: " + files_why;
  }
  return true;
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

PackageDb read_rpmdb_sqlite(std::string_view bytes, std::string_view display_path, std::optional<uint64_t> wal_size) {
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

  PackageDb out;
  if (wal_size && *wal_size > 0)
    out.notes.push_back(where + ": a " + std::to_string(*wal_size) +
                        "-byte -wal file lies beside it; transactions not yet checkpointed into the database are "
                        "not seen");

  // Table scan order is hnum order (it is the rowid), the order `rpm -qa` prints.
  StmtPtr s = prepare("SELECT hnum, blob FROM Packages");
  std::vector<std::pair<int64_t, Package>> rows;
  uint64_t path_bytes = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    int64_t hnum = sqlite3_column_int64(s.get(), 0);
    std::string label = where + ": package #" + std::to_string(hnum);
    if (sqlite3_column_type(s.get(), 1) != SQLITE_BLOB) {
      out.errors.push_back(label + ": blob is not a BLOB");
      continue;
    }
    const void* data = sqlite3_column_blob(s.get(), 1);
    int len = sqlite3_column_bytes(s.get(), 1);
    std::string_view blob(static_cast<const char*>(data), data ? static_cast<size_t>(len) : 0);
    Package p;
    std::string why;
    if (!parse_rpm_header(blob, p, &why)) {
      out.errors.push_back(label + ": " + why);
      continue;
    }
    if (!why.empty()) out.errors.push_back(label + " (" + p.nevra + "): " + why);
    for (const auto& f : p.files) path_bytes += f.size() + 1;
    if (path_bytes > kRpmMaxDbPathBytes)
      throw InputError(where, "the file lists add up to more than 256 MiB of paths");
    rows.emplace_back(hnum, std::move(p));
  }
  if (rc != SQLITE_DONE) throw InputError(where, std::string("reading Packages: ") + sqlite3_errmsg(db.get()));
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

PackageDb read_rpmdb(std::string_view bytes, std::string_view path, std::optional<uint64_t> wal_size) {
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
      return read_rpmdb_sqlite(bytes, path, wal_size);
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

namespace {

// Valid UTF-8 stays; every byte of a bad sequence becomes U+FFFD (nlohmann's dump throws on it).
std::string utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xc0) == 0x80;
    if (ok && len > 1) {
      uint32_t cp = c & (0xff >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3f);
      static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

}  // namespace

nlohmann::json packages_to_json(const PackageDb& db) {
  nlohmann::json pkgs = nlohmann::json::array();
  for (const auto& p : db.packages) {
    pkgs.push_back({{"nevra", utf8(p.nevra)},
                    {"name", utf8(p.name)},
                    {"epoch", p.epoch.empty() ? nlohmann::json(nullptr) : nlohmann::json(utf8(p.epoch))},
                    {"version", utf8(p.version)},
                    {"release", utf8(p.release)},
                    {"arch", utf8(p.arch)},
                    {"db", p.db}});
  }
  nlohmann::json notes = nlohmann::json::array(), errors = nlohmann::json::array();
  for (const auto& n : db.notes) notes.push_back(utf8(n));
  for (const auto& e : db.errors) errors.push_back(utf8(e));
  return {{"packages", std::move(pkgs)}, {"package_notes", std::move(notes)}, {"package_errors", std::move(errors)}};
}

}  // namespace imagelint
