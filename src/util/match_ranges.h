// Visiting only the keys of a sorted map that a set of RE2 patterns can fully match: every full
// match of a pattern lies between the bounds RE2::PossibleMatchRange gives, so a pattern with a
// literal prefix ("var/cache/dnf/.+") costs its own stretch of the map, not the whole map.
#pragma once
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace imagelint {

// Calls fn(key, value), in key order, for every key of m that one of res fully matches.
// re(i) gives the i-th pattern (n of them), so callers keep their own containers.
template <typename Map, typename GetRe, typename Fn>
void for_each_full_match(const Map& m, size_t n, GetRe re, Fn fn) {
  // Several patterns: one RE2::Set (a single automaton over all of them) answers "any of them?" in
  // one pass over the key, where n FullMatch calls would each scan it.
  std::unique_ptr<RE2::Set> set;
  if (n > 1) {
    set = std::make_unique<RE2::Set>(re(0).options(), RE2::ANCHOR_BOTH);
    for (size_t i = 0; i < n && set; ++i)
      if (set->Add(re(i).pattern(), nullptr) < 0) set.reset();
    if (set && !set->Compile()) set.reset();
  }
  auto matches = [&](const std::string& key) {
    if (set) return set->Match(key, nullptr);
    for (size_t i = 0; i < n; ++i)
      if (RE2::FullMatch(key, re(i))) return true;
    return false;
  };
  std::vector<std::pair<std::string, std::string>> ranges;  // [lo, hi], both inclusive
  for (size_t i = 0; i < n; ++i) {
    std::string lo, hi;
    if (!re(i).PossibleMatchRange(&lo, &hi, 64)) {  // no bound: every key
      for (auto& [key, value] : m)
        if (matches(key)) fn(key, value);
      return;
    }
    ranges.emplace_back(std::move(lo), std::move(hi));
  }
  std::sort(ranges.begin(), ranges.end());
  const std::string* done_to = nullptr;  // keys up to here were visited (ranges overlap)
  for (auto& [lo, hi] : ranges) {
    auto it = done_to && lo <= *done_to ? m.upper_bound(*done_to) : m.lower_bound(lo);
    for (; it != m.end() && it->first <= hi; ++it)
      if (matches(it->first)) fn(it->first, it->second);
    if (!done_to || hi > *done_to) done_to = &hi;
  }
}

}  // namespace imagelint
