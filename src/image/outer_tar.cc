#include "image/outer_tar.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/path.h"
#include "util/error.h"
#include "util/fd.h"

namespace imagelint {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kMaxMembers = 1'000'000;
constexpr uint64_t kMaxExtHeader = 1 << 20;

bool read_exact(int fd, uint64_t off, void* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd, static_cast<char*>(buf) + done, n - done, static_cast<off_t>(off + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

bool parse_number(const unsigned char* p, size_t n, uint64_t& out) {
  if (p[0] & 0x80) {  // base-256 (GNU)
    out = 0;
    for (size_t i = 1; i < n; ++i) {
      if (out >> 56) return false;
      out = (out << 8) | p[i];
    }
    return (p[0] & 0x7f) == 0;
  }
  out = 0;
  size_t i = 0;
  while (i < n && (p[i] == ' ' || p[i] == 0)) ++i;
  bool any = false;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (out >> 60) return false;
    out = out * 8 + (p[i] - '0');
    any = true;
  }
  for (; i < n; ++i)
    if (p[i] != ' ' && p[i] != 0) return false;
  (void)any;
  return true;
}

bool checksum_ok(const unsigned char* h) {
  uint64_t want = 0;
  if (!parse_number(h + 148, 8, want)) return false;
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == want;
}

std::string field(const unsigned char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len]) ++len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

// pax records: "LEN key=value\n"
void parse_pax(const std::string& data, std::string& path, std::string& link, std::string& size,
               const std::string& archive) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t sp = data.find(' ', pos);
    if (sp == std::string::npos) break;
    uint64_t len = 0;
    for (size_t i = pos; i < sp; ++i) {
      if (data[i] < '0' || data[i] > '9' || len > data.size()) throw InputError(archive, "malformed pax header");
      len = len * 10 + static_cast<uint64_t>(data[i] - '0');
    }
    if (len == 0 || pos + len > data.size() || data[pos + len - 1] != '\n')
      throw InputError(archive, "malformed pax header");
    std::string rec = data.substr(sp + 1, pos + len - 1 - (sp + 1));
    size_t eq = rec.find('=');
    if (eq != std::string::npos) {
      std::string key = rec.substr(0, eq);
      if (key == "path") path = rec.substr(eq + 1);
      else if (key == "linkpath") link = rec.substr(eq + 1);
      else if (key == "size") size = rec.substr(eq + 1);
    }
    pos += len;
  }
}

}  // namespace

bool looks_like_tar(const std::string& path) {
  OwnedFd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return false;
  unsigned char h[kBlock];
  if (!read_exact(f.fd, 0, h, kBlock)) return false;
  return std::memcmp(h + 257, "ustar", 5) == 0 || checksum_ok(h);
}

OuterTar::OuterTar(const std::string& path) : path_(path) {
  OwnedFd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) throw InputError(path, "not a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  uint64_t off = 0;
  std::string long_name, long_link, pax_size;
  bool have_long_name = false, have_long_link = false;
  unsigned char h[kBlock];
  for (;;) {
    if (off + kBlock > file_size) {
      if (members_.empty()) throw InputError(path, "not a tar archive (too short)");
      break;  // tolerate a missing end-of-archive marker, as Go's archive/tar does
    }
    if (!read_exact(f.fd, off, h, kBlock)) throw InputError(path, "read failed");
    bool zero = true;
    for (unsigned char c : h) if (c) { zero = false; break; }
    if (zero) break;
    if (!checksum_ok(h)) {
      if (members_.empty() && off == 0) throw InputError(path, "not a tar archive (bad header checksum)");
      throw InputError(path, "corrupt tar header at offset " + std::to_string(off));
    }
    uint64_t size = 0;
    if (!parse_number(h + 124, 12, size)) throw InputError(path, "corrupt tar size field at offset " + std::to_string(off));
    char type = static_cast<char>(h[156]);
    if (!pax_size.empty() && type != 'x' && type != 'L' && type != 'K') {
      // A pax size record (members over 8 GiB) overrides the header's field.
      size = 0;
      for (char c : pax_size) {
        if (c < '0' || c > '9' || size > (UINT64_MAX - 9) / 10) throw InputError(path, "malformed pax size");
        size = size * 10 + static_cast<uint64_t>(c - '0');
      }
      pax_size.clear();
    }
    uint64_t data = off + kBlock;
    if (data + size > file_size || data + size < data)
      throw InputError(path, "truncated tar archive (member at offset " + std::to_string(off) + " runs past the end)");
    uint64_t next = data + ((size + kBlock - 1) / kBlock) * kBlock;

    if (type == 'x' || type == 'L' || type == 'K') {
      if (size > kMaxExtHeader) throw InputError(path, "tar extended header too large");
      std::string ext(static_cast<size_t>(size), '\0');
      if (!read_exact(f.fd, data, ext.data(), ext.size())) throw InputError(path, "read failed");
      if (type == 'x') {
        std::string p, l;
        parse_pax(ext, p, l, pax_size, path);
        if (!p.empty()) { long_name = p; have_long_name = true; }
        if (!l.empty()) { long_link = l; have_long_link = true; }
      } else {
        std::string v = ext.substr(0, ext.find('\0'));
        if (type == 'L') { long_name = v; have_long_name = true; }
        else { long_link = v; have_long_link = true; }
      }
      off = next;
      continue;
    }
    if (type == 'g') { off = next; continue; }

    std::string name = field(h, 100);
    if (std::memcmp(h + 257, "ustar", 5) == 0) {
      std::string prefix = field(h + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    if (have_long_name) name = long_name;
    std::string link = have_long_link ? long_link : field(h + 157, 100);
    have_long_name = have_long_link = false;

    TarMember m;
    m.type = type == 0 ? '0' : type;
    m.offset = data;
    m.size = size;
    m.link = link;
    std::string norm;
    if (normalize_path(name, norm) && !norm.empty()) members_[norm] = m;
    if (members_.size() > kMaxMembers) throw InputError(path, "too many members in archive");
    off = next;
  }
}

const TarMember* OuterTar::find(const std::string& name, int depth) const {
  if (depth > 16) return nullptr;
  std::string norm;
  if (!normalize_path(name, norm)) return nullptr;
  auto it = members_.find(norm);
  if (it == members_.end()) return nullptr;
  const TarMember& m = it->second;
  if (m.type == '1') return find(m.link, depth + 1);
  if (m.type == '2') {
    std::string dir = parent_path(norm);
    std::string target = m.link.starts_with("/") ? m.link : (dir.empty() ? m.link : dir + "/" + m.link);
    return find(target, depth + 1);
  }
  return &m;
}

bool OuterTar::has(const std::string& name) const { return find(name, 0) != nullptr; }

BlobRef OuterTar::blob(const std::string& name) const {
  const TarMember* m = find(name, 0);
  if (!m) throw InputError(path_ + ":" + name, "missing from the archive");
  if (m->type != '0' && m->type != '7') throw InputError(path_ + ":" + name, "not a regular file in the archive");
  return BlobRef{path_ + ":" + name, path_, m->offset, m->size};
}

std::vector<std::string> OuterTar::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : members_) out.push_back(k);
  return out;
}

}  // namespace imagelint
