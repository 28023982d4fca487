/// @file suggest.hpp
/// @brief "What could help now": exercises ranked for the current distress and
/// for what has worked for this person before.
///
/// **The rule** (also in docs/exercises.md):
/// 1. The intensity (0–10) picks a band: *high* 7–10, *middle* 5–6, *low* 0–4.
/// 2. Each exercise gets a base score from its kind and the band
///    (`kind_weight()`): when distress is high the body comes first (breathing,
///    temperature, movement 3; muscle relaxation, grounding, pause 2;
///    soothing, mindfulness, distraction, improving the moment 1; acceptance,
///    cognitive 0); when it
///    is low the thinking work comes first (cognitive 3; mindfulness,
///    acceptance 2; the rest 1, temperature and pause 0); the middle band mixes
///    (grounding 3; breathing, movement, muscle relaxation, pause, soothing,
///    mindfulness, distraction, improving the moment 2; temperature,
///    cognitive, acceptance 1).
/// 3. When it suits: at high intensity `acute` exercises get +0.5 and `daily`
///    ones -0.5; at low intensity `daily` ones get +0.5.
/// 4. The person's history: for each exercise with at least `min_sessions`
///    sessions in their journal that carry both `intensity_before` and
///    `intensity_after` (completed or not), the mean drop (before − after, in
///    points of the 0–10 scale; negative when it got worse) is added, times
///    `history_weight`.
/// 5. Highest score first; ties keep the order of the exercise list (the
///    catalog's). Each suggestion says why.
#pragma once

#include <calmkit/exercises.hpp>
#include <calmkit/export.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace calmkit {

/// The three distress bands of the rule.
enum class IntensityBand : std::uint8_t {
  low,     ///< 0–4: calm enough for thinking work
  middle,  ///< 5–6: a mix
  high,    ///< 7–10: the body first
};

/// The band of an intensity: 0–4 low, 5–6 middle, 7–10 high.
[[nodiscard]] constexpr IntensityBand intensity_band(Intensity i) noexcept {
  return i.value() >= 7 ? IntensityBand::high : i.value() >= 5 ? IntensityBand::middle : IntensityBand::low;
}

/// The band's stable id.
[[nodiscard]] constexpr std::string_view to_id(IntensityBand b) noexcept {
  switch (b) {
    case IntensityBand::low: return "low";
    case IntensityBand::middle: return "middle";
    case IntensityBand::high: return "high";
  }
  return "?";
}

/// The base score of a kind in a band (rule step 2), 0–3.
[[nodiscard]] CALMKIT_EXPORT double kind_weight(ExerciseKind kind, IntensityBand band) noexcept;

/// One ranked exercise.
struct Suggestion {
  std::string exercise{};                       ///< exercise id
  std::string name{};                           ///< display name
  ExerciseKind kind = ExerciseKind::breathing;  ///< the exercise's kind
  double score = 0;                             ///< base + suits + history; higher is better
  double base = 0;                              ///< kind weight for the band (rule step 2)
  double suits_bonus = 0;                       ///< rule step 3: -0.5, 0 or +0.5
  int rated_sessions = 0;                       ///< this person's sessions of it with both ratings
  std::optional<double>
      mean_drop{};       ///< their mean before − after (points), when rated_sessions >= min_sessions
  std::string reason{};  ///< why, in plain words

  /// Equal when every field matches.
  friend bool operator==(const Suggestion&, const Suggestion&) = default;
};

/// Tuning of the rule.
struct SuggestOptions {
  int min_sessions = 3;         ///< rated sessions needed before history counts, >= 1
  double history_weight = 1.0;  ///< score points per point of mean drop, >= 0
  std::size_t limit = 0;        ///< keep the best `limit`; 0 = all
};

/// Ranks `exercises` for a person at distress `now`.
/// @throws std::invalid_argument for bad options.
///
/// Example
/// ```cpp
/// auto top = calmkit::suggest(calmkit::Intensity(8), journal, "p1", calmkit::catalog(), {.limit = 3});
/// top[0].exercise;  // e.g. "tipp.temperature"
/// top[0].reason;    // "distress 8/10 is high: the body first; ..."
/// ```
[[nodiscard]] CALMKIT_EXPORT std::vector<Suggestion> suggest(Intensity now, const Journal& journal,
                                                             std::string_view participant,
                                                             std::span<const Exercise> exercises = catalog(),
                                                             const SuggestOptions& options = {});

}  // namespace calmkit
