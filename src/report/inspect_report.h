// `imagelint inspect`: the image (manifest, config, platform, labels, layers) and a summary of
// the facts the rules read, as text, or as JSON (schema imagelint.inspect/v1).
#pragma once
#include <string>

#include "facts/facts.h"
#include "image/image.h"

namespace imagelint {

std::string inspect_text(const Image& img, const Gathered& g);
std::string inspect_json(const Image& img, const Gathered& g);

}  // namespace imagelint
