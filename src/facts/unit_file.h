// systemd unit-file syntax (systemd.syntax(7)), read from bytes: sections, Key=Value assignments,
// comments, continuation lines and drop-ins. Two readers share it because they disagree on
// details that decide what a unit does: systemd itself reads plain units, podman's quadlet
// generator reads .container/.pod/... files with its own parser (see UnitSyntax).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imagelint {

enum class UnitSyntax {
  // systemd's config_parse(): a continuation is a line whose last byte is an unescaped '\'
  // (replaced by a space); comment lines inside it are skipped, an empty line ends it; a line
  // without '=' or outside a section is ignored with a warning; a bad section header refuses
  // the file.
  kSystemd,
  // podman's pkg/systemd/parser: lines are trimmed first (so "\ " still continues), the '\' is
  // dropped without a space, empty lines and comments inside a continuation are skipped, a
  // continuation still open at the end of the file is lost, and any line that is not a
  // comment, a [Group] or a Key=Value refuses the file.
  kQuadlet,
};

// Bounds on hostile input. systemd refuses lines over 1 MiB (LONG_LINE_MAX) and so do we, for
// both syntaxes; real units are a few KiB with a handful of sections, so a file, assignment or
// section count far beyond that is refused rather than held. Memory stays within about twice
// the input plus ~100 bytes per assignment; lookups scan the assignments.
inline constexpr size_t kMaxUnitLine = 1u << 20;
inline constexpr size_t kMaxUnitFileBytes = 4u << 20;
inline constexpr size_t kMaxUnitAssignments = 65536;
inline constexpr size_t kMaxUnitSections = 256;

struct UnitAssignment {
  uint32_t section = 0;  // index into UnitFile::sections()
  std::string key;
  std::string value;    // trimmed as the syntax trims it; continuations joined
  uint32_t line = 0;    // 1-based line of the source where the assignment starts
  uint32_t source = 0;  // 0 = the unit file, 1.. = the drop-ins in the order they were added
};

// A unit file with its drop-ins. Later assignments override earlier ones for single-valued
// keys (last()); list-valued keys accumulate and an empty assignment resets them (all()).
class UnitFile {
 public:
  explicit UnitFile(UnitSyntax syntax = UnitSyntax::kSystemd) : syntax_(syntax) {}

  // Reads one source: the unit itself first, then each drop-in in the order systemd applies
  // them. Returns false when the reader would refuse it; error() then says why, naming the
  // source ("10-x.conf: line 3: ..."), and further add() calls are ignored. Sections do not
  // carry over from one source to the next.
  bool add(std::string_view text, std::string_view source_name = {});

  const std::string& error() const { return error_; }
  // What systemd logs and then ignores (a line without '=', a key outside any section, ...).
  const std::vector<std::string>& notes() const { return notes_; }

  bool has_section(std::string_view section) const;
  bool has(std::string_view section, std::string_view key) const;
  // The last assignment's value ("" for an empty assignment); nullopt when never assigned.
  std::optional<std::string> last(std::string_view section, std::string_view key) const;
  // Every value since the last empty assignment, in order.
  std::vector<std::string> all(std::string_view section, std::string_view key) const;
  // all(), each value split into words (WantedBy=a.target b.target, After=...).
  std::vector<std::string> words(std::string_view section, std::string_view key) const;
  // The distinct keys assigned in a section, in first-seen order.
  std::vector<std::string> keys(std::string_view section) const;

  const std::vector<std::string>& sections() const { return sections_; }
  const std::vector<UnitAssignment>& assignments() const { return assignments_; }
  UnitSyntax syntax() const { return syntax_; }

 private:
  bool fail(std::string_view source_name, uint32_t line, const std::string& reason);
  void note(std::string_view source_name, uint32_t line, const std::string& reason);
  // One logical line; false on a refusing error.
  bool take_line(std::string_view l, uint32_t line, std::string_view source_name, int& section);
  std::optional<std::string_view> section_header(std::string_view l, uint32_t line, std::string_view source_name);
  bool assign(int section, std::string key, std::string value, uint32_t line, std::string_view source_name);
  bool add_systemd(std::string_view text, std::string_view source_name);
  bool add_quadlet(std::string_view text, std::string_view source_name);
  std::optional<uint32_t> section_index(std::string_view name) const;

  UnitSyntax syntax_;
  uint32_t sources_ = 0;
  std::vector<std::string> sections_;
  std::vector<UnitAssignment> assignments_;
  std::string error_;
  std::vector<std::string> notes_;
};

// Splits a value into words as systemd's extract_first_word() does for lists: whitespace
// separates, '...' and "..." quote (the quotes are removed), a backslash escapes the next byte
// and is kept (C escapes are not decoded).
std::vector<std::string> split_unit_words(std::string_view value);

// systemd's boolean spellings: 1/yes/y/true/t/on and 0/no/n/false/f/off, any case.
std::optional<bool> parse_unit_boolean(std::string_view value);

}  // namespace imagelint
