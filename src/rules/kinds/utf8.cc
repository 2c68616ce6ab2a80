// utf8 (bootc, fatal): every path and every symlink target is valid UTF-8 (bootc's ostree backend
// refuses anything else). bootc stops at the first bad name; every one is a finding here.
#include "fs/path.h"
#include "rules/kinds/common.h"

namespace imagelint {
namespace {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

// The name with its bad bytes shown as \xNN, so that the message itself is valid UTF-8.
std::string escaped(const std::string& s) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') out += static_cast<char>(c);
    else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class Utf8 : public RuleKind {
 public:
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (auto& [path, e] : ctx.fs.entries()) {
      if (!valid_utf8(path)) {
        // Below a bad directory name only the directory is reported.
        if (valid_utf8(parent_path(path)))
          out.push_back(make_finding(rule, escaped(path), "non-UTF-8 file name: " + escaped(path)));
        continue;
      }
      if (e.type == EntryType::Symlink && !valid_utf8(e.link))
        out.push_back(make_finding(rule, path, path + " is a symlink whose target is not UTF-8: " + escaped(e.link)));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_utf8() { return std::make_unique<Utf8>(); }

}  // namespace imagelint
