// The quadlet file kinds: for each, its extension, the group quadlet reads, the suffix of the
// service it generates, and the keys that group accepts.
#include "facts/units_quadlet_kinds.h"

#include <array>

#include "facts/units_quadlet.h"

namespace imagelint {
namespace units_internal {
namespace {

// The keys each group accepts: the option tables of podman-systemd.unit(5) at the corpus
// commit, plus the deprecated keys the generator still reads (Remap*, VolatileTmp, Kube's
// LogOpt). Anything else in the group makes quadlet refuse the file.
// clang-format off
constexpr std::string_view kContainerKeys[] = {
    "AddCapability", "AddDevice", "AddHost", "Annotation", "AppArmor", "AutoUpdate", "CgroupsMode", "ContainerName",
    "ContainersConfModule", "DNS", "DNSOption", "DNSSearch", "DropCapability", "Entrypoint", "Environment",
    "EnvironmentFile", "EnvironmentHost", "Exec", "ExposeHostPort", "GIDMap", "GlobalArgs", "Group", "GroupAdd",
    "HealthCmd", "HealthInterval", "HealthLogDestination", "HealthMaxLogCount", "HealthMaxLogSize", "HealthOnFailure",
    "HealthRetries", "HealthStartPeriod", "HealthStartupCmd", "HealthStartupInterval", "HealthStartupRetries",
    "HealthStartupSuccess", "HealthStartupTimeout", "HealthTimeout", "HostName", "HttpProxy", "IP", "IP6", "Image",
    "Label", "LogDriver", "LogOpt", "Mask", "Memory", "Mount", "Network", "NetworkAlias", "NoNewPrivileges", "Notify",
    "PidsLimit", "Pod", "PodmanArgs", "PublishPort", "Pull", "ReadOnly", "ReadOnlyTmpfs", "ReloadCmd", "ReloadSignal",
    "RemapGid", "RemapUid", "RemapUidSize", "RemapUsers", "Retry", "RetryDelay", "Rootfs", "RunInit",
    "SeccompProfile", "Secret", "SecurityLabelDisable", "SecurityLabelFileType", "SecurityLabelLevel",
    "SecurityLabelNested", "SecurityLabelType", "ServiceName", "ShmSize", "StartWithPod", "StopSignal", "StopTimeout",
    "SubGIDMap", "SubUIDMap", "Sysctl", "Timezone", "Tmpfs", "UIDMap", "Ulimit", "Unmask", "User", "UserNS",
    "VolatileTmp", "Volume", "WorkingDir"};
constexpr std::string_view kPodKeys[] = {
    "AddHost", "ContainersConfModule", "DNS", "DNSOption", "DNSSearch", "ExitPolicy", "GIDMap", "GlobalArgs",
    "HostName", "IP", "IP6", "Label", "Network", "NetworkAlias", "PodName", "PodmanArgs", "PublishPort", "RemapGid",
    "RemapUid", "RemapUidSize", "RemapUsers", "ServiceName", "ShmSize", "StopTimeout", "SubGIDMap", "SubUIDMap",
    "UIDMap", "UserNS", "Volume"};
constexpr std::string_view kKubeKeys[] = {
    "AutoUpdate", "ConfigMap", "ContainersConfModule", "ExitCodePropagation", "GlobalArgs", "KubeDownForce",
    "LogDriver", "LogOpt", "Network", "PodmanArgs", "PublishPort", "RemapGid", "RemapUid", "RemapUidSize",
    "RemapUsers", "ServiceName", "SetWorkingDirectory", "UserNS", "Yaml"};
constexpr std::string_view kNetworkKeys[] = {
    "ContainersConfModule", "DNS", "DisableDNS", "Driver", "Gateway", "GlobalArgs", "IPAMDriver", "IPRange", "IPv6",
    "InterfaceName", "Internal", "Label", "NetworkDeleteOnStop", "NetworkName", "Options", "PodmanArgs",
    "ServiceName", "Subnet"};
constexpr std::string_view kVolumeKeys[] = {
    "ContainersConfModule", "Copy", "Device", "Driver", "GID", "GlobalArgs", "Group", "Image", "Label", "Options",
    "PodmanArgs", "ServiceName", "Type", "UID", "User", "VolumeName"};
constexpr std::string_view kImageKeys[] = {
    "AllTags", "Arch", "AuthFile", "CertDir", "ContainersConfModule", "Creds", "DecryptionKey", "GlobalArgs", "Image",
    "ImageTag", "OS", "Policy", "PodmanArgs", "Retry", "RetryDelay", "ServiceName", "TLSVerify", "Variant"};
constexpr std::string_view kBuildKeys[] = {
    "Annotation", "Arch", "AuthFile", "BuildArg", "ContainersConfModule", "DNS", "DNSOption", "DNSSearch",
    "Environment", "File", "ForceRM", "GlobalArgs", "GroupAdd", "IgnoreFile", "ImageTag", "Label", "Network",
    "PodmanArgs", "Pull", "Retry", "RetryDelay", "Secret", "ServiceName", "SetWorkingDirectory", "TLSVerify",
    "Target", "Variant", "Volume"};
constexpr std::string_view kArtifactKeys[] = {
    "Artifact", "AuthFile", "CertDir", "ContainersConfModule", "Creds", "DecryptionKey", "GlobalArgs", "PodmanArgs",
    "Quiet", "Retry", "RetryDelay", "ServiceName", "TLSVerify"};
// clang-format on

template <size_t N>
constexpr QuadletKind kind_info(std::string_view kind, std::string_view group, std::string_view suffix,
                                const std::string_view (&keys)[N]) {
  return {kind, group, suffix, keys, N};
}

constexpr std::array kKinds = {
    kind_info("container", "Container", "", kContainerKeys),
    kind_info("pod", "Pod", "-pod", kPodKeys),
    kind_info("kube", "Kube", "", kKubeKeys),
    kind_info("network", "Network", "-network", kNetworkKeys),
    kind_info("volume", "Volume", "-volume", kVolumeKeys),
    kind_info("image", "Image", "-image", kImageKeys),
    kind_info("build", "Build", "-build", kBuildKeys),
    kind_info("artifact", "Artifact", "-artifact", kArtifactKeys),
};

}  // namespace

const QuadletKind* find_quadlet_kind(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;
  std::string_view ext = file_name.substr(dot + 1);
  for (const auto& k : kKinds)
    if (k.kind == ext) return &k;
  return nullptr;
}

}  // namespace units_internal

std::string_view quadlet_kind(std::string_view file_name) {
  const units_internal::QuadletKind* k = units_internal::find_quadlet_kind(file_name);
  return k ? k->kind : std::string_view();
}

std::string quadlet_service_name(std::string_view file_name, const UnitFile& unit) {
  const units_internal::QuadletKind* k = units_internal::find_quadlet_kind(file_name);
  if (!k) return std::string(file_name);
  if (auto name = quadlet_lookup(unit, k->group, "ServiceName")) return *name + ".service";
  std::string base(file_name.substr(0, file_name.rfind('.')));
  size_t at = base.find('@');
  if (at == std::string::npos) return base + std::string(k->service_suffix) + ".service";
  return base.substr(0, at) + std::string(k->service_suffix) + base.substr(at) + ".service";
}

}  // namespace imagelint
