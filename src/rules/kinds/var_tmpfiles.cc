// var-tmpfiles (bootc, warning): everything below var has a tmpfiles.d entry for its exact path.
// bootc applies var from the image only at the first install, so content there never reaches a
// host on later upgrades; tmpfiles.d recreates directories and symlinks at every boot. A directory
// or symlink without an entry is reported with the line that would create it; any other type
// (a file, a device) cannot be expressed that way and is reported as such.
//
// Better than bootc: tmpfiles.d is read as systemd reads it (etc, run, usr/local/lib and usr/lib,
// same-named files override, /dev/null masks) where bootc reads usr/lib only; owners that no
// passwd or sysusers.d entry names are shown by number instead of aborting the run; the lint runs
// on the image itself (bootc skips it unless it lints the running root).
#include <set>

#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class VarTmpfiles : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (!rule.params.contains("dir") || !rule.params["dir"].is_string()) throw UsageError("rule " + rule.id + ": needs params.dir");
    param_strings(rule, "non_creating_types");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto skip_types = param_strings(rule, "non_creating_types");
    std::set<std::string> covered;
    for (const TmpfilesEntry& t : ctx.facts.users.tmpfiles) {
      std::string base = t.type.substr(0, 1);
      if (std::find(skip_types.begin(), skip_types.end(), base) == skip_types.end()) covered.insert(t.path);
    }
    const Users& u = ctx.facts.users;
    auto user_name = [&](uint32_t uid) -> std::string {
      if (uid == 0) return "root";
      return u.name_of(uid).value_or(std::to_string(uid));
    };
    auto group_name = [&](uint32_t gid) -> std::string {
      if (gid == 0) return "root";
      for (auto& g : u.groups)
        if (g.gid == gid) return g.name;
      for (auto& s : u.sysusers)
        if (s.type == "g" && s.id == std::to_string(gid)) return s.name;
      return std::to_string(gid);
    };
    std::string prefix = rule.params["dir"].get<std::string>() + "/";
    for (auto it = ctx.fs.entries().lower_bound(prefix); it != ctx.fs.entries().end() && it->first.starts_with(prefix); ++it) {
      const std::string& p = it->first;
      const Entry& e = it->second;
      if (covered.count(p)) continue;
      if (e.type == EntryType::Dir) {
        char mode[8];
        snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
        std::string line = "d /" + p + " " + mode + " " + user_name(e.uid) + " " + group_name(e.gid) + " - -";
        out.push_back(make_finding(rule, p, p + " has no tmpfiles.d entry; e.g. `" + line + "`"));
      } else if (e.type == EntryType::Symlink) {
        out.push_back(make_finding(rule, p, p + " has no tmpfiles.d entry; e.g. `L /" + p + " - - - - " + e.link + "`"));
      } else {
        out.push_back(make_finding(rule, p, p + " is a " + type_name(e.type) +
                                                " in var: the image's var reaches a host only at install; create it at boot (tmpfiles.d, StateDirectory=) or drop it"));
      }
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_var_tmpfiles() { return std::make_unique<VarTmpfiles>(); }

}  // namespace imagelint
