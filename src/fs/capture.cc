#include "fs/capture.h"

#include <re2/re2.h>

#include <algorithm>

#include "util/error.h"
#include "util/match_ranges.h"
#include "util/serial.h"

namespace imagelint {


CaptureSet::CaptureSet() = default;
CaptureSet::~CaptureSet() = default;

void CaptureSet::want_path(const std::string& path, uint64_t cap) {
  auto& c = exact_[path];
  c = std::max(c, cap);
}

static std::unique_ptr<re2::RE2> compile(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, o);
  if (!re->ok()) throw UsageError("bad pattern '" + pattern + "': " + re->error());
  return re;
}

void CaptureSet::want_pattern(const std::string& pattern, uint64_t cap) { patterns_.emplace_back(compile(pattern), cap); }

int CaptureSet::want_visits(const std::string& pattern, const std::string& key, VisitorFactory factory) {
  visits_.push_back(VisitSpec{compile(pattern), key, std::move(factory), {}});
  return static_cast<int>(visits_.size() - 1);
}

int CaptureSet::visits_id(const std::string& key) const {
  for (size_t i = 0; i < visits_.size(); ++i)
    if (visits_[i].key == key) return static_cast<int>(i);
  return -1;
}

std::string CaptureSet::fingerprint() const {
  // Lengths before strings, so that no two different declarations print the same.
  std::string out;
  auto add = [&](std::string_view s) { out.append(std::to_string(s.size())).append(":").append(s).append(";"); };
  for (auto& [path, cap] : exact_) add(path), add(std::to_string(cap));
  out += "|";
  for (auto& [re, cap] : patterns_) add(re->pattern()), add(std::to_string(cap));
  out += "|";
  for (auto& v : visits_) {
    if (v.key.empty()) return "";
    add(v.re->pattern()), add(v.key);
  }
  return out;
}

uint64_t CaptureSet::cap_for(const std::string& path) const {
  uint64_t cap = 0;
  bool any = false;
  if (auto it = exact_.find(path); it != exact_.end()) cap = std::max(cap, it->second), any = true;
  if (auto it = exact_final_.find(path); it != exact_final_.end()) cap = std::max(cap, it->second), any = true;
  for (auto& [re, c] : patterns_)
    if (RE2::FullMatch(path, *re)) cap = std::max(cap, c), any = true;
  return any ? cap : 0;
}

bool CaptureSet::wants_content(const std::string& path) const {
  if (exact_.count(path) || exact_final_.count(path)) return true;
  for (auto& [re, c] : patterns_)
    if (RE2::FullMatch(path, *re)) return true;
  return false;
}

bool CaptureSet::wants_any(const std::string& path) const {
  if (wants_content(path)) return true;
  for (auto& v : visits_)
    if (RE2::FullMatch(path, *v.re)) return true;
  return false;
}

void CaptureSet::write(Active& a, const char* p, size_t n) {
  if (a.capture) {
    uint64_t room = a.cap > a.buf.data.size() ? a.cap - a.buf.data.size() : 0;
    a.buf.data.append(p, static_cast<size_t>(std::min<uint64_t>(room, n)));
  }
  for (auto& [i, v] : a.visitors) v->data(p, n);
}

void CaptureSet::end_visitors(Active& a) {
  if (a.ended) return;
  for (auto& [i, v] : a.visitors) v->end();
  a.ended = true;
}

std::unique_ptr<CaptureSet::Active> CaptureSet::open(const std::string& path, const Entry& e) {
  std::unique_ptr<Active> a;
  if (wants_content(path)) {
    uint64_t cap = cap_for(path), need = std::min(cap, e.size);
    a = std::make_unique<Active>();
    std::lock_guard lock(mu_);
    if (used_ + need > budget_) {
      if (notes_.size() < 100) notes_.push_back(path + ": not captured, the capture memory budget is spent");
      cap = 0;
      a->budget_cut = need > 0;
    }
    used_ += std::min(cap, e.size);
    a->capture = true;
    a->cap = cap;
    a->buf.size = e.size;
    a->buf.layer = e.layer;
  }
  for (size_t i = 0; i < visits_.size(); ++i) {
    if (!RE2::FullMatch(path, *visits_[i].re)) continue;
    VisitorPtr v = visits_[i].factory(path, e);
    if (!v) continue;
    if (!a) a = std::make_unique<Active>();
    a->visitors.emplace_back(i, std::move(v));
  }
  return a;
}

std::unique_ptr<CaptureSet::Active> CaptureSet::restore(const std::string& path, const Entry& e, std::string* content,
                                                        const std::vector<std::pair<size_t, std::string_view>>& saved) {
  // The cache key holds this set's fingerprint: the decisions open() made for this entry are
  // the kept ones, and need not be made again (no pattern is matched here).
  if (!content && saved.empty()) return nullptr;
  auto a = std::make_unique<Active>();
  a->ended = true;
  if (content) {
    a->capture = true;
    a->buf.size = e.size;
    a->buf.layer = e.layer;
    std::lock_guard lock(mu_);
    if (used_ + content->size() > budget_) {
      if (notes_.size() < 100) notes_.push_back(path + ": not captured, the capture memory budget is spent");
    } else {
      used_ += content->size();
      a->buf.data = std::move(*content);
    }
    a->cap = a->buf.data.size();
  }
  for (auto& [i, bytes] : saved) {
    VisitorPtr v = i < visits_.size() ? VisitorPtr(visits_[i].factory(path, e)) : nullptr;
    if (!v || !v->load(bytes)) throw SerialError("the kept result of visitor " + std::to_string(i) + " for '" + path + "' does not load");
    a->visitors.emplace_back(i, std::move(v));
  }
  return a;
}

