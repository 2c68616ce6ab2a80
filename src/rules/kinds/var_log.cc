// var-log (bootc, warning): no non-empty regular files below var/log: logs are per-machine state,
// carry timestamps (unreproducible images) and can leak build-host details. Symlinks and empty
// files are fine, as in bootc.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class VarLog : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::string prefix = rule.params["dir"].get<std::string>() + "/";
    for (auto it = ctx.fs.entries().lower_bound(prefix); it != ctx.fs.entries().end() && it->first.starts_with(prefix); ++it)
      if (it->second.type == EntryType::File && it->second.size > 0)
        out.push_back(make_finding(rule, it->first, it->first + " is a non-empty log file (" + std::to_string(it->second.size) + " bytes)"));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_var_log() { return std::make_unique<VarLog>(); }

}  // namespace imagelint
