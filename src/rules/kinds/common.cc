#include "rules/kinds/common.h"

#include <algorithm>

#include "facts/rpmdb.h"
#include "util/error.h"
#include "util/match_ranges.h"
#include "util/text.h"

namespace imagelint {

std::vector<std::unique_ptr<RE2>> param_patterns(const RuleSpec& rule, const char* key) {
  std::vector<std::unique_ptr<RE2>> out;
  RE2::Options o;
  o.set_log_errors(false);
  for (const std::string& p : param_strings(rule, key)) {
    auto re = std::make_unique<RE2>(p, o);
    if (!re->ok()) throw UsageError("rule " + rule.id + ": bad pattern '" + p + "' in " + key + ": " + re->error());
    out.push_back(std::move(re));
  }
  return out;
}

bool matches_any(const std::vector<std::unique_ptr<RE2>>& res, const std::string& s) {
  for (auto& re : res)
    if (RE2::FullMatch(s, *re)) return true;
  return false;
}

void for_each_match(const FileSystem& fs, const std::vector<std::unique_ptr<RE2>>& res,
                    const std::function<void(const std::string& path, const Entry& e)>& fn) {
  for_each_full_match(fs.entries(), res.size(), [&](size_t i) -> const RE2& { return *res[i]; }, fn);
}

std::string unread_message(const PackageDb& db, const std::string& path, const std::string& consequence) {
  std::string why = db.why_unread(path);
  return "package database " + path + " could not be read" + (why.empty() ? "" : " (" + shorten(why, 160) + ")") + ": " +
         consequence;
}

}  // namespace imagelint
