#include "util/match_ranges.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace util_match_ranges_test {

// The same keys, in the same order, as testing every key against every pattern.
TEST(MatchRanges, VisitsExactlyWhatAFullScanFinds) {
  std::map<std::string, int> m;
  for (const char* k : {"", "a", "dev", "dev/null", "dev/pts/0", "devices", "etc/ssh/ssh_host_rsa_key", "etc/ssh/ssh_host_rsa_key.pub",
                        "etc/ssh/sshd_config", "usr/bin/cc", "usr/bin/gcc", "usr/bin/gcc-12", "usr/bin/x86_64-linux-gnu-gcc-12",
                        "usr/lib/x", "lib/x", "var/cache/dnf/a", "var/cache/dnf/b/c", "var/cache/yum/z", "var/cache/zzz",
                        "var/lib/dnf/history.sqlite", "dev/\xff", "\xff\xfe", "z\xc3\xa9"})
    m.emplace(k, 0);
  const std::vector<std::vector<std::string>> sets = {
      {"var/cache/(dnf|yum)/.+", "var/lib/dnf/history.*"},
      {"dev(/.*)?", "dev/.*"},                       // overlapping
      {"var/cache/dnf/.+", "var/cache/(dnf|yum)/.+"},  // one inside the other
      {".*"},                                        // every key
      {"etc/ssh/ssh_host_[^/]+_key(\\.pub)?", "usr/bin/(gcc|cc)(-[0-9.]+)?", "usr/bin/[a-z0-9_]+-linux-gnu-gcc(-[0-9.]+)?"},
      {"(usr/)?lib/x"},
      {"z.", "nothing"},
      {},
  };
  for (const auto& set : sets) {
    std::vector<std::unique_ptr<RE2>> res;
    for (auto& p : set) res.push_back(std::make_unique<RE2>(p));
    std::vector<std::string> want, got;
    for (auto& [k, v] : m)
      for (auto& re : res)
        if (RE2::FullMatch(k, *re)) {
          want.push_back(k);
          break;
        }
    for_each_full_match(m, res.size(), [&](size_t i) -> const RE2& { return *res[i]; },
                        [&](const std::string& k, int) { got.push_back(k); });
    EXPECT_EQ(got, want) << (set.empty() ? "(none)" : set[0]);
  }
}

}  // namespace util_match_ranges_test
}  // namespace imagelint
