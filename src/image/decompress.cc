#include "image/decompress.h"

#include <lzma.h>
#include <zlib.h>
#if IMAGELINT_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif
#include <zstd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
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
    throw InputError(display, "bzip2-compressed data: not supported (use gzip, zstd or xz)");
  return Compression::None;
}

struct Decoder::Impl {
  Compression kind;
  std::string display;
  bool first_only = false;
  bool done = false;
  z_stream gz{};
  bool gz_init = false;
#if IMAGELINT_HAVE_ISAL
  std::unique_ptr<inflate_state> isal;  // ~40 KB of tables: on the heap, with the decoder
#endif
  bool gz_between = false;  // a gzip member ended; another may follow
  ZSTD_DCtx* zd = nullptr;
  size_t zstd_hint = 1;     // last ZSTD_decompressStream result: 0 means a frame just ended
  bool zstd_any = false;
  lzma_stream xz = LZMA_STREAM_INIT;
  bool xz_init = false;

  [[noreturn]] void fail(const std::string& what) { throw InputError(display, what); }

  // One step inside the current gzip member: bytes produced, *ended once the member (its CRC32
  // and size checked) is complete. ISA-L's inflate where built with it (about twice zlib's speed
  // on x86-64), zlib otherwise.
  size_t inflate_member(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool* ended) {
#if IMAGELINT_HAVE_ISAL
    if (isal) {
      inflate_state& st = *isal;
      st.next_in = const_cast<uint8_t*>(in);
      st.avail_in = static_cast<uint32_t>(std::min<size_t>(in_len, 1u << 30));
      st.next_out = reinterpret_cast<uint8_t*>(out);
      st.avail_out = static_cast<uint32_t>(std::min<size_t>(out_len, 1u << 30));
      uint32_t avail_in = st.avail_in, avail_out = st.avail_out;
      int rc = isal_inflate(&st);
      *consumed = avail_in - st.avail_in;
      if (rc == ISAL_INCORRECT_CHECKSUM) fail("corrupt gzip stream: incorrect data check");
      if (rc == ISAL_INVALID_WRAPPER || rc == ISAL_UNSUPPORTED_METHOD) fail("corrupt gzip stream: incorrect header");
      if (rc != ISAL_DECOMP_OK) fail(std::string("corrupt gzip stream: invalid deflate data (ISA-L error ") + std::to_string(rc) + ")");
      *ended = st.block_state == ISAL_BLOCK_FINISH;
      return avail_out - st.avail_out;
    }
#endif
    // Called even without input: zlib may hold output that did not fit last time.
    gz.next_in = const_cast<Bytef*>(in);
    gz.avail_in = static_cast<uInt>(std::min<size_t>(in_len, 1u << 30));
    gz.next_out = reinterpret_cast<Bytef*>(out);
    gz.avail_out = static_cast<uInt>(std::min<size_t>(out_len, 1u << 30));
    uInt avail_in = gz.avail_in, avail_out = gz.avail_out;
    int rc = inflate(&gz, Z_NO_FLUSH);
    *consumed = avail_in - gz.avail_in;
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
      fail(std::string("corrupt gzip stream: ") + (gz.msg ? gz.msg : "inflate failed"));
    *ended = rc == Z_STREAM_END;
    return avail_out - gz.avail_out;
  }

  void next_member() {
#if IMAGELINT_HAVE_ISAL
    if (isal) {
      isal_inflate_reset(isal.get());
      isal->crc_flag = ISAL_GZIP;
      return;
    }
#endif
    inflateReset(&gz);
  }

  size_t gzip(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool at_end) {
    *consumed = 0;
    if (gz_between) {
      if (in_len == 0) {
        if (at_end) done = true;
        return 0;
      }
      if (in[0] != 0x1f) fail("trailing garbage after gzip stream");
      next_member();
      gz_between = false;
    }
    bool ended = false;
    size_t produced = inflate_member(in, in_len, consumed, out, out_len, &ended);
    if (ended) (first_only ? done : gz_between) = true;
    else if (produced == 0 && *consumed == 0 && in_len == 0 && at_end)
      fail("truncated gzip stream (ends before the end of the compressed data)");
    return produced;
  }

  size_t zstd(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool at_end) {
    // Called even without input: the decoder may hold output that did not fit last time.
    ZSTD_inBuffer ib{in, in_len, 0};
    ZSTD_outBuffer ob{out, out_len, 0};
    size_t rc = ZSTD_decompressStream(zd, &ob, &ib);
    if (ZSTD_isError(rc)) fail(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(rc));
    if (in_len) zstd_any = true;
    // A call that moved nothing reports a hint for the next frame: not a frame in progress.
    if (ib.pos || ob.pos) zstd_hint = rc;
    if (first_only && (ib.pos || ob.pos) && rc == 0) done = true;  // a frame ended, all flushed
    *consumed = ib.pos;
    if (ob.pos == 0 && in_len == 0 && at_end) {
      if (zstd_hint != 0 || !zstd_any) fail("truncated zstd stream (ends inside a frame)");
      done = true;
    }
    return ob.pos;
  }

