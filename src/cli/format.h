// Where the CLI's output goes: stdout or report files. What is printed is made in src/report/.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace imagelint {

// Writes to stdout; a closed pipe is not an error, any other failure throws InputError.
void write_out(std::string_view s);
// A report to output ("" or "-": stdout, else a file, truncated). Throws InputError naming it.
void write_report(const std::string& text, const std::string& output);
// Checks that --format and --output come in pairs; returns the formats (default: text).
std::vector<std::string> report_formats(const std::vector<std::string>& formats, const std::vector<std::string>& outputs);

}  // namespace imagelint
