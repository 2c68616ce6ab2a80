// The packages fact: which packages an image has installed and which files each one lists, read
// from bytes captured out of the image (never from a path inside it). This header holds the
// shared model and rpm's side; dpkg.h reads Debian's database into the same model.
//
// rpm keeps its database in one of three backends, told apart by file name: rpmdb.sqlite
// (sqlite, every current Fedora/RHEL/CentOS), Packages.db (ndb, SUSE) and Packages (Berkeley DB,
// EL7/EL8). Only sqlite is read; the other two are reported as present but unread, so a rule
// never mistakes "could not read" for "nothing installed".
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace imagelint {

// What a package database says one file should be (package-verify, `rpm -V`/`dpkg --verify`).
struct PackagedFile {
  // rpm FILEFLAGS bits (rpmfiles.h); dpkg sets kConfig for a conffile.
  enum : uint32_t { kConfig = 1u << 0, kDoc = 1u << 1, kMissingOk = 1u << 3, kGhost = 1u << 6, kLicense = 1u << 7 };
  // rpm FILEVERIFYFLAGS bits (rpmvf.h): what `rpm -V` checks for this file.
  enum : uint32_t { kVerifyDigest = 1u << 0, kVerifySize = 1u << 1, kVerifyLink = 1u << 2, kVerifyUser = 1u << 3,
                    kVerifyGroup = 1u << 4, kVerifyMtime = 1u << 5, kVerifyMode = 1u << 6 };
  // rpm FILESTATES: 0 normal, 1 replaced, 2 not installed (e.g. docs under tsflags=nodocs),
  // 3 netshared, 4 wrong colour.
  enum : uint8_t { kNormal = 0, kReplaced = 1, kNotInstalled = 2, kNetShared = 3, kWrongColor = 4 };
  std::string digest;      // lowercase hex in the package's algorithm; "" when none is listed
  std::string linkto;      // rpm FILELINKTOS ("" for what is not a symlink)
  std::string user, group; // rpm FILEUSERNAME / FILEGROUPNAME ("" for dpkg: not checked)
  uint64_t size = 0;
  int64_t mtime = 0;
  uint32_t flags = 0;
  uint32_t verify = 0;     // dpkg: kVerifyDigest for files with an md5sum, else 0
  uint16_t mode = 0;       // st_mode with the type bits; 0 when the database does not say (dpkg)
  uint8_t state = kNormal;
};

struct Package {
  std::string name, epoch, version, release, arch;  // epoch and arch are "" when absent
  std::string nevra;  // name-[epoch:]version-release[.arch], as `rpm -qa --qf '%{NEVRA}\n'` prints
  std::string db;     // "rpm" or "dpkg"
  // Image-relative, normalised, no leading '/', in the database's order. The root is left out.
  std::vector<std::string> files;
  std::vector<uint16_t> modes;  // rpm FILEMODES, parallel to files when the header has them
  // Parallel to files, filled only when the reader is asked for it (PackageRead::with_attrs): a
  // plain check pays nothing. Empty with attrs_error set when the header's arrays do not add up.
  std::vector<PackagedFile> attrs;
  uint32_t digest_algo = 0;  // rpm FILEDIGESTALGO (PGPHASHALGO: 1 md5, 2 sha1, 8 sha256, ...); dpkg: 1
  std::string attrs_error;
};

// What a reader fills beyond the package list.
struct PackageRead {
  bool with_attrs = false;  // Package::attrs (digests, modes, owners, flags): package-verify
};

// Maps a path as a database lists it to where it is in the final filesystem (the image code
// resolves the parent directories through symlinks, e.g. Debian's bin/bash is usr/bin/bash).
using PathResolver = std::function<std::string(const std::string& listed)>;

struct PackageDb {
  std::vector<Package> packages;
  // How the reading went, for humans: backends present but unread, a -wal not seen.
  std::vector<std::string> notes;
  // "FILE: REASON" for each package (or file list) that could not be read; the rest still counts.
  std::vector<std::string> errors;
  // Databases found but not read (ndb, bdb, unreadable, or with unreadable packages): their
  // packages are unknown, not absent.
  std::vector<std::string> unread;

  // Why db is in unread, for a finding's message: its first entry in errors or notes without the
  // "db: " prefix, or "" when neither names it.
  std::string why_unread(std::string_view db) const;

  // Every package that lists path (a leading '/' is fine), in database order. Directories are
  // often listed by several packages.
  std::vector<const Package*> owners(std::string_view path) const;
  const Package* owner(std::string_view path) const;  // the first owner, or nullptr
  // Rebuilds the path index; the readers call it, anyone who edits `packages` must call it again.
  // With a resolver, each file is indexed under its listed path and under its resolved path.
  void reindex(const PathResolver& resolve = nullptr);
  // Appends another database (e.g. an image with both rpm and dpkg) and reindexes.
  void merge(PackageDb other, const PathResolver& resolve = nullptr);

 private:
  std::unordered_map<std::string, std::vector<uint32_t>> index_;  // path -> package indexes
};

// Bounds on hostile input. rpm's own limits for one header, and ours on what a file list may
// expand to (dirnames are shared, so a small blob could otherwise name gigabytes of paths).
inline constexpr uint32_t kRpmMaxTags = 0xffff;             // il
inline constexpr uint32_t kRpmMaxData = 0x0fffffff;         // dl, 256 MiB
inline constexpr uint32_t kRpmMaxArray = 0xfffff;           // elements in one array
inline constexpr uint64_t kRpmMaxPathBytes = 64ull << 20;   // one package's file list
inline constexpr uint64_t kRpmMaxDbPathBytes = 256ull << 20; // every file list of a database
inline constexpr uint64_t kRpmMaxDbBytes = 1ull << 30;      // the sqlite file itself

// Parses one header as rpmdb stores it (no magic): big-endian il, dl, il 16-byte entries, dl data
// bytes. Fills name, epoch, version, release, arch, nevra, files (dirnames[dirindexes[i]] +
// basenames[i]) and modes; db is set to "rpm". Returns false with *error set when the blob is
// malformed: every count and offset is checked, nothing outside blob is read. Returns true with
// *error set when the package is known but its file list does not add up (e.g. a DIRINDEXES
// entry past DIRNAMES): files is then empty, as `rpm -ql` says "contains no files".
// With read.with_attrs, also attrs and digest_algo (a problem there is attrs_error, never a failure).
bool parse_rpm_header(std::string_view blob, Package& out, std::string* error, PackageRead read = {});

// Reads rpm's sqlite database from its captured bytes, read-only, from a private in-memory copy
// (sqlite would create -shm/-wal files beside a path). A WAL-mode database is switched to rollback
// mode in the copy; transactions that live only in a -wal file are not seen, so wal_size (the size
// of rpmdb.sqlite-wal beside it in the image, when there is one) gives a note when it is not 0.
// display_path names the database in messages. Throws InputError when the database cannot be
// read at all (truncated, not sqlite, no Packages table); a bad header is an entry in errors.
PackageDb read_rpmdb_sqlite(std::string_view bytes, std::string_view display_path,
                            std::optional<uint64_t> wal_size = std::nullopt, PackageRead read = {});

// The part of read_rpmdb_sqlite that opens the database (same bounds and checks, the same private
// in-memory copy with WAL mode switched off, the same defensive settings): calls row for every row
// of Packages in table-scan order, with blob nullopt when that column is not a BLOB. Throws
// InputError (naming display_path) when the database cannot be read; whatever row throws passes.
void for_each_rpmdb_row(std::string_view bytes, std::string_view display_path,
                        const std::function<void(int64_t hnum, std::optional<std::string_view> blob)>& row);

enum class RpmBackend { none, sqlite, ndb, bdb };
// By the file name alone: rpmdb.sqlite, Packages.db (ndb), Packages (Berkeley DB).
RpmBackend rpm_backend_of(std::string_view path);

// Reads one captured rpm database file chosen by its name: sqlite is read, ndb and bdb give a
// "present but unread" note and an entry in unread (for those two, capturing the first 4 KiB is
// enough: only the backend's magic is checked). Throws as read_rpmdb_sqlite does, and for a name
// that is none of the three.
PackageDb read_rpmdb(std::string_view bytes, std::string_view path, std::optional<uint64_t> wal_size = std::nullopt,
                     PackageRead read = {});

// Where distributions keep the rpm database, in the order to look: usr/lib/sysimage/rpm (current;
// on bootc images a symlink to usr/share/rpm), usr/share/rpm (rpm-ostree), var/lib/rpm (older).
// Several can resolve to one file: read each resolved file once.
const std::vector<std::string>& rpmdb_dirs();

// The `inspect --format json` part of the fact: {"packages": [{nevra, name, epoch (string, or
// null), version, release, arch, db}], "package_notes": [...], "package_errors": [...]}.
// Strings that are not valid UTF-8 have the bad bytes replaced by U+FFFD.
nlohmann::json packages_to_json(const PackageDb& db);

}  // namespace imagelint