  size_t xzs(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool at_end) {
    xz.next_in = in;
    xz.avail_in = in_len;
    xz.next_out = reinterpret_cast<uint8_t*>(out);
    xz.avail_out = out_len;
    lzma_ret rc = lzma_code(&xz, at_end ? LZMA_FINISH : LZMA_RUN);
    *consumed = in_len - xz.avail_in;
    size_t produced = out_len - xz.avail_out;
    if (rc == LZMA_STREAM_END) done = true;
    else if (rc == LZMA_BUF_ERROR && at_end && in_len == *consumed && produced == 0)
      fail("truncated xz stream (ends before the end of the compressed data)");
    else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
      fail("corrupt xz stream (liblzma error " + std::to_string(rc) + ")");
    return produced;
  }
};

Decoder::Decoder(Compression kind, std::string display, bool first_stream_only, bool zlib)
    : impl_(std::make_unique<Impl>()) {
  (void)zlib;  // without ISA-L, gzip is zlib's anyway
  auto& m = *impl_;
  m.kind = kind;
  m.first_only = first_stream_only;
  m.display = std::move(display);
  switch (kind) {
    case Compression::Gzip:
#if IMAGELINT_HAVE_ISAL
      if (!zlib) {
        m.isal = std::make_unique<inflate_state>();
        isal_inflate_init(m.isal.get());
        m.isal->crc_flag = ISAL_GZIP;
        break;
      }
#endif
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
      if (lzma_stream_decoder(&m.xz, 1ull << 30, first_stream_only ? 0 : LZMA_CONCATENATED) != LZMA_OK) m.fail("cannot initialise liblzma");
      m.xz_init = true;
      break;
    case Compression::None: break;
  }
}

Decoder::~Decoder() {
  if (impl_->gz_init) inflateEnd(&impl_->gz);
  if (impl_->zd) ZSTD_freeDCtx(impl_->zd);
  if (impl_->xz_init) lzma_end(&impl_->xz);
}

bool Decoder::done() const { return impl_->done; }
Compression Decoder::kind() const { return impl_->kind; }

size_t Decoder::step(const unsigned char* in, size_t in_len, size_t* consumed, char* out, size_t out_len, bool at_end) {
  auto& m = *impl_;
  *consumed = 0;
  if (m.done || out_len == 0) return 0;
  switch (m.kind) {
    case Compression::None: {
      size_t k = std::min(in_len, out_len);
      if (k) std::memcpy(out, in, k);
      *consumed = k;
      if (k == 0 && at_end) m.done = true;
      return k;
    }
    case Compression::Gzip: return m.gzip(in, in_len, consumed, out, out_len, at_end);
    case Compression::Zstd: return m.zstd(in, in_len, consumed, out, out_len, at_end);
    case Compression::Xz: return m.xzs(in, in_len, consumed, out, out_len, at_end);
  }
  return 0;
}

void Decoder::feed(const char* p, size_t n, bool at_end, const Sink& sink) {
  char out[64 * 1024];
  const auto* in = reinterpret_cast<const unsigned char*>(p);
  int stalled = 0;
  while (!done()) {
    size_t used = 0;
    size_t got = step(in, n, &used, out, sizeof out, at_end);
    in += used;
    n -= used;
    if (got) sink(out, got);
    if (got || used) {
      stalled = 0;
      continue;
    }
    if (n == 0 && !at_end) return;  // wants more input
    if (++stalled > 2) impl_->fail("decoder made no progress");
  }
  if (n) impl_->fail("trailing data after the compressed stream");
}

struct DecompressingSource::Impl {
  ByteSource& in;
  std::string display;
  std::unique_ptr<Decoder> dec;
  std::vector<unsigned char> buf = std::vector<unsigned char>(256 * 1024);
  size_t pos = 0, len = 0;  // unread input is buf[pos, len)
  bool in_eof = false;

  Impl(ByteSource& s, std::string d) : in(s), display(std::move(d)) {}
  void fill() {
    if (pos < len || in_eof) return;
    pos = 0;
    len = in.read(reinterpret_cast<char*>(buf.data()), buf.size());
    if (len == 0) in_eof = true;
  }
};

DecompressingSource::DecompressingSource(ByteSource& in, std::string display, bool zlib)
    : impl_(std::make_unique<Impl>(in, std::move(display))) {
  auto& m = *impl_;
  while (m.len < 6) {  // enough bytes to recognise the magic
    size_t got = in.read(reinterpret_cast<char*>(m.buf.data() + m.len), 6 - m.len);
    if (got == 0) {
      m.in_eof = true;
      break;
    }
    m.len += got;
  }
  m.dec = std::make_unique<Decoder>(detect_compression(m.buf.data(), m.len, m.display), m.display, false, zlib);
}

DecompressingSource::~DecompressingSource() = default;

Compression DecompressingSource::compression() const { return impl_->dec->kind(); }

size_t DecompressingSource::read(char* buf, size_t n) {
  auto& m = *impl_;
  for (;;) {
    if (m.dec->done()) {
      m.fill();
      if (m.pos < m.len) {
        // Anything after the end of a compressed stream is not ours to ignore.
        if (m.dec->kind() != Compression::None) throw InputError(m.display, "trailing data after the compressed stream");
      }
      return 0;
    }
    m.fill();
    size_t used = 0;
    size_t got = m.dec->step(m.buf.data() + m.pos, m.len - m.pos, &used, buf, n, m.in_eof);
    m.pos += used;
    if (got) return got;
  }
}

}  // namespace imagelint
