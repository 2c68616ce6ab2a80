// Users and groups (facts/users.h): the same bytes through every parser of the fact: passwd,
// group, shadow, sysusers.d, tmpfiles.d (quotes, C escapes, specifiers), os-release, and
// split_fields on each line; then the lookups the rules make (name_of, declared).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "facts/users.h"

using namespace imagelint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Users u;
  u.passwd = parse_passwd(text, u.notes);
  u.groups = parse_group(text, u.notes);
  u.shadow_with_password = shadow_users_with_password(text);
  u.sysusers = parse_sysusers("usr/lib/sysusers.d/x.conf", text, u.notes);
  u.tmpfiles = parse_tmpfiles("usr/lib/tmpfiles.d/x.conf", text, u.notes);
  (void)parse_os_release(text);
  std::vector<std::string> fields;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    (void)split_fields(text.substr(pos, nl - pos), fields);
    pos = nl + 1;
  }
  for (const auto& s : u.sysusers) {
    if (auto uid = s.uid()) (void)u.name_of(*uid);
    (void)u.declared(s.name);
  }
  for (const auto& p : u.passwd) (void)u.name_of(p.uid);
  return 0;
}
