// A progress line on stderr while layers are read: layers done, bytes read of the blobs' total,
// rate and ETA. Shown only when the run asks for it (the CLI: stderr is a terminal or
// IMAGELINT_PROGRESS=always, and no --quiet); drawn at most ten times a second, after the first
// half second (a small image prints nothing), and erased when the run ends. One per run, safe from
// several threads (diff reads two images at once).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace imagelint {

class Progress {
 public:
  // on: draw at all; delay_ms: nothing is drawn before it (0 with IMAGELINT_PROGRESS=always).
  explicit Progress(bool on = false, int delay_ms = 500);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // More work: bytes of compressed blobs and layers about to be read.
  void expect(uint64_t bytes, uint64_t layers);
  // Bytes of a blob read; a layer finished.
  void advance(uint64_t bytes);
  void layer_done();
  // Erases the line (before a report or an error is printed); nothing is drawn after it.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool force);
  std::atomic<bool> on_;
  std::atomic<uint64_t> total_{0}, done_{0}, layers_{0}, layers_done_{0};
  std::mutex draw_mu_;
  Clock::time_point start_ = Clock::now(), last_{};
  bool drawn_ = false;
  int delay_ms_;
};

}  // namespace imagelint
