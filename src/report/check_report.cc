#include "report/check_report.h"
#include "util/version.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace imagelint {

namespace {

std::string paint(bool on, const char* code, const std::string& s) {
  return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
}
const char* colour_of(Severity s) { return s == Severity::Error ? "1;31" : s == Severity::Warning ? "1;33" : "1;36"; }
}  // namespace

nlohmann::json image_to_json(const Image& img, const BuildResult* built) {
  using nlohmann::json;
  json j;
  j["reference"] = img.ref.original;
  j["transport"] = transport_name(img.ref.transport);
  j["manifest_digest"] = img.manifest_digest.empty() ? json(nullptr) : json(img.manifest_digest);
  j["config_digest"] = img.config_digest.empty() ? json(nullptr) : json(img.config_digest);
  j["platform"] = img.platform.os.empty() ? json(nullptr) : json(img.platform.str());
  j["labels"] = img.labels;
  j["layers"] = json::array();
  for (const LayerInfo& l : img.layers) {
    json lj;
    lj["index"] = l.index;
    lj["digest"] = l.digest.empty() ? json(nullptr) : json(l.digest);
    lj["diff_id"] = l.diff_id;
    lj["media_type"] = l.media_type.empty() ? json(nullptr) : json(l.media_type);
    lj["size"] = l.size;
    lj["created_by"] = l.created_by;
    if (built && static_cast<size_t>(l.index) < built->layers.size()) {
      const LayerStats& s = built->layers[static_cast<size_t>(l.index)];
      lj["compression"] = compression_name(s.compression);
      lj["uncompressed_size"] = s.uncompressed_bytes;
      lj["entries"] = s.entries;
    }
    j["layers"].push_back(lj);
  }
  return j;
}

std::string check_json(const CheckReport& r) {
  using nlohmann::json;
  json j;
  j["schema"] = "imagelint.check/v1";
  j["tool"] = {{"name", "imagelint"}, {"version", kVersion}};
  j["image"] = image_to_json(r.image, nullptr);
  j["packs"] = r.rules.packs;
  j["summary"] = {{"error", r.result.count(Severity::Error)},
                  {"warning", r.result.count(Severity::Warning)},
                  {"info", r.result.count(Severity::Info)},
                  {"waived", r.result.waived()},
                  {"rules_run", r.result.rules_run}};
  j["findings"] = json::array();
  for (const Finding& f : r.result.findings) {
    json fj = {{"rule", f.rule},       {"severity", severity_name(f.severity)},
               {"message", f.message}, {"path", f.path},
               {"layer", f.layer >= 0 ? json(f.layer) : json(nullptr)},
               {"package", f.package.empty() ? json(nullptr) : json(f.package)},
               {"fingerprint", f.fingerprint}, {"waived", f.waived}};
    if (!f.waiver.empty()) fj["waiver"] = f.waiver;
    j["findings"].push_back(fj);
  }
  j["waivers"] = json::array();
  for (const Waiver& w : r.result.waivers)
    j["waivers"].push_back({{"rule", w.rule}, {"path", w.path}, {"reason", w.reason}, {"expires", w.expires}, {"status", w.status}, {"matched", w.matched}});
  return j.dump(2) + "\n";
}

std::string check_text(const CheckReport& r) {
  std::string out;
  const bool c = r.color;
  std::string packs;
  for (auto& p : r.rules.packs) packs += (packs.empty() ? "" : ", ") + p;
  out += fmt::format("{} ({} rules from {})\n", r.image.ref.original, r.result.rules_run, packs);
  auto section = [&](const std::string& title, const char* colour, auto&& keep) {
    int n = 0;
    for (auto& f : r.result.findings) n += keep(f);
    if (!n) return;
    out += "\n" + paint(c, colour, fmt::format("{} ({})", title, n)) + "\n";
    for (const Finding& f : r.result.findings) {
      if (!keep(f)) continue;
      out += fmt::format("  {}  {}\n", paint(c, "1", f.rule), f.path.empty() ? "(image)" : f.path);
      out += "    " + f.message + "\n";
      std::string where;
      if (f.layer >= 0) {
        std::string by = f.created_by.size() > 90 ? f.created_by.substr(0, 87) + "..." : f.created_by;
        where += fmt::format("layer {}{}", f.layer, by.empty() ? "" : ": " + by);
      }
      if (!f.package.empty()) where += (where.empty() ? "" : "; ") + std::string("package ") + f.package;
      if (!where.empty()) out += "    " + paint(c, "2", where) + "\n";
      if (!f.waiver.empty()) out += "    " + paint(c, "2", (f.waived ? "waived: " : "") + f.waiver) + "\n";
    }
  };
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Info})
    section(severity_name(s), colour_of(s), [&](const Finding& f) { return !f.waived && f.severity == s; });
  section("waived", "2", [](const Finding& f) { return f.waived; });
  for (const Waiver& w : r.result.waivers)
    if (w.status == "stale") out += fmt::format("\nstale waiver: {} {} matches nothing ({})\n", w.rule, w.path, w.reason);
  bool failed = false;
  for (auto& f : r.result.findings)
    failed |= !f.waived && static_cast<int>(f.severity) <= static_cast<int>(r.fail_on);
  out += fmt::format("\n{} errors, {} warnings, {} info, {} waived: {}\n", r.result.count(Severity::Error),
                     r.result.count(Severity::Warning), r.result.count(Severity::Info), r.result.waived(),
                     failed ? paint(c, "1;31", fmt::format("FAILED (--fail-on {})", severity_name(r.fail_on)))
                            : paint(c, "1;32", "passed"));
  return out;
}

CheckWriter find_check_writer(const std::string& format) {
  if (format == "text") return check_text;
  if (format == "json") return check_json;
  return nullptr;
}

}  // namespace imagelint
