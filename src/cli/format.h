#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "fs/filesystem.h"
#include "util/text.h"

namespace imagelint {

std::string format_mode(uint32_t mode);          // "0755" (4 digits, setuid etc. included)
std::string human_bytes(uint64_t n);             // "1.2 GiB"
// One `ls --long` line (without the newline). layer_column false for dir: images. raw_names: the
// path and link target as their bytes (ls -z, for scripts), else escaped as escape_bytes does.
std::string long_line(const std::string& path, const Entry& e, bool layer_column, bool xattrs = false, bool raw_names = false);

// Writes to stdout; a closed pipe is not an error, any other failure throws InputError.
void write_out(const std::string& s);
// A report to output ("" or "-": stdout, else a file, truncated). Throws InputError naming it.
void write_report(const std::string& text, const std::string& output);
// Checks that --format and --output come in pairs; returns the formats (default: text).
std::vector<std::string> report_formats(const std::vector<std::string>& formats, const std::vector<std::string>& outputs);

}  // namespace imagelint
