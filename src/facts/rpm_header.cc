// The rpm header-blob parser: parse_rpm_header and its helpers (tags, entries, the file list).
#include <cstring>

#include "facts/rpmdb.h"
#include "facts/rpmdb_internal.h"
#include "util/path.h"
#include "util/text.h"

namespace imagelint {

using rpm_internal::be16;
using rpm_internal::be32;

// ---------------------------------------------------------------- header blobs

namespace {

// Tags and types from rpm's rpmtag.h; regions from header.c.
enum : uint32_t {
  kTagHeaderImage = 61,
  kTagHeaderSignatures = 62,
  kTagHeaderImmutable = 63,
  kTagName = 1000,
  kTagVersion = 1001,
  kTagRelease = 1002,
  kTagEpoch = 1003,
  kTagArch = 1022,
  kTagOldFilenames = 1027,
  kTagFileSizes = 1028,
  kTagFileStates = 1029,
  kTagFileModes = 1030,
  kTagFileMtimes = 1034,
  kTagFileDigests = 1035,
  kTagFileLinktos = 1036,
  kTagFileFlags = 1037,
  kTagFileUsername = 1039,
  kTagFileGroupname = 1040,
  kTagFileVerifyFlags = 1045,
  kTagLongFileSizes = 5008,
  kTagFileDigestAlgo = 5011,
  kTagDirIndexes = 1116,
  kTagBasenames = 1117,
  kTagDirNames = 1118,
};
enum : uint32_t {
  kTypeNull = 0,
  kTypeChar = 1,
  kTypeInt8 = 2,
  kTypeInt16 = 3,
  kTypeInt32 = 4,
  kTypeInt64 = 5,
  kTypeString = 6,
  kTypeBin = 7,
  kTypeStringArray = 8,
  kTypeI18nString = 9,
};
constexpr uint32_t kEntrySize = 16;
constexpr uint32_t kTypeSize[10] = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};  // 0: NUL-terminated strings

std::string tag_desc(uint32_t tag) {
  switch (tag) {
    case kTagName: return "NAME";
    case kTagVersion: return "VERSION";
    case kTagRelease: return "RELEASE";
    case kTagEpoch: return "EPOCH";
    case kTagArch: return "ARCH";
    case kTagOldFilenames: return "OLDFILENAMES";
    case kTagFileModes: return "FILEMODES";
    case kTagDirIndexes: return "DIRINDEXES";
    case kTagBasenames: return "BASENAMES";
    case kTagDirNames: return "DIRNAMES";
    case kTagFileSizes: return "FILESIZES";
    case kTagFileStates: return "FILESTATES";
    case kTagFileMtimes: return "FILEMTIMES";
    case kTagFileDigests: return "FILEDIGESTS";
    case kTagFileLinktos: return "FILELINKTOS";
    case kTagFileFlags: return "FILEFLAGS";
    case kTagFileUsername: return "FILEUSERNAME";
    case kTagFileGroupname: return "FILEGROUPNAME";
    case kTagFileVerifyFlags: return "FILEVERIFYFLAGS";
    case kTagLongFileSizes: return "LONGFILESIZES";
    case kTagFileDigestAlgo: return "FILEDIGESTALGO";
    default: return "tag " + std::to_string(tag);
  }
}

struct Entry {
  uint32_t tag, type, offset, count, length;  // validated: [offset, offset+length) lies in data
};

// A header whose every entry was checked to lie inside its data; values are read only through it.
class Header {
 public:
  bool parse(std::string_view blob, std::string* err);
  const Entry* find(uint32_t tag) const;
  // A STRING, or the first string of an I18NSTRING / STRING_ARRAY. False when absent or mistyped.
  bool string(uint32_t tag, std::string& out, std::string* err) const;
  bool strings(uint32_t tag, std::vector<std::string_view>& out, std::string* err) const;
  bool u32s(uint32_t tag, std::vector<uint32_t>& out, std::string* err) const;
  bool u16s(uint32_t tag, std::vector<uint16_t>& out, std::string* err) const;
  bool u64s(uint32_t tag, std::vector<uint64_t>& out, std::string* err) const;
  bool u8s(uint32_t tag, std::vector<uint8_t>& out, std::string* err) const;  // CHAR or INT8

