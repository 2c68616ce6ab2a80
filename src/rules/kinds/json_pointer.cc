// json-pointer: a JSON file (exact path, followed through symlinks) where an RFC 6901 pointer must
// exist (op "exists"), equal a JSON value (op "equals", params.value) or not exist (op "absent").
// A file that does not parse as JSON is a finding; so is a missing file, except for "absent".
#include "facts/documents.h"
#include "rules/kinds/common.h"
#include "util/error.h"
#include "util/text.h"

namespace imagelint {
namespace {

constexpr uint64_t kDefaultMaxJsonBytes = 8 << 20;

struct Params {
  std::string path, op;
  nlohmann::json::json_pointer pointer;
  nlohmann::json value;
  uint64_t max_bytes = kDefaultMaxJsonBytes;
};

Params params(const RuleSpec& rule) {
  Params p;
  auto str = [&](const char* key) {
    auto it = rule.params.find(key);
    if (it == rule.params.end() || !it->is_string())
      throw UsageError("rule " + rule.id + ": needs params." + key + " (a string)");
    return it->get<std::string>();
  };
  p.path = str("path");
  if (p.path.empty() || p.path[0] == '/') throw UsageError("rule " + rule.id + ": params.path is an image path without a leading '/'");
  std::string ptr = str("pointer");
  try {
    p.pointer = nlohmann::json::json_pointer(ptr);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError("rule " + rule.id + ": params.pointer '" + ptr + "' is not a JSON pointer (RFC 6901): " + e.what());
  }
  p.op = str("op");
  if (p.op != "exists" && p.op != "equals" && p.op != "absent")
    throw UsageError("rule " + rule.id + ": params.op must be \"exists\", \"equals\" or \"absent\"");
  if (p.op == "equals") {
    if (!rule.params.contains("value")) throw UsageError("rule " + rule.id + ": op \"equals\" needs params.value");
    p.value = rule.params["value"];
  }
  if (auto it = rule.params.find("max_bytes"); it != rule.params.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() == 0)
      throw UsageError("rule " + rule.id + ": parameter 'max_bytes' must be a positive integer");
    p.max_bytes = it->get<uint64_t>();
  }
  return p;
}

// A JSON value for a message, cut short when long.
std::string shown(const nlohmann::json& v) {
  std::string s = v.dump();
  return shorten(s, 120);
}

class JsonPointer : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override { params(rule); }
  void declare(const RuleSpec& rule, CaptureRequests& captures) const override {
    Params p = params(rule);
    captures.want_path(p.path, p.max_bytes + 1);  // one more byte tells "too large" from "exactly the cap"
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    Params p = params(rule);
    std::string why = rule.params.value("message", std::string());
    auto add = [&](const std::string& path, std::string msg) {
      if (!why.empty()) msg += ": " + why;
      out.push_back(make_finding(rule, path, std::move(msg)));
    };
    // Findings name the file that holds the bytes (the symlink's target), where it resolves.
    Resolved r = ctx.fs.resolve(p.path, true);
    const std::string file = r.status == Resolve::Ok ? r.path : p.path;
    const Captured* c = ctx.captures.get(p.path);
    if (!c) {
      std::string problem = ctx.captures.problem(p.path);
      if (!problem.empty()) add(p.path, p.path + " cannot be read: " + problem);
      else if (p.op != "absent") add("", p.path + " is missing");
      return;
    }
    if (c->size > p.max_bytes) {
      add(file, p.path + " is larger than " + std::to_string(p.max_bytes) + " bytes; not checked");
      return;
    }
    std::optional<nlohmann::json> doc = parse_json_document(c->data);
    if (!doc) {
      add(file, p.path + " is not JSON");
      return;
    }
    const nlohmann::json& j = *doc;
    const std::string ptr = p.pointer.to_string();
    bool has = false;
    try {
      has = j.contains(p.pointer);
    } catch (const nlohmann::json::exception&) {
      has = false;  // e.g. a non-numeric token into an array
    }
    if (p.op == "exists" && !has) add(file, p.path + ": " + ptr + " does not exist");
    if (p.op == "absent" && has) add(file, p.path + ": " + ptr + " must not exist (it is " + shown(j.at(p.pointer)) + ")");
    if (p.op == "equals") {
      if (!has) add(file, p.path + ": " + ptr + " does not exist (expected " + shown(p.value) + ")");
      else if (j.at(p.pointer) != p.value)
        add(file, p.path + ": " + ptr + " is " + shown(j.at(p.pointer)) + ", expected " + shown(p.value));
    }
  }
};

}  // namespace

std::unique_ptr<RuleKind> make_json_pointer() { return std::make_unique<JsonPointer>(); }

}  // namespace imagelint
