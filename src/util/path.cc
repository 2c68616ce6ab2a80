#include "util/path.h"

#include "util/error.h"

#include <algorithm>
#include <vector>

namespace imagelint {

bool normalize_path(std::string_view raw, std::string& out) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string_view::npos) j = raw.size();
    std::string_view c = raw.substr(i, j - i);
    if (c.empty() || c == ".") {
    } else if (c == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
    } else {
      parts.push_back(c);
    }
    i = j + 1;
  }
  out.clear();
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  return true;
}

std::string parent_path(std::string_view p) {
  size_t k = p.rfind('/');
  return k == std::string_view::npos ? std::string() : std::string(p.substr(0, k));
}

std::string_view base_name(std::string_view p) {
  size_t k = p.rfind('/');
  return k == std::string_view::npos ? p : p.substr(k + 1);
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

bool path_within(std::string_view p, std::string_view dir) {
  if (dir.empty()) return true;
  return p.size() >= dir.size() && p.substr(0, dir.size()) == dir &&
         (p.size() == dir.size() || p[dir.size()] == '/');
}

namespace {
bool class_match(std::string_view pat, size_t& i, char c) {
  // pat[i] == '['; on return i points past ']'.
  size_t j = i + 1;
  bool negate = j < pat.size() && (pat[j] == '!' || pat[j] == '^');
  if (negate) ++j;
  bool matched = false, first = true;
  for (; j < pat.size() && (first || pat[j] != ']'); ++j, first = false) {
    if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
      if (c >= pat[j] && c <= pat[j + 2]) matched = true;
      j += 2;
    } else if (pat[j] == c) {
      matched = true;
    }
  }
  i = j + 1;
  return matched != negate;
}

// failed: (star, si) states already known not to match — star is the ordinal of the '*' (or '**')
// token at pi — so a pattern with many stars costs O(stars x |path|^2) at worst, not an
// exponential search (patterns come from packs, waivers and images), and the memo is
// stars x |path| bits however long the pattern.
bool match_at(std::string_view pat, size_t pi, size_t star, std::string_view s, size_t si, int depth, std::vector<bool>& failed,
              size_t stars) {
  if (static_cast<size_t>(depth) > kMaxGlobStars) return false;
  while (pi < pat.size()) {
    char pc = pat[pi];
    if (pc == '*') {
      size_t state = star * (s.size() + 1) + si;
      if (failed.empty()) failed.resize(stars * (s.size() + 1));
      if (failed[state]) return false;
      bool dbl = pi + 1 < pat.size() && pat[pi + 1] == '*';
      size_t next = pi + (dbl ? 2 : 1);
      bool ok = false;
      if (dbl && next < pat.size() && pat[next] == '/')  // "**/" matches zero or more whole directories.
        ok = match_at(pat, next + 1, star + 1, s, si, depth + 1, failed, stars);
      for (size_t k = si; !ok && k <= s.size(); ++k) {
        if (match_at(pat, next, star + 1, s, k, depth + 1, failed, stars)) ok = true;
        else if (k < s.size() && s[k] == '/' && !dbl) break;
      }
      if (!ok) failed[state] = true;
      return ok;
    }
    if (si >= s.size()) return false;
    if (pc == '?') {
      if (s[si] == '/') return false;
      ++pi, ++si;
    } else if (pc == '[') {
      size_t save = pi;
      if (pat.find(']', pi + 2) == std::string_view::npos) {
        if (s[si] != '[') return false;
        pi = save + 1, ++si;
      } else {
        if (s[si] == '/' || !class_match(pat, pi, s[si])) return false;
        ++si;
      }
    } else {  // a backslash too is itself (systemd names escape with it): "[*]" matches a star
      if (s[si] != pc) return false;
      ++pi, ++si;
    }
  }
  return si == s.size();
}
}  // namespace

PathSelection::PathSelection(const std::string& glob) : all_(glob.empty()), literal_(glob_is_literal(glob)) {
  if (all_) return;
  if (literal_) {
    if (!normalize_path(glob, text_)) throw UsageError("ls: '" + glob + "' climbs above the image root");
    return;
  }
  text_ = glob;
  while (text_.starts_with("/")) text_.erase(0, 1);
}

bool PathSelection::operator()(std::string_view path) const {
  if (all_) return true;
  return literal_ ? path_within(path, text_) : glob_match(text_, path);
}

bool glob_leads_to(std::string_view glob, std::string_view dir) {
  if (dir.empty()) return true;
  const size_t parts = static_cast<size_t>(std::count(dir.begin(), dir.end(), '/')) + 1;
  size_t start = 0;
  for (size_t i = 0; i < parts; ++i) {
    const size_t slash = glob.find('/', start);
    if (slash == std::string_view::npos) return false;  // nothing the glob names lies below dir
    const std::string_view component = glob.substr(start, slash - start);
    start = slash + 1;
    if (component.find("**") != std::string_view::npos) return glob_match(glob.substr(0, slash), dir);  // any depth
  }
  return glob_match(glob.substr(0, start - 1), dir);
}

std::string_view glob_literal_prefix(std::string_view glob) {
  size_t i = glob.find_first_of("*?[");
  return i == std::string_view::npos ? glob : glob.substr(0, i);
}

bool glob_match(std::string_view pattern, std::string_view path) {
  size_t stars = 0;  // '*' and '**' tokens
  for (size_t i = 0; i < pattern.size(); ++i)
    if (pattern[i] == '*') {
      ++stars;
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') ++i;
    }
  if (stars > kMaxGlobStars) return false;
  std::vector<bool> failed;  // sized at the first '*'
  return match_at(pattern, 0, 0, path, 0, 0, failed, stars);
}

}  // namespace imagelint
