// `imagelint diff`: its flags, help and function (see cli/commands.h).
#include <CLI/CLI.hpp>

#include "app/pipelines.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "drift/normalise.h"
#include "report/diff_report.h"
#include "util/error.h"
#include "util/run_context.h"

namespace imagelint {

namespace {

struct DiffArgs {
  pipeline::DiffRequest req;
  std::vector<std::string> formats, outputs;
};

int diff(const DiffArgs& a, const RunContext& run) {
  std::vector<std::string> formats = report_formats(a.formats, a.outputs);
  for (auto& f : formats)
    if (!find_diff_writer(f)) throw UsageError("--format " + f + ": not available (text, json, markdown and html are)");
  pipeline::Diffed got = pipeline::diff(a.req, run);
  write_reports(run, formats, a.outputs, [&](const std::string& format, bool color) {
    return find_diff_writer(format)(DiffReport{got.a, got.b, got.result, got.seconds, run.now, color});
  });
  return got.result.verdict == drift::Verdict::Drift ? 1 : 0;
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
      "Exit: 0 identical or reproducible, 1 drift, 2 could not compare (unreadable image, bad rules).\n"
      "The rules file format and what each normaliser ignores: docs/diff.md.");
  return [a](const RunContext& run) {
    a->req.b.platform = a->req.a.platform;  // one --platform for both
    return diff(*a, run);
  };
}

}  // namespace imagelint
