// Reports of `imagelint diff`: text (verdict, hints, categories, details), json (schema
// imagelint.diff/v1), markdown (a merge-request comment) and html (one self-contained page,
// diff_html.cc). One function per format.
#pragma once
#include <ctime>
#include <string>

#include "drift/diff.h"
#include "image/image.h"

namespace imagelint {

struct DiffReport {
  const Image& a;
  const Image& b;
  const drift::DiffResult& result;
  double seconds = 0;
  std::time_t now = 0;  // the run's clock (RunContext::now): json's "created"
  bool color = false;
  size_t max_noise_examples = 5;  // text and markdown: noise paths shown per category
};

using DiffWriter = std::string (*)(const DiffReport&);
DiffWriter find_diff_writer(const std::string& format);  // nullptr for an unknown format

std::string diff_text(const DiffReport& r);
std::string diff_json(const DiffReport& r);
std::string diff_markdown(const DiffReport& r);
std::string diff_html(const DiffReport& r);

}  // namespace imagelint
