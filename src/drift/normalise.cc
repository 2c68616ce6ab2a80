// The normaliser registry: names (as rules/drift.json spells them) to functions. Each function
// is wrapped so that whatever it throws for unreadable input comes back as ok = false.
#include "drift/normalise.h"

#include <algorithm>
#include <new>

#include "drift/normalisers/normalisers.h"
#include "util/error.h"

namespace imagelint::drift {

void unreadable(const std::string& why) { throw InputError("", why); }

void count_decompressed(uint64_t* total, size_t n, uint64_t limit, const char* what) {
  *total += n;
  if (*total > limit) unreadable(std::string("decompresses to more than ") + what);
}

namespace {

template <Substance (*F)(std::string_view)>
Substance guarded(std::string_view bytes) {
  try {
    return F(bytes);
  } catch (const InputError& e) {
    return Substance{false, e.reason(), {}};
  } catch (const std::bad_alloc&) {
    return Substance{false, "out of memory", {}};
  }
}

struct Named {
  std::string_view name;
  Normaliser fn;
};

// Sorted by name.
constexpr Named kNormalisers[] = {
    {"gzip", guarded<normalise_gzip>},
    {"initramfs", guarded<normalise_initramfs>},
    {"kmod", guarded<normalise_kmod>},
    {"pyc", guarded<normalise_pyc>},
    {"rpmdb", guarded<normalise_rpmdb>},
    {"shadow", guarded<normalise_shadow>},
};

}  // namespace

Normaliser find_normaliser(std::string_view name) {
  for (const auto& n : kNormalisers)
    if (n.name == name) return n.fn;
  return nullptr;
}

std::vector<std::string> normaliser_names() {
  std::vector<std::string> out;
  for (const auto& n : kNormalisers) out.emplace_back(n.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace imagelint::drift
