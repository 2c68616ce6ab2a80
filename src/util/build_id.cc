#include "util/build_id.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <cstring>

#include "util/hash.h"

namespace imagelint {

// What identifies the code that wrote an entry: the GNU build id the linker put into this
// executable (it changes with any change to the code), else the executable's own bytes hashed.
// A cache shared by two builds of the same version must never hand one the other's entries.
std::string build_identity() {
  static const std::string id = [] {
    std::string out;
    dl_iterate_phdr(
        [](struct dl_phdr_info* info, size_t, void* data) -> int {
          auto& o = *static_cast<std::string*>(data);
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_NOTE) continue;
            const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
            const char* end = p + ph.p_memsz;
            while (p + sizeof(ElfW(Nhdr)) <= end) {
              ElfW(Nhdr) n;
              std::memcpy(&n, p, sizeof n);
              const char* name = p + sizeof n;
              const char* desc = name + ((n.n_namesz + 3) & ~3u);
              if (desc + n.n_descsz > end) break;
              if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                o.assign(desc, n.n_descsz);
                return 1;
              }
              p = desc + ((n.n_descsz + 3) & ~3u);
            }
          }
          return 1;  // only the executable itself, which comes first
        },
        &out);
    if (!out.empty()) return "build-id:" + out;
    Xxh128 h;
    const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    std::string buf(1 << 16, '\0');
    ssize_t n;
    while (fd >= 0 && (n = ::read(fd, buf.data(), buf.size())) > 0) h.update(buf.data(), static_cast<size_t>(n));
    if (fd >= 0) ::close(fd);
    return "exe:" + h.digest().hex();
  }();
  return id;
}

}  // namespace imagelint
