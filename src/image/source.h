// Byte streams over files and regions of files. Everything the image layer reads goes through
// here, so every read is bounded and every failure names the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/hash.h"

namespace imagelint {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; 0 means end of stream. Throws InputError on failure.
  virtual size_t read(char* buf, size_t n) = 0;
};

// A blob: a whole file, or a region of a file (a member of an uncompressed tar read in place), or
// (tree set) a containers/storage layer: path is its tar-split file, tree its directory, and the
// bytes are the tar stream they make together (length: its size, as the store recorded it).
struct BlobRef {
  std::string display;  // what error messages name, e.g. "img.tar:blobs/sha256/ab…"
  std::string path;     // the file on disk
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string tree = {};
};

// Opens a file read-only; the region must lie inside it.
std::unique_ptr<ByteSource> open_blob(const BlobRef& blob);
// Reads a whole blob into memory, refusing anything larger than cap.
std::string read_blob(const BlobRef& blob, uint64_t cap);
// A BlobRef for a plain file (length from stat); throws if it is missing or not a regular file.
BlobRef file_blob(const std::string& path, const std::string& display);

// Passes bytes through while computing their sha256 and counting them.
class HashingSource : public ByteSource {
 public:
  explicit HashingSource(ByteSource& in) : in_(in) {}
  size_t read(char* buf, size_t n) override;
  uint64_t bytes() const { return bytes_; }
  std::string digest() { return sha_.digest(); }

 private:
  ByteSource& in_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace imagelint
