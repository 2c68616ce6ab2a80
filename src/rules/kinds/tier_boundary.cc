// tier-boundary (check --base): a tier-3 instance image may change only what tier 3 owns (users,
// SSH keys, container policy, machine configuration) on top of its tier-2 base. Everything the
// instance's own layers add, change or delete is held against params.allow (globs); packages
// installed, removed or changed between base and instance are findings of their own. Without
// --base the rule has nothing to compare and says nothing.
#include <map>
#include <set>

#include "rules/kinds/common.h"
#include "util/error.h"
#include "util/path.h"

namespace imagelint {
namespace {

// What differs between two entries of one path, ignoring mtime and layer history: "" when
// nothing a booted host would see.
std::string what_changed(const Entry& a, const Entry& b) {
  std::string out;
  auto add = [&](const char* w) { out += (out.empty() ? "" : ", ") + std::string(w); };
  if (a.type != b.type) add("type");
  if (a.type == EntryType::File && b.type == EntryType::File && (a.hash != b.hash || a.size != b.size)) add("content");
  if (a.mode != b.mode) add("mode");
  if (a.uid != b.uid || a.gid != b.gid) add("owner");
  if (a.link != b.link) add("link target");
  if (a.xattrs() != b.xattrs()) add("xattrs");
  if (a.dev_major != b.dev_major || a.dev_minor != b.dev_minor) add("device");
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
    std::map<std::string, const Package*> before, after;  // name.arch -> package
    for (auto& p : base->packages.packages) before[p.name + "." + p.arch] = &p;
    for (auto& p : ctx.facts.packages.packages) after[p.name + "." + p.arch] = &p;
    std::set<std::string> new_nevras;
    for (auto& [key, p] : after) {
      auto b = before.find(key);
      if (b == before.end() || b->second->nevra != p->nevra) new_nevras.insert(p->nevra);
    }
    if (packages) {
      for (auto& [key, p] : after) {
        auto b = before.find(key);
        if (b == before.end())
          out.push_back(package_finding(rule, p->nevra, "installs package " + p->nevra + ": tier 3 may not install packages"));
        else if (b->second->nevra != p->nevra)
          out.push_back(package_finding(rule, p->nevra, "changes package " + b->second->nevra + " to " + p->nevra +
                                                            ": tier 3 may not change packages"));
      }
      for (auto& [key, p] : before)
        if (!after.count(key))
          out.push_back(package_finding(rule, p->nevra, "removes package " + p->nevra + ": tier 3 may not remove packages"));
      for (auto& db : base->packages.unread)
        out.push_back(make_finding(rule, db, unread_message(base->packages, db, "the base's packages cannot be compared")));
    }

    auto allowed = [&](const std::string& path, bool dir) {
      for (const std::string& g : allow) {
        if (glob_match(g, path)) return true;
        // A directory on the way to what is allowed (etc/containers for etc/containers/**).
        if (dir) {
          std::string lit = g.substr(0, g.find_first_of("*?["));
          if (lit.starts_with(path + "/")) return true;
        }
      }
      return false;
    };
    auto why = [&](const std::string& path) {
      if (const Package* p = ctx.facts.packages.owner(path); p && new_nevras.count(p->nevra))
        return std::string("tier 3 may not install packages");
      return std::string("outside what tier 3 may change (users, SSH keys, container policy, machine configuration)");
    };

    const auto& a = base->fs.entries();
    const auto& b = ctx.fs.entries();
    auto ia = a.begin();
    auto ib = b.begin();
    std::string deleted_top;  // report a deleted directory once, not everything below it
    while (ia != a.end() || ib != b.end()) {
      if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {  // only in the base: deleted
        const std::string& path = ia->first;
        if (!(deleted_top.size() && path_within(path, deleted_top)) && !allowed(path, ia->second.type == EntryType::Dir)) {
          Finding f = make_finding(rule, path, "deletes " + path + ": " + why(path));
          if (auto r = ctx.fs.removed().find(path); r != ctx.fs.removed().end()) set_layer(ctx, f, r->second.deleted_in);
          out.push_back(std::move(f));
          deleted_top = path;
        }
        ++ia;
      } else if (ia == a.end() || ib->first < ia->first) {  // only in the instance: added
        const Entry& e = ib->second;
        if (!e.implicit && !allowed(ib->first, e.type == EntryType::Dir))
          out.push_back(make_finding(rule, ib->first, "adds " + ib->first + ": " + why(ib->first)));
        ++ib;
      } else {
        std::string changed = what_changed(ia->second, ib->second);
        if (!changed.empty() && !allowed(ib->first, ib->second.type == EntryType::Dir))
          out.push_back(make_finding(rule, ib->first, "changes " + ib->first + " (" + changed + "): " + why(ib->first)));
        ++ia;
        ++ib;
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
    if (layer >= 0 && static_cast<size_t>(layer) < ctx.image.layers.size())
      f.created_by = ctx.image.layers[static_cast<size_t>(layer)].created_by;
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_tier_boundary() { return std::make_unique<TierBoundary>(); }

}  // namespace imagelint
