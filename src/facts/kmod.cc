#include "facts/kmod.h"

#include <algorithm>
#include <cstring>

#include "image/decompress.h"
#include "util/error.h"
#include "util/serial.h"
#include "util/task_pool.h"

namespace imagelint {

const char* const kModulePattern = "usr/lib/modules/[^/]+/.+\\.ko(\\.xz|\\.zst|\\.gz)?";

std::string module_kver(const std::string& path) {
  const std::string prefix = "usr/lib/modules/";
  if (!path.starts_with(prefix)) return "";
  size_t end = path.find('/', prefix.size());
  return end == std::string::npos ? "" : path.substr(prefix.size(), end - prefix.size());
}

void parse_modinfo(const std::string& section, ModuleInfo& info) {
  size_t pos = 0;
  while (pos < section.size()) {
    size_t end = section.find('\0', pos);
    if (end == std::string::npos) end = section.size();
    std::string kv = section.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "name") info.name = v;
    else if (k == "vermagic") info.vermagic = v;
    else if (k == "version") info.version = v;
    else if (k == "srcversion") info.srcversion = v;
    else if (k == "license") info.license = v;
    else if (k == "depends") {
      info.depends.clear();
      size_t a = 0;
      while (a < v.size()) {
        size_t b = v.find(',', a);
        if (b == std::string::npos) b = v.size();
        if (b > a) info.depends.push_back(v.substr(a, b - a));
        a = b + 1;
      }
    }
  }
}

namespace {

constexpr size_t kMaxRun = 1u << 20;         // one retained string run
constexpr size_t kMaxRetained = 8u << 20;    // all runs of one module
constexpr size_t kMaxShdrs = 4u << 20;       // the section header table
constexpr size_t kNulBreak = 4096;           // a run ends after this many NULs in a row
constexpr size_t kDeferMax = 16u << 20;      // compressed bytes kept for the pool, per module
constexpr size_t kPiece = 1u << 10;          // compressed bytes fed between checks for the stop
const char kSigMagic[] = "~Module signature appended~\n";

bool stringish(unsigned char c) { return c == 0 || c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7f); }

uint64_t rd(const unsigned char* p, int n, bool le) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[le ? i : n - 1 - i]) << (8 * i);
  return v;
}

}  // namespace

// A run of string-like bytes that may hold .modinfo (has '=') or .shstrtab (has ".modinfo").
struct Run {
  uint64_t start = 0;
  std::string bytes;
};

struct ModuleScan {
  std::unique_ptr<Decoder> decoder;
  std::string first;  // the first bytes, until the compression is known
  uint64_t off = 0;   // uncompressed offset
  unsigned char ehdr[64] = {};
  bool elf64 = true, le = true, header_ok = false;
  uint64_t shoff = 0, shentsize = 0, shnum = 0, shstrndx = 0;
  std::string shdrs;
  Run cur;
  size_t cur_nuls = 0;
  bool cur_keep = false;
  std::vector<Run> runs;
  size_t retained = 0;
  bool overflow = false;
  std::string tail;
  bool want_signature = true;
  bool stopped = false;  // a run holding vermagic= was found and the signature is not wanted
  Run early;

  static bool has_vermagic(const std::string& b) {
    return b.starts_with("vermagic=") || b.find(std::string_view("\0vermagic=", 10)) != std::string::npos;
  }

  void close_run() {
    if (!want_signature && cur_keep && header_ok && has_vermagic(cur.bytes)) {
      early = std::move(cur);
      stopped = true;
      cur = Run{};
      return;
    }
    if (cur_keep && cur.bytes.size() >= 8 && retained + cur.bytes.size() <= kMaxRetained) {
      retained += cur.bytes.size();
      runs.push_back(std::move(cur));
    } else if (cur_keep && cur.bytes.size() >= 8) {
      overflow = true;
    }
    cur = Run{};
    cur_keep = false;
    cur_nuls = 0;
  }

