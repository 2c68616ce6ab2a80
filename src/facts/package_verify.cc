#include "facts/package_verify.h"

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "facts/file_digest.h"
#include "util/utf8.h"

namespace imagelint {

namespace {

// st_mode's type bits for an entry type.
uint32_t type_bits(EntryType t) {
  switch (t) {
    case EntryType::File: return 0100000;
    case EntryType::Dir: return 0040000;
    case EntryType::Symlink: return 0120000;
    case EntryType::Char: return 0020000;
    case EntryType::Block: return 0060000;
    case EntryType::Fifo: return 0010000;
    case EntryType::Socket: return 0140000;
  }
  return 0;
}

const char* type_word(uint32_t mode) {
  switch (mode & 0170000) {
    case 0100000: return "file";
    case 0040000: return "directory";
    case 0120000: return "symlink";
    case 0020000: return "character device";
    case 0060000: return "block device";
    case 0010000: return "fifo";
    case 0140000: return "socket";
    default: return "entry";
  }
}

// rpm -V's columns.
enum Col { kS, kM, k5, kD, kL, kU, kG, kT, kP };

bool is_doc(const Package& p, const PackagedFile& a, const std::string& listed) {
  if (a.flags & (PackagedFile::kDoc | PackagedFile::kLicense)) return true;
  // dpkg has no %doc: what `path-exclude` usually drops.
  return p.db == "dpkg" && (listed.starts_with("usr/share/doc/") || listed.starts_with("usr/share/man/") ||
                            listed.starts_with("usr/share/info/"));
}

class Verifier {
 public:
  Verifier(const PackageDb& db, const FileSystem& fs, const Users& users, const DigestOf& digest, const VerifyOptions& opt)
      : db_(db), fs_(fs), digest_(digest), opt_(opt) {
    for (auto& u : users.passwd) user_.emplace(u.uid, u.name);
    for (auto& u : users.altfiles_passwd) user_.emplace(u.uid, u.name);
    for (auto& s : users.sysusers)
      if ((s.type == "u" || s.type == "u!") && s.uid()) user_.emplace(*s.uid(), s.name);
    for (auto& g : users.groups) group_.emplace(g.gid, g.name);
    for (auto& g : users.altfiles_groups) group_.emplace(g.gid, g.name);
    // Every layer that wrote an rpm database (a transaction ran there), in order.
    for (const std::string& dir : rpmdb_dirs())
      for (const char* name : {"/rpmdb.sqlite", "/Packages.db", "/Packages"}) {
        Resolved r = fs.resolve(dir + name, true);
        if (const Entry* e = r.status == Resolve::Ok ? fs.find(r.path) : nullptr)
          for (char16_t l : e->touched) rpmdb_layers_.insert(l);
      }
    // rpm's ugid.c: id 0 is "root" whatever the databases say.
    user_.emplace(0, "root");
    group_.emplace(0, "root");
  }

  PackageVerification run() {
    PackageVerification out;
    out.done = true;
    out.counts.resize(db_.packages.size());
    out.install_layer.assign(db_.packages.size(), -1);
    for (size_t i = 0; i < db_.packages.size(); ++i) package(i, out);
    return out;
  }

