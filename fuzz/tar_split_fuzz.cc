// containers-storage layers (image/tar_split.cc): the tar-split stream (gzip'd or plain JSON
// lines: base64 segments, file records with name/name_raw and size) replayed against a layer
// directory, then read by the layer reader like any layer. The tree is made once per process in
// a temp dir (removed at exit): two files, a directory, and symlinks pointing up and out
// (RESOLVE_IN_ROOT must keep every open inside it).
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fs/layer_reader.h"
#include "memfile.h"
#include "util/error.h"

using namespace imagelint;

namespace {

const std::string& tree() {
  // Never destroyed: the exit handler that removes the directory runs after static destructors.
  static const std::string* const dir = [] {
    char tmpl[] = "/tmp/imagelint-fuzz-tree-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    auto* d = new std::string(tmpl);
    ::mkdir((*d + "/usr").c_str(), 0755);
    ::mkdir((*d + "/usr/lib").c_str(), 0755);
    std::ofstream(*d + "/a") << "x";
    std::ofstream(*d + "/usr/lib/os-release") << std::string(512, 'o');
    if (::symlink("usr/lib", (*d + "/lib").c_str()) != 0 || ::symlink("/etc", (*d + "/etc").c_str()) != 0 ||
        ::symlink("../../..", (*d + "/up").c_str()) != 0)
      std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(tree(), ec);
    });
    return d;
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = imagelint_fuzz::mem_file(data, size);
  LayerInfo layer;
  layer.blob = BlobRef{"tar-split", path, 0, size, tree()};
  try {
    (void)read_layer(layer, [](const TarHeader&, EntryData& d) { d.each([](const char*, size_t) {}); });
  } catch (const InputError&) {
  }
  return 0;
}
