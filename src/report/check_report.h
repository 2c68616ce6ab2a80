// Reports of `imagelint check`. Each format is one function from the same CheckReport; a new
// format (sarif, junit, codequality, markdown) is one more function and one table line.
#pragma once
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
};

using CheckWriter = std::string (*)(const CheckReport&);
// nullptr for a format not (yet) written.
CheckWriter find_check_writer(const std::string& format);

std::string check_text(const CheckReport& r);
std::string check_json(const CheckReport& r);

// The `image` object shared by check, diff and inspect JSON.
nlohmann::json image_to_json(const Image& img, const BuildResult* built);

}  // namespace imagelint
