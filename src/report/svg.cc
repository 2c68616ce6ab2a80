#include "report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "report/markdown.h"
#include "util/text.h"

namespace imagelint {
namespace {

// A class attribute value that no label or rule file can break out of.
std::string class_token(const std::string& s) {
  std::string out;
  for (char ch : s)
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') out += ch;
  return out;
}

std::string value_text(const Bar& b) {
  if (!b.value_text.empty()) return b.value_text;
  double v = std::max(0.0, b.value);
  if (v == std::floor(v) && v < 1e15) return with_commas(static_cast<uint64_t>(v));
  return fmt::format("{:.1f}", v);
}

// Roughly how many characters of 12 px sans-serif fit in px (no font metrics here: an average
// glyph is ~7 px wide).
size_t chars_in(int px) { return static_cast<size_t>(std::max(4, px / 7)); }

}  // namespace

std::string svg_bar_chart(const std::vector<Bar>& bars, const BarChartOptions& opt) {
  int row = opt.bar_height + opt.gap;
  int height = std::max<int>(1, static_cast<int>(bars.size())) * row + opt.gap;
  int track = std::max(10, opt.width - opt.label_width - opt.value_width);
  double max = opt.max_value;
  for (auto& b : bars) max = opt.max_value > 0 ? max : std::max(max, b.value);
  std::string title = html_text(opt.title);
  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "font-size=\"12\">\n<title>{}</title>\n",
      title, opt.width, height, opt.width, height, title);
  if (bars.empty())
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"currentColor\">nothing to show</text>\n", opt.gap, opt.gap + opt.bar_height - 5);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    int y = opt.gap + static_cast<int>(i) * row;
    double v = std::max(0.0, b.value);
    int w = max > 0 ? static_cast<int>(std::lround(track * std::min(1.0, v / max))) : 0;
    if (v > 0) w = std::max(w, 3);
    int text_y = y + opt.bar_height - 5;
    std::string value = value_text(b);
    out += fmt::format("<g class=\"row\"><title>{}: {}</title>", html_text(b.label), html_text(value));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"currentColor\">{}</text>", opt.label_width - 8, text_y,
                       html_text(shorten(b.label, chars_in(opt.label_width - 8))));
    out += fmt::format("<rect class=\"bar {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\" fill=\"#8a8f98\"/>",
                       class_token(b.css_class), opt.label_width, y, w, opt.bar_height);
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\" fill=\"currentColor\">{}</text></g>\n", opt.label_width + w + 6,
                       text_y, html_text(value));
  }
  out += "</svg>";
  return out;
}

}  // namespace imagelint
