// kmod: a Linux kernel module (.ko, .ko.xz, .ko.zst, .ko.gz) without its appended signature. A
// rebuild signs with a new ephemeral key unless the key is kept, so the same code carries a
// different signature; the kernel signs before compressing, so a compressed module is
// decompressed first. Whether a module is signed, and the signature's type (the module_signature
// header: PKCS#7 in every current kernel), still counts: a build whose signing silently failed
// makes modules Secure Boot refuses to load. The algorithms inside the PKCS#7 blob are not read.
#include <cstring>

#include "drift/normalisers/normalisers.h"
#include "image/decompress.h"

namespace imagelint::drift {

namespace {

constexpr std::string_view kSigMarker = "~Module signature appended~\n";  // 28 bytes
constexpr size_t kSigInfo = 12;  // struct module_signature: 5 u8, 3 pad, __be32 sig_len
constexpr uint64_t kMaxModule = 512ull << 20;

// The module without its signature, or all of it when it has none; *scheme gets the signature's
// algo, hash and id_type bytes (empty when unsigned).
std::string_view unsigned_part(std::string_view m, std::string* scheme) {
  if (!m.ends_with(kSigMarker)) return m;
  size_t rest = m.size() - kSigMarker.size();
  if (rest < kSigInfo) unreadable("module signature marker without the signature info before it");
  const auto* info = reinterpret_cast<const unsigned char*>(m.data() + rest - kSigInfo);
  uint64_t sig_len = (uint64_t{info[8]} << 24) | (uint64_t{info[9]} << 16) | (uint64_t{info[10]} << 8) | info[11];
  uint64_t signer_len = info[3], key_id_len = info[4];
  uint64_t sig = kSigInfo + sig_len + signer_len + key_id_len;
  if (sig > rest)
    unreadable("module signature of " + std::to_string(sig) + " bytes is longer than the " +
               std::to_string(rest) + " bytes before the marker");
  scheme->assign(reinterpret_cast<const char*>(info), 3);
  return m.substr(0, rest - sig);
}

}  // namespace

Substance normalise_kmod(std::string_view bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  Compression kind = detect_compression(b, bytes.size(), "");
  std::string plain;
  std::string_view module = bytes;
  if (kind != Compression::None) {
    // The signature is at the end: keep the module (they are small) to find it.
    uint64_t total = 0;
    Decoder dec(kind, "");
    dec.feed(bytes.data(), bytes.size(), true, [&](const char* p, size_t n) {
      count_decompressed(&total, n, kMaxModule, "512 MiB (module larger than that)");
      plain.append(p, n);
    });
    module = plain;
  }
  if (module.size() < 4 || std::memcmp(module.data(), "\x7f" "ELF", 4) != 0)
    unreadable(std::string("not an ELF module") + (kind == Compression::None ? "" : " once decompressed"));
  std::string scheme;
  std::string_view body = unsigned_part(module, &scheme);
  Xxh128 h;
  const char header[4] = {scheme.empty() ? 'u' : 's', scheme.empty() ? '\0' : scheme[0],
                          scheme.empty() ? '\0' : scheme[1], scheme.empty() ? '\0' : scheme[2]};
  h.update(header, sizeof header);  // fixed size, first: no body can imitate it
  h.update(body.data(), body.size());
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
