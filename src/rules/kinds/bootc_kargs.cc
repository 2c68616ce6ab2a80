// bootc-kargs (bootc, fatal): every *.toml in usr/lib/bootc/kargs.d parses as bootc reads it: a
// TOML document with `kargs`, a list of strings, and optionally `match-architectures`, a list of
// strings; any other key or type is an error. Unlike bootc, which aborts the whole lint run on the
// first file that does not parse, each bad file is a finding and the others are still read; an
// architecture name bootc can never match (params.architectures) is a finding too.
//
// The document is read by facts/documents.h (toml++, TOML 1.0, then bootc's schema).
#include "facts/documents.h"
#include "rules/kinds/common.h"
#include "util/error.h"
#include "util/path.h"

namespace imagelint {
namespace {

constexpr uint64_t kMaxKargsBytes = 1u << 20;

class BootcKargs : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
    param_strings(rule, "architectures");
  }
  void declare(const RuleSpec& rule, CaptureRequests& captures) const override {
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
      KargsFile k = parse_kargs_file(c->data);
      if (!k.error.empty()) {
        out.push_back(make_finding(rule, p, p + " does not parse: " + k.error));
        continue;
      }
      if (k.match_architectures && !arches.empty())
        for (const std::string& a : *k.match_architectures)
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
