#include "facts/facts.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "facts/facts_internal.h"
#include "util/path.h"
#include "util/error.h"
#include "util/perf.h"
#include "util/task_pool.h"

namespace imagelint {

using namespace facts_internal;

namespace {

constexpr uint64_t kSmall = 1u << 20;
constexpr uint64_t kAccounts = 16u << 20;
constexpr uint64_t kModulesDep = 64u << 20;

// systemd's drop-in directories for sysusers.d and tmpfiles.d, highest priority first: a file in
// etc/ replaces the same-named file in usr/lib/.
const std::vector<std::string> kConfDirs = {"etc", "run", "usr/local/lib", "usr/lib"};

std::string conf_pattern(const std::string& kind) { return "(etc|run|usr/local/lib|usr/lib)/" + kind + "\\.d/[^/]+\\.conf"; }

// The effective files of a systemd conf.d family: basename -> winning path (masked ones dropped).
std::map<std::string, std::string> effective_confs(const FileSystem& fs, const std::string& kind) {
  std::map<std::string, std::string> out;
  for (auto it = kConfDirs.rbegin(); it != kConfDirs.rend(); ++it) {
    std::string dir = *it + "/" + kind + ".d";
    for (auto e = fs.entries().lower_bound(dir + "/"); e != fs.entries().end() && e->first.starts_with(dir + "/"); ++e) {
      std::string base(base_name(e->first));
      if (parent_path(e->first) != dir || !base.ends_with(".conf")) continue;
      if (e->second.type == EntryType::Symlink && e->second.link == "/dev/null") out.erase(base);
      else out[base] = e->first;
    }
  }
  return out;
}

void gather_kernels(const FileSystem& fs, const CaptureSet& cap, Facts& f) {
  const std::string root = "usr/lib/modules/";
  std::map<std::string, int> counts;
  for (auto& m : f.modules) counts[m.kver]++;
  for (auto e = fs.entries().lower_bound(root); e != fs.entries().end() && e->first.starts_with(root); ++e) {
    if (parent_path(e->first) + "/" != root || e->second.type != EntryType::Dir) continue;
    KernelInfo k;
    k.kver = std::string(base_name(e->first));
    auto is_file = [&](const std::string& p) {
      Resolved r = fs.resolve(p, true);
      const Entry* x = r.status == Resolve::Ok ? fs.find(r.path) : nullptr;
      return x && x->type == EntryType::File;
    };
    k.vmlinuz = is_file(e->first + "/vmlinuz");
    k.initramfs = is_file(e->first + "/initramfs.img");
    k.modules_dep = is_file(e->first + "/modules.dep");
    k.modules = counts[k.kver];
    if (const Captured* dep = cap.get(e->first + "/modules.dep")) {
      if (dep->truncated) f.notes.push_back(e->first + "/modules.dep: larger than 64 MiB, read in part");
      size_t a = 0;
      while (a < dep->data.size()) {
        size_t b = dep->data.find('\n', a);
        if (b == std::string::npos) b = dep->data.size();
        size_t colon = dep->data.find(':', a);
        if (colon != std::string::npos && colon < b) k.modules_dep_entries.push_back(dep->data.substr(a, colon - a));
        a = b + 1;
      }
    }
    f.kernels.push_back(std::move(k));
  }
}

void gather_users(const FileSystem& fs, const CaptureSet& cap, const FactNeeds& needs, Facts& f) {
  Users& u = f.users;
  if (const Captured* c = cap.get("etc/passwd")) u.passwd = parse_passwd(c->data, u.notes);
  if (const Captured* c = cap.get("etc/group")) u.groups = parse_group(c->data, u.notes);
  if (const Captured* c = cap.get("etc/shadow")) u.shadow_with_password = shadow_users_with_password(c->data);
  std::vector<FileNote> unused;  // the altfiles' malformed lines are not the image's accounts' notes
  for (const std::string& p : needs.altfiles_passwd)
    if (const Captured* c = cap.get(p))
      for (auto& e : parse_passwd(c->data, unused)) u.altfiles_passwd.push_back(std::move(e));
  for (const std::string& p : needs.altfiles_group)
    if (const Captured* c = cap.get(p))
      for (auto& e : parse_group(c->data, unused)) u.altfiles_groups.push_back(std::move(e));
  for (auto& [base, path] : effective_confs(fs, "sysusers")) {
    if (const Captured* c = cap.get(path)) {
      auto v = parse_sysusers(path, c->data, u.notes);
      u.sysusers.insert(u.sysusers.end(), v.begin(), v.end());
    }
  }
  for (auto& [base, path] : effective_confs(fs, "tmpfiles")) {
    if (const Captured* c = cap.get(path)) {
      auto v = parse_tmpfiles(path, c->data, u.notes);
      u.tmpfiles.insert(u.tmpfiles.end(), v.begin(), v.end());
    }
  }
  const std::string linger = "var/lib/systemd/linger/";
  for (auto& t : u.tmpfiles)
    if (t.path.starts_with(linger) && t.path.size() > linger.size() && t.type.find_first_of("rR") == std::string::npos)
      u.lingering.push_back(t.path.substr(linger.size()));
  for (auto e = fs.entries().lower_bound(linger); e != fs.entries().end() && e->first.starts_with(linger); ++e)
    u.notes.push_back({e->first, e->first + " is in the image: on bootc, /var from the image is applied only at first install; "
                                             "set up lingering with tmpfiles.d"});
  std::sort(u.lingering.begin(), u.lingering.end());
  u.lingering.erase(std::unique(u.lingering.begin(), u.lingering.end()), u.lingering.end());
}

constexpr const char* kPolicyPath = "etc/containers/policy.json";

// Every directory units.h reads: system and user units, presets, quadlets, and users' own.
const char* const kUnitDirs =
    "((etc|run|usr/local/lib|usr/lib|lib)/systemd/(system|user)(-preset)?"
    "|(run|etc|usr/share)/containers/systemd"
    "|((var/)?home/[^/]+|root)/\\.config/(systemd/user|containers/systemd)"
    "|(var/)?home/[^/]+/\\.local/share/systemd/user)/.+";
constexpr uint64_t kUnitBytes = (4u << 20) + 1;

void gather_units(const FileSystem& fs, const CaptureSet& cap, Facts& f) {
  UnitsInput in;
  RE2 dirs(kUnitDirs);
  for (auto& [path, e] : fs.entries()) {
    if (e.type != EntryType::Symlink || !RE2::FullMatch(path, dirs)) continue;
    in.symlinks[path] = e.link;
  }
  for (auto& [path, c] : cap.all()) {
    if (!RE2::FullMatch(path, dirs)) continue;
    if (path.ends_with(".preset") && path.find("-preset/") != std::string::npos) in.presets[path] = c.data;
    else in.files[path] = c.data;
  }
  for (auto& p : f.users.passwd) {
    in.users.emplace(p.uid, p.name);
    std::string home = p.home;
    while (home.starts_with("/")) home.erase(0, 1);
    if (!home.empty()) in.homes.emplace(home, p.name);
  }
  for (auto& s : f.users.sysusers)
    if ((s.type == "u" || s.type == "u!") && s.uid()) in.users.emplace(*s.uid(), s.name);
  f.units = classify_units(in);
}

void gather_policy(const FileSystem& fs, const CaptureSet& cap, Facts& f) {
  Resolved r = fs.resolve(kPolicyPath, true);
  f.policy_path = r.status == Resolve::Ok ? r.path : kPolicyPath;
  if (std::string why = cap.problem(kPolicyPath); !why.empty()) {
    f.policy_present = true;
    f.policy.error = why;
    return;
  }
  const Captured* c = cap.get(kPolicyPath);
  if (!c) return;
  f.policy_present = true;
  if (c->truncated) {
    f.policy.error = "larger than " + std::to_string(kPolicyMaxBytes >> 20) + " MiB";
    return;
  }
  f.policy = parse_policy(c->data);
}

}  // namespace

Gathered gather_facts(const Image& img, const std::function<void(CaptureSet&)>& extra, FactScope scope,
                      const FactNeeds& needs, const RunContext& run, SharedChain* chain) {
  Gathered g;
  g.captures = std::make_unique<CaptureSet>();
  CaptureSet& cap = *g.captures;
  if (scope == FactScope::PackagesOnly) {
    want_packages(cap, needs.package_verify);  // diff: the file attributes, never file digests
    if (extra) extra(cap);
    g.built = build_filesystem(img, &cap, run);
    gather_packages(g.built.fs, cap, g.facts, needs.package_verify);
    for (auto& n : cap.notes()) g.facts.notes.push_back(n);
    return g;
  }
  cap.want_path("etc/os-release", kSmall);
  cap.want_path("usr/lib/os-release", kSmall);
  cap.want_path("etc/passwd", kAccounts);
  cap.want_path("etc/group", kAccounts);
  cap.want_path("etc/shadow", kAccounts);
  for (const std::string& p : needs.altfiles_passwd) cap.want_path(p, kAccounts);
  for (const std::string& p : needs.altfiles_group) cap.want_path(p, kAccounts);
  const int digests = want_file_digests(cap, needs);
  cap.want_pattern(conf_pattern("sysusers"), kSmall);
  cap.want_pattern(conf_pattern("tmpfiles"), kSmall);
  cap.want_pattern("usr/lib/modules/[^/]+/modules\\.dep", kModulesDep);
  want_packages(cap, needs.package_verify);
  cap.want_path(kPolicyPath, kPolicyMaxBytes + 1);
  cap.want_pattern(kUnitDirs, kUnitBytes);
  // Modules are decoded on the pool while the layers stream; the pass waits for them at its end.
  TaskPool pool(run.worker_threads());
  int modules = cap.want_visits(kModulePattern, std::string("modinfo/1 signature=") + (needs.module_signatures ? "1" : "0"),
                                [&](const std::string& path, const Entry&) {
                                  return std::make_unique<ModinfoReader>(path, needs.module_signatures, &pool);
                                });
  cap.set_settle([&pool, &run] {
    PerfStage stage(run.perf, "modules (wait)");
    pool.wait();
  });

  if (extra) extra(cap);
  if (chain && chain->layers > 0 && img.rootfs.empty() && static_cast<size_t>(chain->layers) <= img.layers.size()) {
    const std::string fp = cap.fingerprint();
    if (!chain->state || fp.empty() || fp != chain->fingerprint) {
      chain->state = build_chain(img, chain->layers, cap, run);
      chain->fingerprint = fp;
    }
    g.built = build_filesystem(img, &cap, run, chain->state);
  } else {
    g.built = build_filesystem(img, &cap, run);  // settles: the modules are read
  }
  cap.set_settle(nullptr);
  PerfStage stage(run.perf, "facts");
  Facts& f = g.facts;
  const FileSystem& fs = g.built.fs;

  for (const char* p : {"etc/os-release", "usr/lib/os-release"})
    if (const Captured* c = cap.get(p)) {
      f.os_release = parse_os_release(c->data);
      f.os_release_path = p;
      break;
    }
  for (auto& [path, v] : cap.visits(modules)) f.modules.push_back(static_cast<const ModinfoReader&>(*v).info());
  gather_kernels(fs, cap, f);
  gather_users(fs, cap, needs, f);
  gather_packages(fs, cap, f, needs.package_verify);
  if (needs.package_verify) gather_verification(img, fs, cap, digests, needs, run, f);
  gather_policy(fs, cap, f);
  gather_units(fs, cap, f);
  for (auto& n : cap.notes()) f.notes.push_back(n);
  return g;
}

nlohmann::json facts_to_json(const Facts& f) {
  using nlohmann::json;
  json j;
  j["os_release"] = f.os_release;
  j["kernels"] = json::array();
  for (auto& k : f.kernels)
    j["kernels"].push_back({{"kver", k.kver},
                            {"vmlinuz", k.vmlinuz},
                            {"initramfs", k.initramfs},
                            {"modules_dep", k.modules_dep},
                            {"modules", k.modules}});
  j["modules"] = json::array();
  for (auto& m : f.modules) {
    json mj = {{"path", m.path}, {"name", m.name},         {"vermagic", m.vermagic},
               {"version", m.version}, {"srcversion", m.srcversion}, {"depends", m.depends},
               {"signed", m.signature_read ? nlohmann::json(m.signed_) : nlohmann::json(nullptr)}};
    if (!m.error.empty()) mj["error"] = m.error;
    j["modules"].push_back(mj);
  }
  json users;
  users["passwd"] = json::array();
  for (auto& p : f.users.passwd)
    users["passwd"].push_back({{"name", p.name}, {"uid", p.uid}, {"gid", p.gid}, {"home", p.home}, {"shell", p.shell}});
  users["groups"] = json::array();
  for (auto& g : f.users.groups) users["groups"].push_back({{"name", g.name}, {"gid", g.gid}, {"members", g.members}});
  users["sysusers"] = json::array();
  for (auto& s : f.users.sysusers)
    users["sysusers"].push_back({{"file", s.file}, {"type", s.type}, {"name", s.name}, {"id", s.id}, {"home", s.home}});
  users["tmpfiles"] = json::array();
  for (auto& t : f.users.tmpfiles)
    users["tmpfiles"].push_back({{"file", t.file}, {"type", t.type}, {"path", t.path}, {"mode", t.mode}, {"user", t.user},
                                 {"group", t.group}, {"argument", t.argument}});
  users["lingering"] = f.users.lingering;
  users["shadow_with_password"] = f.users.shadow_with_password;
  users["notes"] = json::array();
  for (auto& n : f.users.notes) users["notes"].push_back(n.text);
  j["users"] = users;
  j["units"] = units_to_json(f.units);
  if (f.policy_present) {
    j["policy"] = policy_to_json(f.policy);
    j["policy"]["path"] = f.policy_path;
  } else {
    j["policy"] = nullptr;
  }
  json packages = packages_to_json(f.packages);
  for (auto it = packages.begin(); it != packages.end(); ++it) j[it.key()] = *it;
  if (f.verify.done) {
    j["package_verification"] = verification_to_json(f.packages, f.verify);
    j["package_verification_notes"] = f.verify.notes;
  }
  j["notes"] = f.notes;
  return j;
}

std::shared_ptr<const BaseState> base_state(const Image& img, const std::string& ref, int layers,
                                            std::shared_ptr<const FileSystem> base_fs,
                                            const Gathered& final, const RunContext& run) {
  auto base = std::make_shared<BaseState>();
  base->ref = ref;
  base->layers = layers;
  base->fs = std::move(base_fs);
  // Most instances leave the package databases alone: then the base's are the final ones, and
  // no layer is read again for them.
  bool same = true;
  std::vector<std::string> dbs = {"var/lib/dpkg/status"};
  for (const std::string& dir : rpmdb_dirs()) dbs.push_back(dir + "/rpmdb.sqlite");
  const FileSystem& fs = final.built.fs;
  for (const std::string& p : dbs) {
    Resolved a = base->fs->resolve(p, true), b = fs.resolve(p, true);
    const Entry* ea = a.status == Resolve::Ok ? base->fs->find(a.path) : nullptr;
    const Entry* eb = b.status == Resolve::Ok ? fs.find(b.path) : nullptr;
    if ((ea == nullptr) != (eb == nullptr) || (ea && (a.path != b.path || ea->hash != eb->hash || ea->size != eb->size)))
      same = false;
  }
  base->packages = same ? final.facts.packages : packages_at(img, *base->fs, run);
  return base;
}

}  // namespace imagelint
