// nonempty-run-tmp (bootc, warning): the runtime-only directories (run, tmp) are empty: they are
// tmpfs on a running host, so whatever the image holds there is build litter nobody reads.
// params.ignore names paths a container runtime leaves behind (podman's stub-resolv.conf);
// their parent directories are ignored too when nothing else is below them.
#include <set>

#include "util/path.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class NonemptyRunTmp : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "dirs").empty()) throw UsageError("rule " + rule.id + ": needs params.dirs");
    param_strings(rule, "ignore");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::set<std::string> found;
    auto dirs = param_strings(rule, "dirs");
    for (const std::string& d : dirs) {
      std::string prefix = d + "/";
      for (auto it = ctx.fs.entries().lower_bound(prefix); it != ctx.fs.entries().end() && it->first.starts_with(prefix); ++it)
        found.insert(it->first);
    }
    for (const std::string& known : param_strings(rule, "ignore")) {
      found.erase(known);
      // Drop each parent that holds nothing else, up to (not including) the runtime directory.
      for (std::string p = parent_path(known); !p.empty(); p = parent_path(p)) {
        if (std::find(dirs.begin(), dirs.end(), p) != dirs.end()) break;
        auto below = found.lower_bound(p + "/");
        if (below != found.end() && below->starts_with(p + "/")) break;
        found.erase(p);
      }
    }
    for (const std::string& p : found)
      out.push_back(make_finding(rule, p, p + " is in the image: " + p.substr(0, p.find('/')) +
                                              " is a tmpfs on the host, so this is build litter"));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_nonempty_run_tmp() { return std::make_unique<NonemptyRunTmp>(); }

}  // namespace imagelint
