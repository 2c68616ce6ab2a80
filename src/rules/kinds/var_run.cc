// var-run (bootc, fatal): var/run, when present, is a symlink (to ../run), never a directory or a
// file. bootc reports the first problem; so do we, but for the path the pack names.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class VarRun : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "symlinks").empty()) throw UsageError("rule " + rule.id + ": needs params.symlinks");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (const std::string& p : param_strings(rule, "symlinks")) {
      const Entry* e = ctx.fs.find(p);
      if (e && e->type != EntryType::Symlink)
        out.push_back(make_finding(rule, p, p + " is a " + type_name(e->type) + ", not a symlink: it must link to the runtime directory"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_var_run() { return std::make_unique<VarRun>(); }

}  // namespace imagelint
