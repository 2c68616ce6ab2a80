// no-build-tools: compilers, dkms, make and kernel headers belong to build stages, never to the
// final image: neither their files nor their packages.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class NoBuildTools : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_patterns(rule, "paths").empty() && param_patterns(rule, "packages").empty())
      throw UsageError("rule " + rule.id + ": needs params.paths or params.packages");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto paths = param_patterns(rule, "paths");
    auto packages = param_patterns(rule, "packages");
    for_each_match(ctx.fs, paths, [&](const std::string& path, const Entry&) {
      // A directory is reported once, not with every file under it.
      std::string parent = path.substr(0, path.rfind('/'));
      if (path.find('/') != std::string::npos && matches_any(paths, parent)) return;
      out.push_back(make_finding(rule, path, "build tool " + path + " is in the final image"));
    });
    for (auto& p : ctx.facts.packages.packages)
      if (matches_any(packages, p.name)) {
        Finding f = make_finding(rule, "", "build-time package " + p.nevra + " is installed");
        f.package = p.nevra;
        out.push_back(std::move(f));
      }
    for (auto& db : ctx.facts.packages.unread)
      out.push_back(make_finding(rule, db, unread_message(ctx.facts.packages, db, "build-time packages may be installed")));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_no_build_tools() { return std::make_unique<NoBuildTools>(); }

}  // namespace imagelint
