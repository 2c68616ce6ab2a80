// Path normalisation for entries of the final filesystem: relative to the image root, no leading
// "/" or "./", no empty or "." components, ".." folded lexically.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace imagelint {

// Normalises raw into out ("" is the root). Returns false when ".." would climb above the root.
bool normalize_path(std::string_view raw, std::string& out);
// "a/b/c" -> "a/b"; "a" -> "".
std::string parent_path(std::string_view p);
// "a/b/c" -> "c".
std::string_view base_name(std::string_view p);
// join("", "x") == "x"; join("a", "x") == "a/x".
std::string join_path(std::string_view dir, std::string_view name);
// True when p is dir itself or lies below it ("" contains everything).
bool path_within(std::string_view p, std::string_view dir);

// Shell-style glob over a whole path: '*' and '?' do not cross '/', '**' does, [...] classes. A
// backslash is an ordinary character, as in fnmatch's FNM_NOESCAPE (systemd's own names carry
// backslashes: "system-systemd\x2dcryptsetup.slice"); "[*]" matches a literal star. A pattern of
// more than kMaxGlobStars stars matches nothing; time is O(stars x |path|^2) at worst, memory
// stars x |path| bits.
inline constexpr size_t kMaxGlobStars = 64;
bool glob_match(std::string_view pattern, std::string_view path);
// The part of a glob before its first wildcard ('*', '?' or '['): all of it when it has none.
std::string_view glob_literal_prefix(std::string_view glob);
// A glob without wildcards names one path (`ls`, --ignore and waivers then take what is below it).
inline bool glob_is_literal(std::string_view glob) { return glob_literal_prefix(glob).size() == glob.size(); }

// True when dir could be a directory above a path glob matches: the glob's first components, as
// many as dir has, match dir ("var/home/*/.ssh/**" leads through "var" and "var/home/core").
bool glob_leads_to(std::string_view glob, std::string_view dir);

// What `ls GLOB` lists: everything for "", a plain path and everything below it, else the paths
// the glob matches (a leading '/' ignored). Throws UsageError for a plain path above the root.
class PathSelection {
 public:
  explicit PathSelection(const std::string& glob);
  bool operator()(std::string_view path) const;

 private:
  bool all_ = false, literal_ = false;
  std::string text_;  // the normalised plain path, or the glob
};

}  // namespace imagelint
