#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace imagelint {

// Streaming sha256 (OpenSSL libcrypto). digest() returns "sha256:<hex>".
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t n);
  std::string digest();  // finalises; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_of(std::string_view data);

// 128-bit xxh3 of file content, kept as two words; hex() is 32 lowercase digits.
struct ContentHash {
  uint64_t hi = 0, lo = 0;
  bool operator==(const ContentHash&) const = default;
  std::string hex() const;
};

class Xxh128 {
 public:
  Xxh128();
  ~Xxh128();
  Xxh128(const Xxh128&) = delete;
  Xxh128& operator=(const Xxh128&) = delete;
  void update(const void* data, size_t n);
  ContentHash digest() const;

 private:
  void* state_;
};

ContentHash xxh128_of(std::string_view data);

std::string to_hex(const unsigned char* p, size_t n);

}  // namespace imagelint
