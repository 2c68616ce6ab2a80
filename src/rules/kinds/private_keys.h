// private-keys: the streaming sniffer, exposed for its unit test.
#pragma once
#include <cstdint>
#include <string>

#include <re2/re2.h>

#include "fs/capture.h"

namespace imagelint {

// Sees a file's bytes as they stream and keeps one bool: whether, within the first `window`
// bytes, a line (optionally indented with spaces or tabs) starts with "-----BEGIN " and, without
// its trailing spaces and CR, fully matches `markers`. Never holds more than one line prefix
// (at most 128 bytes) and releases it at end().
class PemKeySniffer : public EntryVisitor {
 public:
  PemKeySniffer(const RE2* markers, uint64_t window) : markers_(markers), window_(window) {}
  void data(const char* p, size_t n) override;
  void end() override;
  bool found() const { return found_; }

 private:
  void evaluate();
  enum class State : uint8_t { LineStart, Skip, Collect, Done };
  const RE2* markers_;
  uint64_t window_;
  uint64_t seen_ = 0;
  State state_ = State::LineStart;
  bool found_ = false;
  std::string line_;
};

}  // namespace imagelint
