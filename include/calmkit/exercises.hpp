/// @file exercises.hpp
/// @brief Self-soothing exercises as data: kinds, steps, repetition, validation,
/// the built-in catalog, custom definitions and their JSON form.
///
/// An exercise is one *cycle* of steps that is repeated either a fixed number
/// of times or until a total duration is reached. A step is either timed (a
/// number of seconds, optionally a breathing phase, and a cue to show) or a
/// prompt the person answers (a question and how many answers to collect).
///
/// Repeating for a total duration never cuts a cycle short: the number of
/// cycles is the total divided by the cycle length, rounded **up** to a whole
/// cycle, so a session lasts at least as long as asked and always ends on a
/// complete breath. Box breathing (4-4-4-4, a 16 s cycle) for 5 minutes is
/// 300 / 16 = 18.75, so 19 cycles lasting 304 s.
///
/// Implemented in the compiled part `calmkit::exercises` (src/exercises.cpp,
/// src/exercises_json.cpp).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/export.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/vocabulary.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace calmkit {

/// What an exercise works with. Ids are stable (used in JSON definitions).
enum class ExerciseKind : std::uint8_t {
  breathing,          ///< paced breathing patterns
  grounding,          ///< anchoring attention in the senses and the present
  muscle_relaxation,  ///< tensing and releasing muscle groups
  temperature,        ///< cold water and the dive reflex
  movement,           ///< walking, intense exercise
  cognitive,          ///< questioning and reframing anxious thoughts
  mindfulness,        ///< observing breath, body and feelings without acting
  sensory_soothing,   ///< comfort through the senses
  pause,              ///< waiting before acting on an urge
  acceptance,         ///< radical acceptance
  distraction,        ///< absorbing activity that moves attention elsewhere
  /// DBT's "improving the moment": imagery, meaning, encouragement and doing
  /// one thing at a time, to make a moment that cannot be changed more bearable
  improving_the_moment,
};

/// When an exercise is meant to be used.
enum class Suits : std::uint8_t {
  acute,  ///< in the moment, when the alarm is firing
  daily,  ///< regular practice when calm, building a baseline
  both,   ///< either
};

/// The breathing phase of a timed step; `none` for steps that are not breaths.
enum class BreathPhase : std::uint8_t { none, inhale, hold_in, exhale, hold_out };

/// The exercise kinds, in enum order.
inline constexpr std::array<VocabEntry<ExerciseKind>, 12> exercise_kind_table{{
    {ExerciseKind::breathing, "breathing", "Breathing"},
    {ExerciseKind::grounding, "grounding", "Grounding"},
    {ExerciseKind::muscle_relaxation, "muscle_relaxation", "Muscle relaxation"},
    {ExerciseKind::temperature, "temperature", "Temperature"},
    {ExerciseKind::movement, "movement", "Movement"},
    {ExerciseKind::cognitive, "cognitive", "Thinking it through"},
    {ExerciseKind::mindfulness, "mindfulness", "Mindfulness"},
    {ExerciseKind::sensory_soothing, "sensory_soothing", "Soothing the senses"},
    {ExerciseKind::pause, "pause", "Pause before acting"},
    {ExerciseKind::acceptance, "acceptance", "Acceptance"},
    {ExerciseKind::distraction, "distraction", "Distraction"},
    {ExerciseKind::improving_the_moment, "improving_the_moment", "Improving the moment"},
}};

/// When an exercise suits, in enum order.
inline constexpr std::array<VocabEntry<Suits>, 3> suits_table{{
    {Suits::acute, "acute", "In the moment"},
    {Suits::daily, "daily", "Daily practice"},
    {Suits::both, "both", "In the moment or daily"},
}};

/// The breathing phases, in enum order.
inline constexpr std::array<VocabEntry<BreathPhase>, 5> breath_phase_table{{
    {BreathPhase::none, "none", ""},
    {BreathPhase::inhale, "inhale", "Breathe in"},
    {BreathPhase::hold_in, "hold_in", "Hold (full)"},
    {BreathPhase::exhale, "exhale", "Breathe out"},
    {BreathPhase::hold_out, "hold_out", "Hold (empty)"},
}};

