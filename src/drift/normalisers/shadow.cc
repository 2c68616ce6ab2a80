// shadow: /etc/shadow, name:pw:lastchg:min:max:warn:inactive:expire:reserved. lastchg (days since
// the epoch of the last password change) is whenever the image was built when useradd ran, so it
// is blanked on every line; everything else, line order and line ends included, counts. A line
// with fewer than three fields is kept as it is, and so is a lastchg of 0 ("change the password at
// next login") or empty (aging off): those are policy, not dates.
#include "drift/normalisers/normalisers.h"

namespace imagelint::drift {

Substance normalise_shadow(std::string_view bytes) {
  Xxh128 h;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    end = end == std::string_view::npos ? bytes.size() : end + 1;  // the '\n' stays with its line
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end;
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      h.update(line.data(), line.size());
      continue;
    }
    // Field 3 runs from after the second ':' to the third ':' or the end of the line.
    size_t c3 = line.find_first_of(":\n", c2 + 1);
    if (c3 == std::string_view::npos) c3 = line.size();
    std::string_view lastchg = line.substr(c2 + 1, c3 - c2 - 1);
    if (lastchg.empty() || lastchg == "0") {
      h.update(line.data(), line.size());
      continue;
    }
    h.update(line.data(), c2 + 1);
    h.update("\0", 1);  // "a date was here": never equal to an empty lastchg
    h.update(line.data() + c3, line.size() - c3);
  }
  return Substance{true, "", h.digest()};
}

}  // namespace imagelint::drift
