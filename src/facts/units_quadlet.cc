#include "facts/units_quadlet.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "facts/units_quadlet_kinds.h"

namespace imagelint {

namespace {

// The keys of the [Quadlet] group (the kinds' own groups: units_quadlet_kinds.cc). Anything else
// in the group makes quadlet refuse the file.
constexpr std::string_view kQuadletKeys[] = {"DefaultDependencies"};

template <typename Range>
bool contains(const Range& r, std::string_view v) {
  return std::find(std::begin(r), std::end(r), v) != std::end(r);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool nonempty(const std::optional<std::string>& v) { return v && !v->empty(); }

// LookupAllArgs(): exec-style words with quotes removed and backslash escapes decoded.
std::vector<std::string> args(const UnitFile& u, std::string_view group, std::string_view key) {
  std::vector<std::string> out;
  for (auto& w : u.words(group, key)) {
    std::string d;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] != '\\' || i + 1 == w.size()) {
        d += w[i];
        continue;
      }
      char c = w[++i];
      d += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    out.push_back(std::move(d));
  }
  return out;
}

// The comma-separated fields of a --mount value, "..." quoting a field (as Go's csv reader).
std::vector<std::string> csv_fields(std::string_view s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : s) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// A path podman leaves alone: absolute, or starting with a systemd specifier (%h/...), which
// quadlet does not resolve.
bool absolute_or_specifier(std::string_view p) {
  return !p.empty() && (p[0] == '/' || (p[0] == '%' && (p.size() < 2 || p[1] != '%')));
}

// podman's isURL: ^((https?)|(git)://)|(github\.com/).+$ — note the alternation binds loosely,
// so anything starting with "http" counts.
bool is_url(std::string_view s) {
  if (s.starts_with("http") || s.starts_with("git://")) return true;
  size_t g = s.find("github.com/");
  return g != std::string_view::npos && g + 11 < s.size();
}

// A storage source that names a quadlet unit; "./x.volume" and "/x.volume" are paths.
bool names_unit(std::string_view source, std::string_view ext) {
  return !source.empty() && source[0] != '.' && source[0] != '/' && source.ends_with(ext);
}

class Checker {
 public:
  Checker(const units_internal::QuadletKind& k, const UnitFile& u, const std::set<std::string>& siblings)
      : k_(k), u_(u), siblings_(siblings) {}

  QuadletVerdict run() {
    for (const char* key : {"User", "Group", "DynamicUser"})
      if (u_.has("Service", key))
        v_.warnings.push_back(std::string("using key ") + key +
                              " in the Service group is not supported - use at your own risk");
    using Check = void (Checker::*)();
    static constexpr std::pair<std::string_view, Check> kChecks[] = {
        {"container", &Checker::container}, {"pod", &Checker::pod},          {"kube", &Checker::kube},
        {"network", &Checker::network},     {"volume", &Checker::volume},    {"image", &Checker::image},
        {"build", &Checker::build},         {"artifact", &Checker::artifact}};
    if (check_keys() && check_dependencies())
      for (const auto& [kind, check] : kChecks)
        if (kind == k_.kind) (this->*check)();
    return std::move(v_);
  }

 private:
  bool fail(std::string msg) {
    if (v_.error.empty()) v_.error = std::move(msg);
    return false;
  }
  std::optional<std::string> get(std::string_view key) const { return quadlet_lookup(u_, k_.group, key); }
  bool known(std::string_view name) const { return siblings_.count(std::string(name)) > 0; }

  bool check_keys() {
    for (const auto& key : u_.keys(k_.group))
      if (std::find(k_.keys, k_.keys + k_.nkeys, key) == k_.keys + k_.nkeys)
        return fail("unsupported key '" + key + "' in group '" + std::string(k_.group) + "'");
    for (const auto& key : u_.keys("Quadlet"))
      if (!contains(kQuadletKeys, key)) return fail("unsupported key '" + key + "' in group 'Quadlet'");
    return true;
  }

