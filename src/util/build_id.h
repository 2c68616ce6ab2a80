// What identifies this executable's code, for caches that must never hand one build another's
// results: the GNU build id the linker put into it, else the xxh3 of its own bytes.
#pragma once
#include <string>

namespace imagelint {

std::string build_identity();  // "build-id:…" or "exe:…"; computed once

}  // namespace imagelint
