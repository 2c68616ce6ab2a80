// Text shared by every report: times and bytes from an image made safe to print; small inputs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace imagelint {

std::string with_commas(uint64_t n);                 // "31,204"
bool is_lower_hex(std::string_view s);               // only 0-9 and a-f (a digest as packages write it)
std::string format_time(int64_t epoch_seconds);  // "2024-01-31T12:00:00Z"
// Bytes as one safe line, the rest as \xNN. For names and text (binary=false) printable UTF-8 is
// kept byte for byte, a backslash included (systemd's "system-systemd\x2dcryptsetup.slice" prints
// as it is named, so it can be pasted back); only control bytes (C0, DEL, C1), bidi controls and
// bytes of invalid UTF-8 become \xNN. For values (binary=true): all but printable ASCII, and the
// backslash, so the text reads back unambiguously.
std::string escape_bytes(const std::string& s, bool binary);
// The first max_chars characters (code points, not bytes: a cut never splits one) and "…" when
// anything was cut; max_chars 0 keeps everything.
std::string shorten(const std::string& s, size_t max_chars);
// escape_bytes(line, false) of every line, the newlines kept: a whole text report made safe.
std::string escape_lines(const std::string& text);
// The length of a UTF-8 sequence at p that a terminal would act on or hide (C1 controls, bidi
// overrides and isolates), or 0.
size_t invisible_sequence(const unsigned char* p, size_t n);

// A small input file (a rules file, a waiver list) read whole; InputError naming the file when it
// cannot be read or is larger than max_bytes. what: "rule pack", "drift rules file", ...
std::string read_small_file(const std::string& path, const std::string& what, uint64_t max_bytes = 16u << 20);

}  // namespace imagelint
