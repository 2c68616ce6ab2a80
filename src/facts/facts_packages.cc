// The packages fact in the pass: which database files to capture, reading them, the file digests
// package-verify needs and the verification itself; and packages_at (check --base).
#include <set>

#include "facts/dpkg.h"
#include "facts/facts_internal.h"
#include "facts/file_digest.h"
#include "util/error.h"
#include "util/path.h"
#include "util/perf.h"

namespace imagelint {
namespace facts_internal {

namespace {
constexpr uint64_t kDpkgStatus = 64u << 20;
constexpr uint64_t kBackendMagic = 4096;
}  // namespace

// The package databases' files, as they are named (not resolved), and how much of each to read:
// sqlite whole, ndb and bdb only for their magic, dpkg's status whole.
std::vector<std::pair<std::string, uint64_t>> package_db_files() {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const std::string& dir : rpmdb_dirs()) {
    out.emplace_back(dir + "/rpmdb.sqlite", kRpmMaxDbBytes);
    out.emplace_back(dir + "/Packages.db", kBackendMagic);
    out.emplace_back(dir + "/Packages", kBackendMagic);
  }
  out.emplace_back("var/lib/dpkg/status", kDpkgStatus);
  return out;
}

void want_packages(CaptureSet& cap, bool attrs) {
  for (auto& [path, cap_bytes] : package_db_files()) cap.want_path(path, cap_bytes);
  cap.want_pattern("var/lib/dpkg/info/[^/]+\\.list", kDpkgStatus);
  if (attrs) cap.want_pattern("var/lib/dpkg/info/[^/]+\\.md5sums", kDpkgStatus);
}

// Reads the package databases of fs whose bytes get returns (by the name package_db_files gives
// them; nullptr when absent) into out. dpkg_lists: var/lib/dpkg/info/*.list, path -> content.
// With read.with_attrs, md5sums holds var/lib/dpkg/info/*.md5sums (path -> content).
void read_packages(const FileSystem& fs, const std::function<const Captured*(const std::string&)>& get,
                   const std::map<std::string, std::string>& dpkg_lists, PackageDb& out, PackageRead read,
                   const std::map<std::string, std::string>* md5sums) {
  // Paths as a database lists them, resolved through symlinked directories (bin -> usr/bin).
  PathResolver resolve = [&fs](const std::string& listed) {
    Resolved r = fs.resolve(listed, false);
    return r.status == Resolve::Ok ? r.path : listed;
  };
  std::set<std::string> seen;  // usr/lib/sysimage/rpm is often a link to usr/share/rpm: read once
  for (const std::string& dir : rpmdb_dirs())
    for (const char* name : {"rpmdb.sqlite", "Packages.db", "Packages"}) {
      std::string p = dir + "/" + name;
      const Captured* c = get(p);
      if (!c) continue;
      Resolved r = fs.resolve(p, true);
      if (!seen.insert(r.path).second) continue;
      std::optional<uint64_t> wal;
      if (const Entry* w = fs.find(r.path + "-wal")) wal = w->size;
      try {
        if (c->truncated && rpm_backend_of(p) == RpmBackend::sqlite)
          throw InputError(r.path, "larger than the 1 GiB this tool reads");
        PackageDb db = read_rpmdb(c->data, r.path, wal, read);
        // A package whose header is malformed is unknown, not absent: the database counts as
        // unread for the rules (the packages that were read still count).
        bool partial = !db.errors.empty() && rpm_backend_of(p) == RpmBackend::sqlite;
        out.merge(std::move(db), resolve);
        if (partial) out.unread.push_back(r.path);
      } catch (const InputError& e) {
        out.errors.push_back(e.what());
        out.unread.push_back(r.path);
      }
    }
  if (const Captured* status = get("var/lib/dpkg/status")) {
    try {
      out.merge(read_dpkg(status->data, dpkg_lists, kDpkgStatusPath, read.with_attrs ? md5sums : nullptr), resolve);
    } catch (const InputError& e) {
      out.errors.push_back(e.what());
      out.unread.push_back("var/lib/dpkg/status");
    }
  }
}

void gather_packages(const FileSystem& fs, const CaptureSet& cap, Facts& f, bool attrs) {
  std::map<std::string, std::string> lists, sums;
  for (auto& [path, c] : cap.all())
    if (path.starts_with("var/lib/dpkg/info/") && path.ends_with(".list")) lists[path] = c.data;
    else if (attrs && path.starts_with("var/lib/dpkg/info/") && path.ends_with(".md5sums")) sums[path] = c.data;
  read_packages(fs, [&](const std::string& p) { return cap.get(p); }, lists, f.packages, PackageRead{attrs}, &sums);
}

// Where no package keeps files, or the databases themselves: not worth a digest.
bool unpackaged(const std::string& path) {
  for (const char* p : {"var/lib/dpkg/", "var/lib/rpm/", "usr/lib/sysimage/rpm/", "var/cache/", "var/log/", "tmp/",
                        "var/tmp/", "home/", "root/", "proc/", "sys/", "run/"})
    if (path.starts_with(p)) return true;
  return false;
}

// package-verify: every regular file's digest while the layers stream (the visitor's result is
// what the layer cache keeps), then each packaged file compared with the final filesystem.
int want_file_digests(CaptureSet& cap, const FactNeeds& needs) {
  if (needs.file_digests.empty()) return -1;
  auto algos = needs.file_digests;
  return cap.want_visits(".*", file_digest_key(algos), [algos](const std::string& path, const Entry& e) -> std::unique_ptr<EntryVisitor> {
    if (e.type != EntryType::File || e.size == 0 || unpackaged(path)) return nullptr;
    return std::make_unique<FileDigester>(algos);
  });
}

// Files bigger than this are not read again for their digest (their `5` column stays unknown).
constexpr uint64_t kVerifyRereadCap = 256ull << 20;

// Without digests from the pass (the default, install-layer baseline), only the files a later
// layer wrote need one: a first verification without digests finds them (their `5` column is
// '?'), they are read again from the layers that hold them (the small layers after the package
// manager's), and the verification runs again with their digests.
void gather_verification(const Image& img, const FileSystem& fs, const CaptureSet& cap, int digests, const FactNeeds& needs,
                         const RunContext& run, Facts& f) {
  const std::map<std::string, VisitorPtr>* done = digests >= 0 ? &cap.visits(digests) : nullptr;
  std::map<std::pair<std::string, uint32_t>, std::string> reread;
  DigestOf digest = [&](const std::string& path, uint32_t algo) -> const std::string* {
    if (done)
      if (auto it = done->find(path); it != done->end())
        if (const std::string* hex = static_cast<const FileDigester&>(*it->second).hex(algo)) return hex;
    if (auto it = reread.find({path, algo}); it != reread.end()) return &it->second;
    const Entry* e = fs.find(path);  // empty files get no visitor
    const std::string& empty = empty_digest(algo);
    return e && e->type == EntryType::File && e->size == 0 && !empty.empty() ? &empty : nullptr;
  };
  f.verify = verify_packages(f.packages, fs, f.users, digest, needs.verify);
  std::map<std::string, std::set<uint32_t>> wanted;  // data path -> algorithms
  for (const VerifyIssue& is : f.verify.issues) {
    // In-pass digests leave out a few places (caches, homes, the databases): those a package
    // lists are read again too. Without them, only what a later layer wrote needs a digest.
    if ((!done && is.at_install) || is.missing || is.letters[2] != '?') continue;
    const Entry* e = fs.find(is.path);
    if (!e || e->size > kVerifyRereadCap) continue;
    wanted[e->data_path().empty() ? is.path : e->data_path()].insert(f.packages.packages[is.package].digest_algo);
  }
  if (wanted.empty()) return;
  PerfStage stage(run.perf, "package digests (read again)");
  std::vector<std::string> paths;
  for (auto& [p, algos] : wanted) paths.push_back(p);
  read_contents(img, fs, paths, [&](const std::string& p) { return fs.find(p)->size; },
                [&](const std::string& path, std::string&& bytes, uint64_t size) {
                  if (bytes.size() != size) return;
                  const std::set<uint32_t>& algos = wanted.at(path);
                  FileDigester d(std::vector<uint32_t>(algos.begin(), algos.end()));
                  d.data(bytes.data(), bytes.size());
                  d.end();
                  for (uint32_t a : algos)
                    if (const std::string* hex = d.hex(a)) reread[{path, a}] = *hex;
                }, run);
  f.verify = verify_packages(f.packages, fs, f.users, digest, needs.verify);
}

}  // namespace facts_internal

