#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_bootc_kargs_test {

const std::string kDir = "usr/lib/bootc/kargs.d/";

TEST(KindBootcKargs, ValidFilesPass) {
  Fixture f;
  f.file(kDir + "10-console.toml", "kargs = [\"console=ttyS0,115200n8\", \"quiet\"]\nmatch-architectures = [\"x86_64\", \"aarch64\"]\n");
  f.file(kDir + "20-multi.toml", "# comment\nkargs = [\n  \"a=1\",\n  '''b=2''',\n]\n");
  f.file(kDir + "README", "not toml, not read").file(kDir + "sub/x.toml", "not = read");
  EXPECT_TRUE(no_findings(f.run("bootc-kargs")));
}

TEST(KindBootcKargs, NoKargsDirectoryPasses) {
  Fixture f;
  f.dir("usr/lib/bootc");
  EXPECT_TRUE(no_findings(f.run("bootc-kargs")));
}

TEST(KindBootcKargs, SyntaxErrorFails) {
  Fixture f;
  f.file(kDir + "10-bad.toml", "kargs = [\"a\"\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-bad.toml", Severity::Error, "10-bad.toml does not parse: line "));
}

TEST(KindBootcKargs, UnknownKeyFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = [\"a\"]\nmatch_architectures = [\"x86_64\"]\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error,
                          "does not parse: line 2: unknown key 'match_architectures'"));
}

TEST(KindBootcKargs, KargsAsAStringFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = \"console=tty0\"\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "'kargs' must be a list of strings, not a string"));
}

TEST(KindBootcKargs, ListOfIntegersFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = [1]\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "must be a list of strings, not hold an integer"));
}

TEST(KindBootcKargs, MissingKargsFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "match-architectures = [\"x86_64\"]\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "does not parse: missing key 'kargs'"));
}

TEST(KindBootcKargs, ArchitectureBootcNeverMatchesFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = [\"a\"]\nmatch-architectures = [\"amd64\"]\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error,
                          "match-architectures names 'amd64', which bootc never matches"));
}

TEST(KindBootcKargs, NotUtf8Fails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = [\"caf\xe9\"]\n");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "does not parse: not UTF-8"));
}

TEST(KindBootcKargs, TooLargeFails) {
  Fixture f;
  f.file(kDir + "10-x.toml", "kargs = [\"a\"]\n" + std::string(1 << 20, '#'));
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "is larger than 1 MiB"));
}

TEST(KindBootcKargs, DirectoryNamedTomlFails) {
  Fixture f;
  f.dir(kDir + "10-x.toml");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), kDir + "10-x.toml", Severity::Error, "is a dir, not a file bootc can read"));
}

TEST(KindBootcKargs, KargsDirAsAFileFails) {
  Fixture f;
  f.file("usr/lib/bootc/kargs.d", "kargs = []");
  EXPECT_TRUE(one_finding(f.run("bootc-kargs"), "usr/lib/bootc/kargs.d", Severity::Error, "is a file, not a directory"));
}

}  // namespace rules_kinds_bootc_kargs_test
}  // namespace imagelint::kind_test
