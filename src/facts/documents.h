// Configuration documents read as the programs that own them read them, for the rule kinds to ask
// about: a kind never parses file content itself. bootc's kargs.d TOML, GLib key files (ostree's
// prepare-root.conf) and JSON documents.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelint {

// A bootc kargs.d file, held against bootc's schema: `kargs` (required) and `match-architectures`,
// each a list of strings; any other key or type is an error.
struct KargsFile {
  std::string error;  // why bootc refuses it ("not UTF-8", "line 2, column 1: ..."); empty when it reads
  std::vector<std::string> kargs;
  std::optional<std::vector<std::string>> match_architectures;
};
KargsFile parse_kargs_file(const std::string& text);

// A GLib key file as g_key_file_load_from_data reads it: comments, [group] headers, key=value.
struct KeyFile {
  std::string error;  // the first line GLib refuses ("line 3: bad group header"); empty when it reads
  std::map<std::string, std::string> values;  // keyed "group.key"
};
KeyFile parse_key_file(const std::string& text);

// A JSON document (RFC 8259), or nullopt when the text is not one.
std::optional<nlohmann::json> parse_json_document(const std::string& text);

}  // namespace imagelint
