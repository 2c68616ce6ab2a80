#include "cli/commands.h"

int main(int argc, char** argv) { return imagelint::run_cli(argc, argv); }
