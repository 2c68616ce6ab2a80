#include "facts/unit_file.h"

#include <algorithm>

#include <fmt/format.h>

namespace imagelint {

namespace {

// systemd's WHITESPACE; podman trims Go's unicode spaces, of which these are the ASCII ones.
constexpr std::string_view kSystemdSpace = " \t\n\r";
constexpr std::string_view kQuadletSpace = " \t\n\r\v\f";

std::string_view trim(std::string_view s, std::string_view space) {
  size_t b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(space);
  return s.substr(b, e - b + 1);
}

bool is_comment_start(char c) { return c == '#' || c == ';'; }

// Calls f(line, number) for each physical line; "\r\n" ends a line like "\n". A final line
// without a newline is still a line; the empty remainder after a final newline is not.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  uint32_t n = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    size_t end = j == std::string_view::npos ? text.size() : j;
    std::string_view l = text.substr(i, end - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!f(l, ++n)) return;
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
}

// An odd number of trailing backslashes: the last one escapes the newline.
bool ends_in_escape(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[s.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

std::string where(std::string_view source_name, uint32_t line) {
  std::string out;
  if (!source_name.empty()) {
    out += source_name;
    out += ": ";
  }
  out += "line " + std::to_string(line);
  return out;
}

std::string too_long(std::string_view what) {
  return std::string(what) + " longer than " + std::to_string(kMaxUnitLine >> 20) + " MiB";
}

}  // namespace

bool UnitFile::fail(std::string_view source_name, uint32_t line, const std::string& reason) {
  error_ = line ? where(source_name, line) + ": " + reason
                : (source_name.empty() ? reason : std::string(source_name) + ": " + reason);
  return false;
}

void UnitFile::note(std::string_view source_name, uint32_t line, const std::string& reason) {
  // Bounded like the assignments: a file of a million bad lines keeps the first few notes.
  if (notes_.size() < 100) notes_.push_back(where(source_name, line) + ": " + reason);
}

std::optional<uint32_t> UnitFile::section_index(std::string_view name) const {
  for (size_t i = 0; i < sections_.size(); ++i)
    if (sections_[i] == name) return static_cast<uint32_t>(i);
  return std::nullopt;
}

bool UnitFile::add(std::string_view text, std::string_view source_name) {
  if (!error_.empty()) return false;
  if (text.size() > kMaxUnitFileBytes)
    return fail(source_name, 0,
                std::to_string(text.size()) + " bytes, over the " + std::to_string(kMaxUnitFileBytes >> 20) +
                    " MiB limit for a unit file");
  bool ok = syntax_ == UnitSyntax::kSystemd ? add_systemd(text, source_name) : add_quadlet(text, source_name);
  ++sources_;
  return ok;
}

bool UnitFile::assign(int section, std::string key, std::string value, uint32_t line, std::string_view source_name) {
  if (assignments_.size() >= kMaxUnitAssignments)
    return fail(source_name, line, "more than " + std::to_string(kMaxUnitAssignments) + " assignments");
  assignments_.push_back({static_cast<uint32_t>(section), std::move(key), std::move(value), line, sources_});
  return true;
}

// One logical line, comments and continuations already handled by the caller.
bool UnitFile::take_line(std::string_view raw, uint32_t line, std::string_view source_name, int& section) {
  const bool systemd = syntax_ == UnitSyntax::kSystemd;
  // podman trimmed each physical line already and keeps what a joined continuation ends in.
  std::string_view l = systemd ? trim(raw, kSystemdSpace) : raw;
  if (l.empty() || is_comment_start(l[0])) return true;

  if (auto name = section_header(l, line, source_name)) {
    if (!error_.empty()) return false;
    if (auto i = section_index(*name)) {
      section = static_cast<int>(*i);
    } else {
      if (sections_.size() >= kMaxUnitSections)
        return fail(source_name, line, "more than " + std::to_string(kMaxUnitSections) + " sections");
      sections_.emplace_back(*name);
      section = static_cast<int>(sections_.size() - 1);
    }
    return true;
  }

  size_t eq = l.find('=');
  if (systemd) {
    if (section < 0) {
      note(source_name, line, "assignment outside of any section, ignored");
      return true;
    }
    if (eq == std::string_view::npos) {
      note(source_name, line, "missing '=', line ignored");
      return true;
    }
    std::string_view key = trim(l.substr(0, eq), kSystemdSpace);
    if (key.empty()) {
      note(source_name, line, "empty key, line ignored");
      return true;
    }
    return assign(section, std::string(key), std::string(trim(l.substr(eq + 1), kSystemdSpace)), line, source_name);
  }
  if (eq == std::string_view::npos || eq == 0)
    return fail(source_name, line, fmt::format("'{}' is not a key-value pair, group, or comment", l.substr(0, 80)));
  if (section < 0) return fail(source_name, line, "key file does not start with a group");
  std::string_view key = l.substr(0, eq);
  while (!key.empty() && kQuadletSpace.find(key.back()) != std::string_view::npos) key.remove_suffix(1);
  if (key.empty()) return fail(source_name, line, "invalid key name ''");
  std::string_view value = l.substr(eq + 1);
  while (!value.empty() && kQuadletSpace.find(value.front()) != std::string_view::npos) value.remove_prefix(1);
  return assign(section, std::string(key), std::string(value), line, source_name);
}

// The name of a "[Name]" line; nullopt when l is not one. On a header the reader refuses,
// sets error_ and returns an empty name.
std::optional<std::string_view> UnitFile::section_header(std::string_view l, uint32_t line,
                                                         std::string_view source_name) {
  if (l.empty() || l[0] != '[') return std::nullopt;
  std::string_view name;
  if (syntax_ == UnitSyntax::kSystemd) {
    if (l.back() != ']') {
      fail(source_name, line, "invalid section header '" + std::string(l.substr(0, 80)) + "'");
      return std::string_view{};
    }
    name = l.substr(1, l.size() - 2);
  } else {
    // podman: the group ends at the first ']' and only blanks may follow; anything else is
    // tried as a Key=Value line.
    size_t end = l.find(']');
    if (end == std::string_view::npos || !trim(l.substr(end + 1), " \t").empty()) return std::nullopt;
    name = l.substr(1, end - 1);
  }
  bool bad = name.empty();
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '[' || c == ']') bad = true;
  if (bad) {
    fail(source_name, line, "invalid section name '" + std::string(name.substr(0, 80)) + "'");
    return std::string_view{};
  }
  return name;
}

bool UnitFile::add_systemd(std::string_view text, std::string_view source_name) {
  int section = -1;
  std::string continuation;
  uint32_t start = 0;  // line where the open continuation began; 0 = none
  bool ok = true;
  for_each_line(text, [&](std::string_view l, uint32_t n) {
    if (l.size() > kMaxUnitLine) return ok = fail(source_name, n, too_long("line"));
    if (n == 1 && l.starts_with("\xEF\xBB\xBF")) l.remove_prefix(3);
    std::string_view lead = trim(l, kSystemdSpace);
    // Comment lines are skipped even in the middle of a continuation.
    if (!lead.empty() && is_comment_start(lead[0])) return true;
    if (start) {
      if (continuation.size() + l.size() > kMaxUnitLine)
        return ok = fail(source_name, start, too_long("continued line"));
      continuation += l;
    } else {
      continuation.assign(l);
      start = n;
    }
    if (ends_in_escape(continuation)) {
      continuation.back() = ' ';
      return true;
    }
    uint32_t at = start;
    start = 0;
    return ok = take_line(continuation, at, source_name, section);
  });
  // A continuation still open at the end of the file is parsed as it stands.
  if (ok && start) ok = take_line(continuation, start, source_name, section);
  return ok;
}

bool UnitFile::add_quadlet(std::string_view text, std::string_view source_name) {
  int section = -1;
  std::string remaining;
  uint32_t start = 0;
  bool ok = true;
  // podman splits on "\n" after dropping one final newline, so it knows which line is last.
  std::string_view body = text;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  uint32_t last_line = 1 + static_cast<uint32_t>(std::count(body.begin(), body.end(), '\n'));
  for_each_line(body, [&](std::string_view raw, uint32_t n) {
    if (raw.size() > kMaxUnitLine) return ok = fail(source_name, n, too_long("line"));
    std::string_view l = trim(raw, kQuadletSpace);
    // Blank and comment lines are skipped, also inside a continuation, which goes on.
    if (l.empty() || is_comment_start(l[0])) return true;
    if (l.back() == '\\') {
      l.remove_suffix(1);
      if (n != last_line) {
        if (!start) start = n;
        if (remaining.size() + l.size() > kMaxUnitLine)
          return ok = fail(source_name, start, too_long("continued line"));
        remaining += l;
        return true;
      }
    }
    uint32_t at = n;
    std::string joined;
    std::string_view whole = l;
    if (start) {
      if (remaining.size() + l.size() > kMaxUnitLine) return ok = fail(source_name, start, too_long("continued line"));
      joined = std::move(remaining);
      joined += l;
      whole = joined;
      at = start;
      remaining.clear();
      start = 0;
    }
    return ok = take_line(whole, at, source_name, section);
  });
  if (ok && start)
    note(source_name, start, "continuation still open at the end of the file, dropped (as quadlet does)");
  return ok;
}

bool UnitFile::has_section(std::string_view section) const { return section_index(section).has_value(); }

bool UnitFile::has(std::string_view section, std::string_view key) const { return last(section, key).has_value(); }

std::optional<std::string> UnitFile::last(std::string_view section, std::string_view key) const {
  auto s = section_index(section);
  if (!s) return std::nullopt;
  for (auto it = assignments_.rbegin(); it != assignments_.rend(); ++it)
    if (it->section == *s && it->key == key) return it->value;
  return std::nullopt;
}

std::vector<std::string> UnitFile::all(std::string_view section, std::string_view key) const {
  std::vector<std::string> out;
  auto s = section_index(section);
  if (!s) return out;
  for (const auto& a : assignments_) {
    if (a.section != *s || a.key != key) continue;
    if (a.value.empty())
      out.clear();
    else
      out.push_back(a.value);
  }
  return out;
}

std::vector<std::string> UnitFile::words(std::string_view section, std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& v : all(section, key))
    for (auto& w : split_unit_words(v)) out.push_back(std::move(w));
  return out;
}

std::vector<std::string> UnitFile::keys(std::string_view section) const {
  std::vector<std::string> out;
  auto s = section_index(section);
  if (!s) return out;
  for (const auto& a : assignments_)
    if (a.section == *s && std::find(out.begin(), out.end(), a.key) == out.end()) out.push_back(a.key);
  return out;
}

std::vector<std::string> split_unit_words(std::string_view v) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && kSystemdSpace.find(v[i]) != std::string_view::npos) ++i;
    if (i >= v.size()) break;
    std::string w;
    char quote = 0;
    for (; i < v.size(); ++i) {
      char c = v[i];
      if (c == '\\' && i + 1 < v.size()) {
        w += c;
        w += v[++i];
      } else if (quote) {
        if (c == quote)
          quote = 0;
        else
          w += c;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (kSystemdSpace.find(c) != std::string_view::npos) {
        break;
      } else {
        w += c;
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::optional<bool> parse_unit_boolean(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "1" || s == "yes" || s == "y" || s == "true" || s == "t" || s == "on") return true;
  if (s == "0" || s == "no" || s == "n" || s == "false" || s == "f" || s == "off") return false;
  return std::nullopt;
}

}  // namespace imagelint
