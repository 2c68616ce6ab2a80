#include "report/listing.h"

#include <fmt/format.h>

#include "util/text.h"

namespace imagelint {

std::string format_mode(uint32_t mode) { return fmt::format("{:04o}", mode & 07777); }

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}


std::string long_line(const std::string& path, const Entry& e, bool layer_column, bool xattrs, bool raw_names) {
  auto name = [raw_names](const std::string& s) { return raw_names ? s : escape_bytes(s, false); };
  std::string size = e.type == EntryType::File ? std::to_string(e.size)
                     : (e.type == EntryType::Char || e.type == EntryType::Block)
                         ? fmt::format("{},{}", e.dev_major, e.dev_minor)
                         : "0";
  std::string out = fmt::format("{} {} {}:{} {} {} {} {} {}", type_char(e.type), format_mode(e.mode), e.uid, e.gid,
                                size, format_time(e.mtime), layer_column && e.layer >= 0 ? std::to_string(e.layer) : "-",
                                e.type == EntryType::File ? e.hash.hex() : "-", name(path));
  if (e.type == EntryType::Symlink) out += " -> " + name(e.link);
  if (xattrs)
    for (auto& [k, v] : e.xattrs()) out += fmt::format(" {}={}", escape_bytes(k, true), escape_bytes(v, true));
  return out;
}

void list_entries(const FileSystem& fs, const std::function<bool(std::string_view)>& selected, const ListOptions& opts,
                  const std::function<void(std::string_view)>& out) {
  std::string text;
  for (const auto& [path, e] : fs.entries()) {
    if (!selected(path)) continue;
    if (opts.long_format || opts.xattrs) text += long_line(path, e, opts.layer_column, opts.xattrs, opts.null);
    else text += opts.null ? path : escape_bytes(path, false);
    text += opts.null ? '\0' : '\n';
    if (text.size() > (1 << 20)) {
      out(text);
      text.clear();
    }
  }
  out(text);
}

}  // namespace imagelint
