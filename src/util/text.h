// Text shared by every report: times and bytes from an image made safe to print; small inputs.
#pragma once
#include <cstdint>
#include <string>

namespace imagelint {

std::string with_commas(uint64_t n);                 // "31,204"
std::string format_time(int64_t epoch_seconds);  // "2024-01-31T12:00:00Z"
// Bytes as one safe line, the rest as \xNN: for paths (binary=false) control bytes and
// backslashes are escaped and UTF-8 kept; for values (binary=true) all but printable ASCII.
std::string escape_bytes(const std::string& s, bool binary);

// A small input file (a rules file, a waiver list) read whole; InputError naming the file when it
// cannot be read or is larger than max_bytes. what: "rule pack", "drift rules file", ...
std::string read_small_file(const std::string& path, const std::string& what, uint64_t max_bytes = 16u << 20);

}  // namespace imagelint