 private:
  void package(size_t pi, PackageVerification& out) {
    const Package& p = db_.packages[pi];
    PackageCounts& c = out.counts[pi];
    if (p.attrs.size() != p.files.size()) {
      if (!p.files.empty())
        out.notes.push_back(p.nevra + ": not verified: " + (p.attrs_error.empty() ? "the database gives no file attributes" : p.attrs_error));
      return;
    }
    if (p.db == "rpm" && !digest_algo_name(p.digest_algo))
      out.notes.push_back(p.nevra + ": file digests not checked: unknown FILEDIGESTALGO " + std::to_string(p.digest_algo));
    else if (!p.attrs_error.empty())
      out.notes.push_back(p.nevra + ": " + p.attrs_error);
    const int install = install_layer(p);
    out.install_layer[pi] = install;
    for (size_t fi = 0; fi < p.files.size(); ++fi) {
      const PackagedFile& a = p.attrs[fi];
      if (p.db == "dpkg" && a.verify == 0) continue;  // dpkg verifies only what it has an md5 of
      ++c.files;
      if ((a.flags & PackagedFile::kGhost) || a.state == PackagedFile::kNotInstalled ||
          a.state == PackagedFile::kNetShared) {
        ++c.skipped;
        continue;
      }
      VerifyIssue is;
      if (!file(p, a, p.files[fi], is)) {
        ++c.verified;
        continue;
      }
      if (is.missing && (a.flags & PackagedFile::kMissingOk)) {
        ++c.skipped;
        continue;
      }
      is.package = pi;
      is.file = fi;
      is.flags = a.flags;
      is.doc = is_doc(p, a, p.files[fi]);
      is.at_install = is.layer < 0 || is.layer == install;
      ++(is.missing ? c.missing : c.changed);
      out.issues.push_back(std::move(is));
    }
  }

  // The layer that installed (or last upgraded) the package, the baseline of its files. dpkg
  // rewrites the package's own info/PKG.list then, so that file's layer says it. rpm keeps one
  // database for all: the latest layer that wrote the database and also wrote at least half of
  // the package's files still there (a later `RUN sed` writes no database; a `dnf install` of
  // another package writes few of this one's files). Failing both: the layer that first wrote
  // most of its files.
  int install_layer(const Package& p) const {
    if (p.db == "dpkg") {
      for (const std::string& key : {p.name + ":" + p.arch, p.name}) {
        Resolved r = fs_.resolve("var/lib/dpkg/info/" + key + ".list", true);
        const Entry* e = r.status == Resolve::Ok ? fs_.find(r.path) : nullptr;
        if (e && e->layer >= 0) return e->layer;
      }
    }
    std::map<int, size_t> wrote, first;
    size_t present = 0;
    for (const std::string& f : p.files) {
      Resolved r = fs_.resolve(f, false);
      const Entry* e = r.status == Resolve::Ok ? fs_.find(r.path) : nullptr;
      if (!e || e->type == EntryType::Dir || e->touched.empty()) continue;
      ++present;
      ++first[e->touched.front()];
      for (char16_t l : e->touched) ++wrote[l];
    }
    if (p.db == "rpm")
      for (auto it = rpmdb_layers_.rbegin(); it != rpmdb_layers_.rend(); ++it)
        if (auto w = wrote.find(*it); w != wrote.end() && 2 * w->second >= present) return *it;
    int best = -1;
    size_t most = 0;
    for (auto& [layer, n] : first)
      if (n > most) best = layer, most = n;
    return best;
  }

