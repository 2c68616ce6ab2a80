#include "cli/format.h"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "util/error.h"

namespace imagelint {

void write_out(std::string_view s) {
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() && errno != EPIPE)
    throw InputError("<stdout>", "write failed");
}

void write_report(const std::string& text, const std::string& output) {
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
