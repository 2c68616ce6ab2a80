// Image archives (image/outer_tar.cc, image/docker_archive.cc, image/oci.cc): OuterTar's own tar
// index (checksums, base-256 and octal numbers, GNU long names, pax path/linkpath/size records,
// symlink and hardlink members followed inside the archive), built once, then docker-archive's
// manifest.json and config and oci-archive's index/manifest/config, read in place. The input is
// the archive; OuterTar opens a path, so it sits in a memfd (fuzz/memfile.h): no disk file.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "image/layout_files.h"
#include "image/outer_tar.h"
#include "memfile.h"
#include "util/error.h"

using namespace imagelint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = imagelint_fuzz::mem_file(data, size);
  std::unique_ptr<OuterTar> tar;
  try {
    tar = std::make_unique<OuterTar>(path);
    for (const std::string& name : tar->names()) (void)tar->has(name);
  } catch (const InputError&) {
    return 0;
  }
  const Platform want{"linux", "amd64", ""};
  struct Try {
    Transport transport;
    const char* tag;
    int index;
  };
  for (Try t : {Try{Transport::DockerArchive, "", -1}, Try{Transport::DockerArchive, "example.com/fixture:latest", -1},
                Try{Transport::DockerArchive, "", 0}, Try{Transport::OciArchive, "", -1},
                Try{Transport::OciArchive, "latest", -1}}) {
    Reference ref;
    ref.transport = t.transport;
    ref.path = path;
    ref.tag = t.tag;
    ref.index = t.index;
    try {
      if (t.transport == Transport::DockerArchive) {
        (void)load_docker_archive(ref, *tar, want);
      } else {
        auto files = tar_files(*tar);
        (void)load_oci(ref, *files, path, want);
      }
    } catch (const InputError&) {
    }
  }
  return 0;
}