 private:
  const unsigned char* at(uint32_t off) const { return reinterpret_cast<const unsigned char*>(data_.data()) + off; }
  std::string_view data_;
  std::vector<Entry> entries_;
};

bool fail(std::string* err, std::string why) {
  if (err) *err = std::move(why);
  return false;
}

bool Header::parse(std::string_view blob, std::string* err) {
  if (blob.size() < 8) return fail(err, "header blob of " + std::to_string(blob.size()) + " bytes (at least 8)");
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());
  uint32_t il = be32(b), dl = be32(b + 4);
  if (il < 1 || il > kRpmMaxTags) return fail(err, "header has " + std::to_string(il) + " tags (1 to 65535)");
  if (dl > kRpmMaxData) return fail(err, "header data of " + std::to_string(dl) + " bytes (at most 256 MiB)");
  uint64_t want = 8 + uint64_t{kEntrySize} * il + dl;
  if (want != blob.size())
    return fail(err, "header blob is " + std::to_string(blob.size()) + " bytes but il " + std::to_string(il) +
                         " and dl " + std::to_string(dl) + " say 8 + 16*il + dl = " + std::to_string(want));
  const unsigned char* pe = b + 8;
  data_ = blob.substr(8 + size_t{kEntrySize} * il);

  uint32_t first = 0;
  uint32_t tag0 = be32(pe);
  if (tag0 == kTagHeaderImage || tag0 == kTagHeaderSignatures || tag0 == kTagHeaderImmutable) {
    // The region tag points at a 16-byte trailer in the data whose negative offset covers the
    // region's entries. rpm refuses a header whose region does not add up; so do we.
    uint32_t type = be32(pe + 4), off = be32(pe + 8), count = be32(pe + 12);
    if (type != kTypeBin || count != kEntrySize)
      return fail(err, "region tag " + std::to_string(tag0) + " has type " + std::to_string(type) + " count " +
                           std::to_string(count) + " (BIN, 16)");
    if (uint64_t{off} + kEntrySize > dl)
      return fail(err, "region trailer at " + std::to_string(off) + " lies outside the " + std::to_string(dl) +
                           " data bytes");
    const unsigned char* tr = at(off);
    uint32_t ttag = be32(tr), ttype = be32(tr + 4), tcount = be32(tr + 12);
    uint32_t tneg = 0u - be32(tr + 8);  // stored negated
    if (tag0 == kTagHeaderSignatures && ttag == kTagHeaderImage) ttag = kTagHeaderSignatures;  // old packages
    if (ttag != tag0 || ttype != kTypeBin || tcount != kEntrySize)
      return fail(err, "region trailer has tag " + std::to_string(ttag) + " type " + std::to_string(ttype) +
                           " count " + std::to_string(tcount));
    if (tneg % kEntrySize != 0 || tneg / kEntrySize > il || tneg == 0)
      return fail(err, "region trailer covers " + std::to_string(tneg) + " index bytes of " +
                           std::to_string(uint64_t{il} * kEntrySize));
    first = 1;
  }

