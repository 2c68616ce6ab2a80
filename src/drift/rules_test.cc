#include "drift/rules.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <set>

#include "util/error.h"

namespace drift_rules_test {
using namespace imagelint;
using namespace imagelint::drift;

TEST(DriftRules, TheShippedRulesLoadAndCoverEveryNormaliser) {
  DriftRules r = load_drift_rules({}, {});
  ASSERT_FALSE(r.rules.empty());
  EXPECT_EQ(r.rules[0].id, "mtime-only");
  std::set<std::string> used;
  for (auto& x : r.rules)
    if (!x.normaliser.empty()) used.insert(x.normaliser);
  for (auto& n : {"rpmdb", "pyc", "gzip", "shadow", "initramfs", "kmod"}) EXPECT_TRUE(used.count(n)) << n;
  EXPECT_EQ(r.hazards.size(), 3u);
}

TEST(DriftRules, MistakesNameTheFileAndTheRule) {
  auto err = [](const std::string& text) {
    try {
      parse_drift_rules(text, "site.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(err("[]").find("site.json: not a JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"rulez": []})").find("unknown key 'rulez'"), std::string::npos);
  EXPECT_NE(err(R"({"rules": [{"id": "x", "class": "loud", "category": "c"}]})").find("rule 'x'"), std::string::npos);
  EXPECT_NE(err(R"({"rules": [{"id": "x", "class": "noise"}]})").find("needs \"category\""), std::string::npos);
  EXPECT_NE(err(R"({"rules": [{"id": "x", "attributes": ["colour"], "class": "noise", "category": "c"}]})").find("unknown attribute 'colour'"),
            std::string::npos);
  EXPECT_NE(err(R"({"rules": [{"id": "x", "paths": ["/etc"], "class": "noise", "category": "c"}]})").find("no leading '/'"),
            std::string::npos);
  EXPECT_NE(err(R"({"hazards": [{"id": "h", "category": "c"}]})").find("needs \"paths\""), std::string::npos);
}

TEST(DriftRules, UserRulesReplaceByIdAndGoFirstIgnoresGoFirstOfAll) {
  DriftRules shipped = load_drift_rules({}, {});
  char name[] = "/tmp/drift-rules-XXXXXX";
  int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  std::string text = R"({"rules": [{"id": "mtime-only", "attributes": ["mtime"], "class": "drift", "category": "t"},
                                    {"id": "mine", "paths": ["opt/**"], "class": "noise", "category": "opt"}]})";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  DriftRules r = load_drift_rules({name}, {"/var/lib/alloy", "srv/*.tmp"});
  unlink(name);
  ASSERT_EQ(r.rules.size(), shipped.rules.size() + 3);
  EXPECT_EQ(r.rules[0].id, "ignore:var/lib/alloy");
  EXPECT_TRUE(rule_matches_path(r.rules[0], "var/lib/alloy"));
  EXPECT_TRUE(rule_matches_path(r.rules[0], "var/lib/alloy/data/wal"));
  EXPECT_FALSE(rule_matches_path(r.rules[0], "var/lib/alloyx"));
  EXPECT_EQ(r.rules[1].id, "ignore:srv/*.tmp");
  EXPECT_EQ(r.rules[2].id, "mine");
  EXPECT_EQ(r.rules[3].id, "mtime-only");
  EXPECT_EQ(r.rules[3].cls, Class::Drift);
}

TEST(DriftRules, AttributeNamesRoundTrip) {
  uint16_t all = 0;
  for (int i = 0; i < kAttrCount; ++i) {
    uint16_t bit = 0;
    ASSERT_TRUE(parse_attr(attr_name(i), bit));
    all |= bit;
  }
  EXPECT_EQ(attr_names(all).size(), static_cast<size_t>(kAttrCount));
  EXPECT_EQ(attr_names(kMode | kMtime), (std::vector<std::string>{"mode", "mtime"}));
}

}  // namespace drift_rules_test
