#include "rules/rule.h"

#include "util/error.h"

namespace imagelint {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "?";
}

bool parse_severity(const std::string& text, Severity& out) {
  if (text == "error") out = Severity::Error;
  else if (text == "warning") out = Severity::Warning;
  else if (text == "info") out = Severity::Info;
  else return false;
  return true;
}

Severity param_severity(const RuleSpec& rule, const char* key, Severity fallback) {
  auto it = rule.params.find(key);
  if (it == rule.params.end()) return fallback;
  Severity s;
  if (!it->is_string() || !parse_severity(it->get<std::string>(), s))
    throw UsageError("rule " + rule.id + ": params." + key + " must be error, warning or info");
  return s;
}

Finding make_finding(const RuleSpec& rule, std::string path, std::string message) {
  Finding f;
  f.rule = rule.id;
  f.severity = rule.severity;
  f.path = std::move(path);
  f.message = std::move(message);
  return f;
}

std::vector<std::string> param_strings(const RuleSpec& rule, const char* key) {
  std::vector<std::string> out;
  auto it = rule.params.find(key);
  if (it == rule.params.end()) return out;
  if (!it->is_array()) throw UsageError("rule " + rule.id + ": parameter '" + key + "' must be a list of strings");
  for (auto& v : *it) {
    if (!v.is_string()) throw UsageError("rule " + rule.id + ": parameter '" + key + "' must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace imagelint
