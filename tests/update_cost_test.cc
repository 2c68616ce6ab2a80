// diff's update cost end to end, on images GNU tar, umoci and skopeo wrote
// (fixtures/update-cost/make.sh): which of B's layers a host holding A downloads, why, and the
// totals, checked against a sum over the OCI manifests made by python in the test.
#include <gtest/gtest.h>

#include "harness.h"

namespace e2e_update_cost_test {

using namespace testing_util;
using testing_util::imagelint;  // the binary, not the namespace

class UpdateCost : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"umoci", "skopeo", "tar", "python3"}) ASSERT_TRUE(have(tool)) << tool << " is missing";
    Result made = run({"sh", source_dir() + "/fixtures/update-cost/make.sh", d / "t"});
    ASSERT_EQ(made.code, 0) << made.err;
  }
  nlohmann::json diff(const std::string& a, const std::string& b, const std::vector<std::string>& extra, int want_code) {
    std::vector<std::string> args{"diff", "oci:" + d / a, "oci:" + d / b, "--format", "json", "--no-cache"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = imagelint(args);
    EXPECT_EQ(r.code, want_code) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  // {B's stored size, bytes of B's layers whose digest is not in A} from the manifests, by python.
  std::pair<uint64_t, uint64_t> manifest_sums(const std::string& a, const std::string& b) {
    const char* py = R"(
import json, sys
def layers(ref):
    d, tag = ref.rsplit(':', 1)
    idx = json.load(open(d + '/index.json'))
    m = [x for x in idx['manifests'] if x.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag][0]
    man = json.load(open(d + '/blobs/' + m['digest'].replace(':', '/')))
    return [(l['digest'], l['size']) for l in man['layers']]
a, b = layers(sys.argv[1]), layers(sys.argv[2])
have = {x for x, _ in a}
print(sum(s for _, s in b), sum(s for x, s in b if x not in have))
)";
    Result r = run({"python3", "-c", py, d / a, d / b});
    EXPECT_EQ(r.code, 0) << r.err;
    uint64_t total = 0, download = 0;
    std::sscanf(r.out.c_str(), "%lu %lu", &total, &download);
    return {total, download};
  }
  TempDir d;
};

TEST_F(UpdateCost, EachLayerOfBWithWhyAndTotalsFromTheManifests) {
  nlohmann::json j = diff("t/img:a", "t/img:b", {"--hosts", "300"}, 1);
  const nlohmann::json& u = j["update"];
  ASSERT_EQ(u["layers"].size(), 4u) << u.dump(2);
  EXPECT_EQ(u["layers"][0]["status"], "reused");
  EXPECT_EQ(u["layers"][0]["reused_from"], 0);
  EXPECT_EQ(u["layers"][1]["status"], "noise-only") << u["layers"][1].dump(2);
  EXPECT_EQ(u["layers"][1]["by_category"], nlohmann::json({{"timestamps", 52}}));  // opt, opt/app, 50 files
  EXPECT_NE(u["layers"][1]["fix"].get<std::string>().find("SOURCE_DATE_EPOCH"), std::string::npos);
  EXPECT_EQ(u["layers"][2]["status"], "drift");
  EXPECT_EQ(u["layers"][2]["entries_differ"], 1);
  EXPECT_EQ(u["layers"][2]["first_paths"], nlohmann::json({"usr/lib/zfs/lib"}));
  EXPECT_EQ(u["layers"][3]["status"], "unexplained-churn");
  EXPECT_EQ(u["layers"][3]["causes"][0], "entry order: the same entries written in another order");
  auto [total, download] = manifest_sums("t/img:a", "t/img:b");
  EXPECT_EQ(u["image_bytes"], total);
  EXPECT_EQ(u["download_bytes"], download);
  EXPECT_EQ(u["noise_bytes"], u["layers"][1]["size"].get<uint64_t>() + u["layers"][3]["size"].get<uint64_t>());
  EXPECT_EQ(u["hosts"], 300);
  EXPECT_EQ(u["fleet_noise_bytes"], 300 * u["noise_bytes"].get<uint64_t>());
  // The text report: one line per downloaded layer, largest first, and the fix under the noisy ones.
  Result text = imagelint({"diff", "oci:" + d / "t/img:a", "oci:" + d / "t/img:b", "--no-cache"});
  size_t sec = text.out.find("\nUpdate (what a host holding A pulls to move to B)\n");
  ASSERT_NE(sec, std::string::npos) << text.out;
  size_t l1 = text.out.find("layer   1", sec), l2 = text.out.find("layer   2", sec);
  EXPECT_LT(l1, l2) << text.out;  // 500 kB before 200 B
  EXPECT_NE(text.out.find("fix: write layers with sorted entries", sec), std::string::npos) << text.out;
}

