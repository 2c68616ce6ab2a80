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
  bool save(std::string& out) const override {
    out.assign(1, found_ ? '1' : '0');  // not assign(const char*): GCC 12 -O3 -Wrestrict
    return true;
  }
  bool inert() const override { return !found_; }  // the rule reports only the visitors that found a key
  bool load(std::string_view in) override {
    if (in != "0" && in != "1") return false;
    found_ = in == "1";
    state_ = State::Done;
    return true;
  }

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
