// Debian's package database, into the model of facts/rpmdb.h: var/lib/dpkg/status says what is
// installed (deb822 stanzas), var/lib/dpkg/info/PKG[:ARCH].list which files each package owns.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "facts/rpmdb.h"

namespace imagelint {

inline constexpr std::string_view kDpkgStatusPath = "var/lib/dpkg/status";
inline constexpr std::string_view kDpkgInfoDir = "var/lib/dpkg/info";

// "[epoch:]upstream[-revision]" (deb-version(7)): the epoch ends at the first ':', the revision
// starts after the last '-'; either may be absent.
struct DebVersion {
  std::string epoch, upstream, revision;
};
DebVersion split_deb_version(std::string_view version);

// status: the content of var/lib/dpkg/status. list_files: each captured .list file by its path or
// name (".../info/libc6:amd64.list" or "libc6:amd64.list") -> content; may be empty when only the
// package list is wanted.
//
// A package counts when its Status ends in "installed" ("install ok installed", and also "hold ok
// installed": a held package is installed), or in "triggers-pending"/"triggers-awaited" (configured,
// files in place, a trigger still to run). Packages only unpacked or half configured get a note;
// removed ones ("deinstall ok config-files") are skipped silently.
//
// Each package maps to version = upstream, release = revision, epoch, arch = Architecture, db =
// "dpkg", nevra = name-[epoch:]upstream[-revision][.arch] (rpm's shape, so that diffs and
// findings read the same for both). A malformed stanza is an entry in errors, the rest still counts.
//
// md5sums (package-verify): each captured info/PKG[:ARCH].md5sums by path or name -> content. When
// given, every package gets attrs: md5 digests from its md5sums file and, for conffiles, from the
// status file's Conffiles field (flagged kConfig; obsolete ones are no longer the package's).
PackageDb read_dpkg(std::string_view status, const std::map<std::string, std::string>& list_files,
                    std::string_view status_path = kDpkgStatusPath,
                    const std::map<std::string, std::string>* md5sums = nullptr);

}  // namespace imagelint
