#include "util/progress.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include <fmt/format.h>

namespace imagelint::progress {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_on{false};
std::atomic<uint64_t> g_total{0}, g_done{0}, g_layers{0}, g_layers_done{0};
std::mutex g_draw;
Clock::time_point g_start = Clock::now();
Clock::time_point g_last{};
bool g_drawn = false;
int g_delay_ms = 500;

std::string bytes(double n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (n >= 1024 && u < 4) n /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} B", n) : fmt::format("{:.1f} {}", n, units[u]);
}

void draw(bool force) {
  if (!g_on.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(g_draw, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing: one line is enough
  auto now = Clock::now();
  if (now - g_start < std::chrono::milliseconds(g_delay_ms)) return;
  if (!force && g_drawn && now - g_last < std::chrono::milliseconds(100)) return;
  g_last = now;
  double secs = std::chrono::duration<double>(now - g_start).count();
  uint64_t done = g_done.load(), total = g_total.load();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line = fmt::format("imagelint: layer {}/{} · {} of {}", std::min(g_layers_done.load() + 1, g_layers.load()),
                                 g_layers.load(), bytes(static_cast<double>(done)), bytes(static_cast<double>(total)));
  if (rate > 0) line += fmt::format(" · {}/s", bytes(rate));
  if (rate > 0 && total > done && secs >= 1) line += fmt::format(" · ETA {:.0f} s", static_cast<double>(total - done) / rate);
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  g_drawn = true;
}

}  // namespace

void configure(bool quiet) {
  const char* force = std::getenv("IMAGELINT_PROGRESS");
  bool always = force && std::strcmp(force, "always") == 0;
  g_on = !quiet && (always || ::isatty(2));
  if (always) g_delay_ms = 0;
  g_start = Clock::now();
}

void expect(uint64_t bytes_, uint64_t layers) {
  g_total += bytes_;
  g_layers += layers;
}

void advance(uint64_t n) {
  g_done += n;
  draw(false);
}

void layer_done() {
  ++g_layers_done;
  draw(false);
}

void finish() {
  if (!g_on.load()) return;
  std::lock_guard lock(g_draw);
  if (g_drawn) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }
  g_drawn = false;
  g_on = false;
}

}  // namespace imagelint::progress
