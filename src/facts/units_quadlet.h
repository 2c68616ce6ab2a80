// What podman's quadlet generator does with one .container/.pod/.kube/... file: which service
// it generates, and whether it refuses the file (no service at all) or only warns. The checks
// follow podman's generator as its e2e corpus (../shared/corpus/podman/test/e2e/quadlet)
// exercises it; they read the file, never the disk.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "facts/unit_file.h"

namespace imagelint {

struct QuadletVerdict {
  std::string error;                  // quadlet generates nothing for this unit; "" if it does
  std::vector<std::string> warnings;  // generated, with a warning
};

// "container" for "web.container", and so on for pod, kube, network, volume, image, build and
// artifact; "" for any other file name.
std::string_view quadlet_kind(std::string_view file_name);

// The generated service's name: ServiceName= or the file name with its kind's suffix
// ("db.volume" -> "db-volume.service", "web@.container" -> "web@.service").
std::string quadlet_service_name(std::string_view file_name, const UnitFile& unit);

// Quadlet's Lookup(): the last value with trailing blanks and one pair of surrounding double
// quotes removed.
std::optional<std::string> quadlet_lookup(const UnitFile& unit, std::string_view group, std::string_view key);

// Quadlet's LookupBoolean(): 1, yes, true and on (any case) are true, anything else false.
bool quadlet_boolean(std::string_view value);

// siblings: the file names of every quadlet unit the same generator run sees (Pod=x.pod,
// Network=x.network, Volume=x.volume:..., Image=x.build and [Unit] Requires=x.container must
// name one of them).
QuadletVerdict check_quadlet(std::string_view file_name, const UnitFile& unit, const std::set<std::string>& siblings);

// A reference podman resolves without registries.conf short-name search: it names a registry
// (first component with '.', ':' or an upper-case letter, or "localhost") or is an image id.
bool is_fully_qualified_image(std::string_view ref);

}  // namespace imagelint
