// The commands as library functions: each reads top to bottom as its stages (open → read layers →
// merge → facts → rules / compare), each stage timed by name for --perf (RunContext::perf). They
// parse no flags and render nothing: the CLI (src/cli/) turns flags into a request and a run
// context, calls one of these, and hands the outcome to a writer in src/report/.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drift/diff.h"
#include "facts/facts.h"
#include "image/image.h"
#include "rules/engine.h"
#include "util/path.h"
#include "util/run_context.h"

namespace imagelint::pipeline {

// The image a command reads: a reference (see image/reference.h) and the platform to pick.
struct ImageRequest {
  std::string image;
  std::string platform;  // "os/arch[/variant]"; empty: this machine's
};

// inspect: the image, every layer read and verified, every fact.
struct Inspected {
  Image image;
  Gathered gathered;
};
Inspected inspect(const ImageRequest& req, const RunContext& run);
// The image's manifest and config only (no layer read): e.g. its chain id for a CI cache key.
Image open_only(const ImageRequest& req, const RunContext& run);

// ls: the final filesystem and the paths glob selects (util/path.h: PathSelection; a bad glob is
// UsageError before the image is read).
struct Listed {
  Image image;
  BuildResult built;
  PathSelection selected;
};
Listed ls(const ImageRequest& req, const std::string& glob, const RunContext& run);

// cat: one file of the final filesystem, handed to out in pieces (a file too big to hold is
// streamed from the one layer that has its bytes). Throws InputError naming IMAGE:PATH when path is
// not a regular file of the image.
void cat(const ImageRequest& req, const std::string& path, const RunContext& run,
              const std::function<void(std::string_view)>& out);

// check: the rules of the packs against the image (and, with base, the instance against its base).
struct CheckRequest {
  ImageRequest image;
  std::vector<std::string> packs;  // shipped pack names or pack files; empty: the default pack
  std::string waivers;             // a waivers file, or empty
  std::string base;                // a base image reference (tier check), or empty
};
struct Checked {
  RuleSet rules;
  Image image;
  Gathered gathered;
  CheckResult result;
};
// Packs and waivers are loaded (a bad one is UsageError/InputError) before any image is read.
Checked check(const CheckRequest& req, const RunContext& run);

// check IMAGE...: many images (a fleet of instances on one base) in one run. The layers they share
// (the base's with `base`, else the first layers common to all of them) are read, or loaded from the
// layer cache's chain snapshot, once; each image applies only its own layers to a copy of that state.
struct FleetRequest {
  std::vector<ImageRequest> images;
  std::vector<std::string> packs;
  std::string waivers, base;
};
// One image's outcome, handed over before the next image is read (memory stays flat in the number
// of images): checked, or the one line saying why it could not be (then error is set).
struct FleetItem {
  size_t index = 0;
  std::string reference;
  std::unique_ptr<Checked> checked;
  std::string error;
};
struct FleetShape {
  int shared_layers = 0;  // the chain every image applied its own layers to (0: none)
  std::string base;       // the base reference, when given
};
// Packs, waivers and the base are loaded first: a bad one is UsageError/InputError for the run. An
// image that cannot be opened or read, or is not built on the base, is an item with error.
FleetShape check_fleet(const FleetRequest& req, const RunContext& run, const std::function<void(FleetItem&)>& each);

// diff: two builds compared and every difference classified.
struct DiffRequest {
  ImageRequest a, b;
  std::vector<std::string> rules, ignores;  // drift rules files; path globs whose differences are noise
};
struct Diffed {
  Image a, b;
  drift::DiffResult result;
  double seconds = 0;  // wall time of the comparison, opening included
};
// The drift rules are loaded (a bad file is UsageError/InputError) before any image is read.
Diffed diff(const DiffRequest& req, const RunContext& run);

}  // namespace imagelint::pipeline
