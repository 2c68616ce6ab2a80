// Kernel modules: the ELF .modinfo of each module (.ko, .ko.xz, .ko.zst, .ko.gz), read while the
// module streams past, without holding it whole (an nvidia.ko is ~100 MB).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fs/capture.h"

namespace imagelint {

struct ModuleInfo {
  std::string path;         // image path of the module file
  std::string kver;         // the usr/lib/modules/KVER directory it sits in
  std::string name, vermagic, version, srcversion, license;
  std::vector<std::string> depends;
  bool signed_ = false;     // "~Module signature appended~" at the end
  bool signature_read = true;  // false: the scan stopped after .modinfo, signed_ is unknown
  uint64_t decoded = 0;        // bytes of the (uncompressed) module the scan went through
  std::string error;        // why .modinfo could not be read (not an ELF, truncated, …)
};

// Streams one module's bytes (compressed or not, detected by magic) and extracts its facts.
// Memory: the section header table, the string runs that can hold .modinfo/.shstrtab (capped),
// and a 32-byte tail — never the module.
//
// With signature == false the decode stops at the first run of key=value strings that holds a
// vermagic= entry (modpost writes one into every module's .modinfo), on average a fifth of the
// way in; the section headers at the end are then never read, so the run is trusted as .modinfo
// from the strings around vermagic=. When no such run appears, the module is read whole and
// .modinfo is found through the section headers as with signature == true.
//
// With a pool, the compressed bytes (up to 16 MiB; larger modules are decoded as they stream)
// are kept and decoded on the pool at end(): info() is valid once the pool's wait() returns.
class TaskPool;
class ModinfoReader : public EntryVisitor {
 public:
  explicit ModinfoReader(std::string path, bool signature = true, TaskPool* pool = nullptr);
  ~ModinfoReader() override;
  void data(const char* p, size_t n) override;
  void end() override;
  const ModuleInfo& info() const;
  bool save(std::string& out) const override;  // info(): call once the pool is done
  bool load(std::string_view in) override;

  struct Job;

 private:
  std::shared_ptr<Job> job_;
  TaskPool* pool_;
  bool deferred_;
};

// RE2 pattern for module files under usr/lib/modules, and the KVER a path belongs to.
extern const char* const kModulePattern;
std::string module_kver(const std::string& path);
// Parses NUL-separated key=value strings (the .modinfo format) into the fields of info.
void parse_modinfo(const std::string& section, ModuleInfo& info);

}  // namespace imagelint
