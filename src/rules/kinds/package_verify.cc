// package-verify: every file a package database lists is as its package installed it (rpm -V's
// letters: S size, M mode, 5 digest, L link target, U user, G group, T mtime on request), or a
// finding that names the package and the layer that changed it (or whose whiteout removed it).
// Params: digests (algorithms to compute while the layers stream, default sha256 and md5),
// allow (RE2 path patterns changed or moved on purpose), config_severity (default warning),
// doc_severity (missing %doc, default info), other_severity (changed non-config outside usr/,
// default warning), baseline ("install-layer": a change made in the layer that installed the
// package is its baseline; "none": report every difference, as rpm -Va does), mtime (bool).
#include <algorithm>
#include <map>

#include "facts/file_digest.h"
#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {
namespace {

std::vector<uint32_t> digest_algos(const RuleSpec& rule) {
  std::vector<std::string> names = param_strings(rule, "digests");
  if (!rule.params.contains("digests")) names = {"sha256", "md5"};
  std::vector<uint32_t> out;
  for (const std::string& n : names) {
    uint32_t a = digest_algo_from_name(n);
    if (!a)
      throw UsageError("rule " + rule.id + ": params.digests: unknown algorithm '" + n +
                       "' (md5, sha1, sha224, sha256, sha384, sha512)");
    out.push_back(a);
  }
  return out;
}

bool baseline_install(const RuleSpec& rule) {
  auto it = rule.params.find("baseline");
  if (it == rule.params.end()) return true;
  if (it->is_string() && *it == "install-layer") return true;
  if (it->is_string() && *it == "none") return false;
  throw UsageError("rule " + rule.id + ": params.baseline must be \"install-layer\" or \"none\"");
}

bool want_mtime(const RuleSpec& rule) {
  auto it = rule.params.find("mtime");
  if (it == rule.params.end()) return false;
  if (!it->is_boolean()) throw UsageError("rule " + rule.id + ": params.mtime must be true or false");
  return it->get<bool>();
}

// "S.5......" -> "size, digest".
std::string letter_words(const std::string& letters) {
  static const std::map<char, const char*> words = {{'S', "size"}, {'M', "mode"},  {'5', "digest"}, {'L', "link target"},
                                                    {'U', "user"}, {'G', "group"}, {'T', "mtime"}};
  std::string out;
  for (char c : letters)
    if (auto it = words.find(c); it != words.end()) out += (out.empty() ? "" : ", ") + std::string(it->second);
  return out;
}

class PackageVerify : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    digest_algos(rule);
    param_patterns(rule, "allow");
    baseline_install(rule);
    want_mtime(rule);
    param_severity(rule, "config_severity", Severity::Warning);
    param_severity(rule, "doc_severity", Severity::Info);
    param_severity(rule, "other_severity", Severity::Warning);
  }
  void declare_needs(const RuleSpec& rule, FactNeeds& needs) const override {
    needs.package_verify = true;
    needs.verify.mtime = needs.verify.mtime || want_mtime(rule);
    // With the install layer as baseline only files later layers wrote need a digest: read again
    // after the pass (facts.cc). Without a baseline every packaged file does: during the pass.
    if (baseline_install(rule)) return;
    for (uint32_t a : digest_algos(rule))
      if (std::find(needs.file_digests.begin(), needs.file_digests.end(), a) == needs.file_digests.end())
        needs.file_digests.push_back(a);
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    const PackageDb& db = ctx.facts.packages;
    const PackageVerification& v = ctx.facts.verify;
    for (auto& u : db.unread)
      out.push_back(make_finding(rule, u, unread_message(db, u, "its packaged files are not verified")));
    if (!v.done) {
      out.push_back(make_finding(rule, "", "packaged files were not verified (the rule was not declared before the pass)"));
      return;
    }
    for (const std::string& n : v.notes) {
      Finding f = make_finding(rule, "", n);
      f.severity = Severity::Info;
      out.push_back(std::move(f));
    }
    auto allow = param_patterns(rule, "allow");
    const bool baseline = baseline_install(rule);
    const bool mtime = want_mtime(rule);
    const Severity config = param_severity(rule, "config_severity", Severity::Warning);
    const Severity doc = param_severity(rule, "doc_severity", Severity::Info);
    const Severity other = param_severity(rule, "other_severity", Severity::Warning);
    std::map<size_t, size_t> unchecked;  // package -> files whose digest was not computed
    for (const VerifyIssue& is : v.issues) {
      if (baseline && is.at_install) continue;
      if (matches_any(allow, is.path) || matches_any(allow, is.listed)) continue;
      std::string letters = is.letters;
      if (!mtime && !is.missing) letters[7] = '.';
      const Package& p = db.packages[is.package];
      const bool only_unchecked = !is.missing && is.type_changed.empty() &&
                                  letters.find_first_not_of(".?") == std::string::npos;
      if (only_unchecked) {
        ++unchecked[is.package];
        continue;
      }
      const bool is_config = is.flags & PackagedFile::kConfig;
      std::string what = is_config ? "config file " : is.doc ? "doc file " : "";
      std::string listed = is.listed != is.path ? " (listed as /" + is.listed + ")" : "";
      Finding f = make_finding(rule, is.path, "");
      if (is.missing) {
        f.message = what + is.path + listed + " from " + p.nevra + " is missing";
      } else {
        f.message = what + is.path + listed + " is not as " + p.nevra + " installed it: ";
        if (!is.type_changed.empty()) f.message += "a " + is.type_changed;
        if (letters.find_first_not_of(".?") != std::string::npos)
          f.message += (is.type_changed.empty() ? "" : "; ") + letters + " (" + letter_words(letters) + ")";
      }
      f.severity = is_config ? config : is.doc && is.missing ? doc : is.path.starts_with("usr/") ? Severity::Error : other;
      f.package = p.nevra;
      if (is.missing && is.layer >= 0) {  // the engine finds no entry to take the layer from
        f.layer = is.layer;
        f.created_by = ctx.image.created_by(is.layer);
      }
      out.push_back(std::move(f));
    }
    for (auto& [pi, n] : unchecked) {
      const Package& p = db.packages[pi];
      const char* algo = digest_algo_name(p.digest_algo);
      std::string why = !algo ? "its digest algorithm is unknown"
                        : baseline ? "larger than 256 MiB, or their layer did not give their bytes again"
                                   : std::string(algo) + " is not in params.digests";
      Finding f = make_finding(rule, "", std::to_string(n) + " files of " + p.nevra + " were not digest-checked: " + why);
      f.severity = Severity::Info;
      f.package = p.nevra;
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_package_verify() { return std::make_unique<PackageVerify>(); }

}  // namespace imagelint
