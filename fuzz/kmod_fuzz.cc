// Kernel modules (facts/kmod.h): ModinfoReader streams a module's bytes (plain ELF32/64 either
// endianness, or gzip/zstd/xz by magic), finds .modinfo through the section headers and parses
// it; the signature marker at the end. The input is the module file. Chunk sizes vary with the
// input (deterministically) because the reader is a streaming state machine. parse_modinfo is
// also fed the raw input as a .modinfo section body.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>

#include "facts/kmod.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  {
    imagelint::ModinfoReader r("usr/lib/modules/6.12.0-55.el10.x86_64/extra/m.ko.xz");
    uint32_t x = static_cast<uint32_t>(size) * 2654435761u + 1;  // xorshift, seeded by the size
    for (size_t i = 0; i < size;) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      size_t k = std::min<size_t>(size - i, 1 + x % 8192);
      r.data(p + i, k);
      i += k;
    }
    r.end();
    (void)r.info();
  }
  imagelint::ModuleInfo info;
  imagelint::parse_modinfo(std::string(p, size), info);
  return 0;
}
