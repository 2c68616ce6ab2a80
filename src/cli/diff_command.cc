#include "cli/diff_command.h"

#include <unistd.h>

#include <chrono>

#include <CLI/CLI.hpp>

#include "cli/format.h"
#include "drift/diff.h"
#include "drift/normalise.h"
#include "image/image.h"
#include "report/diff_report.h"
#include "util/error.h"

namespace imagelint {

int cmd_diff(const DiffArgs& args) {
  // Bad rules or arguments are exit 2 before any image is read.
  drift::DriftRules rules = drift::load_drift_rules(args.rules, args.ignores);
  std::vector<std::string> formats = report_formats(args.formats, args.outputs);
  for (auto& f : formats)
    if (!find_diff_writer(f))
      throw UsageError("--format " + f + ": not available (text, json, markdown and html are)");
  auto start = std::chrono::steady_clock::now();
  Image a = open_image(parse_reference(args.a), OpenOptions{args.platform});
  Image b = open_image(parse_reference(args.b), OpenOptions{args.platform});
  drift::DiffResult result = drift::run_diff(a, b, rules);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < formats.size(); ++i) {
    std::string out = args.outputs.empty() ? "" : args.outputs[i];
    bool to_stdout = out.empty() || out == "-";
    bool color = to_stdout && ::isatty(1) && !std::getenv("NO_COLOR") && formats[i] == "text";
    write_report(find_diff_writer(formats[i])(DiffReport{a, b, result, seconds, color}), out);
  }
  return result.verdict == drift::Verdict::Drift ? 1 : 0;
}

void add_diff_command(CLI::App& app, DiffArgs& args, std::function<int()>& run) {
  auto* diff = app.add_subcommand("diff", "Compare two builds of the same image and explain every difference");
  diff->add_option("IMAGE_A", args.a, "The reference build (e.g. last night's)")->required();
  diff->add_option("IMAGE_B", args.b, "The build to compare with it")->required();
  diff->add_option("--platform", args.platform, "os/arch[/variant] to pick from multi-arch indexes (default: this machine's)");
  diff->add_option("--rules", args.rules,
                   "Drift rules file (JSON, as rules/drift.json); repeatable. A rule with a shipped rule's id "
                   "replaces it; new rules are tried before the shipped ones");
  diff->add_option("--ignore", args.ignores,
                   "Path glob whose differences are noise (category \"ignored\"); a plain path covers everything "
                   "below it; repeatable");
  diff->add_option("--format", args.formats, "text (default), json (schema imagelint.diff/v1), markdown or html (one self-contained page); repeatable");
  diff->add_option("--output", args.outputs, "File for the report of the --format in the same position ('-': stdout)");
  std::string names;
  for (auto& n : drift::normaliser_names()) names += (names.empty() ? "" : ", ") + n;
  diff->footer(
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
  diff->callback([&] { run = [&] { return cmd_diff(args); }; });
}

}  // namespace imagelint
