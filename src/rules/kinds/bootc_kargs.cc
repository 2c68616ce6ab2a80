// bootc-kargs (bootc, fatal): every *.toml in usr/lib/bootc/kargs.d parses as bootc reads it: a
// TOML document with `kargs`, a list of strings, and optionally `match-architectures`, a list of
// strings; any other key or type is an error. Unlike bootc, which aborts the whole lint run on the
// first file that does not parse, each bad file is a finding and the others are still read; an
// architecture name bootc can never match (params.architectures) is a finding too.
//
// The reader covers the part of TOML that such a file can use: comments, bare and quoted keys,
// arrays of basic or literal strings over several lines. Valid TOML beyond that (tables, dotted
// keys, other value types) cannot satisfy bootc's schema and is reported as such; multi-line
// strings are reported as unsupported.
#include <map>
#include <optional>

#include "fs/path.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

constexpr uint64_t kCap = 1u << 20;

struct KargsFile {
  std::map<std::string, std::vector<std::string>> keys;
};

class TomlReader {
 public:
  explicit TomlReader(const std::string& s) : s_(s) {}

  // Returns an error message, or nullopt when the document parsed.
  std::optional<std::string> parse(KargsFile& out) {
    try {
      while (true) {
        skip_ws_comments_newlines();
        if (eof()) return std::nullopt;
        if (peek() == '[') fail("a table header: only the top-level keys kargs and match-architectures are allowed");
        std::string key = read_key();
        skip_ws();
        if (!eof() && peek() == '.') fail("dotted key '" + key + "': only kargs and match-architectures are allowed");
        expect('=');
        skip_ws();
        if (out.keys.count(key)) fail("duplicate key '" + key + "'");
        if (key != "kargs" && key != "match-architectures") fail("unknown key '" + key + "'");
        out.keys[key] = read_string_array(key);
        skip_ws();
        if (!eof() && peek() == '#') skip_comment();
        if (!eof() && !at_newline()) fail("unexpected text after the value of '" + key + "'");
      }
    } catch (const std::string& why) {
      return "line " + std::to_string(line_) + ": " + why;
    }
  }

