#include "hostile.h"

#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "recipe.h"
#include "util/hash.h"

namespace hostile {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void put(std::string& b, size_t at, size_t width, const std::string& v) {
  std::memcpy(b.data() + at, v.data(), std::min(width, v.size()));
}

void put_octal(std::string& b, size_t at, size_t width, uint64_t v) {
  std::string s = fmt::format("{:0{}o}", v, width - 1);
  if (s.size() > width - 1) s = s.substr(s.size() - (width - 1));  // too wide: cut (a lie)
  put(b, at, width, s);
}

void pad(std::string& out) { out.append((512 - out.size() % 512) % 512, '\0'); }

std::string hex_of(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

std::string media_type_of(const std::string& blob) {
  if (blob.starts_with("\x1f\x8b")) return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (blob.starts_with("\x28\xb5\x2f\xfd")) return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.oci.image.layer.v1.tar";
}

void write(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

std::string header_block(const Hdr& h) {
  std::string b(512, '\0');
  put(b, 0, 100, h.name);
  put_octal(b, 100, 8, h.mode);
  put_octal(b, 108, 8, h.uid);
  put_octal(b, 116, 8, h.gid);
  if (!h.size_raw.empty())
    put(b, 124, 12, h.size_raw);
  else
    put_octal(b, 124, 12, h.size);
  put_octal(b, 136, 12, 1700000000);
  b[156] = h.type;
  put(b, 157, 100, h.link);
  put(b, 257, 6, std::string("ustar\0", 6));
  put(b, 263, 2, "00");
  put(b, 265, 32, "root");
  put(b, 297, 32, "root");
  put_octal(b, 329, 8, h.dev_major);
  put_octal(b, 337, 8, h.dev_minor);
  std::memset(b.data() + 148, ' ', 8);
  int64_t sum = 0;
  for (unsigned char c : b) sum += c;
  sum += h.checksum_delta;
  std::string cs = fmt::format("{:06o}", static_cast<uint64_t>(sum) & 0777777);
  put(b, 148, 6, cs);
  b[154] = '\0';
  b[155] = ' ';
  return b;
}

RawTar& RawTar::entry(const Hdr& h, const std::string& data) {
  out_ += header_block(h);
  out_ += data;
  pad(out_);
  return *this;
}

RawTar& RawTar::file(const std::string& name, const std::string& data, uint32_t mode) {
  return entry({.name = name, .type = '0', .size = data.size(), .mode = mode}, data);
}

RawTar& RawTar::dir(const std::string& name) { return entry({.name = name, .type = '5', .mode = 0755}); }

RawTar& RawTar::symlink(const std::string& name, const std::string& target) {
  return entry({.name = name, .type = '2', .link = target, .mode = 0777});
}

RawTar& RawTar::pax(const std::vector<std::pair<std::string, std::string>>& records) {
  std::string body;
  for (auto& [k, v] : records) {
    // "LEN KEY=VALUE\n" where LEN counts itself.
    size_t rest = 1 + k.size() + 1 + v.size() + 1;
    size_t len = rest + 1;
    while (std::to_string(len).size() + rest != len) len = std::to_string(len).size() + rest;
    body += std::to_string(len) + " " + k + "=" + v + "\n";
  }
  return entry({.name = "PaxHeaders/x", .type = 'x', .size = body.size()}, body);
}

RawTar& RawTar::gnu_long(char type, const std::string& value) {
  std::string body = value + '\0';
  return entry({.name = "././@LongLink", .type = type, .size = body.size()}, body);
}

RawTar& RawTar::raw(const std::string& bytes) {
  out_ += bytes;
  return *this;
}

std::string RawTar::finish(bool end_marker) {
  if (end_marker) out_.append(1024, '\0');
  return std::move(out_);
}

Layer layer(const std::string& tar, const std::string& how) {
  Layer l;
  l.blob = fixture::compress(tar, how);
  l.diff_id = imagelint::sha256_of(tar);
  return l;
}

std::string add_blob(const std::string& dir, const std::string& bytes) {
  std::string digest = imagelint::sha256_of(bytes);
  write(fs::path(dir) / "blobs/sha256" / hex_of(digest), bytes);
  return digest;
}

void write_layout(const std::string& dir, const std::vector<Layer>& layers, const Tamper& t) {
  json descs = json::array(), diff_ids = json::array(), history = json::array();
  for (const Layer& l : layers) {
    std::string digest = add_blob(dir, l.blob);
    descs.push_back({{"mediaType", l.media_type.empty() ? media_type_of(l.blob) : l.media_type},
                     {"digest", digest},
                     {"size", l.blob.size()}});
    diff_ids.push_back(l.diff_id.empty() ? digest : l.diff_id);
    history.push_back({{"created", "2023-11-14T22:13:20Z"}, {"created_by", l.created_by}});
  }
  json cfg = {{"architecture", "amd64"},
              {"os", "linux"},
              {"config", json::object()},
              {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
              {"history", history}};
  if (t.config) t.config(cfg);
  std::string cfg_text = cfg.dump();
  if (t.config_text) t.config_text(cfg_text);
  json man = {{"schemaVersion", 2},
              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                          {"digest", add_blob(dir, cfg_text)},
                          {"size", cfg_text.size()}}},
              {"layers", descs}};
  if (t.manifest) t.manifest(man);
  std::string man_text = man.dump();
  json index = {{"schemaVersion", 2},
                {"manifests", json::array({{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                            {"digest", add_blob(dir, man_text)},
                                            {"size", man_text.size()},
                                            {"annotations", {{"org.opencontainers.image.ref.name", "latest"}}}}})}};
  if (t.index) t.index(index);
  write(fs::path(dir) / "index.json", index.dump());
  write(fs::path(dir) / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

Layer zero_bomb(uint64_t size, const std::string& how, const std::string& diff_id) {
  constexpr uint64_t kChunk = 64ull << 20;
  if (size % kChunk) throw std::runtime_error("zero_bomb: size must be a multiple of 64 MiB");
  std::string head = RawTar()
                         .pax({{"size", std::to_string(size)}})
                         .entry({.name = "zeros", .size = 0})  // the pax size wins
                         .finish(false);
  Layer l;
  l.blob = fixture::compress(head, how);
  const std::string chunk = fixture::compress(std::string(kChunk, '\0'), how);
  l.blob.reserve(l.blob.size() + chunk.size() * (size / kChunk) + 64);
  for (uint64_t i = 0; i < size / kChunk; ++i) l.blob += chunk;
  l.blob += fixture::compress(std::string(1024, '\0'), how);  // the end-of-archive blocks
  l.diff_id = diff_id;
  return l;
}

Layer many_files(uint64_t n) {
  ZSTD_CCtx* cx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cx, ZSTD_c_compressionLevel, 1);
  imagelint::Sha256 diff;
  Layer l;
  std::string pending;
  auto flush = [&](bool last) {
    diff.update(pending.data(), pending.size());
    ZSTD_inBuffer in{pending.data(), pending.size(), 0};
    std::string out(ZSTD_CStreamOutSize(), '\0');
    for (;;) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      size_t rc = ZSTD_compressStream2(cx, &ob, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(rc)) throw std::runtime_error("zstd failed");
      l.blob.append(out.data(), ob.pos);
      if (last ? rc == 0 : in.pos == in.size) break;
    }
    pending.clear();
  };
  for (uint64_t i = 0; i < n; ++i) {
    if (i % 1000 == 0) pending += header_block({.name = fmt::format("d{:04}/", i / 1000), .type = '5', .mode = 0755});
    pending += header_block({.name = fmt::format("d{:04}/{:07}", i / 1000, i)});
    if (pending.size() >= (1u << 20)) flush(false);
  }
  pending.append(1024, '\0');
  flush(true);
  ZSTD_freeCCtx(cx);
  l.diff_id = diff.digest();
  return l;
}

}  // namespace hostile
