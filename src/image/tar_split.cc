// A layer of containers/storage as the tar stream it was stored from: the layer's tar-split file
// (gzip'd JSON lines: type 2 holds raw tar bytes — headers, padding, end blocks — in base64;
// type 1 names a file whose content comes from the layer's directory) is replayed, each file read
// from the directory. The stream is byte for byte the one that was applied, so its sha256 is the
// layer's diff_id and the reader downstream sees tar whiteouts, exactly as from a registry.
#include "image/tar_split.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/decompress.h"
#include "util/error.h"
#include "util/path.h"

namespace imagelint {
namespace {

constexpr size_t kMaxLine = 16u << 20;  // one JSON line (a segment holds at most a few headers)

// Standard base64 with padding, as Go's encoding/json writes []byte.
bool decode_base64(const std::string& in, std::string& out) {
  if (in.size() % 4) return false;
  out.resize(in.size() / 4 * 3);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t pad = in.ends_with("==") ? 2 : in.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

class TarSplitSource : public ByteSource {
 public:
  explicit TarSplitSource(const BlobRef& blob)
      : blob_(blob), raw_(open_blob(BlobRef{blob.display, blob.path, 0, file_size(blob.path, blob.display)})),
        json_(*raw_, blob.display) {
    tree_fd_ = ::open(blob.tree.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tree_fd_ < 0) throw InputError(blob.tree, std::string("cannot open the layer directory: ") + std::strerror(errno));
  }
  ~TarSplitSource() override {
    if (file_fd_ >= 0) ::close(file_fd_);
    if (tree_fd_ >= 0) ::close(tree_fd_);
  }

  size_t read(char* buf, size_t n) override {
    for (;;) {
      if (pending_pos_ < pending_.size()) {
        size_t k = std::min(n, pending_.size() - pending_pos_);
        std::memcpy(buf, pending_.data() + pending_pos_, k);
        pending_pos_ += k;
        return k;
      }
      if (file_left_ > 0) return read_file(buf, n);
      if (!next_record()) return 0;
    }
  }

 private:
  static uint64_t file_size(const std::string& path, const std::string& display) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw InputError(display, "missing (the layer's tar-split file is how imagelint reads a stored layer)");
    return static_cast<uint64_t>(st.st_size);
  }

  bool next_line(std::string& line) {
    line.clear();
    for (;;) {
      size_t nl = buf_.find('\n', buf_pos_);
      if (nl != std::string::npos) {
        line.assign(buf_, buf_pos_, nl - buf_pos_);
        buf_pos_ = nl + 1;
        return true;
      }
      if (eof_) {
        line.assign(buf_, buf_pos_, std::string::npos);
        buf_.clear();
        buf_pos_ = 0;
        return !line.empty();
      }
      buf_.erase(0, buf_pos_);
      buf_pos_ = 0;
      if (buf_.size() > kMaxLine) throw InputError(blob_.display, "a tar-split line longer than 16 MiB");
      char chunk[64 * 1024];
      size_t got = json_.read(chunk, sizeof chunk);
      if (got == 0) eof_ = true;
      buf_.append(chunk, got);
    }
  }

  bool next_record() {
    std::string line;
    while (next_line(line)) {
      if (line.empty()) continue;
      ++records_;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) throw bad("is not a JSON object");
      auto type = j.find("type");
      if (type == j.end() || !type->is_number_integer()) throw bad("has no type");
      if (*type == 2) {
        auto p = j.find("payload");
        if (p == j.end() || !p->is_string() || !decode_base64(p->get<std::string>(), pending_)) throw bad("has a bad payload");
        pending_pos_ = 0;
        return true;
      }
      if (*type != 1) throw bad("has an unknown type");
      auto size = j.find("size");
      int64_t sz = size != j.end() && size->is_number_integer() ? size->get<int64_t>() : 0;
      if (sz < 0) throw bad("has a negative size");
      if (sz == 0) continue;  // directories, links, whiteouts, empty files: nothing to add
      std::string name;
      if (auto raw = j.find("name_raw"); raw != j.end() && raw->is_string()) {
        if (!decode_base64(raw->get<std::string>(), name)) throw bad("has a bad name_raw");
      } else if (auto nm = j.find("name"); nm != j.end() && nm->is_string()) {
        name = nm->get<std::string>();
      } else {
        throw bad("names no file");
      }
      open_file(name, static_cast<uint64_t>(sz));
      return true;
    }
    return false;
  }

  InputError bad(const std::string& what) const {
    return InputError(blob_.display, "record " + std::to_string(records_) + " " + what);
  }

  // Opens name inside the layer directory as if it were the root: symlinks in the path resolve
  // inside it (a vfs layer is a whole tree, where lib -> usr/lib holds files a tar named
  // lib/...), never out of it (openat2 RESOLVE_IN_ROOT). Without openat2 (Linux < 5.6), no
  // symlink is followed at all.
  void open_file(const std::string& name, uint64_t size) {
    std::string norm;
    if (!normalize_path(name, norm) || norm.empty()) throw bad("names '" + name + "', outside the layer");
    const std::string shown = blob_.tree + "/" + norm;
    struct open_how how {};
    how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    int fd = static_cast<int>(::syscall(SYS_openat2, tree_fd_, norm.c_str(), &how, sizeof how));
    if (fd < 0 && errno == ENOSYS) fd = open_no_symlinks(norm);
    if (fd < 0)
      throw InputError(shown, std::string("cannot open (the layer's directory no longer matches its tar-split): ") +
                                  std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != size) {
      ::close(fd);
      throw InputError(shown, "not the regular file of " + std::to_string(size) +
                                  " bytes the layer's tar-split names (changed since it was stored?)");
    }
    file_fd_ = fd;
    file_left_ = size;
    file_name_ = shown;
  }

  int open_no_symlinks(const std::string& norm) {
    int dir = ::dup(tree_fd_);
    size_t start = 0;
    for (;;) {
      size_t slash = norm.find('/', start);
      std::string comp = norm.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      int flags = slash == std::string::npos ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
                                             : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
      int fd = ::openat(dir, comp.c_str(), flags);
      int err = errno;
      ::close(dir);
      errno = err;
      if (fd < 0 || slash == std::string::npos) return fd;
      dir = fd;
      start = slash + 1;
    }
  }

  size_t read_file(char* buf, size_t n) {
    if (n > file_left_) n = static_cast<size_t>(file_left_);
    ssize_t got;
    do got = ::read(file_fd_, buf, n);
    while (got < 0 && errno == EINTR);
    if (got < 0) throw InputError(file_name_, std::string("read failed: ") + std::strerror(errno));
    if (got == 0) throw InputError(file_name_, "shorter than the layer's tar-split says (changed since it was stored?)");
    file_left_ -= static_cast<uint64_t>(got);
    if (file_left_ == 0) {
      ::close(file_fd_);
      file_fd_ = -1;
    }
    return static_cast<size_t>(got);
  }

  BlobRef blob_;
  std::unique_ptr<ByteSource> raw_;
  DecompressingSource json_;
  int tree_fd_ = -1;
  std::string buf_;
  size_t buf_pos_ = 0;
  bool eof_ = false;
  std::string pending_;
  size_t pending_pos_ = 0;
  int file_fd_ = -1;
  uint64_t file_left_ = 0;
  std::string file_name_;
  uint64_t records_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_tar_split(const BlobRef& blob) { return std::make_unique<TarSplitSource>(blob); }

}  // namespace imagelint
