#include "facts/units.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "facts/unit_file.h"
#include "facts/units_places.h"
#include "facts/units_presets.h"
#include "facts/units_quadlet.h"
#include "util/path.h"

namespace imagelint {

namespace {

using units_internal::all_digits;
using units_internal::Family;
using units_internal::instance_of;
using units_internal::is_template;
using units_internal::is_unit_name;
using units_internal::Place;
using units_internal::PresetRule;
using units_internal::suffix_of;
using units_internal::UnitPlaces;
using units_internal::UnitPresets;

class Classifier {
 public:
  explicit Classifier(const UnitsInput& in) : in_(in), places_(in), presets_(in.presets) {}

  std::vector<Unit> run() {
    collect_files();
    collect_symlinks();
    for (auto& s : sources_) read(s);
    for (size_t i = 0; i < work_.size(); ++i) by_name_[work_[i].unit.name].push_back(i);
    for (auto& w : work_) shadow_and_mask(w);
    for (auto& w : work_) validate_quadlet(w);
    for (auto& w : work_) describe(w);
    for (auto& w : work_) join_pod(w);
    for (auto& w : work_) enable(w);
    for (auto& w : work_) enable_with_pod(w);
    std::vector<Unit> out;
    for (auto& w : work_) out.push_back(std::move(w.unit));
    std::sort(out.begin(), out.end(), [](const Unit& a, const Unit& b) { return a.path < b.path; });
    return out;
  }

 private:
  struct Source {
    std::string path, name;
    Place place;
    const std::string* text = nullptr;
    std::string problem;
  };
  struct DropIn {
    Place place;
    std::string file, path;
    const std::string* text;
  };
  struct Work {
    Unit unit;
    Place place;
    UnitFile file;
  };

  // Follows symlinks of the input (absolute targets from the image root), at most 40 hops.
  std::optional<std::string> resolve(const std::string& path) const {
    std::string cur = path;
    for (int hops = 0; hops < 40; ++hops) {
      auto it = in_.symlinks.find(cur);
      if (it == in_.symlinks.end()) return cur;
      const std::string& t = it->second;
      std::string next;
      if (!normalize_path(!t.empty() && t[0] == '/' ? std::string_view(t) : join_path(parent_path(cur), t), next))
        return std::nullopt;
      cur = std::move(next);
    }
    return std::nullopt;
  }

  static bool is_wants_dir(std::string_view dir) {
    std::string_view b = base_name(dir);
    return b.ends_with(".wants") || b.ends_with(".requires") || b.ends_with(".upholds");
  }

  // NAME.d/*.conf (as a file, or a symlink to one) under a unit directory.
  bool take_dropin(const std::string& path, const std::string* text) {
    std::string dir = parent_path(path);
    if (!path.ends_with(".conf") || !base_name(dir).ends_with(".d")) return false;
    if (auto p = places_.locate(parent_path(dir)); p && text)
      dropins_[std::string(base_name(dir))].push_back({*p, std::string(base_name(path)), path, text});
    return true;
  }

  // A *.wants/ (.requires/, .upholds/) entry: systemd goes by its name. Files count too, for
  // captures that followed the symlinks.
  bool take_wants(const std::string& path) {
    std::string dir = parent_path(path);
    if (!is_wants_dir(dir)) return false;
    auto p = places_.locate(parent_path(dir));
    if (p && p->family == Family::kSystemd) wants_.emplace(std::string(base_name(path)), *p);
    return true;
  }

  void collect_files() {
    for (const auto& [path, text] : in_.files) {
      if (take_dropin(path, &text) || take_wants(path)) continue;
      std::string name(base_name(path));
      auto p = places_.locate(parent_path(path));
      if (p && is_unit_name(name, p->family)) sources_.push_back({path, name, *p, &text, ""});
    }
  }

