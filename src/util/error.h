// Two error channels (see docs/design.md): an InputError means the tool cannot do its job on
// this input (exit 2); findings are data and never travel this way.
#pragma once
#include <stdexcept>
#include <string>

namespace imagelint {

// "FILE: REASON" — the one line the user sees on stderr.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, const std::string& reason)
      : std::runtime_error(file.empty() ? reason : file + ": " + reason), file_(file), reason_(reason) {}
  const std::string& file() const { return file_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::string reason_;
};

// Bad command-line use: also exit 2, but not tied to a file.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace imagelint
