// Internal to the quadlet checks (units_quadlet.cc): the quadlet file kinds
// (units_quadlet_kinds.cc), each with the group quadlet reads and the keys that group accepts.
#pragma once
#include <cstddef>
#include <string_view>

namespace imagelint::units_internal {

struct QuadletKind {
  std::string_view kind;            // the extension without its dot
  std::string_view group;           // the section quadlet reads
  std::string_view service_suffix;  // inserted before ".service" (and before '@' for templates)
  const std::string_view* keys;
  size_t nkeys;
};

// The kind of a file by its extension ("web.container": container); nullptr when it has none.
const QuadletKind* find_quadlet_kind(std::string_view file_name);

}  // namespace imagelint::units_internal