  void collect_symlinks() {
    for (const auto& [path, target] : in_.symlinks) {
      std::string dir = parent_path(path), name(base_name(path));
      auto resolved = resolve(path);
      auto file = resolved ? in_.files.find(*resolved) : in_.files.end();
      if (take_dropin(path, file == in_.files.end() ? nullptr : &file->second) || take_wants(path)) continue;
      auto p = places_.locate(dir);
      if (!p || !is_unit_name(name, p->family)) continue;
      if (target == "/dev/null") {
        masks_[name].push_back(*p);
        continue;
      }
      if (!resolved) {
        sources_.push_back({path, name, *p, nullptr, "symlink to " + target + " loops or leaves the image"});
        continue;
      }
      std::string_view target_name = base_name(*resolved);
      if (p->family == Family::kSystemd) {
        // systemd goes by names: a link under another name is an alias of the unit it names.
        if (target_name != name) {
          aliases_[p->scope + "/" + std::string(target_name)].push_back(name);
          continue;
        }
        if (file != in_.files.end() && places_.locate(parent_path(*resolved))) continue;  // the same unit, listed there
      }
      if (file == in_.files.end())
        sources_.push_back({path, name, *p, nullptr, "symlink to /" + *resolved + ", which is not in the image"});
      else
        sources_.push_back({path, name, *p, &file->second, ""});
    }
  }

  static bool visible(const Place& from, const Place& to) {
    return from.family == to.family && from.scope == to.scope && (from.owner.empty() || from.owner == to.owner);
  }

  // Drop-in directories, most specific first: NAME.d, the template's, the dash-truncated
  // prefixes' ("a-b-.service.d", "a-.service.d", and "a-@.service.d" for templates), TYPE.d.
  static std::vector<std::string> dropin_dirs(const std::string& name) {
    std::string_view kind = suffix_of(name);
    std::string stem = name.substr(0, name.size() - kind.size() - 1);
    size_t at = stem.find('@');
    std::string prefix = stem.substr(0, at);
    bool templated = at != std::string::npos;
    std::vector<std::string> out = {name + ".d"};
    if (templated && at + 1 < stem.size()) out.push_back(prefix + "@." + std::string(kind) + ".d");
    for (size_t dash = prefix.rfind('-'); dash != std::string::npos && dash > 0; dash = prefix.rfind('-', dash - 1)) {
      std::string cut = prefix.substr(0, dash + 1);
      if (templated) out.push_back(cut + "@." + std::string(kind) + ".d");
      out.push_back(cut + "." + std::string(kind) + ".d");
    }
    out.push_back(std::string(kind) + ".d");
    return out;
  }

  void read(const Source& s) {
    Work w{Unit{}, s.place, UnitFile(s.place.family == Family::kQuadlet ? UnitSyntax::kQuadlet : UnitSyntax::kSystemd)};
    Unit& u = w.unit;
    u.path = s.path;
    u.name = s.name;
    u.kind = std::string(suffix_of(s.name));
    u.scope = s.place.scope;
    u.uid = s.place.uid;
    if (!s.problem.empty()) {
      u.error = s.problem;
      work_.push_back(std::move(w));
      return;
    }
    w.file.add(*s.text);
    // The first file of a name wins; the chosen drop-ins then apply in file-name order.
    std::map<std::string, const DropIn*> chosen;
    for (const auto& dir : dropin_dirs(s.name)) {
      auto it = dropins_.find(dir);
      if (it == dropins_.end()) continue;
      std::vector<const DropIn*> here;
      for (const auto& d : it->second)
        if (visible(d.place, s.place)) here.push_back(&d);
      std::stable_sort(here.begin(), here.end(),
                       [](auto* a, auto* b) { return a->place.priority < b->place.priority; });
      for (auto* d : here) chosen.emplace(d->file, d);
    }
    for (const auto& [file, d] : chosen) w.file.add(*d->text, d->path);
    u.error = w.file.error();
    u.warnings = w.file.notes();
    work_.push_back(std::move(w));
  }

  // The units named `name` that w's scope sees (w itself included).
  std::vector<const Work*> named(const std::string& name, const Work& w) const {
    std::vector<const Work*> out;
    auto it = by_name_.find(name);
    if (it != by_name_.end())
      for (size_t i : it->second)
        if (visible(work_[i].place, w.place)) out.push_back(&work_[i]);
    return out;
  }

  void shadow_and_mask(Work& w) {
    auto m = masks_.find(w.unit.name);
    if (m != masks_.end())
      for (const auto& place : m->second)
        if (visible(place, w.place) && place.priority <= w.place.priority) w.unit.masked = true;
    const Work* winner = &w;
    for (const Work* o : named(w.unit.name, w))
      if (o->place.owner == w.place.owner &&
          std::tie(o->place.priority, o->unit.path) < std::tie(winner->place.priority, winner->unit.path))
        winner = o;
    if (winner != &w) w.unit.shadowed_by = winner->unit.path;
  }

