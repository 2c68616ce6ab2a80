// `imagelint report`: nightly `diff --format json` results over time, as one self-contained HTML
// page (verdict per night, drift and noise counts, categories) that a person reads at a glance.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace imagelint {

// What one night's diff JSON says, reduced to what the trend shows.
struct Night {
  std::string file;      // where it was read
  std::string when;      // "created" of the JSON (UTC), else the file's mtime
  std::string verdict;   // identical | reproducible | drift
  std::string a, b;      // the two references
  uint64_t drift = 0, hazard = 0, noise = 0;
  std::map<std::string, uint64_t> drift_categories;  // category -> changes of class drift
  std::vector<std::string> hints;                    // the first few
  // The update cost (diff's "update"), when the JSON has one: bytes a host downloads, and of
  // those for noise alone.
  bool has_update = false;
  uint64_t download_bytes = 0, noise_bytes = 0;
};

// Reads one imagelint.diff/v1 JSON; throws InputError naming the file when it is not one.
Night read_night(const std::string& file);
// Files and directories (their *.json) in the order nights happened.
std::vector<Night> read_nights(const std::vector<std::string>& inputs);

std::string trend_html(const std::vector<Night>& nights, const std::string& title);

}  // namespace imagelint