  void push(const char* p, size_t n) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    if (stopped) return;
    for (size_t i = 0; i < n && !stopped; ++i, ++off) {
      unsigned char c = u[i];
      if (off < 64) ehdr[off] = c;
      if (off == 63) parse_header();
      if (header_ok && off >= shoff && off < shoff + shnum * shentsize && shdrs.size() < kMaxShdrs)
        shdrs.push_back(static_cast<char>(c));
      if (stringish(c)) {
        if (cur.bytes.empty()) cur.start = off;
        cur_nuls = c == 0 ? cur_nuls + 1 : 0;
        if (cur_nuls >= kNulBreak) {
          close_run();
          continue;
        }
        if (cur.bytes.size() < kMaxRun) cur.bytes.push_back(static_cast<char>(c));
        if (c == '=' || (c == 'o' && cur.bytes.ends_with(".modinfo"))) cur_keep = true;
      } else if (!cur.bytes.empty()) {
        close_run();
      }
    }
    // The last bytes, for the signature marker.
    if (n >= 64) tail.assign(p + n - 64, 64);
    else tail.append(p, n);
    if (tail.size() > 64) tail.erase(0, tail.size() - 64);  // capacity stays at 128 bytes
  }

  void parse_header() {
    if (std::memcmp(ehdr, "\x7f" "ELF", 4) != 0) return;
    elf64 = ehdr[4] == 2;
    le = ehdr[5] == 1;
    if (elf64) {
      shoff = rd(ehdr + 0x28, 8, le);
      shentsize = rd(ehdr + 0x3a, 2, le);
      shnum = rd(ehdr + 0x3c, 2, le);
      shstrndx = rd(ehdr + 0x3e, 2, le);
    } else {
      shoff = rd(ehdr + 0x20, 4, le);
      shentsize = rd(ehdr + 0x2e, 2, le);
      shnum = rd(ehdr + 0x30, 2, le);
      shstrndx = rd(ehdr + 0x32, 2, le);
    }
    header_ok = shentsize >= (elf64 ? 64u : 40u) && shnum > 0 && shnum * shentsize <= kMaxShdrs;
  }

  // Bytes [o, o+len) from the retained runs; false when not all of them were kept.
  bool range(uint64_t o, uint64_t len, std::string& out) const {
    for (const Run& r : runs)
      if (o >= r.start && o + len <= r.start + r.bytes.size() && o + len >= o) {
        out = r.bytes.substr(static_cast<size_t>(o - r.start), static_cast<size_t>(len));
        return true;
      }
    return false;
  }

  // .modinfo from the run around its vermagic= string: the key=value strings before and after it
  // (empty ones, padding, skipped); the first string that is not key=value bounds it.
  void parse_early(ModuleInfo& info) const {
    std::vector<std::string_view> strings;
    std::string_view all(early.bytes);
    for (size_t a = 0; a <= all.size();) {
      size_t b = all.find('\0', a);
      if (b == std::string_view::npos) b = all.size();
      strings.push_back(all.substr(a, b - a));
      a = b + 1;
    }
    auto key_value = [](std::string_view s) {
      size_t eq = s.find('=');
      if (eq == 0 || eq == std::string_view::npos) return false;
      for (size_t i = 0; i < eq; ++i)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.')) return false;
      return true;
    };
    size_t at = strings.size();
    while (at > 0 && !strings[at - 1].starts_with("vermagic=")) --at;
    size_t from = at - 1, to = at;
    while (from > 0 && (strings[from - 1].empty() || key_value(strings[from - 1]))) --from;
    while (to < strings.size() && (strings[to].empty() || key_value(strings[to]))) ++to;
    std::string section;
    // The section before .modinfo may end without a NUL, so that its last bytes run into the
    // first entry ("\xbdalicense=GPL v2" in Debian's sdhci-acpi.ko): keep the longest tail that
    // starts with a key this reader uses (a glued key it does not use is lost, harmlessly).
    if (from > 0) {
      std::string_view s = strings[from - 1];
      static const std::string_view kKeys[] = {"license=", "srcversion=", "version=", "name=", "depends="};
      size_t best = std::string_view::npos;
      for (std::string_view k : kKeys)
        if (size_t p = s.find(k); p != std::string_view::npos && p < best) best = p;
      if (best != std::string_view::npos) (section += s.substr(best)) += '\0';
    }
    for (size_t i = from; i < to; ++i) (section += strings[i]) += '\0';
    parse_modinfo(section, info);
    info.signature_read = false;
  }

  std::string finish(ModuleInfo& info) {
    close_run();  // the last run, closed by the end of the file (a no-op once stopped)
    if (stopped) {
      parse_early(info);
      return "";
    }
    if (tail.ends_with(kSigMagic)) info.signed_ = true;
    if (off < 64 || std::memcmp(ehdr, "\x7f" "ELF", 4) != 0) return "not an ELF object";
    if (!header_ok) return "ELF header has no usable section header table";
    if (shdrs.size() != shnum * shentsize) return "section header table lies outside the file";
    if (shstrndx >= shnum) return "section name table index out of range";
    auto section = [&](uint64_t i, uint64_t& name, uint64_t& offset, uint64_t& size) {
      const auto* s = reinterpret_cast<const unsigned char*>(shdrs.data() + i * shentsize);
      name = rd(s, 4, le);
      offset = elf64 ? rd(s + 0x18, 8, le) : rd(s + 0x10, 4, le);
      size = elf64 ? rd(s + 0x20, 8, le) : rd(s + 0x14, 4, le);
    };
    uint64_t n, so, ss;
    section(shstrndx, n, so, ss);
    if (so > off || ss > off - so) return "section name table lies outside the file";
    std::string names;
    if (!range(so, ss, names)) return "section name table not found in the stream";
    for (uint64_t i = 0; i < shnum; ++i) {
      uint64_t name, o, sz;
      section(i, name, o, sz);
      if (name >= names.size() || std::strcmp(names.c_str() + name, ".modinfo") != 0) continue;
      if (o > off || sz > off - o) return ".modinfo lies outside the file";
      std::string body;
      if (!range(o, sz, body)) return overflow ? ".modinfo not kept (string runs over the memory cap)" : ".modinfo not found in the stream";
      parse_modinfo(body, info);
      return "";
    }
    return "no .modinfo section";
  }
};

