// The config part of a diff: labels, environment, entrypoint and the rest, field by field.
// Timestamps (created, history[].created) and builder stamps (io.buildah.version) are listed as
// noise in rules/drift.json ("config_noise"); everything else that differs is drift.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "drift/compare.h"

namespace imagelint::drift {
namespace {

using nlohmann::json;
using Fields = std::map<std::string, std::string>;  // field -> JSON text

void flatten(const json& doc, Fields& out) {
  if (!doc.is_object()) return;
  for (auto& [k, v] : doc.items()) {
    if (k == "rootfs") continue;  // the layers section compares diff_ids
    if (k == "config" && v.is_object()) {
      for (auto& [ck, cv] : v.items()) {
        if (ck == "Labels" && cv.is_object()) {
          for (auto& [lk, lv] : cv.items()) out["labels." + lk] = lv.dump();
        } else if (ck == "Env" && cv.is_array()) {
          for (auto& e : cv) {
            if (!e.is_string()) continue;
            std::string s = e.get<std::string>();
            size_t eq = s.find('=');
            out["env." + s.substr(0, eq)] = json(eq == std::string::npos ? "" : s.substr(eq + 1)).dump();
          }
        } else {
          out["config." + ck] = cv.dump();
        }
      }
      continue;
    }
    if (k == "history" && v.is_array()) {
      json created = json::array(), comment = json::array(), empty = json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        const json& h = v[i];
        if (!h.is_object()) continue;
        created.push_back(h.value("created", json()));
        comment.push_back(h.value("comment", json()));
        empty.push_back(h.value("empty_layer", json(false)));
        if (h.contains("created_by")) out["history[" + std::to_string(i) + "].created_by"] = h["created_by"].dump();
        if (h.contains("author")) out["history[" + std::to_string(i) + "].author"] = h["author"].dump();
      }
      out["history.length"] = std::to_string(v.size());
      out["history.created"] = created.dump();
      out["history.comment"] = comment.dump();
      out["history.empty_layer"] = empty.dump();
      continue;
    }
    out[k] = v.dump();
  }
}

}  // namespace

std::vector<ConfigChange> diff_configs(const std::string& a_json, const std::string& b_json,
                                       const std::vector<std::string>& noise) {
  Fields fa, fb;
  flatten(json::parse(a_json, nullptr, false), fa);
  flatten(json::parse(b_json, nullptr, false), fb);
  std::map<std::string, std::pair<std::string, std::string>> all;
  for (auto& [k, v] : fa) all[k].first = v;
  for (auto& [k, v] : fb) all[k].second = v;
  std::vector<ConfigChange> out;
  for (auto& [field, v] : all) {
    if (v.first == v.second) continue;
    ConfigChange c;
    c.field = field;
    c.a = v.first;
    c.b = v.second;
    bool is_noise = std::find(noise.begin(), noise.end(), field) != noise.end();
    c.cls = is_noise ? Class::Noise : Class::Drift;
    c.category = is_noise ? "build-metadata" : "config";
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace imagelint::drift
