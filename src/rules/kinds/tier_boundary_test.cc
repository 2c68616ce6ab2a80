#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_tier_boundary_test {

// A tier-2 base: its filesystem and packages.
Fixture base() {
  Fixture f;
  f.file("usr/bin/bash", "bash", 0755).file("usr/lib/os-release", "ID=acme\n").file("etc/passwd", "root:x:0:0::/root:/bin/bash\n");
  f.file("usr/share/doc/bash/README", "doc").file("usr/share/doc/bash/NEWS", "news").dir("etc/containers").dir("var/home");
  f.package(rpm("bash", "5.2.26", "3.fc40", {"usr/bin/bash", "usr/share/doc/bash/README", "usr/share/doc/bash/NEWS"}));
  f.end_base();
  return f;
}

TEST(KindTierBoundary, WithoutBaseNothingIsCompared) {
  Fixture f;
  f.file("usr/bin/anything", "x");
  EXPECT_TRUE(no_findings(f.run("tier-boundary")));
}

TEST(KindTierBoundary, WhatTier3OwnsPasses) {
  Fixture f = base();
  f.file("etc/passwd", "root:x:0:0::/root:/bin/bash\ncore:x:1000:1000::/var/home/core:/bin/bash\n");
  f.file("etc/containers/policy.json", "{}").file("etc/containers/systemd/web.container", "[Container]\n");
  f.file("var/home/core/.ssh/authorized_keys", "ssh-ed25519 AAAA core", 0600);
  EXPECT_TRUE(no_findings(f.run("tier-boundary")));
}

// The directories on the way to an allowed glob are allowed through its wildcards too: a user's
// home and .ssh directories (var/home/core, var/home/core/.ssh: explicit entries in the layer
// useradd -m and mkdir wrote) for var/home/*/.ssh/** (they were findings before 2026-12-02).
TEST(KindTierBoundary, ExplicitDirectoriesOnTheWayToAnAllowedGlobPass) {
  Fixture f = base();
  f.dir("var/home/core", 0700).dir("var/home/core/.ssh", 0700).file("var/home/core/.ssh/authorized_keys", "ssh-ed25519 AAAA core", 0600);
  EXPECT_TRUE(no_findings(f.run("tier-boundary")));
}

TEST(KindTierBoundary, MtimeAloneIsNoChange) {
  Fixture f = base();
  Entry e;
  e.type = EntryType::File;
  e.mode = 0644;
  e.size = 8;
  e.hash = xxh128_of("ID=acme\n");
  e.mtime = 1700000000;
  f.put("usr/lib/os-release", e);
  EXPECT_TRUE(no_findings(f.run("tier-boundary")));
}

TEST(KindTierBoundary, AddedFileOutsideTier3Fails) {
  Fixture f = base();
  f.file("usr/local/bin/tool", "elf", 0755);
  auto got = f.run("tier-boundary");
  EXPECT_TRUE(one_finding(got, "usr/local/bin/tool", Severity::Error,
                          "adds usr/local/bin/tool: outside what tier 3 may change (users, SSH keys, container policy, machine configuration)"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].layer, 1);
}

TEST(KindTierBoundary, ChangedFileFails) {
  Fixture f = base();
  f.file("usr/lib/os-release", "ID=other\n", 0600);
  EXPECT_TRUE(one_finding(f.run("tier-boundary"), "usr/lib/os-release", Severity::Error, "changes usr/lib/os-release (content, mode): outside"));
}

TEST(KindTierBoundary, DeletedDirectoryIsOneFinding) {
  Fixture f = base();
  f.remove("usr/share/doc");
  auto got = f.run("tier-boundary");
  EXPECT_TRUE(one_finding(got, "usr/share/doc", Severity::Error, "deletes usr/share/doc: outside what tier 3 may change"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].layer, 1);
}

TEST(KindTierBoundary, InstalledPackageFails) {
  Fixture f = base();
  f.file("usr/bin/htop", "elf", 0755).package(rpm("htop", "3.3.0", "1.fc40", {"usr/bin/htop"}));
  auto got = f.run("tier-boundary");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "", Severity::Error, "installs package htop-3.3.0-1.fc40.x86_64: tier 3 may not install packages"));
  EXPECT_TRUE(has_finding(got, "usr/bin/htop", Severity::Error, "adds usr/bin/htop: tier 3 may not install packages"));
}

TEST(KindTierBoundary, ChangedAndRemovedPackagesFail) {
  Fixture f = base();
  f.facts.packages.packages = {rpm("bash", "5.2.32", "1.fc40", {"usr/bin/bash"})};
  Fixture g = base();
  g.facts.packages.packages.clear();
  EXPECT_TRUE(one_finding(f.run("tier-boundary"), "", Severity::Error,
                          "changes package bash-5.2.26-3.fc40.x86_64 to bash-5.2.32-1.fc40.x86_64: tier 3 may not change packages"));
  EXPECT_TRUE(one_finding(g.run("tier-boundary"), "", Severity::Error, "removes package bash-5.2.26-3.fc40.x86_64: tier 3 may not remove packages"));
}

TEST(KindTierBoundary, PackagesCanBeLeftToOtherRules) {
  Fixture f = base();
  f.package(rpm("htop", "3.3.0", "1.fc40"));
  RuleSpec rule = shipped_rule("tier-boundary");
  rule.params["packages"] = false;
  EXPECT_TRUE(no_findings(f.run(rule)));
}

}  // namespace rules_kinds_tier_boundary_test
}  // namespace imagelint::kind_test
