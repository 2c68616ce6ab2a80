// The units fact on podman's quadlet e2e corpus, and quadlet's own checks (units_quadlet.cc):
// every corpus file fails exactly where quadlet fails it. The other units tests are in units_test.cc.
#include "facts/units.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "facts/units_quadlet.h"
#include "facts/units_test_util.h"

namespace imagelint {
namespace facts_units_quadlet_test {

namespace fs = std::filesystem;
using namespace facts_units_test_util;

// --- podman's quadlet e2e corpus -------------------------------------------------------------

const std::string kCorpus = IMAGELINT_SOURCE_DIR "/../shared/corpus/podman/test/e2e/quadlet";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// What a corpus file's "## assert-*" comments say quadlet does with it.
struct Expected {
  bool fails = false;
  std::string stderr_contains;
};

Expected expected(const std::string& text) {
  Expected e;
  static const std::regex contains(R"re(^## assert-stderr-contains "(.*)"\s*$)re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.rfind("## assert-failed", 0) == 0) e.fails = true;
    if (std::regex_match(line, m, contains)) e.stderr_contains = m[1];
  }
  return e;
}

// The corpus placed where quadlet reads it: every file under one unit directory.
UnitsInput corpus_input(const std::string& under) {
  UnitsInput in;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus))
    if (e.is_regular_file()) in.files[under + fs::relative(e.path(), kCorpus).generic_string()] = slurp(e.path());
  return in;
}

TEST(QuadletCorpus, EveryUnitParsesAndFailsExactlyWhereQuadletDoes) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << kCorpus;
  const std::string root = "etc/containers/systemd/";
  UnitsInput in = corpus_input(root);
  auto units = classify_units(in);
  size_t dropins = 0;
  for (const auto& [path, text] : in.files) dropins += path.find(".d/") != std::string::npos;
  EXPECT_EQ(in.files.size(), 318u);
  EXPECT_EQ(dropins, 6u);
  ASSERT_EQ(units.size(), in.files.size() - dropins);

  // podman's e2e runs dependent.error.container alone: without basic.container beside it, the
  // [Unit] Requires=basic.container cannot be translated. Here the whole directory is one run,
  // basic.container included, so it passes; alone, it fails as upstream says (checked below).
  const std::set<std::string> passes_beside_its_dependency = {"dependent.error.container"};
  size_t failed = 0, warned = 0;
  std::set<std::string> enabled;
  for (const auto& u : units) {
    SCOPED_TRACE(u.path);
    std::string text = in.files.at(u.path);
    Expected want = expected(text);
    EXPECT_EQ(u.scope, "rootful");
    EXPECT_NE(u.kind, "");
    EXPECT_FALSE(u.service.empty());
    // Parsing never fails on the corpus: every error is quadlet's own verdict.
    UnitFile f(UnitSyntax::kQuadlet);
    EXPECT_TRUE(f.add(text)) << f.error();
    if (passes_beside_its_dependency.count(u.name)) {
      EXPECT_TRUE(want.fails);
      EXPECT_EQ(u.error, "");
      continue;
    }
    if (want.fails) {
      ++failed;
      EXPECT_NE(u.error, "");
      EXPECT_NE(u.error.find(want.stderr_contains), std::string::npos)
          << "want '" << want.stderr_contains << "' in '" << u.error << "'";
      EXPECT_FALSE(u.enabled);
    } else {
      EXPECT_EQ(u.error, "");
      if (!want.stderr_contains.empty()) {
        ++warned;
        bool found = false;
        for (const auto& w : u.warnings) found = found || w.find(want.stderr_contains) != std::string::npos;
        EXPECT_TRUE(found) << "want a warning with '" << want.stderr_contains << "'";
      }
    }
    if (u.enabled) enabled.insert(u.path.substr(root.size()));
  }
  EXPECT_EQ(failed, 23u);
  EXPECT_EQ(warned, 10u);
  EXPECT_EQ(enabled, (std::set<std::string>{"install.container", "template@.container", "template@instance.container",
                                            "test_subdir/mysleep.container", "test_subdir/sub_one/mysleep_1.container",
                                            "test_subdir/sub_two/mysleep_2.container"}));

  // Drop-ins: the instance's own directory overrides the image, the template's adds to it.
  EXPECT_EQ(find(units, root + "template@instance.container").runs, (Strings{"localhost/changed-image"}));
  EXPECT_EQ(find(units, root + "template@.container").instances, (Strings{"default"}));
  EXPECT_EQ(find(units, root + "user.container").user, "998");
  EXPECT_EQ(find(units, root + "basic.volume").service, "basic-volume.service");
  EXPECT_EQ(find(units, root + "template-dependency@.volume").service, "template-dependency-volume@.service");
  EXPECT_EQ(find(units, root + "service-name.container").service, "basic.service");
  const Unit& pod = find(units, root + "startwithpod.pod");
  EXPECT_EQ(pod.runs, (Strings{"startwithpod@.container", "startwithpod@foo.container", "startwithpod_no.container",
                               "startwithpod_yes.container"}));
}

