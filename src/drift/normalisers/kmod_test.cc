// The kmod normaliser: a module's appended signature is left out, before or after compression;
// signatures whose lengths point outside the module are refused.
#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "drift/normalise.h"
#include "harness.h"
#include "recipe.h"

namespace imagelint::drift {
namespace drift_normalisers_kmod_test {

Substance kmod(std::string_view b) { return find_normaliser("kmod")(b); }

const std::string kMarker = "~Module signature appended~\n";

std::string body(const std::string& code) { return std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(57, '\0') + code; }

// signer, key id and signature, then struct module_signature, then the marker.
std::string sign(const std::string& module, const std::string& sig, const std::string& signer = "",
                 const std::string& key_id = "", uint32_t claimed_sig_len = 0xffffffff) {
  uint32_t len = claimed_sig_len == 0xffffffff ? static_cast<uint32_t>(sig.size()) : claimed_sig_len;
  std::string info = {0, 0, 2, static_cast<char>(signer.size()), static_cast<char>(key_id.size()), 0, 0, 0,
                      static_cast<char>(len >> 24), static_cast<char>(len >> 16), static_cast<char>(len >> 8),
                      static_cast<char>(len)};
  return module + signer + key_id + sig + info + kMarker;
}

std::string xz(const std::string& in) { return fixture::compress(in, "xz"); }

std::string zstd(const std::string& in) { return fixture::compress(in, "zstd"); }

std::string gzip(const std::string& in) { return fixture::compress(in, "gzip"); }

TEST(KmodNormaliser, SignatureIsLeftOut) {
  std::string m = body("module code");
  Substance a = kmod(sign(m, std::string(256, 'A'))), b = kmod(sign(m, std::string(384, 'B'), "signer", "keyid"));
  Substance plain = kmod(m);
  ASSERT_TRUE(a.ok && b.ok && plain.ok) << a.error << b.error << plain.error;
  EXPECT_EQ(a.digest, b.digest);
  // Signed or not still counts: a build whose signing failed gives modules Secure Boot refuses.
  EXPECT_NE(a.digest, plain.digest);
  EXPECT_EQ(plain.digest, kmod(body("module code")).digest);
  // So does the signature type in module_signature (id_type: 2 = PKCS#7, 1 = X.509, 0 = PGP).
  std::string other_type = sign(m, std::string(256, 'A'));
  other_type[other_type.size() - 28 - 12 + 2] = 1;
  EXPECT_NE(kmod(other_type).digest, a.digest);
}

TEST(KmodNormaliser, BodyCounts) {
  Substance a = kmod(sign(body("module code"), "sig")), b = kmod(sign(body("module cods"), "sig"));
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_NE(a.digest, b.digest);
  EXPECT_NE(kmod(body("x")).digest, kmod(body("y")).digest);
}

TEST(KmodNormaliser, CompressedModulesAreDecompressedFirst) {
  std::string m = body(std::string(10000, 'k') + "code");
  Substance plain = kmod(sign(m, "signature one"));
  ASSERT_TRUE(plain.ok);
  for (const std::string& c : {xz(sign(m, "signature two, longer")), zstd(sign(m, "three")), gzip(sign(m, "4"))}) {
    Substance s = kmod(c);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.digest, plain.digest);
  }
  EXPECT_NE(kmod(xz(sign(body("other"), "s"))).digest, plain.digest);
}

TEST(KmodNormaliser, XzCliSignedModule) {
  if (!testing_util::have("xz")) GTEST_SKIP() << "xz is not installed";
  testing_util::TempDir d;
  std::string m = body("module code for the xz tool");
  testing_util::write_file(d / "m.ko", sign(m, std::string(512, 'S'), "", "", 512));
  ASSERT_EQ(testing_util::run({"xz", "--check=crc32", "-k", d / "m.ko"}).code, 0);
  Substance s = kmod(testing_util::read_file(d / "m.ko.xz")), other = kmod(sign(m, std::string(300, 'T')));
  ASSERT_TRUE(s.ok && other.ok) << s.error;
  EXPECT_EQ(s.digest, other.digest);
}

TEST(KmodNormaliser, HostileSignaturesAreNotOk) {
  std::string m = body("code");
  // A signature length that points before the start of the file.
  Substance s = kmod(sign(m, "sig", "", "", 1u << 31));
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("signature"), std::string::npos) << s.error;
  EXPECT_FALSE(kmod(sign(m, "sig", "", "", static_cast<uint32_t>(m.size() + 4))).ok);
  std::string long_signer = sign(m, "sig");
  long_signer[long_signer.size() - kMarker.size() - 12 + 3] = static_cast<char>(200);  // signer_len
  EXPECT_FALSE(kmod(long_signer).ok);
  EXPECT_FALSE(kmod(body("").substr(0, 4) + "ab" + kMarker).ok);  // no room for the info
  EXPECT_FALSE(kmod(kMarker).ok);
  EXPECT_FALSE(kmod("not a module").ok);
  std::string c = xz(sign(m, "sig"));
  EXPECT_FALSE(kmod(c.substr(0, c.size() - 5)).ok);
  EXPECT_FALSE(kmod("BZh91AY&SY").ok);
}

}  // namespace drift_normalisers_kmod_test
}  // namespace imagelint::drift
