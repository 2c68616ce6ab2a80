// Text shared by every report: times and bytes from an image made safe to print; small inputs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace imagelint {

std::string with_commas(uint64_t n);                 // "31,204"
std::string format_time(int64_t epoch_seconds);  // "2024-01-31T12:00:00Z"
// Bytes as one safe line, the rest as \xNN: for paths (binary=false) control bytes (C0, DEL, C1),
// bidi controls and backslashes are escaped and other UTF-8 kept; for values (binary=true) all
// but printable ASCII.
std::string escape_bytes(const std::string& s, bool binary);
// The length of a UTF-8 sequence at p that a terminal would act on or hide (C1 controls, bidi
// overrides and isolates), or 0.
size_t invisible_sequence(const unsigned char* p, size_t n);

// A small input file (a rules file, a waiver list) read whole; InputError naming the file when it
// cannot be read or is larger than max_bytes. what: "rule pack", "drift rules file", ...
std::string read_small_file(const std::string& path, const std::string& what, uint64_t max_bytes = 16u << 20);

}  // namespace imagelint
