// Layer stream decompression, detected by magic bytes: gzip (multi-member), zstd (all frames,
// skippable ones included, so zstd:chunked reads as plain zstd), xz, or plain tar. A stream cut
// short is an error, never a silently shorter layer.
#pragma once
#include <memory>
#include <string>

#include "image/source.h"

namespace imagelint {

enum class Compression { None, Gzip, Zstd, Xz };
const char* compression_name(Compression c);

// Detects from the first bytes of a stream (at least 6 are needed for certainty).
// Throws InputError for formats that are recognised but not supported (bzip2).
Compression detect_compression(const unsigned char* p, size_t n, const std::string& display);

class DecompressingSource : public ByteSource {
 public:
  DecompressingSource(ByteSource& in, std::string display);
  ~DecompressingSource() override;
  size_t read(char* buf, size_t n) override;
  Compression compression() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imagelint
