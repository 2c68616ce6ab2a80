// The rpm header parser on headers built by hand, then hostile ones: counts and offsets outside
// the blob, bad file lists, every truncation and single-byte damage, random damage.
#include "facts/rpmdb.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "facts/rpm_test_util.h"
#include "harness.h"
#include "util/error.h"

namespace imagelint {
namespace facts_rpm_header_test {

using namespace rpm_test;
using testing_util::read_file;

std::string corpus(const std::string& rel) { return testing_util::source_dir() + "/../shared/corpus/" + rel; }
const std::string kBlobBin = "go-rpmdb/pkg/testdata/blob.bin";

// ---------------------------------------------------------------- hostile headers

TEST(RpmHeader, HandBuiltHeaderParses) {
  std::string blob = build_header(tiny_entries());
  Package p;
  std::string why = "stale";
  ASSERT_TRUE(parse_rpm_header(blob, p, &why)) << why;
  EXPECT_EQ(why, "");
  EXPECT_EQ(p.nevra, "tiny-3:1.0-1.x86_64");
  EXPECT_EQ(p.files, (std::vector<std::string>{"usr/bin", "usr/bin/tool", "etc/tool.conf"}));
  EXPECT_EQ(p.modes, (std::vector<uint16_t>{040755, 0100755, 0100644}));
}

std::string parse_error(const std::string& blob) {
  Package p;
  std::string why;
  if (parse_rpm_header(blob, p, &why)) return "parsed" + (why.empty() ? "" : " with: " + why);
  EXPECT_FALSE(why.empty());
  return why;
}

TEST(RpmHeader, CountsAndOffsetsOutsideTheBlobAreErrors) {
  const std::string good = build_header(tiny_entries());
  const uint32_t il = get32(good, 0), dl = get32(good, 4);
  const size_t data = 8 + 16 * size_t{il};
  auto with = [&](size_t pos, uint32_t v) {
    std::string b = good;
    put32(b, pos, v);
    return b;
  };
  auto has = [](const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << s;
  };
  EXPECT_TRUE(has(parse_error(""), "at least 8"));
  EXPECT_TRUE(has(parse_error(good.substr(0, 7)), "at least 8"));
  EXPECT_TRUE(has(parse_error(good.substr(0, good.size() - 1)), "8 + 16*il + dl"));
  EXPECT_TRUE(has(parse_error(good + "x"), "8 + 16*il + dl"));
  EXPECT_TRUE(has(parse_error(with(0, il + 1)), "8 + 16*il + dl"));
  EXPECT_TRUE(has(parse_error(with(0, 0)), "0 tags"));
  EXPECT_TRUE(has(parse_error(with(0, 0x10000)), "65536 tags"));
  EXPECT_TRUE(has(parse_error(with(0, 0xffffffff)), "tags"));
  EXPECT_TRUE(has(parse_error(with(4, 0x10000000)), "at most 256 MiB"));
  EXPECT_TRUE(has(parse_error(with(4, dl + 1)), "8 + 16*il + dl"));

  // Region tag and trailer.
  EXPECT_TRUE(has(parse_error(with(entry_pos(0) + 8, dl)), "region trailer at"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(0) + 8, 0xfffffff0)), "region trailer at"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(0) + 12, 17)), "region tag 63"));
  EXPECT_TRUE(has(parse_error(with(data + dl - 8, 0u - 16 * (il + 1))), "region trailer covers"));
  EXPECT_TRUE(has(parse_error(with(data + dl - 8, 0u - 8)), "region trailer covers"));
  EXPECT_TRUE(has(parse_error(with(data + dl - 16, 62)), "region trailer has tag 62"));

  // Entry 1 is NAME (STRING at data offset 0); entry 4 is EPOCH (INT32); entry 8 BASENAMES.
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 8, dl + 1)), "offset outside"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 8, 0x80000000)), "offset outside"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 8, dl)), "runs past"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 12, 2)), "count 1"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 12, 0)), "count outside"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 4, 10)), "unknown type"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 4, 0)), "unknown type"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(4) + 12, dl)), "runs past"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(4) + 12, 0x40000001)), "count outside"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(4) + 8, get32(good, entry_pos(4) + 8) + 1)), "not aligned"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(8) + 12, dl - 41)), "runs past"));  // 60 strings in 57 bytes
  {
    // Legacy headers (no region) parse; a last string without its NUL does not.
    std::vector<HEntry> e = tiny_entries();
    ASSERT_EQ(parse_error(build_header(e, false)), "parsed");
    e.push_back({1004, 6, 1, "no terminator"});
    EXPECT_TRUE(has(parse_error(build_header(e, false)), "string 0 runs past"));
    e.back() = {1004, 8, 2, strs({"one"}) + "two"};
    EXPECT_TRUE(has(parse_error(build_header(e, false)), "string 1 runs past"));
  }
  {
    // rpm's cap on array elements, below the data size (a BIN entry is exempt from it).
    std::vector<HEntry> e = tiny_entries();
    e.push_back({1004, 7, 0x100001, std::string(0x100001, 'x')});
    std::string b = build_header(e);
    ASSERT_EQ(parse_error(b), "parsed");
    put32(b, entry_pos(8) + 12, 0x100000);
    EXPECT_TRUE(has(parse_error(b), "more than 1048575"));
  }
  // Mistyped tags the reader needs.
  EXPECT_TRUE(has(parse_error(with(entry_pos(1) + 4, 4)), "NAME has type 4"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(2) + 4, 7)), "VERSION has type 7"));
  EXPECT_TRUE(has(parse_error(with(entry_pos(1), 999)), "no NAME tag"));
}

