#pragma once
#include <cstdint>
#include <string>

#include "fs/filesystem.h"

namespace imagelint {

std::string format_time(int64_t epoch_seconds);  // "2024-01-31T12:00:00Z"
std::string format_mode(uint32_t mode);          // "0755" (4 digits, setuid etc. included)
std::string human_bytes(uint64_t n);             // "1.2 GiB"
// One `ls --long` line (without the newline). layer_column false for dir: images.
std::string long_line(const std::string& path, const Entry& e, bool layer_column, bool xattrs = false);
// Bytes as one safe line, the rest as \xNN: for paths (binary=false) control bytes and
// backslashes are escaped and UTF-8 kept; for values (binary=true) all but printable ASCII.
std::string escape_bytes(const std::string& s, bool binary);

}  // namespace imagelint
