#include "facts/users.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace imagelint {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t a = 0;
  for (;;) {
    size_t b = s.find(sep, a);
    out.push_back(s.substr(a, b == std::string::npos ? std::string::npos : b - a));
    if (b == std::string::npos) return out;
    a = b + 1;
  }
}

bool to_u32(const std::string& s, uint32_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Calls fn(line_number, line) for each line, dropping a trailing '\r'.
template <typename Fn>
void each_line(const std::string& text, Fn&& fn) {
  size_t a = 0;
  int n = 0;
  while (a < text.size()) {
    size_t b = text.find('\n', a);
    if (b == std::string::npos) b = text.size();
    std::string line = text.substr(a, b - a);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fn(++n, line);
    a = b + 1;
  }
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

}  // namespace

std::optional<uint32_t> SysusersEntry::uid() const {
  uint32_t v;
  std::string first = id.substr(0, id.find(':'));
  if (to_u32(first, v)) return v;
  return std::nullopt;
}

std::optional<std::string> Users::name_of(uint32_t uid) const {
  for (auto& p : passwd)
    if (p.uid == uid) return p.name;
  for (auto& s : sysusers)
    if ((s.type == "u" || s.type == "u!") && s.uid() == uid) return s.name;
  return std::nullopt;
}

bool Users::declared(const std::string& name) const {
  for (auto& p : passwd)
    if (p.name == name) return true;
  for (auto& s : sysusers)
    if ((s.type == "u" || s.type == "u!") && s.name == name) return true;
  return false;
}

std::vector<PasswdEntry> parse_passwd(const std::string& text, std::vector<FileNote>& notes) {
  std::vector<PasswdEntry> out;
  each_line(text, [&](int n, const std::string& line) {
    if (line.empty() || line[0] == '#') return;
    auto f = split(line, ':');
    PasswdEntry e;
    if (f.size() != 7 || f[0].empty() || !to_u32(f[2], e.uid) || !to_u32(f[3], e.gid)) {
      notes.push_back({"etc/passwd", "etc/passwd line " + std::to_string(n) + ": malformed, skipped"});
      return;
    }
    e.name = f[0];
    e.gecos = f[4];
    e.home = f[5];
    e.shell = f[6];
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<GroupEntry> parse_group(const std::string& text, std::vector<FileNote>& notes) {
  std::vector<GroupEntry> out;
  each_line(text, [&](int n, const std::string& line) {
    if (line.empty() || line[0] == '#') return;
    auto f = split(line, ':');
    GroupEntry g;
    if (f.size() != 4 || f[0].empty() || !to_u32(f[2], g.gid)) {
      notes.push_back({"etc/group", "etc/group line " + std::to_string(n) + ": malformed, skipped"});
      return;
    }
    g.name = f[0];
    if (!f[3].empty()) g.members = split(f[3], ',');
    out.push_back(std::move(g));
  });
  return out;
}

std::vector<std::string> shadow_users_with_password(const std::string& text) {
  std::vector<std::string> out;
  each_line(text, [&](int, const std::string& line) {
    auto f = split(line, ':');
    if (f.size() < 2 || f[0].empty()) return;
    const std::string& pw = f[1];
    if (pw.empty() || pw[0] == '!' || pw[0] == '*') return;
    out.push_back(f[0]);
  });
  return out;
}

bool split_fields(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string field;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      char c = line[i];
      if (c == '"' || c == '\'') {
        size_t end = i + 1;
        while (end < line.size() && line[end] != c) {
          if (c == '"' && line[end] == '\\' && end + 1 < line.size()) {
            ++end;
            char e = line[end];
            field += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          } else {
            field += line[end];
          }
          ++end;
        }
        if (end >= line.size()) return false;
        i = end + 1;
      } else {
        field += c;
        ++i;
      }
    }
    out.push_back(field);
  }
  return true;
}

namespace {
// sysusers.d and tmpfiles.d lines: comments and blanks skipped, fields split with quoting, lines
// of fewer than two fields noted and skipped. fn(line number, fields); "-" fields read as empty
// through field().
template <typename Fn>
void each_config_line(const std::string& file, const std::string& text, std::vector<FileNote>& notes, Fn&& fn) {
  each_line(text, [&](int n, const std::string& raw) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') return;
    std::vector<std::string> f;
    if (!split_fields(line, f) || f.size() < 2) {
      notes.push_back({file, file + " line " + std::to_string(n) + ": malformed, skipped"});
      return;
    }
    fn(n, f);
  });
}

std::string field(const std::vector<std::string>& f, size_t k) { return k < f.size() && f[k] != "-" ? f[k] : ""; }
}  // namespace

std::vector<SysusersEntry> parse_sysusers(const std::string& file, const std::string& text, std::vector<FileNote>& notes) {
  std::vector<SysusersEntry> out;
  each_config_line(file, text, notes, [&](int n, const std::vector<std::string>& f) {
    SysusersEntry e;
    e.file = file;
    e.line = n;
    e.type = f[0];
    if (e.type != "u" && e.type != "u!" && e.type != "g" && e.type != "m" && e.type != "r") {
      notes.push_back({file, file + " line " + std::to_string(n) + ": unknown type '" + e.type + "', skipped"});
      return;
    }
    e.name = f[1];
    e.id = f.size() > 2 ? f[2] : "-";
    e.gecos = field(f, 3);
    e.home = field(f, 4);
    e.shell = field(f, 5);
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<TmpfilesEntry> parse_tmpfiles(const std::string& file, const std::string& text, std::vector<FileNote>& notes) {
  std::vector<TmpfilesEntry> out;
  each_config_line(file, text, notes, [&](int n, const std::vector<std::string>& f) {
    TmpfilesEntry e;
    e.file = file;
    e.line = n;
    e.type = f[0];
    e.path = f[1];
    while (e.path.starts_with("/")) e.path.erase(0, 1);
    e.mode = field(f, 2);
    e.user = field(f, 3);
    e.group = field(f, 4);
    e.age = field(f, 5);
    // The argument is the rest of the line.
    for (size_t k = 6; k < f.size(); ++k) e.argument += (k > 6 ? " " : "") + f[k];
    out.push_back(std::move(e));
  });
  return out;
}

std::map<std::string, std::string> parse_os_release(const std::string& text) {
  std::map<std::string, std::string> out;
  each_line(text, [&](int, const std::string& raw) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') return;
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) return;
    std::vector<std::string> f;
    std::string value = line.substr(eq + 1);
    if (!split_fields(value, f)) return;
    std::string v;
    for (size_t k = 0; k < f.size(); ++k) v += (k ? " " : "") + f[k];
    out[line.substr(0, eq)] = v;
  });
  return out;
}

}  // namespace imagelint
