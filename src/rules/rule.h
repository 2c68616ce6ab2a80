// The rule engine's vocabulary. A rule pack (rules/*.json) names rules; each rule has a kind,
// and a kind is C++ (src/rules/kinds/<kind>.cc, one file per kind) that reads facts and the final
// filesystem and reports findings. A kind never opens a file, decompresses or parses anything: it
// asks the pass for content (declare, through CaptureRequests) or for facts (declare_needs), and
// documents are parsed for it by facts/ (facts/documents.h, facts/users.h, ...).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facts/facts.h"
#include "fs/filesystem.h"
#include "image/image.h"

namespace imagelint {

enum class Severity { Error, Warning, Info };
const char* severity_name(Severity s);
bool parse_severity(const std::string& text, Severity& out);

// One rule as a pack declares it (after --rules overrides are applied).
struct RuleSpec {
  std::string id;       // stable, what users and CI depend on (DESIGN.md)
  std::string kind;     // the C++ kind that implements it
  std::string pack;     // the pack that declared it
  Severity severity = Severity::Error;
  std::string summary;  // one line; also what `imagelint rules` prints
  nlohmann::json params = nlohmann::json::object();
};

struct Finding {
  std::string rule;
  Severity severity = Severity::Error;
  std::string message;  // what is wrong and where, one sentence
  std::string path;     // image path, no leading '/', or "" for image-wide findings
  // Filled by the engine from the final filesystem and the package database:
  int layer = -1;       // the layer that introduced the entry at path (or -1)
  std::string created_by;
  std::string package;  // owning package NEVRA, where one owns path
  std::string fingerprint;
  bool waived = false;
  std::string waiver;   // the waiver's reason, or why it no longer waives
};

// What a kind sees.
struct Context {
  const Image& image;
  const FileSystem& fs;
  const Facts& facts;
  const CaptureSet& captures;  // what the kinds declared before the pass
};

class RuleKind {
 public:
  virtual ~RuleKind() = default;
  // Throws UsageError naming the rule when params are wrong (a bad pack is exit 2).
  virtual void validate(const RuleSpec& rule) const { (void)rule; }
  // Declares file content the kind needs, before the single pass over the layers.
  virtual void declare(const RuleSpec& rule, CaptureRequests& captures) const {
    (void)rule;
    (void)captures;
  }
  // Asks for facts the pass does not read by default (see FactNeeds).
  virtual void declare_needs(const RuleSpec& rule, FactNeeds& needs) const {
    (void)rule;
    (void)needs;
  }
  // Appends findings; sets rule, severity, message and path. A fact the rule needs that could not
  // be read is a finding of this rule, never an exception.
  virtual void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const = 0;
};

// The registry (src/rules/registry.cc): one line per kind.
const RuleKind* find_kind(const std::string& name);
std::vector<std::string> kind_names();

// A finding for rule at path with message (the engine fills the rest).
Finding make_finding(const RuleSpec& rule, std::string path, std::string message);

// The severity a kind gives some of its findings below the rule's own (params[key], e.g.
// "warning"), or fallback when the key is absent; throws UsageError naming the rule when it is
// not a severity. The engine never lets a finding be more severe than its rule.
Severity param_severity(const RuleSpec& rule, const char* key, Severity fallback);

// Reads a list of strings from params (missing -> empty); throws UsageError naming the rule.
std::vector<std::string> param_strings(const RuleSpec& rule, const char* key);

}  // namespace imagelint
