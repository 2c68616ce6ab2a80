#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_var_tmpfiles_test {

Entry owned_dir(uint32_t uid, uint32_t gid, uint32_t mode) {
  Entry e;
  e.type = EntryType::Dir;
  e.uid = uid;
  e.gid = gid;
  e.mode = mode;
  return e;
}

void tmpfiles(Fixture& f, const std::string& text) {
  f.file("usr/lib/tmpfiles.d/app.conf", text);
  f.facts.users.tmpfiles = parse_tmpfiles("usr/lib/tmpfiles.d/app.conf", text, f.facts.users.notes);
}

TEST(KindVarTmpfiles, EntriesForEverythingPass) {
  Fixture f;
  f.dir("var/lib").put("var/lib/app", owned_dir(1001, 1001, 0750)).symlink("var/run", "../run");
  tmpfiles(f, "d /var/lib 0755 root root -\nd /var/lib/app 0750 app app - -\nL /var/run - - - - ../run\n");
  EXPECT_TRUE(no_findings(f.run("var-tmpfiles")));
}

TEST(KindVarTmpfiles, DirectoryWithoutEntryFailsWithTheLineToAdd) {
  Fixture f;
  f.dir("var/lib").put("var/lib/app", owned_dir(1001, 1001, 0750));
  tmpfiles(f, "d /var/lib 0755 root root -\n");
  f.facts.users.sysusers = parse_sysusers("usr/lib/sysusers.d/app.conf", "u app 1001\n", f.facts.users.notes);
  f.facts.users.groups = parse_group("app:x:1001:\n", f.facts.users.notes);
  EXPECT_TRUE(one_finding(f.run("var-tmpfiles"), "var/lib/app", Severity::Warning,
                          "var/lib/app has no tmpfiles.d entry; e.g. `d /var/lib/app 0750 app app - -`"));
}

TEST(KindVarTmpfiles, UnknownOwnersAreShownByNumber) {
  Fixture f;
  f.put("var/cache", owned_dir(0, 0, 0755)).put("var/cache/app", owned_dir(4242, 4343, 0700));
  tmpfiles(f, "d /var/cache 0755 - - -\n");
  EXPECT_TRUE(one_finding(f.run("var-tmpfiles"), "var/cache/app", Severity::Warning, "`d /var/cache/app 0700 4242 4343 - -`"));
}

TEST(KindVarTmpfiles, SymlinkWithoutEntryFails) {
  Fixture f;
  f.symlink("var/run", "../run");
  EXPECT_TRUE(one_finding(f.run("var-tmpfiles"), "var/run", Severity::Warning, "var/run has no tmpfiles.d entry; e.g. `L /var/run - - - - ../run`"));
}

TEST(KindVarTmpfiles, FileInVarFails) {
  Fixture f;
  f.file("var/lib/app.db", "sqlite");
  tmpfiles(f, "d /var/lib 0755 root root -\nf /var/lib/app.db 0644 root root -\n");
  // An f line covers it; without one the file cannot be expressed in tmpfiles.d.
  EXPECT_TRUE(no_findings(f.run("var-tmpfiles")));
  tmpfiles(f, "d /var/lib 0755 root root -\n");
  EXPECT_TRUE(one_finding(f.run("var-tmpfiles"), "var/lib/app.db", Severity::Warning, "var/lib/app.db is a file in var: the image's var reaches a host only at install"));
}

TEST(KindVarTmpfiles, RemovingLinesDoNotCover) {
  Fixture f;
  f.dir("var/lib");
  tmpfiles(f, "R /var/lib - - - -\n");
  EXPECT_TRUE(one_finding(f.run("var-tmpfiles"), "var/lib", Severity::Warning, "var/lib has no tmpfiles.d entry"));
}

}  // namespace rules_kinds_var_tmpfiles_test
}  // namespace imagelint::kind_test