using namespace facts_internal;

PackageDb packages_at(const Image& img, const FileSystem& fs, const RunContext& run) {
  // The databases gather_packages reads, their bytes read again from the layers that hold them as
  // fs has them (dpkg's file lists are not needed to compare packages).
  std::map<std::string, std::string> named;  // resolved path -> name
  std::map<std::string, uint64_t> caps;     // resolved path -> bytes to read
  for (auto& [path, cap_bytes] : package_db_files()) {
    Resolved r = fs.resolve(path, true);
    if (r.status != Resolve::Ok) continue;
    named.emplace(r.path, path);
    caps.emplace(r.path, cap_bytes);
  }
  std::vector<std::string> paths;
  for (auto& [p, n] : named) paths.push_back(p);
  std::map<std::string, Captured> got;  // by name
  read_contents(img, fs, paths, [&](const std::string& p) { return caps.at(p); },
                [&](const std::string& p, std::string&& bytes, uint64_t size) {
                  Captured& c = got[named.at(p)];
                  c.size = size;
                  c.truncated = size > bytes.size();
                  c.data = std::move(bytes);
                }, run);
  PackageDb db;
  // A name that resolves where another does (a symlinked directory) is read under each name,
  // and read_packages keeps the first.
  read_packages(
      fs,
      [&](const std::string& p) -> const Captured* {
        Resolved r = fs.resolve(p, true);
        if (r.status != Resolve::Ok || !named.count(r.path)) return nullptr;
        auto it = got.find(named.at(r.path));
        return it == got.end() ? nullptr : &it->second;
      },
      {}, db);
  for (auto& [p, n] : named)
    if (!got.count(n)) {  // its layer no longer gives the bytes the pass hashed
      db.errors.push_back(p + ": could not be read again from its layer");
      db.unread.push_back(p);
    }
  return db;
}

}  // namespace imagelint
