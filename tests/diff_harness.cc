#include "diff_harness.h"

#include <gtest/gtest.h>

namespace testing_util {

using fixture::dir;
using fixture::file;
using nlohmann::json;

fixture::Recipe image(std::vector<fixture::RecipeEntry> top, std::map<std::string, std::string> labels) {
  fixture::Recipe r;
  r.labels = labels;
  fixture::RecipeLayer base;
  base.created_by = "base";
  base.entries = {dir("etc"), file("etc/hostname", "host\n"), file("etc/machine-id", ""), dir("usr"), dir("usr/bin"),
                  file("usr/bin/tool", "#!/bin/sh\necho v1\n", 0755), dir("usr/share"), dir("var"), dir("var/log")};
  fixture::RecipeLayer mine;
  mine.created_by = "RUN the test's layer";
  mine.entries = std::move(top);
  r.layers = {base, mine};
  return r;
}

json DiffRun::change(const std::string& path) const {
  for (auto& c : j["changes"])
    if (c["path"] == path) return c;
  return json();
}

DiffRun diff_refs(const std::string& a, const std::string& b, std::vector<std::string> args) {
  std::vector<std::string> argv{"diff", a, b, "--format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = imagelint(argv);
  DiffRun d;
  d.code = r.code;
  d.err = r.err;
  if (r.code != 2) {
    d.j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(d.j.is_discarded()) << r.out;
  }
  return d;
}

DiffRun diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args) {
  TempDir t;
  fixture::write_oci({a}, t / "a");
  fixture::write_oci({b}, t / "b");
  return diff_refs("oci:" + (t / "a"), "oci:" + (t / "b"), std::move(args));
}

std::string text_diff(const fixture::Recipe& a, const fixture::Recipe& b, std::vector<std::string> args) {
  TempDir t;
  fixture::write_oci({a}, t / "a");
  fixture::write_oci({b}, t / "b");
  std::vector<std::string> argv{"diff", "oci:" + (t / "a"), "oci:" + (t / "b")};
  argv.insert(argv.end(), args.begin(), args.end());
  return imagelint(argv).out;
}

fixture::RecipeEntry at(fixture::RecipeEntry e, int64_t mtime) {
  e.mtime = mtime;
  return e;
}


}  // namespace testing_util
