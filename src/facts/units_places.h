// Internal to the `units` fact: where a directory sits among the unit and quadlet directories
// (its family, scope, priority and owner), and the unit-name helpers the fact shares.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace imagelint {
struct UnitsInput;
}

namespace imagelint::units_internal {

enum class Family { kSystemd, kQuadlet };

// Where a directory sits among the unit directories.
struct Place {
  Family family = Family::kSystemd;
  std::string scope;  // system | user | rootful | rootless
  int priority = 0;   // lower wins among same-named units of a scope
  std::string owner;  // "" = shared by the whole scope; "uid:N" or "user:NAME" = one user's
  std::optional<uint32_t> uid;
  std::string owner_name;
};

// "service" for "foo.service"; "" without a suffix (or for ".foo").
std::string_view suffix_of(std::string_view name);

// A systemd unit type's suffix, or (Family::kQuadlet) a quadlet kind's.
bool is_unit_name(std::string_view name, Family f);

// 1 to 10 decimal digits.
bool all_digits(std::string_view s);

// "foo@bar.service" is an instance of "foo@.service": returns "bar".
std::optional<std::string> instance_of(std::string_view name, std::string_view tmpl);

// "foo@.service".
bool is_template(std::string_view name);

// The unit directories of UnitsInput (see units.h): home directories from its homes, owners'
// names and uids from its users. Holds references to both.
class UnitPlaces {
 public:
  explicit UnitPlaces(const UnitsInput& in);

  // The place of a directory (image-relative), or nullopt when it is no unit directory.
  std::optional<Place> locate(std::string_view dir) const;

 private:
  // A home directory and its user, from UnitsInput::homes or the usual layouts.
  std::optional<std::pair<std::string, std::string>> home_of(std::string_view path) const;
  void set_owner(Place& p, std::optional<uint32_t> uid, const std::string& name) const;

  const std::map<uint32_t, std::string>& users_;
  const std::map<std::string, std::string>& homes_;
  std::map<std::string, uint32_t> uid_of_;
};

}  // namespace imagelint::units_internal