  // The quadlet files one generator run sees beside w: its scope's shared ones and its owner's.
  const std::set<std::string>& siblings(const Work& w) {
    auto [it, fresh] = siblings_.try_emplace(w.place.scope + "/" + w.place.owner);
    if (fresh)
      for (const auto& o : work_)
        if (o.place.family == Family::kQuadlet && o.unit.error.empty() && visible(o.place, w.place))
          it->second.insert(o.unit.name);
    return it->second;
  }

  void validate_quadlet(Work& w) {
    if (w.place.family != Family::kQuadlet || !w.unit.error.empty()) return;
    auto verdict = check_quadlet(w.unit.name, w.file, siblings(w));
    w.unit.error = verdict.error;
    for (auto& s : verdict.warnings) w.unit.warnings.push_back(std::move(s));
    w.unit.service = quadlet_service_name(w.unit.name, w.file);
  }

  std::string user_name(const std::string& v) const {
    if (all_digits(v)) {
      auto it = in_.users.find(static_cast<uint32_t>(std::stoul(v)));
      if (it != in_.users.end()) return it->second;
    }
    return v;
  }

  void describe(Work& w) {
    Unit& u = w.unit;
    const UnitFile& f = w.file;
    std::string owner = w.place.owner.empty() ? "*" : w.place.owner_name;
    if (w.place.family == Family::kQuadlet) {
      auto cuser = u.kind == "container" ? quadlet_lookup(f, "Container", "User") : std::nullopt;
      if (cuser && !cuser->empty())
        u.user = user_name(*cuser);
      else
        u.user = u.scope == "rootful" ? "root" : owner;
    } else if (u.scope == "user") {
      u.user = owner;
    } else {
      u.user = "root";
      if (u.kind == "service" || u.kind == "socket" || u.kind == "mount" || u.kind == "swap") {
        std::string section = u.kind;
        section[0] = static_cast<char>(section[0] - 'a' + 'A');
        auto user = f.last(section, "User");
        if (user && !user->empty())
          u.user = user_name(*user);
        else if (parse_unit_boolean(f.last(section, "DynamicUser").value_or("")).value_or(false))
          u.user = "dynamic";
      }
    }
    runs(w);
  }

  void runs(Work& w) {
    Unit& u = w.unit;
    const UnitFile& f = w.file;
    auto add = [&](std::optional<std::string> v, std::string_view prefix = {}) {
      if (v && !v->empty()) u.runs.push_back(std::string(prefix) + *v);
    };
    if (u.kind == "service") {
      u.runs = f.all("Service", "ExecStart");
    } else if (u.kind == "socket" || u.kind == "timer" || u.kind == "path") {
      std::string section = u.kind == "socket" ? "Socket" : u.kind == "timer" ? "Timer" : "Path";
      auto unit = f.last(section, "Unit");
      u.runs.push_back(unit && !unit->empty() ? *unit : u.name.substr(0, u.name.size() - u.kind.size()) + "service");
    } else if (u.kind == "container") {
      add(quadlet_lookup(f, "Container", "Image"));
      add(quadlet_lookup(f, "Container", "Rootfs"), "rootfs:");
      u.pod = quadlet_lookup(f, "Container", "Pod").value_or("");
    } else if (u.kind == "kube") {
      u.runs = f.all("Kube", "Yaml");
    } else if (u.kind == "image") {
      add(quadlet_lookup(f, "Image", "Image"));
    } else if (u.kind == "build") {
      u.runs = f.all("Build", "ImageTag");
    } else if (u.kind == "volume" && quadlet_lookup(f, "Volume", "Driver").value_or("") == "image") {
      add(quadlet_lookup(f, "Volume", "Image"));
    } else if (u.kind == "artifact") {
      add(quadlet_lookup(f, "Artifact", "Artifact"));
    }
  }

  // A pod runs its containers.
  void join_pod(const Work& w) {
    if (w.unit.pod.empty()) return;
    for (const Work* p : named(w.unit.pod, w))
      if (p->unit.kind == "pod") work_[static_cast<size_t>(p - work_.data())].unit.runs.push_back(w.unit.name);
  }

