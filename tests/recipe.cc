#include "recipe.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/hash.h"

namespace fixture {
namespace fs = std::filesystem;

std::string compress(const std::string& in, const std::string& how) {
  if (how == "none") return in;
  if (how == "gzip") {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("zlib");
    std::string out(deflateBound(&z, in.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }
  if (how == "zstd") {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
    if (ZSTD_isError(n)) throw std::runtime_error("zstd failed");
    out.resize(n);
    return out;
  }
  if (how == "xz") {
    std::string out(lzma_stream_buffer_bound(in.size()), '\0');
    size_t pos = 0;
    // As the kernel's modules_install compresses modules: xz --check=crc32 --lzma2=dict=1MiB.
    lzma_options_lzma opt;
    lzma_lzma_preset(&opt, 6);
    opt.dict_size = 1u << 20;
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
    if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, nullptr, reinterpret_cast<const uint8_t*>(in.data()),
                                  in.size(), reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()) != LZMA_OK)
      throw std::runtime_error("xz failed");
    out.resize(pos);
    return out;
  }
  throw std::runtime_error("unknown compression " + how);
}
using nlohmann::json;

namespace {

uint32_t parse_mode(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint32_t>();
  if (v.is_string()) return static_cast<uint32_t>(std::stoul(v.get<std::string>(), nullptr, 8));
  throw std::runtime_error("mode must be an octal string like \"0755\"");
}

std::string generated(uint64_t size, uint64_t seed) {
  std::string out(size, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (uint64_t i = 0; i < size; i += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    for (uint64_t k = 0; k < 8 && i + k < size; ++k) out[i + k] = static_cast<char>(x >> (8 * k));
  }
  return out;
}

la_ssize_t append_cb(struct archive*, void* ctx, const void* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// Word-like content: compresses about as well as binaries and text in a real OS image.
std::string generated_text(uint64_t size, uint64_t seed) {
  static const char* words[] = {"usr", "lib", "kernel", "module", "zfs", "nvidia", "0x7f", "systemd", "\n",
                                "podman", "ELF", "\x01\x02", "centos", "bootc", "rpm", "====", "libc.so.6"};
  std::string out;
  out.reserve(size);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 7;
  while (out.size() < size) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    if ((x & 7) == 0) out += static_cast<char>(x >> 8);
    else out += words[(x >> 16) % (sizeof words / sizeof *words)];
    out += ' ';
  }
  out.resize(size);
  return out;
}


std::string entry_content(const RecipeEntry& e) {
  if (e.kmod) return make_kmod(e.modinfo, e.kmod_signed, e.kmod_compress, e.kmod_key, e.kmod_size, e.seed);
  if (!e.generated) return e.content;
  return e.text ? generated_text(e.size, e.seed) : generated(e.size, e.seed);
}

// The tar of one layer, uncompressed.
std::string layer_tar(const RecipeLayer& l) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, append_cb, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a));
  uint64_t last_size = 0;
  for (const RecipeEntry& r : l.entries) {
    struct archive_entry* e = archive_entry_new();
    std::string name = r.path;
    std::string content;
    if (r.type == "whiteout") {
      fs::path p(r.path);
      name = (p.parent_path() / (".wh." + p.filename().string())).string();
      archive_entry_set_filetype(e, AE_IFREG);
    } else if (r.type == "opaque") {
      name = (fs::path(r.path) / ".wh..wh..opq").string();
      archive_entry_set_filetype(e, AE_IFREG);
    } else if (r.type == "dir") {
      archive_entry_set_filetype(e, AE_IFDIR);
    } else if (r.type == "symlink") {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, r.target.c_str());
    } else if (r.type == "hardlink") {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, r.target.c_str());
    } else if (r.type == "fifo") {
      archive_entry_set_filetype(e, AE_IFIFO);
    } else if (r.type == "char" || r.type == "block") {
      archive_entry_set_filetype(e, r.type == "char" ? AE_IFCHR : AE_IFBLK);
      archive_entry_set_rdevmajor(e, r.dev_major);
      archive_entry_set_rdevminor(e, r.dev_minor);
    } else if (r.type == "file") {
      archive_entry_set_filetype(e, AE_IFREG);
      content = entry_content(r);
    } else {
      throw std::runtime_error("unknown entry type " + r.type);
    }
    archive_entry_set_pathname(e, name.c_str());
    uint32_t def = r.type == "dir" ? 0755 : r.type == "symlink" ? 0777 : 0644;
    archive_entry_set_perm(e, r.mode_set ? r.mode : def);
    archive_entry_set_uid(e, r.uid);
    archive_entry_set_gid(e, r.gid);
    archive_entry_set_mtime(e, r.mtime, 0);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    for (auto& [k, v] : r.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    if (archive_write_header(a, e) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (!content.empty() && archive_write_data(a, content.data(), content.size()) < 0)
      throw std::runtime_error(archive_error_string(a));
    last_size = content.size();
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  if (!l.end_marker) {
    // Drop the two zero blocks and the last entry's padding, as umoci 0.4.7 does.
    if (out.size() >= 1024) out.resize(out.size() - 1024);
    uint64_t pad = (512 - last_size % 512) % 512;
    if (out.size() >= pad) out.resize(out.size() - pad);
  }
  return out;
}


void put_le(std::string& s, size_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}

std::string hex_of(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

std::string layer_media_type(const std::string& how) {
  if (how == "gzip") return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (how == "zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.oci.image.layer.v1.tar";
}

using Files = std::map<std::string, std::string>;

struct Built {
  std::string config, config_digest;
  std::vector<std::string> tars;  // uncompressed
  std::string manifest, manifest_digest;
};

Built build_image(const Recipe& r, Files& blobs) {
  Built b;
  json layers = json::array();
  json diff_ids = json::array();
  json history = json::array();
  for (const RecipeLayer& l : r.layers) {
    std::string tar = layer_tar(l);
    std::string blob = compress(tar, l.compression);
    if (l.truncate >= 0 && static_cast<size_t>(l.truncate) < blob.size()) blob.resize(static_cast<size_t>(l.truncate));
    // bad_digest: the blob is stored under a digest that is not its own.
    std::string digest = l.bad_digest ? "sha256:" + std::string(64, 'a') : imagelint::sha256_of(blob);
    blobs["blobs/sha256/" + hex_of(digest)] = blob;
    layers.push_back({{"mediaType", layer_media_type(l.compression)}, {"digest", digest}, {"size", blob.size()}});
    std::string diff_id = l.bad_diff_id ? "sha256:" + std::string(64, 'b') : imagelint::sha256_of(tar);
    diff_ids.push_back(diff_id);
    history.push_back({{"created", "2023-11-14T22:13:20Z"}, {"created_by", l.created_by}});
    b.tars.push_back(std::move(tar));
  }
  json cfg = {{"architecture", r.arch},
              {"os", r.os},
              {"config", {{"Labels", r.labels}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
              {"history", history}};
  if (!r.variant.empty()) cfg["variant"] = r.variant;
  b.config = cfg.dump();
  b.config_digest = imagelint::sha256_of(b.config);
  blobs["blobs/sha256/" + hex_of(b.config_digest)] = b.config;
  json man = {{"schemaVersion", 2},
              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                          {"digest", b.config_digest},
                          {"size", b.config.size()}}},
              {"layers", layers}};
  b.manifest = man.dump();
  b.manifest_digest = imagelint::sha256_of(b.manifest);
  blobs["blobs/sha256/" + hex_of(b.manifest_digest)] = b.manifest;
  return b;
}

Files oci_files(const std::vector<Recipe>& images, bool multiarch) {
  Files files;
  files["oci-layout"] = R"({"imageLayoutVersion":"1.0.0"})";
  json manifests = json::array();
  for (const Recipe& r : images) {
    Built b = build_image(r, files);
    json d = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"digest", b.manifest_digest},
              {"size", b.manifest.size()}};
    if (multiarch) {
      d["platform"] = {{"os", r.os}, {"architecture", r.arch}};
      if (!r.variant.empty()) d["platform"]["variant"] = r.variant;
    } else {
      d["annotations"] = {{"org.opencontainers.image.ref.name", r.tag}};
    }
    manifests.push_back(d);
  }
  if (multiarch) {
    std::string nested = json{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"manifests", manifests}}.dump();
    std::string digest = imagelint::sha256_of(nested);
    files["blobs/sha256/" + hex_of(digest)] = nested;
    manifests = json::array({{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"digest", digest},
                              {"size", nested.size()},
                              {"annotations", {{"org.opencontainers.image.ref.name", images.at(0).tag}}}}});
  }
  files["index.json"] = json{{"schemaVersion", 2}, {"manifests", manifests}}.dump();
  return files;
}

