// Layer tar streams applied to one filesystem (fs/layer_reader.h, fs/build.h, fs/filesystem.h):
// decompression by magic (gzip/zstd/xz/none), libarchive's tar reading, path normalisation,
// symlink placement, hardlinks, .wh. whiteouts and .wh..wh..opq opaque markers across layers,
// captures (by path through symlinks, by pattern) and the second read they may need.
// The input is up to 8 layer blobs separated by kSep. build_filesystem only reads blobs from a
// path (BlobRef), so the input sits in a memfd (fuzz/memfile.h): no disk file is written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fs/build.h"
#include "fs/capture.h"
#include "memfile.h"
#include "util/error.h"

using namespace imagelint;

static constexpr std::string_view kSep = "--imagelint-fuzz-layer--";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Image img;
  img.ref.path = "fuzz";
  const std::string& path = imagelint_fuzz::mem_file(data, size);
  for (size_t pos = 0; img.layers.size() < 8;) {
    size_t end = in.find(kSep, pos);
    if (end == std::string_view::npos) end = size;
    LayerInfo li;
    li.index = static_cast<int>(img.layers.size());
    li.blob = BlobRef{"layer" + std::to_string(li.index), path, pos, end - pos};
    li.size = end - pos;
    img.layers.push_back(std::move(li));
    if (end == size) break;
    pos = end + kSep.size();
  }
  CaptureSet captures;
  captures.want_path("etc/passwd", 4096);
  captures.want_path("etc/os-release", 64);
  captures.want_pattern("usr/lib/sysusers\\.d/[^/]*\\.conf", 256);
  captures.set_budget(1 << 20);
  try {
    BuildResult r = build_filesystem(img, &captures);
    size_t n = 0;
    for (const auto& [p, e] : r.fs.entries()) {
      if (++n > 64) break;
      (void)r.fs.resolve(p, true);
      (void)r.fs.resolve(p + "/x/../y", false, true);
    }
  } catch (const InputError&) {
  }
  return 0;
}
