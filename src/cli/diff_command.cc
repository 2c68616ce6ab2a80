// `imagelint diff`: its flags, help and function (see cli/commands.h).
#include <CLI/CLI.hpp>

#include "app/pipelines.h"
#include "cli/commands.h"
#include "cli/format.h"
#include <cstdio>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "drift/normalise.h"
#include "drift/update.h"
#include "report/diff_report.h"
#include "util/error.h"
#include "util/run_context.h"

namespace imagelint {

namespace {

struct DiffArgs {
  pipeline::DiffRequest req;
  std::vector<std::string> formats, outputs;
  uint64_t hosts = 1;
  std::string max_noise;  // SIZE: bytes, or with k/M/G (1000s) or KiB/MiB/GiB
};

// "640M", "1.5G", "500000", "64MiB" -> bytes; UsageError naming the flag otherwise.
uint64_t parse_size(const std::string& text) {
  size_t end = 0;
  double v = 0;
  try {
    v = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  static const std::map<std::string, double> units = {
      {"", 1},          {"B", 1},           {"k", 1e3},         {"K", 1e3},          {"kB", 1e3},        {"M", 1e6},
      {"MB", 1e6},      {"G", 1e9},         {"GB", 1e9},        {"T", 1e12},         {"TB", 1e12},       {"KiB", 1024.0},
      {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  auto it = units.find(unit);
  if (end == 0 || it == units.end() || v < 0 || v * it->second > 1.8e19)
    throw UsageError("--max-noise-bytes " + text + ": not a size (e.g. 500000, 640M, 1.5G, 64MiB)");
  return static_cast<uint64_t>(v * it->second);
}

int diff(const DiffArgs& a, const RunContext& run) {
  std::vector<std::string> formats = report_formats(a.formats, a.outputs);
  for (auto& f : formats)
    if (!find_diff_writer(f)) throw UsageError("--format " + f + ": not available (text, json, markdown and html are)");
  std::optional<uint64_t> budget = a.max_noise.empty() ? std::nullopt : std::optional(parse_size(a.max_noise));
  pipeline::Diffed got = pipeline::diff(a.req, run);
  if (!budget) budget = got.result.update.budget;  // a rules file's max_noise_bytes
  got.result.update.hosts = a.hosts;
  write_reports(run, formats, a.outputs, [&](const std::string& format, bool color) {
    return find_diff_writer(format)(DiffReport{got.a, got.b, got.result, got.seconds, run.now, color});
  });
  int code = got.result.verdict == drift::Verdict::Drift ? 1 : 0;
  const drift::UpdateCost& u = got.result.update;
  if (budget && u.noise_bytes > *budget) {
    std::string layers;
    for (const drift::UpdateLayer& l : u.layers)
      if (l.status == "noise-only" || l.status == "unexplained-churn")
        layers += fmt::format("{}layer {} ({}, {})", layers.empty() ? "" : ", ", l.index, l.status, drift::human_bytes(l.size));
    std::fprintf(stderr, "imagelint diff: each host would download %s for noise alone, over the budget of %s: %s\n",
                 drift::human_bytes(u.noise_bytes).c_str(), drift::human_bytes(*budget).c_str(), layers.c_str());
    code = 1;
  }
  return code;
}

}  // namespace

CommandFn setup_diff(CLI::App& sub) {
  auto a = std::make_shared<DiffArgs>();
  CLI::App* cmd = &sub;
  DiffArgs& args = *a;
  cmd->add_option("IMAGE_A", args.req.a.image, "The reference build (e.g. last night's)")->required();
  cmd->add_option("IMAGE_B", args.req.b.image, "The build to compare with it")->required();
  cmd->add_option("--platform", args.req.a.platform, "os/arch[/variant] to pick from multi-arch indexes (default: this machine's)");
  cmd->add_option("--rules", args.req.rules,
                   "Drift rules file (JSON, as rules/drift.json); repeatable. A rule with a shipped rule's id "
                   "replaces it; new rules are tried before the shipped ones");
  cmd->add_option("--ignore", args.req.ignores,
                   "Path glob whose differences are noise (category \"ignored\"); a plain path covers everything "
                   "below it; repeatable");
  cmd->add_option("--format", args.formats, "text (default), json (schema imagelint.diff/v1), markdown or html (one self-contained page); repeatable");
  cmd->add_option("--output", args.outputs, "File for the report of the --format in the same position ('-': stdout)");
  cmd->add_option("--hosts", args.hosts, "Hosts that pull B: the update section's totals are also given for the fleet")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--max-noise-bytes", args.max_noise,
                   "Exit 1 when a host holding A would download more than SIZE (500000, 640M, 1.5G, 64MiB) of B's layers "
                   "for noise alone (noise-only and unexplained-churn layers), naming them; overrides a rules file's max_noise_bytes");
  std::string names;
  for (auto& n : drift::normaliser_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->footer(
      "Examples:\n"
      "  imagelint diff oci:nightly/base:2026-11-25 oci:nightly/base:2026-11-26\n"
      "  imagelint diff a.tar b.tar --format markdown --output mr-comment.md --format json --output diff.json\n"
      "  imagelint diff a.tar b.tar --ignore var/lib/alloy --rules site-drift.json\n"
      "Verdicts: identical (same manifest digest), reproducible (every difference is noise), drift.\n"
      "Each difference gets a class (noise, drift, hazard) and a category from the first drift rule that\n"
      "matches it (shipped: rules/drift.json); a rule with a normaliser matches only files equal in\n"
      "substance (normalisers: " + names + "). Files owned by a package that\n"
      "changed are explained by it. Anything else is drift, category unexplained.\n"
      "Hazards (a populated machine-id, SSH host keys, a random seed) are listed even when equal.\n"
      "Update: each layer of B a host holding A must download (its digest is nowhere in A), with its size\n"
      "and why: drift, noise-only (every entry that differs from A's layer is noise) or unexplained-churn\n"
      "(the entries are equal: compression, order or tar headers), and the bytes wasted on noise.\n"
      "Exit: 0 identical or reproducible, 1 drift (or noise over --max-noise-bytes), 2 could not compare\n"
      "(unreadable image, bad rules).\n"
      "The rules file format and what each normaliser ignores: docs/diff.md.");
  return [a](const RunContext& run) {
    a->req.b.platform = a->req.a.platform;  // one --platform for both
    return diff(*a, run);
  };
}

}  // namespace imagelint
