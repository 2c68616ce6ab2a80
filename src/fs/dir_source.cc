// dir: transport — an unpacked root filesystem, read in place without following symlinks.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "fs/build.h"
#include "util/path.h"
#include "util/error.h"
#include "util/fd.h"

namespace imagelint {
namespace {

constexpr size_t kMaxDepth = 256;

std::string errno_text() { return std::strerror(errno); }

std::vector<std::pair<std::string, std::string>> read_xattrs(const std::string& file) {
  std::vector<std::pair<std::string, std::string>> out;
  ssize_t n = ::llistxattr(file.c_str(), nullptr, 0);
  if (n <= 0) return out;
  std::string names(static_cast<size_t>(n), '\0');
  n = ::llistxattr(file.c_str(), names.data(), names.size());
  if (n <= 0) return out;
  names.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < names.size();) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    if (name.empty()) continue;
    ssize_t vl = ::lgetxattr(file.c_str(), name.c_str(), nullptr, 0);
    if (vl < 0) continue;
    std::string v(static_cast<size_t>(vl), '\0');
    vl = ::lgetxattr(file.c_str(), name.c_str(), v.data(), v.size());
    if (vl < 0) continue;
    v.resize(static_cast<size_t>(vl));
    out.emplace_back(name, v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Streams a regular file, refusing to follow a symlink swapped in under us.
template <typename Fn>
void stream_file(const std::string& file, Fn&& fn) {
  // O_NONBLOCK: a fifo swapped in after lstat() must not block the open (it is refused below).
  OwnedFd f{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) throw InputError(file, "cannot open: " + errno_text());
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) throw InputError(file, "changed while being read: not a regular file");
  std::vector<char> buf(256 * 1024);
  for (;;) {
    ssize_t got = ::read(f.fd, buf.data(), buf.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(file, "read failed: " + errno_text());
    if (got == 0) break;
    fn(buf.data(), static_cast<size_t>(got));
  }
}

void walk(const std::string& root, const std::string& rel, size_t depth, FileSystem& fs, CaptureSet* captures) {
  if (depth > kMaxDepth) throw InputError(root + "/" + rel, "directory tree nested too deeply");
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw InputError(dir, "cannot read directory: " + errno_text());
  std::vector<std::string> names;
  while (struct dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string child = join_path(rel, n);
    std::string file = root + "/" + child;
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) throw InputError(file, "cannot stat: " + errno_text());
    Entry e;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtim.tv_sec;
    e.set_xattrs(read_xattrs(file));
    e.layer = -1;
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR: e.type = EntryType::Dir; break;
      case S_IFLNK: {
        e.type = EntryType::Symlink;
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t n2 = ::readlink(file.c_str(), target.data(), target.size());
        if (n2 < 0) throw InputError(file, "cannot read link: " + errno_text());
        target.resize(static_cast<size_t>(n2));
        e.link = target;
        break;
      }
      case S_IFCHR: e.type = EntryType::Char; break;
      case S_IFBLK: e.type = EntryType::Block; break;
      case S_IFIFO: e.type = EntryType::Fifo; break;
      case S_IFSOCK: e.type = EntryType::Socket; break;
      default: e.type = EntryType::File; break;
    }
    if (e.type == EntryType::Char || e.type == EntryType::Block) {
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
    }
    if (e.type == EntryType::File) {
      e.size = static_cast<uint64_t>(st.st_size);
      auto sinks = captures ? captures->open(child, e) : nullptr;
      Xxh128 h;
      stream_file(file, [&](const char* p, size_t k) {
        h.update(p, k);
        if (sinks) CaptureSet::write(*sinks, p, k);
      });
      e.hash = h.digest();
      if (captures) captures->close(child, std::move(sinks));
    }
    bool is_dir = e.type == EntryType::Dir;
    fs.insert_raw(child, std::move(e));
    if (is_dir) walk(root, child, depth + 1, fs, captures);
  }
}

}  // namespace

void walk_rootfs(const std::string& root, FileSystem& fs, CaptureSet* captures) { walk(root, "", 0, fs, captures); }

void read_rootfs_files(const std::string& root, const std::map<std::string, std::string>& names, const FileSystem& fs,
                       const CapFor& cap_for, const ContentSink& got) {
  for (auto& [name, final_path] : names) {
    const Entry* e = fs.find(final_path);
    if (!e) continue;
    std::string data;
    uint64_t cap = cap_for(final_path);
    Xxh128 hash;
    stream_file(root + "/" + name, [&](const char* p, size_t k) {
      hash.update(p, k);
      uint64_t room = cap > data.size() ? cap - data.size() : 0;
      data.append(p, static_cast<size_t>(std::min<uint64_t>(room, k)));
    });
    if (hash.digest() != e->hash) continue;  // changed since the walk: not the entry's bytes
    got(final_path, std::move(data), e->size);
  }
}

}  // namespace imagelint
