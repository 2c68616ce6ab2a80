// nonempty-boot (bootc, warning): boot exists and is empty in the image: kernels belong in
// usr/lib/modules/KVER, and whatever the image puts in boot is hidden by the host's boot
// partition. Names in params.allow (bootc: EFI, a composefs-rs artefact) are ignored.
#include "util/path.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class NonemptyBoot : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
    param_patterns(rule, "allow");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::string dir = rule.params["dir"].get<std::string>();
    auto allow = param_patterns(rule, "allow");
    const Entry* e = ctx.fs.find(dir);
    if (!e || e->type != EntryType::Dir) {
      out.push_back(make_finding(rule, dir, e ? dir + " is a " + type_name(e->type) + ", not a directory" : "missing " + dir + " directory"));
      return;
    }
    std::string prefix = dir + "/";
    for (auto it = ctx.fs.entries().lower_bound(prefix); it != ctx.fs.entries().end() && it->first.starts_with(prefix); ++it) {
      if (parent_path(it->first) != dir) continue;  // one finding per top-level name, as bootc lists them
      std::string name(base_name(it->first));
      if (matches_any(allow, name)) continue;
      out.push_back(make_finding(rule, it->first, it->first + " is in the image: " + dir + " must be empty (the host's boot partition hides it)"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_nonempty_boot() { return std::make_unique<NonemptyBoot>(); }

}  // namespace imagelint
