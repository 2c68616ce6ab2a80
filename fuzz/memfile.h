// Shared by the fuzz targets whose code under test opens a path (BlobRef, OuterTar): the input is
// put in an anonymous in-memory file (memfd_create) and reached as /proc/self/fd/N. Nothing is
// written to the disk; one memfd per process, rewritten for each input.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace imagelint_fuzz {

// Replaces the memfd's content with [data, data+n) and returns its path.
inline const std::string& mem_file(const void* data, size_t n) {
  static const int fd = [] {
    int f = memfd_create("imagelint-fuzz", MFD_CLOEXEC);
    if (f < 0) std::abort();
    return f;
  }();
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (ftruncate(fd, 0) != 0) std::abort();
  const char* p = static_cast<const char*>(data);
  for (size_t done = 0; done < n;) {
    ssize_t w = pwrite(fd, p + done, n - done, static_cast<off_t>(done));
    if (w <= 0) std::abort();
    done += static_cast<size_t>(w);
  }
  return path;
}

}  // namespace imagelint_fuzz
