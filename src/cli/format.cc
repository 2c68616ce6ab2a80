#include "cli/format.h"

#include <ctime>

#include <fmt/format.h>

namespace imagelint {

std::string format_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm {};
  if (!gmtime_r(&tt, &tm)) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_mode(uint32_t mode) { return fmt::format("{:04o}", mode & 07777); }

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string escape_bytes(const std::string& s, bool binary) {
  std::string out;
  for (unsigned char c : s) {
    bool plain = binary ? (c > 0x20 && c < 0x7f && c != '\\') : (c >= 0x20 && c != 0x7f && c != '\\');
    if (plain) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string long_line(const std::string& path, const Entry& e, bool layer_column, bool xattrs) {
  std::string size = e.type == EntryType::File ? std::to_string(e.size)
                     : (e.type == EntryType::Char || e.type == EntryType::Block)
                         ? fmt::format("{},{}", e.dev_major, e.dev_minor)
                         : "0";
  std::string out = fmt::format("{} {} {}:{} {} {} {} {} {}", type_char(e.type), format_mode(e.mode), e.uid, e.gid,
                                size, format_time(e.mtime), layer_column && e.layer >= 0 ? std::to_string(e.layer) : "-",
                                e.type == EntryType::File ? e.hash.hex() : "-", escape_bytes(path, false));
  if (e.type == EntryType::Symlink) out += " -> " + escape_bytes(e.link, false);
  if (xattrs)
    for (auto& [k, v] : e.xattrs) out += " " + escape_bytes(k, true) + "=" + escape_bytes(v, true);
  return out;
}

}  // namespace imagelint
