#include "image/decompress.h"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "util/error.h"

namespace imagelint {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
    case Compression::Xz: return "xz";
  }
  return "?";
}

Compression detect_compression(const unsigned char* p, size_t n, const std::string& display) {
  if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return Compression::Gzip;
  if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) return Compression::Zstd;
  // A stream may start with a skippable zstd frame (magic 0x184D2A5?).
  if (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18) return Compression::Zstd;
  if (n >= 6 && std::memcmp(p, "\xfd" "7zXZ\0", 6) == 0) return Compression::Xz;
  if (n >= 3 && std::memcmp(p, "BZh", 3) == 0)
    throw InputError(display, "bzip2-compressed layer: not supported (use gzip, zstd or xz)");
  return Compression::None;
}

struct DecompressingSource::Impl {
  ByteSource& in;
  std::string display;
  Compression kind = Compression::None;
  std::vector<unsigned char> buf = std::vector<unsigned char>(256 * 1024);
  size_t pos = 0, len = 0;  // unread input is buf[pos, len)
  bool in_eof = false;
  bool out_eof = false;

  z_stream gz{};
  bool gz_init = false;
  bool gz_member_done = false;
  ZSTD_DCtx* zd = nullptr;
  size_t zstd_last = 0;  // last ZSTD_decompressStream hint: 0 means a frame just ended
  lzma_stream xz = LZMA_STREAM_INIT;
  bool xz_init = false;

  Impl(ByteSource& s, std::string d) : in(s), display(std::move(d)) {}

  bool fill() {
    if (pos < len) return true;
    if (in_eof) return false;
    pos = 0;
    len = in.read(reinterpret_cast<char*>(buf.data()), buf.size());
    if (len == 0) in_eof = true;
    return len > 0;
  }

  [[noreturn]] void fail(const std::string& what) { throw InputError(display, what); }

  size_t read_gzip(char* out, size_t n) {
    for (;;) {
      if (gz_member_done) {
        // Another member may follow (multi-member gzip is valid); anything else is not gzip.
        if (!fill()) { out_eof = true; return 0; }
        if (buf[pos] != 0x1f) fail("trailing garbage after gzip stream");
        inflateReset(&gz);
        gz_member_done = false;
      }
      if (!fill()) fail("truncated gzip stream (ends before the end of the compressed data)");
      gz.next_in = buf.data() + pos;
      gz.avail_in = static_cast<uInt>(len - pos);
      gz.next_out = reinterpret_cast<Bytef*>(out);
      gz.avail_out = static_cast<uInt>(n);
      int rc = inflate(&gz, Z_NO_FLUSH);
      pos = len - gz.avail_in;
      size_t produced = n - gz.avail_out;
      if (rc == Z_STREAM_END) gz_member_done = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        fail(std::string("corrupt gzip stream: ") + (gz.msg ? gz.msg : "inflate failed"));
      if (produced) return produced;
    }
  }

  size_t read_zstd(char* out, size_t n) {
    for (;;) {
      if (!fill()) {
        if (zstd_last != 0) fail("truncated zstd stream (ends inside a frame)");
        out_eof = true;
        return 0;
      }
      ZSTD_inBuffer ib{buf.data() + pos, len - pos, 0};
      ZSTD_outBuffer ob{out, n, 0};
      size_t rc = ZSTD_decompressStream(zd, &ob, &ib);
      if (ZSTD_isError(rc)) fail(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(rc));
      zstd_last = rc;
      pos += ib.pos;
      if (ob.pos) return ob.pos;
    }
  }

  size_t read_xz(char* out, size_t n) {
    for (;;) {
      bool more = fill();
      xz.next_in = buf.data() + pos;
      xz.avail_in = len - pos;
      xz.next_out = reinterpret_cast<uint8_t*>(out);
      xz.avail_out = n;
      lzma_ret rc = lzma_code(&xz, more ? LZMA_RUN : LZMA_FINISH);
      pos = len - xz.avail_in;
      size_t produced = n - xz.avail_out;
      if (rc == LZMA_STREAM_END) { out_eof = true; return produced; }
      if (rc == LZMA_BUF_ERROR && !more) fail("truncated xz stream (ends before the end of the compressed data)");
      if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) fail("corrupt xz stream (liblzma error " + std::to_string(rc) + ")");
      if (produced) return produced;
      if (!more && rc == LZMA_OK) continue;
    }
  }
};

DecompressingSource::DecompressingSource(ByteSource& in, std::string display)
    : impl_(std::make_unique<Impl>(in, std::move(display))) {
  auto& m = *impl_;
  // Gather up to 6 bytes to recognise the magic.
  while (m.len < 6) {
    size_t got = in.read(reinterpret_cast<char*>(m.buf.data() + m.len), 6 - m.len);
    if (got == 0) { m.in_eof = true; break; }
    m.len += got;
  }
  m.kind = detect_compression(m.buf.data(), m.len, m.display);
  switch (m.kind) {
    case Compression::Gzip:
      if (inflateInit2(&m.gz, 16 + MAX_WBITS) != Z_OK) m.fail("cannot initialise zlib");
      m.gz_init = true;
      break;
    case Compression::Zstd:
      m.zd = ZSTD_createDCtx();
      if (!m.zd) throw std::bad_alloc();
      // Bound the window so a hostile frame header cannot demand gigabytes.
      ZSTD_DCtx_setParameter(m.zd, ZSTD_d_windowLogMax, 27);
      break;
    case Compression::Xz:
      if (lzma_stream_decoder(&m.xz, 1ull << 30, LZMA_CONCATENATED) != LZMA_OK) m.fail("cannot initialise liblzma");
      m.xz_init = true;
      break;
    case Compression::None: break;
  }
}

DecompressingSource::~DecompressingSource() {
  if (impl_->gz_init) inflateEnd(&impl_->gz);
  if (impl_->zd) ZSTD_freeDCtx(impl_->zd);
  if (impl_->xz_init) lzma_end(&impl_->xz);
}

Compression DecompressingSource::compression() const { return impl_->kind; }

size_t DecompressingSource::read(char* buf, size_t n) {
  auto& m = *impl_;
  if (m.out_eof || n == 0) return 0;
  switch (m.kind) {
    case Compression::None: {
      if (!m.fill()) { m.out_eof = true; return 0; }
      size_t k = std::min(n, m.len - m.pos);
      std::memcpy(buf, m.buf.data() + m.pos, k);
      m.pos += k;
      return k;
    }
    case Compression::Gzip: return m.read_gzip(buf, n);
    case Compression::Zstd: return m.read_zstd(buf, n);
    case Compression::Xz: return m.read_xz(buf, n);
  }
  return 0;
}

}  // namespace imagelint
