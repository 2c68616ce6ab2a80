// Chain snapshots: what encode_chain writes decode_chain reads back whole, and a snapshot that is
// cut anywhere, or whose bytes change (the checksum mended to match, as a writer of another build
// would leave them), is a SerialError, never a crash or a read past the end.
#include "fs/chain.h"

#include <gtest/gtest.h>

#include <random>

#include "util/hash.h"
#include "util/serial.h"

namespace chain_test {

using namespace imagelint;

ChainState sample() {
  ChainState st;
  st.layers = 2;
  std::string why;
  Entry dir;
  dir.type = EntryType::Dir;
  dir.mode = 0755;
  dir.layer = 0;
  dir.touched = u"\\0";
  EXPECT_TRUE(st.fs.put("etc", dir, 0, &why)) << why;
  Entry f;
  f.type = EntryType::File;
  f.mode = 0644;
  f.size = 5;
  f.mtime = 1700000000;
  f.hash = xxh128_of("hello");
  f.layer = 1;
  f.data_layer = 1;
  f.set_xattrs({{"security.selinux", "system_u:object_r:etc_t:s0"}});
  EXPECT_TRUE(st.fs.put("etc/os-release", f, 1, &why)) << why;
  Entry link = f;
  link.set_hardlink("etc/os-release");
  link.set_data_path("etc/os-release");
  EXPECT_TRUE(st.fs.put("etc/os-release.hard", link, 1, &why)) << why;
  Entry sym;
  sym.type = EntryType::Symlink;
  sym.link = "../usr/lib/os-release";
  sym.layer = 1;
  EXPECT_TRUE(st.fs.put("etc/alt", sym, 1, &why)) << why;
  st.fs.whiteout("etc/gone", 1);
  LayerStats ls;
  ls.compression = Compression::Gzip;
  ls.compressed_bytes = 10, ls.uncompressed_bytes = 20, ls.entries = 3;
  ls.blob_digest = "sha256:aa", ls.diff_id = "sha256:bb";
  ls.notes = {"a note"};
  st.stats = {ls, ls};
  st.notes = {"layer 1: a note"};
  st.captures.used = 5;
  st.captures.notes = {"budget"};
  st.captures.layers = 2;
  st.captures.pattern_files = {{"etc/os-release", 4096}};
  Captured c;
  c.data = "hello";
  c.size = 5;
  c.layer = 1;
  st.captures.captured["etc/os-release"] = c;
  return st;
}

TEST(ChainSnapshot, ReadsBackWhatItWrote) {
  CaptureSet none;  // no visitors: the sample keeps none
  ChainState st = sample();
  std::string why;
  std::string bytes = encode_chain(st, "key", &why);
  ASSERT_FALSE(bytes.empty()) << why;
  auto back = decode_chain(bytes, "key", none);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->layers, 2);
  ASSERT_EQ(back->fs.size(), st.fs.size());
  for (auto& [path, e] : st.fs.entries()) {
    const Entry* b = back->fs.find(path);
    ASSERT_TRUE(b) << path;
    EXPECT_EQ(b->type, e.type) << path;
    EXPECT_EQ(b->mode, e.mode) << path;
    EXPECT_EQ(b->hash, e.hash) << path;
    EXPECT_EQ(b->link, e.link) << path;
    EXPECT_EQ(b->touched, e.touched) << path;
    EXPECT_EQ(b->hardlink(), e.hardlink()) << path;
    EXPECT_EQ(b->data_path(), e.data_path()) << path;
    EXPECT_EQ(b->xattrs(), e.xattrs()) << path;
    EXPECT_EQ(b->implicit, e.implicit) << path;
  }
  EXPECT_EQ(back->fs.removed().size(), st.fs.removed().size());
  EXPECT_EQ(back->stats[1].notes, st.stats[1].notes);
  EXPECT_EQ(back->notes, st.notes);
  EXPECT_EQ(back->captures.captured.at("etc/os-release").data, "hello");
  EXPECT_EQ(back->captures.pattern_files, st.captures.pattern_files);
  // Another key is another snapshot.
  EXPECT_THROW(decode_chain(bytes, "other", none), SerialError);
}

// The checksum mended after a change, as a writer of another build would leave its file.
std::string mend(std::string bytes) {
  const size_t body = bytes.size() - 16;
  ContentHash h = xxh128_of(std::string_view(bytes).substr(0, body));
  bytes.resize(body);
  SerialOut w(bytes);
  w.num(h.hi), w.num(h.lo);
  return bytes;
}

TEST(ChainSnapshot, CutOrChangedAnywhereIsAnErrorNeverACrash) {
  CaptureSet none;
  std::string why;
  const std::string bytes = encode_chain(sample(), "key", &why);
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_THROW(decode_chain(std::string_view(bytes).substr(0, n), "key", none), SerialError) << "cut at " << n;
  // Every byte of the body changed in turn, the checksum mended: read whole or refused.
  std::mt19937 rng(7);
  int refused = 0;
  for (size_t at = 0; at + 16 < bytes.size(); ++at) {
    std::string changed = bytes;
    changed[at] = static_cast<char>(changed[at] ^ (1 + rng() % 255));
    try {
      auto st = decode_chain(mend(changed), "key", none);
      EXPECT_TRUE(st);
    } catch (const SerialError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  // A length that claims more than the file holds.
  std::string huge = bytes;
  const size_t key_len_at = 8 + 4 + 4;
  for (int i = 0; i < 8; ++i) huge[key_len_at + static_cast<size_t>(i)] = '\xff';
  EXPECT_THROW(decode_chain(mend(huge), "key", none), SerialError);
}

}  // namespace chain_test
