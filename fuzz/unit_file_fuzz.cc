// systemd and quadlet unit files (facts/unit_file.h, facts/units_quadlet.h): both syntaxes read
// the same bytes. A NUL byte splits the input into the unit and its drop-ins (added in order).
// Then what the rules ask of a unit: every key's last/all/words values, booleans, and quadlet's
// verdict (check_quadlet) and service name for the unit as a .container file.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "facts/unit_file.h"
#include "facts/units_quadlet.h"

using namespace imagelint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (UnitSyntax syntax : {UnitSyntax::kSystemd, UnitSyntax::kQuadlet}) {
    UnitFile unit(syntax);
    std::string_view rest = in;
    for (int source = 0;; ++source) {
      size_t nul = rest.find('\0');
      std::string name = source == 0 ? "" : std::to_string(source) + "-x.conf";
      if (!unit.add(rest.substr(0, nul), name)) break;
      if (nul == std::string_view::npos) break;
      rest.remove_prefix(nul + 1);
    }
    for (const std::string& section : unit.sections()) {
      (void)unit.has_section(section);
      for (const std::string& key : unit.keys(section)) {
        (void)unit.has(section, key);
        if (auto v = unit.last(section, key)) {
          (void)parse_unit_boolean(*v);
          (void)quadlet_boolean(*v);
          (void)is_fully_qualified_image(*v);
        }
        (void)unit.words(section, key);
        (void)quadlet_lookup(unit, section, key);
      }
    }
    if (syntax == UnitSyntax::kQuadlet) {
      for (const char* file : {"web.container", "p@.pod", "v.volume"}) {
        (void)check_quadlet(file, unit, {"web.container", "p.pod", "n.network", "v.volume", "b.build"});
        (void)quadlet_service_name(file, unit);
      }
    }
  }
  (void)split_unit_words(in);
  return 0;
}
