#include "report/inspect_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "report/check_report.h"
#include "report/listing.h"
#include "util/text.h"
#include "util/version.h"

namespace imagelint {

std::string inspect_json(const Image& img, const Gathered& g) {
  const BuildResult& built = g.built;
  const Facts& facts = g.facts;
  nlohmann::json j = facts_to_json(facts);
  j["schema"] = "imagelint.inspect/v1";
  j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
  j["image"] = image_to_json(img, &built);
  j["files"] = built.fs.size();
  for (auto& n : built.notes) j["notes"].push_back(n);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";  // facts may quote non-UTF-8 bytes
}

std::string inspect_text(const Image& img, const Gathered& g) {
  const BuildResult& built = g.built;
  const Facts& facts = g.facts;
  // Every string from the image is escaped on its own: a newline in a label is \x0a, not a line.
  auto esc = [](const std::string& s) { return escape_bytes(s, false); };
  std::string out;
  out += fmt::format("reference:       {}\n", esc(img.ref.original));
  out += fmt::format("transport:       {}\n", transport_name(img.ref.transport));
  if (!img.manifest_digest.empty()) out += fmt::format("manifest:        {} ({})\n", img.manifest_digest, img.manifest_media_type);
  if (!img.config_digest.empty()) out += fmt::format("config:          {}\n", img.config_digest);
  if (!img.platform.os.empty()) out += fmt::format("platform:        {}\n", img.platform.str());
  out += fmt::format("files:           {}\n", built.fs.size());
  if (!img.labels.empty()) {
    out += "labels:\n";
    for (auto& [k, v] : img.labels) out += fmt::format("  {}={}\n", esc(k), esc(v));
  }
  if (!img.layers.empty()) {
    uint64_t total_c = 0, total_u = 0;
    out += fmt::format("layers:          {}\n", img.layers.size());
    out += fmt::format("  {:>3}  {:<19}  {:<5}  {:>10}  {:>10}  {:>7}  {}\n", "#", "digest", "comp", "stored",
                       "unpacked", "entries", "created by");
    for (const LayerInfo& l : img.layers) {
      const LayerStats& s = built.layers[static_cast<size_t>(l.index)];
      std::string d = s.blob_digest.substr(0, 19);
      const std::string by = shorten(esc(l.created_by), 100);
      out += fmt::format("  {:>3}  {:<19}  {:<5}  {:>10}  {:>10}  {:>7}  {}\n", l.index, d, compression_name(s.compression),
                         human_bytes(s.compressed_bytes), human_bytes(s.uncompressed_bytes), s.entries, by);
      total_c += s.compressed_bytes;
      total_u += s.uncompressed_bytes;
    }
    out += fmt::format("  total: {} stored, {} unpacked\n", human_bytes(total_c), human_bytes(total_u));
  }
  out += "facts:\n";
  if (!facts.os_release.empty()) {
    auto name = facts.os_release.count("PRETTY_NAME") ? facts.os_release.at("PRETTY_NAME")
                                                      : facts.os_release.count("NAME") ? facts.os_release.at("NAME") : "?";
    out += fmt::format("  os:            {} ({})\n", esc(name), esc(facts.os_release_path));
  }
  for (auto& k : facts.kernels)
    out += fmt::format("  kernel:        {}{}{}{}, {} modules\n", esc(k.kver), k.vmlinuz ? " vmlinuz" : " (no vmlinuz)",
                       k.initramfs ? " initramfs.img" : "", k.modules_dep ? " modules.dep" : " (no modules.dep)", k.modules);
  int unreadable = 0;
  for (auto& m : facts.modules) unreadable += !m.error.empty();
  if (unreadable) out += fmt::format("  modules:       {} without a readable .modinfo (see --format json)\n", unreadable);
  out += fmt::format("  users:         {} in passwd, {} in sysusers.d, lingering: {}\n", facts.users.passwd.size(),
                     facts.users.sysusers.size(), facts.users.lingering.empty() ? "none" : esc(fmt::format("{}", fmt::join(facts.users.lingering, ", "))));
  out += fmt::format("  packages:      {}{}\n", facts.packages.packages.size(),
                     facts.packages.unread.empty() ? "" : esc(fmt::format(" (unread: {})", fmt::join(facts.packages.unread, ", "))));
  if (facts.verify.done && !facts.packages.packages.empty()) {
    PackageCounts t;
    size_t touched = 0;
    for (const PackageCounts& c : facts.verify.counts) {
      t.files += c.files, t.verified += c.verified, t.changed += c.changed, t.missing += c.missing, t.skipped += c.skipped;
      touched += c.changed + c.missing > 0;
    }
    out += fmt::format("  package files: {} verified, {} changed, {} missing (in {} of {} packages; --format json: per package), "
                       "{} not checked (%ghost, not installed)\n",
                       t.verified, t.changed, t.missing, touched, facts.packages.packages.size(), t.skipped);
  }
  int enabled = 0, rootful = 0;
  for (auto& u : facts.units) {
    enabled += u.enabled;
    rootful += u.enabled && u.scope == "rootful";
  }
  out += fmt::format("  units:         {} ({} enabled, {} enabled rootful quadlets)\n", facts.units.size(), enabled, rootful);
  if (!facts.policy_present) out += "  policy:        no etc/containers/policy.json\n";
  else if (!facts.policy.ok) out += fmt::format("  policy:        {}: {}\n", esc(facts.policy_path), esc(facts.policy.error));
  else
    out += fmt::format("  policy:        {} (default: {})\n", esc(facts.policy_path),
                       facts.policy.policy.default_reqs.empty() ? "?" : requirement_type_name(facts.policy.policy.default_reqs[0].type));
  for (auto& n : built.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.packages.notes) out += "note: " + esc(n) + "\n";
  for (auto& n : facts.packages.errors) out += "error: " + esc(n) + "\n";
  for (auto& n : facts.users.notes) out += "note: " + esc(n.text) + "\n";
  return out;
}

}  // namespace imagelint
