// initramfs: cpio "newc" archives (magic 070701, or 070702 with a checksum) one after another,
// each stored as is or compressed (gzip, zstd, xz), with zero padding allowed between them; the
// kernel unpacks them in order (init/initramfs.c), typically an uncompressed early-microcode
// archive and then a compressed main one. The substance is the members in order: name, mode,
// uid, gid, nlink, rdevmajor, rdevminor, size and content. Left out: mtime, ino, devmajor,
// devminor, the 070702 checksum field, the compression and how members are split into archives.
#include <array>
#include <cstring>
#include <memory>

#include "drift/normalisers/normalisers.h"
#include "image/decompress.h"

namespace imagelint::drift {

namespace {

constexpr size_t kHeaderSize = 110;  // "07070x" and 13 eight-digit hex fields
constexpr uint32_t kMaxName = 4096;  // the kernel's PATH_MAX; it refuses longer names too
constexpr std::string_view kTrailer = "TRAILER!!!";

uint64_t pad4(uint64_t n) { return (4 - n % 4) % 4; }

// A newc parser fed in pieces; each member goes into the hash as it is read.
class CpioReader {
 public:
  // whole: the bytes pushed are all that is left of the file, so a member that claims more is cut
  // short; the reader then also stops right after the first archive's trailer.
  CpioReader(Xxh128& h, bool whole) : h_(h), whole_(whole) {}

  // Consumes from p[0, n) and returns how many bytes it used: all of them, unless whole and an
  // archive ended. Throws on malformed input.
  size_t push(const char* p, size_t n) {
    size_t i = 0;
    while (i < n) {
      switch (state_) {
        case State::Between:
          if (whole_ && archives_ > 0) return i;
          if (p[i] == '\0') {  // padding between archives
            ++i;
            break;
          }
          hdr_len_ = 0;
          state_ = State::Header;
          break;
        case State::Header: {
          size_t k = std::min(n - i, kHeaderSize - hdr_len_);
          std::memcpy(hdr_.data() + hdr_len_, p + i, k);
          hdr_len_ += k;
          i += k;
          if (hdr_len_ == kHeaderSize) parse_header(n - i);
          break;
        }
        case State::Name: {
          size_t k = std::min<uint64_t>(n - i, name_want_ - name_.size());
          name_.append(p + i, k);
          i += k;
          if (name_.size() == name_want_) end_name();
          break;
        }
        case State::Data: {
          size_t k = std::min<uint64_t>(n - i, left_);
          if (!trailer_) h_.update(p + i, k);
          i += k;
          left_ -= k;
          settle();
          break;
        }
        case State::Pad: {
          size_t k = std::min<uint64_t>(n - i, pad_);
          i += k;
          pad_ -= k;
          settle();
          break;
        }
      }
    }
    return n;
  }

  bool between() const { return state_ == State::Between; }
  uint64_t archives() const { return archives_; }

 private:
  enum class State { Between, Header, Name, Data, Pad };

  // Moves on from data and padding that are complete (possibly empty from the start).
  void settle() {
    if (state_ == State::Data && left_ == 0) state_ = State::Pad;
    if (state_ == State::Pad && pad_ == 0) {
      state_ = State::Between;
      if (trailer_) ++archives_;
      trailer_ = false;
    }
  }

  void parse_header(size_t remaining) {
    const char* hp = hdr_.data();
    if (std::memcmp(hp, "07070", 5) != 0 || (hp[5] != '1' && hp[5] != '2'))
      unreadable("no cpio newc magic (070701 or 070702) where member " + std::to_string(members_ + 1) + " should start");
    // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    for (int f = 0; f < 13; ++f) {
      uint32_t v = 0;
      for (int d = 0; d < 8; ++d) {
        char c = hp[6 + 8 * f + d];
        int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (x < 0) unreadable("cpio header of member " + std::to_string(members_ + 1) + " has a non-hex digit");
        v = (v << 4) | static_cast<uint32_t>(x);
      }
      field_[f] = v;
    }
    uint32_t namesize = field_[11], filesize = field_[6];
    if (namesize < 2 || namesize > kMaxName)
      unreadable("cpio member " + std::to_string(members_ + 1) + " has a name size of " + std::to_string(namesize) +
                 " (2 to 4096)");
    name_want_ = namesize + pad4(kHeaderSize + namesize);
    if (whole_ && uint64_t{name_want_} + filesize > remaining)
      unreadable("truncated: cpio member " + std::to_string(members_ + 1) + " needs " +
                 std::to_string(uint64_t{name_want_} + filesize) + " bytes, " + std::to_string(remaining) + " are left");
    name_.clear();
    state_ = State::Name;
  }

