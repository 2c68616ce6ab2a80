#include "report/finding_groups.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "util/text.h"

namespace imagelint {

namespace {

struct Node {
  std::string path;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;  // by path component
  std::vector<const Finding*> own;  // findings whose path is this node's
  size_t count = 0;                 // findings here and below
  const Finding* sample = nullptr;  // shallowest here or below, then first by path
  size_t sample_depth = 0;
};

size_t depth_of(std::string_view p) { return static_cast<size_t>(std::count(p.begin(), p.end(), '/')); }

// A place can be opened into its children's rows when it is no finding itself: a directory that
// is a finding is the top of what lies below it ("var/cache has no tmpfiles.d entry" is the cause
// of every finding under it), so it stays one row. Returns the rows it adds, or -1 when it stays.
long opened_delta(const Node* n) {
  if (!n->own.empty() || n->children.empty()) return -1;
  return static_cast<long>(n->children.size()) - 1;
}

FindingRow row_of(const Node* n) {
  FindingRow r;
  r.path = n->path;
  r.count = n->count;
  r.below = n->count > n->own.size();
  r.sample = n->sample;
  return r;
}

// Adds f under root: a node for each component of its path, each counting it and keeping the
// shallowest sample; f is the own finding of the last.
void add_to_finding_tree(Node& root, const Finding* f) {
  size_t depth = depth_of(f->path);
  Node* n = &root;
  size_t start = 0;
  while (true) {
    ++n->count;
    if (!n->sample || depth < n->sample_depth || (depth == n->sample_depth && f->path < n->sample->path)) {
      n->sample = f;
      n->sample_depth = depth;
    }
    if (start > f->path.size()) break;
    size_t slash = f->path.find('/', start);
    if (slash == std::string::npos) slash = f->path.size();
    std::string_view part = std::string_view(f->path).substr(start, slash - start);
    auto it = n->children.find(part);
    if (it == n->children.end()) {
      auto child = std::make_unique<Node>();
      child->path = f->path.substr(0, slash);
      it = n->children.emplace(std::string(part), std::move(child)).first;
    }
    n = it->second.get();
    start = slash + 1;
  }
  n->own.push_back(f);
}

// The places the rows show, largest first: root's children, shown ones opened while that loses
// nothing shown or still shows nine findings in ten (slots: rows for places; total: their findings).
std::vector<const Node*> open_shown_places(const Node& root, size_t slots, size_t total) {
  std::vector<const Node*> items;
  for (auto& [name, child] : root.children) items.push_back(child.get());
  // Largest first; the first `slots` items are what the rows show.
  auto by_count = [](const Node* a, const Node* b) { return a->count != b->count ? a->count > b->count : a->path < b->path; };
  auto shown = [&](std::vector<const Node*>& v) {
    std::sort(v.begin(), v.end(), by_count);
    size_t n = 0;
    for (size_t i = 0; i < v.size() && i < slots; ++i) n += v[i]->count;
    return n;
  };
  // Open shown places, largest first, while nothing shown is lost (the children fit), or while the
  // rows still show nine findings in ten: "var" with 867 findings below opens into its largest
  // subdirectories, a directory of 780 files does not open into five of them.
  size_t covered = shown(items);
  for (bool opened = true; opened;) {
    opened = false;
    for (size_t i = 0; i < items.size() && i < slots && !opened; ++i) {
      if (opened_delta(items[i]) < 0) continue;
      std::vector<const Node*> next;
      next.reserve(items.size() + items[i]->children.size());
      for (size_t k = 0; k < items.size(); ++k)
        if (k != i) next.push_back(items[k]);
      for (auto& [name, child] : items[i]->children) next.push_back(child.get());
      size_t now = shown(next);
      if (now == covered || now * 10 >= total * 9) {
        items = std::move(next);
        covered = now;
        opened = true;
      }
    }
  }
  return items;
}

}  // namespace

std::vector<RuleBlock> rule_blocks(const std::vector<Finding>& findings) {
  std::map<std::pair<int, std::string>, RuleBlock> by;
  for (const Finding& f : findings) {
    int rank = f.waived ? 3 : static_cast<int>(f.severity);
    RuleBlock& b = by[{rank, f.rule}];
    b.section = f.waived ? "waived" : severity_name(f.severity);
    b.rule = f.rule;
    b.findings.push_back(&f);
  }
  std::vector<RuleBlock> out;
  for (auto& [key, b] : by) out.push_back(std::move(b));
  return out;
}

std::string finding_where(const Finding& f, size_t max_created_by) {
  std::string w;
  if (f.layer >= 0) w = fmt::format("layer {}{}", f.layer, f.created_by.empty() ? "" : ": " + shorten(f.created_by, max_created_by));
  if (!f.package.empty()) w += (w.empty() ? "" : "; ") + std::string("package ") + f.package;
  return w;
}

FindingRows group_findings(const std::vector<const Finding*>& findings, size_t max_rows) {
  FindingRows out;
  auto by_path = [](const FindingRow& a, const FindingRow& b) {
    return std::tie(a.path, a.sample->message) < std::tie(b.path, b.sample->message);
  };
  if (findings.size() <= max_rows) {
    for (const Finding* f : findings) out.rows.push_back({f->path, f, 1, false});
    std::sort(out.rows.begin(), out.rows.end(), by_path);
    return out;
  }
  Node root;
  std::vector<FindingRow> image_wide;
  for (const Finding* f : findings) {
    if (f->path.empty()) {
      image_wide.push_back({"", f, 1, false});
      continue;
    }
    add_to_finding_tree(root, f);
  }

  const size_t fixed = image_wide.size();
  const size_t slots = max_rows > fixed ? max_rows - fixed : 1;
  const size_t total = findings.size() - fixed;
  const std::vector<const Node*> items = open_shown_places(root, slots, total);

  for (auto& r : image_wide) out.rows.push_back(r);
  for (const Node* n : items) out.rows.push_back(row_of(n));
  if (out.rows.size() > max_rows) {  // too many places even at the top: keep the largest
    std::stable_sort(out.rows.begin(), out.rows.end(), [](const FindingRow& a, const FindingRow& b) { return a.count > b.count; });
    for (size_t i = max_rows; i < out.rows.size(); ++i) out.hidden += out.rows[i].count;
    out.rows.resize(max_rows);
  }
  std::sort(out.rows.begin(), out.rows.end(), by_path);
  return out;
}

}  // namespace imagelint