  entries_.reserve(il - first);
  for (uint32_t i = first; i < il; ++i) {
    const unsigned char* e = pe + size_t{i} * kEntrySize;
    Entry en{be32(e), be32(e + 4), be32(e + 8), be32(e + 12), 0};
    auto bad = [&](const std::string& why) {
      return fail(err, "index entry " + std::to_string(i) + " (" + tag_desc(en.tag) + ", type " +
                           std::to_string(en.type) + ", offset " + std::to_string(en.offset) + ", count " +
                           std::to_string(en.count) + "): " + why);
    };
    if (en.type == kTypeNull || en.type > kTypeI18nString) return bad("unknown type");
    if (en.count < 1 || en.count > dl) return bad("count outside 1.." + std::to_string(dl));
    if (en.type != kTypeBin && en.count > kRpmMaxArray) return bad("more than 1048575 elements");
    if (en.offset > dl) return bad("offset outside the " + std::to_string(dl) + " data bytes");
    uint32_t size = kTypeSize[en.type];
    if (size > 1 && en.offset % size != 0) return bad("offset not aligned for its type");
    if (en.type == kTypeString && en.count != 1) return bad("a STRING has count 1");
    if (size != 0) {
      uint64_t len = uint64_t{size} * en.count;
      if (len > dl - en.offset) return bad("data runs past the " + std::to_string(dl) + " data bytes");
      en.length = static_cast<uint32_t>(len);
    } else {
      // count NUL-terminated strings, all inside the data.
      uint32_t pos = en.offset;
      for (uint32_t k = 0; k < en.count; ++k) {
        const void* nul = pos < dl ? std::memchr(data_.data() + pos, '\0', dl - pos) : nullptr;
        if (!nul) return bad("string " + std::to_string(k) + " runs past the " + std::to_string(dl) + " data bytes");
        pos = static_cast<uint32_t>(static_cast<const char*>(nul) - data_.data()) + 1;
      }
      en.length = pos - en.offset;
    }
    entries_.push_back(en);
  }
  return true;
}

const Entry* Header::find(uint32_t tag) const {
  // Entries added after the region ("dribbles") replace region entries of the same tag.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->tag == tag) return &*it;
  return nullptr;
}

bool Header::strings(uint32_t tag, std::vector<std::string_view>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeString && e->type != kTypeStringArray && e->type != kTypeI18nString)
    return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not a string type");
  out.reserve(e->count);
  const char* p = data_.data() + e->offset;
  for (uint32_t k = 0; k < e->count; ++k) {
    std::string_view s(p);  // NUL-terminated inside the data: checked by parse()
    out.push_back(s);
    p += s.size() + 1;
  }
  return true;
}

bool Header::string(uint32_t tag, std::string& out, std::string* err) const {
  std::vector<std::string_view> v;
  if (!strings(tag, v, err)) return false;
  out.assign(v.front());  // count >= 1
  return true;
}

bool Header::u32s(uint32_t tag, std::vector<uint32_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeInt32) return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not INT32");
  out.reserve(e->count);
  for (uint32_t k = 0; k < e->count; ++k) out.push_back(be32(at(e->offset + 4 * k)));
  return true;
}

bool Header::u16s(uint32_t tag, std::vector<uint16_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeInt16) return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not INT16");
  out.reserve(e->count);
  for (uint32_t k = 0; k < e->count; ++k) out.push_back(be16(at(e->offset + 2 * k)));
  return true;
}

bool Header::u64s(uint32_t tag, std::vector<uint64_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeInt64) return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not INT64");
  out.reserve(e->count);
  for (uint32_t k = 0; k < e->count; ++k) {
    const unsigned char* p = at(e->offset + 8 * k);
    out.push_back((uint64_t{be32(p)} << 32) | be32(p + 4));
  }
  return true;
}

bool Header::u8s(uint32_t tag, std::vector<uint8_t>& out, std::string* err) const {
  out.clear();
  const Entry* e = find(tag);
  if (!e) return false;
  if (e->type != kTypeChar && e->type != kTypeInt8)
    return fail(err, tag_desc(tag) + " has type " + std::to_string(e->type) + ", not CHAR or INT8");
  out.assign(at(e->offset), at(e->offset) + e->count);
  return true;
}

std::string make_nevra(const Package& p) {
  // rpm's tagexts.c getNEVRA: each part only when present; Debian's rpm 4.18 prints no ".src"
  // for a header without ARCH (gpg-pubkey), and "0:" for an explicit Epoch: 0.
  std::string s = p.name + "-";
  if (!p.epoch.empty()) s += p.epoch + ":";
  s += p.version;
  if (!p.release.empty()) s += "-" + p.release;
  if (!p.arch.empty()) s += "." + p.arch;
  return s;
}

