#include "image/media_types.h"

#include "util/error.h"

namespace imagelint::media {

bool is_index(const std::string& mt) { return mt == kOciIndex || mt == kDockerList; }
bool is_manifest(const std::string& mt) { return mt == kOciManifest || mt == kDockerManifest; }
bool is_config(const std::string& mt) { return mt == kOciConfig || mt == kDockerConfig; }

void check_layer(const std::string& mt, const std::string& display) {
  static const char* known[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.zstd",
      "application/vnd.docker.image.rootfs.foreign.diff.tar",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  for (const char* k : known)
    if (mt == k) return;
  if (mt.ends_with("+encrypted"))
    throw InputError(display, "encrypted layer (" + mt + "): decrypt the image first");
  throw InputError(display, "unsupported layer media type '" + mt + "'");
}

}  // namespace imagelint::media
