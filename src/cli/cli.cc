// `imagelint`: the global flags, the run context made from them and the environment (read here
// and nowhere else), one command from the table in cli/commands.cc, and the one place errors
// become exit 2.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "fs/layer_cache.h"
#include "util/error.h"
#include "util/perf.h"
#include "util/progress.h"
#include "util/run_context.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {
namespace {

constexpr const char* kReferenceHelp =
    "IMAGE is an image reference, as skopeo and podman write them:\n"
    "  oci:DIR[:TAG]                         OCI layout directory (TAG = org.opencontainers.image.ref.name)\n"
    "  oci-archive:FILE[:TAG]                tar of an OCI layout, read in place\n"
    "  docker-archive:FILE[:NAME:TAG|:@N]    docker save / podman save tar\n"
    "  containers-storage:[[DRIVER@]ROOT[+RUN]]NAME[:TAG]|ID\n"
    "                                        podman's local store, read in place (the store\n"
    "                                        storage.conf names when [...] is left out)\n"
    "  dir:ROOTFS                            an unpacked root filesystem\n"
    "  PATH                                  detected from what is there\n";

struct GlobalFlags {
  bool quiet = false, perf = false, no_cache = false;
  std::string cache_dir;
  uint64_t cache_max = kDefaultLayerCacheLimit;
};

void add_global_flags(CLI::App& app, GlobalFlags& g) {
  app.add_flag("-q,--quiet", g.quiet, "No progress line on stderr (it is shown only when stderr is a terminal)");
  app.add_flag("--perf", g.perf, "Print the time of each stage (open, read layers, modules, facts, rules, report), "
                                 "the CPU time and the peak RSS to stderr at the end");
  auto* cache_opt = app.add_option(
      "--cache", g.cache_dir,
      "Layer cache directory (default: $XDG_CACHE_HOME/imagelint, else ~/.cache/imagelint). A layer read once "
      "(by its digests, with the same tool version and the same rules) is not read again; its digests were "
      "verified when it was cached");
  auto* cache_max_opt =
      app.add_option("--cache-max", g.cache_max,
                     "The most the layer cache may hold on disk, e.g. 500M or 10G (default 4G): after a run wrote "
                     "entries, the least recently used others are removed until it fits")
          ->transform(CLI::AsSizeValue(false))
          ->option_text("SIZE");
  app.add_flag("--no-cache", g.no_cache, "Neither read nor write the layer cache: every layer is read and verified")
      ->excludes(cache_opt)
      ->excludes(cache_max_opt);
}

// IMAGELINT_THREADS=N (1..256), else one per core.
unsigned threads_from(const Environment& env) {
  const std::string v = env.get("IMAGELINT_THREADS");
  char* end = nullptr;
  unsigned long n = v.empty() ? 0 : std::strtoul(v.c_str(), &end, 10);
  return end && *end == '\0' && n >= 1 && n <= 256 ? static_cast<unsigned>(n) : 0;
}

std::string host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || !host[0]) return "localhost";
  return host;
}

// What one run owns; the context points into it.
struct Run {
  RunContext ctx;
  std::unique_ptr<Progress> progress;
  std::unique_ptr<Perf> perf;
  std::unique_ptr<LayerCacheSession> cache;
};

void make_run(const GlobalFlags& g, Run& r) {
  RunContext& c = r.ctx;
  c.env = Environment::from_process();
  c.threads = threads_from(c.env);
  c.zlib_inflate = !c.env.get("IMAGELINT_ZLIB").empty();
  c.now = std::time(nullptr);
  c.today = c.env.get("IMAGELINT_TODAY", format_time(c.now).substr(0, 10));  // YYYY-MM-DD, UTC; fixed in tests
  c.host = host_name();
  const bool always = c.env.get("IMAGELINT_PROGRESS") == "always";
  r.progress = std::make_unique<Progress>(!g.quiet && (always || ::isatty(2)), always ? 0 : 500);
  c.progress = r.progress.get();
  if (g.perf) r.perf = std::make_unique<Perf>();
  c.perf = r.perf.get();
  if (!g.no_cache) {
    std::string dir = g.cache_dir.empty() ? default_layer_cache_dir(c.env)
                                          : std::filesystem::absolute(g.cache_dir).lexically_normal().string();
    if (!dir.empty()) {
      r.cache = std::make_unique<LayerCacheSession>(dir, g.cache_max);
      r.cache->defer_writes();  // written only when the command succeeds
      c.cache = r.cache.get();
    }
  }
}

// After the command: the cache written (or dropped when it failed), its problems as warnings, and
// --perf's summary.
void end_run(Run& r, bool ok) {
  if (r.cache) {
    r.cache->end_writes(ok);
    const LayerCacheTally t = r.cache->tally();
    if (ok) {
      // A cache that could not be used costs only time: the run stands, and says so.
      for (size_t i = 0; i < t.problems.size() && i < 3; ++i)
        std::fprintf(stderr, "imagelint: warning: layer cache: %s\n", escape_bytes(t.problems[i], false).c_str());
      if (t.problems.size() > 3) std::fprintf(stderr, "imagelint: warning: layer cache: %zu more like these\n", t.problems.size() - 3);
    }
    if (r.perf)
      std::fprintf(stderr, "layer cache: %d layer(s) replayed, %d written%s%s%s (%s)\n", t.hits, t.written,
                   t.chain_hits ? fmt::format(", {} chain snapshot(s) loaded", t.chain_hits).c_str() : "",
                   t.chains_written ? fmt::format(", {} chain snapshot(s) written", t.chains_written).c_str() : "",
                   t.evicted ? fmt::format(", {} evicted", t.evicted).c_str() : "", r.cache->dir().c_str());
  }
  if (r.perf) std::fputs(r.perf->summary().c_str(), stderr);
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"imagelint: lint and compare OS container images without extracting them.\n"};
  app.footer(std::string("\n") + kReferenceHelp +
             "\nExit codes: 0 ok, 1 findings (check) or drift (diff), 2 could not do the job.\n"
             "Run `imagelint COMMAND --help` for examples.");
  app.set_version_flag("--version", std::string("imagelint ") + kVersion);
  GlobalFlags g;
  add_global_flags(app, g);
  app.fallthrough();  // --quiet may follow the command
  app.require_subcommand(1);
  CommandFn chosen;
  for (const Command& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    CommandFn fn = c.setup(*sub);
    sub->callback([&chosen, fn] { chosen = fn; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  Run run;
  std::string error;
  try {
    make_run(g, run);
    int rc = chosen ? chosen(run.ctx) : 2;
    if (std::fflush(stdout) != 0 && errno != EPIPE) throw InputError("<stdout>", "write failed");
    // A command that returns (check IMAGE... returns 2 when some image could not be read) keeps
    // what it read and verified; one that throws leaves the cache as it was.
    end_run(run, chosen != nullptr);
    return rc;
  } catch (const InputError& e) {
    error = e.what();
  } catch (const UsageError& e) {
    error = e.what();
  } catch (const std::bad_alloc&) {
    error = "out of memory";
  } catch (const std::exception& e) {
    error = std::string("internal error: ") + e.what();
  }
  if (run.progress) run.progress->finish();
  std::fprintf(stderr, "imagelint: %s\n", escape_bytes(error, false).c_str());
  end_run(run, false);
  return 2;
}

}  // namespace imagelint