namespace detail {
static_assert(in_enum_order(exercise_kind_table));
static_assert(in_enum_order(suits_table));
static_assert(in_enum_order(breath_phase_table));
}  // namespace detail

/// Stable id, e.g. `"breathing"`, `"acute"`, `"hold_in"`.
[[nodiscard]] constexpr std::string_view to_id(ExerciseKind k) noexcept {
  return exercise_kind_table[static_cast<std::size_t>(k)].id;
}
/// Stable id of a `Suits` value, e.g. `"acute"`.
[[nodiscard]] constexpr std::string_view to_id(Suits s) noexcept {
  return suits_table[static_cast<std::size_t>(s)].id;
}
/// Stable id of a breathing phase, e.g. `"hold_in"`.
[[nodiscard]] constexpr std::string_view to_id(BreathPhase p) noexcept {
  return breath_phase_table[static_cast<std::size_t>(p)].id;
}
/// Human label, e.g. `"Muscle relaxation"`, `"Breathe in"` (`""` for `none`).
[[nodiscard]] constexpr std::string_view label(ExerciseKind k) noexcept {
  return exercise_kind_table[static_cast<std::size_t>(k)].label;
}
/// Human label of a `Suits` value, e.g. `"Daily practice"`.
[[nodiscard]] constexpr std::string_view label(Suits s) noexcept {
  return suits_table[static_cast<std::size_t>(s)].label;
}
/// Human label of a breathing phase (`""` for `none`).
[[nodiscard]] constexpr std::string_view label(BreathPhase p) noexcept {
  return breath_phase_table[static_cast<std::size_t>(p)].label;
}

/// Non-throwing lookups by id.
[[nodiscard]] constexpr std::optional<ExerciseKind> exercise_kind_from_id(std::string_view id) noexcept {
  return detail::find_id(exercise_kind_table, id);
}
/// The `Suits` value with this id, or nullopt.
[[nodiscard]] constexpr std::optional<Suits> suits_from_id(std::string_view id) noexcept {
  return detail::find_id(suits_table, id);
}
/// The breathing phase with this id, or nullopt.
[[nodiscard]] constexpr std::optional<BreathPhase> breath_phase_from_id(std::string_view id) noexcept {
  return detail::find_id(breath_phase_table, id);
}

/// A step that lasts a fixed time.
struct TimedStep {
  double seconds = 0;                     ///< duration in seconds, > 0 and finite
  BreathPhase phase = BreathPhase::none;  ///< breathing phase, if it is a breath
  std::string cue{};                      ///< what to show or say during the step

  /// Equal when seconds and phase match.
  friend bool operator==(const TimedStep&, const TimedStep&) = default;
};

/// A step the person answers, e.g. "name five things you can see" with 5 answers.
struct PromptStep {
  std::string text{};  ///< the question or instruction, non-empty
  int answers = 1;     ///< how many answers to collect, >= 1

  /// Equal when the prompts match.
  friend bool operator==(const PromptStep&, const PromptStep&) = default;
};

/// One step of a cycle.
using Step = std::variant<TimedStep, PromptStep>;

/// How often the cycle runs: a count, or a total time (rounded up to whole cycles).
///
/// Example
/// ```cpp
/// auto r1 = calmkit::Repeat::times(4);          // 4 cycles
/// auto r2 = calmkit::Repeat::for_seconds(300);  // as many cycles as fill 5 minutes, rounded up
/// ```
struct Repeat {
  int count = 1;                        ///< cycles, >= 1; used when `total_seconds` is empty
  std::optional<double> total_seconds;  ///< total duration in seconds, > 0; timed cycles only

  /// Run the cycle `n` times (n >= 1).
  [[nodiscard]] static Repeat times(int n) { return Repeat{n, std::nullopt}; }
  /// Run cycles until `s` seconds are filled (s > 0), rounded up to whole cycles.
  [[nodiscard]] static Repeat for_seconds(double s) { return Repeat{1, s}; }

  /// Equal when count and total time match.
  friend bool operator==(const Repeat&, const Repeat&) = default;
};

