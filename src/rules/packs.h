// Rule packs: JSON data (rules/*.json, compiled into the binary, plus user files given with
// --rules). A pack has a name, a description, packs it extends, and rules; a user pack may
// override a shipped rule's severity, summary or parameters by id.
#pragma once
#include <string>
#include <vector>

#include "rules/rule.h"

namespace imagelint {

inline constexpr const char* kDefaultPack = "bootc-instance";

struct RuleSet {
  std::vector<RuleSpec> rules;  // sorted by id
  std::vector<std::string> packs;  // the packs loaded, in order
};

// args: pack names or files (in order). Empty means the default pack. Throws UsageError or
// InputError (file and reason) for anything wrong: unknown pack, bad JSON, unknown kind, bad
// parameters, an override of a rule that does not exist, a cycle in extends.
RuleSet load_rules(const std::vector<std::string>& args);
std::vector<std::string> shipped_pack_names();

// docs/rules/<id>.md, compiled in: the page of a shipped rule (null for any other id).
const std::string* rule_doc(const std::string& id);
// Its first paragraph, the lines joined: the rule's one-line summary (what `rules` prints and
// every report carries). "" without a page. A shipped pack gives no summary of its own, so the
// page is the one place it is written; a user pack's new rule gives its "summary".
std::string rule_doc_summary(const std::string& id);

}  // namespace imagelint
