// The run context is the only state a run has: nothing in src/ keeps mutable state at namespace
// scope or in a function-local static, and two runs in one process do not see each other.
#include "util/run_context.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fs/build.h"
#include "fs/capture.h"
#include "fs/layer_cache.h"
#include "harness.h"
#include "util/perf.h"

namespace imagelint {
namespace util_run_context_test {

// A declaration that would outlive a run: a namespace-scope variable that is not const, a
// function-local `static` that is not const, or thread_local. One line at a time, comments
// stripped; a declaration spread over lines is not seen (none is, in this tree).
// Whether line starts with word followed by a non-identifier character (or ends there).
bool starts_with_word(std::string_view line, std::string_view word) {
  if (!line.starts_with(word)) return false;
  if (line.size() == word.size()) return true;
  const char c = line[word.size()];
  return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
}

bool holds_state(std::string line) {
  // (No std::regex here: GCC 12 warns inside it under ASan at -O1, and warnings are errors.)
  if (size_t c = line.find("//"); c != std::string::npos) line.erase(c);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  if (line.find("thread_local") != std::string::npos) return true;
  auto head_before = [&](const char* stops) {
    size_t i = line.find_first_of(stops);
    return i == std::string::npos ? line : line.substr(0, i);
  };
  const std::string_view trimmed = std::string_view(line).substr(std::min(line.find_first_not_of(' '), line.size()));
  if (starts_with_word(trimmed, "static")) {
    const std::string_view after = trimmed.substr(std::min(trimmed.find_first_not_of(' ', 6), trimmed.size()));
    const bool constant = starts_with_word(after, "const") || starts_with_word(after, "constexpr") ||
                          starts_with_word(after, "inline");
    if (!constant && head_before("=;{").find('(') == std::string::npos &&
        (line.ends_with(";") || line.find_first_of("={") != std::string::npos))
      return true;
  }
  // At namespace scope (column 0): a declaration ending in ';' that names no function.
  if (line.empty() || !(std::isalpha(static_cast<unsigned char>(line[0])) || line[0] == '_') || !line.ends_with(";"))
    return false;
  for (const char* keyword : {"const", "constexpr", "inline", "struct", "class", "enum", "using", "namespace", "template",
                              "typedef", "static_assert", "extern", "friend", "return"})
    if (starts_with_word(line, keyword)) return false;
  return head_before("={").find('(') == std::string::npos;
}

TEST(SourceTree, TheScannerSeesStateAndLeavesConstantsAlone) {
  for (const char* bad : {"std::string g_dir;", "std::mutex g_mu;  // guards what follows", "long long started = now_ns();",
                          "std::atomic<bool> on{false};", "  static std::atomic<unsigned> counter{0};",
                          "  thread_local std::string block;", "static int calls = 0;"})
    EXPECT_TRUE(holds_state(bad)) << bad;
  for (const char* ok : {"constexpr uint32_t kFormat = 1;", "const char* const kName = \"x\";",
                         "  static const RE2 re(\"a\");", "static std::string compile(const std::string& p);",
                         "std::string errno_text() { return std::strerror(errno); }", "void note(std::string what);",
                         "using Clock = std::chrono::steady_clock;", "  int x = 0;", "extern const char* const kPattern;",
                         "inline constexpr uint64_t kLimit = 4ull << 30;", "  return out;"})
    EXPECT_FALSE(holds_state(ok)) << ok;
}

TEST(SourceTree, NoMutableStateOutsideARun) {
  const std::filesystem::path src = std::filesystem::path(IMAGELINT_SOURCE_DIR) / "src";
  int files = 0;
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(src)) {
    const std::string name = e.path().filename();
    if (!e.is_regular_file() || !(name.ends_with(".cc") || name.ends_with(".h")) || name.ends_with("_test.cc") ||
        name.find("test_util") != std::string::npos)
      continue;
    ++files;
    std::ifstream in(e.path());
    int n = 0;
    // Rule kinds are shared const objects: a `mutable` member would carry state from run to run.
    const bool kind = e.path().parent_path().filename() == "kinds";
    for (std::string line; std::getline(in, line);)
      if (++n, holds_state(line) || (kind && line.find("mutable ") != std::string::npos))
        found.push_back(e.path().lexically_relative(src).string() + ":" + std::to_string(n) + ": " + line);
  }
  EXPECT_GT(files, 100);
  EXPECT_TRUE(found.empty()) << "state outside the run context (pass it in RunContext instead):\n"
                             << testing::PrintToString(found);
}

fixture::Recipe two_layers() {
  fixture::Recipe r;
  fixture::RecipeLayer a, b;
  a.entries = {fixture::dir("etc"), fixture::file("etc/os-release", "ID=test\n")};
  b.entries = {fixture::file("etc/motd", "hi\n")};
  r.layers = {a, b};
  return r;
}

// Two runs in one process on one cache directory, one after the other on threads of their own:
// the one that defers its writes keeps them to itself (the other reads every layer and writes
// its own), each has its own tally, and only the run with a Perf is timed.
TEST(RunContext, TwoRunsInOneProcessDoNotSeeEachOther) {
  testing_util::TempDir d;
  fixture::write_oci({two_layers()}, d / "oci");
  const Image img = open_image(parse_reference(d / "oci"), {});
  const std::string cache = d / "cache";

  LayerCacheSession deferring(cache);
  deferring.defer_writes();
  Perf perf;
  RunContext a;
  a.cache = &deferring;
  a.perf = &perf;
  a.threads = 2;
  LayerCacheSession plain(cache);
  RunContext b;
  b.cache = &plain;
  b.threads = 1;

  size_t files_a = 0, files_b = 0;
  std::thread ta([&] { files_a = build_filesystem(img, nullptr, a).fs.size(); });
  ta.join();
  std::thread tb([&] { files_b = build_filesystem(img, nullptr, b).fs.size(); });
  tb.join();
  EXPECT_EQ(files_a, files_b);
  EXPECT_EQ(deferring.tally().written, 0) << "deferred until the run ends";
  EXPECT_EQ(deferring.tally().hits, 0);
  EXPECT_EQ(plain.tally().hits, 0) << "b does not replay what a has not placed";
  EXPECT_EQ(plain.tally().written, 2);
  EXPECT_NE(perf.summary().find("read layers"), std::string::npos) << perf.summary();
  deferring.end_writes(true);
  EXPECT_EQ(deferring.tally().written, 2);
  EXPECT_EQ(plain.tally().written, 2) << "a's writes are not b's";

  LayerCacheSession later(cache);
  RunContext c;
  c.cache = &later;
  build_filesystem(img, nullptr, c);
  EXPECT_EQ(later.tally().hits, 2);
  EXPECT_EQ(later.tally().written, 0);
}

}  // namespace util_run_context_test
}  // namespace imagelint
