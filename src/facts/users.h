// Users and groups as the image declares them: passwd, group, shadow, sysusers.d, tmpfiles.d
// (lingering), and os-release. Parsers take bytes; facts/facts.cc captures the files.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace imagelint {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string gecos, home, shell;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// One line of a sysusers.d file (sysusers.d(5)): u, u!, g, m, r.
struct SysusersEntry {
  std::string file;
  int line = 0;
  std::string type;  // "u", "u!", "g", "m", "r"
  std::string name;  // for m: the user
  std::string id;    // "-", "1001", "1001:1001", "/path" (id of a file), or for m: the group
  std::string gecos, home, shell;
  std::optional<uint32_t> uid() const;  // numeric uid when given
};

// One line of a tmpfiles.d file (tmpfiles.d(5)).
struct TmpfilesEntry {
  std::string file;
  int line = 0;
  std::string type;  // with modifiers, e.g. "f+", "L?"
  std::string path;  // image-relative, no leading '/'
  std::string mode, user, group, age, argument;
};

// A note about one file's content: the file, and the sentence (which names it).
struct FileNote {
  std::string path;
  std::string text;
};

struct Users {
  std::vector<PasswdEntry> passwd;
  std::vector<GroupEntry> groups;
  std::vector<std::string> shadow_with_password;  // users whose shadow entry holds a password hash
  std::vector<SysusersEntry> sysusers;
  std::vector<TmpfilesEntry> tmpfiles;
  std::vector<std::string> lingering;  // users with var/lib/systemd/linger/USER set up by tmpfiles.d
  // Users and groups of the nss-altfiles databases a rule asked for (FactNeeds), e.g. usr/lib/passwd.
  std::vector<PasswdEntry> altfiles_passwd;
  std::vector<GroupEntry> altfiles_groups;
  std::vector<FileNote> notes;
  // A user by uid, from passwd then sysusers.d.
  std::optional<std::string> name_of(uint32_t uid) const;
  bool declared(const std::string& name) const;  // in passwd or sysusers.d
};

std::vector<PasswdEntry> parse_passwd(const std::string& text, std::vector<FileNote>& notes);
std::vector<GroupEntry> parse_group(const std::string& text, std::vector<FileNote>& notes);
std::vector<std::string> shadow_users_with_password(const std::string& text);
std::vector<SysusersEntry> parse_sysusers(const std::string& file, const std::string& text, std::vector<FileNote>& notes);
std::vector<TmpfilesEntry> parse_tmpfiles(const std::string& file, const std::string& text, std::vector<FileNote>& notes);
// Splits a line into fields the way systemd's config readers do: whitespace separated, with
// "double" and 'single' quotes (C escapes inside double quotes). Returns false on unbalanced quotes.
bool split_fields(const std::string& line, std::vector<std::string>& out);

// os-release(5): KEY=VALUE lines, shell-style quoting.
std::map<std::string, std::string> parse_os_release(const std::string& text);

}  // namespace imagelint
