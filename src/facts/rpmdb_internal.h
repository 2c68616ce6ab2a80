// Internal to the rpm fact: big-endian readers shared by the header parser and the sqlite checks.
#pragma once
#include <cstdint>

namespace imagelint::rpm_internal {

inline uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

}  // namespace imagelint::rpm_internal