/// A self-soothing exercise.
struct Exercise {
  std::string id{};    ///< stable id, e.g. "breathing.4-7-8"; non-empty, no whitespace
  std::string name{};  ///< display name, non-empty
  /// What sort of exercise it is.
  ExerciseKind kind = ExerciseKind::breathing;
  /// Whether it is meant for acute distress, daily practice, or both.
  Suits suits = Suits::both;
  std::string instructions{};        ///< short guidance in plain words
  std::vector<std::string> sources;  ///< seed files describing it (e.g. "002_a3dd8ceacfd4ae36.txt")
  std::vector<Step> steps;           ///< one cycle, non-empty
  /// How often `steps` runs.
  Repeat repeat{};

  /// Seconds of one cycle's timed steps (prompts count 0).
  [[nodiscard]] double cycle_seconds() const noexcept {
    double s = 0;
    for (const auto& st : steps) {
      if (const auto* t = std::get_if<TimedStep>(&st)) s += t->seconds;
    }
    return s;
  }
  /// True when the cycle has at least one prompt step.
  [[nodiscard]] bool has_prompts() const noexcept {
    for (const auto& st : steps) {
      if (std::holds_alternative<PromptStep>(st)) return true;
    }
    return false;
  }
  /// The number of cycles a session runs: `repeat.count`, or for a total
  /// duration `ceil(total / cycle_seconds())` (at least 1). A ratio within
  /// 1e-9 of a whole number counts as that number, so 300 s of 15 s cycles is 20.
  [[nodiscard]] CALMKIT_EXPORT int cycles() const;
  /// Seconds of the whole session when every step is timed (`cycles() *
  /// cycle_seconds()`); `std::nullopt` when prompts make it open-ended.
  [[nodiscard]] std::optional<double> duration_seconds() const {
    if (has_prompts()) return std::nullopt;
    return cycle_seconds() * cycles();
  }

  /// Equal when every field matches.
  friend bool operator==(const Exercise&, const Exercise&) = default;
};

/// Checks every rule of a definition.
/// @throws std::invalid_argument naming the exercise and the field, e.g.
///   `exercise 'my.box': field 'steps[2].seconds': must be > 0, got -1`.
CALMKIT_EXPORT void validate(const Exercise& exercise);

/// A breathing exercise from counts in seconds. Phases of 0 s are left out
/// (4-0-6-0 is inhale then exhale); the result is validated.
/// @throws std::invalid_argument for a negative or NaN count, a cycle of 0 s,
///         an empty id or name, or a bad repeat.
///
/// Example
/// ```cpp
/// auto box = calmkit::breathing_pattern("my.box", "My box", 4, 4, 4, 4,
///                                       calmkit::Repeat::for_seconds(300));
/// box.cycles();  // 19 (300 / 16 = 18.75, rounded up)
/// ```
[[nodiscard]] CALMKIT_EXPORT Exercise breathing_pattern(std::string id, std::string name, double inhale,
                                                        double hold_in, double exhale, double hold_out,
                                                        Repeat repeat = Repeat::times(4));

