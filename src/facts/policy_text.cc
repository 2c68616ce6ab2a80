// The policy text as Go's encoding/json sees it, and Go's base64 check.
#include "facts/policy_internal.h"
#include "util/utf8.h"

namespace imagelint::policy_internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Input as Go sees it.

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a `\uXXXX` escape starting at s[i], or -1.
int u4(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = hex_value(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}


// Inside strings, rewrites what Go's decoder turns into U+FFFD (invalid UTF-8 bytes, one each;
// lone surrogate escapes) so that nlohmann, which refuses both, accepts the same files. Returns
// nullopt when nothing needs rewriting (the common case: no copy). Outside strings nothing is
// touched: there such bytes are syntax errors for both.
}  // namespace

std::optional<std::string> go_compatible_text(std::string_view in) {
  std::string out;
  bool changed = false;
  size_t copied = 0;
  auto replace = [&](size_t at, size_t len, std::string_view with) {
    if (!changed) out.reserve(in.size() + 64), changed = true;
    out.append(in.substr(copied, at - copied));
    out.append(with);
    copied = at + len;
  };
  bool in_string = false;
  for (size_t i = 0; i < in.size();) {
    char c = in[i];
    if (!in_string) {
      in_string = c == '"';
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = false;
      ++i;
    } else if (c == '\\') {
      int cu = u4(in, i);
      if (cu >= 0xD800 && cu <= 0xDBFF) {
        int next = u4(in, i + 6);
        if (next >= 0xDC00 && next <= 0xDFFF) {
          i += 12;
        } else {
          replace(i, 6, "\\ufffd");
          i += 6;
        }
      } else if (cu >= 0xDC00 && cu <= 0xDFFF) {
        replace(i, 6, "\\ufffd");
        i += 6;
      } else {
        i += i + 1 < in.size() ? 2 : 1;  // any other escape: its validity is the parser's business
      }
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      size_t n = utf8_sequence_length(in, i);
      if (n == 0) {
        replace(i, 1, "\xEF\xBF\xBD");
        n = 1;
      }
      i += n;
    } else {
      ++i;
    }
  }
  if (!changed) return std::nullopt;
  out.append(in.substr(copied));
  return out;
}

// Go's base64.StdEncoding, as encoding/json decodes a []byte: padded, standard alphabet, \r and
// \n ignored anywhere, bits after the last full byte not checked.
bool is_std_base64(std::string_view s) {
  size_t m = 0;
  for (char c : s) m += c != '\r' && c != '\n';
  if (m % 4 != 0) return false;
  size_t pos = 0;
  bool padding = false;
  for (char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      if (pos + 2 < m) return false;  // only the last two characters may be padding
      padding = true;
    } else {
      if (padding) return false;
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
      if (!ok) return false;
    }
    ++pos;
  }
  return true;
}

}  // namespace imagelint::policy_internal
