// containers/storage layers read as the tar stream they were stored from (see tar_split.cc).
#pragma once
#include <memory>

#include "image/source.h"

namespace imagelint {

// blob.path is the layer's <id>.tar-split.gz, blob.tree its directory (overlay: overlay/<id>/diff;
// vfs: vfs/dir/<id>). Throws InputError naming the file on anything that does not add up.
std::unique_ptr<ByteSource> open_tar_split(const BlobRef& blob);

}  // namespace imagelint
