// --perf: wall time of each stage of a run (open, read layers, module facts, facts, rules, diff,
// report), printed to stderr at the end with the peak RSS. Stages that run on several threads at
// once (diff reads both images together) add up, so their sum may exceed the total.
#pragma once

namespace imagelint::perf {

void enable();
bool enabled();

// Times its own lifetime under name (a string literal) when --perf is on.
class Stage {
 public:
  explicit Stage(const char* name);
  ~Stage();
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

 private:
  const char* name_;
  long long start_ns_;
};

// Prints the stages in the order they first ran, the total and the peak RSS (stderr).
void print();

}  // namespace imagelint::perf
