#include "facts/dpkg.h"

#include <strings.h>

#include <unordered_map>
#include <vector>

#include "util/path.h"
#include "util/text.h"

namespace imagelint {

DebVersion split_deb_version(std::string_view v) {
  DebVersion out;
  if (auto colon = v.find(':'); colon != std::string_view::npos) {
    out.epoch = std::string(v.substr(0, colon));
    v.remove_prefix(colon + 1);
  }
  if (auto dash = v.rfind('-'); dash != std::string_view::npos) {
    out.revision = std::string(v.substr(dash + 1));
    v = v.substr(0, dash);
  }
  out.upstream = std::string(v);
  return out;
}

namespace {

struct Field {
  std::string name, value;
};
struct Stanza {
  size_t line = 0;  // where it starts, 1-based
  std::vector<Field> fields;
  std::string bad;  // why the stanza cannot be used, when it cannot
  const std::string* get(std::string_view name) const {
    // Field names are case-insensitive (deb822(5)).
    for (const auto& f : fields)
      if (f.name.size() == name.size() && ::strncasecmp(f.name.data(), name.data(), name.size()) == 0) return &f.value;
    return nullptr;
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<Stanza> parse_stanzas(std::string_view text) {
  std::vector<Stanza> out;
  bool in_stanza = false;
  size_t lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineno;
    if (trim(line).empty()) {  // a blank line ends the stanza
      in_stanza = false;
      continue;
    }
    if (!in_stanza) {
      out.push_back(Stanza{lineno, {}, {}});
      in_stanza = true;
    }
    Stanza& st = out.back();
    if (line.front() == ' ' || line.front() == '\t') {  // continuation of the previous field
      if (st.fields.empty()) {
        if (st.bad.empty()) st.bad = "line " + std::to_string(lineno) + ": continuation line before any field";
        continue;
      }
      st.fields.back().value += '\n';
      st.fields.back().value += trim(line);
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view{} : trim(line.substr(0, colon));
    if (name.empty()) {
      if (st.bad.empty()) st.bad = "line " + std::to_string(lineno) + ": not a \"Field: value\" line";
      continue;
    }
    st.fields.push_back({std::string(name), std::string(trim(line.substr(colon + 1)))});
  }
  return out;
}

std::string_view last_word(std::string_view s) {
  s = trim(s);
  auto sp = s.find_last_of(" \t");
  return sp == std::string_view::npos ? s : s.substr(sp + 1);
}

// "libc6:amd64.list" -> "libc6:amd64": the key dpkg uses (with ":ARCH" for Multi-Arch: same).
std::unordered_map<std::string, const std::string*> dpkg_lists_by_key(const std::map<std::string, std::string>& list_files,
                                                                      std::string_view suffix = ".list") {
  std::unordered_map<std::string, const std::string*> lists;
  for (const auto& [path, content] : list_files) {
    std::string_view name = base_name(path);
    if (name.size() > suffix.size() && name.ends_with(suffix))
      lists[std::string(name.substr(0, name.size() - suffix.size()))] = &content;
  }
  return lists;
}

// The package of an installed stanza: its name, version split into epoch, upstream and revision, and NEVRA.
Package dpkg_package(const std::string& name, const std::string& version, const std::string* arch) {
  Package p;
  p.db = "dpkg";
  p.name = name;
  DebVersion v = split_deb_version(version);
  p.epoch = v.epoch;
  p.version = v.upstream;
  p.release = v.revision;
  p.arch = arch ? *arch : "";
  p.nevra = p.name + "-" + (p.epoch.empty() ? "" : p.epoch + ":") + p.version +
            (p.release.empty() ? "" : "-" + p.release) + (p.arch.empty() ? "" : "." + p.arch);
  return p;
}

// The info file of p with the given key map (.list, .md5sums): dpkg names it
// "PKG:ARCH.EXT" for Multi-Arch: same packages (info/format 1) and "PKG.EXT" otherwise, and for
// every package in a format-0 database.
const std::string* dpkg_info(const Package& p, const Stanza& st, const std::unordered_map<std::string, const std::string*>& m) {
  const std::string* multiarch = st.get("Multi-Arch");
  if (multiarch && *multiarch == "same" && !p.arch.empty())
    if (auto it = m.find(p.name + ":" + p.arch); it != m.end()) return it->second;
  if (auto it = m.find(p.name); it != m.end()) return it->second;
  return nullptr;
}

// The package's files from its list file (found by the stanza's Multi-Arch), its problems
// and a missing list noted in out (where: the status file).
void read_dpkg_file_list(Package& p, const Stanza& st, const std::unordered_map<std::string, const std::string*>& lists,
                         bool have_lists, const std::string& where, PackageDb& out) {
  if (const std::string* list = dpkg_info(p, st, lists)) {
    std::string_view text = *list;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      std::string norm;
      if (!normalize_path(line, norm)) {
        out.errors.push_back(where + ": " + p.name + ".list: " + std::string(line) + " climbs above the root");
        continue;
      }
      if (!norm.empty()) p.files.push_back(std::move(norm));  // "/." is the root: left out
    }
  } else if (have_lists) {
    // dpkg's own words for this case.
    out.notes.push_back(where + ": files list file for package '" + p.name +
                        "' missing; assuming package has no files currently installed");
  }
}

bool md5_hex(std::string_view s) { return s.size() == 32 && is_lower_hex(s); }

// What `dpkg --verify` compares: the md5sums file's digests, and each conffile's digest from the
// status file's Conffiles field (" /etc/foo HASH [obsolete]"). Problems are notes on the package
// in p.attrs_error (the first) and out.notes; a bad line is skipped, never a failure.
void read_dpkg_attrs(Package& p, const Stanza& st, const std::unordered_map<std::string, const std::string*>& sums,
                     const std::string& where, PackageDb& out) {
  p.digest_algo = 1;  // md5
  std::unordered_map<std::string, std::pair<std::string, bool>> want;  // path -> {md5, conffile}
  auto problem = [&](const std::string& what) {
    if (p.attrs_error.empty()) p.attrs_error = what;
    out.notes.push_back(where + ": " + p.name + ": " + what);
  };
  auto each_line = [](std::string_view text, auto fn) {
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = trim(text.substr(0, nl));
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (!line.empty()) fn(line);
    }
  };
  if (const std::string* md5sums = dpkg_info(p, st, sums))
    each_line(*md5sums, [&](std::string_view line) {
      size_t sp = line.find(' ');
      std::string_view hash = line.substr(0, sp), path = sp == std::string_view::npos ? "" : trim(line.substr(sp));
      std::string norm;
      if (!md5_hex(hash)) return problem("md5sums: \"" + std::string(line.substr(0, 80)) + "\" is not an md5 and a path");
      if (path.empty() || !normalize_path(path, norm) || norm.empty())
        return problem("md5sums: " + std::string(path.substr(0, 200)) + " is no path inside the root");
      want[norm] = {std::string(hash), false};
    });
  if (const std::string* conffiles = st.get("Conffiles"))
    each_line(*conffiles, [&](std::string_view line) {
      size_t sp = line.find(' ');
      std::string_view path = line.substr(0, sp), rest = sp == std::string_view::npos ? "" : trim(line.substr(sp));
      std::string_view hash = rest.substr(0, rest.find(' '));
      bool obsolete = rest.find(" obsolete") != std::string_view::npos;
      std::string norm;
      if (!normalize_path(path, norm) || norm.empty()) return problem("Conffiles: " + std::string(path.substr(0, 200)) + " is no path inside the root");
      if (obsolete || hash == "newconffile") {  // not the package's any more, or not yet installed
        want.erase(norm);
        return;
      }
      if (!md5_hex(hash)) return problem("Conffiles: " + std::string(path) + " has no md5 (\"" + std::string(hash.substr(0, 80)) + "\")");
      want[norm] = {std::string(hash), true};
    });
  p.attrs.resize(p.files.size());
  for (size_t i = 0; i < p.files.size(); ++i) {
    auto it = want.find(p.files[i]);
    if (it == want.end()) continue;
    p.attrs[i].digest = it->second.first;
    p.attrs[i].verify = PackagedFile::kVerifyDigest;
    if (it->second.second) p.attrs[i].flags = PackagedFile::kConfig;
  }
}

}  // namespace

PackageDb read_dpkg(std::string_view status, const std::map<std::string, std::string>& list_files,
                    std::string_view status_path, const std::map<std::string, std::string>* md5sums) {
  const std::string where(status_path);
  PackageDb out;

  const std::unordered_map<std::string, const std::string*> lists = dpkg_lists_by_key(list_files);
  const std::unordered_map<std::string, const std::string*> sums =
      md5sums ? dpkg_lists_by_key(*md5sums, ".md5sums") : std::unordered_map<std::string, const std::string*>{};

  for (const Stanza& st : parse_stanzas(status)) {
    const std::string* pkg = st.get("Package");
    std::string label = where + ": stanza at line " + std::to_string(st.line) + (pkg ? " (" + *pkg + ")" : "");
    if (!st.bad.empty()) {
      out.errors.push_back(label + ": " + st.bad);
      continue;
    }
    const std::string* stat = st.get("Status");
    const std::string* version = st.get("Version");
    const std::string* arch = st.get("Architecture");
    if (!pkg || pkg->empty()) {
      out.errors.push_back(label + ": no Package field");
      continue;
    }
    if (!stat) {
      out.errors.push_back(label + ": no Status field");
      continue;
    }
    std::string_view state = last_word(*stat);
    if (state != "installed" && state != "triggers-pending" && state != "triggers-awaited") {
      if (state == "unpacked" || state == "half-configured" || state == "half-installed")
        out.notes.push_back(where + ": " + *pkg + " is " + std::string(state) +
                            " (not configured): not counted as installed, though its files may be there");
      continue;
    }
    if (!version || version->empty()) {
      out.errors.push_back(label + ": installed but no Version field");
      continue;
    }

    Package p = dpkg_package(*pkg, *version, arch);
    read_dpkg_file_list(p, st, lists, !list_files.empty(), where, out);
    if (md5sums) read_dpkg_attrs(p, st, sums, where, out);
    out.packages.push_back(std::move(p));
  }
  out.reindex();
  return out;
}

}  // namespace imagelint
