// How a report that people read shows many findings of one rule: a few rows that together cover
// every finding, directories before the files below them. 1,181 var-tmpfiles findings become
// "var/cache/apt (412 here and below)", "var/lib/dpkg (640 here and below)", … — the way bootc's
// own lint prints the first few items and a count. Machine formats list every finding instead.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "rules/rule.h"

namespace imagelint {

struct FindingRow {
  std::string path;               // the row's path: a finding's own path or a directory above several
  const Finding* sample = nullptr;  // the shallowest finding at or below path (first by path order)
  size_t count = 0;               // findings at or below path; 1 is a single finding
  bool below = false;             // some of them lie below path (path is a directory above them)
};

struct FindingRows {
  std::vector<FindingRow> rows;   // sorted by path (image-wide findings, path "", first)
  size_t hidden = 0;              // findings in no row: more places than max_rows could show
};

// Rows for findings (all of one rule): every finding alone when there are at most max_rows;
// otherwise the largest places are shown, and a shown directory is opened into its children while
// that loses nothing shown or the rows still show nine findings in ten. So a deep single-child
// chain becomes its deepest directory, "var" opens into its largest subdirectories, and a
// directory of many files stays one row with its count. A directory that is itself a finding is
// never opened: it is the top of what lies below. What the rows do not show is counted in hidden.
FindingRows group_findings(const std::vector<const Finding*>& findings, size_t max_rows);

// The findings of one rule in one section (error, warning, info, then waived), in that order and
// by rule id within a section: the blocks of the text and markdown reports.
struct RuleBlock {
  std::string section;  // "error", "warning", "info" or "waived"
  std::string rule;
  std::vector<const Finding*> findings;
};
std::vector<RuleBlock> rule_blocks(const std::vector<Finding>& findings);

// Where a finding comes from: "layer 3: RUN dnf ...; package gcc-14.2.1-7.el10", created_by cut
// to max_created_by characters (0: whole); raw bytes, for the caller to escape.
std::string finding_where(const Finding& f, size_t max_created_by = 0);

// Rows per rule in the reports people read (text, markdown): with a layer line each, a rule fits
// well inside one screen.
inline constexpr size_t kRowsPerRule = 5;

}  // namespace imagelint
