// Private to src/ (not installed): the rules of an exercise definition's
// integer counts, shared by validate(Exercise) (exercises.cpp) and the JSON
// reader (exercises_json.cpp), which judges any JSON integer by them, also
// one beyond int's range, so that both say the same rule in the same words.
#pragma once

#include <cstdint>
#include <string_view>

namespace calmkit::detail {

/// Upper bound on the cycles of one session: keeps a tiny cycle with a huge
/// total from producing an endless session.
inline constexpr int max_cycles = 100'000;

/// A prompt step's `answers`: 1..100 answers to collect.
constexpr bool answers_ok(std::int64_t n) noexcept {
  return n >= 1 && n <= 100;
}
inline constexpr std::string_view answers_rule = "must be 1..100 answers to collect";

/// An exercise's `repeats`: 1..max_cycles cycles.
constexpr bool repeats_ok(std::int64_t n) noexcept {
  return n >= 1 && n <= max_cycles;
}
inline constexpr std::string_view repeats_rule = "must be 1..100000 cycles";
static_assert(max_cycles == 100'000, "repeats_rule names max_cycles");

}  // namespace calmkit::detail