void write_file(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

void write_tar(const Files& files, const std::string& out_path, const std::map<std::string, std::string>& symlinks = {}) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, out_path.c_str()) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
  std::set<std::string> dirs;
  for (auto& [name, data] : files) {
    for (fs::path p = fs::path(name).parent_path(); !p.empty(); p = p.parent_path()) dirs.insert(p.string());
  }
  auto put = [&](const std::string& name, int type, const std::string* data, const std::string* link) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(type));
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (link) archive_entry_set_symlink(e, link->c_str());
    archive_entry_set_size(e, data ? static_cast<la_int64_t>(data->size()) : 0);
    archive_write_header(a, e);
    if (data && !data->empty()) archive_write_data(a, data->data(), data->size());
    archive_entry_free(e);
  };
  for (auto& d : dirs) put(d, AE_IFDIR, nullptr, nullptr);
  for (auto& [name, data] : files) put(name, AE_IFREG, &data, nullptr);
  for (auto& [name, target] : symlinks) put(name, AE_IFLNK, nullptr, &target);
  if (archive_write_close(a) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
  archive_write_free(a);
}

}  // namespace

RecipeEntry file(const std::string& path, const std::string& content, int mode) {
  RecipeEntry e;
  e.path = path;
  e.content = content;
  if (mode >= 0) e.mode = static_cast<uint32_t>(mode), e.mode_set = true;
  return e;
}

