// `imagelint check`: one image (the post-build gate), or many (a fleet of instances on one base:
// check IMAGE... / --images FILE, each image's reports into --output-dir, one summary).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/pipelines.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "report/check_report.h"
#include "report/fleet_report.h"
#include "util/error.h"
#include "util/perf.h"
#include "util/progress.h"
#include "util/run_context.h"

namespace imagelint {
namespace {

struct CheckArgs {
  pipeline::CheckRequest req;
  std::vector<std::string> images;  // IMAGE...
  std::string images_file, output_dir, summary;
  std::vector<std::string> formats, outputs;
  std::string fail_on = "error";
  bool all = false;
};

std::vector<std::string> checked_formats(const std::vector<std::string>& formats, const std::vector<std::string>& outputs) {
  std::vector<std::string> out = report_formats(formats, outputs);
  for (auto& f : out)
    if (!find_check_writer(f))
      throw UsageError("--format " + f + ": not a format of check (text, json, sarif, junit, codequality, markdown)");
  return out;
}

int check_one(const CheckArgs& a, Severity fail_on, const RunContext& run) {
  std::vector<std::string> formats = checked_formats(a.formats, a.outputs);
  pipeline::Checked got = pipeline::check(a.req, run);
  write_reports(run, formats, a.outputs, [&](const std::string& format, bool color) {
    PerfStage stage(run.perf, "report");
    return find_check_writer(format)(
        CheckReport{got.image, got.result, got.rules, fail_on, color, a.all, run.now, run.host, got.gathered.facts.base.get()});
  });
  return check_exit_code(got.result, fail_on);
}

// --images FILE ('-': stdin): one reference a line; blank lines and lines starting with # skipped.
std::vector<std::string> read_image_list(const std::string& file) {
  std::ifstream f;
  std::istream* in = &std::cin;
  if (file != "-") {
    f.open(file);
    if (!f) throw InputError(file, "cannot read the image list");
    in = &f;
  }
  std::vector<std::string> out;
  std::string line;
  while (std::getline(*in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    out.push_back(line.substr(start));
  }
  if (in->bad()) throw InputError(file, "cannot read the image list");
  return out;
}

// File names for each image's reports: the tag (or the last path component) where that is unique
// in the run, else the whole reference; characters other than [A-Za-z0-9._-] become '_'.
std::vector<std::string> report_names(const std::vector<std::string>& refs) {
  auto clean = [](std::string s) {
    for (char& c : s)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
    while (!s.empty() && s.front() == '.') s.erase(0, 1);
    if (s.size() > 120) s = s.substr(s.size() - 120);
    return s.empty() ? std::string("image") : s;
  };
  auto short_name = [&](const std::string& ref) {
    std::string r = ref;
    if (size_t t = r.find(':'); t != std::string::npos && r.find('/') > t && r.substr(0, t).find('.') == std::string::npos)
      r = r.substr(t + 1);  // the transport
    while (!r.empty() && r.back() == '/') r.pop_back();
    size_t cut = r.find_last_of(":/@");
    return clean(cut == std::string::npos ? r : r.substr(cut + 1));
  };
  std::map<std::string, int> seen;
  for (auto& r : refs) seen[short_name(r)]++;
  std::vector<std::string> out;
  std::set<std::string> taken;
  for (auto& r : refs) {
    std::string n = seen[short_name(r)] == 1 ? short_name(r) : clean(r);
    std::string u = n;
    for (int k = 2; !taken.insert(u).second; ++k) u = n + "-" + std::to_string(k);
    out.push_back(u);
  }
  return out;
}

const char* extension(const std::string& format) {
  static const std::map<std::string, const char*> ext = {{"text", ".txt"},          {"json", ".json"},
                                                         {"sarif", ".sarif"},        {"junit", ".junit.xml"},
                                                         {"codequality", ".codequality.json"}, {"markdown", ".md"}};
  return ext.at(format);
}

int check_many(const CheckArgs& a, Severity fail_on, const RunContext& run) {
  if (!a.outputs.empty())
    throw UsageError("--output names one report: with several images, use --output-dir DIR (a file per image and format)");
  pipeline::FleetRequest req;
  std::vector<std::string> refs = a.images;
  if (!a.images_file.empty()) {
    std::vector<std::string> listed = read_image_list(a.images_file);
    refs.insert(refs.end(), listed.begin(), listed.end());
  }
  if (refs.empty()) throw UsageError("check: no images (name them, or list them in --images FILE)");
  std::vector<std::string> formats = a.formats.empty() ? std::vector<std::string>{"text", "json"} : checked_formats(a.formats, {});
  for (auto& r : refs) req.images.push_back({r, a.req.image.platform});
  req.packs = a.req.packs, req.waivers = a.req.waivers, req.base = a.req.base;
  namespace fs = std::filesystem;
  if (!a.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(a.output_dir, ec);
    if (ec || !fs::is_directory(a.output_dir)) throw InputError(a.output_dir, "cannot create the report directory");
  }
  const std::vector<std::string> names = report_names(refs);
  const std::string summary_file = !a.summary.empty() ? a.summary : a.output_dir.empty() ? "" : (fs::path(a.output_dir) / "fleet.json").string();
  // Report paths in the summary are relative to the summary's own directory.
  const fs::path summary_dir = summary_file.empty() || summary_file == "-" ? fs::current_path()
                                                                          : fs::absolute(summary_file).parent_path();
  FleetSummary summary;
  summary.fail_on = fail_on;
  summary.created = run.now;
  pipeline::FleetShape shape = pipeline::check_fleet(req, run, [&](pipeline::FleetItem& item) {
    const pipeline::Checked* c = item.checked.get();
    FleetRow row = fleet_row(item.reference, c ? &c->image : nullptr, c ? &c->result : nullptr, fail_on, item.error);
    row.name = names[item.index];
    if (c && !a.output_dir.empty())  // an image not checked has no reports: the summary says why
      for (const std::string& f : formats) {
        fs::path file = fs::path(a.output_dir) / (names[item.index] + extension(f));
        PerfStage stage(run.perf, "report");
        write_report(find_check_writer(f)(CheckReport{c->image, c->result, c->rules, fail_on, false, a.all, run.now, run.host,
                                                      c->gathered.facts.base.get()}),
                     file.string());
        row.reports[f] = fs::absolute(file).lexically_normal().lexically_relative(summary_dir).string();
      }
    if (run.progress) run.progress->finish();
    if (!c) std::fprintf(stderr, "imagelint: %s\n", item.error.c_str());
    summary.rows.push_back(std::move(row));
  });
  summary.base = shape.base;
  summary.shared_layers = shape.shared_layers;
  if (!summary_file.empty()) write_report(fleet_json(summary), summary_file);
  const bool color = ::isatty(1) && !run.env.vars.count("NO_COLOR");
  if (summary_file != "-") write_out(fleet_text(summary, color));
  return summary.exit_code();
}

int check(const CheckArgs& a, const RunContext& run) {
  Severity fail_on;
  if (!parse_severity(a.fail_on, fail_on)) throw UsageError("--fail-on must be error, warning or info");
  const bool many = a.images.size() != 1 || !a.images_file.empty() || !a.output_dir.empty() || !a.summary.empty();
  if (!many) {
    CheckArgs one = a;
    one.req.image.image = a.images[0];
    return check_one(one, fail_on, run);
  }
  return check_many(a, fail_on, run);
}

}  // namespace

CommandFn setup_check(CLI::App& sub) {
  auto a = std::make_shared<CheckArgs>();
  sub.add_option("IMAGE", a->images, "Image reference(s) (see `imagelint --help`); several: a fleet, see below");
  sub.add_option("--platform", a->req.image.platform, "os/arch[/variant] to pick from a multi-arch index (default: this machine's)");
  sub.add_option("--images", a->images_file, "A file of image references, one a line (# comments; '-': stdin), checked as IMAGE...");
  sub.add_option("--output-dir", a->output_dir,
                 "With several images: each image's reports, DIR/NAME.EXT for every --format (default: text and json), "
                 "NAME the image's tag; and the summary DIR/fleet.json");
  sub.add_option("--summary", a->summary, "With several images: the imagelint.fleet/v1 summary to this file ('-': stdout, "
                                          "instead of the table)");
  sub.add_option("--rules", a->req.packs,
                 "A shipped pack (bootc-base, bootc-instance) or a pack file; repeatable. Default: bootc-instance. "
                 "Files without \"extends\" layer on top of the default and may override a rule's severity or "
                 "params by id");
  sub.add_option("--waivers", a->req.waivers, "JSON: {\"waivers\": [{rule, path (glob), reason, expires (YYYY-MM-DD)}]}");
  sub.add_option("--fail-on", a->fail_on, "Lowest severity that fails the run (exit 1): error, warning or info")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  sub.add_option("--format", a->formats,
                 "text (default), json (schema imagelint.check/v1), sarif (2.1.0), junit (GitLab artifacts:reports:junit), "
                 "codequality (GitLab Code Quality), markdown (a merge-request comment); repeatable");
  sub.add_option("--output", a->outputs, "File for the report of the --format in the same position ('-': stdout)");
  sub.add_option("--base", a->req.base,
                 "Tier check: IMAGE must start with this base image's layers (same diff_ids, in order); "
                 "tier-boundary then holds everything the instance's own layers add, change or delete, and "
                 "every package they install, remove or change, against what tier 3 may touch");
  sub.add_flag("--all", a->all,
               "Text: list every finding. By default a rule with many findings shows at most 5 rows, "
               "directories with a count before the files below them (json always lists every finding)");
  sub.footer(
      "Examples:\n"
      "  imagelint check oci-archive:build/instance.tar                  # tier 3: bootc-instance\n"
      "  imagelint check oci:build/base:latest --rules bootc-base         # tier 2\n"
      "  imagelint check oci:build/host7:latest --base oci:build/base:latest   # tier 3 on its base\n"
      "  imagelint check img.tar --rules site.json --waivers waivers.json --fail-on warning\n"
      "  imagelint check img.tar --format text --output - --format json --output check.json\n"
      "  imagelint check img.tar --format junit --output junit.xml --format codequality --output gl-code-quality.json\n"
      "A fleet (many instance images on one base, in one run):\n"
      "  imagelint check --base oci:build/fleet:base --images hosts.txt --output-dir reports/\n"
      "  imagelint check oci:build/fleet:host001 oci:build/fleet:host002 --summary fleet.json\n"
      "The layers every image shares (the base's with --base, else the first layers common to all) are read\n"
      "once, or loaded from the layer cache's chain snapshot; each image then applies only its own layers.\n"
      "Each image gets its reports as if checked alone; stdout shows one table (worst first), --summary or\n"
      "DIR/fleet.json the imagelint.fleet/v1 summary, which `imagelint report --fleet` renders as a page.\n"
      "An image that cannot be read is a row with its reason, not the end of the run.\n"
      "Exit: 0 nothing at or above --fail-on, 1 findings, 2 could not check (unreadable image, bad pack);\n"
      "with several images, the worst of theirs.\n"
      "Text output is coloured on a terminal unless NO_COLOR is set. `imagelint rules` lists the rules.\n"
      "Names print byte for byte when they are printable UTF-8 (a backslash included); control bytes and\n"
      "invalid UTF-8 print as \\xNN.");
  return [a](const RunContext& run) {
    if (a->images.empty() && a->images_file.empty()) throw UsageError("check: IMAGE is required (or --images FILE)");
    return check(*a, run);
  };
}

}  // namespace imagelint
