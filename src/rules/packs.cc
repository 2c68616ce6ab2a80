#include "rules/packs.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "util/error.h"
#include "util/text.h"

namespace imagelint {

// Generated at build time from rules/*.json (see CMakeLists.txt).
extern const std::vector<std::pair<std::string, std::string>>& shipped_packs();
// Generated at build time from docs/rules/*.md (see CMakeLists.txt).
extern const std::vector<std::pair<std::string, std::string>>& shipped_rule_docs();

const std::string* rule_doc(const std::string& id) {
  for (auto& [name, text] : shipped_rule_docs())
    if (name == id) return &text;
  return nullptr;
}

std::string rule_doc_summary(const std::string& id) {
  const std::string* doc = rule_doc(id);
  if (!doc) return "";
  // "# id", a blank line, then the first paragraph.
  size_t start = doc->find("\n\n");
  if (start == std::string::npos) return "";
  start += 2;
  size_t end = doc->find("\n\n", start);
  std::string para = doc->substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (char& c : para)
    if (c == '\n') c = ' ';
  while (!para.empty() && para.back() == ' ') para.pop_back();
  return para;
}


namespace {

using nlohmann::json;

// BINDIR/../share/imagelint/rules of the running binary, or "" when it cannot be told.
std::string installed_packs_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  return (exe.parent_path().parent_path() / "share" / "imagelint" / "rules").string();
}

struct Loader {
  std::map<std::string, RuleSpec> rules;
  std::vector<std::string> loaded;
  std::set<std::string> active;

  json parse(const std::string& text, const std::string& where) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw InputError(where, "not a JSON object");
    for (auto& [k, v] : j.items())
      if (k != "name" && k != "description" && k != "extends" && k != "rules")
        throw InputError(where, "unknown key '" + k + "' (a pack has name, description, extends, rules)");
    if (!j.contains("name") || !j["name"].is_string()) throw InputError(where, "a pack needs a \"name\"");
    return j;
  }

  void load_named(const std::string& name, const std::string& from) {
    for (auto& [n, text] : shipped_packs())
      if (n == name) {
        // An installed copy (cmake --install: PREFIX/share/imagelint/rules) wins over the one
        // compiled in, so a packager or an administrator may adjust a shipped pack.
        if (std::string dir = installed_packs_dir(); !dir.empty()) {
          std::string file = dir + "/" + n + ".json";
          if (std::filesystem::is_regular_file(file)) {
            load(parse(read_small_file(file, "rule pack"), file), file);
            return;
          }
        }
        load(parse(text, "rules/" + n + ".json"), "rules/" + n + ".json");
        return;
      }
    throw UsageError(from + ": no rule pack named '" + name + "' (shipped: " + list(shipped_pack_names()) + ")");
  }

  static std::string list(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  void load(const json& pack, const std::string& where) {
    std::string name = pack["name"].get<std::string>();
    if (active.count(name)) throw InputError(where, "pack '" + name + "' extends itself (a cycle)");
    if (std::find(loaded.begin(), loaded.end(), name) != loaded.end()) return;
    active.insert(name);
    if (auto e = pack.find("extends"); e != pack.end()) {
      if (!e->is_array()) throw InputError(where, "\"extends\" must be a list of pack names");
      for (auto& base : *e) {
        if (!base.is_string()) throw InputError(where, "\"extends\" must be a list of pack names");
        load_named(base.get<std::string>(), where);
      }
    }
    if (auto r = pack.find("rules"); r != pack.end()) {
      if (!r->is_array()) throw InputError(where, "\"rules\" must be a list");
      for (auto& jr : *r) add_rule(jr, name, where);
    }
    active.erase(name);
    loaded.push_back(name);
  }

  void add_rule(const json& jr, const std::string& pack, const std::string& where) {
    if (!jr.is_object() || !jr.contains("id") || !jr["id"].is_string()) throw InputError(where, "a rule needs an \"id\"");
    std::string id = jr["id"].get<std::string>();
    for (auto& [k, v] : jr.items())
      if (k != "id" && k != "kind" && k != "severity" && k != "summary" && k != "params")
        throw InputError(where, "rule " + id + ": unknown key '" + k + "'");
    auto existing = rules.find(id);
    RuleSpec spec;
    if (existing != rules.end()) {
      spec = existing->second;  // an override: only what is given changes
      if (jr.contains("kind") && jr["kind"] != spec.kind)
        throw InputError(where, "rule " + id + ": an override cannot change the kind (" + spec.kind + ")");
    } else {
      if (!jr.contains("kind") || !jr["kind"].is_string())
        throw InputError(where, "rule " + id + ": no such shipped rule, and no \"kind\" to define it");
      spec.id = id;
      spec.kind = jr["kind"].get<std::string>();
      spec.pack = pack;
    }
    if (!find_kind(spec.kind))
      throw InputError(where, "rule " + id + ": unknown kind '" + spec.kind + "' (kinds: " + list(kind_names()) + ")");
    if (jr.contains("severity")) {
      if (!jr["severity"].is_string() || !parse_severity(jr["severity"].get<std::string>(), spec.severity))
        throw InputError(where, "rule " + id + ": severity must be error, warning or info");
    }
    if (jr.contains("summary")) {
      if (!jr["summary"].is_string()) throw InputError(where, "rule " + id + ": summary must be a string");
      spec.summary = jr["summary"].get<std::string>();
    }
    if (jr.contains("params")) {
      if (!jr["params"].is_object()) throw InputError(where, "rule " + id + ": params must be an object");
      for (auto& [k, v] : jr["params"].items()) spec.params[k] = v;
    }
    if (spec.summary.empty()) spec.summary = rule_doc_summary(id);
    if (spec.summary.empty()) throw InputError(where, "rule " + id + ": a rule needs a one-line \"summary\"");
    try {
      find_kind(spec.kind)->validate(spec);
    } catch (const UsageError& e) {
      throw InputError(where, e.what());
    }
    rules[id] = std::move(spec);
  }
};


bool is_shipped(const std::string& name) {
  for (auto& [n, t] : shipped_packs())
    if (n == name) return true;
  return false;
}

}  // namespace

std::vector<std::string> shipped_pack_names() {
  std::vector<std::string> out;
  for (auto& [n, t] : shipped_packs()) out.push_back(n);
  return out;
}

RuleSet load_rules(const std::vector<std::string>& args) {
  Loader l;
  // User files layer on top of the default pack unless some argument names a pack of its own
  // base (a shipped pack, or a file that extends one).
  bool has_base = false;
  std::vector<std::pair<json, std::string>> files;
  for (const std::string& a : args) {
    if (is_shipped(a)) {
      has_base = true;
      continue;
    }
    json j = l.parse(read_small_file(a, "rule pack"), a);
    if (j.contains("extends")) has_base = true;
    files.emplace_back(std::move(j), a);
  }
  if (!has_base) l.load_named(kDefaultPack, "--rules");
  size_t fi = 0;
  for (const std::string& a : args) {
    if (is_shipped(a)) l.load_named(a, "--rules");
    else {
      l.load(files[fi].first, files[fi].second);
      ++fi;
    }
  }
  RuleSet set;
  for (auto& [id, spec] : l.rules) set.rules.push_back(spec);
  set.packs = l.loaded;
  return set;
}

}  // namespace imagelint
