#include "facts/documents.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include "util/utf8.h"

namespace imagelint {
namespace {

const char* toml_type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "a list";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

// The keys of a kargs.d document as bootc's schema wants them, or the first error.
std::string read_kargs_keys(const toml::table& doc, std::map<std::string, std::vector<std::string>>& out) {
  for (auto&& [k, v] : doc) {
    std::string key(k.str());
    auto at = [&] { return fmt::format("line {}: ", k.source().begin.line); };
    if (key != "kargs" && key != "match-architectures") return at() + "unknown key '" + key + "' (only kargs and match-architectures)";
    const toml::array* a = v.as_array();
    if (!a) return at() + "'" + key + "' must be a list of strings, not " + toml_type_name(v.type());
    std::vector<std::string> items;
    for (auto&& item : *a) {
      if (!item.is_string()) return at() + "'" + key + "' must be a list of strings, not hold " + toml_type_name(item.type());
      items.push_back(std::string(item.as_string()->get()));
    }
    out[key] = std::move(items);
  }
  return "";
}

std::string trim_blanks(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

KargsFile parse_kargs_file(const std::string& text) {
  KargsFile f;
  if (!valid_utf8(text)) {
    f.error = "not UTF-8";
    return f;
  }
  toml::table doc;
  try {
    doc = toml::parse(text);
  } catch (const toml::parse_error& e) {
    f.error = fmt::format("line {}, column {}: {}", e.source().begin.line, e.source().begin.column, e.description());
    return f;
  }
  std::map<std::string, std::vector<std::string>> keys;
  f.error = read_kargs_keys(doc, keys);
  if (!f.error.empty()) return f;
  auto k = keys.find("kargs");
  if (k == keys.end()) {
    f.error = "missing key 'kargs'";
    return f;
  }
  f.kargs = std::move(k->second);
  if (auto m = keys.find("match-architectures"); m != keys.end()) f.match_architectures = std::move(m->second);
  return f;
}

KeyFile parse_key_file(const std::string& text) {
  KeyFile f;
  std::string group;
  size_t a = 0;
  int line = 0;
  auto refuse = [&](const std::string& why) {
    f.error = "line " + std::to_string(line) + ": " + why;
    f.values.clear();
    return f;
  };
  while (a < text.size()) {
    size_t b = text.find('\n', a);
    if (b == std::string::npos) b = text.size();
    std::string l = trim_blanks(text.substr(a, b - a));
    a = b + 1;
    ++line;
    if (l.empty() || l[0] == '#') continue;
    if (l[0] == '[') {
      if (l.back() != ']' || l.size() < 3) return refuse("bad group header");
      group = l.substr(1, l.size() - 2);
      continue;
    }
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) return refuse("neither a group, a key=value pair nor a comment");
    if (group.empty()) return refuse("key outside any group");
    f.values[group + "." + trim_blanks(l.substr(0, eq))] = trim_blanks(l.substr(eq + 1));
  }
  return f;
}

std::optional<nlohmann::json> parse_json_document(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace imagelint
