// containers-storage: images in podman's local store, read in place (see storage.cc).
#pragma once
#include "image/image.h"

namespace imagelint {

// ref.path: the graphroot ("" for the defaults of containers-storage.conf(5)); ref.runroot,
// ref.driver (overlay or vfs; "" to use what the store has); ref.tag: NAME[:TAG] or an image ID
// (or a unique start of one). Throws InputError naming the store's file on anything that does not
// add up (missing store, half-written JSON, a layer not in the store, digests that differ).
// env: the variables that find the default store (HOME, XDG_*, CONTAINERS_STORAGE_CONF).
Image load_containers_storage(const Reference& ref, const Platform& want, const Environment& env);

}  // namespace imagelint
