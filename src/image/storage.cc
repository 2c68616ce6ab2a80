// containers-storage: images in podman's (containers/storage's) local store, read in place.
//
// <driver>-images/images.json names each image (id, names, digest, top layer); its manifest and
// config are "big data" files beside it; <driver>-layers/layers.json chains the layers (parent,
// diff-digest, diff-size); each layer is read as the tar stream it was stored from, replayed from
// its <id>.tar-split.gz with file contents from its directory (image/tar_split.cc), so its sha256
// is checked against the diff_id like any layer's. The overlay and vfs drivers are read. The
// store is only read: read locks (fcntl F_RDLCK on images.lock and layers.lock, opened read-only,
// as containers/storage's own readers take them) are held while the image is open.
#include "image/storage.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "image/layout_files.h"
#include "util/error.h"
#include "util/hash.h"

namespace imagelint {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxStoreJson = 256u << 20;  // images.json / layers.json of a big store

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}


// storage.conf's [storage] table: driver, graphroot, runroot (and rootless_storage_path).
struct StoreConf {
  std::string driver, graphroot, runroot;
};

void read_conf(const std::string& file, bool rootless, StoreConf& c) {
  if (!exists(file)) return;
  toml::table t;
  try {
    t = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    throw InputError(file, std::string("not valid TOML: ") + std::string(e.description()));
  }
  auto get = [&](const char* key) { return t["storage"][key].value<std::string>().value_or(""); };
  if (!get("driver").empty()) c.driver = get("driver");
  if (rootless) {
    if (!get("rootless_storage_path").empty()) c.graphroot = get("rootless_storage_path");
  } else {
    if (!get("graphroot").empty()) c.graphroot = get("graphroot");
    if (!get("runroot").empty()) c.runroot = get("runroot");
  }
}

// Where the store is when the reference does not say: containers-storage.conf(5).
StoreConf default_store(const Environment& env) {
  const std::string home = env.get("HOME", "/");
  const bool rootless = ::geteuid() != 0;
  StoreConf c;
  if (rootless) {
    c.graphroot = env.get("XDG_DATA_HOME", home + "/.local/share") + "/containers/storage";
    c.runroot = env.get("XDG_RUNTIME_DIR", "/run/user/" + std::to_string(::geteuid())) + "/containers";
  } else {
    c.graphroot = "/var/lib/containers/storage";
    c.runroot = "/run/containers/storage";
  }
  if (std::string f = env.get("CONTAINERS_STORAGE_CONF"); !f.empty()) {
    read_conf(f, rootless, c);
    return c;
  }
  std::string user_conf = env.get("XDG_CONFIG_HOME", home + "/.config") + "/containers/storage.conf";
  if (rootless && exists(user_conf)) {
    read_conf(user_conf, rootless, c);
  } else {
    std::string system_conf = exists("/etc/containers/storage.conf") ? "/etc/containers/storage.conf"
                                                                      : "/usr/share/containers/storage.conf";
    read_conf(system_conf, rootless, c);
  }
  return c;
}

