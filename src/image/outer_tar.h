// Index of an uncompressed tar archive (oci-archive, docker-archive) so that blobs inside it are
// read in place, as regions of the archive file: nothing is extracted.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image/source.h"

namespace imagelint {

struct TarMember {
  char type = '0';  // '0' file, '5' dir, '2' symlink, '1' hardlink
  uint64_t offset = 0;  // of the data
  uint64_t size = 0;
  std::string link;
};

class OuterTar {
 public:
  // Throws InputError naming the archive if it is not a readable tar.
  explicit OuterTar(const std::string& path);
  const std::string& path() const { return path_; }
  bool has(const std::string& name) const;
  // A regular member (symlinks and hardlinks followed inside the archive); throws if missing.
  BlobRef blob(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  const TarMember* find(const std::string& name, int depth) const;
  std::string path_;
  std::map<std::string, TarMember> members_;
};

// True when the first block of the file looks like a tar header (ustar magic or a valid checksum).
bool looks_like_tar(const std::string& path);

}  // namespace imagelint
