// utf8 (bootc, fatal): every path and every symlink target is valid UTF-8 (bootc's ostree backend
// refuses anything else). bootc stops at the first bad name; every one is a finding here.
#include "util/path.h"
#include "rules/kinds/common.h"
#include "util/utf8.h"

namespace imagelint {
namespace {

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