  // [Unit] dependencies on other quadlet files are rewritten to their services; a file the
  // generator does not see cannot be.
  bool check_dependencies() {
    for (const char* key : {"After", "Before", "BindsTo", "Conflicts", "OnFailure", "OnSuccess", "PartOf",
                            "PropagatesReloadTo", "PropagatesStopTo", "ReloadPropagatedFrom", "Requires", "Requisite",
                            "StopPropagatedFrom", "Upholds", "Wants"})
      for (const auto& dep : u_.words("Unit", key))
        if (units_internal::find_quadlet_kind(dep) && !known(dep)) return fail("unable to translate dependency for " + dep);
    return true;
  }

  bool service_type_and_kill_mode() {
    auto kill = quadlet_lookup(u_, "Service", "KillMode");
    if (kill && *kill != "mixed" && *kill != "control-group") return fail("invalid KillMode '" + *kill + "'");
    auto type = quadlet_lookup(u_, "Service", "Type");
    if (type && *type != "notify" && *type != "oneshot") return fail("invalid service Type '" + *type + "'");
    return true;
  }

  bool image_source(const std::string& image) {
    if ((image.ends_with(".build") || image.ends_with(".image")) && !known(image))
      return fail("requested Quadlet image " + image + " was not found");
    return true;
  }

  bool networks() {
    for (const auto& n : u_.all(k_.group, "Network")) {
      size_t colon = n.find(':');
      std::string name = n.substr(0, colon);
      bool is_container = name.ends_with(".container");
      if (!name.ends_with(".network") && !is_container) continue;
      if (!known(name)) return fail("requested Quadlet unit " + name + " was not found");
      if (colon != std::string::npos && is_container)
        return fail("extra options are not supported when joining another container's network");
    }
    return true;
  }

  // Volume=SOURCE:DEST[:OPTIONS]; a SOURCE ending in .volume names a quadlet volume.
  bool volumes() {
    for (const auto& v : u_.all(k_.group, "Volume")) {
      size_t colon = v.find(':');
      if (colon == std::string::npos) continue;
      std::string source = v.substr(0, colon);
      if (names_unit(source, ".volume") && !known(source))
        return fail("requested Quadlet source " + source + " was not found");
    }
    return true;
  }

  bool user_mappings(bool manual_supported) {
    bool explicit_maps = nonempty(get("UserNS")) || !u_.words(k_.group, "UIDMap").empty() ||
                         !u_.words(k_.group, "GIDMap").empty() || nonempty(get("SubUIDMap")) ||
                         nonempty(get("SubGIDMap"));
    auto remap = u_.last(k_.group, "RemapUsers");
    if (explicit_maps) {
      if (u_.has(k_.group, "RemapUid") || u_.has(k_.group, "RemapGid") || remap)
        return fail("deprecated Remap keys are set along with explicit mapping keys");
      return true;
    }
    auto uids = u_.words(k_.group, "RemapUid");
    auto gids = u_.words(k_.group, "RemapGid");
    std::string mode = remap.value_or("");
    if (mode.empty()) {
      if (!uids.empty()) return fail("UidMap set without RemapUsers");
      if (!gids.empty()) return fail("GidMap set without RemapUsers");
    } else if (mode == "manual") {
      if (!manual_supported) return fail("RemapUsers=manual is not supported");
    } else if (mode == "keep-id") {
      if (uids.size() > 1) return fail("RemapUsers=keep-id supports only a single value for UID mapping");
      if (gids.size() > 1) return fail("RemapUsers=keep-id supports only a single value for GID mapping");
    } else if (mode != "auto") {
      return fail("unsupported RemapUsers option '" + mode + "'");
    }
    return true;
  }

