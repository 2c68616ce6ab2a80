// `check --format sarif|junit|codequality|markdown`: every machine format validated against the
// official schema in ../shared/schemas (SARIF 2.1.0, the Ant JUnit XSD with xmllint, GitLab's
// Code Quality item), on an image whose file names try to break out of each format; golden files
// for the text and markdown of the bundled example.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_check_formats_test {

using namespace testing_util;
using fixture::file;

std::string schemas() { return source_dir() + "/../shared/schemas"; }

Result validate_json(const std::string& schema, const std::string& instance, bool items = false) {
  std::vector<std::string> argv{"/usr/bin/python3", source_dir() + "/tests/validate_json.py", schemas() + "/" + schema, instance};
  if (items) argv.push_back("--items");
  return run(argv);
}

class Formats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(std::filesystem::exists(schemas() + "/sarif-schema-2.1.0.json")) << "the schemas are in ../shared/schemas";
    dir_ = new TempDir;
    // Findings of three severities, a waived one, an image-wide one, two findings with one
    // fingerprint's worth of text, and names that are markup in every format.
    fixture::Recipe r = good_instance_plus({{
        file("etc/<script>alert(1)</script>&\"'.conf", "x", 0666),
        file("etc/a]]><!--\\x2d|`*_.conf", "x", 0666),
        file("etc/tab\tand\x1b[31mesc.conf", "x", 0666),
        file("usr/local/bin/helper", "h", 04755),
        fixture::symlink("etc/systemd/system/sockets.target.wants/podman.socket", "/usr/lib/systemd/system/podman.socket"),
    }});
    fixture::write_oci({r}, *dir_ / "oci");
    write_file(*dir_ / "w.json", R"({"waivers": [{"rule": "setuid-files", "path": "usr/local/bin/*", "reason": "vendor tool, OPS-7", "expires": "2027-01-01"}]})");
    // An image-wide finding (no path): a label the site wants.
    write_file(*dir_ / "site.json", R"({"name": "site", "rules": [{"id": "owner-label", "kind": "label-present", "severity": "info",
      "summary": "Images name their owner.", "params": {"labels": ["org.example.owner"]}}]})");
    Result res = run({"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", *dir_ / "oci", "--waivers", *dir_ / "w.json", "--rules", *dir_ / "site.json",
                      "--format", "json", "--output", *dir_ / "c.json", "--format", "sarif", "--output", *dir_ / "c.sarif",
                      "--format", "junit", "--output", *dir_ / "c.xml", "--format", "codequality", "--output", *dir_ / "cq.json",
                      "--format", "markdown", "--output", *dir_ / "c.md"});
    ASSERT_EQ(res.code, 1) << res.err;  // kmod-version errors: the good instance has no rpm database here
    json_ = new nlohmann::json(nlohmann::json::parse(read_file(*dir_ / "c.json")));
  }
  static void TearDownTestSuite() {
    delete json_;
    delete dir_;
  }
  static TempDir* dir_;
  static nlohmann::json* json_;
};
TempDir* Formats::dir_ = nullptr;
nlohmann::json* Formats::json_ = nullptr;

TEST_F(Formats, SarifIsValidAndCarriesEveryFinding) {
  Result v = validate_json("sarif-schema-2.1.0.json", *dir_ / "c.sarif");
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  auto s = nlohmann::json::parse(read_file(*dir_ / "c.sarif"));
  auto& run0 = s["runs"][0];
  ASSERT_EQ(run0["results"].size(), (*json_)["findings"].size());
  std::set<std::string> levels;
  bool suppressed = false, escaped = false, image_wide = false;
  for (auto& res : run0["results"]) {
    levels.insert(res["level"]);
    EXPECT_EQ(res["partialFingerprints"]["imagelint/v1"].get<std::string>().size(), 16u);
    EXPECT_EQ(run0["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"], res["ruleId"]);
    suppressed |= res.contains("suppressions") && res["ruleId"] == "setuid-files";
    if (res["locations"][0].contains("logicalLocations")) image_wide = true;
    else if (res["properties"]["path"] == "etc/<script>alert(1)</script>&\"'.conf")
      escaped = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "etc/%3Cscript%3Ealert%281%29%3C/script%3E%26%22%27.conf";
  }
  EXPECT_EQ(levels, (std::set<std::string>{"error", "warning", "note"}));
  EXPECT_TRUE(suppressed);
  EXPECT_TRUE(escaped);
  EXPECT_TRUE(image_wide);
  // Help comes from docs/rules (a site's own rule has its summary).
  for (auto& rule : run0["tool"]["driver"]["rules"])
    if (rule["id"] != "owner-label") {
      EXPECT_NE(rule["help"]["markdown"].get<std::string>().find("## "), std::string::npos) << rule["id"];
    }
  // The validator can fail: a SARIF without its version is refused.
  s.erase("version");
  write_file(*dir_ / "broken.sarif", s.dump());
  EXPECT_EQ(validate_json("sarif-schema-2.1.0.json", *dir_ / "broken.sarif").code, 1);
}

TEST_F(Formats, JunitIsValidForTheAntSchemaWithOneTestcasePerRule) {
  Result v = run({"xmllint", "--noout", "--schema", schemas() + "/JUnit.xsd", *dir_ / "c.xml"});
  EXPECT_EQ(v.code, 0) << v.err;
  std::string x = read_file(*dir_ / "c.xml");
  EXPECT_NE(x.find("tests=\"29\" failures=\"1\""), std::string::npos) << x;  // kmod-version fails; warnings do not
  EXPECT_NE(x.find("<testcase name=\"kmod-version\" classname=\"imagelint.bootc-base\" time=\"0\">\n      <failure"), std::string::npos);
  EXPECT_NE(x.find("world-writable [warning] etc/&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;.conf"), std::string::npos) << x;
  EXPECT_NE(x.find("setuid-files [waived warning] usr/local/bin/helper"), std::string::npos) << x;
  EXPECT_NE(x.find("etc/tab\\x09and\\x1b[31mesc.conf"), std::string::npos) << x;  // no control byte reaches XML
  EXPECT_EQ(x.find('\x1b'), std::string::npos);
  Result broken = run({"sh", "-c", "sed 's/<testcase /<testcase bogus=\"1\" /' c.xml > b.xml && xmllint --noout --schema " +
                                       schemas() + "/JUnit.xsd b.xml"}, dir_->path());
  EXPECT_NE(broken.code, 0);  // the schema is really applied
}

TEST_F(Formats, CodeQualityItemsAreValidWithUniqueFingerprints) {
  Result v = validate_json("gitlab-codeclimate.json", *dir_ / "cq.json", true);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  auto items = nlohmann::json::parse(read_file(*dir_ / "cq.json"));
  ASSERT_TRUE(items.is_array());
  EXPECT_EQ(items.size(), (*json_)["findings"].size() - 1);  // the waived finding is left out
  std::set<std::string> fps, severities;
  for (auto& i : items) {
    fps.insert(i["fingerprint"]);
    severities.insert(i["severity"]);
    EXPECT_TRUE(i["location"]["path"].is_string());
  }
  EXPECT_EQ(fps.size(), items.size());
  EXPECT_EQ(severities, (std::set<std::string>{"critical", "minor", "info"}));
  EXPECT_NE(read_file(*dir_ / "cq.json").rfind("[", 0), std::string::npos);  // an array, no byte-order mark
  write_file(*dir_ / "broken.json", R"([{"description": "no fingerprint", "severity": "minor", "location": {"path": "x"}}])");
  EXPECT_EQ(validate_json("gitlab-codeclimate.json", *dir_ / "broken.json", true).code, 1);
}

TEST_F(Formats, MarkdownEscapesNamesFromTheImage) {
  std::string md = read_file(*dir_ / "c.md");
  EXPECT_TRUE(md.starts_with("### ❌ imagelint check: FAILED (--fail-on error)")) << md;
  // Raw only inside a code span (literal in CommonMark); in running text escaped.
  size_t raw = md.find("<script>");
  EXPECT_NE(md.find("`etc/<script>alert(1)</script>&\"'.conf`"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>", raw + 1), std::string::npos) << md;
  EXPECT_NE(md.find("etc/\\<script\\>alert(1)\\</script\\>"), std::string::npos) << md;
  EXPECT_NE(md.find("`etc/a]]><!--\\x2d\\|'*_.conf`"), std::string::npos) << md;  // '|' cannot end a cell, '`' a span
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  EXPECT_NE(md.find("| warning | `world-writable` | 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("waived: vendor tool, OPS-7"), std::string::npos) << md;
}

// Found by the policy fuzzer: a policy.json of one invalid byte made the parse error quote it,
// and the JSON reports threw on it (exit 2, "internal error") instead of reporting a finding.
TEST(Regression, APolicyThatIsNotUtf8IsAFindingInEveryFormat) {
  TempDir d;
  fixture::write_rootfs(recipe("good-instance"), d / "root");
  write_file(d / "root/etc/containers/policy.json", read_file(source_dir() + "/fuzz/regressions/policy/invalid-utf8-in-parse-error"));
  for (const char* format : {"text", "json", "sarif", "junit", "codequality", "markdown"}) {
    Result r = run({"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", "dir:" + (d / "root"), "--format", format});
    EXPECT_EQ(r.code, 1) << format << ": " << r.err;
    EXPECT_NE(r.out.find("policy-default-deny"), std::string::npos) << format;
    if (std::string(format) == "json" || std::string(format) == "sarif" || std::string(format) == "codequality") {
      EXPECT_FALSE(nlohmann::json::parse(r.out, nullptr, false).is_discarded()) << format;
    }
  }
  Result inspect = run({IMAGELINT_BIN, "inspect", "dir:" + (d / "root"), "--format", "json"});
  EXPECT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_FALSE(nlohmann::json::parse(inspect.out, nullptr, false).is_discarded());
}

// Goldens of every format (text and markdown included) are tests/golden_test.cc.

}  // namespace e2e_check_formats_test
