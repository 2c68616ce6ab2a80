// private-keys: regular files anywhere whose first window_bytes (default 64 KiB) hold a line that
// begins a PEM or OpenSSH private key. One visitor per file keeps a bool; nothing is held.
// Params: markers (RE2 patterns for the BEGIN line), allow (path patterns), window_bytes.
#include "rules/kinds/private_keys.h"

#include <cstring>

#include "rules/kinds/common.h"
#include "util/error.h"

namespace imagelint {

namespace {
constexpr char kBegin[] = "-----BEGIN ";
constexpr size_t kBeginLen = sizeof(kBegin) - 1;
constexpr size_t kMaxLine = 128;  // no BEGIN line is longer
}  // namespace

void PemKeySniffer::data(const char* p, size_t n) {
  if (state_ == State::Done) return;
  uint64_t room = window_ - seen_;
  const char* end = p + static_cast<size_t>(std::min<uint64_t>(room, n));
  seen_ += static_cast<uint64_t>(end - p);
  while (p < end && state_ != State::Done) {
    switch (state_) {
      case State::Skip: {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (!nl) {
          p = end;
          break;
        }
        p = static_cast<const char*>(nl) + 1;
        state_ = State::LineStart;
        break;
      }
      case State::LineStart:
        if (*p == ' ' || *p == '\t' || *p == '\n') {
          ++p;
        } else if (*p == '-') {
          state_ = State::Collect;
          line_.clear();
        } else {
          state_ = State::Skip;
        }
        break;
      case State::Collect: {
        size_t take = std::min(static_cast<size_t>(end - p), kMaxLine - line_.size());
        const void* nl = std::memchr(p, '\n', take);
        size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) : take;
        line_.append(p, len);
        p += len;
        if (nl) {
          ++p;
          evaluate();
          if (state_ != State::Done) state_ = State::LineStart;
        } else if (line_.size() >= kMaxLine) {
          evaluate();
          if (state_ != State::Done) state_ = State::Skip;
        } else if (line_.size() >= kBeginLen && line_.compare(0, kBeginLen, kBegin) != 0) {
          state_ = State::Skip;  // a dashed line that is no BEGIN line: stop collecting early
        }
        break;
      }
      case State::Done:
        break;
    }
  }
  if (seen_ >= window_ && state_ != State::Done) {
    if (state_ == State::Collect) evaluate();  // what of the line the window holds
    state_ = State::Done;
  }
}

void PemKeySniffer::evaluate() {
  size_t n = line_.size();
  while (n > 0 && (line_[n - 1] == '\r' || line_[n - 1] == ' ' || line_[n - 1] == '\t')) --n;
  if (n >= kBeginLen && line_.compare(0, kBeginLen, kBegin) == 0 &&
      RE2::FullMatch(re2::StringPiece(line_.data(), n), *markers_)) {
    found_ = true;
    state_ = State::Done;
  }
  line_.clear();
}

void PemKeySniffer::end() {
  if (state_ == State::Collect) evaluate();
  state_ = State::Done;
  std::string().swap(line_);  // visitors outlive the pass: keep only the bool
}

namespace {

constexpr uint64_t kDefaultWindow = 64 * 1024;

uint64_t window_bytes(const RuleSpec& rule) {
  auto it = rule.params.find("window_bytes");
  if (it == rule.params.end()) return kDefaultWindow;
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0)
    throw UsageError("rule " + rule.id + ": parameter 'window_bytes' must be a positive integer");
  return it->get<uint64_t>();
}

// All markers as one alternation, so a line costs one match.
std::shared_ptr<RE2> markers(const RuleSpec& rule) {
  std::vector<std::string> ms = param_strings(rule, "markers");
  if (ms.empty()) throw UsageError("rule " + rule.id + ": needs params.markers (patterns of the BEGIN line)");
  param_patterns(rule, "markers");  // names a bad one
  std::string alt;
  for (auto& m : ms) {  // appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on "lit" + std::string
    if (!alt.empty()) alt += '|';
    alt.append("(?:").append(m).append(")");
  }
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<RE2>(alt, o);
  if (!re->ok()) throw UsageError("rule " + rule.id + ": bad markers: " + re->error());
  return re;
}

class PrivateKeys : public RuleKind {
 public:
  void validate(const RuleSpec& rule) const override {
    markers(rule);
    param_patterns(rule, "allow");
    window_bytes(rule);
  }
  void declare(const RuleSpec& rule, CaptureRequests& captures) const override {
    std::shared_ptr<RE2> re = markers(rule);
    auto allow = std::make_shared<std::vector<std::unique_ptr<RE2>>>(param_patterns(rule, "allow"));
    uint64_t window = window_bytes(rule);
    captures.want_visits(".*", visit_key(rule), [re, allow, window](const std::string& path, const Entry& e) -> std::unique_ptr<EntryVisitor> {
      // Cheap skips: too small to hold a BEGIN line, or allowlisted.
      if (e.size < kBeginLen + 16 || matches_any(*allow, path)) return nullptr;
      return std::make_unique<PemKeySniffer>(re.get(), window);
    });
  }
  void check(const RuleSpec& rule, const Context& ctx, std::vector<Finding>& out) const override {
    const int id = ctx.captures.visits_id(visit_key(rule));
    if (id < 0) {
      out.push_back(make_finding(rule, "", "file contents were not scanned (the rule was not declared before the pass)"));
      return;
    }
    uint64_t window = window_bytes(rule);
    // The capture set keeps only visitors of entries that survive into the final filesystem.
    for (auto& [path, v] : ctx.captures.visits(id))
      if (static_cast<const PemKeySniffer&>(*v).found())
        out.push_back(make_finding(rule, path, path + " holds a private key (a BEGIN ... PRIVATE KEY line within its first " +
                                                   std::to_string(window) + " bytes)"));
  }

 private:
  // Names the rule's visitors in the capture set (and in the layer cache's key).
  static std::string visit_key(const RuleSpec& rule) { return "pem-keys/2 " + rule.id + " " + rule.params.dump(); }
};

}  // namespace

std::unique_ptr<RuleKind> make_private_keys() { return std::make_unique<PrivateKeys>(); }

}  // namespace imagelint
