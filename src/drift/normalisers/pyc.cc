// pyc: Python 3.7+ bytecode (PEP 552). The 16-byte header is magic, little-endian flags, then
// either the source's mtime and size (flags 0, timestamp-based) or the source's hash (flag bit 0,
// hash-based; bit 1 = check_source). Only the source mtime is left out: a rebuild that touches
// the sources rewrites it though the code is the same. The code object after the header counts.
#include <cstring>

#include "drift/normalisers/normalisers.h"

namespace imagelint::drift {

namespace {

constexpr size_t kHeader = 16;
// Python 3.7 starts at 3390; Python 2's magic numbers start at 20121.
constexpr uint32_t kFirstMagic = 3390, kPastMagic = 20000;

uint32_t le32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

}  // namespace

Substance normalise_pyc(std::string_view bytes) {
  if (bytes.size() < kHeader)
    unreadable(".pyc of " + std::to_string(bytes.size()) + " bytes (the header alone is 16)");
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  uint32_t magic = uint32_t{b[0]} | (uint32_t{b[1]} << 8);
  if (b[2] != '\r' || b[3] != '\n') unreadable("no .pyc magic (bytes 2-3 are not \\r\\n)");
  if (magic < kFirstMagic || magic >= kPastMagic)
    unreadable("magic number " + std::to_string(magic) + " is not Python 3.7 or later");
  uint32_t flags = le32(b + 4);
  if (flags != 0 && flags != 1 && flags != 3) unreadable(".pyc flags " + std::to_string(flags) + " are unknown");

  Xxh128 h;
  h.update(b, 8);                      // magic and flags
  if (flags == 0) h.update(b + 12, 4);  // source size; bytes 8..12 are the source mtime
  else h.update(b + 8, 8);             // source hash
  h.update(b + kHeader, bytes.size() - kHeader);
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