/// Ids of the built-in catalog's exercises, one constant each, so that code
/// naming a catalog exercise (the synthetic generator, tests) takes the id from
/// here instead of spelling it again. `all` lists them in catalog order.
///
/// Example
/// ```cpp
/// calmkit::catalog_exercise(calmkit::exercise_ids::breathing_box).cycles();  // 19
/// ```
namespace exercise_ids {
inline constexpr std::string_view breathing_extended_exhale =
    "breathing.extended-exhale";                                              ///< `breathing.extended-exhale`
inline constexpr std::string_view breathing_4_7_8 = "breathing.4-7-8";        ///< `breathing.4-7-8`
inline constexpr std::string_view breathing_box = "breathing.box";            ///< `breathing.box`
inline constexpr std::string_view breathing_coherent = "breathing.coherent";  ///< `breathing.coherent`
inline constexpr std::string_view breathing_belly = "breathing.belly";        ///< `breathing.belly`
inline constexpr std::string_view breathing_physiological_sigh =
    "breathing.physiological-sigh";  ///< `breathing.physiological-sigh`
inline constexpr std::string_view grounding_5_4_3_2_1 = "grounding.5-4-3-2-1";  ///< `grounding.5-4-3-2-1`
inline constexpr std::string_view grounding_body_awareness =
    "grounding.body-awareness";  ///< `grounding.body-awareness`
inline constexpr std::string_view relaxation_progressive_muscle =
    "relaxation.progressive-muscle";                                      ///< `relaxation.progressive-muscle`
inline constexpr std::string_view tipp_temperature = "tipp.temperature";  ///< `tipp.temperature`
inline constexpr std::string_view tipp_intense_exercise =
    "tipp.intense-exercise";                                                    ///< `tipp.intense-exercise`
inline constexpr std::string_view movement_short_walk = "movement.short-walk";  ///< `movement.short-walk`
inline constexpr std::string_view movement_gentle_stretch =
    "movement.gentle-stretch";  ///< `movement.gentle-stretch`
inline constexpr std::string_view cognitive_three_alternatives =
    "cognitive.three-alternatives";  ///< `cognitive.three-alternatives`
inline constexpr std::string_view cognitive_reality_test =
    "cognitive.reality-test";  ///< `cognitive.reality-test`
inline constexpr std::string_view cognitive_future_self =
    "cognitive.future-self";  ///< `cognitive.future-self`
inline constexpr std::string_view cognitive_past_or_present =
    "cognitive.past-or-present";  ///< `cognitive.past-or-present`
inline constexpr std::string_view cognitive_self_compassion =
    "cognitive.self-compassion";                                              ///< `cognitive.self-compassion`
inline constexpr std::string_view mindfulness_breath = "mindfulness.breath";  ///< `mindfulness.breath`
inline constexpr std::string_view mindfulness_body_scan =
    "mindfulness.body-scan";  ///< `mindfulness.body-scan`
inline constexpr std::string_view mindfulness_three_breaths =
    "mindfulness.three-breaths";  ///< `mindfulness.three-breaths`
inline constexpr std::string_view mindfulness_name_it = "mindfulness.name-it";  ///< `mindfulness.name-it`
inline constexpr std::string_view mindfulness_self_check =
    "mindfulness.self-check";  ///< `mindfulness.self-check`
inline constexpr std::string_view pause_before_reacting =
    "pause.before-reacting";                                                      ///< `pause.before-reacting`
inline constexpr std::string_view pause_conflict_break = "pause.conflict-break";  ///< `pause.conflict-break`
inline constexpr std::string_view acceptance_radical = "acceptance.radical";      ///< `acceptance.radical`
inline constexpr std::string_view soothing_senses = "soothing.senses";            ///< `soothing.senses`
inline constexpr std::string_view distraction_activity = "distraction.activity";  ///< `distraction.activity`
inline constexpr std::string_view improving_the_moment = "improving.the-moment";  ///< `improving.the-moment`
/// Every catalog id, in catalog order.
inline constexpr std::array<std::string_view, 29> all{breathing_extended_exhale,
                                                      breathing_4_7_8,
                                                      breathing_box,
                                                      breathing_coherent,
                                                      breathing_belly,
                                                      breathing_physiological_sigh,
                                                      grounding_5_4_3_2_1,
                                                      grounding_body_awareness,
                                                      relaxation_progressive_muscle,
                                                      tipp_temperature,
                                                      tipp_intense_exercise,
                                                      movement_short_walk,
                                                      movement_gentle_stretch,
                                                      cognitive_three_alternatives,
                                                      cognitive_reality_test,
                                                      cognitive_future_self,
                                                      cognitive_past_or_present,
                                                      cognitive_self_compassion,
                                                      mindfulness_breath,
                                                      mindfulness_body_scan,
                                                      mindfulness_three_breaths,
                                                      mindfulness_name_it,
                                                      mindfulness_self_check,
                                                      pause_before_reacting,
                                                      pause_conflict_break,
                                                      acceptance_radical,
                                                      soothing_senses,
                                                      distraction_activity,
                                                      improving_the_moment};
}  // namespace exercise_ids

