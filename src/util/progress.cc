#include "util/progress.h"

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace imagelint {

namespace {

std::string bytes(double n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (n >= 1024 && u < 4) n /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} B", n) : fmt::format("{:.1f} {}", n, units[u]);
}

}  // namespace

Progress::Progress(bool on, int delay_ms) : on_(on), delay_ms_(delay_ms) {}

void Progress::draw(bool force) {
  if (!on_.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(draw_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing: one line is enough
  auto now = Clock::now();
  if (now - start_ < std::chrono::milliseconds(delay_ms_)) return;
  if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  uint64_t done = done_.load(), total = total_.load();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line = fmt::format("imagelint: layer {}/{} · {} of {}", std::min(layers_done_.load() + 1, layers_.load()),
                                 layers_.load(), bytes(static_cast<double>(done)), bytes(static_cast<double>(total)));
  if (rate > 0) line += fmt::format(" · {}/s", bytes(rate));
  if (rate > 0 && total > done && secs >= 1) line += fmt::format(" · ETA {:.0f} s", static_cast<double>(total - done) / rate);
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::expect(uint64_t bytes_, uint64_t layers) {
  total_ += bytes_;
  layers_ += layers;
}

void Progress::advance(uint64_t n) {
  done_ += n;
  draw(false);
}

void Progress::layer_done() {
  ++layers_done_;
  draw(false);
}

void Progress::finish() {
  if (!on_.load()) return;
  std::lock_guard lock(draw_mu_);
  if (drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }
  drawn_ = false;
  on_ = false;
}

}  // namespace imagelint
