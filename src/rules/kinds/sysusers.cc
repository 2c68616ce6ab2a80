// sysusers (bootc, warning): every user in etc/passwd and every group in etc/group is declared in
// sysusers.d. When etc is persistent and was changed on a host (a root password), the image's new
// etc/passwd never reaches it; systemd-sysusers creates declared users at boot instead.
//
// Better than bootc: sysusers.d is read as systemd reads it (etc, run, usr/local/lib, usr/lib,
// overrides and /dev/null masks; bootc reads usr/lib only); users and groups kept in the
// nss-altfiles databases (params.altfiles: usr/lib/passwd, usr/lib/group), which live in usr and
// follow the image, count as managed; a malformed line is a finding and the rest is still read.
#include <set>

#include "facts/users.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class Sysusers : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    param_strings(rule, "altfiles_passwd");
    param_strings(rule, "altfiles_group");
    param_patterns(rule, "ignore_users");
    param_patterns(rule, "ignore_groups");
  }
  void declare_needs(const RuleSpec& rule, FactNeeds& needs) const override {
    for (auto& p : param_strings(rule, "altfiles_passwd")) needs.altfiles_passwd.push_back(p);
    for (auto& p : param_strings(rule, "altfiles_group")) needs.altfiles_group.push_back(p);
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    const Users& u = ctx.facts.users;
    std::set<std::string> users, groups;
    for (const SysusersEntry& s : u.sysusers) {
      if (s.type == "u" || s.type == "u!") {
        users.insert(s.name);
        // A user line creates a same-named group unless it names another group as primary.
        size_t colon = s.id.find(':');
        std::string g = colon == std::string::npos ? "" : s.id.substr(colon + 1);
        if (g.empty() || g.find_first_not_of("0123456789") == std::string::npos) groups.insert(s.name);
      } else if (s.type == "g") {
        groups.insert(s.name);
      }
    }
    for (const PasswdEntry& e : u.altfiles_passwd) users.insert(e.name);
    for (const GroupEntry& e : u.altfiles_groups) groups.insert(e.name);
    for (const FileNote& n : u.notes)
      if (n.path.find("sysusers.d/") != std::string::npos || n.path == "etc/passwd" || n.path == "etc/group")
        out.push_back(make_finding(rule, n.path, n.text));

    auto ignore_users = param_patterns(rule, "ignore_users");
    auto ignore_groups = param_patterns(rule, "ignore_groups");
    for (const PasswdEntry& p : u.passwd)
      if (!users.count(p.name) && !matches_any(ignore_users, p.name))
        out.push_back(make_finding(rule, "etc/passwd",
                                   "user " + p.name + " (uid " + std::to_string(p.uid) + ") is in etc/passwd but not in sysusers.d"));
    for (const GroupEntry& g : u.groups)
      if (!groups.count(g.name) && !matches_any(ignore_groups, g.name))
        out.push_back(make_finding(rule, "etc/group",
                                   "group " + g.name + " (gid " + std::to_string(g.gid) + ") is in etc/group but not in sysusers.d"));
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_sysusers() { return std::make_unique<Sysusers>(); }

}  // namespace imagelint
