// UTF-8, strictly (RFC 3629, as Go's utf8.DecodeRune accepts it): no overlong forms, no
// surrogates, nothing above U+10FFFF. One implementation for the utf8 lint, the JSON of names
// from an image, the policy parser's Go-compatible reading and the unified diffs.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace imagelint {

// The length of the valid sequence starting at s[i] (1 for ASCII), or 0 when it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i);
bool valid_utf8(std::string_view s);
// s with every byte of an invalid sequence replaced by U+FFFD (nlohmann's dump refuses them).
std::string utf8_or_replacement(std::string_view s);

}  // namespace imagelint