// The file list: rpm stores it compressed (BASENAMES + DIRINDEXES into DIRNAMES); very old headers
// list whole paths in OLDFILENAMES. All or nothing, as rpm's rpmfi: a list that does not add up
// is no list at all.
bool read_files(const Header& h, std::vector<std::string>& files, std::vector<uint16_t>& modes_out,
                std::vector<uint32_t>& kept, std::string* err) {
  std::vector<std::string> listed;
  std::vector<std::string_view> base, dirs;
  std::vector<uint32_t> dirindex;
  if (h.strings(kTagBasenames, base, err)) {
    if (!h.strings(kTagDirNames, dirs, err)) return fail(err, err->empty() ? "BASENAMES without DIRNAMES" : *err);
    if (!h.u32s(kTagDirIndexes, dirindex, err)) return fail(err, err->empty() ? "BASENAMES without DIRINDEXES" : *err);
    if (dirindex.size() != base.size())
      return fail(err, "DIRINDEXES has " + std::to_string(dirindex.size()) + " entries for " +
                             std::to_string(base.size()) + " BASENAMES");
    uint64_t bytes = 0;
    for (size_t i = 0; i < base.size(); ++i) {
      if (dirindex[i] >= dirs.size())
        return fail(err, "DIRINDEXES[" + std::to_string(i) + "] = " + std::to_string(dirindex[i]) + " but only " +
                               std::to_string(dirs.size()) + " DIRNAMES");
      bytes += dirs[dirindex[i]].size() + base[i].size() + 1;
    }
    // Checked before expanding: a few shared long dirnames could otherwise name gigabytes.
    if (bytes > kRpmMaxPathBytes)
      return fail(err, "file list expands to " + std::to_string(bytes) + " bytes (at most 64 MiB)");
    listed.reserve(base.size());
    for (size_t i = 0; i < base.size(); ++i) listed.push_back(std::string(dirs[dirindex[i]]).append(base[i]));
  } else if (!err->empty()) {
    return false;
  } else if (h.strings(kTagOldFilenames, base, err)) {
    listed.assign(base.begin(), base.end());
  } else if (!err->empty()) {
    return false;
  }

  std::vector<uint16_t> modes;
  if (h.u16s(kTagFileModes, modes, err)) {
    if (modes.size() != listed.size())
      return fail(err, "FILEMODES has " + std::to_string(modes.size()) + " entries for " +
                             std::to_string(listed.size()) + " files");
  } else if (!err->empty()) {
    return false;
  }

  files.reserve(listed.size());
  if (!modes.empty()) modes_out.reserve(listed.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    std::string norm;
    if (!normalize_path(listed[i], norm)) return fail(err, "file " + listed[i] + " climbs above the root");
    if (norm.empty()) continue;  // the root directory itself
    files.push_back(std::move(norm));
    kept.push_back(static_cast<uint32_t>(i));
    if (!modes.empty()) modes_out.push_back(modes[i]);
  }
  return true;
}

// One per-file array of the header: absent (empty, no error), or exactly n entries.
template <typename T, typename Read>
bool file_array(uint32_t tag, size_t n, std::vector<T>& out, Read read, std::string* err) {
  if (!read(tag, out, err)) return err->empty();
  if (out.size() == n) return true;
  return fail(err, tag_desc(tag) + " has " + std::to_string(out.size()) + " entries for " + std::to_string(n) + " files");
}