  void container() {
    auto image = get("Image");
    auto rootfs = get("Rootfs");
    if (!nonempty(image) && !nonempty(rootfs)) return (void)fail("no Image or Rootfs key specified");
    if (nonempty(image) && nonempty(rootfs))
      return (void)fail("the Image And Rootfs keys conflict can not be specified together");
    if (nonempty(image)) {
      if (!image_source(*image)) return;
      if (!image->ends_with(".build") && !image->ends_with(".image")) warn_short_name(*image);
    }
    if (!service_type_and_kill_mode()) return;
    auto reload_cmd = args(u_, k_.group, "ReloadCmd");
    if (!reload_cmd.empty() && nonempty(get("ReloadSignal")))
      return (void)fail("ReloadCmd and ReloadSignal are mutually exclusive but both are set");
    if (!networks()) return;
    if (nonempty(get("Group")) && !nonempty(get("User"))) return (void)fail("invalid Group set without User");
    if (!user_mappings(true) || !volumes()) return;
    static const RE2 port(R"(\d+(-\d+)?(/udp|/tcp)?$)");
    for (const auto& p : u_.all(k_.group, "ExposeHostPort")) {
      std::string t(p.substr(0, p.find_last_not_of(" \t\n\r") + 1));
      t.erase(0, t.find_first_not_of(" \t\n\r"));
      if (!RE2::PartialMatch(t, port)) return (void)fail("invalid port format '" + t + "'");
    }
    for (const auto& m : args(u_, k_.group, "Mount"))
      if (!mount(m)) return;
    auto pod_name = get("Pod");
    if (nonempty(pod_name)) {
      if (!pod_name->ends_with(".pod")) return (void)fail("pod " + *pod_name + " is not Quadlet based");
      if (!known(*pod_name)) return (void)fail("quadlet pod unit " + *pod_name + " does not exist");
    }
  }

  // --mount: the sources podman resolves (volume, bind, glob, image, artifact) must be given
  // (an anonymous volume needs none) and, when they name a quadlet unit, exist.
  bool mount(const std::string& m) {
    auto fields = csv_fields(m);
    std::string type;
    std::optional<std::string> source;
    for (const auto& f : fields) {
      size_t eq = f.find('=');
      std::string key = f.substr(0, eq);
      if (key == "type" && eq != std::string::npos) type = f.substr(eq + 1);
      if (key == "source" || key == "src") {
        if (eq == std::string::npos) return fail("source parameter does not include a value");
        source = f.substr(eq + 1);
      }
    }
    if (type != "volume" && type != "bind" && type != "glob" && type != "image" && type != "artifact") return true;
    if (!source) return type == "volume" || fail("source parameter is required for mount type " + type);
    for (const char* ext : {".volume", ".image", ".artifact"})
      if (names_unit(*source, ext) && !known(*source))
        return fail("requested Quadlet source " + *source + " was not found");
    return true;
  }

  void warn_short_name(const std::string& image) {
    if (!is_fully_qualified_image(image))
      v_.warnings.push_back("image \"" + image +
                            "\" is not a fully qualified image name: podman resolves it through the short-name "
                            "aliases and search registries of registries.conf");
  }

  void pod() {
    if (user_mappings(true) && networks()) volumes();
  }

  void kube() {
    auto yamls = u_.all(k_.group, "Yaml");
    if (yamls.empty()) return (void)fail("no Yaml key specified");
    if (!service_type_and_kill_mode() || !user_mappings(false) || !networks()) return;
    auto wd = get("SetWorkingDirectory");
    if (!nonempty(wd)) return;
    std::string mode = lower(*wd);
    if (mode == "yaml") {
      if (yamls.size() > 1) fail("SetWorkingDirectory=yaml is only supported when a single Yaml key is provided");
    } else if (mode == "file") {
      fail("SetWorkingDirectory=" + *wd + " is only supported in .build files");
    } else if (mode != "unit") {
      fail("unsupported value for WorkingDirectory: " + *wd);
    }
  }