TEST(RpmHeader, BadFileListsKeepThePackageWithoutFiles) {
  auto check = [](std::vector<HEntry> e, const std::string& want) {
    Package p;
    std::string why;
    ASSERT_TRUE(parse_rpm_header(build_header(e), p, &why));
    EXPECT_NE(why.find(want), std::string::npos) << why;
    EXPECT_EQ(p.nevra, "tiny-3:1.0-1.x86_64");
    EXPECT_TRUE(p.files.empty());
    EXPECT_TRUE(p.modes.empty());
  };
  auto e = tiny_entries();
  e[6].data = be32s({0, 1, 3});
  check(e, "DIRINDEXES[2] = 3 but only 3 DIRNAMES");
  e = tiny_entries();
  e[6] = {1116, 4, 2, be32s({0, 1})};
  check(e, "DIRINDEXES has 2 entries for 3 BASENAMES");
  e = tiny_entries();
  e[5] = {1030, 3, 2, be16s({1, 2})};
  check(e, "FILEMODES has 2 entries for 3 files");
  e = tiny_entries();
  e.erase(e.begin() + 8);
  check(e, "BASENAMES without DIRNAMES");
  e = tiny_entries();
  e[8].data = strs({"/usr/", "/../../", "/etc/"});
  check(e, "climbs above the root");
  // A few long shared dirnames must not expand to gigabytes of paths.
  std::string names, idx;
  for (int k = 0; k < 2000; ++k) {
    names.append("f").append(std::to_string(k)).push_back('\0');
    idx += be32s({0});
  }
  e = tiny_entries();
  e.erase(e.begin() + 5, e.end());  // NAME .. ARCH
  e.push_back({1116, 4, 2000, idx});
  e.push_back({1117, 8, 2000, names});
  e.push_back({1118, 8, 1, "/" + std::string(40000, 'd') + "/" + '\0'});
  check(e, "at most 64 MiB");
}

// No input makes the parser read outside the blob (ASan watches in CI) or crash: every
// truncation and every single-byte change of the index of a real header, and random damage.
TEST(RpmHeader, DamagedBlobsNeverCrash) {
  const std::string blob = read_file(corpus(kBlobBin));
  ASSERT_FALSE(blob.empty());
  Package p;
  std::string why;
  for (size_t n = 0; n < blob.size(); ++n) {
    std::string cut = blob.substr(0, n);  // its own allocation: ASan sees a read past it
    EXPECT_FALSE(parse_rpm_header(cut, p, &why)) << n;
  }
  for (size_t pos = 0; pos < 8 + 16 * 69; ++pos)
    for (unsigned char v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string b = blob;
      b[pos] = static_cast<char>(v);
      parse_rpm_header(b, p, &why);
    }
  std::mt19937 rng(20240611);
  for (int round = 0; round < 3000; ++round) {
    std::string b = blob;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    parse_rpm_header(b, p, &why);
  }
}

}  // namespace facts_rpm_header_test
}  // namespace imagelint
