#include "image/image.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "image/layout_files.h"
#include "image/storage.h"
#include "util/error.h"
#include "util/perf.h"

namespace imagelint {
namespace {

class DirFiles : public LayoutFiles {
 public:
  explicit DirFiles(std::string dir) : dir_(std::move(dir)) {}
  bool has(const std::string& rel) const override {
    struct stat st {};
    return ::stat((dir_ + "/" + rel).c_str(), &st) == 0;
  }
  BlobRef blob(const std::string& rel) const override { return file_blob(dir_ + "/" + rel, display(rel)); }
  std::string display(const std::string& rel) const override { return dir_ + "/" + rel; }

 private:
  std::string dir_;
};

class TarFiles : public LayoutFiles {
 public:
  explicit TarFiles(const OuterTar& tar) : tar_(tar) {}
  bool has(const std::string& rel) const override { return tar_.has(rel); }
  BlobRef blob(const std::string& rel) const override { return tar_.blob(rel); }
  std::string display(const std::string& rel) const override { return tar_.path() + ":" + rel; }

 private:
  const OuterTar& tar_;
};

std::string machine_arch() {
  struct utsname u {};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "ppc64le") return "ppc64le";
  if (m == "s390x") return "s390x";
  if (m == "riscv64") return "riscv64";
  return m;
}

}  // namespace

std::unique_ptr<LayoutFiles> dir_files(const std::string& dir) { return std::make_unique<DirFiles>(dir); }
std::unique_ptr<LayoutFiles> tar_files(const OuterTar& tar) { return std::make_unique<TarFiles>(tar); }

Platform parse_platform(const std::string& text) {
  Platform p;
  if (text.empty()) {
    p.os = "linux";
    p.arch = machine_arch();
    return p;
  }
  size_t a = text.find('/');
  if (a == std::string::npos || a == 0 || a + 1 >= text.size())
    throw UsageError("--platform " + text + ": expected os/arch[/variant], e.g. linux/amd64");
  p.os = text.substr(0, a);
  std::string rest = text.substr(a + 1);
  size_t b = rest.find('/');
  p.arch = rest.substr(0, b);
  if (b != std::string::npos) p.variant = rest.substr(b + 1);
  return p;
}

nlohmann::json parse_json_blob(const BlobRef& blob, uint64_t cap, std::string* raw) {
  std::string text = read_blob(blob, cap);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw InputError(blob.display, "not valid JSON");
  if (!j.is_object()) throw InputError(blob.display, "not a JSON object");
  if (raw) *raw = std::move(text);
  return j;
}

std::string blob_path(const std::string& digest, const std::string& display) {
  auto bad = [&] { return InputError(display, "malformed digest '" + digest + "'"); };
  size_t colon = digest.find(':');
  if (colon == std::string::npos) throw bad();
  std::string alg = digest.substr(0, colon), hex = digest.substr(colon + 1);
  if (alg != "sha256") {
    if (alg == "sha512" || alg == "sha384") throw InputError(display, "unsupported digest algorithm " + alg);
    throw bad();
  }
  if (hex.size() != 64) throw bad();
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw bad();
  return "blobs/sha256/" + hex;
}

std::string read_verified(const LayoutFiles& files, const std::string& digest, uint64_t cap) {
  std::string rel = blob_path(digest, files.display("index.json"));
  BlobRef b = files.blob(rel);
  std::string data = read_blob(b, cap);
  std::string actual = sha256_of(data);
  if (actual != digest) throw InputError(b.display, "digest mismatch: expected " + digest + ", actual " + actual);
  return data;
}

void apply_config(Image& img, const std::string& config_json, const std::string& display) {
  nlohmann::json cfg = nlohmann::json::parse(config_json, nullptr, false);
  if (cfg.is_discarded() || !cfg.is_object()) throw InputError(display, "image config is not a JSON object");
  auto str = [&](const nlohmann::json& o, const char* k) {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  img.platform.os = str(cfg, "os");
  img.platform.arch = str(cfg, "architecture");
  img.platform.variant = str(cfg, "variant");
  if (auto c = cfg.find("config"); c != cfg.end() && c->is_object()) {
    if (auto l = c->find("Labels"); l != c->end() && l->is_object())
      for (auto& [k, v] : l->items())
        if (v.is_string()) img.labels[k] = v.get<std::string>();
  }
  auto rootfs = cfg.find("rootfs");
  if (rootfs == cfg.end() || !rootfs->is_object()) throw InputError(display, "image config has no rootfs");
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array()) throw InputError(display, "image config has no rootfs.diff_ids");
  if (ids->size() != img.layers.size())
    throw InputError(display, "image config lists " + std::to_string(ids->size()) + " diff_ids for " +
                                  std::to_string(img.layers.size()) + " layers");
  for (size_t i = 0; i < ids->size(); ++i) {
    if (!(*ids)[i].is_string()) throw InputError(display, "rootfs.diff_ids holds a non-string");
    img.layers[i].diff_id = (*ids)[i].get<std::string>();
    blob_path(img.layers[i].diff_id, display);  // validates the form
  }
  if (auto h = cfg.find("history"); h != cfg.end() && h->is_array()) {
    size_t li = 0;
    for (auto& e : *h) {
      if (!e.is_object()) continue;
      auto empty = e.find("empty_layer");
      if (empty != e.end() && empty->is_boolean() && empty->get<bool>()) continue;
      if (li < img.layers.size()) img.layers[li].created_by = str(e, "created_by");
      ++li;
    }
  }
}

Image open_image(const Reference& ref, const OpenOptions& opts, const RunContext& run) {
  PerfStage stage(run.perf, "open");
  Platform want = parse_platform(opts.platform);
  switch (ref.transport) {
    case Transport::Oci: {
      auto files = dir_files(ref.path);
      return load_oci(ref, *files, ref.path, want);
    }
    case Transport::OciArchive: {
      OuterTar tar(ref.path);
      auto files = tar_files(tar);
      return load_oci(ref, *files, ref.path, want);
    }
    case Transport::DockerArchive: {
      OuterTar tar(ref.path);
      return load_docker_archive(ref, tar, want);
    }
    case Transport::ContainersStorage: return load_containers_storage(ref, want, run.env);
    case Transport::Dir: {
      struct stat st {};
      if (::stat(ref.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw InputError(ref.path, "not a directory");
      Image img;
      img.ref = ref;
      img.rootfs = ref.path;
      img.platform = want;
      return img;
    }
  }
  throw UsageError("unknown transport");
}

}  // namespace imagelint
