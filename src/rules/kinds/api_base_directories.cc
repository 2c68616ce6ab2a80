// api-base-directories (bootc, fatal): the API filesystem mount points (dev, proc, sys, run, tmp)
// and var exist as real directories. Unlike bootc, which stops at the first, every missing or
// wrong one is a finding.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class ApiBaseDirectories : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "dirs").empty()) throw UsageError("rule " + rule.id + ": needs params.dirs");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (const std::string& d : param_strings(rule, "dirs")) {
      const Entry* e = ctx.fs.find(d);
      if (!e) out.push_back(make_finding(rule, d, "missing API filesystem base directory " + d));
      else if (e->type != EntryType::Dir)
        out.push_back(make_finding(rule, d, d + " is a " + type_name(e->type) + ": an API filesystem base directory must be a directory"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_api_base_directories() { return std::make_unique<ApiBaseDirectories>(); }

}  // namespace imagelint
