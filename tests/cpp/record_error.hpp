// The RecordError a call throws, for the tests of the one rule set.
#pragma once

#include <calmkit/validate.hpp>

#include <catch2/catch.hpp>

#include <exception>
#include <functional>
#include <optional>

namespace fixtures {

/// The RecordError `fn` throws; fails the test when it throws something else,
/// nullopt when it throws nothing.
inline std::optional<calmkit::RecordError> record_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const calmkit::RecordError& e) {
    return e;
  } catch (const std::exception& e) {
    FAIL("not a RecordError: " << e.what());
  }
  return std::nullopt;
}

}  // namespace fixtures
