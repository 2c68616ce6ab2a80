// What `ls` and `inspect` print of sizes, modes and entries.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fs/filesystem.h"

namespace imagelint {

std::string format_mode(uint32_t mode);  // "0755" (4 digits, setuid etc. included)
std::string human_bytes(uint64_t n);     // "1.2 GiB"
// type mode uid:gid size mtime layer xxh3 path [-> target] [name=value...]: raw_names prints the
// path and link target as their bytes (ls -z, for scripts), else escaped as escape_bytes does.
std::string long_line(const std::string& path, const Entry& e, bool layer_column, bool xattrs = false, bool raw_names = false);

struct ListOptions {
  bool long_format = false;  // long_line for each entry, else the path
  bool xattrs = false;       // long, and every extended attribute
  bool null = false;         // NUL-terminated lines of raw names (xargs -0)
  bool layer_column = true;  // false for dir: images (no layers)
};
// `ls`: each selected entry of fs, sorted, one line each, handed to out in pieces of about 1 MiB.
void list_entries(const FileSystem& fs, const std::function<bool(std::string_view)>& selected, const ListOptions& opts,
                  const std::function<void(std::string_view)>& out);

}  // namespace imagelint
