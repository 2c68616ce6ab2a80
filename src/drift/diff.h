// `imagelint diff`: two builds of the same image, every difference found, classified and
// explained. The comparison goes only as deep as it must (same manifest: identical; same
// diff_ids: no file can differ), else one streaming pass over each image (both at once, one thread each), an entry-by-entry
// comparison, and a second read of only the layers that hold files a normaliser or the unified
// diff needs.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drift/compare.h"
#include "drift/rules.h"
#include "fs/layer_reader.h"
#include "image/image.h"

namespace imagelint::drift {

struct DiffOptions {
  uint64_t normalise_cap = 512ull << 20;  // larger files are not normalised (a note says so)
  uint64_t text_cap = 64u << 10;          // files up to this size may get a unified diff
  uint64_t text_budget = 64ull << 20;     // bytes of text held for unified diffs, per image
  size_t max_udiffs = 200;
};

struct Hazard {
  std::string path, rule, category, description;
  bool in_a = false, in_b = false, equal = false;  // equal: same content in both
};

enum class Verdict { Identical, Reproducible, Drift };
const char* verdict_name(Verdict v);

// The update cost (drift/update.h): what a host holding A downloads to move to B.
struct UpdateLayer {
  int index = 0;
  std::string digest;
  uint64_t size = 0;              // stored (compressed) bytes: what a host downloads
  std::string status;             // reused | drift | noise-only | unexplained-churn
  int reused_from = -1;           // reused: the index of the same blob in A
  size_t entries_differ = 0;      // entries added, removed or changed against A's layer
  std::map<std::string, size_t> by_class, by_category;  // of those entries
  std::vector<std::string> first_paths;  // the first entries that made the digest change (up to 5)
  // zstd:chunked: what a partial pull of the layer fetches (its TOC, and the files and chunks a
  // host holding A lacks, by digest); -1 without a TOC.
  int64_t chunked_download = -1;
  std::string cause;              // unexplained-churn: what differs; noise-only: the categories
  std::string fix;                // one line
};

struct UpdateCost {
  std::vector<UpdateLayer> layers;  // B's layers, in order
  uint64_t image_bytes = 0;         // B's stored size
  uint64_t download_bytes = 0;      // layers a host holding A must fetch
  uint64_t noise_bytes = 0;         // of those, the noise-only and unexplained-churn ones
  bool chunked = false;             // some downloaded layer has a zstd:chunked TOC
  uint64_t chunked_download_bytes = 0;  // then: the partial pulls, and the other layers whole
  uint64_t hosts = 1;
  std::optional<uint64_t> budget;   // max_noise_bytes from the drift rules files
};


struct DiffResult {
  Verdict verdict = Verdict::Drift;
  std::string compared;  // "manifest", "diff_ids" or "files": how deep the comparison had to go (JSON "compared")
  std::vector<Change> changes;
  std::vector<ConfigChange> config;
  PackageDiff packages;
  std::vector<Hazard> hazards;
  std::vector<std::string> hints;  // root causes, most important first
  std::vector<std::string> notes;  // how the reading went (normalisers that could not read a file, …)
  std::vector<LayerStats> layers_a, layers_b;
  size_t files_a = 0, files_b = 0;
  size_t same_layers = 0;  // leading layers with equal diff_ids
  int rereads = 0;         // layers read a second time for content
  std::vector<std::pair<std::string, double>> timings;  // phase -> seconds (wall)
  // Summary
  size_t added = 0, removed = 0, changed = 0;
  std::map<std::string, size_t> by_class, by_category;  // files and config fields
  UpdateCost update;  // filled by run_diff whatever the depth
};

// Throws InputError when either image cannot be read.
DiffResult run_diff(const Image& a, const Image& b, const DriftRules& rules, const DiffOptions& opt = {},
                    const RunContext& run = RunContext::none());

}  // namespace imagelint::drift
