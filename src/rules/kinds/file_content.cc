// file-content: files matching RE2 path patterns must (mode "must") or must not (mode "must-not")
// contain an RE2 pattern. Only the first max_bytes of each file are read (captured before the
// pass); a finding on a larger file says so.
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

constexpr uint64_t kDefaultMaxContentBytes = 1 << 20;

uint64_t max_bytes(const RuleSpec& rule) {
  auto it = rule.params.find("max_bytes");
  if (it == rule.params.end()) return kDefaultMaxContentBytes;
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0)
    throw UsageError("rule " + rule.id + ": parameter 'max_bytes' must be a positive integer");
  return it->get<uint64_t>();
}

std::unique_ptr<RE2> content_pattern(const RuleSpec& rule) {
  auto it = rule.params.find("pattern");
  if (it == rule.params.end() || !it->is_string() || it->get<std::string>().empty())
    throw UsageError("rule " + rule.id + ": needs params.pattern (an RE2 pattern the content is searched for)");
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(it->get<std::string>(), o);
  if (!re->ok()) throw UsageError("rule " + rule.id + ": bad pattern '" + re->pattern() + "' in pattern: " + re->error());
  return re;
}

bool must_match(const RuleSpec& rule) {
  std::string mode = rule.params.value("mode", std::string());
  if (mode == "must") return true;
  if (mode == "must-not") return false;
  throw UsageError("rule " + rule.id + ": parameter 'mode' must be \"must\" or \"must-not\"");
}

class FileContent : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    if (param_patterns(rule, "paths").empty()) throw UsageError("rule " + rule.id + ": needs params.paths");
    content_pattern(rule);
    must_match(rule);
    max_bytes(rule);
  }
  void declare(const RuleSpec& rule, CaptureRequests& captures) const override {
    uint64_t cap = max_bytes(rule);
    for (const std::string& p : param_strings(rule, "paths")) {
      captures.want_pattern(p, cap);
      // A pattern that names one path (no operator but '.', which matches itself too) is also
      // wanted by name, resolved through symlinks: etc/machine-id may link to the file with the id.
      if (p.find_first_of("*+?()[]{}|^$\\") == std::string::npos) captures.want_path(p, cap);
    }
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    auto paths = param_patterns(rule, "paths");
    auto re = content_pattern(rule);
    bool must = must_match(rule);
    uint64_t cap = max_bytes(rule);
    std::string why = rule.params.value("message", std::string());
    for_each_match(ctx.fs, paths, [&](const std::string& path, const Entry& e) {
      if (e.type != EntryType::File && e.type != EntryType::Symlink) return;
      const Captured* c = ctx.captures.get(path);
      if (e.type == EntryType::Symlink) {
        // Only a literal path is captured through its link; a link that resolves to no regular
        // file holds no content to check.
        Resolved r = ctx.fs.resolve(path, true);
        const Entry* t = r.status == Resolve::Ok ? ctx.fs.find(r.path) : nullptr;
        if (!c || !t || t->type != EntryType::File) return;
      }
      if (!c) {
        out.push_back(make_finding(rule, path, path + ": content was not captured, cannot check it"));
        return;
      }
      // Another consumer may have captured more: look at our own window only.
      size_t n = static_cast<size_t>(std::min<uint64_t>(cap, c->data.size()));
      bool cut = c->size > n;
      bool found = RE2::PartialMatch(re2::StringPiece(c->data.data(), n), *re);
      if (found == must) return;
      std::string shown = path;
      if (e.type == EntryType::Symlink) shown += " (a link to " + ctx.fs.resolve(path, true).path + ")";
      std::string msg = shown + (must ? " does not contain /" : " contains /") + re->pattern() + "/";
      if (!why.empty()) msg += ": " + why;
      if (cut) msg += " (only the first " + std::to_string(n) + " of " + std::to_string(c->size) + " bytes were checked)";
      out.push_back(make_finding(rule, path, msg));
    });
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_file_content() { return std::make_unique<FileContent>(); }

}  // namespace imagelint
