// File digests in a package's own algorithm (package-verify), computed while the layers stream:
// a visitor per regular file, on the thread that reads the layer, from the bytes already in
// memory. Algorithms are rpm's PGPHASHALGO numbers (dpkg's md5sums are md5, 1).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fs/capture.h"

namespace imagelint {

// PGPHASHALGO: 1 md5, 2 sha1, 8 sha256, 9 sha384, 10 sha512, 11 sha224. Anything else: nullptr.
const char* digest_algo_name(uint32_t algo);
// "md5", "sha256", ... -> the number; 0 for a name that is none of them.
uint32_t digest_algo_from_name(std::string_view name);

class FileDigester : public EntryVisitor {
 public:
  explicit FileDigester(const std::vector<uint32_t>& algos);  // known algorithms only
  ~FileDigester() override;
  FileDigester(const FileDigester&) = delete;
  FileDigester& operator=(const FileDigester&) = delete;
  void data(const char* p, size_t n) override;
  void end() override;
  bool save(std::string& out) const override;
  bool load(std::string_view in) override;
  // Lowercase hex of the content in algo, or nullptr when it was not computed. The pointer is
  // good until the next call on this visitor (not for two threads at once).
  const std::string* hex(uint32_t algo) const;

 private:
  struct Running;
  std::vector<Running*> running_;  // until end()
  // After end() or load(): "ALGO:HEX ALGO:HEX", what save() writes (one allocation per file: an
  // image of a million files keeps a million of these).
  std::string done_;
  mutable std::string hex_;  // hex()'s answer
};

// The digest of no bytes in algo ("" for an unknown algo): empty files get no visitor.
const std::string& empty_digest(uint32_t algo);

// The capture key of a digest visitor for these algorithms (part of the layer cache's key).
std::string file_digest_key(const std::vector<uint32_t>& algos);

}  // namespace imagelint
