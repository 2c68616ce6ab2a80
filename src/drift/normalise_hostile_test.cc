// Every normaliser on corrupted copies of a good input (bytes flipped, cut short, hex digits and
// lengths broken): it must answer, ok or not, with a one-line reason, and quickly. Run under the
// sanitizers this is where an unchecked length shows up.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "drift/normalise.h"
#include "harness.h"

namespace imagelint::drift {
namespace drift_normalise_hostile_test {

using testing_util::read_file;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

std::string newc(const std::string& name, const std::string& data) {
  char h[111];
  std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u, 0100644u, 0u, 0u, 1u,
                0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u, static_cast<unsigned>(name.size() + 1), 0u);
  std::string s = std::string(h, 110) + name + '\0';
  s.resize((s.size() + 3) / 4 * 4, '\0');
  s += data;
  s.resize((s.size() + 3) / 4 * 4, '\0');
  return s;
}

// Good inputs for each normaliser, compressed ones made with gzip(1) when it is there.
std::vector<std::pair<std::string, std::string>> samples(const TempDir& d) {
  auto gz = [&](const std::string& data) {
    write_file(d / "in", data);
    return run({"gzip", "-c", d / "in"}).out;
  };
  std::string cpio = newc("init", "#!/bin/sh\n") + newc("etc/conf", "x") + newc("TRAILER!!!", "");
  std::string ko = std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(100, 'c') + "signer" + "key" +
                   std::string(64, 's') + std::string("\0\0\2\6\3\0\0\0\0\0\0\x40", 12) + "~Module signature appended~\n";
  std::vector<std::pair<std::string, std::string>> out = {
      {"pyc", std::string("\xcb\x0d\r\n\0\0\0\0\1\2\3\4\5\6\7\x08", 16) + "\xe3" "code"},
      {"shadow", "root:*:19000:0:99999:7:::\nalice:$y$x:19001::::::\n"},
      {"kmod", ko},
      {"initramfs", cpio},
  };
  if (testing_util::have("gzip")) {
    out.push_back({"gzip", gz("some text that compresses, some text that compresses\n")});
    out.push_back({"kmod", gz(ko)});
    out.push_back({"initramfs", cpio + std::string(8, '\0') + gz(cpio + std::string(16, '\0') + cpio)});
  }
  std::string db = testing_util::source_dir() + "/../shared/corpus/rpm/tests/data/misc/rpmdb.sqlite";
  if (FILE* f = std::fopen(db.c_str(), "rb")) {
    std::fclose(f);
    out.push_back({"rpmdb", read_file(db)});
  }
  return out;
}

TEST(NormaliserHostile, CorruptedInputsAnswerWithOneLine) {
  TempDir d;
  std::mt19937_64 rng(20261126);
  auto start = std::chrono::steady_clock::now();
  for (const auto& [name, good] : samples(d)) {
    Normaliser fn = find_normaliser(name);
    ASSERT_NE(fn, nullptr);
    Substance base = fn(good);
    ASSERT_TRUE(base.ok) << name << ": " << base.error;
    int not_ok = 0;
    const int rounds = name == "rpmdb" ? 300 : 2000;
    for (int i = 0; i < rounds; ++i) {
      std::string bad = good;
      switch (rng() % 4) {
        case 0: bad.resize(rng() % bad.size()); break;
        case 1:
          for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
            bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
          break;
        case 2: bad[rng() % bad.size()] = "0fF\xff\0g"[rng() % 6]; break;
        case 3:
          for (size_t k = 0, at = rng() % bad.size(); k < 4 && at + k < bad.size(); ++k) bad[at + k] = '\xff';
          break;
      }
      Substance s = fn(bad);
      if (!s.ok) {
        ++not_ok;
        EXPECT_FALSE(s.error.empty()) << name;
        EXPECT_EQ(s.error.find('\n'), std::string::npos) << name << ": " << s.error;
      }
    }
    if (name != "shadow") {
      EXPECT_GT(not_ok, 0) << name;  // corruption is noticed at least sometimes
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(120));
}

}  // namespace drift_normalise_hostile_test
}  // namespace imagelint::drift
