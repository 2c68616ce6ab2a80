#include "util/perf.h"

#include <sys/resource.h>

#include <cstring>

#include <fmt/format.h>

namespace imagelint {

Perf::Perf() : started_(std::chrono::steady_clock::now()) {}

void Perf::add(const char* name, long long ns) {
  std::lock_guard lock(mu_);
  for (Total& t : totals_)
    if (std::strcmp(t.name, name) == 0) {
      t.ns += ns;
      ++t.runs;
      return;
    }
  totals_.push_back({name, ns, 1});
}

std::string Perf::summary() const {
  std::lock_guard lock(mu_);
  std::string out = "perf:\n";
  for (const Total& t : totals_)
    out += fmt::format("  {:<22} {:9.3f} s{}\n", t.name, static_cast<double>(t.ns) / 1e9,
                       t.runs > 1 ? fmt::format(" ({} times)", t.runs) : "");
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  out += fmt::format("  {:<22} {:9.3f} s (cpu {:.3f} s user, {:.3f} s system)\n", "total", total,
                     static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
                     static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6);
  out += fmt::format("  {:<22} {:9} MB\n", "peak RSS", ru.ru_maxrss / 1024);
  return out;
}

PerfStage::PerfStage(Perf* perf, const char* name) : perf_(perf), name_(name) {
  if (perf_) start_ = std::chrono::steady_clock::now();
}

PerfStage::~PerfStage() {
  if (perf_)
    perf_->add(name_, std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
}

}  // namespace imagelint
