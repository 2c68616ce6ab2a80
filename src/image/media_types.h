#pragma once
#include <string>

namespace imagelint::media {

inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";

bool is_index(const std::string& mt);
bool is_manifest(const std::string& mt);
bool is_config(const std::string& mt);
// Throws InputError(display, reason) for a layer media type that is not a filesystem layer we read.
void check_layer(const std::string& mt, const std::string& display);

}  // namespace imagelint::media
