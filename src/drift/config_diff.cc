// The config part of a diff: labels, environment, entrypoint and the rest, field by field.
// Timestamps (created, history[].created) and builder stamps (io.buildah.version) are listed as
// noise in rules/drift.json ("config_noise"); everything else that differs is drift.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
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
      // Step by step: each step's created_by, author, comment and empty_layer as fields of their
      // own (history[3].created_by), the steps' timestamps as one field (they all move together
      // in a rebuild), and history.steps for the count (diff_configs names added steps).
      json created = json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        const json& h = v[i];
        if (!h.is_object()) continue;
        created.push_back(h.value("created", json()));
        const std::string step = "history[" + std::to_string(i) + "]";
        for (const char* f : {"created_by", "author", "comment"})
          if (h.contains(f) && !h[f].is_null()) out[step + "." + f] = h[f].dump();
        if (h.value("empty_layer", false)) out[step + ".empty_layer"] = "true";
      }
      out["history.created"] = created.dump();
      out["history.steps"] = json(v.size()).dump();
      continue;
    }
    out[k] = v.dump();
  }
}

}  // namespace

namespace {

// "history[12].comment" -> "history.comment": how config_noise names a per-step field.
std::string without_step(const std::string& field) {
  if (!field.starts_with("history[")) return field;
  size_t close = field.find(']');
  return close == std::string::npos ? field : "history" + field.substr(close + 1);
}

// The index of a "history[N]..." field, or -1.
long step_of(const std::string& field) {
  if (!field.starts_with("history[")) return -1;
  return std::strtol(field.c_str() + 8, nullptr, 10);
}

// The layer a history step made: the steps before it that were not empty layers.
std::string layer_of_step(const json& history, size_t step) {
  if (!history.is_array() || step >= history.size()) return "";
  const json& h = history[step];
  if (h.is_object() && h.value("empty_layer", false)) return "no layer";
  size_t layer = 0;
  for (size_t i = 0; i < step; ++i)
    if (!(history[i].is_object() && history[i].value("empty_layer", false))) ++layer;
  return "layer " + std::to_string(layer);
}

std::string created_by_of(const json& history, size_t step) {
  if (!history.is_array() || step >= history.size() || !history[step].is_object()) return "";
  return history[step].value("created_by", "");
}

}  // namespace

std::vector<ConfigChange> diff_configs(const std::string& a_json, const std::string& b_json,
                                       const std::vector<std::string>& noise) {
  const json ja = json::parse(a_json, nullptr, false), jb = json::parse(b_json, nullptr, false);
  Fields fa, fb;
  flatten(ja, fa);
  flatten(jb, fb);
  const json ha = ja.is_object() ? ja.value("history", json()) : json(), hb = jb.is_object() ? jb.value("history", json()) : json();
  const size_t na = ha.is_array() ? ha.size() : 0, nb = hb.is_array() ? hb.size() : 0;
  std::map<std::string, std::pair<std::string, std::string>> all;
  for (auto& [k, v] : fa) all[k].first = v;
  for (auto& [k, v] : fb) all[k].second = v;
  std::vector<ConfigChange> out;
  for (auto& [field, v] : all) {
    if (v.first == v.second) continue;
    // A step only one build has is one change (history.steps says it), not one per field.
    if (long s = step_of(field); s >= 0 && (static_cast<size_t>(s) >= na || static_cast<size_t>(s) >= nb)) continue;
    ConfigChange c;
    c.field = field;
    c.a = v.first;
    c.b = v.second;
    bool is_noise = std::find(noise.begin(), noise.end(), without_step(field)) != noise.end();
    c.cls = is_noise ? Class::Noise : Class::Drift;
    c.category = is_noise ? "build-metadata" : "config";
    if (field == "history.created") {
      json ca = json::parse(c.a, nullptr, false), cb = json::parse(c.b, nullptr, false);
      size_t n = 0, first = 0, last = 0;
      // Steps both builds have (history.steps names the others).
      for (size_t i = 0; i < std::min(ca.is_array() ? ca.size() : 0, cb.is_array() ? cb.size() : 0); ++i) {
        if (ca[i] == cb[i]) continue;
        if (n++ == 0) first = i;
        last = i;
      }
      c.summary = std::to_string(n) + (n == 1 ? " build timestamp differs" : " build timestamps differ") +
                  (n == 1 ? " (step " + std::to_string(first) + ")"
                          : " (steps " + std::to_string(first) + "-" + std::to_string(last) + ")");
    } else if (field == "history.steps") {
      const bool b_more = nb > na;
      const json& longer = b_more ? hb : ha;
      for (size_t i = std::min(na, nb); i < std::max(na, nb); ++i) {
        std::string layer = layer_of_step(longer, i);
        c.summary += (c.summary.empty() ? "" : "; ") + std::string(b_more ? "B adds step " : "B drops A's step ") +
                     std::to_string(i) + ": " + created_by_of(longer, i) + (layer.empty() ? "" : " (" + layer + ")");
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace imagelint::drift
