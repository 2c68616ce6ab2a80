// Inline SVG charts for the HTML reports (diff's today, a trend report's later): plain markup to
// paste into a page, no script, no font or stylesheet of its own, so the report stays one
// self-contained file. Labels are escaped here, as any string from an image must be. Colours come
// from the page's CSS through each bar's class; a grey fill attribute is the fallback (CSS wins
// over presentation attributes), so a page without rules for the classes still draws every bar.
#pragma once
#include <string>
#include <vector>

namespace imagelint {

struct Bar {
  std::string label;       // any text (escaped, shortened to fit; the full label shows on hover)
  double value = 0;        // negative counts as 0
  std::string css_class;   // added to the bar's class attribute; characters outside [A-Za-z0-9_-] dropped
  std::string value_text;  // what to print after the bar; "" formats value ("31,204", "2.5")
};

struct BarChartOptions {
  std::string title;      // the chart's accessible name (<title>, aria-label)
  int width = 560;        // px, labels and values included
  int label_width = 180;  // px on the left for labels
  int value_width = 70;   // px on the right of the longest bar for its value
  int bar_height = 18;
  int gap = 6;
  double max_value = 0;   // the value of a full-length bar; 0: the largest (pass one to share a scale)
};

// Horizontal bars, one row each in the given order: label, bar, value at the bar's end. Any
// non-zero value gets a visible bar, so one drift among thousands of noise still shows.
std::string svg_bar_chart(const std::vector<Bar>& bars, const BarChartOptions& opt = {});

}  // namespace imagelint