/// The built-in catalog, in a stable order. Every entry is valid and cites
/// at least one seed file.
[[nodiscard]] CALMKIT_EXPORT std::span<const Exercise> catalog();

/// A catalog entry by id, or nullptr.
[[nodiscard]] CALMKIT_EXPORT const Exercise* find_exercise(std::string_view id) noexcept;

/// A catalog entry by id.
/// @throws std::out_of_range naming the unknown id and the catalog ids closest
/// to it ("no exercise 'breathing.boxx' in the catalog; did you mean
/// 'breathing.box'?"; Python: calmkit.UnknownExerciseError, a KeyError).
[[nodiscard]] CALMKIT_EXPORT const Exercise& catalog_exercise(std::string_view id);

/// The catalog plus a person's own exercises, with unique ids.
///
/// Example
/// ```cpp
/// auto reg = calmkit::ExerciseRegistry::with_catalog();
/// reg.add(calmkit::breathing_pattern("me.slow", "Slow", 5, 0, 7, 0));
/// reg.get("me.slow").cycles();  // 4
/// ```
class CALMKIT_EXPORT ExerciseRegistry {
 public:
  ExerciseRegistry() = default;
  /// A registry holding the built-in catalog.
  [[nodiscard]] static ExerciseRegistry with_catalog();

  /// Validates and adds a definition.
  /// @throws std::invalid_argument when invalid or when the id is taken.
  void add(Exercise exercise);
  /// The exercise with this id, or nullptr when there is none.
  [[nodiscard]] const Exercise* find(std::string_view id) const;
  /// @throws std::out_of_range naming the unknown id.
  /// @throws std::out_of_range naming the unknown id and the closest ids, as catalog_exercise().
  [[nodiscard]] const Exercise& get(std::string_view id) const;
  /// Every exercise, in the order added.
  [[nodiscard]] std::span<const Exercise> all() const noexcept { return items_; }
  /// Number of exercises.
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }

 private:
  std::vector<Exercise> items_;
  std::unordered_map<std::string, std::size_t, detail::KeyedHash, std::equal_to<>> index_;
};

/// An exercise definition that is not valid JSON or breaks a rule.
/// `field()` is the JSON path of the problem (`steps[1].seconds`), `""` for
/// the text as a whole.
class CALMKIT_EXPORT ExerciseFormatError : public std::invalid_argument {
 public:
  /// An error at JSON path `field` ("" for the whole text), explained by `reason`.
  ExerciseFormatError(std::string field, std::string reason)
      : std::invalid_argument(compose(field, reason)), field_(std::move(field)), reason_(std::move(reason)) {}
  /// JSON path of the problem, e.g. `steps[1].seconds`; "" for the text as a whole.
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  /// What is wrong, without the path.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  static std::string compose(const std::string& field, const std::string& reason) {
    std::string m = "exercise JSON: ";
    if (!field.empty()) m += "field '" + field + "': ";
    return m + reason;
  }
  std::string field_;
  std::string reason_;
};

/// One definition as a JSON object:
/// `{"id":..,"name":..,"kind":..,"suits":..,"instructions":..,"sources":[..],
///   "repeats":N | "total_seconds":S, "steps":[{"type":"timed","seconds":4,
///   "phase":"inhale","cue":".."} | {"type":"prompt","text":"..","answers":5}]}`.
[[nodiscard]] CALMKIT_EXPORT std::string to_json(const Exercise& exercise);
/// Parses and validates one definition.
/// @throws ExerciseFormatError naming the field.
[[nodiscard]] CALMKIT_EXPORT Exercise exercise_from_json(std::string_view json);
/// A JSON array of definitions.
[[nodiscard]] CALMKIT_EXPORT std::string to_json(std::span<const Exercise> exercises);
/// Parses a JSON array of definitions (each validated; ids must be unique).
/// @throws ExerciseFormatError naming the field, e.g. `[2].steps[0].seconds`.
[[nodiscard]] CALMKIT_EXPORT std::vector<Exercise> exercises_from_json(std::string_view json);

}  // namespace calmkit
