#include "drift/rules.h"

#include <nlohmann/json.hpp>

#include "drift/normalise.h"
#include "util/path.h"
#include "util/error.h"
#include "util/text.h"

namespace imagelint {
// Generated at build time from rules/drift.json (see CMakeLists.txt).
extern const char* shipped_drift_rules();
}  // namespace imagelint

namespace imagelint::drift {
namespace {

using nlohmann::json;

constexpr const char* kAttrNames[kAttrCount] = {"content", "type",  "mode", "uid",      "gid",
                                                "mtime",   "xattrs", "link", "hardlink", "device"};

std::string str_field(const json& j, const char* key, const std::string& where, bool required = false) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw InputError(where, std::string("needs \"") + key + "\"");
    return {};
  }
  if (!it->is_string()) throw InputError(where, std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

std::vector<std::string> str_list(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) throw InputError(where, std::string("\"") + key + "\" must be a list of strings");
  for (auto& v : *it) {
    if (!v.is_string()) throw InputError(where, std::string("\"") + key + "\" must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

void check_keys(const json& j, std::initializer_list<const char*> allowed, const std::string& where) {
  for (auto& [k, v] : j.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw InputError(where, "unknown key '" + k + "' (allowed: " + list + ")");
    }
  }
}

bool parse_class(const std::string& s, Class& out) {
  if (s == "noise") out = Class::Noise;
  else if (s == "drift") out = Class::Drift;
  else if (s == "hazard") out = Class::Hazard;
  else return false;
  return true;
}

void check_paths(const std::vector<std::string>& paths, const std::string& where) {
  for (auto& p : paths)
    if (p.empty() || p[0] == '/') throw InputError(where, "path pattern '" + p + "' must be relative to the image root (no leading '/')");
}

DriftRule parse_rule(const json& j, const std::string& where_file, size_t i) {
  std::string where = where_file + ": rules[" + std::to_string(i) + "]";
  if (!j.is_object()) throw InputError(where, "a rule is a JSON object");
  check_keys(j, {"id", "paths", "attributes", "kinds", "normaliser", "early", "class", "category",
                 "packages_explain", "description", "hint"}, where);
  DriftRule r;
  r.id = str_field(j, "id", where, true);
  where = where_file + ": rule '" + r.id + "'";
  r.paths = str_list(j, "paths", where);
  check_paths(r.paths, where);
  for (auto& a : str_list(j, "attributes", where)) {
    uint16_t bit = 0;
    if (!parse_attr(a, bit))
      throw InputError(where, "unknown attribute '" + a + "' (content, type, mode, uid, gid, mtime, xattrs, link, hardlink, device)");
    r.attributes |= bit;
  }
  r.kinds = str_list(j, "kinds", where);
  for (auto& k : r.kinds)
    if (k != "added" && k != "removed" && k != "changed") throw InputError(where, "unknown kind '" + k + "' (added, removed, changed)");
  r.normaliser = str_field(j, "normaliser", where);
  if (!r.normaliser.empty() && !find_normaliser(r.normaliser)) {
    std::string names;
    for (auto& n : normaliser_names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError(where, "no normaliser named '" + r.normaliser + "' (there are: " + names + ")");
  }
  if (auto it = j.find("early"); it != j.end()) {
    if (!it->is_boolean()) throw InputError(where, "\"early\" must be true or false");
    r.early = it->get<bool>();
    if (r.early && r.normaliser.empty()) throw InputError(where, "\"early\" needs a \"normaliser\"");
  }
  std::string cls = str_field(j, "class", where, true);
  if (!parse_class(cls, r.cls)) throw InputError(where, "class must be noise, drift or hazard, not '" + cls + "'");
  r.category = str_field(j, "category", where, true);
  if (auto it = j.find("packages_explain"); it != j.end()) {
    if (!it->is_boolean()) throw InputError(where, "\"packages_explain\" must be true or false");
    r.packages_explain = it->get<bool>();
  }
  r.description = str_field(j, "description", where);
  r.hint = str_field(j, "hint", where);
  r.source = where_file;
  return r;
}

HazardRule parse_hazard(const json& j, const std::string& where_file, size_t i) {
  std::string where = where_file + ": hazards[" + std::to_string(i) + "]";
  if (!j.is_object()) throw InputError(where, "a hazard is a JSON object");
  check_keys(j, {"id", "paths", "nonempty", "category", "description"}, where);
  HazardRule h;
  h.id = str_field(j, "id", where, true);
  where = where_file + ": hazard '" + h.id + "'";
  h.paths = str_list(j, "paths", where);
  if (h.paths.empty()) throw InputError(where, "needs \"paths\"");
  check_paths(h.paths, where);
  if (auto it = j.find("nonempty"); it != j.end()) {
    if (!it->is_boolean()) throw InputError(where, "\"nonempty\" must be true or false");
    h.nonempty = it->get<bool>();
  }
  h.category = str_field(j, "category", where, true);
  h.description = str_field(j, "description", where);
  h.source = where_file;
  return h;
}


template <typename T>
void merge_by_id(std::vector<T>& into, std::vector<T> add) {
  std::vector<T> fresh;
  for (auto& r : add) {
    bool replaced = false;
    for (auto& old : into)
      if (old.id == r.id) {
        old = r;
        replaced = true;
      }
    if (!replaced) fresh.push_back(std::move(r));
  }
  into.insert(into.begin(), fresh.begin(), fresh.end());
}

}  // namespace

const char* class_name(Class c) {
  switch (c) {
    case Class::Noise: return "noise";
    case Class::Drift: return "drift";
    case Class::Hazard: return "hazard";
  }
  return "?";
}

const char* attr_name(int bit_index) { return bit_index >= 0 && bit_index < kAttrCount ? kAttrNames[bit_index] : "?"; }

bool parse_attr(const std::string& name, uint16_t& out) {
  for (int i = 0; i < kAttrCount; ++i)
    if (name == kAttrNames[i]) {
      out = static_cast<uint16_t>(1u << i);
      return true;
    }
  return false;
}

std::vector<std::string> attr_names(uint16_t attrs) {
  std::vector<std::string> out;
  for (int i = 0; i < kAttrCount; ++i)
    if (attrs & (1u << i)) out.push_back(kAttrNames[i]);
  return out;
}

DriftRules parse_drift_rules(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw InputError(where, "not a JSON object");
  check_keys(j, {"name", "description", "rules", "hazards", "config_noise", "max_noise_bytes"}, where);
  DriftRules out;
  if (auto it = j.find("rules"); it != j.end()) {
    if (!it->is_array()) throw InputError(where, "\"rules\" must be a list");
    for (size_t i = 0; i < it->size(); ++i) out.rules.push_back(parse_rule((*it)[i], where, i));
  }
  if (auto it = j.find("hazards"); it != j.end()) {
    if (!it->is_array()) throw InputError(where, "\"hazards\" must be a list");
    for (size_t i = 0; i < it->size(); ++i) out.hazards.push_back(parse_hazard((*it)[i], where, i));
  }
  out.config_noise = str_list(j, "config_noise", where);
  if (auto it = j.find("max_noise_bytes"); it != j.end()) {
    if (!it->is_number_unsigned()) throw InputError(where, "\"max_noise_bytes\" must be a number of bytes");
    out.max_noise_bytes = it->get<uint64_t>();
  }
  out.files.push_back(where);
  return out;
}

DriftRules load_drift_rules(const std::vector<std::string>& files, const std::vector<std::string>& ignores) {
  DriftRules out = parse_drift_rules(shipped_drift_rules(), "rules/drift.json");
  for (const std::string& f : files) {
    DriftRules user = parse_drift_rules(read_small_file(f, "drift rules file"), f);
    merge_by_id(out.rules, std::move(user.rules));
    merge_by_id(out.hazards, std::move(user.hazards));
    for (auto& c : user.config_noise) out.config_noise.push_back(c);
    if (user.max_noise_bytes) out.max_noise_bytes = user.max_noise_bytes;
    out.files.push_back(f);
  }
  std::vector<DriftRule> ignored;
  for (const std::string& pattern : ignores) {
    std::string p = pattern;
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    if (p.empty()) throw UsageError("--ignore needs a path pattern, e.g. 'var/lib/foo/**'");
    DriftRule r;
    r.id = "ignore:" + p;
    r.paths = {p};
    // A plain path (no glob characters) means the path and everything below it, as for `ls`.
    if (glob_is_literal(p)) r.paths.push_back(p + "/**");
    r.cls = Class::Noise;
    r.category = "ignored";
    r.description = "--ignore " + pattern;
    r.source = "--ignore";
    ignored.push_back(std::move(r));
  }
  out.rules.insert(out.rules.begin(), ignored.begin(), ignored.end());
  return out;
}

bool rule_matches_path(const DriftRule& r, const std::string& path) {
  if (r.paths.empty()) return true;
  for (auto& g : r.paths)
    if (glob_match(g, path)) return true;
  return false;
}

bool hazard_matches_path(const HazardRule& r, const std::string& path) {
  for (auto& g : r.paths)
    if (glob_match(g, path)) return true;
  return false;
}

}  // namespace imagelint::drift
