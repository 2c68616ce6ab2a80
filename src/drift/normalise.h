// Normalisers decide whether two different files are equal in substance: each one reduces a
// file to a canonical form (e.g. a .pyc without its source mtime, a gzip stream without its
// header) and hashes that. Two files whose substance digests are equal differ only in what the
// normaliser ignores. Named from rules/drift.json ("normaliser": "pyc").
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.h"

namespace imagelint::drift {

struct Substance {
  bool ok = true;      // false: the file is not what the normaliser reads; error says why and the
                       // caller falls back to comparing raw bytes (a difference stays unexplained)
  std::string error;   // one line, no file name (the caller adds it)
  ContentHash digest;  // xxh3-128 of the canonical form; meaningful only when ok
};

// bytes: the whole file. A normaliser must never crash, hang or allocate without bound on
// hostile input: every length is checked, decompressed output is streamed into the hash.
using Normaliser = Substance (*)(std::string_view bytes);

// nullptr for a name no normaliser has.
Normaliser find_normaliser(std::string_view name);
// Every name, sorted (for validating rules files and for --help).
std::vector<std::string> normaliser_names();

}  // namespace imagelint::drift
