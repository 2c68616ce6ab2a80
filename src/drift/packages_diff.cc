// The package part of a diff: NEVRA sets of the two databases, paired by name and arch so that an
// upgrade reads as one change ("kmod-zfs 2.2.7-1.el10 → 2.2.8-1.el10"), not a removal and an
// addition. Install-only packages (several kernels) pair only when each side has one.
#include <map>
#include <set>

#include "drift/compare.h"

namespace imagelint::drift {
namespace {

std::string evr(const Package& p) {
  return (p.epoch.empty() || p.epoch == "0" ? "" : p.epoch + ":") + p.version + "-" + p.release;
}

}  // namespace

PackageDiff diff_packages(const PackageDb& a, const PackageDb& b) {
  using Key = std::pair<std::string, std::string>;  // name, arch (db too, so rpm and dpkg never pair)
  std::map<Key, std::vector<const Package*>> ka, kb;
  for (auto& p : a.packages) ka[{p.name, p.arch + "/" + p.db}].push_back(&p);
  for (auto& p : b.packages) kb[{p.name, p.arch + "/" + p.db}].push_back(&p);
  PackageDiff out;
  std::set<Key> keys;
  for (auto& [k, v] : ka) keys.insert(k);
  for (auto& [k, v] : kb) keys.insert(k);
  for (const Key& k : keys) {
    auto& va = ka[k];
    auto& vb = kb[k];
    if (va.size() == 1 && vb.size() == 1) {
      if (va[0]->nevra != vb[0]->nevra)
        out.changed.push_back({va[0]->name, va[0]->arch, evr(*va[0]), evr(*vb[0]), va[0]->nevra, vb[0]->nevra});
      continue;
    }
    std::set<std::string> na, nb;
    for (auto* p : va) na.insert(p->nevra);
    for (auto* p : vb) nb.insert(p->nevra);
    for (auto& n : na)
      if (!nb.count(n)) out.removed.push_back(n);
    for (auto& n : nb)
      if (!na.count(n)) out.added.push_back(n);
  }
  return out;
}

}  // namespace imagelint::drift
