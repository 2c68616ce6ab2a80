#include "util/text.h"

#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "util/error.h"
#include "util/utf8.h"

namespace imagelint {

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

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

size_t invisible_sequence(const unsigned char* p, size_t n) {
  if (n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return 2;  // C1 controls (U+009B is CSI)
  if (n >= 3 && p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
    return 3;  // bidi embeddings, overrides and isolates: text that reads otherwise than it is
  return 0;
}

std::string escape_bytes(const std::string& s, bool binary) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto hex = [&](unsigned char c) { out += fmt::format("\\x{:02x}", c); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = p[i];
    if (binary) {
      if (c > 0x20 && c < 0x7f && c != '\\') out += static_cast<char>(c);
      else hex(c);
      ++i;
      continue;
    }
    if (size_t hidden = invisible_sequence(p + i, s.size() - i)) {
      for (size_t k = 0; k < hidden; ++k) hex(p[i + k]);
      i += hidden;
      continue;
    }
    size_t n = utf8_sequence_length(s, i);
    if (n == 0 || c < 0x20 || c == 0x7f) {  // a control byte, or a byte of no valid UTF-8 sequence
      hex(c);
      ++i;
      continue;
    }
    out.append(s, i, n);  // printable UTF-8, a backslash included: byte for byte
    i += n;
  }
  return out;
}

std::string shorten(const std::string& s, size_t max_chars) {
  // Walk to where character max_chars begins; a stray continuation byte joins the one before.
  if (max_chars == 0) return s;
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (i == 0 || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      if (++chars == max_chars) {
        size_t next = i + 1;
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
        return next >= s.size() ? s : s.substr(0, i) + "…";
      }
  return s;
}

std::string escape_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t nl = text.find('\n', i);
    if (nl == std::string::npos) nl = text.size();
    out += escape_bytes(text.substr(i, nl - i), false);
    if (nl < text.size()) out += '\n';
    i = nl + 1;
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
