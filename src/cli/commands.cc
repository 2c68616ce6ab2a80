#include "cli/commands.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <functional>
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/diff_command.h"
#include "cli/format.h"
#include "facts/facts.h"
#include "report/check_report.h"
#include "report/trend.h"
#include "rules/engine.h"
#include "rules/packs.h"
#include "fs/build.h"
#include "util/path.h"
#include "image/image.h"
#include "util/error.h"
#include "util/progress.h"
#include "fs/layer_cache.h"
#include "util/perf.h"
#include "util/version.h"

namespace imagelint {
namespace {


const char* kReferenceHelp =
    "IMAGE is an image reference, as skopeo and podman write them:\n"
    "  oci:DIR[:TAG]                         OCI layout directory (TAG = org.opencontainers.image.ref.name)\n"
    "  oci-archive:FILE[:TAG]                tar of an OCI layout, read in place\n"
    "  docker-archive:FILE[:NAME:TAG|:@N]    docker save / podman save tar\n"
    "  containers-storage:[[DRIVER@]ROOT[+RUN]]NAME[:TAG]|ID\n"
    "                                        podman's local store, read in place (the store\n"
    "                                        storage.conf names when [...] is left out)\n"
    "  dir:ROOTFS                            an unpacked root filesystem\n"
    "  PATH                                  detected from what is there\n";

struct Common {
  std::string image;
  std::string platform;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("IMAGE", c.image, "Image reference (see `imagelint --help`)")->required();
  sub->add_option("--platform", c.platform, "os/arch[/variant] to pick from a multi-arch index (default: this machine's)");
}

Image open(const Common& c) {
  Reference ref = parse_reference(c.image);
  return open_image(ref, OpenOptions{c.platform});
}

int cmd_inspect(const Common& c, const std::string& format) {
  Image img = open(c);
  Gathered g = gather_facts(img);
  const BuildResult& built = g.built;
  const Facts& facts = g.facts;
  if (format == "json") {
    nlohmann::json j = facts_to_json(facts);
    j["schema"] = "imagelint.inspect/v1";
    j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
    j["image"] = image_to_json(img, &built);
    j["files"] = built.fs.size();
    for (auto& n : built.notes) j["notes"].push_back(n);
    write_out(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");  // facts may quote non-UTF-8 bytes
    return 0;
  }
  // Every string from the image is escaped on its own: a newline in a label is \x0a, not a line.
  auto esc = [](const std::string& s) { return escape_bytes(s, false); };
  std::string out;
  out += fmt::format("reference:       {}\n", esc(img.ref.original));
  out += fmt::format("transport:       {}\n", transport_name(img.ref.transport));
  if (!img.manifest_digest.empty()) out += fmt::format("manifest:        {} ({})\n", img.manifest_digest, img.manifest_media_type);
  if (!img.config_digest.empty()) out += fmt::format("config:          {}\n", img.config_digest);
  if (!img.platform.os.empty()) out += fmt::format("platform:        {}\n", img.platform.str());
  out += fmt::format("files:           {}\n", built.fs.size());
  if (!img.labels.empty()) {
    out += "labels:\n";
    for (auto& [k, v] : img.labels) out += fmt::format("  {}={}\n", esc(k), esc(v));
  }
  if (!img.layers.empty()) {
    uint64_t total_c = 0, total_u = 0;
    out += fmt::format("layers:          {}\n", img.layers.size());
    out += fmt::format("  {:>3}  {:<19}  {:<5}  {:>10}  {:>10}  {:>7}  {}\n", "#", "digest", "comp", "stored",
                       "unpacked", "entries", "created by");
    for (const LayerInfo& l : img.layers) {
      const LayerStats& s = built.layers[static_cast<size_t>(l.index)];
      std::string d = s.blob_digest.substr(0, 19);
      std::string by = esc(l.created_by);
      if (by.size() > 100) by = by.substr(0, 97) + "...";
      out += fmt::format("  {:>3}  {:<19}  {:<5}  {:>10}  {:>10}  {:>7}  {}\n", l.index, d, compression_name(s.compression),
                         human_bytes(s.compressed_bytes), human_bytes(s.uncompressed_bytes), s.entries, by);
      total_c += s.compressed_bytes;
      total_u += s.uncompressed_bytes;
    }
    out += fmt::format("  total: {} stored, {} unpacked\n", human_bytes(total_c), human_bytes(total_u));
  }
  out += "facts:\n";
  if (!facts.os_release.empty()) {
    auto name = facts.os_release.count("PRETTY_NAME") ? facts.os_release.at("PRETTY_NAME")
                                                      : facts.os_release.count("NAME") ? facts.os_release.at("NAME") : "?";
    out += fmt::format("  os:            {} ({})\n", esc(name), esc(facts.os_release_path));
  }
  for (auto& k : facts.kernels)
    out += fmt::format("  kernel:        {}{}{}{}, {} modules\n", esc(k.kver), k.vmlinuz ? " vmlinuz" : " (no vmlinuz)",
                       k.initramfs ? " initramfs.img" : "", k.modules_dep ? " modules.dep" : " (no modules.dep)", k.modules);
  int unreadable = 0;
  for (auto& m : facts.modules) unreadable += !m.error.empty();
  if (unreadable) out += fmt::format("  modules:       {} without a readable .modinfo (see --format json)\n", unreadable);
  out += fmt::format("  users:         {} in passwd, {} in sysusers.d, lingering: {}\n", facts.users.passwd.size(),
                     facts.users.sysusers.size(), facts.users.lingering.empty() ? "none" : esc(fmt::format("{}", fmt::join(facts.users.lingering, ", "))));
  out += fmt::format("  packages:      {}{}\n", facts.packages.packages.size(),
                     facts.packages.unread.empty() ? "" : esc(fmt::format(" (unread: {})", fmt::join(facts.packages.unread, ", "))));
  int enabled = 0, rootful = 0;
  for (auto& u : facts.units) {
    enabled += u.enabled;
    rootful += u.enabled && u.scope == "rootful";
  }
  out += fmt::format("  units:         {} ({} enabled, {} enabled rootful quadlets)\n", facts.units.size(), enabled, rootful);
  if (!facts.policy_present) out += "  policy:        no etc/containers/policy.json\n";
  else if (!facts.policy.ok) out += fmt::format("  policy:        {}: {}\n", esc(facts.policy_path), esc(facts.policy.error));
  else
    out += fmt::format("  policy:        {} (default: {})\n", esc(facts.policy_path),
                       facts.policy.policy.default_reqs.empty() ? "?" : requirement_type_name(facts.policy.policy.default_reqs[0].type));
  for (auto& n : built.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.packages.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.packages.errors) out += "error: " + esc(n) + "\n";
  for (auto& n : facts.users.notes) out += "note: " + esc(n) + "\n";
  write_out(out);
  return 0;
}

int cmd_ls(const Common& c, const std::string& glob, bool long_format, bool xattrs, bool null) {
  Image img = open(c);
  BuildResult built = build_filesystem(img, nullptr);
  std::string prefix;
  bool literal = glob.find_first_of("*?[") == std::string::npos;
  if (!glob.empty() && literal && !normalize_path(glob, prefix))
    throw UsageError("ls: '" + glob + "' climbs above the image root");
  std::string pattern = glob;
  while (pattern.starts_with("/")) pattern.erase(0, 1);
  std::string out;
  for (const auto& [path, e] : built.fs.entries()) {
    if (!glob.empty()) {
      bool ok = literal ? path_within(path, prefix) : glob_match(pattern, path);
      if (!ok) continue;
    }
    if (long_format || xattrs) out += long_line(path, e, img.rootfs.empty(), xattrs, null);
    else out += null ? path : escape_bytes(path, false);
    out += null ? '\0' : '\n';
    if (out.size() > (1 << 20)) {
      write_out(out);
      out.clear();
    }
  }
  write_out(out);
  return 0;
}

int cmd_cat(const Common& c, const std::string& path) {
  std::string norm;
  if (!normalize_path(path, norm)) throw InputError(path, "climbs above the image root");
  if (norm.empty()) throw InputError(path, "is the root directory, not a file");
  Image img = open(c);
  CaptureSet captures;
  constexpr uint64_t kInMemory = 64u << 20;
  captures.want_path(norm, kInMemory);
  BuildResult built = build_filesystem(img, &captures);
  std::string where = c.image + ":" + norm;
  if (std::string p = captures.problem(norm); !p.empty()) throw InputError(where, p);
  const Captured* got = captures.get(norm);
  if (!got) {
    Resolved r = built.fs.resolve(norm, true);
    if (r.status == Resolve::NotDir) throw InputError(where, r.path + " is not a directory");
    if (r.status != Resolve::Ok) throw InputError(where, "no such file in the image");
    const Entry* e = built.fs.find(r.path);
    throw InputError(where, e ? std::string("is a ") + type_name(e->type) + ", not a file" : "no such file in the image");
  }
  if (!got->truncated) {
    write_out(got->data);
    return 0;
  }
  // Too big to hold: stream it from the one layer that has its bytes.
  Resolved r = built.fs.resolve(norm, true);
  const Entry* e = built.fs.find(r.path);
  std::string name = e->data_path().empty() ? r.path : e->data_path();
  read_layer(img.layers[static_cast<size_t>(e->data_layer)], [&](const TarHeader& h, EntryData& d) {
    std::string n;
    if (h.type != EntryType::File || h.is_hardlink || !normalize_path(h.name, n) || n != name) return;
    d.each([&](const char* p, size_t k) { write_out(std::string(p, k)); });
  });
  return 0;
}

std::string today() {
  if (const char* t = std::getenv("IMAGELINT_TODAY")) return t;  // for reproducible tests
  return format_time(std::time(nullptr)).substr(0, 10);   // YYYY-MM-DD, UTC
}

struct CheckArgs {
  std::vector<std::string> rules, formats, outputs;
  std::string waivers, fail_on = "error", base;
  bool all = false;
};

int cmd_check(const Common& c, const CheckArgs& a) {
  RuleSet rules = load_rules(a.rules);  // a bad pack is exit 2 before any image work
  std::vector<Waiver> waivers = a.waivers.empty() ? std::vector<Waiver>{} : load_waivers(a.waivers);
  Severity fail_on;
  if (!parse_severity(a.fail_on, fail_on)) throw UsageError("--fail-on must be error, warning or info");
  std::vector<std::string> formats = report_formats(a.formats, a.outputs);
  for (auto& f : formats)
    if (!find_check_writer(f))
      throw UsageError("--format " + f + ": not a format of check (text, json, sarif, junit, codequality, markdown)");

  Image img = open(c);
  if (!a.base.empty()) {
    // Tier check: the instance must start with the base's layers; the base itself is only opened
    // (its JSON), the one pass over the instance keeps the filesystem as the base's layers leave it.
    Image base = open_image(parse_reference(a.base), OpenOptions{c.platform});
    if (img.layers.size() < base.layers.size())
      throw InputError(a.base, fmt::format("the instance has {} layers, fewer than this base's {}: it is not built on it",
                                           img.layers.size(), base.layers.size()));
    for (size_t i = 0; i < base.layers.size(); ++i)
      if (img.layers[i].diff_id != base.layers[i].diff_id)
        throw InputError(a.base, fmt::format("the instance is not built on this base: layer {} is {} in the instance, {} in "
                                             "the base", i, img.layers[i].diff_id, base.layers[i].diff_id));
    img.base_layers = static_cast<int>(base.layers.size());
    img.base_ref = a.base;
    if (img.base_layers == 0) throw InputError(a.base, "the base has no layers");
  }
  FactNeeds needs;
  needs.module_signatures = false;
  for (const RuleSpec& r : rules.rules) find_kind(r.kind)->declare_needs(r, needs);
  Gathered g = gather_facts(
      img, [&](CaptureSet& cap) {
        for (const RuleSpec& r : rules.rules) find_kind(r.kind)->declare(r, cap);
      },
      FactScope::All, needs);
  Context ctx{img, g.built.fs, g.facts, *g.captures};
  CheckResult result = run_rules(rules, ctx, std::move(waivers), today());
  for (size_t i = 0; i < formats.size(); ++i) {
    bool to_stdout = a.outputs.empty() || a.outputs[i] == "-";
    bool color = to_stdout && ::isatty(1) && !std::getenv("NO_COLOR") && formats[i] == "text";
    perf::Stage stage("report");
    std::string text = find_check_writer(formats[i])(CheckReport{img, result, rules, fail_on, color, a.all});
    write_report(text, to_stdout ? "" : a.outputs[i]);
  }
  return check_exit_code(result, fail_on);
}

int cmd_rules(const std::vector<std::string>& packs) {
  RuleSet rules = load_rules(packs);
  size_t w = 4;
  for (auto& r : rules.rules) w = std::max(w, r.id.size());
  std::string out;
  for (auto& r : rules.rules)
    out += fmt::format("{:<{}}  {:<7}  {:<14}  {}\n", r.id, w, severity_name(r.severity), r.pack, r.summary);
  write_out(out);
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"imagelint: lint and compare OS container images without extracting them.\n"};
  app.footer(std::string("\n") + kReferenceHelp +
             "\nExit codes: 0 ok, 1 findings (check) or drift (diff), 2 could not do the job.\n"
             "Run `imagelint COMMAND --help` for examples.");
  app.set_version_flag("--version", std::string("imagelint ") + kVersion);
  bool quiet = false, perf_flag = false;
  app.add_flag("-q,--quiet", quiet, "No progress line on stderr (it is shown only when stderr is a terminal)");
  app.add_flag("--perf", perf_flag, "Print the time of each stage (open, read layers, modules, facts, rules, report), "
                                    "the CPU time and the peak RSS to stderr at the end");
  std::string cache_dir;
  bool no_cache = false;
  auto* cache_opt = app.add_option(
      "--cache", cache_dir,
      "Layer cache directory (default: $XDG_CACHE_HOME/imagelint, else ~/.cache/imagelint). A layer read once "
      "(by its digests, with the same tool version and the same rules) is not read again; its digests were "
      "verified when it was cached");
  uint64_t cache_max = kDefaultLayerCacheLimit;
  auto* cache_max_opt =
      app.add_option("--cache-max", cache_max,
                     "The most the layer cache may hold on disk, e.g. 500M or 10G (default 4G): after a run wrote "
                     "entries, the least recently used others are removed until it fits")
          ->transform(CLI::AsSizeValue(false))
          ->option_text("SIZE");
  app.add_flag("--no-cache", no_cache, "Neither read nor write the layer cache: every layer is read and verified")
      ->excludes(cache_opt)
      ->excludes(cache_max_opt);
  app.fallthrough();  // --quiet may follow the command
  app.require_subcommand(1);
  std::function<int()> action;

  Common ci;
  std::string format = "text";
  auto* inspect = app.add_subcommand("inspect", "Manifest, config, platform, labels and layers (sizes, created_by)");
  add_common(inspect, ci);
  inspect->add_option("--format", format, "text or json (schema imagelint.inspect/v1)")
      ->check(CLI::IsMember({"text", "json"}));
  inspect->footer(
      "Examples:\n"
      "  imagelint inspect oci:build/base:latest\n"
      "  imagelint inspect docker-archive:base.tar --format json | jq .image.layers\n"
      "Every layer is streamed once: its blob digest and diff_id are checked.");
  inspect->callback([&] { action = [&] { return cmd_inspect(ci, format); }; });

  Common cl;
  std::string glob;
  bool long_format = false;
  auto* ls = app.add_subcommand("ls", "List the final filesystem (whiteouts applied), sorted, one path per line");
  add_common(ls, cl);
  ls->add_option("GLOB", glob, "Only paths matching: '*' and '?' stay within a directory, '**' crosses; "
                               "a plain path lists itself and everything below it");
  ls->add_flag("-l,--long", long_format, "type mode uid:gid size mtime layer xxh3-128 path [-> target]");
  bool xattrs = false;
  ls->add_flag("--xattrs", xattrs, "--long, plus every extended attribute as name=value (bytes outside ASCII as \\xNN)");
  bool null = false;
  ls->add_flag("-z,--null", null, "End each line with NUL instead of newline and print names as their raw bytes (for xargs -0)");
  ls->footer(
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
  ls->callback([&] { action = [&] { return cmd_ls(cl, glob, long_format, xattrs, null); }; });

  Common cc;
  std::string path;
  auto* cat = app.add_subcommand("cat", "Print one file of the final filesystem (symlinks followed inside the image)");
  add_common(cat, cc);
  cat->add_option("PATH", path, "Path inside the image, e.g. etc/os-release")->required();
  cat->footer(
      "Examples:\n"
      "  imagelint cat oci:build/base:latest etc/os-release\n"
      "  imagelint cat base.tar /etc/containers/policy.json | jq .default\n"
      "Symlinks resolve inside the image root; a link that leaves the root or loops is an error.");
  cat->callback([&] { action = [&] { return cmd_cat(cc, path); }; });

  Common ck;
  CheckArgs check_args;
  auto* check = app.add_subcommand("check", "Assert the design's invariants (the CI post-build gate)");
  add_common(check, ck);
  check->add_option("--rules", check_args.rules,
                    "A shipped pack (bootc-base, bootc-instance) or a pack file; repeatable. Default: bootc-instance. "
                    "Files without \"extends\" layer on top of the default and may override a rule's severity or "
                    "params by id");
  check->add_option("--waivers", check_args.waivers, "JSON: {\"waivers\": [{rule, path (glob), reason, expires (YYYY-MM-DD)}]}");
  check->add_option("--fail-on", check_args.fail_on, "Lowest severity that fails the run (exit 1): error, warning or info")
      ->check(CLI::IsMember({"error", "warning", "info"}));
  check->add_option("--format", check_args.formats,
                    "text (default), json (schema imagelint.check/v1), sarif (2.1.0), junit (GitLab artifacts:reports:junit), "
                    "codequality (GitLab Code Quality), markdown (a merge-request comment); repeatable");
  check->add_option("--output", check_args.outputs, "File for the report of the --format in the same position ('-': stdout)");
  check->add_option("--base", check_args.base,
                    "Tier check: IMAGE must start with this base image's layers (same diff_ids, in order); "
                    "tier-boundary then holds everything the instance's own layers add, change or delete, and "
                    "every package they install, remove or change, against what tier 3 may touch");
  check->add_flag("--all", check_args.all,
                  "Text: list every finding. By default a rule with many findings shows at most 5 rows, "
                  "directories with a count before the files below them (json always lists every finding)");
  check->footer(
      "Examples:\n"
      "  imagelint check oci-archive:build/instance.tar                  # tier 3: bootc-instance\n"
      "  imagelint check oci:build/base:latest --rules bootc-base         # tier 2\n"
      "  imagelint check oci:build/host7:latest --base oci:build/base:latest   # tier 3 on its base\n"
      "  imagelint check img.tar --rules site.json --waivers waivers.json --fail-on warning\n"
      "  imagelint check img.tar --format text --output - --format json --output check.json\n"
      "  imagelint check img.tar --format junit --output junit.xml --format codequality --output gl-code-quality.json\n"
      "Exit: 0 nothing at or above --fail-on, 1 findings, 2 could not check (unreadable image, bad pack).\n"
      "Text output is coloured on a terminal unless NO_COLOR is set. `imagelint rules` lists the rules.\n"
      "Names print byte for byte when they are printable UTF-8 (a backslash included); control bytes and\n"
      "invalid UTF-8 print as \\xNN.");
  check->callback([&] { action = [&] { return cmd_check(ck, check_args); }; });

  DiffArgs diff_args;
  add_diff_command(app, diff_args, action);

  std::vector<std::string> report_inputs;
  std::string report_output = "-", report_title = "imagelint: reproducibility over time";
  auto* report = app.add_subcommand("report", "Render nightly `diff --format json` results over time as one HTML page");
  report->add_option("INPUT", report_inputs, "diff JSON files, or directories of them (their *.json)")->required();
  report->add_option("--output", report_output, "The HTML file ('-': stdout)");
  report->add_option("--title", report_title, "The page's title");
  report->footer(
      "Examples:\n"
      "  imagelint report nightly/ --output trend.html\n"
      "  imagelint report 2026-11-*/diff.json --output trend.html --title 'base image: reproducibility'\n"
      "Nights are ordered by each report's \"created\" time (the file's mtime for reports without it). The page\n"
      "shows the verdict per night, drift and noise counts as charts, drift by category and every night's\n"
      "hints; it is self-contained (no script, nothing fetched). A file that is not a diff report is exit 2.");
  report->callback([&] {
    action = [&] {
      write_report(trend_html(read_nights(report_inputs), report_title), report_output);
      return 0;
    };
  });

  std::vector<std::string> rule_packs;
  auto* rules_cmd = app.add_subcommand("rules", "List every rule: id, severity, pack, summary");
  rules_cmd->add_option("--rules", rule_packs, "Packs or pack files, as for check (default: bootc-instance)");
  rules_cmd->footer("Examples:\n  imagelint rules\n  imagelint rules --rules bootc-base\n  imagelint rules --rules site.json");
  rules_cmd->callback([&] { action = [&] { return cmd_rules(rule_packs); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  progress::configure(quiet);
  if (perf_flag) perf::enable();
  if (no_cache) set_layer_cache_dir("");
  else if (!cache_dir.empty()) set_layer_cache_dir(std::filesystem::absolute(cache_dir).lexically_normal().string());
  else set_layer_cache_dir(default_layer_cache_dir());
  set_layer_cache_limit(cache_max);
  defer_layer_cache_writes();  // written only when the command succeeds
  struct PrintPerf {
    ~PrintPerf() {
      if (perf::enabled() && !layer_cache_dir().empty()) {
        LayerCacheTally t = layer_cache_tally();
        std::fprintf(stderr, "layer cache: %d layer(s) replayed, %d written%s (%s)\n", t.hits, t.written,
                     t.evicted ? fmt::format(", {} evicted", t.evicted).c_str() : "", layer_cache_dir().c_str());
      }
      perf::print();
    }
  } print_perf;
  try {
    int rc = action ? action() : 2;
    if (std::fflush(stdout) != 0 && errno != EPIPE) throw InputError("<stdout>", "write failed");
    end_layer_cache_writes(rc != 2);
    // A cache that could not be used costs only time: the run stands, and says so.
    const std::vector<std::string> problems = layer_cache_tally().problems;
    for (size_t i = 0; i < problems.size() && i < 3; ++i)
      std::fprintf(stderr, "imagelint: warning: layer cache: %s\n", escape_bytes(problems[i], false).c_str());
    if (problems.size() > 3) std::fprintf(stderr, "imagelint: warning: layer cache: %zu more like these\n", problems.size() - 3);
    return rc;
  } catch (const InputError& e) {
    progress::finish();
    std::fprintf(stderr, "imagelint: %s\n", escape_bytes(e.what(), false).c_str());
  } catch (const UsageError& e) {
    progress::finish();
    std::fprintf(stderr, "imagelint: %s\n", escape_bytes(e.what(), false).c_str());
  } catch (const std::bad_alloc&) {
    progress::finish();
    std::fprintf(stderr, "imagelint: out of memory\n");
  } catch (const std::exception& e) {
    progress::finish();
    std::fprintf(stderr, "imagelint: internal error: %s\n", escape_bytes(e.what(), false).c_str());
  }
  end_layer_cache_writes(false);
  return 2;
}

}  // namespace imagelint