 private:
  bool eof() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  [[noreturn]] void fail(const std::string& why) { throw why; }
  bool at_newline() const { return peek() == '\n' || (peek() == '\r' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n'); }
  void newline() {
    i_ += peek() == '\r' ? 2 : 1;
    ++line_;
  }
  void skip_ws() {
    while (!eof() && (peek() == ' ' || peek() == '\t')) ++i_;
  }
  void skip_comment() {
    while (!eof() && !at_newline()) {
      unsigned char c = static_cast<unsigned char>(peek());
      if ((c < 0x20 && c != '\t') || c == 0x7F) fail("control character in a comment");
      ++i_;
    }
  }
  void skip_ws_comments_newlines() {
    while (!eof()) {
      skip_ws();
      if (eof()) return;
      if (peek() == '#') skip_comment();
      else if (at_newline()) newline();
      else return;
    }
  }
  void expect(char c) {
    if (eof() || peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string read_key() {
    if (peek() == '"' || peek() == '\'') return read_string();
    std::string k;
    while (!eof() && (isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '-')) k += s_[i_++];
    if (k.empty()) fail("expected a key");
    return k;
  }
  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
          out += static_cast<char>(0x80 | (cp & 0x3F));
    else
      out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  std::string read_string() {
    char q = peek();
    if (s_.compare(i_, 3, std::string(3, q)) == 0) fail("multi-line strings are not supported in kargs.d files");
    ++i_;
    std::string v;
    while (true) {
      if (eof() || at_newline()) fail("unterminated string");
      char c = s_[i_++];
      if (c == q) return v;
      unsigned char u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) fail("control character in a string");
      if (q == '\'' || c != '\\') {
        v += c;
        continue;
      }
      if (eof()) fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case 'b': v += '\b'; break;
        case 't': v += '\t'; break;
        case 'n': v += '\n'; break;
        case 'f': v += '\f'; break;
        case 'r': v += '\r'; break;
        case '"': v += '"'; break;
        case '\\': v += '\\'; break;
        case 'u':
        case 'U': {
          size_t n = e == 'u' ? 4 : 8;
          if (i_ + n > s_.size()) fail("bad unicode escape");
          uint32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            char h = s_[i_++];
            if (!isxdigit(static_cast<unsigned char>(h))) fail("bad unicode escape");
            cp = cp * 16 + static_cast<uint32_t>(isdigit(static_cast<unsigned char>(h)) ? h - '0' : (tolower(h) - 'a' + 10));
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("bad unicode escape");
          append_utf8(v, cp);
          break;
        }
        default: fail(std::string("bad escape \\") + e);
      }
    }
  }
  std::vector<std::string> read_string_array(const std::string& key) {
    if (eof() || peek() != '[') fail("'" + key + "' must be a list of strings");
    ++i_;
    std::vector<std::string> v;
    while (true) {
      skip_ws_comments_newlines();
      if (eof()) fail("unterminated list");
      if (peek() == ']') break;
      if (peek() != '"' && peek() != '\'') fail("'" + key + "' must be a list of strings");
      v.push_back(read_string());
      skip_ws_comments_newlines();
      if (eof()) fail("unterminated list");
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != ']') fail("expected ',' or ']' in the list '" + key + "'");
    }
    ++i_;
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
  int line_ = 1;
};

bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

class BootcKargs : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
    param_strings(rule, "architectures");
  }
  void declare(const RuleSpec& rule, CaptureSet& captures) const override {
    captures.want_pattern(RE2::QuoteMeta(dir_of(rule)) + "/[^/]+\\.toml", kCap);
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::string dir = dir_of(rule);
    const Entry* d = ctx.fs.find(dir);
    if (!d) return;  // no kargs.d: nothing to check, as bootc
    if (d->type != EntryType::Dir) {
      out.push_back(make_finding(rule, dir, dir + " is a " + type_name(d->type) + ", not a directory"));
      return;
    }
    auto arches = param_strings(rule, "architectures");
    std::string prefix = dir + "/";
    for (auto it = ctx.fs.entries().lower_bound(prefix); it != ctx.fs.entries().end() && it->first.starts_with(prefix); ++it) {
      const std::string& p = it->first;
      if (parent_path(p) != dir || !p.ends_with(".toml")) continue;
      const Captured* c = ctx.captures.get(p);
      if (!c) {
        out.push_back(make_finding(rule, p, p + " is a " + type_name(it->second.type) + ", not a file bootc can read"));
        continue;
      }
      if (c->truncated) {
        out.push_back(make_finding(rule, p, p + " is larger than " + std::to_string(kCap >> 20) + " MiB"));
        continue;
      }
      if (!valid_utf8(c->data)) {
        out.push_back(make_finding(rule, p, p + " does not parse: not UTF-8"));
        continue;
      }
      KargsFile f;
      if (auto why = TomlReader(c->data).parse(f)) {
        out.push_back(make_finding(rule, p, p + " does not parse: " + *why));
        continue;
      }
      if (!f.keys.count("kargs")) {
        out.push_back(make_finding(rule, p, p + " does not parse: missing key 'kargs'"));
        continue;
      }
      auto m = f.keys.find("match-architectures");
      if (m != f.keys.end() && !arches.empty())
        for (const std::string& a : m->second)
          if (std::find(arches.begin(), arches.end(), a) == arches.end())
            out.push_back(make_finding(rule, p, p + ": match-architectures names '" + a +
                                                    "', which bootc never matches (it uses names such as x86_64 and aarch64)"));
    }
  }

 private:
  static std::string dir_of(const RuleSpec& rule) { return rule.params["dir"].get<std::string>(); }
};

}  // namespace

std::unique_ptr<RuleKind> make_bootc_kargs() { return std::make_unique<BootcKargs>(); }

}  // namespace imagelint
