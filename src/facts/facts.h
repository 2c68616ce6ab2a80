// Every fact the rules read, gathered in the single pass over the image: rules never parse files
// themselves. A fact that cannot be read is a note or an error inside the fact, never an
// exception: only an unreadable image stops the run.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "facts/kmod.h"
#include "facts/package_verify.h"
#include "facts/policy.h"
#include "facts/rpmdb.h"
#include "facts/units.h"
#include "facts/users.h"
#include "fs/build.h"
#include "image/image.h"

namespace imagelint {

struct KernelInfo {
  std::string kver;  // usr/lib/modules/KVER
  bool vmlinuz = false, initramfs = false, modules_dep = false;
  int modules = 0;
  std::vector<std::string> modules_dep_entries;  // module paths (relative to KVER) listed in modules.dep
};

// check --base: the base image as the instance's own pass saw it after the base's layers.
struct BaseState {
  std::string ref;
  int layers = 0;
  std::shared_ptr<const FileSystem> fs;  // never null (shared with the chain snapshot it came from)
  PackageDb packages;  // read from the base's package databases (their layers only)
};

struct Facts {
  std::map<std::string, std::string> os_release;
  std::string os_release_path;
  std::vector<KernelInfo> kernels;
  std::vector<ModuleInfo> modules;
  Users users;
  std::vector<Unit> units;  // systemd units and quadlets, classified
  PackageDb packages;  // rpm and/or dpkg; a database that cannot be read is an error here
  PackageVerification verify;  // FactNeeds::package_verify: packaged files against the final filesystem
  // etc/containers/policy.json, followed through symlinks: absent, or parsed (ok or its error).
  bool policy_present = false;
  std::string policy_path;
  PolicyResult policy;
  std::vector<std::string> notes;
  std::shared_ptr<const BaseState> base;  // set with check --base
};

struct Gathered {
  BuildResult built;
  Facts facts;
  std::unique_ptr<CaptureSet> captures;  // the facts' captures plus whatever extra declared
};

// Which facts a pass gathers: all of them (check, inspect), or only the package databases (diff,
// which compares filesystems itself and would otherwise decompress every kernel module twice).
enum class FactScope { All, PackagesOnly };

// Facts that cost more than the pass itself, read only when someone asks for them: rule kinds
// say so in RuleKind::declare_needs; inspect asks for all.
struct FactNeeds {
  bool module_signatures = true;  // decode every module to its end for the appended signature
  // nss-altfiles databases to read beside etc/passwd and etc/group (Users::altfiles_*).
  std::vector<std::string> altfiles_passwd, altfiles_group;
  // package-verify: the databases' file attributes (rpm's FILEDIGESTS..., dpkg's md5sums and
  // conffiles) read, and Facts::verify filled.
  bool package_verify = false;
  VerifyOptions verify;
  // Digests (PGPHASHALGO numbers) of every regular file, computed as the layers stream.
  std::vector<uint32_t> file_digests;
};

// One streaming pass over the image; throws InputError only when the image itself is unreadable.
// extra declares further captures (rule kinds) before the pass.
// chain: the first layers shared with other images of this run (made here when it is not yet).
Gathered gather_facts(const Image& img, const std::function<void(CaptureSet&)>& extra = nullptr,
                      FactScope scope = FactScope::All, const FactNeeds& needs = {},
                      const RunContext& run = RunContext::none(), SharedChain* chain = nullptr);

nlohmann::json facts_to_json(const Facts& f);

// The package databases (rpm sqlite, dpkg status) of fs, an earlier state of img's filesystem
// (check --base): each read again from the layer that holds it. Unreadable ones are in unread.
PackageDb packages_at(const Image& img, const FileSystem& fs, const RunContext& run = RunContext::none());

// check --base: the base (ref, its layer count) as the pass saw it after its layers (base_fs,
// BuildResult::snapshot), with its packages: the final ones when the instance left the databases
// alone, else read again from the base's layers.
std::shared_ptr<const BaseState> base_state(const Image& img, const std::string& ref, int layers,
                                            std::shared_ptr<const FileSystem> base_fs,
                                            const Gathered& final, const RunContext& run = RunContext::none());

}  // namespace imagelint
