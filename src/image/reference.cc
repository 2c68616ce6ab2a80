#include "image/reference.h"

#include <sys/stat.h>

#include "image/outer_tar.h"
#include "util/error.h"

namespace imagelint {

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::Oci: return "oci";
    case Transport::OciArchive: return "oci-archive";
    case Transport::DockerArchive: return "docker-archive";
    case Transport::Dir: return "dir";
    case Transport::ContainersStorage: return "containers-storage";
  }
  return "?";
}

namespace {

bool exists(const std::string& p, bool* is_dir = nullptr) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return false;
  if (is_dir) *is_dir = S_ISDIR(st.st_mode);
  return true;
}

// PATH[:REST]: the path ends at the first ':' unless the whole text names an existing file.
void split_path(const std::string& body, std::string& path, std::string& rest) {
  size_t colon = body.find(':');
  if (colon == std::string::npos || exists(body)) {
    path = body;
    rest.clear();
  } else {
    path = body.substr(0, colon);
    rest = body.substr(colon + 1);
  }
}

Reference detect(const std::string& text) {
  Reference r;
  r.original = text;
  r.path = text;
  while (r.path.size() > 1 && r.path.ends_with("/")) r.path.pop_back();
  bool is_dir = false;
  if (!exists(text, &is_dir)) {
    // Maybe PATH:TAG on a bare path.
    size_t colon = text.rfind(':');
    if (colon != std::string::npos && exists(text.substr(0, colon))) {
      Reference inner = detect(text.substr(0, colon));
      if (inner.transport == Transport::Dir) throw UsageError(text + ": a dir: root filesystem takes no tag");
      inner.original = text;
      std::string tag = text.substr(colon + 1);
      if (inner.transport == Transport::DockerArchive && tag.starts_with("@")) inner.index = std::stoi(tag.substr(1));
      else inner.tag = tag;
      return inner;
    }
    throw InputError(text, "no such file or directory");
  }
  if (is_dir) {
    if (exists(text + "/oci-layout")) r.transport = Transport::Oci;
    else if (exists(text + "/manifest.json")) throw UsageError(text + ": an unpacked docker-archive directory is not supported; pass the .tar file");
    else r.transport = Transport::Dir;
    return r;
  }
  if (!looks_like_tar(text))
    throw InputError(text, "not an image: neither an OCI layout, a directory, nor a tar archive");
  OuterTar tar(text);
  if (tar.has("manifest.json")) r.transport = Transport::DockerArchive;
  else if (tar.has("oci-layout") || tar.has("index.json")) r.transport = Transport::OciArchive;
  else throw InputError(text, "not an image: a tar archive with neither manifest.json nor an OCI layout");
  return r;
}

}  // namespace

Reference parse_reference(const std::string& text) {
  if (text.empty()) throw UsageError("empty image reference");
  size_t colon = text.find(':');
  std::string scheme = colon == std::string::npos ? "" : text.substr(0, colon);
  std::string body = colon == std::string::npos ? "" : text.substr(colon + 1);
  Reference r;
  r.original = text;
  std::string rest;
  if (scheme == "oci" || scheme == "oci-archive") {
    r.transport = scheme == "oci" ? Transport::Oci : Transport::OciArchive;
    split_path(body, r.path, r.tag);
  } else if (scheme == "docker-archive") {
    r.transport = Transport::DockerArchive;
    split_path(body, r.path, rest);
    if (rest.starts_with("@")) {
      try {
        r.index = std::stoi(rest.substr(1));
      } catch (...) {
        throw UsageError(text + ": '@N' needs a number");
      }
      if (r.index < 0) throw UsageError(text + ": '@N' needs a number >= 0");
    } else {
      r.tag = rest;
    }
  } else if (scheme == "dir") {
    r.transport = Transport::Dir;
    r.path = body;
  } else if (scheme == "containers-storage") {
    r.transport = Transport::ContainersStorage;
    std::string name = body;
    if (body.starts_with("[")) {
      size_t close = body.find(']');
      if (close == std::string::npos) throw UsageError(text + ": '[' without ']' in the store specifier");
      std::string spec = body.substr(1, close - 1);
      name = body.substr(close + 1);
      if (size_t at = spec.find('@'); at != std::string::npos && spec.find('/') > at) {
        r.driver = spec.substr(0, at);
        spec = spec.substr(at + 1);
      }
      if (size_t colon2 = spec.find(':'); colon2 != std::string::npos) spec = spec.substr(0, colon2);  // driver options
      if (size_t plus = spec.find('+'); plus != std::string::npos) {
        r.runroot = spec.substr(plus + 1);
        spec = spec.substr(0, plus);
      }
      r.path = spec;
      if (r.path.empty() || r.path[0] != '/') throw UsageError(text + ": the store's graphroot must be an absolute path");
    }
    if (name.empty()) throw UsageError(text + ": no image name or ID given");
    r.tag = name;
    return r;
  } else if (scheme == "docker" || scheme == "docker-daemon" || scheme == "ostree" || scheme == "sif") {
    throw UsageError(text + ": transport '" + scheme + "' is not supported (use oci:, oci-archive:, docker-archive:, containers-storage: or dir:)");
  } else if (!scheme.empty() && !exists(text) && !exists(scheme) &&
             scheme.find('/') == std::string::npos && scheme.find('.') == std::string::npos) {
    throw UsageError(text + ": unknown transport '" + scheme + "' (use oci:, oci-archive:, docker-archive:, containers-storage: or dir:)");
  } else {
    return detect(text);
  }
  while (r.path.size() > 1 && r.path.ends_with("/")) r.path.pop_back();
  if (r.path.empty()) throw UsageError(text + ": no path given");
  if (!exists(r.path)) throw InputError(r.path, "no such file or directory");
  return r;
}

}  // namespace imagelint
