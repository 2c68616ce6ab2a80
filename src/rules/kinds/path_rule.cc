// path-absent / path-present: entries of the final filesystem matching RE2 patterns.
#include "rules/kinds/common.h"
#include "util/match_ranges.h"
#include "util/error.h"

namespace imagelint {
namespace {

class PathRule : public RuleKind {
 public:
  explicit PathRule(bool must_exist) : must_exist_(must_exist) {}
  void validate(const RuleSpec& rule) const override {
    if (param_patterns(rule, "patterns").empty()) throw UsageError("rule " + rule.id + ": needs params.patterns");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto res = param_patterns(rule, "patterns");
    std::string why = rule.params.value("message", std::string());
    if (must_exist_) {
      for (size_t i = 0; i < res.size(); ++i) {
        bool found = false;
        for_each_full_match(ctx.fs.entries(), 1, [&](size_t) -> const RE2& { return *res[i]; },
                            [&](const std::string&, const Entry&) { found = true; });
        if (!found)
          out.push_back(make_finding(rule, "", "nothing in the image matches " + res[i]->pattern() + (why.empty() ? "" : ": " + why)));
      }
      return;
    }
    for_each_match(ctx.fs, res, [&](const std::string& path, const Entry&) {
      out.push_back(make_finding(rule, path, path + " must not be in the image" + (why.empty() ? "" : ": " + why)));
    });
  }

 private:
  bool must_exist_;
};

}  // namespace

std::unique_ptr<RuleKind> make_path_absent() { return std::make_unique<PathRule>(false); }
std::unique_ptr<RuleKind> make_path_present() { return std::make_unique<PathRule>(true); }

}  // namespace imagelint
