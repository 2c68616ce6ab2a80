// Helpers shared by rule kinds.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "rules/rule.h"

namespace imagelint {

// RE2 patterns from a string-list parameter, anchored at both ends; throws UsageError naming the
// rule and the bad pattern.
std::vector<std::unique_ptr<RE2>> param_patterns(const RuleSpec& rule, const char* key);
bool matches_any(const std::vector<std::unique_ptr<RE2>>& res, const std::string& s);
// Calls fn, in path order, for every entry of fs whose path one of res fully matches. Only the
// stretches of the sorted map that a match can lie in are visited (RE2::PossibleMatchRange
// bounds every full match), so a pattern with a literal prefix costs its subtree, not the image.
void for_each_match(const FileSystem& fs, const std::vector<std::unique_ptr<RE2>>& res,
                    const std::function<void(const std::string& path, const Entry& e)>& fn);

struct PackageDb;
// "package database DB could not be read (WHY): consequence", for a database in db.unread.
std::string unread_message(const PackageDb& db, const std::string& path, const std::string& consequence);

}  // namespace imagelint
