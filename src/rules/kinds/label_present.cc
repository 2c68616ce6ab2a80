// label-present: the image config carries a label (optionally with a value matching a pattern).
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class LabelPresent : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "labels").empty()) throw UsageError("rule " + rule.id + ": needs params.labels");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    for (auto& l : param_strings(rule, "labels"))
      if (!ctx.image.labels.count(l)) out.push_back(make_finding(rule, "", "the image config has no label " + l));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_label_present() { return std::make_unique<LabelPresent>(); }

}  // namespace imagelint
