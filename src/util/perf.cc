#include "util/perf.h"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

namespace imagelint::perf {
namespace {

std::atomic<bool> on{false};
std::mutex mu;
struct Total {
  const char* name;
  long long ns;
  int runs;
};
std::vector<Total>& totals() {
  static std::vector<Total> t;
  return t;
}
long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
long long started = now_ns();

}  // namespace

void enable() {
  on = true;
  started = now_ns();
}
bool enabled() { return on; }

Stage::Stage(const char* name) : name_(name), start_ns_(on ? now_ns() : 0) {}

Stage::~Stage() {
  if (!on) return;
  long long ns = now_ns() - start_ns_;
  std::lock_guard lock(mu);
  for (Total& t : totals())
    if (std::strcmp(t.name, name_) == 0) {
      t.ns += ns;
      ++t.runs;
      return;
    }
  totals().push_back({name_, ns, 1});
}

void print() {
  if (!on) return;
  std::lock_guard lock(mu);
  std::fprintf(stderr, "perf:\n");
  for (const Total& t : totals())
    std::fprintf(stderr, "  %-22s %9.3f s%s\n", t.name, static_cast<double>(t.ns) / 1e9,
                 t.runs > 1 ? (std::string(" (") + std::to_string(t.runs) + " times)").c_str() : "");
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::fprintf(stderr, "  %-22s %9.3f s (cpu %.3f s user, %.3f s system)\n", "total",
               static_cast<double>(now_ns() - started) / 1e9,
               static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
               static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6);
  std::fprintf(stderr, "  %-22s %9ld MB\n", "peak RSS", ru.ru_maxrss / 1024);
}

}  // namespace imagelint::perf