TEST(QuadletCorpus, DependentErrorFailsAlone) {
  UnitsInput in;
  in.files["etc/containers/systemd/dependent.error.container"] = slurp(kCorpus + "/dependent.error.container");
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].error, "unable to translate dependency for basic.container");
}

TEST(QuadletCorpus, RootlessPlacementKeepsTheVerdicts) {
  UnitsInput in = corpus_input("etc/containers/systemd/users/1001/");
  in.users = {{1001, "svc"}};
  auto units = classify_units(in);
  size_t failed = 0;
  for (const auto& u : units) {
    SCOPED_TRACE(u.path);
    EXPECT_EQ(u.scope, "rootless");
    EXPECT_EQ(u.uid, 1001u);
    if (u.name != "user.container" && u.name != "service-user.container" && u.name != "service-group.container") {
      EXPECT_EQ(u.user, "svc");
    }
    failed += !u.error.empty();
  }
  EXPECT_EQ(units.size(), 312u);
  EXPECT_EQ(failed, 23u);
}

TEST(QuadletCheck, NamesAndRules) {
  EXPECT_TRUE(is_fully_qualified_image("localhost/x"));
  EXPECT_TRUE(is_fully_qualified_image("quay.io/a/b:1"));
  EXPECT_TRUE(is_fully_qualified_image("registry:5000/a"));
  EXPECT_TRUE(is_fully_qualified_image("sha256:0123"));
  EXPECT_FALSE(is_fully_qualified_image("fedora"));
  EXPECT_FALSE(is_fully_qualified_image("library/fedora:41"));
  auto check = [](const std::string& name, const std::string& text, const std::set<std::string>& siblings = {}) {
    UnitFile f(UnitSyntax::kQuadlet);
    EXPECT_TRUE(f.add(text)) << f.error();
    return check_quadlet(name, f, siblings);
  };
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\n[Service]\nType=simple\n").error,
            "invalid service Type 'simple'");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\n[Service]\nKillMode=none\n").error,
            "invalid KillMode 'none'");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\nRootfs=/srv\n").error,
            "the Image And Rootfs keys conflict can not be specified together");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\nNetwork=b.network\n").error,
            "requested Quadlet unit b.network was not found");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\nNetwork=b.network:ip=10.0.0.2\n", {"b.network"}).error,
            "");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\nVolume=data.volume:/data\n").error,
            "requested Quadlet source data.volume was not found");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\nExposeHostPort=http\n").error,
            "invalid port format 'http'");
  EXPECT_EQ(check("a.container", "[Container]\nImage=quay.io/a\n[Quadlet]\nFoo=1\n").error,
            "unsupported key 'Foo' in group 'Quadlet'");
  EXPECT_EQ(check("a.kube", "[Kube]\nYaml=a.yml\nSetWorkingDirectory=file\n").error,
            "SetWorkingDirectory=file is only supported in .build files");
  EXPECT_EQ(check("a.artifact", "[Artifact]\n").error, "no Artifact key specified");
  EXPECT_EQ(check("a.pod", "[Pod]\nRemapUsers=keep-id\nRemapUid=1\nRemapUid=2\n").error,
            "RemapUsers=keep-id supports only a single value for UID mapping");
  // [Service] User= is a warning since podman 5.x, not a refusal.
  auto v = check("a.container", "[Container]\nImage=quay.io/a\n[Service]\nUser=app\nGroup=app\n");
  EXPECT_EQ(v.error, "");
  EXPECT_EQ(v.warnings.size(), 2u);
}

}  // namespace facts_units_quadlet_test
}  // namespace imagelint
