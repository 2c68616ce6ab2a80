#pragma once

namespace imagelint {
// From project(VERSION) in CMakeLists.txt: one place for every report and --version.
inline constexpr const char* kVersion = IMAGELINT_VERSION;
}  // namespace imagelint
