// Test-only: hostile images, written byte by byte where libarchive's writer (tests/recipe.cc)
// would refuse or repair what we want to feed imagelint: tar headers with bad checksums, negative
// sizes, NUL in PAX names, duplicate entries, lying sizes; compression bombs; layouts whose
// manifests lie. Nothing here is a binary in the repository: every case is built by the test.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hostile {

// One tar header. Fields are written as given (names are cut at their field's width; longer
// ones go through pax() or gnu_long() first).
struct Hdr {
  std::string name = {};
  char type = '0';  // '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo
  uint64_t size = 0;
  std::string link = {};
  uint32_t mode = 0644, uid = 0, gid = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  std::string size_raw = {};  // 12 bytes written into the size field instead of size (base-256 etc.)
  int checksum_delta = 0;  // added to the correct checksum
};

// A tar stream built in memory, 512-byte blocks.
class RawTar {
 public:
  // The header, then data padded to a block. data need not match h.size (a lying header).
  RawTar& entry(const Hdr& h, const std::string& data = "");
  RawTar& file(const std::string& name, const std::string& data, uint32_t mode = 0644);
  RawTar& dir(const std::string& name);
  RawTar& symlink(const std::string& name, const std::string& target);
  // A pax extended header ('x') that applies to the next entry; values may hold any byte.
  RawTar& pax(const std::vector<std::pair<std::string, std::string>>& records);
  // A GNU long name ('L') or long link ('K') record for the next entry.
  RawTar& gnu_long(char type, const std::string& value);
  RawTar& raw(const std::string& bytes);  // appended as they are (garbage, partial blocks)
  std::string finish(bool end_marker = true);  // the bytes, with two zero blocks if end_marker

 private:
  std::string out_;
};

std::string header_block(const Hdr& h);

struct Layer {
  std::string blob;        // as stored (compressed or not)
  std::string media_type;  // empty: chosen from the blob's first bytes
  std::string diff_id;     // empty: sha256 of blob (an uncompressed layer)
  std::string created_by = "RUN hostile";
};

// A layer from an uncompressed tar, compressed with fixture::compress (none gzip zstd xz).
Layer layer(const std::string& tar, const std::string& how = "gzip");

// Hooks to damage the layout's JSON after the honest values are in place; each sees the
// document before it is serialised and digested (so the digests stay right unless a hook
// changes a digest itself).
struct Tamper {
  std::function<void(nlohmann::json&)> config = {}, manifest = {}, index = {};
  std::function<void(std::string&)> config_text = {};  // the config as written (after config)
};

// An OCI image layout in dir, one image tagged "latest".
void write_layout(const std::string& dir, const std::vector<Layer>& layers, const Tamper& t = {});
// Adds a blob to a layout (any bytes) and returns its digest.
std::string add_blob(const std::string& dir, const std::string& bytes);

// Compression bombs: a layer holding one file `zeros` of `size` zero bytes, made of one
// compressed chunk of 64 MiB of zeros repeated (gzip members or zstd frames). The blob is a few
// MB; its diff_id is given by the caller (hashing gigabytes here would double the test's time).
Layer zero_bomb(uint64_t size, const std::string& how, const std::string& diff_id);

// A layer of n empty files (d/NNNNNNN in directories of 1,000), compressed with zstd as it is
// generated (nothing of its size is held in memory).
Layer many_files(uint64_t n);

}  // namespace hostile