// What `rpm -V` compares, per file (n: the header's own file count; kept: the indexes of the
// files read_files kept). All or nothing, as the file list: attrs stays empty on an error.
bool read_attrs(const Header& h, size_t n, const std::vector<uint32_t>& kept, Package& p, std::string* err) {
  std::vector<std::string_view> digests, links, users, groups;
  std::vector<uint32_t> sizes32, mtimes, flags, verify, algo;
  std::vector<uint64_t> sizes64;
  std::vector<uint16_t> modes;
  std::vector<uint8_t> states;
  auto strs = [&](uint32_t t, std::vector<std::string_view>& o, std::string* e) { return h.strings(t, o, e); };
  auto u32 = [&](uint32_t t, std::vector<uint32_t>& o, std::string* e) { return h.u32s(t, o, e); };
  if (!file_array(kTagFileDigests, n, digests, strs, err) || !file_array(kTagFileLinktos, n, links, strs, err) ||
      !file_array(kTagFileUsername, n, users, strs, err) || !file_array(kTagFileGroupname, n, groups, strs, err) ||
      !file_array(kTagFileSizes, n, sizes32, u32, err) || !file_array(kTagFileMtimes, n, mtimes, u32, err) ||
      !file_array(kTagFileFlags, n, flags, u32, err) || !file_array(kTagFileVerifyFlags, n, verify, u32, err) ||
      !file_array(kTagLongFileSizes, n, sizes64, [&](uint32_t t, auto& o, std::string* e) { return h.u64s(t, o, e); }, err) ||
      !file_array(kTagFileModes, n, modes, [&](uint32_t t, auto& o, std::string* e) { return h.u16s(t, o, e); }, err) ||
      !file_array(kTagFileStates, n, states, [&](uint32_t t, auto& o, std::string* e) { return h.u8s(t, o, e); }, err))
    return false;
  // rpm's default before FILEDIGESTALGO existed is md5.
  p.digest_algo = 1;
  if (h.u32s(kTagFileDigestAlgo, algo, err)) p.digest_algo = algo.front();
  else if (!err->empty()) return false;
  p.attrs.reserve(kept.size());
  for (uint32_t i : kept) {
    PackagedFile a;
    if (!digests.empty()) {
      a.digest.assign(digests[i]);
      for (char& c : a.digest) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
      if (!is_lower_hex(a.digest)) return fail(err, "FILEDIGESTS[" + std::to_string(i) + "] is not hex");
    }
    if (!links.empty()) a.linkto.assign(links[i]);
    if (!users.empty()) a.user.assign(users[i]);
    if (!groups.empty()) a.group.assign(groups[i]);
    a.size = !sizes64.empty() ? sizes64[i] : !sizes32.empty() ? sizes32[i] : 0;
    if (!mtimes.empty()) a.mtime = mtimes[i];
    if (!flags.empty()) a.flags = flags[i];
    // rpm's default is to verify everything (RPMVERIFY_ALL).
    a.verify = verify.empty() ? ~0u : verify[i];
    if (!modes.empty()) a.mode = modes[i];
    if (!states.empty()) a.state = states[i];
    p.attrs.push_back(std::move(a));
  }
  return true;
}

// The header's own file count: BASENAMES, else OLDFILENAMES (0 when neither).
size_t header_file_count(const Header& h) {
  std::vector<std::string_view> v;
  std::string ignore;
  if (h.strings(kTagBasenames, v, &ignore) || h.strings(kTagOldFilenames, v, &ignore)) return v.size();
  return 0;
}

}  // namespace

bool parse_rpm_header(std::string_view blob, Package& out, std::string* error, PackageRead read) {
  out = Package{};
  out.db = "rpm";
  if (error) error->clear();
  Header h;
  if (!h.parse(blob, error)) return false;

  std::string why;
  auto need = [&](uint32_t tag, std::string& field) {
    if (h.string(tag, field, &why)) return true;
    return fail(error, why.empty() ? "no " + tag_desc(tag) + " tag" : why);
  };
  if (!need(kTagName, out.name) || !need(kTagVersion, out.version) || !need(kTagRelease, out.release)) return false;
  if (out.name.empty()) return fail(error, "empty NAME");
  if (!h.string(kTagArch, out.arch, &why) && !why.empty()) return fail(error, why);
  std::vector<uint32_t> epoch;
  if (h.u32s(kTagEpoch, epoch, &why))
    out.epoch = std::to_string(epoch.front());
  else if (!why.empty())
    return fail(error, why);
  out.nevra = make_nevra(out);

  std::string files_why;
  std::vector<uint32_t> kept;
  if (!read_files(h, out.files, out.modes, kept, &files_why)) {
    // rpm still lists such a package (`rpm -ql` says "contains no files"): keep it, say why.
    out.files.clear();
    out.modes.clear();
    if (error) *error = "file list: " + files_why;
    return true;
  }
  if (read.with_attrs) {
    std::string why_attrs;
    if (!read_attrs(h, header_file_count(h), kept, out, &why_attrs)) {
      out.attrs.clear();
      out.attrs_error = why_attrs;
    }
  }
  return true;
}

}  // namespace imagelint
