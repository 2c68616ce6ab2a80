// Reports of `imagelint check`. Each format is one function from the same CheckReport; a new
// format (sarif, junit, codequality, markdown) is one more function and one table line.
#pragma once
#include <ctime>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "fs/build.h"
#include "image/image.h"
#include "rules/engine.h"

namespace imagelint {

struct CheckReport {
  const Image& image;
  const CheckResult& result;
  const RuleSet& rules;
  Severity fail_on = Severity::Error;
  bool color = false;
  bool all = false;  // text: every finding, not a few rows per rule
  // The run's clock and host (RunContext::now, ::host): JUnit's timestamp and hostname.
  std::time_t now = 0;
  std::string host = "localhost";
  const BaseState* base = nullptr;  // check --base: the base's name and layer count
};

using CheckWriter = std::string (*)(const CheckReport&);
// text json sarif junit codequality markdown; nullptr for any other.
CheckWriter find_check_writer(const std::string& format);

std::string check_text(const CheckReport& r);
// `imagelint rules`: id, severity, pack and summary of each rule, one line each.
std::string rules_text(const RuleSet& rules);
std::string check_json(const CheckReport& r);
// check_formats.cc: for other tools and merge requests.
std::string check_sarif(const CheckReport& r);        // SARIF 2.1.0
std::string check_junit(const CheckReport& r);        // JUnit XML, one testcase per rule
std::string check_codequality(const CheckReport& r);  // GitLab Code Quality (a JSON array)
std::string check_markdown(const CheckReport& r);

// The `image` object shared by check, diff and inspect JSON.
nlohmann::json image_to_json(const Image& img, const BuildResult* built);

}  // namespace imagelint
