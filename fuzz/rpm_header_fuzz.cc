// rpm header blobs as rpmdb.sqlite stores them (facts/rpmdb.h parse_rpm_header): il/dl counts,
// index entries, regions, string arrays and the file list (DIRNAMES/DIRINDEXES/BASENAMES), with
// the file attributes package-verify reads (FILEDIGESTS, FILESIZES, FILEMODES, FILESTATES, ...)
// and the verification of the package against an empty filesystem.
// The input is one blob. Not covered here: the sqlite layer (read_rpmdb_sqlite).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "facts/package_verify.h"
#include "facts/rpmdb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  imagelint::Package pkg;
  std::string error;
  bool ok = imagelint::parse_rpm_header(blob, pkg, &error, imagelint::PackageRead{true});
  if (ok) {
    // What the callers do with a parsed package: index its files, verify them.
    imagelint::PackageDb db;
    db.packages.push_back(std::move(pkg));
    db.reindex();
    for (const auto& f : db.packages[0].files) (void)db.owner(f);
    imagelint::FileSystem fs;
    (void)imagelint::verify_packages(db, fs, imagelint::Users{}, nullptr);
  }
  return 0;
}
