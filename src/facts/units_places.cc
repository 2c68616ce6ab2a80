#include "facts/units_places.h"

#include <algorithm>
#include <vector>

#include "facts/units.h"
#include "facts/units_quadlet.h"
#include "util/path.h"

namespace imagelint::units_internal {

namespace {

struct Root {
  std::string_view dir;
  Family family;
  std::string_view scope;
  int priority;
};

constexpr Root kRoots[] = {
    {"etc/systemd/system", Family::kSystemd, "system", 0},
    {"run/systemd/system", Family::kSystemd, "system", 1},
    {"usr/local/lib/systemd/system", Family::kSystemd, "system", 2},
    {"usr/lib/systemd/system", Family::kSystemd, "system", 3},
    {"lib/systemd/system", Family::kSystemd, "system", 4},
    {"etc/systemd/user", Family::kSystemd, "user", 1},
    {"run/systemd/user", Family::kSystemd, "user", 2},
    {"usr/local/lib/systemd/user", Family::kSystemd, "user", 4},
    {"usr/lib/systemd/user", Family::kSystemd, "user", 5},
    {"lib/systemd/user", Family::kSystemd, "user", 6},
    {"run/containers/systemd", Family::kQuadlet, "rootful", 0},
    {"etc/containers/systemd", Family::kQuadlet, "rootful", 1},
    {"usr/share/containers/systemd", Family::kQuadlet, "rootful", 2},
};

constexpr std::string_view kSystemdKinds[] = {"service",   "socket", "timer", "target", "path",  "mount",
                                              "automount", "swap",   "slice", "scope",  "device"};

std::vector<std::string_view> components(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= p.size() && !p.empty()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool has_dropin_dir(std::string_view rel) {
  for (auto c : components(rel))
    if (c.ends_with(".d")) return true;
  return false;
}

}  // namespace

std::string_view suffix_of(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? std::string_view() : name.substr(dot + 1);
}

bool is_unit_name(std::string_view name, Family f) {
  if (f == Family::kQuadlet) return !quadlet_kind(name).empty();
  std::string_view s = suffix_of(name);
  return std::find(std::begin(kSystemdKinds), std::end(kSystemdKinds), s) != std::end(kSystemdKinds);
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> instance_of(std::string_view name, std::string_view tmpl) {
  size_t at = tmpl.find('@');
  if (at == std::string_view::npos || tmpl.substr(at + 1, 1) != ".") return std::nullopt;
  std::string_view prefix = tmpl.substr(0, at + 1), suffix = tmpl.substr(at + 1);
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
    return std::nullopt;
  return std::string(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
}

bool is_template(std::string_view name) { return name.find("@.") != std::string_view::npos; }

UnitPlaces::UnitPlaces(const UnitsInput& in) : users_(in.users), homes_(in.homes) {
  for (const auto& [uid, name] : users_) uid_of_.emplace(name, uid);
}

std::optional<std::pair<std::string, std::string>> UnitPlaces::home_of(std::string_view path) const {
  std::optional<std::pair<std::string, std::string>> best;
  for (const auto& [home, user] : homes_)
    if (!home.empty() && path_within(path, home) && (!best || home.size() > best->first.size())) best = {home, user};
  if (best) return best;
  auto c = components(path);
  if (c.size() >= 2 && c[0] == "home") return std::make_pair("home/" + std::string(c[1]), std::string(c[1]));
  if (c.size() >= 3 && c[0] == "var" && c[1] == "home")
    return std::make_pair("var/home/" + std::string(c[2]), std::string(c[2]));
  if (!c.empty() && c[0] == "root") return std::make_pair(std::string("root"), std::string("root"));
  return std::nullopt;
}

void UnitPlaces::set_owner(Place& p, std::optional<uint32_t> uid, const std::string& name) const {
  if (!uid && !name.empty()) {
    auto it = uid_of_.find(name);
    if (it != uid_of_.end()) uid = it->second;
  }
  p.uid = uid;
  auto known = uid ? users_.find(*uid) : users_.end();
  p.owner_name = known != users_.end() ? known->second : uid && name.empty() ? std::to_string(*uid) : name;
  p.owner = uid ? "uid:" + std::to_string(*uid) : "user:" + name;
}

std::optional<Place> UnitPlaces::locate(std::string_view dir) const {
  if (auto h = home_of(dir)) {
    std::string_view rel = dir.size() > h->first.size() ? dir.substr(h->first.size() + 1) : std::string_view();
    Place p;
    if (rel == ".config/systemd/user" || rel == ".local/share/systemd/user") {
      p.scope = "user";
      p.priority = rel[1] == 'c' ? 0 : 3;
    } else if (path_within(rel, ".config/containers/systemd") && !has_dropin_dir(rel)) {
      p.family = Family::kQuadlet;
      // root's own user manager runs these, as root.
      p.scope = h->second == "root" ? "rootful" : "rootless";
      p.priority = h->second == "root" ? 3 : 0;
      if (p.scope == "rootful") return p;
    } else {
      return std::nullopt;
    }
    set_owner(p, std::nullopt, h->second);
    return p;
  }
  for (const auto& r : kRoots) {
    if (r.family == Family::kSystemd ? dir != r.dir : !path_within(dir, r.dir)) continue;
    Place p;
    p.family = r.family;
    p.scope = std::string(r.scope);
    p.priority = r.priority;
    if (r.family == Family::kSystemd) return p;
    std::string_view rel = dir.size() > r.dir.size() ? dir.substr(r.dir.size() + 1) : std::string_view();
    if (has_dropin_dir(rel)) return std::nullopt;  // quadlet does not look into *.d directories
    auto c = components(rel);
    if (c.empty() || c[0] != "users") return p;
    if (r.dir == "run/containers/systemd") return std::nullopt;
    p.scope = "rootless";
    p.priority = r.priority;
    if (c.size() >= 2 && all_digits(c[1])) set_owner(p, static_cast<uint32_t>(std::stoul(std::string(c[1]))), "");
    return p;
  }
  return std::nullopt;
}

}  // namespace imagelint::units_internal
