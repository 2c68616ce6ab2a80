// run_diff through the API, where a test needs options the command line does not offer (a small
// normaliser cap).
#include "drift/diff.h"

#include <gtest/gtest.h>

#include "diff_harness.h"
#include "image/image.h"

namespace imagelint::drift {

TEST(RunDiff, AnEarlyDigestOfAnEntryThatDidNotWinIsNotUsed) {
  // B writes etc/shadow twice in one layer: first a copy equal in substance to A's, then the real
  // file, larger than the normaliser's cap (so no early digest is made of it). The first copy's
  // digest must not stand for the file: the change is compared byte for byte, and is drift.
  std::string shadow_a = "root:*:19000:0:99999:7:::\n", shadow_b = "root:*:20000:0:99999:7:::\n";
  std::string big = "root:$6$changed$" + std::string(200, 'x') + ":19000:0:99999:7:::\n";
  testing_util::TempDir t;
  fixture::write_oci({testing_util::image({fixture::file("etc/shadow", shadow_a, 0)})}, t / "a");
  fixture::write_oci({testing_util::image({fixture::file("etc/shadow", shadow_b, 0), fixture::file("etc/shadow", big, 0)})}, t / "b");
  Image a = open_image(parse_reference("oci:" + (t / "a")), {});
  Image b = open_image(parse_reference("oci:" + (t / "b")), {});
  DiffOptions opt;
  opt.normalise_cap = 100;
  DiffResult r = run_diff(a, b, load_drift_rules({}, {}), opt);
  const Change* c = nullptr;
  for (auto& x : r.changes)
    if (x.path == "etc/shadow") c = &x;
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->cls, Class::Drift) << c->category << " " << c->note;
  EXPECT_EQ(r.verdict, Verdict::Drift);
}

}  // namespace imagelint::drift
