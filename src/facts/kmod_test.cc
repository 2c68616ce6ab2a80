#include "facts/kmod.h"

#include <gtest/gtest.h>

#include <random>

#include "harness.h"
#include "recipe.h"
#include "util/task_pool.h"

namespace imagelint {
namespace facts_kmod_test {

using namespace std::string_literals;

using testing_util::read_file;
using testing_util::run;
using testing_util::TempDir;
using testing_util::write_file;

// A real ELF relocatable object with a .modinfo section, as objcopy writes it.
std::string make_module(const TempDir& d, const std::string& modinfo, const std::string& name = "m") {
  std::string src = d / (name + ".c"), obj = d / (name + ".o"), ko = d / (name + ".ko"), info = d / (name + ".modinfo");
  write_file(src, "int answer = 42;\nconst char note[] = \"version=not-modinfo\";\nint f(void) { return answer; }\n");
  write_file(info, modinfo);
  auto r = run({"gcc", "-c", "-O2", src, "-o", obj});
  EXPECT_EQ(r.code, 0) << r.err;
  r = run({"objcopy", "--add-section", ".modinfo=" + info, "--set-section-flags", ".modinfo=alloc,readonly", obj, ko});
  EXPECT_EQ(r.code, 0) << r.err;
  return ko;
}

ModuleInfo read_module(const std::string& bytes, const std::string& path, size_t seed = 1, bool signature = true) {
  ModinfoReader r(path, signature);
  std::mt19937 rng(static_cast<unsigned>(seed));
  for (size_t i = 0; i < bytes.size();) {
    size_t k = std::min<size_t>(bytes.size() - i, 1 + rng() % 5000);
    r.data(bytes.data() + i, k);
    i += k;
  }
  r.end();
  return r.info();
}

const std::string kInfo = "version=2.2.7-1\0license=CDDL\0srcversion=ABCDEF0123\0depends=spl,znvpair\0"s
                          "name=zfs\0vermagic=6.12.0-55.el10.x86_64 SMP preempt mod_unload modversions\0"s;

TEST(Kmod, ReadsModinfoOfPlainAndCompressedModules) {
  TempDir d;
  std::string ko = make_module(d, kInfo);
  ASSERT_EQ(run({"sh", "-c", "xz --check=crc32 -k " + ko + " && zstd -q -k " + ko + " && gzip -k " + ko}).code, 0);
  for (std::string f : {ko, ko + ".xz", ko + ".zst", ko + ".gz"}) {
    SCOPED_TRACE(f);
    ModuleInfo m = read_module(read_file(f), "usr/lib/modules/6.12.0-55.el10.x86_64/extra/zfs/zfs.ko.xz");
    EXPECT_EQ(m.error, "");
    EXPECT_EQ(m.name, "zfs");
    EXPECT_EQ(m.version, "2.2.7-1");
    EXPECT_EQ(m.vermagic, "6.12.0-55.el10.x86_64 SMP preempt mod_unload modversions");
    EXPECT_EQ(m.srcversion, "ABCDEF0123");
    EXPECT_EQ(m.depends, (std::vector<std::string>{"spl", "znvpair"}));
    EXPECT_EQ(m.kver, "6.12.0-55.el10.x86_64");
    EXPECT_FALSE(m.signed_);
  }
}

TEST(Kmod, SeesAnAppendedSignature) {
  TempDir d;
  std::string ko = make_module(d, kInfo);
  std::string signed_ko = read_file(ko) + std::string(300, '\x30') + "~Module signature appended~\n";
  write_file(d / "s.ko", signed_ko);
  ASSERT_EQ(run({"xz", "--check=crc32", "-k", d / "s.ko"}).code, 0);
  ModuleInfo m = read_module(read_file(d / "s.ko.xz"), "x.ko.xz");
  EXPECT_TRUE(m.signed_);
  EXPECT_EQ(m.name, "zfs");
}

void expect_same_modinfo(const ModuleInfo& early, const ModuleInfo& full) {
  EXPECT_EQ(early.error, full.error);
  EXPECT_EQ(early.name, full.name);
  EXPECT_EQ(early.version, full.version);
  EXPECT_EQ(early.vermagic, full.vermagic);
  EXPECT_EQ(early.srcversion, full.srcversion);
  EXPECT_EQ(early.license, full.license);
  EXPECT_EQ(early.depends, full.depends);
}

TEST(Kmod, StoppingAfterModinfoReadsWhatTheWholeReadDoes) {
  TempDir d;
  std::string ko = make_module(d, kInfo);  // gcc's object: a "version=not-modinfo" string in .rodata
  std::string signed_ko = read_file(ko) + std::string(300, '\x30') + "~Module signature appended~\n";
  write_file(d / "s.ko", signed_ko);
  ASSERT_EQ(run({"sh", "-c", "xz --check=crc32 -k " + (d / "s.ko") + " && zstd -q -k " + (d / "s.ko")}).code, 0);
  for (std::string f : {d / "s.ko", d / "s.ko.xz", d / "s.ko.zst"}) {
    SCOPED_TRACE(f);
    ModuleInfo full = read_module(read_file(f), "m.ko", 3, true), early = read_module(read_file(f), "m.ko", 3, false);
    expect_same_modinfo(early, full);
    EXPECT_EQ(full.version, "2.2.7-1");
    EXPECT_TRUE(full.signature_read);
    EXPECT_TRUE(full.signed_);
    EXPECT_FALSE(early.signature_read);  // unknown, not "unsigned"
    EXPECT_FALSE(early.signed_);
  }
  // Realistic bodies (.modinfo a fifth of the way in, format strings with '=' right before it).
  for (uint64_t size : {20000u, 300000u}) {
    for (const char* how : {"none", "xz"}) {
      SCOPED_TRACE(std::string(how) + " " + std::to_string(size));
      std::string bytes = fixture::make_kmod({{"license", "GPL"}, {"name", "m1"}, {"vermagic", "6.12.0 SMP"}, {"srcversion", "AB"}},
                                             true, how, "k", size, 5);
      ModuleInfo full = read_module(bytes, "m.ko", 1, true), early = read_module(bytes, "m.ko", 1, false);
      expect_same_modinfo(early, full);
      EXPECT_EQ(early.name, "m1");
      EXPECT_EQ(early.srcversion, "AB");
      EXPECT_EQ(early.license, "GPL");
      EXPECT_GE(full.decoded, size);
      if (size > 100000) {
        EXPECT_LT(early.decoded, full.decoded / 2) << "the decode stops soon after .modinfo";
      }
    }
  }
}

// As in Debian 12's sdhci-acpi.ko: .rodata ends in binary bytes with no NUL, glued to the first
// .modinfo entry ("\xbdalicense=GPL v2").
TEST(Kmod, StoppingEarlyUngluesTheFirstEntry) {
  std::string body = "\x7f" "ELF"s + std::string(60, '\x01');
  body[4] = 2, body[5] = 1;
  body += "\xa5>\xc1\xf6\xcd" "e\x1f" "F\xabz)\xf7\xe8\xd5\xbd" "alicense=GPL v2\0author=A\0name=sdhci_acpi\0vermagic=6.1.0 SMP \0"s;
  body += std::string(40, '\x01');
  ModinfoReader r("m.ko", false);
  r.data(body.data(), body.size());
  r.end();
  EXPECT_EQ(r.info().license, "GPL v2");
  EXPECT_EQ(r.info().name, "sdhci_acpi");
  EXPECT_FALSE(r.info().signature_read);
}

TEST(Kmod, WithoutVermagicTheWholeModuleIsRead) {
  TempDir d;
  std::string ko = make_module(d, "name=odd\0license=GPL\0"s);
  ModuleInfo early = read_module(read_file(ko), "m.ko", 1, false);
  EXPECT_EQ(early.error, "");
  EXPECT_EQ(early.name, "odd");
  EXPECT_TRUE(early.signature_read);  // read to the end: the answer is known
}

TEST(Kmod, ModulesDecodedOnAPoolGiveTheSameFacts) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i)
    bodies.push_back(fixture::make_kmod({{"name", std::string("m") + std::to_string(i)}, {"vermagic", "6.12.0 SMP"}}, i % 2 == 0,
                                        i % 3 ? "xz" : "zstd", "k", 50000 + static_cast<uint64_t>(i) * 1000,
                                        static_cast<uint64_t>(i)));
  bodies.push_back("not a module at all");
  for (bool signature : {true, false}) {
    TaskPool pool(2, 4);
    std::vector<std::unique_ptr<ModinfoReader>> readers;
    for (size_t i = 0; i < bodies.size(); ++i) {
      readers.push_back(std::make_unique<ModinfoReader>(std::string("m") + std::to_string(i) + ".ko", signature, &pool));
      readers.back()->data(bodies[i].data(), bodies[i].size());
      readers.back()->end();
    }
    readers.erase(readers.begin() + 3);  // a module dropped (a later layer deleted it) while its job runs
    pool.wait();
    for (size_t i = 0; i + 1 < readers.size(); ++i) {
      size_t n = i < 3 ? i : i + 1;
      EXPECT_EQ(readers[i]->info().name, std::string("m") + std::to_string(n));
      EXPECT_EQ(readers[i]->info().error, "");
      if (signature) {
        EXPECT_EQ(readers[i]->info().signed_, n % 2 == 0);
      }
    }
    EXPECT_EQ(readers.back()->info().error, "not an ELF object");
  }
}

