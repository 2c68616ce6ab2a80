// Internal to the drift normalisers: one function per normaliser (normalise.cc names them) and
// the helpers they share. A normaliser function may throw InputError (reason only, no file) for
// input it cannot read; the registry turns that into Substance{ok = false}.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "drift/normalise.h"

namespace imagelint::drift {

// Decompressed bytes a normaliser reads at most from one file, whatever the compression ratio.
inline constexpr uint64_t kMaxDecompressed = 8ull << 30;

[[noreturn]] void unreadable(const std::string& why);  // throws InputError("", why)
// Adds n to *total and throws once it passes limit ("… decompresses to more than <what>").
void count_decompressed(uint64_t* total, size_t n, uint64_t limit = kMaxDecompressed,
                        const char* what = "8 GiB");

Substance normalise_gzip(std::string_view bytes);
Substance normalise_initramfs(std::string_view bytes);
Substance normalise_kmod(std::string_view bytes);
Substance normalise_pyc(std::string_view bytes);
Substance normalise_rpmdb(std::string_view bytes);
Substance normalise_shadow(std::string_view bytes);

}  // namespace imagelint::drift
