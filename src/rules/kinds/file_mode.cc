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
    for (auto& [path, e] : ctx.fs.entries()) {
      if (matches_any(allow, path) || e.type == EntryType::Symlink) continue;
      if (has("setuid") && e.type == EntryType::File && (e.mode & 04000))
        out.push_back(make_finding(rule, path, path + " is setuid"));
      if (has("setgid") && e.type == EntryType::File && (e.mode & 02000))
        out.push_back(make_finding(rule, path, path + " is setgid"));
      // A sticky world-writable directory (tmp) is how it should be.
      if (has("world-writable") && (e.mode & 0002) && !(e.type == EntryType::Dir && (e.mode & 01000)))
        out.push_back(make_finding(rule, path, path + " is world-writable"));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_file_mode() { return std::make_unique<FileMode>(); }

}  // namespace imagelint
