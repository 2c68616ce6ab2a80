// kmod-version: an out-of-tree module's `version` matches the userspace package it pairs with
// (zfs.ko 2.2.7-1 <-> zfs 2.2.7-1.el10; nvidia.ko 570.124.06 <-> nvidia-driver 570.124.06).
// The pairs and how to compare come from the pack.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

// "1.el10" -> "1": the dist tag is everything from the first ".el", ".fc" or similar.
std::string strip_dist(const std::string& release) {
  static const RE2 dist(R"(^(.*?)\.(el|fc|module\+el|centos)\d.*$)");
  std::string base;
  return RE2::FullMatch(release, dist, &base) ? base : release;
}

class KmodVersion : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    auto it = rule.params.find("pairs");
    if (it == rule.params.end() || !it->is_array() || it->empty())
      throw UsageError("rule " + rule.id + ": needs params.pairs [{module, package, compare}]");
    for (auto& p : *it) {
      if (!p.is_object() || !p.contains("module") || !p.contains("package"))
        throw UsageError("rule " + rule.id + ": each pair needs module and package");
      std::string c = p.value("compare", "version");
      if (c != "version" && c != "version-release" && c != "version-release-nodist")
        throw UsageError("rule " + rule.id + ": compare must be version, version-release or version-release-nodist");
    }
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (auto& pair : rule.params["pairs"]) {
      std::string module = pair["module"], package = pair["package"], how = pair.value("compare", "version");
      const Package* pkg = nullptr;
      for (auto& p : ctx.facts.packages.packages)
        if (p.name == package) pkg = &p;
      for (auto& m : ctx.facts.modules) {
        if (m.name != module) continue;
        if (!pkg) {
          out.push_back(make_finding(rule, m.path, module + " module version " + m.version + " has no " + package + " package to match"));
          continue;
        }
        std::string want = how == "version" ? pkg->version
                           : how == "version-release" ? pkg->version + "-" + pkg->release
                                                      : pkg->version + "-" + strip_dist(pkg->release);
        if (m.version != want) {
          Finding f = make_finding(rule, m.path,
                                   module + " module version " + (m.version.empty() ? "(none)" : m.version) +
                                       " does not match package " + pkg->nevra + " (expected " + want + ")");
          f.package = pkg->nevra;
          out.push_back(std::move(f));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_kmod_version() { return std::make_unique<KmodVersion>(); }

}  // namespace imagelint
