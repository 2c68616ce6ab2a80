// baseimage-composefs (bootc, warning): ostree's prepare-root.conf (the first of params.paths that
// exists) turns composefs on: one of params.enabled_by ("group.key": accepted values) is set to an
// accepted value. The file is a GLib key file; one that does not parse is a finding (bootc stops
// the whole lint run). Also checked in the documented base root (params.roots) when present.
#include "facts/documents.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

constexpr uint64_t kMaxPrepareRootBytes = 1u << 20;

class BaseimageComposefs : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "paths").empty()) throw UsageError("rule " + rule.id + ": needs params.paths");
    param_strings(rule, "roots");
    auto it = rule.params.find("enabled_by");
    if (it == rule.params.end() || !it->is_object() || it->empty())
      throw UsageError("rule " + rule.id + ": needs params.enabled_by ({\"group.key\": [accepted values]})");
    for (auto& [k, v] : it->items()) {
      if (!v.is_array()) throw UsageError("rule " + rule.id + ": params.enabled_by." + k + " must be a list of strings");
      for (auto& x : v)
        if (!x.is_string()) throw UsageError("rule " + rule.id + ": params.enabled_by." + k + " must be a list of strings");
    }
  }
  void declare(const RuleSpec& rule, CaptureRequests& captures) const override {
    for (const std::string& r : roots_of(rule))
      for (const std::string& p : param_strings(rule, "paths")) captures.want_path(r + p, kMaxPrepareRootBytes);
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (const std::string& root : roots_of(rule)) {
      if (!root.empty()) {
        const Entry* e = ctx.fs.find(root.substr(0, root.size() - 1));
        if (!e || e->type != EntryType::Dir) continue;
      }
      check_root(rule, ctx, root, out);
    }
  }

 private:
  static std::vector<std::string> roots_of(const RuleSpec& rule) {
    std::vector<std::string> roots = {""};
    for (const std::string& r : param_strings(rule, "roots")) roots.push_back(r + "/");
    return roots;
  }
  static void check_root(const RuleSpec& rule, const Context& ctx, const std::string& root, std::vector<Finding>& out) {
    auto paths = param_strings(rule, "paths");
    for (const std::string& rel : paths) {
      std::string p = root + rel;
      const Captured* c = ctx.captures.get(p);
      if (!c) {
        std::string problem = ctx.captures.problem(p);
        if (!problem.empty()) {
          out.push_back(make_finding(rule, p, p + " cannot be read: " + problem));
          return;
        }
        if (const Entry* e = ctx.fs.find(p)) {
          out.push_back(make_finding(rule, p, p + " is a " + type_name(e->type) + ", not a configuration file"));
          return;
        }
        continue;
      }
      if (c->truncated) {
        out.push_back(make_finding(rule, p, p + " is larger than " + std::to_string(kMaxPrepareRootBytes >> 20) + " MiB"));
        return;
      }
      KeyFile conf = parse_key_file(c->data);
      if (!conf.error.empty()) {
        out.push_back(make_finding(rule, p, p + " does not parse: " + conf.error));
        return;
      }
      const std::map<std::string, std::string>& kv = conf.values;
      std::string seen;
      for (auto& [key, values] : rule.params["enabled_by"].items()) {
        auto it = kv.find(key);
        if (it == kv.end()) continue;
        for (auto& v : values)
          if (v.get<std::string>() == it->second) return;  // enabled
        seen += (seen.empty() ? "" : ", ") + key + " = " + it->second;
      }
      out.push_back(make_finding(rule, p, p + " does not enable composefs" + (seen.empty() ? "" : " (" + seen + ")")));
      return;
    }
    std::string where = root + paths.back();
    out.push_back(make_finding(rule, where, "no prepare-root.conf (" + root + paths.front() + " or " + where + ") to enable composefs"));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_baseimage_composefs() { return std::make_unique<BaseimageComposefs>(); }

}  // namespace imagelint
