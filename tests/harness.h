// Test helpers: temp dirs, running the real binary, building fixture images.
#pragma once
#include <string>
#include <vector>

#include "recipe.h"

namespace testing_util {

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs the imagelint binary with args (no shell); captures stdout, stderr and the exit code.
Result imagelint(const std::vector<std::string>& args);
// Runs any program (argv[0] looked up in PATH).
Result run(const std::vector<std::string>& argv, const std::string& cwd = "");
bool have(const std::string& program);

// A fresh directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string source_dir();  // the repository root
fixture::Recipe recipe(const std::string& name);  // fixtures/recipes/NAME.json
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);
// Every file below dir with its size and mtime, to prove that a run wrote nothing there.
std::string snapshot(const std::string& dir);
std::vector<std::string> lines(const std::string& text);

}  // namespace testing_util