struct ModinfoReader::Job {
  ModuleInfo info;
  std::unique_ptr<ModuleScan> scan = std::make_unique<ModuleScan>();  // dropped at end(): only info stays
  std::unique_ptr<Decoder> decoder;
  std::string first;     // the first bytes, until the compression is known
  std::string deferred;  // compressed bytes kept for the pool
  bool failed = false;

  void sink(const char* q, size_t k) { scan->push(q, k); }

  // Feeds compressed bytes in pieces, so that a stop is noticed within a piece.
  void feed(const char* p, size_t n) {
    if (failed || !scan || scan->stopped) return;
    try {
      if (!decoder) {
        first.append(p, n);
        if (first.size() < 6) return;
        decoder = std::make_unique<Decoder>(
            detect_compression(reinterpret_cast<const unsigned char*>(first.data()), first.size(), info.path), info.path);
        std::string head = std::move(first);
        first.clear();
        feed(head.data(), head.size());
        return;
      }
      for (size_t at = 0; at < n && !scan->stopped; at += kPiece)
        decoder->feed(p + at, std::min(kPiece, n - at), false, [&](const char* q, size_t k) { sink(q, k); });
    } catch (const InputError& e) {
      info.error = e.reason();
      failed = true;
    }
  }

  void end() {
    if (!failed && scan) try {
      if (!decoder) {  // shorter than 6 bytes
        decoder = std::make_unique<Decoder>(Compression::None, info.path);
        decoder->feed(first.data(), first.size(), false, [&](const char* q, size_t k) { sink(q, k); });
      }
      if (!scan->stopped) decoder->feed(nullptr, 0, true, [&](const char* q, size_t k) { sink(q, k); });
      info.error = scan->finish(info);
      info.decoded = scan->off;
    } catch (const InputError& e) {
      info.error = e.reason();
    }
    // Keep only the facts.
    decoder.reset();
    scan.reset();
    std::string().swap(deferred);
  }
};

ModinfoReader::ModinfoReader(std::string path, bool signature, TaskPool* pool)
    : job_(std::make_shared<Job>()), pool_(pool), deferred_(pool != nullptr) {
  job_->info.path = std::move(path);
  job_->info.kver = module_kver(job_->info.path);
  job_->scan->want_signature = signature;
}

ModinfoReader::~ModinfoReader() = default;

const ModuleInfo& ModinfoReader::info() const { return job_->info; }

bool ModinfoReader::save(std::string& out) const {
  const ModuleInfo& i = job_->info;
  SerialOut w(out);
  for (const std::string* s : {&i.name, &i.vermagic, &i.version, &i.srcversion, &i.license, &i.error}) w.str(*s);
  w.num(static_cast<uint64_t>(i.depends.size()));
  for (const std::string& d : i.depends) w.str(d);
  w.num(static_cast<uint8_t>(i.signed_)), w.num(static_cast<uint8_t>(i.signature_read)), w.num(i.decoded);
  return true;
}

bool ModinfoReader::load(std::string_view in) {
  ModuleInfo& i = job_->info;
  try {
    SerialIn r(in);
    for (std::string* s : {&i.name, &i.vermagic, &i.version, &i.srcversion, &i.license, &i.error}) *s = r.str();
    for (uint64_t n = r.num<uint64_t>(); n > 0; --n) i.depends.emplace_back(r.str());
    i.signed_ = r.num<uint8_t>() != 0;
    i.signature_read = r.num<uint8_t>() != 0;
    i.decoded = r.num<uint64_t>();
    if (!r.done()) return false;
  } catch (const SerialError&) {
    return false;
  }
  job_->scan.reset();
  deferred_ = false;
  return true;
}

void ModinfoReader::data(const char* p, size_t n) {
  Job& j = *job_;
  if (deferred_) {
    if (j.deferred.size() + n <= kDeferMax) {
      j.deferred.append(p, n);
      return;
    }
    deferred_ = false;  // too large to keep: decode as it streams
    std::string kept = std::move(j.deferred);
    j.deferred.clear();
    j.feed(kept.data(), kept.size());
  }
  j.feed(p, n);
}

void ModinfoReader::end() {
  if (!deferred_) {
    job_->end();
    return;
  }
  pool_->submit([job = job_] {
    job->feed(job->deferred.data(), job->deferred.size());
    job->end();
  });
}

}  // namespace imagelint
