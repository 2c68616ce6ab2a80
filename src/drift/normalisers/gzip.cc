// gzip: the decompressed content of every member. The header (mtime, OS, XFL, file name,
// comment, extra field) and the compression level change the bytes but not what they hold.
#include "drift/normalisers/normalisers.h"
#include "image/decompress.h"

namespace imagelint::drift {

Substance normalise_gzip(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 2 || b[0] != 0x1f || b[1] != 0x8b) unreadable("not gzip (no 1f 8b magic)");
  Xxh128 h;
  uint64_t total = 0;
  Decoder dec(Compression::Gzip, "");
  dec.feed(bytes.data(), bytes.size(), true, [&](const char* p, size_t n) {
    count_decompressed(&total, n);
    h.update(p, n);
  });
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