  // Fills is and returns true when the file is not as the package installed it.
  bool file(const Package& p, const PackagedFile& a, const std::string& listed, VerifyIssue& is) const {
    is.listed = listed;
    Resolved r = fs_.resolve(listed, false);
    const Entry* e = r.status == Resolve::Ok ? fs_.find(r.path) : nullptr;
    is.path = r.status == Resolve::Ok ? r.path : listed;
    if (!e) {
      is.missing = true;
      is.letters = "missing";
      auto gone = fs_.removed().find(is.path);
      if (gone == fs_.removed().end()) gone = fs_.removed().find(listed);
      if (gone != fs_.removed().end()) is.layer = gone->second.deleted_in;
      return true;
    }
    is.layer = e->layer;
    uint32_t flags = a.verify;
    if (p.db == "dpkg") flags &= PackagedFile::kVerifyDigest;
    if (a.state == PackagedFile::kReplaced) return false;  // rpm checks only that it exists
    if (a.state == PackagedFile::kWrongColor)
      flags &= ~(PackagedFile::kVerifyDigest | PackagedFile::kVerifySize | PackagedFile::kVerifyMtime);
    // What applies to the entry as it is (rpm's rpmfilesVerify).
    if (e->type == EntryType::Dir)
      flags &= ~(PackagedFile::kVerifyDigest | PackagedFile::kVerifySize | PackagedFile::kVerifyMtime | PackagedFile::kVerifyLink);
    else if (e->type == EntryType::Symlink)
      flags &= ~(PackagedFile::kVerifyDigest | PackagedFile::kVerifySize | PackagedFile::kVerifyMtime | PackagedFile::kVerifyMode);
    else if (e->type != EntryType::File)
      flags &= ~(PackagedFile::kVerifyDigest | PackagedFile::kVerifySize | PackagedFile::kVerifyMtime | PackagedFile::kVerifyLink);
    else
      flags &= ~PackagedFile::kVerifyLink;
    if (!opt_.mtime) flags &= ~PackagedFile::kVerifyMtime;
    // A directory no layer named (a parent the tars left out) has no mode, owner or mtime of its own.
    if (e->implicit) flags &= ~(PackagedFile::kVerifyMode | PackagedFile::kVerifyUser | PackagedFile::kVerifyGroup | PackagedFile::kVerifyMtime);

    std::string col(9, '.');
    const uint32_t mode = type_bits(e->type) | (e->mode & 07777);
    if (a.mode != 0 && (a.mode & 0170000) != (mode & 0170000))
      is.type_changed = std::string(type_word(a.mode)) + ", now a " + type_word(mode);
    if (p.db == "dpkg" && e->type != EntryType::File)
      is.type_changed = std::string("file, now a ") + type_word(mode);
    if ((flags & PackagedFile::kVerifySize) && e->size != a.size) col[kS] = 'S';
    if ((flags & PackagedFile::kVerifyMode) && a.mode != 0) {
      uint32_t want = a.mode, have = mode;
      if (a.flags & PackagedFile::kGhost) want &= 07777, have &= 07777;
      if (want != have) col[kM] = 'M';
    }
    if (flags & PackagedFile::kVerifyDigest) {
      const std::string& where = e->data_path().empty() ? is.path : e->data_path();
      const std::string* have = digest_ ? digest_(where, p.digest_algo) : nullptr;
      if (a.digest.empty()) col[k5] = '5';  // rpm: a regular file without a listed digest
      else if (!have) col[k5] = '?';
      else if (*have != a.digest) col[k5] = '5';
    }
    if ((flags & PackagedFile::kVerifyLink) && e->link != a.linkto) col[kL] = 'L';
    if ((flags & PackagedFile::kVerifyUser) && p.db == "rpm") {
      auto u = user_.find(e->uid);
      if (u == user_.end() || u->second != a.user) col[kU] = 'U';
    }
    if ((flags & PackagedFile::kVerifyGroup) && p.db == "rpm") {
      auto g = group_.find(e->gid);
      if (g == group_.end() || g->second != a.group) col[kG] = 'G';
    }
    if ((flags & PackagedFile::kVerifyMtime) && e->mtime != a.mtime) col[kT] = 'T';
    is.letters = col;
    return col != std::string(9, '.') || !is.type_changed.empty();
  }

  const PackageDb& db_;
  const FileSystem& fs_;
  const DigestOf& digest_;
  VerifyOptions opt_;
  std::unordered_map<uint32_t, std::string> user_, group_;
  std::set<int> rpmdb_layers_;
};

}  // namespace

PackageVerification verify_packages(const PackageDb& db, const FileSystem& fs, const Users& users, const DigestOf& digest,
                                    const VerifyOptions& opt) {
  return Verifier(db, fs, users, digest, opt).run();
}

nlohmann::json verification_to_json(const PackageDb& db, const PackageVerification& v) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < db.packages.size() && i < v.counts.size(); ++i) {
    const PackageCounts& c = v.counts[i];
    out[utf8_or_replacement(db.packages[i].nevra)] = {{"files", c.files},       {"verified", c.verified}, {"changed", c.changed},
                                             {"missing", c.missing},   {"skipped", c.skipped}};
  }
  return out;
}

}  // namespace imagelint
