#include "facts/documents.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace facts_documents_test {

TEST(KargsFile, ReadsBootcsSchema) {
  KargsFile f = parse_kargs_file("kargs = [\"console=ttyS0\", \"quiet\"]\nmatch-architectures = [\"x86_64\"]\n");
  EXPECT_EQ(f.error, "");
  EXPECT_EQ(f.kargs, (std::vector<std::string>{"console=ttyS0", "quiet"}));
  ASSERT_TRUE(f.match_architectures);
  EXPECT_EQ(*f.match_architectures, std::vector<std::string>{"x86_64"});
  EXPECT_FALSE(parse_kargs_file("kargs = []\n").match_architectures);
}

TEST(KargsFile, RefusesWhatBootcRefusesSayingWhere) {
  EXPECT_EQ(parse_kargs_file("match-architectures = [\"x86_64\"]\n").error, "missing key 'kargs'");
  EXPECT_EQ(parse_kargs_file("kargs = [\"a\"]\nextra = 1\n").error, "line 2: unknown key 'extra' (only kargs and match-architectures)");
  EXPECT_EQ(parse_kargs_file("kargs = \"quiet\"\n").error, "line 1: 'kargs' must be a list of strings, not a string");
  EXPECT_EQ(parse_kargs_file("kargs = [1]\n").error, "line 1: 'kargs' must be a list of strings, not hold an integer");
  EXPECT_EQ(parse_kargs_file("kargs = [\"\xff\"]\n").error, "not UTF-8");
  std::string cut = parse_kargs_file("kargs = [\n").error;  // toml++ names where the list is cut
  EXPECT_EQ(cut.rfind("line ", 0), 0u) << cut;
  EXPECT_NE(cut.find(", column "), std::string::npos) << cut;
}

TEST(KeyFile, GroupsKeysAndCommentsAsGlibReadsThem) {
  KeyFile f = parse_key_file("# ostree\n[composefs]\n enabled = yes \n\n[root]\ntransient=true\n");
  EXPECT_EQ(f.error, "");
  EXPECT_EQ(f.values, (std::map<std::string, std::string>{{"composefs.enabled", "yes"}, {"root.transient", "true"}}));
}

TEST(KeyFile, TheFirstLineGlibRefusesIsTheError) {
  EXPECT_EQ(parse_key_file("enabled=yes\n").error, "line 1: key outside any group");
  EXPECT_EQ(parse_key_file("[a]\nx=1\n[broken\n").error, "line 3: bad group header");
  KeyFile f = parse_key_file("[a]\nx=1\njust words\n");
  EXPECT_EQ(f.error, "line 3: neither a group, a key=value pair nor a comment");
  EXPECT_TRUE(f.values.empty());
}

TEST(JsonDocument, ParsesOrSaysNo) {
  auto j = parse_json_document("{\"default\": [{\"type\": \"reject\"}]}");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["default"][0]["type"], "reject");
  EXPECT_FALSE(parse_json_document("{\"a\": 1"));
  EXPECT_FALSE(parse_json_document(""));
}

}  // namespace facts_documents_test
}  // namespace imagelint
