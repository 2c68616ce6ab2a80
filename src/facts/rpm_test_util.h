// Test-only: rpm headers built by hand, as rpm lays them out, for the header parser's and the
// database reader's tests.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace imagelint::rpm_test {

struct HEntry {
  uint32_t tag, type, count;
  std::string data;
};
inline void put32(std::string& b, size_t pos, uint32_t v) {
  b[pos] = static_cast<char>(v >> 24);
  b[pos + 1] = static_cast<char>(v >> 16);
  b[pos + 2] = static_cast<char>(v >> 8);
  b[pos + 3] = static_cast<char>(v);
}
inline uint32_t get32(const std::string& b, size_t pos) {
  auto u = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(b[pos + i])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}
inline std::string be32s(std::initializer_list<uint32_t> v) {
  std::string s;
  for (uint32_t x : v) {
    s.resize(s.size() + 4);
    put32(s, s.size() - 4, x);
  }
  return s;
}
inline std::string be16s(std::initializer_list<uint16_t> v) {
  std::string s;
  for (uint16_t x : v) {
    s += static_cast<char>(x >> 8);
    s += static_cast<char>(x & 0xff);
  }
  return s;
}
inline std::string strs(std::initializer_list<std::string> v) {
  std::string s;
  for (const auto& x : v) s += x + '\0';
  return s;
}

// As rpm lays a header out: region tag 63 first, its trailer at the end of the data. Without a
// region it is a legacy header, which rpm reads too.
inline std::string build_header(const std::vector<HEntry>& entries, bool region = true) {
  std::string index, data;
  auto il = static_cast<uint32_t>(entries.size() + (region ? 1 : 0));
  for (const auto& e : entries) {
    uint32_t align = e.type == 3 ? 2 : e.type == 4 ? 4 : e.type == 5 ? 8 : 1;
    while (data.size() % align) data += '\0';
    index += be32s({e.tag, e.type, static_cast<uint32_t>(data.size()), e.count});
    data += e.data;
  }
  if (!region) return be32s({il, static_cast<uint32_t>(data.size())}) + index + data;
  auto trailer_at = static_cast<uint32_t>(data.size());
  data += be32s({63, 7, static_cast<uint32_t>(-static_cast<int64_t>(il * 16)), 16});
  return be32s({il, static_cast<uint32_t>(data.size())}) + be32s({63, 7, trailer_at, 16}) + index + data;
}

inline std::vector<HEntry> tiny_entries() {
  return {{1000, 6, 1, strs({"tiny"})},
          {1001, 6, 1, strs({"1.0"})},
          {1002, 6, 1, strs({"1"})},
          {1003, 4, 1, be32s({3})},
          {1022, 6, 1, strs({"x86_64"})},
          {1030, 3, 3, be16s({040755, 0100755, 0100644})},
          {1116, 4, 3, be32s({0, 1, 2})},
          {1117, 8, 3, strs({"bin", "tool", "tool.conf"})},
          {1118, 8, 3, strs({"/usr/", "/usr/bin/", "/etc/"})}};
}
// Where index entry k (0 is the region tag) and the data start in a built header.
inline size_t entry_pos(size_t k) { return 8 + 16 * k; }

}  // namespace imagelint::rpm_test