  void end_name() {
    uint32_t namesize = field_[11], filesize = field_[6];
    if (name_[namesize - 1] != '\0')
      unreadable("cpio member " + std::to_string(members_ + 1) + " has a name without its terminating NUL");
    std::string_view name(name_.data(), namesize - 1);
    ++members_;
    trailer_ = name == kTrailer;
    if (!trailer_) {
      // The member as the kernel creates it: name, mode, uid, gid, nlink, rdev, then the content.
      auto u32 = [&](uint32_t v) {
        unsigned char le[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                               static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
        h_.update(le, 4);
      };
      u32(namesize);
      h_.update(name.data(), name.size());
      for (int f : {1, 2, 3, 4, 9, 10, 6}) u32(field_[f]);
    }
    left_ = filesize;
    pad_ = pad4(filesize);
    state_ = State::Data;
    settle();
  }

  Xxh128& h_;
  bool whole_;
  State state_ = State::Between;
  std::array<char, kHeaderSize> hdr_{};
  size_t hdr_len_ = 0;
  uint32_t field_[13] = {};
  std::string name_;
  uint32_t name_want_ = 0;
  uint64_t left_ = 0, pad_ = 0;
  bool trailer_ = false;
  uint64_t archives_ = 0, members_ = 0;
};

// Decompresses one compressed archive starting at p into a cpio reader; returns the compressed
// bytes it took.
size_t read_compressed(const unsigned char* p, size_t n, Compression kind, Xxh128& h, uint64_t* total) {
  Decoder dec(kind, "", true);
  CpioReader cpio(h, false);
  auto out = std::make_unique<char[]>(64 * 1024);
  size_t pos = 0;
  int stalled = 0;
  while (!dec.done()) {
    size_t used = 0;
    size_t got = dec.step(p + pos, n - pos, &used, out.get(), 64 * 1024, true);
    pos += used;
    if (got) {
      count_decompressed(total, got);
      cpio.push(out.get(), got);
    }
    if (got || used) stalled = 0;
    else if (++stalled > 2) unreadable(std::string(compression_name(kind)) + " decoder made no progress");
  }
  if (!cpio.between()) unreadable(std::string(compression_name(kind)) + " archive ends inside a cpio member");
  if (cpio.archives() == 0) unreadable(std::string(compression_name(kind)) + " archive holds no complete cpio archive");
  return pos;
}

}  // namespace

Substance normalise_initramfs(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  Xxh128 h;
  uint64_t total = 0, segments = 0;
  size_t pos = 0;
  while (pos < n) {
    if (b[pos] == 0) {
      ++pos;
      continue;
    }
    const unsigned char* p = b + pos;
    size_t left = n - pos;
    std::string at = " at offset " + std::to_string(pos);
    ++segments;
    if (left >= 5 && std::memcmp(p, "07070", 5) == 0) {
      CpioReader cpio(h, true);
      size_t used = cpio.push(bytes.data() + pos, left);
      if (cpio.archives() == 0) unreadable("truncated cpio archive" + at + " (no TRAILER!!!)");
      pos += used;
      continue;
    }
    if (left >= 4 && std::memcmp(p, "\x02\x21\x4c\x18", 4) == 0) unreadable("lz4-compressed archive" + at + ": not supported");
    if (left >= 3 && std::memcmp(p, "BZh", 3) == 0) unreadable("bzip2-compressed archive" + at + ": not supported");
    if (left >= 4 && std::memcmp(p, "\x89LZO", 4) == 0) unreadable("lzo-compressed archive" + at + ": not supported");
    if (left >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0) unreadable("lzma-compressed archive" + at + ": not supported");
    Compression kind = detect_compression(p, left, "");
    if (kind == Compression::None) unreadable("neither cpio nor gzip, zstd or xz data" + at);
    pos += read_compressed(p, left, kind, h, &total);
  }
  if (segments == 0) unreadable("no cpio archive (empty or all zeros)");
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
