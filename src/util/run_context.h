// One run of a command: everything it reads from outside its arguments, made once by the CLI from
// its flags and the environment (read there, and nowhere else in src/) and passed down by
// reference. fs/, facts/, rules/, drift/ and report/ take what they need from it; no stage keeps
// state of its own between runs, so two runs in one process (a test does this) never see each
// other.
//
// Library callers and tests that want none of it (no cache, no progress line, no timings, the
// process's thread count, the epoch as the clock) pass RunContext::none() or a RunContext{} of
// their own.
#pragma once
#include <ctime>
#include <map>
#include <string>

namespace imagelint {

class LayerCacheSession;
class Perf;
class Progress;

// The environment variables a run reads, as the CLI captured them when it started.
struct Environment {
  std::map<std::string, std::string> vars;
  // The variable's value, or fallback when it is unset or empty.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // The variables imagelint reads (see the man page's ENVIRONMENT), from this process.
  static Environment from_process();
};

struct RunContext {
  Environment env;                     // storage.conf lookups (containers-storage:) read it
  unsigned threads = 0;                // workers reading layers, decoding modules, running rules (0: one per core)
  bool zlib_inflate = false;           // IMAGELINT_ZLIB=1: zlib instead of ISA-L for gzip layers
  std::time_t now = 0;                 // the run's clock: reports' "created", JUnit's timestamp
  bool frozen_clock = false;           // goldens: durations a report prints are 0
  std::string today = "1970-01-01";    // YYYY-MM-DD (UTC) that waivers expire against
  std::string host = "localhost";      // JUnit's hostname
  Progress* progress = nullptr;        // null: no progress line
  Perf* perf = nullptr;                // null: no --perf timings
  LayerCacheSession* cache = nullptr;  // null: every layer is read (--no-cache)

  // The threads a pool of this run gets: `threads`, else one per core (at most 64).
  unsigned worker_threads() const;

  static const RunContext& none();
};

}  // namespace imagelint
