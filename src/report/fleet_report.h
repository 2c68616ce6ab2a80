// The summary of `check IMAGE...` (a fleet of instance images checked in one run): a text table, the
// imagelint.fleet/v1 JSON, and `imagelint report --fleet`'s page over the summaries of many jobs.
#pragma once
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "image/image.h"
#include "rules/engine.h"

namespace imagelint {

struct FleetRow {
  std::string reference, name, manifest_digest;
  std::string verdict;  // pass | fail | error (could not be checked)
  int exit_code = 0;    // as `check IMAGE` alone would exit
  int errors = 0, warnings = 0, infos = 0, waived = 0;
  struct TopRule {
    std::string rule, severity;
    int findings = 0;
  };
  std::vector<TopRule> top_rules;              // most findings first, at most 5 (waived not counted)
  std::map<std::string, std::string> reports;  // format -> file, relative to the summary's directory
  std::string error;                           // verdict error: "file: reason"
  std::string source;                          // report --fleet: the summary file the row came from
};

// A checked image's row (img and result), or one that could not be checked (error).
FleetRow fleet_row(const std::string& reference, const Image* img, const CheckResult* result, Severity fail_on,
                   const std::string& error);

struct FleetSummary {
  std::vector<FleetRow> rows;  // in the order the images were given
  std::string base;            // --base, or ""
  int shared_layers = 0;       // the layers read (or loaded) once for every image
  Severity fail_on = Severity::Error;
  std::time_t created = 0;
  int exit_code() const;       // the worst of the rows'
};

// A table: one line per image (worst first), then the totals and the rules most found across it.
std::string fleet_text(const FleetSummary& s, bool color);
std::string fleet_json(const FleetSummary& s);  // imagelint.fleet/v1

// report --fleet: summaries (files, or directories searched for fleet*.json down to 3 levels) as one
// self-contained HTML page; links to each host's report relative to html_dir (the page's directory).
// A file that is not an imagelint.fleet/v1 summary is InputError.
std::vector<FleetSummary> read_fleets(const std::vector<std::string>& inputs);
std::string fleet_html(const std::vector<FleetSummary>& fleets, const std::string& title, const std::string& html_dir);

}  // namespace imagelint
