#include "rules/packs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "util/error.h"

namespace imagelint {
namespace rules_packs_test {

// One source per summary: a shipped rule's one line is the first paragraph of its page,
// docs/rules/<id>.md; the packs carry none, so the two cannot disagree.
TEST(Packs, EveryShippedRuleIsSummedUpByItsPage) {
  for (const char* pack : {"bootc-base", "bootc-instance"}) {
    RuleSet rules = load_rules({pack});
    ASSERT_FALSE(rules.rules.empty()) << pack;
    for (const RuleSpec& r : rules.rules) {
      SCOPED_TRACE(r.id);
      ASSERT_NE(rule_doc(r.id), nullptr) << "docs/rules/" << r.id << ".md is missing";
      EXPECT_TRUE(rule_doc(r.id)->starts_with("# " + r.id + "\n\n"));
      EXPECT_EQ(r.summary, rule_doc_summary(r.id));
      EXPECT_GT(r.summary.size(), 20u);
      EXPECT_LT(r.summary.size(), 200u) << "one line";
    }
  }
  std::ifstream base(testing_util::source_dir() + "/rules/bootc-base.json");
  std::string text((std::istreambuf_iterator<char>(base)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find("\"summary\""), std::string::npos) << "a shipped pack repeats a summary its page gives";
}

TEST(Packs, ASiteRuleBringsItsOwnSummaryAndCanReplaceAShippedOne) {
  testing_util::TempDir d;
  testing_util::write_file(d / "site.json", R"({"name": "site", "rules": [
      {"id": "no-motd", "kind": "path-absent", "severity": "warning", "summary": "No etc/motd.", "params": {"patterns": ["etc/motd"]}},
      {"id": "var-log", "summary": "Our own words."}]})");
  RuleSet rules = load_rules({d / "site.json"});
  bool site = false, shipped = false;
  for (const RuleSpec& r : rules.rules) {
    if (r.id == "no-motd") site = r.summary == "No etc/motd.";
    if (r.id == "var-log") shipped = r.summary == "Our own words.";
  }
  EXPECT_TRUE(site);
  EXPECT_TRUE(shipped);
  testing_util::write_file(d / "bare.json", R"({"name": "bare", "rules": [
      {"id": "no-motd", "kind": "path-absent", "severity": "warning", "params": {"patterns": ["etc/motd"]}}]})");
  try {
    load_rules({d / "bare.json"});
    FAIL() << "a new rule without a summary or a page";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("needs a one-line \"summary\""), std::string::npos) << e.what();
  }
}

}  // namespace rules_packs_test
}  // namespace imagelint