  void enable(Work& w) {
    Unit& u = w.unit;
    const bool quadlet = w.place.family == Family::kQuadlet;
    // A quadlet that cannot be read generates no service; a unit file that cannot be read is still
    // enabled by its symlinks (what it would run is unknown, which rules must say).
    if ((quadlet && !u.error.empty()) || u.masked || !u.shadowed_by.empty()) return;
    std::string service = quadlet ? u.service : u.name;
    std::string scope = w.place.scope == "system" || w.place.scope == "rootful" ? "system" : "user";
    std::vector<std::string> names = {service};
    if (!quadlet)
      for (const auto& a : aliases_[scope + "/" + service]) names.push_back(a);
    auto counts = [&](const Place& p) { return p.scope == scope && (p.owner.empty() || p.owner == w.place.owner); };
    for (const auto& n : names) {
      // Exact names first; then, for a template "p@.t", every "p@X.t" (all sort after "p@").
      std::string from = is_template(n) ? n.substr(0, n.find('@') + 1) : n;
      for (auto it = wants_.lower_bound(from); it != wants_.end() && it->first.starts_with(from); ++it) {
        if (!counts(it->second)) continue;
        if (it->first == n) u.enabled = true;
        if (auto inst = instance_of(it->first, n)) {
          u.enabled = true;
          if (std::find(u.instances.begin(), u.instances.end(), *inst) == u.instances.end())
            u.instances.push_back(*inst);
        }
        if (!is_template(n) && it->first != n) break;
      }
    }
    if (u.enabled) {
      u.enabled_by = "symlink";
      return;
    }
    const UnitFile& f = w.file;
    bool install = false;
    for (const char* key : {"WantedBy", "RequiredBy", "UpheldBy"})
      install = install || !f.words("Install", key).empty();
    auto default_instance = f.last("Install", "DefaultInstance").value_or("");
    if (quadlet) {
      if (install && (!is_template(u.name) || !default_instance.empty())) {
        u.enabled = true;
        u.enabled_by = "install";
        if (is_template(u.name)) u.instances = {default_instance};
      }
      return;
    }
    if (!install && f.words("Install", "Alias").empty()) return;
    const PresetRule* rule = presets_.match(scope, service);
    if (!rule || rule->action != "enable") return;
    std::vector<std::string> instances = rule->instances;
    if (is_template(service) && instances.empty() && !default_instance.empty()) instances = {default_instance};
    if (is_template(service) && instances.empty()) return;
    u.enabled = true;
    u.enabled_by = "preset";
    u.instances = instances;
  }

  // A pod's service Wants= its containers (not the templates): they start with it.
  void enable_with_pod(Work& w) {
    Unit& u = w.unit;
    if (u.kind != "container" || u.enabled || u.pod.empty() || !u.error.empty() || is_template(u.name)) return;
    auto start = quadlet_lookup(w.file, "Container", "StartWithPod");
    if (start && !quadlet_boolean(*start)) return;
    for (const Work* p : named(u.pod, w))
      if (p->unit.kind == "pod" && p->unit.enabled) {
        u.enabled = true;
        u.enabled_by = "pod";
      }
  }

  const UnitsInput& in_;
  UnitPlaces places_;
  UnitPresets presets_;
  std::vector<Source> sources_;
  std::map<std::string, std::vector<DropIn>> dropins_;  // by directory name ("foo.service.d")
  std::multimap<std::string, Place> wants_;             // *.wants/ (.requires/, .upholds/) links by name
  std::map<std::string, std::vector<Place>> masks_;     // links to /dev/null by name
  std::map<std::string, std::vector<size_t>> by_name_;  // unit name -> indices into work_
  std::map<std::string, std::set<std::string>> siblings_;
  std::map<std::string, std::vector<std::string>> aliases_;  // "scope/unit" -> alias names
  std::vector<Work> work_;
};

}  // namespace

std::vector<Unit> classify_units(const UnitsInput& in) { return Classifier(in).run(); }

nlohmann::json units_to_json(const std::vector<Unit>& units) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : units) {
    nlohmann::json j = {{"path", u.path},       {"kind", u.kind}, {"scope", u.scope},
                        {"enabled", u.enabled}, {"user", u.user}, {"runs", u.runs}};
    if (!u.enabled_by.empty()) j["enabled_by"] = u.enabled_by;
    if (u.uid) j["uid"] = *u.uid;
    if (!u.pod.empty()) j["pod"] = u.pod;
    if (!u.instances.empty()) j["instances"] = u.instances;
    if (u.masked) j["masked"] = true;
    if (!u.shadowed_by.empty()) j["shadowed_by"] = u.shadowed_by;
    if (!u.service.empty()) j["service"] = u.service;
    if (!u.error.empty()) j["error"] = u.error;
    if (!u.warnings.empty()) j["warnings"] = u.warnings;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace imagelint
