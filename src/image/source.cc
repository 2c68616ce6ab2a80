#include "image/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "image/tar_split.h"
#include "util/error.h"

namespace imagelint {
namespace {

class RegionSource : public ByteSource {
 public:
  explicit RegionSource(const BlobRef& blob) : blob_(blob) {
    fd_ = ::open(blob.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InputError(blob.display, std::string("cannot open: ") + std::strerror(errno));
    pos_ = blob.offset;
    end_ = blob.offset + blob.length;
  }
  ~RegionSource() override { ::close(fd_); }

  size_t read(char* buf, size_t n) override {
    if (pos_ >= end_) return 0;
    if (n > end_ - pos_) n = static_cast<size_t>(end_ - pos_);
    for (;;) {
      ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(pos_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw InputError(blob_.display, std::string("read failed: ") + std::strerror(errno));
      if (got == 0) throw InputError(blob_.display, "file ends before the blob does (truncated)");
      pos_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
  }

 private:
  BlobRef blob_;
  int fd_ = -1;
  uint64_t pos_ = 0, end_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_blob(const BlobRef& blob) {
  if (!blob.tree.empty()) return open_tar_split(blob);
  return std::make_unique<RegionSource>(blob);
}

std::string read_blob(const BlobRef& blob, uint64_t cap) {
  if (blob.length > cap)
    throw InputError(blob.display, "too large (" + std::to_string(blob.length) + " bytes, limit " +
                                       std::to_string(cap) + ")");
  std::string out(static_cast<size_t>(blob.length), '\0');
  auto src = open_blob(blob);
  size_t done = 0;
  while (done < out.size()) {
    size_t got = src->read(out.data() + done, out.size() - done);
    if (got == 0) throw InputError(blob.display, "unexpected end of file");
    done += got;
  }
  return out;
}

BlobRef file_blob(const std::string& path, const std::string& display) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw InputError(display, "missing (no such file)");
    throw InputError(display, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw InputError(display, "not a regular file");
  return BlobRef{display, path, 0, static_cast<uint64_t>(st.st_size)};
}

size_t HashingSource::read(char* buf, size_t n) {
  size_t got = in_.read(buf, n);
  sha_.update(buf, got);
  bytes_ += got;
  return got;
}

}  // namespace imagelint
