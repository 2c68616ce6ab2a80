// Update cost (diff's `update` section): what a host holding image A downloads to move to B, layer
// by layer, and how much of that is noise. A bootc host pulls every layer of B whose digest it
// does not hold, whole, whatever changed inside it: a layer that differs only by mtimes costs its
// full size on every host of the fleet.
//
// Each of B's layers not in A (by digest, anywhere in A) is held against A's layer at the same
// index, entry by entry, as the two tars ship them (an entry a later layer overwrites still counts
// in the layer that ships it): no difference at all is `unexplained-churn` (compression, entry
// order or tar header fields the comparison does not see), differences that are all noise make it
// `noise-only`, any drift or hazard makes it `drift`. The entries come from the pass
// (BuildResult::layer_records): no layer is read again.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "drift/diff.h"
#include "fs/build.h"

namespace imagelint::drift {

// r: the diff of a and b (its changes classified), cx its classification context.
// ra, rb, sa, sb: each image's layer records and stats from the pass; empty when the diff did not
// read the layers (same manifest, same diff_ids), where a layer whose digest changed with its
// diff_id the same can only be compression churn.
UpdateCost update_cost(const Image& a, const Image& b, const std::vector<LayerRecord>& ra, const std::vector<LayerRecord>& rb,
                       const std::vector<LayerStats>& sa, const std::vector<LayerStats>& sb, const DiffResult& r,
                       const DriftRules& rules);

nlohmann::json update_to_json(const UpdateCost& u);
// "812 MB" style, for the text report.
std::string human_bytes(uint64_t n);

}  // namespace imagelint::drift
