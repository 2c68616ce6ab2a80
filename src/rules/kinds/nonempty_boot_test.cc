#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_nonempty_boot_test {

TEST(KindNonemptyBoot, EmptyBootPasses) {
  Fixture f;
  f.dir("boot");
  EXPECT_TRUE(no_findings(f.run("nonempty-boot")));
}

TEST(KindNonemptyBoot, AllowedEfiPasses) {
  Fixture f;
  f.dir("boot/EFI/fedora");
  EXPECT_TRUE(no_findings(f.run("nonempty-boot")));
}

TEST(KindNonemptyBoot, KernelInBootFailsOncePerTopLevelName) {
  Fixture f;
  f.file("boot/vmlinuz-6.8.5", "kernel").file("boot/grub2/grub.cfg", "menu");
  auto got = f.run("nonempty-boot");
  EXPECT_EQ(got.size(), 2u) << describe(got);
  EXPECT_TRUE(has_finding(got, "boot/vmlinuz-6.8.5", Severity::Warning, "boot/vmlinuz-6.8.5 is in the image: boot must be empty"));
  EXPECT_TRUE(has_finding(got, "boot/grub2", Severity::Warning, "boot/grub2 is in the image"));
}

TEST(KindNonemptyBoot, MissingBootFails) {
  Fixture f;
  f.dir("usr");
  EXPECT_TRUE(one_finding(f.run("nonempty-boot"), "boot", Severity::Warning, "missing boot directory"));
}

TEST(KindNonemptyBoot, BootSymlinkFails) {
  Fixture f;
  f.symlink("boot", "sysroot/boot");
  EXPECT_TRUE(one_finding(f.run("nonempty-boot"), "boot", Severity::Warning, "boot is a symlink, not a directory"));
}

}  // namespace rules_kinds_nonempty_boot_test
}  // namespace imagelint::kind_test