CaptureState CaptureSet::export_state(const FileSystem& fs, int layers) const {
  CaptureState st;
  st.layers = layers;
  if (!patterns_.empty())
    for_each_full_match(fs.entries(), patterns_.size(), [&](size_t i) -> const RE2& { return *patterns_[i].first; },
                        [&](const std::string& path, const Entry& e) {
                          if (e.type == EntryType::File) st.pattern_files.emplace_back(path, cap_for(path));
                        });
  st.captured = captured_;
  for (auto& v : visits_) {
    // Inert results (a scan of every file that found nothing) mean what their absence means, and a
    // chain copies this state once per image applied to it: they stay out.
    auto& kept = st.visits.emplace_back();
    for (auto& [path, visitor] : v.done)
      if (!visitor->inert()) kept.emplace_hint(kept.end(), path, visitor);
  }
  st.used = used_;
  st.notes = notes_;
  return st;
}

void CaptureSet::import_state(const CaptureState& st) {
  captured_ = st.captured;
  for (size_t i = 0; i < visits_.size(); ++i) visits_[i].done = i < st.visits.size() ? st.visits[i] : decltype(VisitSpec::done){};
  used_ = st.used;
  notes_ = st.notes;
  chain_layers_ = st.layers;
  chain_pattern_files_ = st.pattern_files;
}

VisitorPtr CaptureSet::load_visitor(size_t i, const std::string& path, const Entry& e, std::string_view saved) const {
  if (i >= visits_.size()) return nullptr;
  VisitorPtr v(visits_[i].factory(path, e));
  if (!v || !v->load(saved)) return nullptr;
  return v;
}

void CaptureSet::close(const std::string& path, std::unique_ptr<Active> a) {
  if (!a) return;
  if (a->capture) {
    a->buf.truncated = a->buf.size > a->buf.data.size();
    captured_[path] = std::move(a->buf);
  }
  for (auto& [i, v] : a->visitors) {
    if (!a->ended) v->end();
    visits_[i].done[path] = std::move(v);
  }
}

std::map<int, std::map<std::string, std::string>> CaptureSet::finish(const FileSystem& fs) {
  auto alive = [&](const std::string& path, int layer) {
    const Entry* e = fs.find(path);
    return e && e->type == EntryType::File && e->layer == layer && e->hardlink().empty();
  };
  for (auto it = captured_.begin(); it != captured_.end();)
    it = alive(it->first, it->second.layer) ? std::next(it) : captured_.erase(it);
  for (auto& spec : visits_)
    for (auto it = spec.done.begin(); it != spec.done.end();) {
      const Entry* e = fs.find(it->first);
      it = (e && e->type == EntryType::File && e->hardlink().empty()) ? std::next(it) : spec.done.erase(it);
    }

  std::map<std::string, uint64_t> wanted;
  for (auto& [p, cap] : exact_) {
    std::string norm = p;
    Resolved r = fs.resolve(norm, true);
    if (r.status == Resolve::Loop) { problems_[p] = "symlink loop at " + r.via; continue; }
    if (r.status == Resolve::Escapes) { problems_[p] = "symlink " + r.via + " leads outside the image root"; continue; }
    if (r.status != Resolve::Ok) continue;
    const Entry* e = fs.find(r.path);
    if (!e) continue;
    if (e->type != EntryType::File) { problems_[p] = r.path + " is a " + type_name(e->type) + ", not a file"; continue; }
    alias_[p] = r.path;
    exact_final_[r.path] = std::max(exact_final_[r.path], cap);
    wanted[r.path] = std::max(wanted[r.path], cap);
  }
  if (!patterns_.empty() && chain_layers_ > 0) {
    // Entries no layer after the chain wrote are the chain's: their matches were kept with it.
    for (auto& [path, cap] : chain_pattern_files_) {
      const Entry* e = fs.find(path);
      if (e && e->type == EntryType::File && e->layer < chain_layers_) wanted[path] = std::max(wanted[path], cap);
    }
    for (auto& [path, e] : fs.entries())
      if (e.layer >= chain_layers_ && e.type == EntryType::File)
        for (auto& [re, c] : patterns_)
          if (RE2::FullMatch(path, *re)) {
            wanted[path] = std::max(wanted[path], cap_for(path));
            break;
          }
  } else if (!patterns_.empty()) {
    for_each_full_match(fs.entries(), patterns_.size(), [&](size_t i) -> const RE2& { return *patterns_[i].first; },
                        [&](const std::string& path, const Entry& e) {
                          if (e.type == EntryType::File) wanted[path] = std::max(wanted[path], cap_for(path));
                        });
  }

  std::map<int, std::map<std::string, std::string>> needs;
  for (auto& [path, cap] : wanted) {
    auto c = captured_.find(path);
    const Entry* e = fs.find(path);
    if (c != captured_.end() && c->second.layer == e->layer) continue;
    needs[e->data_layer][e->data_path().empty() ? path : e->data_path()] = path;
  }
  return needs;
}

const Captured* CaptureSet::get(const std::string& path) const {
  auto a = alias_.find(path);
  const std::string& final_path = a == alias_.end() ? path : a->second;
  auto it = captured_.find(final_path);
  return it == captured_.end() ? nullptr : &it->second;
}

std::string CaptureSet::problem(const std::string& path) const {
  auto it = problems_.find(path);
  return it == problems_.end() ? std::string() : it->second;
}

}  // namespace imagelint
