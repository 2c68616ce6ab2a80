// `imagelint diff`: argument handling and report writing; the comparison is drift/diff.h.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace imagelint {

struct DiffArgs {
  std::string a, b, platform;
  std::vector<std::string> rules, ignores, formats, outputs;
};

// Registers the subcommand; *run is set to what runs when it is chosen.
void add_diff_command(CLI::App& app, DiffArgs& args, std::function<int()>& run);
int cmd_diff(const DiffArgs& args);

}  // namespace imagelint
