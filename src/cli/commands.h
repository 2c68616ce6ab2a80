// The CLI: one table of commands (name, summary, flags, function). A command's function turns its
// flags into a request, runs the library pipeline (src/app/pipelines.h) with the run context the
// CLI made, and hands the outcome to a writer of src/report/; it parses and renders nothing itself.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace imagelint {

struct RunContext;

// What a command does once the flags are parsed: its exit code (0, 1), or it throws (exit 2).
using CommandFn = std::function<int(const RunContext& run)>;

struct Command {
  const char* name;
  const char* summary;
  // Adds the command's arguments, flags and footer to sub; returns its function, bound to them.
  CommandFn (*setup)(CLI::App& sub);
};

// Every command, in the order `imagelint --help` lists them.
const std::vector<Command>& commands();

// Reports a command writes: each --format to the --output in its position ("" or "-": stdout),
// color only for text on a terminal without NO_COLOR. write(format, color) renders one.
void write_reports(const RunContext& run, const std::vector<std::string>& formats, const std::vector<std::string>& outputs,
                   const std::function<std::string(const std::string& format, bool color)>& write);

// The diff command's flags and function (cli/diff_command.cc).
CommandFn setup_diff(CLI::App& sub);
// The check command's (cli/check_command.cc).
CommandFn setup_check(CLI::App& sub);

int run_cli(int argc, char** argv);

}  // namespace imagelint
