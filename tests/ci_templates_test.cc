// The GitLab CI templates in ci/gitlab/: valid YAML with the keys GitLab reads, and their scripts
// run as a shell runner would (the real imagelint; podman replaced by a stand-in that "builds" the
// example and its rebuild) so every command and flag in them exists and the exit policy holds.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace e2e_ci_templates_test {

using namespace testing_util;

std::string templ(const std::string& name) { return source_dir() + "/ci/gitlab/" + name; }

nlohmann::json parse_yaml(const std::string& file) {
  Result r = run({"/usr/bin/python3", source_dir() + "/tests/run_gitlab_job.py", file, "--dump"});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

// Runs a job's script in dir with imagelint (and a stand-in podman when given) on PATH.
Result run_job(const std::string& file, const std::string& job, const TempDir& dir, std::vector<std::string> vars = {}) {
  std::string bin = std::filesystem::path(IMAGELINT_BIN).parent_path();
  std::vector<std::string> argv{"env", "PATH=" + (dir / "bin") + ":" + bin + ":/usr/bin:/bin", "/usr/bin/python3",
                                source_dir() + "/tests/run_gitlab_job.py", file, job};
  argv.insert(argv.end(), vars.begin(), vars.end());
  return run(argv, dir.path());
}

TEST(GitlabTemplates, AreYamlWithTheKeysGitlabReads) {
  auto gate = parse_yaml(templ("imagelint-gate.yml"))[".imagelint-gate"];
  ASSERT_TRUE(gate.is_object());
  EXPECT_EQ(gate["artifacts"]["reports"]["junit"], "imagelint-junit.xml");
  EXPECT_EQ(gate["artifacts"]["reports"]["codequality"], "gl-code-quality-report.json");
  EXPECT_EQ(gate["artifacts"]["when"], "always");
  for (auto& line : gate["script"]) EXPECT_TRUE(line.is_string());
  auto nightly = parse_yaml(templ("imagelint-nightly.yml"))[".imagelint-nightly"];
  ASSERT_TRUE(nightly.is_object());
  EXPECT_EQ(nightly["allow_failure"]["exit_codes"], nlohmann::json::array({3}));
  EXPECT_EQ(nightly["rules"][0]["if"], "$CI_PIPELINE_SOURCE == \"schedule\"");
  EXPECT_EQ(nightly["artifacts"]["paths"][0], "reproducibility.html");
}

// A containers-storage store in dir (vfs, written by skopeo as podman would) and the storage.conf
// that points imagelint at it, as CONTAINERS_STORAGE_CONF=... for run_job; "" when skopeo cannot.
std::string make_store(const TempDir& d) {
  if (!have("skopeo")) return "";
  write_file(d / "storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + (d / "store") + "\"\nrunroot = \"" +
                                     (d / "store-run") + "\"\n");
  return "CONTAINERS_STORAGE_CONF=" + (d / "storage.conf");
}
std::string store_ref(const TempDir& d, const std::string& name) {
  return "containers-storage:[vfs@" + (d / "store") + "+" + (d / "store-run") + "]localhost/" + name + ":latest";
}

TEST(GitlabTemplates, TheGateReadsTheBuildInPodmansStoreFailsOnFindingsAndWritesItsReports) {
  TempDir d;
  std::filesystem::create_directories(d / "bin");
  fixture::write_oci_archive({recipe("example")}, d / "image.oci.tar");
  const std::string conf = make_store(d);
  if (conf.empty()) GTEST_SKIP() << "skopeo is not installed";
  Result copy = run({"skopeo", "copy", "--quiet", "oci-archive:" + d / "image.oci.tar", store_ref(d, "example")});
  if (store_unwritable(copy)) GTEST_SKIP() << "skopeo cannot write a store here: " << copy.err;
  ASSERT_EQ(copy.code, 0) << copy.err;
  std::filesystem::remove(d / "image.oci.tar");  // nothing exported: the store is all there is
  Result r = run_job(templ("imagelint-gate.yml"), ".imagelint-gate", d, {conf, "CI_PROJECT_NAME=example"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // the example has errors: the job fails
  for (auto f : {"imagelint-junit.xml", "gl-code-quality-report.json", "imagelint.sarif", "imagelint.json", "imagelint.md"})
    EXPECT_TRUE(std::filesystem::file_size(d / f) > 100) << f;
  EXPECT_NE(r.out.find("FAILED (--fail-on error)"), std::string::npos) << r.out;
  // A pack that cannot be read (a typo in IMAGELINT_ARGS) is exit 2: the job fails too.
  Result bad = run_job(templ("imagelint-gate.yml"), ".imagelint-gate", d, {conf, "CI_PROJECT_NAME=example", "IMAGELINT_ARGS=--rules missing.json"});
  EXPECT_EQ(bad.code, 2) << bad.err;
}

TEST(GitlabTemplates, TheNightlyJobReportsDriftWithoutBreakingThePipeline) {
  TempDir d;
  std::filesystem::create_directories(d / "bin");
  fixture::write_oci_archive({recipe("example")}, d / "a.tar");
  fixture::write_oci_archive({recipe("example-rebuild")}, d / "b.tar");
  // podman build ... -t NAME CONTEXT puts the image into the store as podman does (skopeo writes
  // it): build a is the example, build b its rebuild (one registry more in the policy: drift).
  const std::string conf = make_store(d);
  if (conf.empty()) GTEST_SKIP() << "skopeo is not installed";
  write_file(d / "bin/podman",
             "#!/bin/sh\n"
             "echo \"podman $*\" >> podman.log\n"
             "[ \"$1\" = build ] || exit 125\n"
             "while [ $# -gt 0 ]; do [ \"$1\" = -t ] && name=$2; shift; done\n"
             "case \"$name\" in *-a) src=a.tar;; *-b) src=b.tar;; *) exit 125;; esac\n"
             "exec skopeo copy --quiet oci-archive:$src \"" + store_ref(d, "$name") + "\"\n");
  std::filesystem::permissions(d / "bin/podman", std::filesystem::perms::owner_all);
  Result r = run_job(templ("imagelint-nightly.yml"), ".imagelint-nightly", d, {conf});
  if (r.code != 3 && store_unwritable(r)) GTEST_SKIP() << "skopeo cannot write a store here: " << r.err;
  EXPECT_EQ(r.code, 3) << r.out << r.err;  // drift: the allowed failure
  EXPECT_NE(r.out.find("imagelint diff: drift"), std::string::npos) << r.out;
  for (auto f : {"reproducibility.html", "reproducibility.json", "reproducibility.md"})
    EXPECT_TRUE(std::filesystem::exists(d / f)) << f;
  EXPECT_NE(read_file(d / "podman.log").find("build --no-cache"), std::string::npos);
  EXPECT_EQ(read_file(d / "podman.log").find("save"), std::string::npos);  // read in place, never exported
  Result strict = run_job(templ("imagelint-nightly.yml"), ".imagelint-nightly", d, {conf, "IMAGELINT_DRIFT_FAILS=1"});
  EXPECT_EQ(strict.code, 1);
  // Two identical builds: reproducible, the job passes.
  std::filesystem::copy_file(d / "a.tar", d / "b.tar", std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(run_job(templ("imagelint-nightly.yml"), ".imagelint-nightly", d, {conf}).code, 0);
}

// The fleet template end to end: prepare (the base's chain id as a dotenv variable), two parallel
// check jobs over one instance list sharing the cache directory GitLab restores, the report job.
TEST(GitlabTemplates, TheFleetJobsSplitTheListShareTheCacheAndReportEveryHost) {
  const std::string file = templ("imagelint-fleet.yml");
  auto doc = parse_yaml(file);
  EXPECT_EQ(doc[".imagelint-fleet-check"]["cache"]["key"], "imagelint-base-${IMAGELINT_BASE_CHAIN}");
  EXPECT_EQ(doc[".imagelint-fleet-prepare"]["artifacts"]["reports"]["dotenv"], "imagelint-fleet.env");
  EXPECT_EQ(doc[".imagelint-fleet-report"]["when"], "always");
  TempDir d;
  std::filesystem::create_directories(d / "bin");
  fixture::Recipe good = recipe("good-instance");
  fixture::Recipe base = good;
  base.layers.resize(1);
  base.tag = "base";
  std::vector<fixture::Recipe> images{base};
  std::string list = "# hosts\n";
  for (int i = 1; i <= 5; ++i) {
    fixture::Recipe h = good;
    h.tag = "host" + std::to_string(i);
    h.layers[1].entries.push_back(fixture::file("etc/hostname", h.tag + "\n"));
    images.push_back(h);
    list += "oci:fleet-oci:" + h.tag + "\n";
  }
  fixture::write_oci(images, d / "fleet-oci");
  write_file(d / "fleet-images.txt", list);
  const std::string base_ref = "IMAGELINT_BASE=oci:fleet-oci:base";
  Result prep = run_job(file, ".imagelint-fleet-prepare", d, {base_ref});
  ASSERT_EQ(prep.code, 0) << prep.out << prep.err;
  std::string env = read_file(d / "imagelint-fleet.env");
  ASSERT_EQ(env.rfind("IMAGELINT_BASE_CHAIN=", 0), 0u) << env;
  const std::string chain = env.substr(21, 16);
  EXPECT_EQ(chain.find_first_not_of("0123456789abcdef"), std::string::npos) << env;
  std::vector<Result> jobs;
  for (int k = 1; k <= 2; ++k)
    jobs.push_back(run_job(file, ".imagelint-fleet-check", d,
                           {base_ref, "CI_NODE_INDEX=" + std::to_string(k), "CI_NODE_TOTAL=2", "IMAGELINT_BASE_CHAIN=" + chain}));
  for (auto& j : jobs) EXPECT_EQ(j.code, 1) << j.out << j.err;  // the good instance has kmod-version errors on this date
  EXPECT_NE(jobs[0].out.find("job 1 of 2 checks 3 image(s)"), std::string::npos) << jobs[0].out;
  EXPECT_NE(jobs[1].out.find("job 2 of 2 checks 2 image(s)"), std::string::npos) << jobs[1].out;
  // The first job wrote the base's snapshot into the shared cache; the second loaded it.
  EXPECT_NE(jobs[0].err.find("1 chain snapshot(s) written"), std::string::npos) << jobs[0].err;
  EXPECT_NE(jobs[1].err.find("1 chain snapshot(s) loaded"), std::string::npos) << jobs[1].err;
  for (auto f : {"fleet/job-1/fleet.json", "fleet/job-1/host1.md", "fleet/job-1/host3.junit.xml", "fleet/job-2/host2.json",
                 "fleet/job-2/host4.codequality.json"})
    EXPECT_TRUE(std::filesystem::exists(d / f)) << f;
  Result page = run_job(file, ".imagelint-fleet-report", d);
  ASSERT_EQ(page.code, 0) << page.out << page.err;
  std::string html = read_file(d / "fleet.html");
  for (int i = 1; i <= 5; ++i) EXPECT_NE(html.find("<code>host" + std::to_string(i) + "</code>"), std::string::npos) << i;
  EXPECT_NE(html.find("href=\"fleet/job-2/host2.md\""), std::string::npos);
}

}  // namespace e2e_ci_templates_test
