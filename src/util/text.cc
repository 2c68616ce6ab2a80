#include "util/text.h"

#include <ctime>

#include <fmt/format.h>

namespace imagelint {

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm {};
  if (!gmtime_r(&tt, &tm)) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string escape_bytes(const std::string& s, bool binary) {
  std::string out;
  for (unsigned char c : s) {
    bool plain = binary ? (c > 0x20 && c < 0x7f && c != '\\') : (c >= 0x20 && c != 0x7f && c != '\\');
    if (plain) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

}  // namespace imagelint
