// A bounded unified diff of two small text files, for the report: the reader sees what changed in
// a config file without fetching either image.
#pragma once
#include <string>
#include <string_view>

namespace imagelint::drift {

// True when bytes look like text worth showing: not empty, valid UTF-8, no control bytes but
// tab and newline (so a report never carries terminal escapes or a '\r' that hides a line).
bool looks_like_text(std::string_view bytes);

// Unified diff ("--- a/PATH", "+++ b/PATH", "@@ … @@" hunks with 3 lines of context) of a and b.
// At most max_lines lines of hunks; beyond, one "… N more lines" line. When the files differ in
// more than max_edits lines, returns a one-line summary instead. "" when a == b.
std::string unified_diff(std::string_view a, std::string_view b, const std::string& path, size_t max_lines = 60,
                         size_t max_edits = 400);

}  // namespace imagelint::drift
