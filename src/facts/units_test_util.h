// Test-only: what units_test.cc and units_quadlet_test.cc share.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "facts/units.h"

namespace imagelint::facts_units_test_util {

using Strings = std::vector<std::string>;

// The unit at path among units (a test failure, and an empty unit, when there is none).
inline const Unit& find(const std::vector<Unit>& units, const std::string& path) {
  for (const auto& u : units)
    if (u.path == path) return u;
  ADD_FAILURE() << "no unit " << path;
  static const Unit none;
  return none;
}

}  // namespace imagelint::facts_units_test_util
