// The `units` fact: every systemd unit and podman quadlet in the image, where it runs (scope),
// whether anything starts it (enabled), as whom (user) and what it runs. Input is what the
// image code captured under the unit and quadlet directories; nothing here reads a disk.
//
// Directories (image-relative), highest priority first:
//   system units   etc/systemd/system, run/systemd/system, usr/local/lib/systemd/system,
//                  usr/lib/systemd/system, lib/systemd/system
//   user units     HOME/.config/systemd/user, etc/systemd/user, run/systemd/user,
//                  HOME/.local/share/systemd/user, usr/local/lib/systemd/user,
//                  usr/lib/systemd/user, lib/systemd/user
//   rootful quadlets   run/containers/systemd, etc/containers/systemd,
//                      usr/share/containers/systemd (recursive, without their users/ subtree)
//   rootless quadlets  HOME/.config/containers/systemd, etc/containers/systemd/users,
//                      usr/share/containers/systemd/users (recursive; users/UID/ is that UID's,
//                      the rest of users/ every user's)
//   presets        {etc,run,usr/local/lib,usr/lib,lib}/systemd/{system,user}-preset/*.preset
// HOME is a home directory from UnitsInput::homes, else home/NAME, var/home/NAME or root.
//
// Enabled means:
//   - a systemd unit: a symlink named after it (or an alias of it, or, for a template
//     foo@.service, an instance foo@x.service) in a *.wants/, *.requires/ or *.upholds/
//     directory of its scope — what `systemctl is-enabled` counts; or, for a unit with an
//     [Install] section, a preset whose first line matching it says `enable`: systemd applies
//     presets at first boot (preset-all), which is when a bootc image's /etc is born. A unit
//     no preset line matches counts as not enabled (systemd would enable it when no preset
//     file exists at all; distributions ship `disable *` to avoid that).
//   - a quadlet: an [Install] WantedBy=/RequiredBy=/UpheldBy= (the generator applies it; a
//     template foo@.container only with DefaultInstance=), a wants symlink to its generated
//     service, or, for a .container with Pod=x.pod and StartWithPod (default yes), an enabled
//     pod.
//   A user or rootless unit runs only while its user's manager does (from login, or from boot
//   with lingering); lingering is not this fact's business.
// Templates: foo@.service (or foo@.container) is one unit; `instances` lists the instances that
// are enabled (wants links named foo@x.service, a preset line's instance list, DefaultInstance=).
// An instance that exists as a file or a symlink in a unit directory (foo@x.service,
// foo@x.container -> foo@.container) is a unit of its own and reads the drop-ins of both
// foo@x.TYPE.d and foo@.TYPE.d. Drop-ins: NAME.d, the template's, the dash-truncated prefixes'
// and TYPE.d, searched in every directory of the scope; for each file name the most specific
// directory wins, then the directory of highest priority; the chosen files apply in file-name
// order.
// Masked (a symlink to /dev/null of at least the unit's priority) is never enabled. A unit
// shadowed by a same-named one of higher priority in the same scope is reported with
// shadowed_by and is not enabled. Units started only as dependencies of other units (static
// units) count as not enabled.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace imagelint {

struct UnitsInput {
  std::map<std::string, std::string> files;     // unit files and drop-ins (NAME.d/*.conf): path -> bytes
  std::map<std::string, std::string> symlinks;  // symlinks in those directories: path -> target as stored
  std::map<std::string, std::string> presets;   // preset files: path -> bytes
  std::map<uint32_t, std::string> users;        // uid -> user name (passwd, sysusers.d)
  std::map<std::string, std::string> homes;     // home directory (image-relative) -> user name
};

struct Unit {
  std::string path;   // image-relative; a symlink's own path for linked units and quadlet instances
  std::string name;   // file name ("web.container", "podman.service")
  std::string kind;   // the suffix: service, socket, timer, ..., container, pod, kube, network, ...
  std::string scope;  // system | user (systemd units), rootful | rootless (quadlets)
  bool enabled = false;
  std::string enabled_by;  // symlink | preset | install | pod ("" when not enabled)
  // Who the processes run as: [Service] User= (root by default) for system units; for quadlets
  // [Container] User= if set, else root (rootful) or the owner; "*" for units every user runs.
  std::string user;
  std::optional<uint32_t> uid;         // the owner of a rootless quadlet or per-user unit, when known
  std::vector<std::string> runs;       // ExecStart= lines, Image=, Yaml=, a pod's containers, ...
  std::string pod;                     // a .container's Pod=
  std::vector<std::string> instances;  // a template's enabled instances ("foo@x" -> "x")
  bool masked = false;
  std::string shadowed_by;  // path of the same-named unit that wins
  std::string service;      // a quadlet's generated service name
  std::string error;        // the unit cannot be read, or quadlet generates nothing for it
  std::vector<std::string> warnings;
};

// Sorted by path.
std::vector<Unit> classify_units(const UnitsInput& in);

// The `units` array of `inspect --format json`: {path, kind, scope, enabled, user, runs} and,
// where they apply, enabled_by, uid, pod, instances, masked, shadowed_by, service, error,
// warnings.
nlohmann::json units_to_json(const std::vector<Unit>& units);

}  // namespace imagelint
