#include "facts/units_presets.h"

#include <string_view>
#include <utility>

#include "facts/unit_file.h"
#include "util/path.h"

namespace imagelint::units_internal {

constexpr size_t kUnitNameMax = 256;

// systemd.preset(5): files from every preset directory, one per file name (the directory of
// highest priority wins), read in file-name order; the first line matching a unit decides.
const PresetRule* UnitPresets::match(const std::string& scope, const std::string& unit) {
  auto& rules = rules_[scope];
  if (!loaded_[scope]) {
    loaded_[scope] = true;
    static constexpr std::string_view kDirs[] = {"etc", "run", "usr/local/lib", "usr/lib", "lib"};
    std::map<std::string, std::pair<size_t, const std::string*>> files;
    for (const auto& [path, text] : files_) {
      std::string dir = parent_path(path);
      for (size_t i = 0; i < std::size(kDirs); ++i)
        if (dir == std::string(kDirs[i]) + "/systemd/" + scope + "-preset" && path.ends_with(".preset")) {
          auto [it, fresh] = files.emplace(std::string(base_name(path)), std::make_pair(i, &text));
          if (!fresh && i < it->second.first) it->second = {i, &text};
        }
    }
    for (const auto& [name, f] : files) {
      std::string_view text = *f.second;
      for (size_t i = 0; i < text.size();) {
        size_t j = text.find('\n', i);
        if (j == std::string_view::npos) j = text.size();
        auto w = split_unit_words(text.substr(i, j - i));
        i = j + 1;
        if (w.size() < 2 || w[0][0] == '#' || w[0][0] == ';') continue;
        if (w[0] != "enable" && w[0] != "disable" && w[0] != "ignore") continue;
        if (w[1].size() > kUnitNameMax) continue;  // matches no unit name (systemd's UNIT_NAME_MAX)
        rules.push_back({w[0], w[1], std::vector<std::string>(w.begin() + 2, w.end())});
      }
    }
  }
  for (const auto& r : rules)
    if (glob_match(r.pattern, unit)) return &r;
  return nullptr;
}

}  // namespace imagelint::units_internal
