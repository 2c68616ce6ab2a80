#include "rules/kinds/private_keys.h"

#include "rules/kinds/kind_test_util.h"

#include <gtest/gtest.h>

#include <vector>

namespace rules_kinds_private_keys_test {

using namespace imagelint;

const RE2& markers() {
  static const RE2 re("(?:-----BEGIN (RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----)|(?:-----BEGIN OPENSSH PRIVATE KEY-----)");
  return re;
}

// Feeds text in chunks of `chunk` bytes (every split point matters to a streaming scanner).
bool sniff(const std::string& text, size_t chunk, uint64_t window = 65536) {
  PemKeySniffer s(&markers(), window);
  for (size_t i = 0; i < text.size(); i += chunk) s.data(text.data() + i, std::min(chunk, text.size() - i));
  s.end();
  return s.found();
}

TEST(HazardPemKeySniffer, FindsEveryKindOfBeginLineAtAnySplit) {
  for (const char* begin : {"-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", "-----BEGIN DSA PRIVATE KEY-----",
                            "-----BEGIN ENCRYPTED PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----",
                            "-----BEGIN OPENSSH PRIVATE KEY-----"}) {
    for (std::string text : std::vector<std::string>{std::string(begin) + "\nMIIEow\n-----END-----\n", "# key\n" + std::string(begin) + "\r\nabc\n",
                             "key: |\n    " + std::string(begin) + "\n", std::string(begin)}) {
      for (size_t chunk : {1u, 2u, 3u, 7u, 64u, 4096u}) EXPECT_TRUE(sniff(text, chunk)) << text << " chunk " << chunk;
    }
  }
}

TEST(HazardPemKeySniffer, IgnoresPublicKeysCertificatesAndMidLineMarkers) {
  static const char kNul[] = "\0-----BEGIN RSA PRIVATE KEY-----\n";
  for (std::string text : std::vector<std::string>{std::string("-----BEGIN PUBLIC KEY-----\nabc\n"), std::string("-----BEGIN CERTIFICATE-----\n"),
                           "-----BEGIN OPENSSH PUBLIC KEY-----\n", "x = \"-----BEGIN RSA PRIVATE KEY-----\"\n",
                           std::string(kNul, sizeof kNul - 1), "---\nyaml: 1\n-----\n",
                           "-----BEGIN RSA PRIVATE KEY----- trailing words\n"})
    for (size_t chunk : {1u, 5u, 4096u}) EXPECT_FALSE(sniff(text, chunk)) << text;
}

TEST(HazardPemKeySniffer, LooksOnlyAtTheWindow) {
  std::string key = "-----BEGIN PRIVATE KEY-----\n";
  std::string filler(65536 - 10, 'a');
  filler += '\n';
  EXPECT_FALSE(sniff(filler + key, 4096));   // begins past 64 KiB
  EXPECT_TRUE(sniff(std::string(100, 'a') + "\n" + key + filler, 4096));
  EXPECT_FALSE(sniff(std::string(20, 'a') + "\n" + key, 1, 16));  // a smaller window
}

}  // namespace rules_kinds_private_keys_test

// The private-keys rule over files of an image.
namespace imagelint::kind_test {
namespace rules_kinds_private_keys_test {

const std::string kKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

TEST(KindPrivateKeys, PublicKeysAndAllowlistedPathsPass) {
  Fixture f;
  f.file("etc/pki/tls/certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  f.file("usr/share/doc/openssh/example_key", kKey);
  f.file("etc/ssh/ssh_host_ed25519_key", kKey, 0600);  // ssh-host-keys reports it
  f.file("etc/motd", "mentions -----BEGIN RSA PRIVATE KEY----- mid-line, which is no key\n");
  EXPECT_TRUE(no_findings(f.run("private-keys")));
}

TEST(KindPrivateKeys, KeyInAFileFails) {
  Fixture f;
  f.file("etc/app/tls.key", "-----BEGIN RSA PRIVATE KEY-----\r\nMIIEow\r\n-----END RSA PRIVATE KEY-----\r\n", 0600);
  f.file("etc/app/tls.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  EXPECT_TRUE(one_finding(f.run("private-keys"), "etc/app/tls.key", Severity::Error,
                          "etc/app/tls.key holds a private key (a BEGIN ... PRIVATE KEY line within its first 65536 bytes)"));
}

TEST(KindPrivateKeys, IndentedKeyInYamlFails) {
  Fixture f;
  f.file("etc/app/values.yaml", "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcC\n");
  EXPECT_TRUE(one_finding(f.run("private-keys"), "etc/app/values.yaml", Severity::Error, "holds a private key"));
}

TEST(KindPrivateKeys, KeyBeyondTheWindowPasses) {
  Fixture f;
  f.file("usr/lib/app/blob", std::string(65536, 'x') + "\n" + kKey);
  EXPECT_TRUE(no_findings(f.run("private-keys")));
}

}  // namespace rules_kinds_private_keys_test
}  // namespace imagelint::kind_test
