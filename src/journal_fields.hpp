// The fields of each object of the JSON Lines journal format, in the spec
// tables' order (docs/journal-format.md): the one list of them, used by the
// reader (each name's index is its bit in a line's `seen` mask,
// io_read_fields.hpp) and by the writer (which fields of a changed record's
// old line are another app's and are kept, io_write.cpp). Private to src/.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace calmkit::detail {

inline constexpr std::array<std::string_view, 14> trigger_fields{
    "type",     "participant", "id",         "time", "category",      "intensity",
    "context",  "thoughts",    "sensations", "urge", "acted_on_urge", "acted_after_minutes",
    "response", "tags"};
inline constexpr std::array<std::string_view, 7> reading_fields{"type",      "participant", "id",  "time",
                                                                "intensity", "trigger",     "note"};
inline constexpr std::array<std::string_view, 11> exercise_fields{
    "type",      "participant",      "id",
    "time",      "exercise",         "end",
    "completed", "intensity_before", "intensity_after",
    "trigger",   "responses"};
inline constexpr std::array<std::string_view, 16> thought_fields{
    "type",          "participant",      "id",
    "time",          "situation",        "automatic_thought",
    "belief_before", "emotions",         "distortions",
    "evidence_for",  "evidence_against", "alternatives",
    "friend_advice", "balanced_thought", "belief_after",
    "trigger"};
inline constexpr std::array<std::string_view, 7> assessment_fields{"type",       "participant", "id",  "time",
                                                                   "instrument", "answers",     "note"};
inline constexpr std::array<std::string_view, 3> header_fields{"type", "format", "version"};
/// The fields of an emotion of a thought record (an object in `emotions`).
inline constexpr std::array<std::string_view, 3> emotion_fields{"name", "before", "after"};

/// Whether `key` is one of `fields`.
template <std::size_t N>
constexpr bool is_field(const std::array<std::string_view, N>& fields, std::string_view key) noexcept {
  for (const auto f : fields) {
    if (f == key) return true;
  }
  return false;
}

/// Whether `key` is a field of the record type `type` (`detail::type_index`:
/// 0 triggers .. 4 assessments) in the journal format.
constexpr bool is_record_field(std::size_t type, std::string_view key) noexcept {
  switch (type) {
    case 0: return is_field(trigger_fields, key);
    case 1: return is_field(reading_fields, key);
    case 2: return is_field(exercise_fields, key);
    case 3: return is_field(thought_fields, key);
    default: return is_field(assessment_fields, key);
  }
}

}  // namespace calmkit::detail
