// Helpers shared by rule kinds.
#pragma once
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

struct PackageDb;
// "package database DB could not be read (WHY): consequence", for a database in db.unread.
std::string unread_message(const PackageDb& db, const std::string& path, const std::string& consequence);

}  // namespace imagelint
