#include "util/text.h"

#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "util/error.h"

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

std::string read_small_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path, "cannot read " + what);
  std::string s;
  char buf[65536];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {  // stops at the cap: /dev/zero is refused, not read
    s.append(buf, static_cast<size_t>(f.gcount()));
    if (s.size() > max_bytes) throw InputError(path, fmt::format("{} larger than {} MiB", what, max_bytes >> 20));
  }
  if (f.bad()) throw InputError(path, "cannot read " + what);
  return s;
}

}  // namespace imagelint
