// Image references, in the words of containers-transports(5).
#pragma once
#include <string>

namespace imagelint {

enum class Transport { Oci, OciArchive, DockerArchive, Dir };
const char* transport_name(Transport t);

struct Reference {
  Transport transport = Transport::Oci;
  std::string path;
  std::string tag;      // oci: ref.name; docker-archive: NAME:TAG
  int index = -1;       // docker-archive @N
  std::string original;
};

// Parses "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:NAME:TAG|@N]",
// "dir:ROOTFS" or a bare path (detected from what is there). Throws InputError/UsageError.
Reference parse_reference(const std::string& text);

}  // namespace imagelint