// containers/storage names a big-data file by its key when the key is only [.0-9a-z], else "="
// and the key in standard base64.
std::string big_data_file(const std::string& key) {
  bool plain = !key.empty();
  for (char ch : key)
    if (!(ch == '.' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'))) plain = false;
  if (plain) return key;
  std::string out(4 * ((key.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(key.data()),
                          static_cast<int>(key.size()));
  out.resize(static_cast<size_t>(n));
  return "=" + out;
}

json read_json(const std::string& path, uint64_t cap) {
  json j = json::parse(read_blob(file_blob(path, path), cap), nullptr, false);
  if (j.is_discarded()) throw InputError(path, "not valid JSON (half-written?)");
  return j;
}

std::string str(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Read locks held for as long as the image is open.
struct Locks {
  std::vector<int> fds;
  ~Locks() {
    for (int fd : fds) ::close(fd);
  }
  void take(const std::string& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return;  // a store that never had a writer
      throw InputError(file, std::string("cannot open the store's lock: ") + std::strerror(errno));
    }
    fds.push_back(fd);
    struct flock fl {};
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::fcntl(fd, F_SETLK, &fl) != 0) {
      if ((errno != EACCES && errno != EAGAIN) || std::chrono::steady_clock::now() > until)
        throw InputError(file, "a writer has held this lock for 10 s (podman or buildah at work?); try again");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

bool names_match(const json& img, const std::string& want) {
  auto names = img.find("names");
  if (names == img.end() || !names->is_array()) return false;
  bool has_tag = want.find(':', want.rfind('/') == std::string::npos ? 0 : want.rfind('/')) != std::string::npos ||
                 want.find('@') != std::string::npos;
  std::vector<std::string> cands{want};
  if (!has_tag) cands.push_back(want + ":latest");
  size_t n = cands.size();
  for (size_t i = 0; i < n; ++i) {
    std::string first = cands[i].substr(0, cands[i].find('/'));
    bool has_registry = cands[i].find('/') != std::string::npos &&
                        (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost");
    if (has_registry) continue;
    cands.push_back("docker.io/" + cands[i]);
    if (cands[i].find('/') == std::string::npos) cands.push_back("docker.io/library/" + cands[i]);
    cands.push_back("localhost/" + cands[i]);
  }
  for (auto& n2 : *names)
    if (n2.is_string())
      for (auto& c : cands)
        if (n2.get<std::string>() == c) return true;
  return false;
}

// The store the reference names (or the default one), its driver found when not given.
StoreConf resolve_store(const Reference& ref, const Environment& env) {
  StoreConf c;
  if (ref.path.empty()) {
    c = default_store(env);
  } else {
    c.graphroot = ref.path;
    c.runroot = ref.runroot;
  }
  if (!ref.driver.empty()) c.driver = ref.driver;
  const std::string& root = c.graphroot;
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError(root, "no container storage here (the store's graphroot is missing)");
  if (c.driver.empty()) {
    if (exists(root + "/overlay-images")) c.driver = "overlay";
    else if (exists(root + "/vfs-images")) c.driver = "vfs";
    else throw InputError(root, "no image store here (neither overlay-images nor vfs-images)");
  }
  if (c.driver != "overlay" && c.driver != "vfs")
    throw UsageError(ref.original + ": storage driver '" + c.driver + "' is not supported (overlay and vfs are)");
  return c;
}

// The entry of images.json the reference names: by id, name or unique id prefix.
const json& find_store_image(const json& images, const Reference& ref, const std::string& images_dir) {
  if (!images.is_array()) throw InputError(images_dir + "/images.json", "not a JSON array");
  const json* found = nullptr;
  std::vector<std::string> ids;
  for (auto& im : images) {
    if (!im.is_object()) continue;
    std::string id = str(im, "id");
    if (id == ref.tag || names_match(im, ref.tag)) {
      found = &im;
      break;
    }
    if (ref.tag.size() >= 3 && id.starts_with(ref.tag)) ids.push_back(id);
  }
  if (!found && ids.size() == 1)
    for (auto& im : images)
      if (im.is_object() && str(im, "id") == ids[0]) found = &im;
  if (!found) {
    std::string listed;
    int k = 0;
    for (auto& im : images)
      if (auto nm = im.find("names"); im.is_object() && nm != im.end() && nm->is_array())
        for (auto& n : *nm)
          if (n.is_string() && k++ < 8) listed += (listed.empty() ? "" : ", ") + n.get<std::string>();
    throw InputError(images_dir + "/images.json",
                     ids.size() > 1 ? "'" + ref.tag + "' is the start of several image IDs"
                                    : "no image named '" + ref.tag + "'" + (listed.empty() ? "" : " (images here: " + listed + ")"));
  }
  return *found;
}

// The image's manifest and config from its big-data files (big: its directory), each checked
// against its digest; returns the config's file.
std::string read_store_manifest_and_config(Image& img, const json& found, const std::string& big) {
  std::string manifest = read_blob(file_blob(big + big_data_file("manifest"), big + "manifest"), kMaxManifestBytes);
  img.manifest_digest = sha256_of(manifest);
  if (std::string d = str(found, "digest"); !d.empty() && d != img.manifest_digest)
    throw InputError(big + "manifest", "digest mismatch: the store says " + d + ", the manifest is " + img.manifest_digest);
  json man = json::parse(manifest, nullptr, false);
  if (!man.is_object() || !man.contains("config") || !man["config"].is_object())
    throw InputError(big + "manifest", "not an image manifest (no config descriptor)");
  img.manifest_media_type = str(man, "mediaType");
  img.config_digest = str(man["config"], "digest");
  blob_path(img.config_digest, big + "manifest");  // validates the form
  const std::string config_file = big + big_data_file(img.config_digest);
  img.config_json = read_blob(file_blob(config_file, big + img.config_digest), kMaxConfigBytes);
  if (sha256_of(img.config_json) != img.config_digest)
    throw InputError(config_file, "digest mismatch: expected " + img.config_digest + ", actual " + sha256_of(img.config_json));
  return config_file;
}

// Every layer of layers.json (and of volatile-layers.json under the runroot), by id.
std::map<std::string, json> read_store_layers(const StoreConf& c, const std::string& layers_dir) {
  std::map<std::string, json> by_id;
  for (const std::string& f : {layers_dir + "/layers.json", c.runroot + "/" + c.driver + "-layers/volatile-layers.json"}) {
    if (c.runroot.empty() && f.find("volatile") != std::string::npos) continue;
    if (!exists(f)) {
      if (f.ends_with("/layers.json")) throw InputError(f, "missing (the store's layer list)");
      continue;
    }
    json ls = read_json(f, kMaxStoreJson);
    if (!ls.is_array()) throw InputError(f, "not a JSON array");
    for (auto& l : ls)
      if (l.is_object() && !str(l, "id").empty()) by_id[str(l, "id")] = l;
  }
  return by_id;
}

// The image's layer chain, from its top layer down through each parent.
std::vector<const json*> store_layer_chain(const std::map<std::string, json>& by_id, const json& found,
                                           const std::string& id, const std::string& layers_dir) {
  std::vector<const json*> chain;
  for (std::string lid = str(found, "layer"); !lid.empty();) {
    auto it = by_id.find(lid);
    if (it == by_id.end())
      throw InputError(layers_dir + "/layers.json", "layer " + lid + " of image " + id + " is not in the store (half-written or pruned?)");
    if (chain.size() > 65535) throw InputError(layers_dir + "/layers.json", "the layer chain of image " + id + " does not end");
    chain.push_back(&it->second);
    lid = str(it->second, "parent");
  }
  return chain;
}

// The image's layers, bottom first, each read from its tar-split and its tree in the driver's directory.
void add_store_layers(Image& img, const std::vector<const json*>& chain, const StoreConf& c, const std::string& layers_dir) {
  const std::string& root = c.graphroot;
  for (size_t i = chain.size(); i-- > 0;) {
    const json& l = *chain[i];
    const std::string lid = str(l, "id");
    if (lid.find('/') != std::string::npos || lid.starts_with("."))
      throw InputError(layers_dir + "/layers.json", "a layer with a malformed id");
    LayerInfo info;
    info.index = static_cast<int>(img.layers.size());
    std::string tree = c.driver == "overlay" ? root + "/overlay/" + lid + "/diff" : root + "/vfs/dir/" + lid;
    uint64_t size = l.contains("diff-size") && l["diff-size"].is_number_unsigned() ? l["diff-size"].get<uint64_t>() : 0;
    info.blob = BlobRef{layers_dir + "/" + lid + ".tar-split.gz", layers_dir + "/" + lid + ".tar-split.gz", 0, size, tree};
    info.size = size;
    img.layers.push_back(std::move(info));
  }
}

// Each layer's diff-digest in the store must be the diff_id the image config gives it.
void check_store_diff_digests(const Image& img, const std::vector<const json*>& chain, const std::string& layers_dir) {
  for (size_t i = 0; i < img.layers.size(); ++i) {
    std::string stored = str(*chain[chain.size() - 1 - i], "diff-digest");
    if (stored != img.layers[i].diff_id)
      throw InputError(layers_dir + "/layers.json", "layer " + std::to_string(i) + " has diff-digest " + stored +
                                                        " where the image config says " + img.layers[i].diff_id);
  }
}

}  // namespace

Image load_containers_storage(const Reference& ref, const Platform& want, const Environment& env) {
  (void)want;
  const StoreConf c = resolve_store(ref, env);
  const std::string& root = c.graphroot;
  const std::string images_dir = root + "/" + c.driver + "-images";
  const std::string layers_dir = root + "/" + c.driver + "-layers";

  auto locks = std::make_shared<Locks>();
  locks->take(images_dir + "/images.lock");
  locks->take(layers_dir + "/layers.lock");

  json images = read_json(images_dir + "/images.json", kMaxStoreJson);
  const json& found = find_store_image(images, ref, images_dir);
  const std::string id = str(found, "id");
  if (id.empty() || id.find('/') != std::string::npos || id.starts_with("."))
    throw InputError(images_dir + "/images.json", "an image with a malformed id");

  Image img;
  img.ref = ref;
  img.hold = locks;
  const std::string config_file = read_store_manifest_and_config(img, found, images_dir + "/" + id + "/");

  // The layer chain, top to bottom, then reversed.
  const std::map<std::string, json> by_id = read_store_layers(c, layers_dir);
  const std::vector<const json*> chain = store_layer_chain(by_id, found, id, layers_dir);
  add_store_layers(img, chain, c, layers_dir);
  apply_config(img, img.config_json, config_file);
  check_store_diff_digests(img, chain, layers_dir);
  return img;
}

}  // namespace imagelint
