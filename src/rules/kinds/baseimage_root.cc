// baseimage-root (bootc, fatal): the root holds what bootc needs to deploy the image: directories
// (sysroot, where the physical root is mounted) and symlinks with their exact targets
// (ostree -> sysroot/ostree). The same is checked in the copy of a base root that bootc images
// ship as documentation, when present. Every problem is a finding (bootc stops at the first).
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class BaseimageRoot : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    param_strings(rule, "dirs");
    param_strings(rule, "roots");
    auto it = rule.params.find("symlinks");
    if (it != rule.params.end()) {
      if (!it->is_object()) throw UsageError("rule " + rule.id + ": params.symlinks must map a path to its target");
      for (auto& [k, v] : it->items())
        if (!v.is_string()) throw UsageError("rule " + rule.id + ": params.symlinks." + k + " must be a string");
    }
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    std::vector<std::string> roots = {""};
    for (const std::string& r : param_strings(rule, "roots")) {
      const Entry* e = ctx.fs.find(r);
      if (e && e->type == EntryType::Dir) roots.push_back(r + "/");
    }
    auto links = rule.params.value("symlinks", nlohmann::json::object());
    for (const std::string& root : roots) {
      for (const std::string& d : param_strings(rule, "dirs")) {
        std::string p = root + d;
        const Entry* e = ctx.fs.find(p);
        if (!e) out.push_back(make_finding(rule, p, "missing " + p + " (a directory)"));
        else if (e->type != EntryType::Dir) out.push_back(make_finding(rule, p, p + " must be a directory, not a " + type_name(e->type)));
      }
      for (auto& [name, target] : links.items()) {
        std::string p = root + name, want = target.get<std::string>();
        const Entry* e = ctx.fs.find(p);
        if (!e) out.push_back(make_finding(rule, p, "missing symlink " + p + " -> " + want));
        else if (e->type != EntryType::Symlink) out.push_back(make_finding(rule, p, p + " must be a symlink to " + want + ", not a " + type_name(e->type)));
        else if (e->link != want) out.push_back(make_finding(rule, p, p + " links to " + e->link + ", expected " + want));
      }
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_baseimage_root() { return std::make_unique<BaseimageRoot>(); }

}  // namespace imagelint