RecipeEntry dir(const std::string& path, int mode) {
  RecipeEntry e = file(path, "", mode);
  e.type = "dir";
  return e;
}

RecipeEntry symlink(const std::string& path, const std::string& target) {
  RecipeEntry e = file(path);
  e.type = "symlink";
  e.target = target;
  return e;
}

RecipeEntry hardlink(const std::string& path, const std::string& target) {
  RecipeEntry e = symlink(path, target);
  e.type = "hardlink";
  return e;
}

RecipeEntry whiteout(const std::string& path) {
  RecipeEntry e = file(path);
  e.type = "whiteout";
  return e;
}

namespace {

// Bytes that compress about as machine code does under xz (~5:1): short random opcodes from a
// small alphabet, with repeated sequences.
std::string code_like(uint64_t n, uint64_t seed) {
  std::string out;
  out.reserve(n);
  uint64_t x = seed * 6364136223846793005ull + 1442695040888963407ull;
  auto next = [&] { return (x = x * 6364136223846793005ull + 1442695040888963407ull) >> 33; };
  while (out.size() < n) {
    uint64_t r = next();
    if (r % 4 == 0 && out.size() > 64) {  // repeat an earlier sequence
      size_t len = 4 + r / 4 % 24, from = static_cast<size_t>(next() % (out.size() - 32));
      for (size_t i = 0; i < len && out.size() < n; ++i) out += out[from + i];
    } else {
      static const char kOps[] = "\x48\x89\x8b\xe8\x0f\x85\x84\xc3\x41\x55\x31\xc0\xff\x74\x24\x83";
      out += kOps[r % 16];
      if (r & 0x100) out += static_cast<char>(next() & 0xff);
    }
  }
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string make_kmod(const std::vector<std::pair<std::string, std::string>>& modinfo, bool sign,
                      const std::string& how, const std::string& key, uint64_t size, uint64_t seed) {
  // ELF64 little-endian relocatable: header, .text, .modinfo, .shstrtab, then section headers.
  // With a size, .text holds the first ~22% (code, then a run of format strings as .rodata.str
  // would) and the bytes after .modinfo the rest, so .modinfo sits where real modules have it.
  std::string text(256, '\x90');
  std::string data;
  if (size > 0) {
    text = code_like(size * 20 / 100, seed);
    for (int i = 0; text.size() < size * 22 / 100; ++i) text += std::string("%s: device ") + std::to_string(i) + " mode=%d\n" + '\0';
    data = code_like(size - std::min<uint64_t>(size, text.size()), seed + 1);
  }
  std::string info;
  for (auto& [k, v] : modinfo) info += k + "=" + v + std::string(1, '\0');
  static const char kNames[] = "\0.text\0.modinfo\0.shstrtab";  // offsets 1, 7, 16
  std::string names(kNames, sizeof kNames);
  std::string elf(64, '\0');
  elf.replace(0, 4, "\x7f" "ELF");
  elf[4] = 2, elf[5] = 1, elf[6] = 1;
  put_le(elf, 16, 1, 2);     // ET_REL
  put_le(elf, 18, 62, 2);    // x86-64
  put_le(elf, 20, 1, 4);
  size_t text_off = elf.size();
  elf += text;
  size_t info_off = elf.size();
  elf += info;
  elf += data;  // .data: not named in the section table, as if it were stripped of its header
  size_t names_off = elf.size();
  elf += names;
  while (elf.size() % 8) elf += '\0';
  size_t shoff = elf.size();
  put_le(elf, 0x28, shoff, 8);
  put_le(elf, 0x34, 64, 2);  // e_ehsize
  put_le(elf, 0x3a, 64, 2);  // e_shentsize
  put_le(elf, 0x3c, 4, 2);   // e_shnum
  put_le(elf, 0x3e, 3, 2);   // e_shstrndx
  auto section = [&](uint32_t name, uint32_t type, uint64_t flags, uint64_t off, uint64_t len) {
    std::string sh(64, '\0');
    put_le(sh, 0, name, 4);
    put_le(sh, 4, type, 4);
    put_le(sh, 8, flags, 8);
    put_le(sh, 0x18, off, 8);
    put_le(sh, 0x20, len, 8);
    put_le(sh, 0x30, 1, 8);
    elf += sh;
  };
  section(0, 0, 0, 0, 0);
  section(1, 1, 6, text_off, text.size());      // .text PROGBITS AX
  section(7, 1, 2, info_off, info.size());      // .modinfo PROGBITS A
  section(16, 3, 0, names_off, names.size());   // .shstrtab STRTAB
  if (sign) {
    // As the kernel's sign-file appends it: the PKCS#7 blob, struct module_signature (algo, hash,
    // id_type = 2 for PKCS#7, signer_len, key_id_len, pad[3], big-endian sig_len), the marker.
    const uint32_t sig_len = 256;
    for (uint32_t i = 0; i < sig_len; ++i) elf += key.empty() ? '\x30' : key[i % key.size()];
    elf += std::string("\0\0\x02\0\0\0\0\0", 8);
    for (int shift = 24; shift >= 0; shift -= 8) elf += static_cast<char>((sig_len >> shift) & 0xff);
    elf += "~Module signature appended~\n";
  }
  if (how == "none") return elf;
  return compress(elf, how == "zst" ? "zstd" : how == "gz" ? "gzip" : how);
}

Recipe parse_recipe(const std::string& text) {
  json j = json::parse(text);
  Recipe r;
  r.tag = j.value("tag", r.tag);
  if (j.contains("platform")) {
    std::string p = j["platform"];
    size_t a = p.find('/'), b = p.find('/', a + 1);
    r.os = p.substr(0, a);
    r.arch = p.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    if (b != std::string::npos) r.variant = p.substr(b + 1);
  }
  if (j.contains("labels")) r.labels = j["labels"].get<std::map<std::string, std::string>>();
  for (auto& jl : j.at("layers")) {
    RecipeLayer l;
    l.compression = jl.value("compression", l.compression);
    l.created_by = jl.value("created_by", std::string());
    l.end_marker = jl.value("end_marker", true);
    l.truncate = jl.value("truncate", static_cast<int64_t>(-1));
    l.bad_diff_id = jl.value("bad_diff_id", false);
    l.bad_digest = jl.value("bad_digest", false);
    for (auto& je : jl.at("entries")) {
      RecipeEntry e;
      e.path = je.at("path");
      e.type = je.value("type", std::string("file"));
      e.content = je.value("content", std::string());
      if (je.contains("size")) {
        e.size = je["size"];
        e.seed = je.value("seed", static_cast<uint64_t>(1));
        e.generated = true;
        e.text = je.value("text", false);
      }
      e.target = je.value("target", std::string());
      if (je.contains("mode")) e.mode = parse_mode(je["mode"]), e.mode_set = true;
      e.uid = je.value("uid", 0u);
      e.gid = je.value("gid", 0u);
      e.mtime = je.value("mtime", e.mtime);
      e.dev_major = je.value("major", 0u);
      e.dev_minor = je.value("minor", 0u);
      if (je.contains("modinfo")) {
        e.kmod = true;
        for (auto& kv : je["modinfo"]) e.modinfo.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
        if (je.contains("signed") && je["signed"].is_string()) {
          e.kmod_signed = true;
          e.kmod_key = je["signed"].get<std::string>();
        } else {
          e.kmod_signed = je.value("signed", false);
        }
        e.kmod_compress = je.value("compress", std::string("none"));
        e.kmod_size = je.value("module_size", static_cast<uint64_t>(0));
        e.seed = je.value("seed", static_cast<uint64_t>(1));
      }
      if (je.contains("xattrs"))
        for (auto& [k, v] : je["xattrs"].items()) e.xattrs.emplace_back(k, v.get<std::string>());
      l.entries.push_back(std::move(e));
    }
    r.layers.push_back(std::move(l));
  }
  return r;
}

Recipe load_recipe(const std::string& file) {
  std::ifstream f(file);
  if (!f) throw std::runtime_error("cannot read " + file);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_recipe(ss.str());
}

void write_oci(const std::vector<Recipe>& images, const std::string& dir, bool multiarch) {
  for (auto& [name, data] : oci_files(images, multiarch)) write_file(fs::path(dir) / name, data);
}

void write_oci_archive(const std::vector<Recipe>& images, const std::string& file, bool multiarch) {
  write_tar(oci_files(images, multiarch), file);
}

void write_docker_archive(const Recipe& r, const std::string& file, bool oci_style) {
  if (oci_style) {
    // docker 25+: the OCI layout plus a manifest.json that names the same blobs.
    Files files = oci_files({r}, false);
    Files blobs;
    Built b = build_image(r, blobs);
    json layers = json::array();
    json manifest = json::parse(b.manifest);
    for (auto& l : manifest["layers"]) layers.push_back("blobs/sha256/" + hex_of(l["digest"]));
    files["manifest.json"] = json::array({{{"Config", "blobs/sha256/" + hex_of(b.config_digest)},
                                           {"RepoTags", {"example.com/fixture:" + r.tag}},
                                           {"Layers", layers}}})
                                 .dump();
    write_tar(files, file);
    return;
  }
  Files blobs;
  Built b = build_image(r, blobs);
  Files files;
  json layers = json::array();
  std::map<std::string, std::string> links;
  std::set<std::string> seen;
  for (const std::string& tar : b.tars) {
    std::string id = hex_of(imagelint::sha256_of(tar));
    std::string name = id + "/layer.tar";
    if (seen.insert(id).second) {
      files[name] = tar;
      layers.push_back(name);
    } else {
      // A repeated layer is a symlink to the first copy, as docker save writes it.
      std::string link = id + "-" + std::to_string(layers.size()) + "/layer.tar";
      links[link] = "../" + name;
      layers.push_back(link);
    }
  }
  files[hex_of(b.config_digest) + ".json"] = b.config;
  files["manifest.json"] = json::array({{{"Config", hex_of(b.config_digest) + ".json"},
                                         {"RepoTags", {"example.com/fixture:" + r.tag}},
                                         {"Layers", layers}}})
                               .dump();
  write_tar(files, file, links);
}

void write_rootfs(const Recipe& r, const std::string& dir) {
  fs::create_directories(dir);
  std::vector<std::pair<fs::path, int64_t>> times;
  for (const RecipeLayer& l : r.layers) {
    std::set<std::string> written;
    for (RecipeEntry e : l.entries) {
      // Raw whiteout names in a recipe mean what they mean in a layer.
      std::string base = fs::path(e.path).filename().string();
      if (e.type == "file" && base == ".wh..wh..opq") e.type = "opaque", e.path = fs::path(e.path).parent_path().string();
      else if (e.type == "file" && base.starts_with(".wh."))
        e.type = "whiteout", e.path = (fs::path(e.path).parent_path() / base.substr(4)).string();
      fs::path p = fs::path(dir) / e.path;
      if (e.type == "whiteout") {
        fs::remove_all(p);
        continue;
      }
      if (e.type == "opaque") {
        if (fs::exists(p))
          for (auto& c : fs::directory_iterator(p))
            if (!written.count(c.path().string())) fs::remove_all(c.path());
        continue;
      }
      fs::create_directories(p.parent_path());
      written.insert(p.string());
      if (e.type != "dir" && fs::symlink_status(p).type() != fs::file_type::not_found) fs::remove_all(p);
      uint32_t mode = e.mode_set ? e.mode : (e.type == "dir" ? 0755 : 0644);
      if (e.type == "dir") {
        fs::create_directories(p);
      } else if (e.type == "symlink") {
        fs::create_symlink(e.target, p);
      } else if (e.type == "hardlink") {
        fs::create_hard_link(fs::path(dir) / e.target, p);
        continue;
      } else if (e.type == "fifo") {
        ::mkfifo(p.c_str(), mode);
      } else if (e.type == "char" || e.type == "block") {
        ::mknod(p.c_str(), (e.type == "char" ? S_IFCHR : S_IFBLK) | mode, makedev(e.dev_major, e.dev_minor));
      } else {
        write_file(p, entry_content(e));
      }
      if (::lchown(p.c_str(), e.uid, e.gid) != 0) throw std::runtime_error("lchown " + p.string());
      if (e.type != "symlink") ::chmod(p.c_str(), mode);  // after chown, which clears setuid
      for (auto& [k, v] : e.xattrs) ::lsetxattr(p.c_str(), k.c_str(), v.data(), v.size(), 0);
      times.emplace_back(p, e.mtime);
    }
  }
  // Directory mtimes last, deepest first, so writing children does not disturb them.
  for (auto it = times.rbegin(); it != times.rend(); ++it) {
    struct timespec ts[2] = {{it->second, 0}, {it->second, 0}};
    ::utimensat(AT_FDCWD, it->first.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }
}

}  // namespace fixture