  void network() {
    auto subnets = u_.all(k_.group, "Subnet");
    auto gateways = u_.all(k_.group, "Gateway");
    auto ranges = u_.all(k_.group, "IPRange");
    if (subnets.empty()) {
      if (!gateways.empty() || !ranges.empty()) fail("cannot set gateway or range without subnet");
    } else if (gateways.size() > subnets.size()) {
      fail("cannot set more gateways than subnets");
    } else if (ranges.size() > subnets.size()) {
      fail("cannot set more ranges than subnets");
    }
  }

  void volume() {
    if (get("Driver").value_or("") != "image") return;
    auto image = get("Image");
    if (!image) return (void)fail("the key Image is mandatory when using the image driver");
    image_source(*image);
  }

  void image() {
    auto image = get("Image");
    if (!nonempty(image)) return (void)fail("no Image key specified");
    warn_short_name(*image);
  }

  void artifact() {
    if (!nonempty(get("Artifact"))) fail("no Artifact key specified");
  }

  // In order: an image tag, then a build context — SetWorkingDirectory (unit, file, a
  // directory or a URL), [Service] WorkingDirectory=, or an absolute File=.
  void build() {
    if (!nonempty(get("ImageTag"))) return (void)fail("no ImageTag key specified");
    if (!networks() || !volumes()) return;
    auto swd = get("SetWorkingDirectory");
    auto file = get("File").value_or("");
    bool has_wd = nonempty(quadlet_lookup(u_, "Service", "WorkingDirectory"));
    std::string context;
    if (nonempty(swd)) {
      std::string mode = lower(*swd);
      bool relative_to_file = false;
      if (mode == "yaml") return (void)fail("SetWorkingDirectory=" + *swd + " is only supported in .kube files");
      if (mode == "file") {
        if (!get("File")) return (void)fail("no File key specified");
        relative_to_file = true;
      } else if (mode == "unit") {
        relative_to_file = true;
      } else {
        context = *swd;
        relative_to_file = context[0] != '/';
      }
      if (relative_to_file && !is_url(context)) has_wd = true;
    }
    if (!has_wd && file.empty() && context.empty())
      return (void)fail("neither SetWorkingDirectory, nor File key specified");
    if (context.empty() && !absolute_or_specifier(file) && !is_url(file) && !has_wd)
      fail("relative path in File key requires SetWorkingDirectory key to be set");
  }

  const units_internal::QuadletKind& k_;
  const UnitFile& u_;
  const std::set<std::string>& siblings_;
  QuadletVerdict v_;
};

}  // namespace

std::optional<std::string> quadlet_lookup(const UnitFile& unit, std::string_view group, std::string_view key) {
  auto v = unit.last(group, key);
  if (!v) return v;
  size_t end = v->find_last_not_of(" \t\n\r\v\f");
  v->erase(end == std::string::npos ? 0 : end + 1);
  if (v->size() >= 2 && v->front() == '"' && v->back() == '"') *v = v->substr(1, v->size() - 2);
  return v;
}

QuadletVerdict check_quadlet(std::string_view file_name, const UnitFile& unit, const std::set<std::string>& siblings) {
  const units_internal::QuadletKind* k = units_internal::find_quadlet_kind(file_name);
  if (!k) return {"not a quadlet unit: " + std::string(file_name), {}};
  return Checker(*k, unit, siblings).run();
}

bool quadlet_boolean(std::string_view v) {
  std::string s = lower(v);
  return s == "1" || s == "yes" || s == "true" || s == "on";
}

bool is_fully_qualified_image(std::string_view ref) {
  if (ref.starts_with("sha256:")) return true;
  if (ref.size() == 64 &&
      std::all_of(ref.begin(), ref.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
    return true;
  size_t slash = ref.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view first = ref.substr(0, slash);
  if (first == "localhost") return true;
  return std::any_of(first.begin(), first.end(),
                     [](char c) { return c == '.' || c == ':' || std::isupper(static_cast<unsigned char>(c)); });
}

}  // namespace imagelint
