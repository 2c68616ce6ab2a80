// Test-only: image recipes (fixtures/*.json) and the writers that turn them into real images
// (oci, oci-archive, docker-archive, dir) with libarchive. See fixtures/README.md for the format.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fixture {

struct RecipeEntry {
  std::string path;
  std::string type = "file";  // file dir symlink hardlink whiteout opaque fifo char block
  std::string content;        // file content (or generated, see size/seed)
  uint64_t size = 0;          // with seed: generated content of this size
  uint64_t seed = 0;
  bool generated = false;
  bool text = false;  // generated content is word-like (compresses as real files do)
  std::string target;  // symlink / hardlink target
  uint32_t mode = 0;
  bool mode_set = false;
  uint32_t uid = 0, gid = 0;
  int64_t mtime = 1700000000;
  uint32_t dev_major = 0, dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  // A kernel module: a minimal ELF relocatable object with this .modinfo, optionally with an
  // appended signature, compressed with kmod_compress (none, xz, zstd, gzip).
  std::vector<std::pair<std::string, std::string>> modinfo;
  bool kmod = false, kmod_signed = false;
  std::string kmod_key;  // "signed": "KEY" in a recipe: the signature's bytes come from KEY
  std::string kmod_compress = "none";
  // "module_size": N: a realistic body of about N bytes (machine-code-like .text, .rodata
  // strings, then .modinfo about 23% in, then .data), as real modules have; default a tiny one.
  uint64_t kmod_size = 0;
};

// Entry constructors for recipes written in C++ (mode -1: the default for the type).
RecipeEntry file(const std::string& path, const std::string& content = "", int mode = -1);
RecipeEntry dir(const std::string& path, int mode = -1);
RecipeEntry symlink(const std::string& path, const std::string& target);
RecipeEntry hardlink(const std::string& path, const std::string& target);
RecipeEntry whiteout(const std::string& path);

// in compressed as gzip, zstd or xz in one go ("none": as it is); throws std::runtime_error.
std::string compress(const std::string& in, const std::string& how);

// The bytes of such a module (test helper, also used by unit tests).
std::string make_kmod(const std::vector<std::pair<std::string, std::string>>& modinfo, bool sign,
                      const std::string& compress, const std::string& key = "", uint64_t size = 0,
                      uint64_t seed = 1);

struct RecipeLayer {
  std::string compression = "gzip";  // none gzip zstd xz
  std::string created_by;
  std::vector<RecipeEntry> entries;
  bool end_marker = true;      // false: stream ends right after the last entry's data (umoci 0.4.7)
  int64_t truncate = -1;       // cut the compressed blob to N bytes (and describe it as such)
  bool bad_diff_id = false;    // write a wrong diff_id into the config
  bool bad_digest = false;     // describe the blob with a wrong digest
};

struct Recipe {
  std::string tag = "latest";
  std::string os = "linux", arch = "amd64", variant;
  std::map<std::string, std::string> labels;
  std::vector<RecipeLayer> layers;
};

Recipe parse_recipe(const std::string& json_text);  // throws std::runtime_error
Recipe load_recipe(const std::string& file);

// Writers; each throws std::runtime_error on failure.
void write_oci(const std::vector<Recipe>& images, const std::string& dir, bool multiarch = false);
void write_oci_archive(const std::vector<Recipe>& images, const std::string& file, bool multiarch = false);
// oci_style: as docker 25+ writes it, an OCI layout whose manifest.json names blobs/sha256/… .
void write_docker_archive(const Recipe& r, const std::string& file, bool oci_style = false);
void write_rootfs(const Recipe& r, const std::string& dir);

}  // namespace fixture
