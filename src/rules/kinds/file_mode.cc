// file-mode: setuid/setgid files and world-writable entries outside an allowlist.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

class FileMode : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    for (auto& b : param_strings(rule, "flag"))
      if (b != "setuid" && b != "setgid" && b != "world-writable")
        throw UsageError("rule " + rule.id + ": flag must list setuid, setgid or world-writable");
    param_patterns(rule, "allow");
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto allow = param_patterns(rule, "allow");
    auto flags = param_strings(rule, "flag");
    auto has = [&](const char* f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };
    const bool setuid = has("setuid"), setgid = has("setgid"), world = has("world-writable");
    for (auto& [path, e] : ctx.fs.entries()) {
      if (e.type == EntryType::Symlink) continue;
      const bool is_setuid = setuid && e.type == EntryType::File && (e.mode & 04000);
      const bool is_setgid = setgid && e.type == EntryType::File && (e.mode & 02000);
      // A sticky world-writable directory (tmp) is how it should be.
      const bool is_world = world && (e.mode & 0002) && !(e.type == EntryType::Dir && (e.mode & 01000));
      if (!(is_setuid || is_setgid || is_world) || matches_any(allow, path)) continue;  // the allowlist last: it costs most
      if (is_setuid) out.push_back(make_finding(rule, path, path + " is setuid"));
      if (is_setgid) out.push_back(make_finding(rule, path, path + " is setgid"));
      if (is_world) out.push_back(make_finding(rule, path, path + " is world-writable"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_file_mode() { return std::make_unique<FileMode>(); }

}  // namespace imagelint
