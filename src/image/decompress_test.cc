#include "image/decompress.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "recipe.h"
#include "util/error.h"

namespace imagelint {
namespace image_decompress_test {

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string s, size_t chunk = 7) : s_(std::move(s)), chunk_(chunk) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min({n, chunk_, s_.size() - pos_});
    std::memcpy(buf, s_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string s_;
  size_t chunk_;
  size_t pos_ = 0;
};

std::string gzip(const std::string& in) { return fixture::compress(in, "gzip"); }

std::string zstd(const std::string& in) { return fixture::compress(in, "zstd"); }

std::string drain(const std::string& compressed, Compression* kind = nullptr, bool zlib = false) {
  StringSource src(compressed);
  DecompressingSource d(src, "test", zlib);
  if (kind) *kind = d.compression();
  std::string out;
  char buf[5];
  while (size_t n = d.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

TEST(Decompress, PlainPassesThrough) {
  Compression k;
  EXPECT_EQ(drain("just a tar, really", &k), "just a tar, really");
  EXPECT_EQ(k, Compression::None);
  EXPECT_EQ(drain(""), "");
}

TEST(Decompress, GzipMultiMember) {
  Compression k;
  EXPECT_EQ(drain(gzip("hello ") + gzip("world"), &k), "hello world");
  EXPECT_EQ(k, Compression::Gzip);
}

TEST(Decompress, GzipTruncatedAndTrailingGarbage) {
  std::string g = gzip(std::string(10000, 'x') + "end");
  EXPECT_THROW(drain(g.substr(0, g.size() - 4)), InputError);
  try {
    drain(g + "junk");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("trailing garbage"), std::string::npos);
  }
  std::string bad = g;
  bad[bad.size() / 2] ^= 0x55;
  EXPECT_THROW(drain(bad), InputError);
}

// The same contract from both gzip back ends: ISA-L (the default where built with libisal) and
// zlib (IMAGELINT_ZLIB=1, which the run context hands to the decoder).
TEST(Decompress, GzipBackEndsAgree) {
  std::string big;
  for (int i = 0; i < 200000; ++i) big += std::to_string(i * 7919 % 1000003) + (i % 13 ? " " : "\n");
  std::string g = gzip(big), two = gzip("first ") + gzip(big);
  std::string bad_crc = g;
  bad_crc[bad_crc.size() - 6] ^= 1;  // the CRC32 in the trailer
  std::string bad_size = g;
  bad_size[bad_size.size() - 2] ^= 1;  // ISIZE
  for (bool zlib : {false, true}) {
    SCOPED_TRACE(zlib ? "zlib" : "default");
    EXPECT_EQ(drain(g, nullptr, zlib), big);
    EXPECT_EQ(drain(two, nullptr, zlib), "first " + big);
    EXPECT_THROW(drain(bad_crc, nullptr, zlib), InputError);
    EXPECT_THROW(drain(bad_size, nullptr, zlib), InputError);
    EXPECT_THROW(drain(g.substr(0, 10), nullptr, zlib), InputError);
    EXPECT_THROW(drain(g.substr(0, g.size() - 1), nullptr, zlib), InputError);
    EXPECT_THROW(drain(g + "\x1f", nullptr, zlib), InputError);  // a second member cut short
  }
}

TEST(Decompress, ZstdFramesAndSkippableFrames) {
  // zstd:chunked puts skippable frames (its table of contents) between and after data frames.
  std::string skippable("\x50\x2a\x4d\x18\x04\x00\x00\x00meta", 12);
  Compression k;
  EXPECT_EQ(drain(zstd("chunk one ") + skippable + zstd("chunk two"), &k), "chunk one chunk two");
  EXPECT_EQ(k, Compression::Zstd);
  EXPECT_EQ(drain(skippable + zstd("x")), "x");
}

TEST(Decompress, ZstdTruncated) {
  std::string z = zstd(std::string(100000, 'z') + "tail");
  try {
    drain(z.substr(0, z.size() - 3));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated zstd stream"), std::string::npos) << e.what();
  }
}

TEST(Decompress, PushInterfaceHandsOutBoundedChunks) {
  // 64 MiB of zeros squeeze into a few KiB: the sink must see it in pieces, never whole.
  std::string big(64u << 20, '\0');
  std::string z = zstd(big), g = gzip(big);
  for (auto [kind, data] : {std::pair{Compression::Zstd, z}, std::pair{Compression::Gzip, g}}) {
    Decoder d(kind, "t");
    size_t total = 0, largest = 0;
    for (size_t i = 0; i < data.size(); i += 1000)
      d.feed(data.data() + i, std::min<size_t>(1000, data.size() - i), false, [&](const char*, size_t n) {
        total += n;
        largest = std::max(largest, n);
      });
    d.feed(nullptr, 0, true, [&](const char*, size_t n) { total += n; });
    EXPECT_TRUE(d.done());
    EXPECT_EQ(total, big.size());
    EXPECT_LE(largest, 64u * 1024);
  }
  Decoder cut(Compression::Gzip, "cut");
  EXPECT_THROW(
      {
        cut.feed(g.data(), g.size() / 2, false, [](const char*, size_t) {});
        cut.feed(nullptr, 0, true, [](const char*, size_t) {});
      },
      InputError);
}

TEST(Decompress, RefusesBzip2Clearly) {
  try {
    drain("BZh91AY&SY");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bzip2"), std::string::npos);
  }
}

// first_stream_only: the decoder stops at the end of the first member/frame/stream and says how
// much input that took, so that what follows (padding, another archive) can be read by others.
TEST(Decompress, FirstStreamOnlyStopsAtItsEnd) {
  std::string xz_out(lzma_stream_buffer_bound(5), '\0');
  size_t xz_len = 0;
  ASSERT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr, reinterpret_cast<const uint8_t*>("hello"), 5,
                                    reinterpret_cast<uint8_t*>(xz_out.data()), &xz_len, xz_out.size()),
            LZMA_OK);
  xz_out.resize(xz_len);
  const std::pair<Compression, std::string> cases[] = {
      {Compression::Gzip, gzip("hello")}, {Compression::Zstd, zstd("hello")}, {Compression::Xz, xz_out}};
  for (const auto& [kind, stream] : cases) {
    for (const std::string& tail : {std::string("\0\0\0\0more"), gzip("next"), std::string()}) {
      std::string in = stream + tail;
      Decoder d(kind, "test", true);
      std::string out;
      size_t pos = 0;
      char buf[3];
      for (int guard = 0; !d.done() && guard < 1000; ++guard) {
        size_t used = 0;
        size_t got = d.step(reinterpret_cast<const unsigned char*>(in.data()) + pos, in.size() - pos, &used, buf,
                            sizeof buf, true);
        pos += used;
        out.append(buf, got);
      }
      EXPECT_TRUE(d.done()) << compression_name(kind);
      EXPECT_EQ(out, "hello") << compression_name(kind);
      EXPECT_EQ(pos, stream.size()) << compression_name(kind);
    }
    // Cut short, it is still an error.
    Decoder d(kind, "test", true);
    EXPECT_THROW(d.feed(stream.data(), stream.size() - 3, true, [](const char*, size_t) {}), InputError);
  }
}

}  // namespace image_decompress_test
}  // namespace imagelint
