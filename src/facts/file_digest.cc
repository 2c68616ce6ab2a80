#include "facts/file_digest.h"

#include <openssl/evp.h>

#include <map>
#include <stdexcept>

#include "util/hash.h"
#include "util/text.h"

namespace imagelint {

namespace {

const EVP_MD* evp_of(uint32_t algo) {
  switch (algo) {
    case 1: return EVP_md5();
    case 2: return EVP_sha1();
    case 8: return EVP_sha256();
    case 9: return EVP_sha384();
    case 10: return EVP_sha512();
    case 11: return EVP_sha224();
    default: return nullptr;
  }
}

}  // namespace

const char* digest_algo_name(uint32_t algo) {
  switch (algo) {
    case 1: return "md5";
    case 2: return "sha1";
    case 8: return "sha256";
    case 9: return "sha384";
    case 10: return "sha512";
    case 11: return "sha224";
    default: return nullptr;
  }
}

uint32_t digest_algo_from_name(std::string_view name) {
  for (uint32_t a : {1u, 2u, 8u, 9u, 10u, 11u})
    if (name == digest_algo_name(a)) return a;
  return 0;
}

struct FileDigester::Running {
  uint32_t algo;
  EVP_MD_CTX* ctx;
};

FileDigester::FileDigester(const std::vector<uint32_t>& algos) {
  for (uint32_t a : algos) {
    const EVP_MD* md = evp_of(a);
    if (!md) continue;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      for (Running* r : running_) {
        EVP_MD_CTX_free(r->ctx);
        delete r;
      }
      throw std::runtime_error("libcrypto: cannot start a digest");
    }
    running_.push_back(new Running{a, ctx});
  }
}

FileDigester::~FileDigester() {
  for (Running* r : running_) {
    EVP_MD_CTX_free(r->ctx);
    delete r;
  }
}

void FileDigester::data(const char* p, size_t n) {
  for (Running* r : running_) EVP_DigestUpdate(r->ctx, p, n);
}

void FileDigester::end() {
  for (Running* r : running_) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(r->ctx, md, &len) == 1) {
      if (!done_.empty()) done_ += ' ';
      // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on std::to_string(x) + "...".
      done_.append(std::to_string(r->algo)).append(1, ':').append(to_hex(md, len));
    }
    EVP_MD_CTX_free(r->ctx);
    delete r;
  }
  running_.clear();
}

bool FileDigester::save(std::string& out) const {
  out += done_;
  return true;
}

bool FileDigester::load(std::string_view in) {
  done_.assign(in);
  while (!in.empty()) {
    size_t sp = in.find(' ');
    std::string_view item = in.substr(0, sp);
    in.remove_prefix(sp == std::string_view::npos ? in.size() : sp + 1);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2) return false;
    uint32_t a = 0;
    for (char c : item.substr(0, colon)) {
      if (c < '0' || c > '9') return false;
      a = a * 10 + static_cast<uint32_t>(c - '0');
    }
    const EVP_MD* md = evp_of(a);
    std::string_view hex = item.substr(colon + 1);
    if (!md || hex.size() != 2 * static_cast<size_t>(EVP_MD_get_size(md)) || !is_lower_hex(hex)) return false;
  }
  return true;
}

const std::string* FileDigester::hex(uint32_t algo) const {
  std::string prefix = std::to_string(algo);
  prefix += ':';
  for (size_t pos = 0; pos < done_.size();) {
    size_t end = done_.find(' ', pos);
    if (end == std::string::npos) end = done_.size();
    if (done_.compare(pos, prefix.size(), prefix) == 0) {
      hex_ = done_.substr(pos + prefix.size(), end - pos - prefix.size());
      return &hex_;
    }
    pos = end + 1;
  }
  return nullptr;
}

const std::string& empty_digest(uint32_t algo) {
  static const std::map<uint32_t, std::string> all = [] {
    std::map<uint32_t, std::string> m;
    for (uint32_t a : {1u, 2u, 8u, 9u, 10u, 11u}) {
      FileDigester d({a});
      d.end();
      m[a] = *d.hex(a);
    }
    return m;
  }();
  static const std::string none;
  auto it = all.find(algo);
  return it == all.end() ? none : it->second;
}

std::string file_digest_key(const std::vector<uint32_t>& algos) {
  std::string k = "file-digest/1";
  for (uint32_t a : algos) k.append(1, ' ').append(std::to_string(a));
  return k;
}

}  // namespace imagelint
