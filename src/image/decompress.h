// Stream decompression, detected by magic bytes: gzip (multi-member), zstd (all frames, skippable
// ones included, so zstd:chunked reads as plain zstd), xz, or none. A stream cut short is an
// error, never a silently shorter result. Used for layers (pulled, DecompressingSource) and for
// compressed files inside an image such as .ko.xz (pushed, Decoder::feed).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "image/source.h"

namespace imagelint {

enum class Compression { None, Gzip, Zstd, Xz };
const char* compression_name(Compression c);

// Detects from the first bytes of a stream (6 are needed for certainty).
// Throws InputError for formats that are recognised but not supported (bzip2).
Compression detect_compression(const unsigned char* p, size_t n, const std::string& display);

class Decoder {
 public:
  // first_stream_only: done() after the first gzip member, zstd frame or xz stream, leaving what
  // follows unread (step's *consumed says where it ends), as for an initramfs whose compressed
  // archive is followed by padding or another archive. Otherwise every member/frame/stream is read.
  // zlib: gzip through zlib even where ISA-L's faster inflate is built in (IMAGELINT_ZLIB=1, to
  // compare the two).
  Decoder(Compression kind, std::string display, bool first_stream_only = false, bool zlib = false);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes from in[0, in_len) into out[0, out_len): *consumed input bytes, returns bytes
  // produced. at_end says no input follows (so an unfinished stream is truncated). Returns 0 with
  // done() once the stream has ended. Throws InputError(display, …) on corrupt or cut input.
  size_t step(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool at_end);
  bool done() const;
  Compression kind() const;

  // Push interface: decodes a chunk (or, with n == 0 and at_end, the end) and hands the output
  // to sink in pieces; memory stays bounded whatever the compression ratio.
  using Sink = std::function<void(const char*, size_t)>;
  void feed(const char* p, size_t n, bool at_end, const Sink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class DecompressingSource : public ByteSource {
 public:
  DecompressingSource(ByteSource& in, std::string display, bool zlib = false);
  ~DecompressingSource() override;
  size_t read(char* buf, size_t n) override;
  Compression compression() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imagelint
