// Test helpers: temp dirs, running the real binary, building fixture images.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

// run() with bounds, for hostile input: the child is killed after timeout_s seconds (timed_out),
// gets at most 2 GiB of address space when not under a sanitizer (which needs terabytes of it),
// and its peak RSS and wall time are measured.
struct BoundedResult : Result {
  long max_rss_kb = 0;
  double seconds = 0;
  bool timed_out = false;
};
BoundedResult run_bounded(const std::vector<std::string>& argv, const std::string& cwd, int timeout_s);
// True when this binary (and so, as they are built alike, imagelint) runs under ASan.
bool under_sanitizer();
// Whether a failed `skopeo copy` into a containers-storage store failed for want of privileges
// (not root, or a sandbox such as a container build that forbids user namespaces): such tests skip.
bool store_unwritable(const Result& skopeo_copy);

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

// `imagelint check IMAGE --format json ARGS` on an OCI image written from r (IMAGELINT_TODAY is
// fixed so waiver expiry is reproducible). Expects exit 0 or 1 unless allow_exit2.
struct CheckRun {
  int code = -1;
  nlohmann::json j;
  std::string err;
  std::vector<nlohmann::json> of(const std::string& rule) const;  // findings of one rule
  std::string dump() const { return j["findings"].dump(2); }
};
CheckRun check_image(const fixture::Recipe& r, const std::vector<std::string>& args = {});
// The good tier-3 instance image (fixtures/recipes/good-instance.json) plus one layer per list.
fixture::Recipe good_instance_plus(const std::vector<std::vector<fixture::RecipeEntry>>& layers);

// An rpm database written by Debian's rpm (sqlite backend): each package is built with rpmbuild
// and installed with --justdb. files: shell lines creating paths under %{buildroot}; listed: the
// %files section. Returns the bytes of rpmdb.sqlite.
struct RpmPkg {
  std::string name, version, release, files;
  std::string listed;
};
std::string make_rpmdb(const TempDir& d, const std::vector<RpmPkg>& pkgs);
// The two halves of make_rpmdb: build .rpm files (paths returned), install them into a fresh
// database directory (the bytes of its rpmdb.sqlite returned).
std::vector<std::string> build_rpms(const TempDir& d, const std::vector<RpmPkg>& pkgs);
std::string install_rpmdb(const std::string& dbdir, const std::vector<std::string>& rpm_files);

std::string source_dir();  // the repository root
fixture::Recipe recipe(const std::string& name);  // fixtures/recipes/NAME.json
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);
// snapshot() of dir without the layer cache directory cache (below dir) and its parents.
std::string snapshot_outside_cache(const std::string& dir, const std::string& cache);
// Every file below dir with its type, mode, size, mtime and content hash (symlinks: target), to
// prove that a run wrote nothing there and changed nothing.
std::string snapshot(const std::string& dir);
std::vector<std::string> lines(const std::string& text);

}  // namespace testing_util
