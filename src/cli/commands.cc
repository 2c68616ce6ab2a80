#include "cli/commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/pipelines.h"
#include "cli/format.h"
#include <filesystem>

#include "fs/chain.h"
#include "report/check_report.h"
#include "report/fleet_report.h"
#include "report/inspect_report.h"
#include "report/listing.h"
#include "report/trend.h"
#include "rules/packs.h"
#include "util/error.h"
#include "util/perf.h"
#include "util/progress.h"
#include "util/run_context.h"

namespace imagelint {
namespace {

void add_image(CLI::App& sub, pipeline::ImageRequest& r) {
  sub.add_option("IMAGE", r.image, "Image reference (see `imagelint --help`)")->required();
  sub.add_option("--platform", r.platform, "os/arch[/variant] to pick from a multi-arch index (default: this machine's)");
}

// The progress line is erased before anything is printed.
void out(const RunContext& run, std::string_view s) {
  if (run.progress) run.progress->finish();
  write_out(s);
}

// ---- inspect ----

struct InspectArgs {
  pipeline::ImageRequest image;
  std::string format = "text";
  bool chain_id = false;
};

int inspect(const InspectArgs& a, const RunContext& run) {
  if (a.chain_id) {
    std::vector<std::string> ids = chain_ids(pipeline::open_only(a.image, run));
    if (ids.empty()) throw InputError(a.image.image, "has no layers with diff_ids, so no chain id");
    out(run, ids.back() + "\n");
    return 0;
  }
  pipeline::Inspected got = pipeline::inspect(a.image, run);
  out(run, a.format == "json" ? inspect_json(got.image, got.gathered) : inspect_text(got.image, got.gathered));
  return 0;
}

CommandFn setup_inspect(CLI::App& sub) {
  auto a = std::make_shared<InspectArgs>();
  add_image(sub, a->image);
  sub.add_option("--format", a->format, "text or json (schema imagelint.inspect/v1)")->check(CLI::IsMember({"text", "json"}));
  sub.add_flag("--chain-id", a->chain_id,
               "Print only the OCI chain id of the image's layers (no layer is read): the key of a CI cache shared "
               "by every instance built on this base");
  sub.footer(
      "Examples:\n"
      "  imagelint inspect oci:build/base:latest\n"
      "  imagelint inspect docker-archive:base.tar --format json | jq .image.layers\n"
      "Every layer is streamed once: its blob digest and diff_id are checked.");
  return [a](const RunContext& run) { return inspect(*a, run); };
}

// ---- ls ----

struct LsArgs {
  pipeline::ImageRequest image;
  std::string glob;
  ListOptions list;
};

int ls(const LsArgs& a, const RunContext& run) {
  pipeline::Listed got = pipeline::ls(a.image, a.glob, run);
  ListOptions opts = a.list;
  opts.layer_column = got.image.rootfs.empty();
  list_entries(got.built.fs, got.selected, opts, [&](std::string_view s) { out(run, s); });
  return 0;
}

CommandFn setup_ls(CLI::App& sub) {
  auto a = std::make_shared<LsArgs>();
  add_image(sub, a->image);
  sub.add_option("GLOB", a->glob, "Only paths matching: '*' and '?' stay within a directory, '**' crosses; "
                                  "a plain path lists itself and everything below it");
  sub.add_flag("-l,--long", a->list.long_format, "type mode uid:gid size mtime layer xxh3-128 path [-> target]");
  sub.add_flag("--xattrs", a->list.xattrs, "--long, plus every extended attribute as name=value (bytes outside ASCII as \\xNN)");
  sub.add_flag("-z,--null", a->list.null, "End each line with NUL instead of newline and print names as their raw bytes (for xargs -0)");
  sub.footer(
      "Examples:\n"
      "  imagelint ls oci:build/base:latest usr/lib/modules\n"
      "  imagelint ls base.tar 'usr/bin/gcc*' --long\n"
      "  imagelint ls oci-archive:base.oci.tar '**/*.ko.xz'\n"
      "  imagelint ls base.tar etc/systemd -z | xargs -0 -n1 imagelint cat base.tar\n"
      "Long format: '-' file, 'd' dir, 'l' symlink, 'c'/'b' device (size is major,minor), 'p' fifo, 's' socket;\n"
      "layer is the index of the layer that last wrote the entry ('-' for dir: images).\n"
      "Names print byte for byte when they are printable UTF-8, a backslash included, so a systemd name\n"
      "such as 'system-systemd\\x2dcryptsetup.slice' pastes back into `cat` or a GLOB as it is. Only control\n"
      "bytes (newline, tab, ESC, C1), bidi controls and bytes of invalid UTF-8 print as \\xNN (two hex\n"
      "digits), which no name can then be told apart from: use -z for exact bytes.");
  return [a](const RunContext& run) { return ls(*a, run); };
}

// ---- cat ----

struct CatArgs {
  pipeline::ImageRequest image;
  std::string path;
};

CommandFn setup_cat(CLI::App& sub) {
  auto a = std::make_shared<CatArgs>();
  add_image(sub, a->image);
  sub.add_option("PATH", a->path, "Path inside the image, e.g. etc/os-release")->required();
  sub.footer(
      "Examples:\n"
      "  imagelint cat oci:build/base:latest etc/os-release\n"
      "  imagelint cat base.tar /etc/containers/policy.json | jq .default\n"
      "Symlinks resolve inside the image root; a link that leaves the root or loops is an error.");
  return [a](const RunContext& run) {
    pipeline::cat(a->image, a->path, run, [&](std::string_view s) { out(run, s); });
    return 0;
  };
}

// ---- report ----

struct ReportArgs {
  std::vector<std::string> inputs;
  std::string output = "-", title;
  bool fleet = false;
};

CommandFn setup_report(CLI::App& sub) {
  auto a = std::make_shared<ReportArgs>();
  sub.add_option("INPUT", a->inputs, "diff JSON files, or directories of them (their *.json); with --fleet, fleet "
                                      "summaries or directories holding them (fleet*.json, three levels down)")->required();
  sub.add_option("--output", a->output, "The HTML file ('-': stdout)");
  sub.add_option("--title", a->title, "The page's title");
  sub.add_flag("--fleet", a->fleet, "The summaries of `check IMAGE...` (imagelint.fleet/v1, e.g. one per CI job) as one page: "
                                    "a row per host, worst first, with a link to its report; findings per rule across the fleet");
  sub.footer(
      "Examples:\n"
      "  imagelint report nightly/ --output trend.html\n"
      "  imagelint report 2026-11-*/diff.json --output trend.html --title 'base image: reproducibility'\n"
      "Nights are ordered by each report's \"created\" time (the file's mtime for reports without it). The page\n"
      "shows the verdict per night, drift and noise counts as charts, drift by category and every night's\n"
      "hints; it is self-contained (no script, nothing fetched). A file that is not a diff report is exit 2.\n"
      "  imagelint report --fleet jobs/ --output fleet.html\n"
      "With --fleet: the hosts of every summary, worst first, each linked to its report (paths relative to\n"
      "the page, so keep the page beside the summaries' directories, as a CI job's artifacts are).");
  return [a](const RunContext& run) {
    if (a->fleet) {
      const std::string dir = a->output == "-" ? "." : std::filesystem::path(a->output).parent_path().string();
      write_reports(run, {"html"}, {a->output}, [&](const std::string&, bool) {
        return fleet_html(read_fleets(a->inputs), a->title.empty() ? "imagelint: fleet" : a->title, dir);
      });
      return 0;
    }
    write_reports(run, {"html"}, {a->output}, [&](const std::string&, bool) {
      return trend_html(read_nights(a->inputs), a->title.empty() ? "imagelint: reproducibility over time" : a->title);
    });
    return 0;
  };
}

// ---- rules ----

CommandFn setup_rules(CLI::App& sub) {
  auto packs = std::make_shared<std::vector<std::string>>();
  sub.add_option("--rules", *packs, "Packs or pack files, as for check (default: bootc-instance)");
  sub.footer("Examples:\n  imagelint rules\n  imagelint rules --rules bootc-base\n  imagelint rules --rules site.json");
  return [packs](const RunContext& run) {
    out(run, rules_text(load_rules(*packs)));
    return 0;
  };
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"inspect", "Manifest, config, platform, labels and layers (sizes, created_by)", setup_inspect},
      {"ls", "List the final filesystem (whiteouts applied), sorted, one path per line", setup_ls},
      {"cat", "Print one file of the final filesystem (symlinks followed inside the image)", setup_cat},
      {"check", "Assert the design's invariants (the CI post-build gate)", setup_check},
      {"diff", "Compare two builds of the same image and explain every difference", setup_diff},
      {"report", "Render nightly `diff --format json` results over time as one HTML page", setup_report},
      {"rules", "List every rule: id, severity, pack, summary", setup_rules},
  };
  return kCommands;
}

void write_reports(const RunContext& run, const std::vector<std::string>& formats, const std::vector<std::string>& outputs,
                   const std::function<std::string(const std::string& format, bool color)>& write) {
  if (run.progress) run.progress->finish();
  for (size_t i = 0; i < formats.size(); ++i) {
    const std::string output = outputs.empty() ? "" : outputs[i];
    const bool to_stdout = output.empty() || output == "-";
    const bool color = to_stdout && formats[i] == "text" && ::isatty(1) && !run.env.vars.count("NO_COLOR");
    write_report(write(formats[i], color), output);
  }
}

}  // namespace imagelint
