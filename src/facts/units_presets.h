// Internal to the `units` fact: systemd.preset(5) — the preset files of a scope and the first
// line of them that matches a unit.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace imagelint::units_internal {

// One line of a preset file: "enable foo@.service a b" -> {"enable", "foo@.service", {"a", "b"}}.
struct PresetRule {
  std::string action, pattern;  // action: enable | disable | ignore
  std::vector<std::string> instances;
};

class UnitPresets {
 public:
  // preset_files: UnitsInput::presets (path -> bytes); held by reference.
  explicit UnitPresets(const std::map<std::string, std::string>& preset_files) : files_(preset_files) {}

  // The first rule of scope (system | user) whose pattern matches unit, or nullptr. Reads the
  // scope's files on first use; the pointer stays valid as long as this object.
  const PresetRule* match(const std::string& scope, const std::string& unit);

 private:
  const std::map<std::string, std::string>& files_;
  std::map<std::string, std::vector<PresetRule>> rules_;  // by scope
  std::map<std::string, bool> loaded_;
};

}  // namespace imagelint::units_internal
