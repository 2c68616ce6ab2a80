// Myers' O(ND) difference algorithm over lines, with the edit distance bounded so a pathological
// pair costs little: beyond max_edits the caller gets a summary line, not a diff.
#include "drift/udiff.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "util/text.h"
#include "util/utf8.h"

namespace imagelint::drift {
namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

enum class Op : char { Keep = ' ', Del = '-', Add = '+' };

// Returns false when the edit distance exceeds max_d.
bool myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b, size_t max_d,
           std::vector<Op>& script) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size());
  const long max = std::min<long>(n + m, static_cast<long>(max_d));
  const long off = max + 1;
  std::vector<long> v(static_cast<size_t>(2 * max + 3), 0);
  std::vector<std::vector<long>> trace;
  long found_d = -1;
  for (long d = 0; d <= max && found_d < 0; ++d) {
    trace.push_back(v);
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[static_cast<size_t>(off + k - 1)] < v[static_cast<size_t>(off + k + 1)]))
                   ? v[static_cast<size_t>(off + k + 1)]
                   : v[static_cast<size_t>(off + k - 1)] + 1;
      long y = x - k;
      while (x < n && y < m && a[static_cast<size_t>(x)] == b[static_cast<size_t>(y)]) ++x, ++y;
      v[static_cast<size_t>(off + k)] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
  }
  if (found_d < 0) return false;
  // Walk back through the saved frontiers.
  long x = n, y = m;
  std::vector<Op> rev;
  for (long d = found_d; d > 0; --d) {
    const std::vector<long>& pv = trace[static_cast<size_t>(d)];
    long k = x - y;
    long prev_k = (k == -d || (k != d && pv[static_cast<size_t>(off + k - 1)] < pv[static_cast<size_t>(off + k + 1)])) ? k + 1 : k - 1;
    long prev_x = pv[static_cast<size_t>(off + prev_k)];
    long prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      rev.push_back(Op::Keep);
      --x, --y;
    }
    rev.push_back(x == prev_x ? Op::Add : Op::Del);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) {
    rev.push_back(Op::Keep);
    --x, --y;
  }
  script.assign(rev.rbegin(), rev.rend());
  return true;
}


}  // namespace

bool looks_like_text(std::string_view bytes) {
  if (bytes.empty()) return false;
  // Control bytes other than tab and newline: binary, or terminal escapes ('\r' can hide a line).
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = p[i];
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || invisible_sequence(p + i, bytes.size() - i)) return false;
  }
  return valid_utf8(bytes);
}

std::string unified_diff(std::string_view a, std::string_view b, const std::string& path, size_t max_lines,
                         size_t max_edits) {
  if (a == b) return {};
  auto la = split_lines(a), lb = split_lines(b);
  std::vector<Op> ops;
  if (!myers(la, lb, max_edits, ops))
    return fmt::format("(more than {} lines differ: {} lines → {} lines)\n", max_edits, la.size(), lb.size());
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  const size_t ctx = 3;
  size_t shown = 0, dropped = 0;
  size_t i = 0;
  while (i < ops.size()) {
    if (ops[i] == Op::Keep) {
      ++i;
      continue;
    }
    // A hunk: from ctx lines before this change to ctx lines after the last change that is no
    // more than 2*ctx kept lines away.
    size_t start = i >= ctx ? i - ctx : 0;
    size_t end = i;
    while (end < ops.size()) {
      size_t run = 0;
      while (end + run < ops.size() && ops[end + run] == Op::Keep) ++run;
      if (end + run >= ops.size() || run > 2 * ctx) {
        end = std::min(ops.size(), end + std::min(run, ctx));
        break;
      }
      end += run;
      while (end < ops.size() && ops[end] != Op::Keep) ++end;
    }
    // Line numbers at start.
    size_t xa = 0, xb = 0;
    for (size_t j = 0; j < start; ++j) {
      if (ops[j] != Op::Add) ++xa;
      if (ops[j] != Op::Del) ++xb;
    }
    size_t ca = 0, cb = 0;
    for (size_t j = start; j < end; ++j) {
      if (ops[j] != Op::Add) ++ca;
      if (ops[j] != Op::Del) ++cb;
    }
    std::string hunk = fmt::format("@@ -{},{} +{},{} @@\n", ca ? xa + 1 : xa, ca, cb ? xb + 1 : xb, cb);
    size_t pa = xa, pb = xb;
    std::vector<std::string> body;
    for (size_t j = start; j < end; ++j) {
      std::string_view line = ops[j] == Op::Add ? lb[pb] : la[pa];
      body.push_back(fmt::format("{}{}\n", static_cast<char>(ops[j]), line));
      if (ops[j] != Op::Add) ++pa;
      if (ops[j] != Op::Del) ++pb;
    }
    if (shown < max_lines) {
      out += hunk;
      ++shown;
      for (auto& l : body) {
        if (shown >= max_lines) {
          ++dropped;
          continue;
        }
        out += l;
        ++shown;
      }
    } else {
      dropped += body.size() + 1;
    }
    i = end;
  }
  if (dropped) out += fmt::format("… {} more lines\n", dropped);
  return out;
}

}  // namespace imagelint::drift
