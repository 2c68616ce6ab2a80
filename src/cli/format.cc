#include "cli/format.h"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "util/error.h"
#include "util/progress.h"

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

void write_out(const std::string& s) {
  progress::finish();  // the progress line is erased before anything is printed
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() && errno != EPIPE)
    throw InputError("<stdout>", "write failed");
}

void write_report(const std::string& text, const std::string& output) {
  progress::finish();
  if (output.empty() || output == "-") {
    write_out(text);
    return;
  }
  std::ofstream f(output, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) throw InputError(output, "cannot write the report");
}

std::vector<std::string> report_formats(const std::vector<std::string>& formats, const std::vector<std::string>& outputs) {
  std::vector<std::string> out = formats.empty() ? std::vector<std::string>{"text"} : formats;
  if (!outputs.empty() && outputs.size() != out.size())
    throw UsageError("--format and --output go in pairs (" + std::to_string(out.size()) + " formats, " +
                     std::to_string(outputs.size()) + " outputs)");
  return out;
}

}  // namespace imagelint
