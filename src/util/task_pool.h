// A fixed pool of worker threads for CPU-bound pieces of the one pass (decoding kernel modules
// off the thread that reads the layer, decoding layers in parallel). submit() blocks while
// max_queued tasks wait, so a fast producer cannot queue unbounded memory.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace imagelint {

class TaskPool {
 public:
  // threads == 0: one per core (a run's count is RunContext::worker_threads()); 1 runs every task
  // inline.
  explicit TaskPool(unsigned threads = 0, size_t max_queued = 256);
  ~TaskPool();  // waits for queued tasks; their exceptions are dropped
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void submit(std::function<void()> task);
  // Until every task submitted so far has run; rethrows the first exception a task threw.
  void wait();
  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }

  // The thread count a pool of 0 gets: the cores (at most 64).
  static unsigned hardware_threads();

 private:
  void work();
  std::mutex mu_;
  std::condition_variable has_work_, has_room_, idle_;
  std::deque<std::function<void()>> queue_;
  size_t running_ = 0, max_queued_;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

}  // namespace imagelint
