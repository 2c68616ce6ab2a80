// OCI layouts (image/oci.cc load_oci, image/image.cc apply_config/blob_path/read_verified): the
// index (tag and platform selection, duplicates, nested indexes), manifests (media types, schema
// 1, config and layer descriptors, sizes) and the config (platform, labels, diff_ids, history).
// Input: documents separated by NUL bytes; document 0 is index.json, document k (1..) is the blob
// blobs/sha256/<sha256 of k>. So that mutations keep digests valid, "sha256:@K" in document j < K
// is replaced by the digest of document K and "@sK" by its length, from the last document back.
// load_oci reads blobs by path (BlobRef): they sit in a memfd (fuzz/memfile.h), no disk file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "image/layout_files.h"
#include "memfile.h"
#include "util/error.h"
#include "util/hash.h"

using namespace imagelint;

namespace {
std::string substitute(const std::string& doc, size_t self, const std::vector<std::string>& digests,
                       const std::vector<std::string>& docs) {
  std::string out;
  for (size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] != '@') {
      out += doc[i];
      continue;
    }
    size_t j = i + 1, k = 0;
    bool len = j < doc.size() && doc[j] == 's';
    if (len) ++j;
    size_t start = j;
    while (j < doc.size() && j - start < 3 && doc[j] >= '0' && doc[j] <= '9') k = k * 10 + (doc[j++] - '0');
    if (j == start || k <= self || k >= docs.size()) { out += doc[i]; continue; }
    std::string with = len ? std::to_string(docs[k].size()) : digests[k].substr(7);  // after "sha256:"
    out += with;
    i = j - 1;
  }
  return out;
}

class MemFiles : public LayoutFiles {
 public:
  std::map<std::string, BlobRef> blobs;
  bool has(const std::string& rel) const override { return blobs.count(rel) != 0; }
  BlobRef blob(const std::string& rel) const override {
    auto it = blobs.find(rel);
    if (it == blobs.end()) throw InputError(display(rel), "missing (no such file)");
    return it->second;
  }
  std::string display(const std::string& rel) const override { return "fuzz/" + rel; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> docs;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (size_t pos = 0; docs.size() < 64;) {
    size_t nul = std::min(in.find('\0', pos), size);
    docs.emplace_back(in.substr(pos, nul - pos));
    if (nul == size) break;
    pos = nul + 1;
  }
  std::vector<std::string> digests(docs.size());
  for (size_t k = docs.size(); k-- > 0;) {
    docs[k] = substitute(docs[k], k, digests, docs);
    digests[k] = sha256_of(docs[k]);
  }
  std::string all = R"({"imageLayoutVersion": "1.0.0"})";
  MemFiles files;
  const std::string& path = imagelint_fuzz::mem_file(nullptr, 0);  // the path; filled below
  files.blobs["oci-layout"] = BlobRef{"fuzz/oci-layout", path, 0, all.size()};
  for (size_t k = 0; k < docs.size(); ++k) {
    std::string rel = k == 0 ? "index.json" : "blobs/sha256/" + digests[k].substr(7);
    files.blobs.emplace(rel, BlobRef{"fuzz/" + rel, path, all.size(), docs[k].size()});
    all += docs[k];
  }
  imagelint_fuzz::mem_file(all.data(), all.size());
  Reference ref;
  ref.path = "fuzz";
  for (const char* tag : {"", "latest"}) {
    ref.tag = tag;
    Platform want = *tag ? Platform{"linux", "arm64", "v8"} : Platform{"linux", "amd64", ""};
    try {
      Image img = load_oci(ref, files, "fuzz", want);
      (void)img.platform.str();
    } catch (const InputError&) {
    }
  }
  return 0;
}
