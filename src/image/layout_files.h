// Internal to image/: the files of a layout, whether a directory or members of a tar read in place.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "image/image.h"
#include "image/outer_tar.h"

namespace imagelint {

class LayoutFiles {
 public:
  virtual ~LayoutFiles() = default;
  virtual bool has(const std::string& rel) const = 0;
  virtual BlobRef blob(const std::string& rel) const = 0;  // throws "missing" naming the file
  virtual std::string display(const std::string& rel) const = 0;
};

std::unique_ptr<LayoutFiles> dir_files(const std::string& dir);
std::unique_ptr<LayoutFiles> tar_files(const OuterTar& tar);

// Size caps for the JSON documents of an image: large enough for any real one.
inline constexpr uint64_t kMaxManifestBytes = 8u << 20;
inline constexpr uint64_t kMaxConfigBytes = 64u << 20;

// Reads and parses a JSON document, naming the file in errors.
nlohmann::json parse_json_blob(const BlobRef& blob, uint64_t cap, std::string* raw = nullptr);
// "blobs/sha256/<hex>" after validating the digest's form.
std::string blob_path(const std::string& digest, const std::string& display);
// Reads a blob and checks it against the digest; returns its bytes.
std::string read_verified(const LayoutFiles& files, const std::string& digest, uint64_t cap);
// Fills platform, labels, and each layer's diff_id and created_by from the config.
void apply_config(Image& img, const std::string& config_json, const std::string& display);

Image load_oci(const Reference& ref, const LayoutFiles& files, const std::string& where, const Platform& want);
Image load_docker_archive(const Reference& ref, const OuterTar& tar, const Platform& want);

}  // namespace imagelint
