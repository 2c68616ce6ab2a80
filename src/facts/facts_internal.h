// Internal to the facts pass (facts.cc, facts_packages.cc): the package half of gather_facts.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "facts/facts.h"

namespace imagelint::facts_internal {

// The package databases' files, as they are named (not resolved), and how much of each to read.
std::vector<std::pair<std::string, uint64_t>> package_db_files();
// Declares the databases' captures; attrs: also dpkg's md5sums (package-verify).
void want_packages(CaptureSet& cap, bool attrs = false);
// Reads the databases whose bytes get returns into out (see facts_packages.cc).
void read_packages(const FileSystem& fs, const std::function<const Captured*(const std::string&)>& get,
                   const std::map<std::string, std::string>& dpkg_lists, PackageDb& out, PackageRead read = {},
                   const std::map<std::string, std::string>* md5sums = nullptr);
void gather_packages(const FileSystem& fs, const CaptureSet& cap, Facts& f, bool attrs = false);
// package-verify: the digest visitor of every regular file when FactNeeds::file_digests asks for
// one (its id in cap, or -1), and the verification after the pass.
int want_file_digests(CaptureSet& cap, const FactNeeds& needs);
void gather_verification(const Image& img, const FileSystem& fs, const CaptureSet& cap, int digests, const FactNeeds& needs,
                         const RunContext& run, Facts& f);

}  // namespace imagelint::facts_internal
