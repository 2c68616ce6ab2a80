// The cache directory's housekeeping: temporary files a killed process left, and eviction.
#include "fs/layer_cache_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <vector>

namespace imagelint::cache_dir {

// Temporary files of a process that was killed mid-run: ".tmp-PID-…" where no process PID runs
// any more and the file is a day old (a cache on a shared disk may hold another host's PIDs).
void remove_orphans(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  const time_t day_ago = ::time(nullptr) - 24 * 3600;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!name.starts_with(".tmp-")) continue;
    long pid = std::strtol(e->d_name + 5, nullptr, 10);
    struct stat st {};
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (EPERM: alive too)
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_mtime > day_ago)
      continue;
    ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

bool is_entry_name(std::string_view name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Keeps the entries of dir within the limit: the least recently used go first (a replay touches
// its entry's mtime), never those just written (just_written: final paths). Returns how many went.
int prune(const std::string& dir, uint64_t limit, const std::set<std::string>& just_written) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  struct Item {
    struct timespec used;
    uint64_t size;
    std::string name;
  };
  std::vector<Item> items;
  uint64_t total = 0;
  while (const dirent* e = ::readdir(d)) {
    if (!is_entry_name(e->d_name)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    const uint64_t size = static_cast<uint64_t>(st.st_blocks) * 512;  // what it takes on disk
    total += size;
    if (!just_written.count(dir + "/" + e->d_name)) items.push_back(Item{st.st_mtim, size, e->d_name});
  }
  int gone = 0;
  if (total > limit) {
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec : a.used.tv_nsec < b.used.tv_nsec;
    });
    for (const Item& it : items) {
      if (total <= limit) break;
      if (::unlinkat(::dirfd(d), it.name.c_str(), 0) == 0) {
        total -= std::min(total, it.size);
        ++gone;
      } else if (errno == ENOENT) {  // another process took it
        total -= std::min(total, it.size);
      }
    }
  }
  ::closedir(d);
  return gone;
}


}  // namespace imagelint::cache_dir
