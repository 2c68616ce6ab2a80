#include "harness.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "util/hash.h"

namespace testing_util {
namespace fs = std::filesystem;

static std::string slurp_fd(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

bool store_unwritable(const Result& r) {
  return r.code != 0 && (::geteuid() != 0 || r.err.find("Operation not permitted") != std::string::npos);
}

bool under_sanitizer() {
#if defined(IMAGELINT_SANITIZED)  // the core and the binary are (CMakeLists.txt), this file may not be
  return true;
#else
  return false;
#endif
}

namespace {

// Runs argv with stdin from /dev/null and stdout/stderr captured in unlinked temp files. With
// timeout_s > 0 the child is killed past it; with limit_as it gets 2 GiB of address space.
BoundedResult spawn(const std::vector<std::string>& argv, const std::string& cwd, int timeout_s, bool limit_as) {
  char out_tmpl[] = "/tmp/imagelint-out-XXXXXX";
  char err_tmpl[] = "/tmp/imagelint-err-XXXXXX";
  int out_fd = ::mkstemp(out_tmpl), err_fd = ::mkstemp(err_tmpl);
  ::unlink(out_tmpl);
  ::unlink(err_tmpl);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    if (limit_as) {
      struct rlimit as {2ull << 30, 2ull << 30};
      ::setrlimit(RLIMIT_AS, &as);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  BoundedResult r;
  int status = 0;
  struct rusage ru {};
  if (timeout_s <= 0) {
    ::wait4(pid, &status, 0, &ru);
  } else {
    while (::wait4(pid, &status, WNOHANG, &ru) != pid) {
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(timeout_s) && !r.timed_out) {
        r.timed_out = true;
        ::kill(pid, SIGKILL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.max_rss_kb = ru.ru_maxrss;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(out_fd, 0, SEEK_SET);
  ::lseek(err_fd, 0, SEEK_SET);
  r.out = slurp_fd(out_fd);
  r.err = slurp_fd(err_fd);
  ::close(out_fd);
  ::close(err_fd);
  return r;
}

}  // namespace

Result run(const std::vector<std::string>& argv, const std::string& cwd) { return spawn(argv, cwd, 0, false); }

BoundedResult run_bounded(const std::vector<std::string>& argv, const std::string& cwd, int timeout_s) {
  return spawn(argv, cwd, timeout_s, !under_sanitizer());
}

Result imagelint(const std::vector<std::string>& args) {
  std::vector<std::string> argv{IMAGELINT_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

bool have(const std::string& program) {
  return run({"sh", "-c", "command -v " + program + " >/dev/null"}).code == 0;
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "imagelint-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string source_dir() { return IMAGELINT_SOURCE_DIR; }

std::vector<nlohmann::json> CheckRun::of(const std::string& rule) const {
  std::vector<nlohmann::json> out;
  if (j.contains("findings"))
    for (auto& f : j["findings"])
      if (f["rule"] == rule) out.push_back(f);
  return out;
}

CheckRun check_image(const fixture::Recipe& r, const std::vector<std::string>& args) {
  TempDir d;
  fixture::write_oci({r}, d / "oci");
  std::vector<std::string> argv{"env", "IMAGELINT_TODAY=2026-06-01", IMAGELINT_BIN, "check", d / "oci", "--format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  Result res = run(argv);
  CheckRun out;
  out.code = res.code;
  out.err = res.err;
  // Every caller checks a finding's presence or absence: a run that could not check (exit 2)
  // would make "no finding" pass, so it fails the calling test here.
  EXPECT_TRUE(res.code == 0 || res.code == 1) << "imagelint check exited " << res.code << ": " << res.err;
  if (res.code == 0 || res.code == 1) out.j = nlohmann::json::parse(res.out);
  return out;
}

fixture::Recipe good_instance_plus(const std::vector<std::vector<fixture::RecipeEntry>>& layers) {
  fixture::Recipe r = recipe("good-instance");
  for (auto& entries : layers) {
    fixture::RecipeLayer l;
    l.created_by = "RUN the change under test";
    l.entries = entries;
    r.layers.push_back(l);
  }
  return r;
}

fixture::Recipe recipe(const std::string& name) {
  return fixture::load_recipe(source_dir() + "/fixtures/recipes/" + name + ".json");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string snapshot(const std::string& dir) {
  std::string out;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out += e.path().string() + " " + std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) {
      imagelint::Xxh128 h;
      int fd = ::open(e.path().c_str(), O_RDONLY);
      char buf[1 << 16];
      ssize_t n;
      while (fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0) h.update(buf, static_cast<size_t>(n));
      if (fd >= 0) ::close(fd);
      out += " " + h.digest().hex();
    } else if (S_ISLNK(st.st_mode)) {
      out += " -> " + fs::read_symlink(e.path()).string();
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

namespace {

std::vector<std::string> rpm_argv(std::vector<std::string> args) {
  std::vector<std::string> argv{"rpm"};
  if (run({"sh", "-c", "test \"$(rpm --eval %_db_backend)\" = sqlite"}).code != 0) {
    argv.push_back("--define");
    argv.push_back("_db_backend sqlite");
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::vector<std::string> build_rpms(const TempDir& d, const std::vector<RpmPkg>& pkgs) {
  std::vector<std::string> out;
  for (const RpmPkg& p : pkgs) {
    std::string top = d / ("top-" + p.name + "-" + p.version + "-" + p.release);
    std::string spec = d / (p.name + "-" + p.version + "-" + p.release + ".spec");
    write_file(spec, "Name: " + p.name + "\nVersion: " + p.version + "\nRelease: " + p.release +
                         "\nSummary: t\nLicense: MIT\nBuildArch: noarch\n%description\nt\n%install\n" + p.files +
                         "\n%files\n" + p.listed + "\n");
    Result b = run({"rpmbuild", "-bb", "--define", "_topdir " + top, spec});
    EXPECT_EQ(b.code, 0) << b.err;
    for (auto& e : fs::directory_iterator(top + "/RPMS/noarch")) out.push_back(e.path());
  }
  return out;
}

std::string install_rpmdb(const std::string& dbdir, const std::vector<std::string>& rpm_files) {
  fs::create_directories(dbdir);
  EXPECT_EQ(run(rpm_argv({"--initdb", "--dbpath", dbdir})).code, 0);
  std::vector<std::string> install{"-i", "--justdb", "--nodeps", "--noscripts", "--dbpath", dbdir};
  install.insert(install.end(), rpm_files.begin(), rpm_files.end());
  Result i = run(rpm_argv(install));
  EXPECT_EQ(i.code, 0) << i.err;
  return read_file(dbdir + "/rpmdb.sqlite");
}

std::string make_rpmdb(const TempDir& d, const std::vector<RpmPkg>& pkgs) {
  return install_rpmdb(d / "rpmdb", build_rpms(d, pkgs));
}

namespace {

// Every test gets a layer cache of its own: runs of the binary inherit XDG_CACHE_HOME, so a test
// replays only what it cached itself (fixture images are deterministic, and a test that damages a
// blob but keeps its digest must not be answered from another test's cache).
class FreshCachePerTest : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override {
    dir_ = std::make_unique<TempDir>();
    ::setenv("XDG_CACHE_HOME", dir_->path().c_str(), 1);
  }
  void OnTestEnd(const ::testing::TestInfo&) override { dir_.reset(); }
  std::unique_ptr<TempDir> dir_;
};
const bool kFreshCacheRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new FreshCachePerTest);
  return true;
}();

}  // namespace

std::string snapshot_outside_cache(const std::string& dir, const std::string& cache) {
  std::string out;
  for (const std::string& line : lines(snapshot(dir)))
    if (!(line.starts_with(cache + "/") || line.starts_with(cache + " ") ||
          (cache.starts_with(line.substr(0, line.find(' ')) + "/"))))
      out += line + "\n";
  return out;
}

}  // namespace testing_util
