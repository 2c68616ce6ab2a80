// What the reports of `imagelint diff` that people read share (text, markdown, html): the reading
// order of the changes and how one change is named. Defined in diff_report.cc.
#pragma once
#include <string>
#include <vector>

#include "drift/diff.h"

namespace imagelint {

// Categories in reading order: hazards, then drift (unexplained first), then noise; larger first.
struct ChangeGroup {
  drift::Class cls;
  std::string category;
  std::vector<const drift::Change*> changes;
};
std::vector<ChangeGroup> groups_of(const drift::DiffResult& r);
// 0 hazard, 1 drift, 2 noise.
int class_rank(drift::Class c);
// "content,mtime" for a change (sep between names), the type for an added or removed entry.
std::string attrs_of(const drift::Change& c, const char* sep = ",");
// "layer 3", "layer 2 → 3", "layer 4 in B".
std::string layers_of(const drift::Change& c);

}  // namespace imagelint
