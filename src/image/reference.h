// Image references, in the words of containers-transports(5).
#pragma once
#include <string>

namespace imagelint {

enum class Transport { Oci, OciArchive, DockerArchive, Dir, ContainersStorage };
const char* transport_name(Transport t);

struct Reference {
  Transport transport = Transport::Oci;
  std::string path;     // containers-storage: the graphroot, "" for the configured one
  std::string tag;      // oci: ref.name; docker-archive: NAME:TAG; containers-storage: NAME[:TAG] or ID
  std::string driver, runroot;  // containers-storage: [DRIVER@GRAPHROOT+RUNROOT]
  int index = -1;       // docker-archive @N
  std::string original;
};

// Parses "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:NAME:TAG|@N]",
// "dir:ROOTFS", "containers-storage:[[DRIVER@]GRAPHROOT[+RUNROOT][:OPTIONS]]NAME[:TAG]|ID" or a bare
// path (detected from what is there). Throws InputError/UsageError.
Reference parse_reference(const std::string& text);

}  // namespace imagelint
