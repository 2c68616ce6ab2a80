// tier-boundary (check --base): a tier-3 instance image may change only what tier 3 owns (users,
// SSH keys, container policy, machine configuration) on top of its tier-2 base. Everything the
// instance's own layers add, change or delete is held against params.allow (globs); packages
// installed, removed or changed between base and instance are findings of their own. Without
// --base the rule has nothing to compare and says nothing. The comparisons are diff's own
// (drift/compare.h): the same attributes differ for both commands.
#include <set>

#include "drift/compare.h"
#include "rules/kinds/common.h"
#include "util/error.h"
#include "util/path.h"

namespace imagelint {
namespace {

// The attributes drift's comparison found different, in words; mtime alone is no change here.
std::string what_changed(uint16_t attrs) {
  static const std::pair<uint16_t, const char*> kWords[] = {
      {drift::kType, "type"},   {drift::kContent, "content"}, {drift::kMode, "mode"},
      {drift::kUid | drift::kGid, "owner"}, {drift::kLink, "link target"}, {drift::kXattrs, "xattrs"},
      {drift::kHardlink, "hardlinks"}, {drift::kDevice, "device"}};
  std::string out;
  for (auto& [bits, word] : kWords)
    if (attrs & bits) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

class TierBoundary : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_strings(rule, "allow").empty()) throw UsageError("rule " + rule.id + ": needs params.allow (globs)");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    const BaseState* base = ctx.facts.base.get();
    if (!base) return;
    const std::vector<std::string> allow = param_strings(rule, "allow");
    const bool packages = !rule.params.contains("packages") || rule.params["packages"] != false;

    // Packages first: they explain most file findings ("tier 3 may not install packages").
    const drift::PackageDiff package_changes = drift::diff_packages(base->packages, ctx.facts.packages);
    std::set<std::string> new_nevras(package_changes.added.begin(), package_changes.added.end());
    for (auto& c : package_changes.changed) new_nevras.insert(c.nevra_b);
    if (packages) {
      for (auto& n : package_changes.added) out.push_back(package_finding(rule, n, "installs package " + n + ": tier 3 may not install packages"));
      for (auto& c : package_changes.changed)
        out.push_back(package_finding(rule, c.nevra_b, "changes package " + c.nevra_a + " to " + c.nevra_b +
                                                           ": tier 3 may not change packages"));
      for (auto& n : package_changes.removed) out.push_back(package_finding(rule, n, "removes package " + n + ": tier 3 may not remove packages"));
      for (auto& db : base->packages.unread)
        out.push_back(make_finding(rule, db, unread_message(base->packages, db, "the base's packages cannot be compared")));
    }

    auto allowed = [&](const std::string& path, bool dir) {
      for (const std::string& g : allow) {
        if (glob_match(g, path)) return true;
        // A directory on the way to what is allowed: etc/containers for etc/containers/**, and
        // var/home/core for var/home/*/.ssh/** (the glob's first components match it).
        if (dir && glob_leads_to(g, path)) return true;
      }
      return false;
    };
    auto why = [&](const std::string& path) {
      if (const Package* p = ctx.facts.packages.owner(path); p && new_nevras.count(p->nevra))
        return std::string("tier 3 may not install packages");
      return std::string("outside what tier 3 may change (users, SSH keys, container policy, machine configuration)");
    };

    std::string deleted_top;  // report a deleted directory once, not everything below it
    for (const drift::Change& c : drift::compare_filesystems(*base->fs, ctx.fs)) {
      const Entry* e = ctx.fs.find(c.path);
      bool dir = (c.kind == drift::ChangeKind::Removed ? c.type_a : c.type_b) == EntryType::Dir;
      if (allowed(c.path, dir)) continue;
      if (c.kind == drift::ChangeKind::Added) {
        if (!e->implicit) out.push_back(make_finding(rule, c.path, "adds " + c.path + ": " + why(c.path)));
      } else if (c.kind == drift::ChangeKind::Removed) {
        if (!deleted_top.empty() && path_within(c.path, deleted_top)) continue;
        Finding f = make_finding(rule, c.path, "deletes " + c.path + ": " + why(c.path));
        if (auto r = ctx.fs.removed().find(c.path); r != ctx.fs.removed().end()) set_layer(ctx, f, r->second.deleted_in);
        out.push_back(std::move(f));
        deleted_top = c.path;
      } else if (std::string changed = what_changed(c.attrs & ~drift::kMtime); !changed.empty()) {
        out.push_back(make_finding(rule, c.path, "changes " + c.path + " (" + changed + "): " + why(c.path)));
      }
    }
  }

 private:
  static Finding package_finding(const RuleSpec& rule, const std::string& nevra, const std::string& message) {
    Finding f = make_finding(rule, "", message);
    f.package = nevra;
    return f;
  }
  static void set_layer(const Context& ctx, Finding& f, int layer) {
    f.layer = layer;
    f.created_by = ctx.image.created_by(layer);
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_tier_boundary() { return std::make_unique<TierBoundary>(); }

}  // namespace imagelint
