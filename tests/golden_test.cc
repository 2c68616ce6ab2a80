// Goldens of every report format, byte for byte: check (text, json, sarif, junit, codequality,
// markdown), diff (text, json, markdown, html), inspect (text, json) and `rules`, on the bundled
// example image and its rebuild (fixtures/recipes/example*.json). They run the library pipelines
// with a fixed run context (clock, day, host, a frozen clock for durations), so nothing is
// stripped before comparing.
//
// After a deliberate change: IMAGELINT_UPDATE_GOLDEN=1 build/imagelint_e2e_tests --gtest_filter='Goldens.*'
// rewrites tests/golden/, then read `git diff tests/golden` before committing it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/pipelines.h"
#include "harness.h"
#include "report/check_report.h"
#include "report/diff_report.h"
#include "report/inspect_report.h"
#include "rules/packs.h"

namespace imagelint {
namespace e2e_golden_test {

using testing_util::TempDir;

RunContext fixed_run() {
  RunContext run;
  run.now = 1780315200;  // 2026-06-01T12:00:00Z
  run.today = "2026-06-01";
  run.host = "golden-host";
  run.frozen_clock = true;
  run.threads = 2;
  return run;
}

void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = testing_util::source_dir() + "/tests/golden/" + name;
  if (std::getenv("IMAGELINT_UPDATE_GOLDEN")) testing_util::write_file(path, text);
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing (IMAGELINT_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(text, testing_util::read_file(path)) << "golden " << name << " differs (IMAGELINT_UPDATE_GOLDEN=1 rewrites it)";
}

// The example images, written in a temporary directory that is the working directory while the
// test runs: references are relative, as a user types them, and so is what the reports print.
class Goldens : public testing::Test {
 protected:
  void SetUp() override {
    fixture::write_oci_archive({testing_util::recipe("example")}, dir_ / "example.oci.tar");
    fixture::write_oci_archive({testing_util::recipe("example-rebuild")}, dir_ / "example-rebuild.oci.tar");
    old_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
  }
  void TearDown() override { std::filesystem::current_path(old_); }

  TempDir dir_;
  std::filesystem::path old_;
};

TEST_F(Goldens, Check) {
  const RunContext run = fixed_run();
  pipeline::CheckRequest req;
  req.image.image = "example.oci.tar";
  pipeline::Checked got = pipeline::check(req, run);
  for (auto [format, name] : {std::pair{"text", "check.txt"}, {"json", "check.json"}, {"sarif", "check.sarif"},
                              {"junit", "check.junit.xml"}, {"codequality", "check.codequality.json"},
                              {"markdown", "check.md"}}) {
    SCOPED_TRACE(format);
    expect_golden(name, find_check_writer(format)(CheckReport{got.image, got.result, got.rules, Severity::Error, false,
                                                                false, run.now, run.host}));
  }
}

TEST_F(Goldens, Diff) {
  const RunContext run = fixed_run();
  pipeline::DiffRequest req;
  req.a.image = "example.oci.tar";
  req.b.image = "example-rebuild.oci.tar";
  pipeline::Diffed got = pipeline::diff(req, run);
  EXPECT_EQ(got.seconds, 0) << "a frozen clock";
  for (auto [format, name] : {std::pair{"text", "diff.txt"}, {"json", "diff.json"}, {"markdown", "diff.md"},
                              {"html", "diff.html"}}) {
    SCOPED_TRACE(format);
    expect_golden(name, find_diff_writer(format)(DiffReport{got.a, got.b, got.result, got.seconds, run.now, false}));
  }
}

TEST_F(Goldens, InspectAndRules) {
  const RunContext run = fixed_run();
  pipeline::Inspected got = pipeline::inspect({"example.oci.tar", ""}, run);
  expect_golden("inspect.txt", inspect_text(got.image, got.gathered));
  expect_golden("inspect.json", inspect_json(got.image, got.gathered));
  expect_golden("rules.txt", rules_text(load_rules({})));
  expect_golden("rules-bootc-base.txt", rules_text(load_rules({"bootc-base"})));
}

}  // namespace e2e_golden_test
}  // namespace imagelint