TEST_F(UpdateCost, RecompressedLayersAreChurnAndTheBudgetGates) {
  // skopeo's zstd copy: the same tars, so a reproducible diff, yet every layer is downloaded.
  nlohmann::json j = diff("t/img:a", "t/zstd:a", {}, 0);
  EXPECT_EQ(j["verdict"], "reproducible");
  auto [total, download] = manifest_sums("t/img:a", "t/zstd:a");
  EXPECT_EQ(j["update"]["download_bytes"], download);
  EXPECT_EQ(j["update"]["noise_bytes"], total);
  for (auto& l : j["update"]["layers"]) {
    EXPECT_EQ(l["status"], "unexplained-churn");
    EXPECT_EQ(l["causes"][0], "compression: the same tar, gzip in A and zstd in B");
  }
  diff("t/img:a", "t/zstd:a", {"--max-noise-bytes", "100M"}, 0);
  Result over = imagelint({"diff", "oci:" + d / "t/img:a", "oci:" + d / "t/zstd:a", "--no-cache", "--max-noise-bytes", "1MiB"});
  EXPECT_EQ(over.code, 1);
  EXPECT_NE(over.err.find("over the budget of 1.0 MB: layer 0 (unexplained-churn, 4.0 MB)"), std::string::npos)
      << over.err;
  // The same budget from a drift rules file; the flag overrides it.
  write_file(d / "budget.json", R"({"name": "site", "max_noise_bytes": 1048576})");
  Result pack = imagelint({"diff", "oci:" + d / "t/img:a", "oci:" + d / "t/zstd:a", "--no-cache", "--rules", d / "budget.json"});
  EXPECT_EQ(pack.code, 1) << pack.err;
  Result flag = imagelint({"diff", "oci:" + d / "t/img:a", "oci:" + d / "t/zstd:a", "--no-cache", "--rules", d / "budget.json",
                           "--max-noise-bytes", "1G"});
  EXPECT_EQ(flag.code, 0) << flag.err;
  Result bad = imagelint({"diff", "oci:" + d / "t/img:a", "oci:" + d / "t/zstd:a", "--max-noise-bytes", "lots"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--max-noise-bytes lots: not a size"), std::string::npos) << bad.err;
}

TEST_F(UpdateCost, LayersReusedAtAnotherIndexAndAnotherGzipLevel) {
  nlohmann::json j = diff("t/gz:a", "t/gz:b", {}, 1);  // the layer order changed: so does the filesystem
  const nlohmann::json& l = j["update"]["layers"];
  ASSERT_EQ(l.size(), 3u) << j["update"].dump(2);
  EXPECT_EQ(l[0]["status"], "reused");
  EXPECT_EQ(l[0]["reused_from"], 2);
  EXPECT_EQ(l[2]["status"], "reused");
  EXPECT_EQ(l[2]["reused_from"], 0);
  EXPECT_EQ(l[1]["status"], "unexplained-churn") << l[1].dump(2);
  EXPECT_EQ(l[1]["causes"][0], "compression: the same tar compressed to other bytes (another gzip level or implementation)");
  auto [total, download] = manifest_sums("t/gz:a", "t/gz:b");
  EXPECT_EQ(j["update"]["download_bytes"], download);
  EXPECT_EQ(j["update"]["noise_bytes"], download);
  EXPECT_EQ(j["update"]["image_bytes"], total);
}

}  // namespace e2e_update_cost_test
