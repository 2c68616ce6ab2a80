// bootc-kargs (bootc, fatal): every *.toml in usr/lib/bootc/kargs.d parses as bootc reads it: a
// TOML document with `kargs`, a list of strings, and optionally `match-architectures`, a list of
// strings; any other key or type is an error. Unlike bootc, which aborts the whole lint run on the
// first file that does not parse, each bad file is a finding and the others are still read; an
// architecture name bootc can never match (params.architectures) is a finding too.
//
// The TOML is read by toml++ (Debian's libtomlplusplus, TOML 1.0: multi-line strings, dotted keys
// and tables all parse); bootc's schema is then held against the document.
#include <map>
#include <optional>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/path.h"
#include "rules/kinds/common.h"
#include "util/error.h"
#include "util/utf8.h"

namespace imagelint {
namespace {

constexpr uint64_t kMaxKargsBytes = 1u << 20;

const char* toml_type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "a list";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

// The keys of a kargs.d file as bootc's schema wants them (kargs, match-architectures: lists of
// strings), or an error message ("line 2, column 1: ...").
std::optional<std::string> read_kargs(const std::string& text, std::map<std::string, std::vector<std::string>>& out) {
  toml::table doc;
  try {
    doc = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return fmt::format("line {}, column {}: {}", e.source().begin.line, e.source().begin.column, e.description());
  }
  for (auto&& [k, v] : doc) {
    std::string key(k.str());
    auto at = [&] { return fmt::format("line {}: ", k.source().begin.line); };
    if (key != "kargs" && key != "match-architectures") return at() + "unknown key '" + key + "' (only kargs and match-architectures)";
    const toml::array* a = v.as_array();
    if (!a) return at() + "'" + key + "' must be a list of strings, not " + toml_type_name(v.type());
    std::vector<std::string> items;
    for (auto&& item : *a) {
      if (!item.is_string()) return at() + "'" + key + "' must be a list of strings, not hold " + toml_type_name(item.type());
      items.push_back(std::string(item.as_string()->get()));
    }
    out[key] = std::move(items);
  }
  return std::nullopt;
}

class BootcKargs : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
    param_strings(rule, "architectures");
  }
  void declare(const RuleSpec& rule, CaptureSet& captures) const override {
    captures.want_pattern(RE2::QuoteMeta(dir_of(rule)) + "/[^/]+\\.toml", kMaxKargsBytes);
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
        out.push_back(make_finding(rule, p, p + " is larger than " + std::to_string(kMaxKargsBytes >> 20) + " MiB"));
        continue;
      }
      if (!valid_utf8(c->data)) {
        out.push_back(make_finding(rule, p, p + " does not parse: not UTF-8"));
        continue;
      }
      std::map<std::string, std::vector<std::string>> keys;
      if (auto why = read_kargs(c->data, keys)) {
        out.push_back(make_finding(rule, p, p + " does not parse: " + *why));
        continue;
      }
      if (!keys.count("kargs")) {
        out.push_back(make_finding(rule, p, p + " does not parse: missing key 'kargs'"));
        continue;
      }
      auto m = keys.find("match-architectures");
      if (m != keys.end() && !arches.empty())
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