TEST(Kmod, LargeModule) {
  TempDir d;
  // 40 MB of code-like bytes in a section before .modinfo, as in nvidia.ko.
  write_file(d / "big.bin", std::string(40u << 20, '\x01'));
  write_file(d / "info", "name=nvidia\0version=570.124.06\0vermagic=6.12.0 SMP\0"s);
  write_file(d / "n.c", "int x;\n");
  ASSERT_EQ(run({"gcc", "-c", d / "n.c", "-o", d / "n.o"}).code, 0);
  auto r = run({"objcopy", "--add-section", ".bigdata=" + d / "big.bin", "--add-section", ".modinfo=" + d / "info",
                "--set-section-flags", ".modinfo=alloc,readonly", d / "n.o", d / "nvidia.ko"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string bytes = read_file(d / "nvidia.ko");
  ASSERT_GT(bytes.size(), 40u << 20);
  ModuleInfo m = read_module(bytes, "nvidia.ko");
  EXPECT_EQ(m.error, "");
  EXPECT_EQ(m.version, "570.124.06");
  EXPECT_EQ(m.vermagic, "6.12.0 SMP");
  ModinfoReader junk("junk.ko");
  junk.data(bytes.data() + 100, 1 << 20);
  junk.end();
  EXPECT_EQ(junk.info().error, "not an ELF object");
}

TEST(Kmod, HostileElfGivesANoteNotACrash) {
  TempDir d;
  std::string bytes = read_file(make_module(d, kInfo));
  // Section header table offset pointing past the end.
  std::string lying = bytes;
  for (int i = 0; i < 8; ++i) lying[0x28 + i] = '\x7f';
  EXPECT_NE(read_module(lying, "a.ko").error, "");
  // Truncated in the middle.
  EXPECT_NE(read_module(bytes.substr(0, bytes.size() / 2), "b.ko").error, "");
  // Section count zero.
  std::string none = bytes;
  none[0x3c] = none[0x3d] = 0;
  EXPECT_NE(read_module(none, "c.ko").error, "");
  // A compressed module cut short.
  write_file(d / "t.ko", bytes);
  ASSERT_EQ(run({"xz", "-k", d / "t.ko"}).code, 0);
  std::string xz = read_file(d / "t.ko.xz");
  EXPECT_NE(read_module(xz.substr(0, xz.size() - 10), "t.ko.xz").error.find("truncated xz"), std::string::npos);
  EXPECT_EQ(read_module("", "empty.ko").error, "not an ELF object");
}

TEST(Kmod, ParsesModinfoStrings) {
  ModuleInfo m;
  parse_modinfo("a=b\0\0\0depends=\0name=x\0garbage\0"s, m);
  EXPECT_EQ(m.name, "x");
  EXPECT_TRUE(m.depends.empty());
  EXPECT_EQ(module_kver("usr/lib/modules/6.1/kernel/a.ko"), "6.1");
  EXPECT_EQ(module_kver("usr/lib/modules"), "");
}

}  // namespace facts_kmod_test
}  // namespace imagelint
