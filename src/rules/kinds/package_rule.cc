// package-absent / package-present: installed packages (rpm or dpkg) by name pattern.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class PackageRule : public RuleKind {
 public:
  explicit PackageRule(bool must_exist) : must_exist_(must_exist) {}
  void validate(const RuleSpec& rule) const override {
    if (param_patterns(rule, "names").empty()) throw UsageError("rule " + rule.id + ": needs params.names");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto res = param_patterns(rule, "names");
    for (auto& db : ctx.facts.packages.unread)
      out.push_back(make_finding(rule, db, unread_message(ctx.facts.packages, db, "installed packages are unknown")));
    if (must_exist_) {
      for (auto& re : res) {
        bool found = false;
        for (auto& p : ctx.facts.packages.packages) found |= RE2::FullMatch(p.name, *re);
        if (!found) out.push_back(make_finding(rule, "", "no installed package matches " + re->pattern()));
      }
      return;
    }
    for (auto& p : ctx.facts.packages.packages)
      if (matches_any(res, p.name)) {
        Finding f = make_finding(rule, "", "package " + p.nevra + " is installed");
        f.package = p.nevra;
        out.push_back(std::move(f));
      }
  }

 private:
  bool must_exist_;
};

}  // namespace

std::unique_ptr<RuleKind> make_package_absent() { return std::make_unique<PackageRule>(false); }
std::unique_ptr<RuleKind> make_package_present() { return std::make_unique<PackageRule>(true); }

}  // namespace imagelint
