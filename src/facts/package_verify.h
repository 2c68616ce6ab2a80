// Package integrity: every file a package database lists, compared with what the final
// filesystem holds, as `rpm -V` and `dpkg --verify` compare them, but on the image as it stands,
// with the layer that made each change. Reads Package::attrs (PackageRead::with_attrs) and the
// file digests the pass computed (facts/file_digest.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "facts/rpmdb.h"
#include "facts/users.h"
#include "fs/filesystem.h"

namespace imagelint {

struct VerifyIssue {
  size_t package = 0;   // index in PackageDb::packages
  size_t file = 0;      // index in that package's files
  std::string listed;   // the path as the package lists it
  std::string path;     // where the image holds it (parents resolved through symlinks)
  // rpm -V's nine columns, "SM5DLUGTP": the letter where the file differs, '.' where it does not,
  // '?' where it could not be checked (no digest computed); "missing" for a missing file.
  std::string letters;
  bool missing = false;
  std::string type_changed;  // "file, now a symlink" when the entry's type is not the package's
  uint32_t flags = 0;        // PackagedFile flags (config, doc, ...)
  bool doc = false;          // %doc or %license, or (dpkg) under usr/share/{doc,man,info}
  int layer = -1;            // the layer that last wrote the path, or whose whiteout removed it
  bool at_install = false;   // that layer is the package's own install layer (or no layer ever held it)
};

struct PackageCounts {
  uint64_t files = 0;     // files the database says something to verify about
  uint64_t verified = 0;  // present and as listed
  uint64_t changed = 0;
  uint64_t missing = 0;
  uint64_t skipped = 0;   // %ghost, not installed (nodocs), netshared
};

struct PackageVerification {
  bool done = false;  // the facts were asked for
  std::vector<VerifyIssue> issues;
  std::vector<PackageCounts> counts;  // parallel to PackageDb::packages
  std::vector<int> install_layer;     // parallel: the layer that wrote most of its files (-1: none)
  std::vector<std::string> notes;     // packages that could not be verified, and why
};

struct VerifyOptions {
  bool mtime = false;  // the T column (bootc images clamp mtimes: off by default)
};

// The digest of a final path's content in algo (lowercase hex), or nullptr when not computed.
using DigestOf = std::function<const std::string*(const std::string& path, uint32_t algo)>;

PackageVerification verify_packages(const PackageDb& db, const FileSystem& fs, const Users& users,
                                    const DigestOf& digest, const VerifyOptions& opt = {});

// inspect --format json: {"nevra": {files, verified, changed, missing, skipped}}.
nlohmann::json verification_to_json(const PackageDb& db, const PackageVerification& v);

}  // namespace imagelint
