#pragma once

namespace imagelint {
// argv -> exit code (0 ok, 1 findings/drift, 2 could not do the job). Never throws.
int run_cli(int argc, char** argv);
}  // namespace imagelint
