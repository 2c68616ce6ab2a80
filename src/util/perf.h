// --perf: wall time of each stage of a run (open, read layers, module facts, facts, rules, diff,
// report), printed to stderr at the end with the CPU time and the peak RSS. Stages that run on
// several threads at once (diff reads both images together) add up, so their sum may exceed the
// total. One Perf per run (the run context holds it); a run without one times nothing.
#pragma once
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace imagelint {

class Perf {
 public:
  Perf();
  Perf(const Perf&) = delete;
  Perf& operator=(const Perf&) = delete;

  // Adds ns to the stage called name (a string literal), in the order stages first ran.
  void add(const char* name, long long ns);
  // The stages, the total since construction, CPU time and peak RSS, as printed to stderr.
  std::string summary() const;

 private:
  struct Total {
    const char* name;
    long long ns;
    int runs;
  };
  mutable std::mutex mu_;
  std::vector<Total> totals_;
  std::chrono::steady_clock::time_point started_;
};

// Times its own lifetime as a stage of perf (null: times nothing).
class PerfStage {
 public:
  PerfStage(Perf* perf, const char* name);
  ~PerfStage();
  PerfStage(const PerfStage&) = delete;
  PerfStage& operator=(const PerfStage&) = delete;

 private:
  Perf* perf_;
  const char* name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace imagelint
