/// @file assessments.hpp
/// @brief Questionnaires as data: instruments, their validation, a registry of
/// built-in and custom instruments, and scoring.
///
/// An `Instrument` describes a questionnaire completely: its items, the answer
/// scale, the areas (subscales) and which items belong to them, the items that
/// are reverse-keyed, how areas and the total are scored, the interpretation
/// bands, and where it comes from. Answers are stored in the journal
/// (`calmkit::Assessment`); scores are always computed from them, never stored.
///
/// Built in:
/// - `attachment-checkin`: calmkit's reflection check-in on anxious-attachment
///   patterns, 28 items in seven areas, 1 = never ... 5 = always; an area whose
///   mean is 3 or more is flagged. A reflection aid, not a diagnosis.
/// - `gad-7`: the public-domain GAD-7 anxiety screener, 7 items scored 0–3,
///   total 0–21 with the bands minimal / mild / moderate / severe.
///
/// Example
/// ```cpp
/// const calmkit::Instrument& gad7 = calmkit::instrument("gad-7");
/// calmkit::AssessmentScore s = calmkit::score(gad7, std::vector<int>{1, 1, 2, 0, 1, 1, 0});
/// // s.total == 6, s.band == "mild"
/// ```
#pragma once

#include <calmkit/export.hpp>
#include <calmkit/validate.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace calmkit {

/// How item answers (after reverse keying) combine into an area or total score.
enum class ScoringRule : std::uint8_t {
  sum,   ///< the sum of the answers
  mean,  ///< the arithmetic mean of the answers
};

/// The `id` string of a scoring rule ("sum" or "mean").
[[nodiscard]] constexpr std::string_view to_id(ScoringRule r) noexcept {
  return r == ScoringRule::sum ? "sum" : "mean";
}

/// One area (subscale) of an instrument.
struct InstrumentArea {
  std::string id;                  ///< stable id, e.g. "emotional_responses"
  std::string name;                ///< label shown to people
  std::vector<std::size_t> items;  ///< 0-based item indices belonging to it

  /// Equal when every field matches.
  friend bool operator==(const InstrumentArea&, const InstrumentArea&) = default;
};

/// An interpretation band of the total score: `min <= total <= max` (both inclusive).
struct InstrumentBand {
  std::string label;  ///< e.g. "mild"
  /// Lowest total in the band (inclusive).
  double min = 0;
  /// Highest total in the band (inclusive).
  double max = 0;
  /// What the band means for the person who answered, in plain words: the
  /// instrument authors' published guidance for it ("" = none given).
  std::string guidance{};

  /// Equal when every field matches.
  friend bool operator==(const InstrumentBand&, const InstrumentBand&) = default;
};

/// A questionnaire described as data. Check one with `validate`.
struct Instrument {
  std::string id;                  ///< stable id used in journals, e.g. "gad-7"
  std::string name;                ///< human name
  std::string description;         ///< what it is for and how to read it
  std::string prompt;              ///< the question stem shown before the items ("" = none)
  std::vector<std::string> items;  ///< item texts, in answer order
  int scale_min = 0;               ///< lowest allowed answer (inclusive)
  int scale_max = 0;               ///< highest allowed answer (inclusive)
  /// One label per scale point, `scale_min` first (empty = no labels).
  std::vector<std::string> scale_labels;
  std::vector<InstrumentArea> areas;          ///< subscales (may be empty)
  std::vector<std::size_t> reverse_keyed;     ///< 0-based items scored as `min + max - answer`
  ScoringRule total_rule = ScoringRule::sum;  ///< how all items combine into the total
  ScoringRule area_rule = ScoringRule::sum;   ///< how an area's items combine
  std::vector<InstrumentBand> bands;          ///< bands of the total (may be empty)
  /// An area whose score is at least this is flagged with `area_flag_label`.
  std::optional<double> area_flag_at;
  /// Label shown next to a flagged area (required when `area_flag_at` is set).
  std::string area_flag_label;
  std::string source;   ///< citation or origin
  std::string licence;  ///< licence / permission note
  /// True for instruments meant for self-reflection only, never for diagnosis.
  bool reflection_only = false;

  /// Equal when every field matches.
  friend bool operator==(const Instrument&, const Instrument&) = default;
};

/// Checks an instrument's definition.
/// @throws std::invalid_argument naming the first problem (empty id or items,
/// scale_min > scale_max, label count not matching the scale, an area or
/// reverse-keyed index out of range or repeated, a band outside the possible
/// total range or bands overlapping, bands that leave a possible total
/// uncovered, a flag threshold outside the area range). Bands are closed
/// intervals on the real line; they must cover every total the instrument can
/// give: the whole numbers for a sum, the multiples of 1/n for a mean of n
/// items (so integer bands 0–1, 2–3 leave a mean of 1.5 without a band and are
/// refused; 0–1.5, 2–3 cover every mean of 2 items).
CALMKIT_EXPORT void validate(const Instrument& instrument);

/// The score of one area.
struct AreaScore {
  std::string area;      ///< area id
  double score = 0;      ///< by the instrument's `area_rule`
  bool flagged = false;  ///< score >= `area_flag_at`
};

/// The scores of one set of answers.
struct AssessmentScore {
  double total = 0;              ///< by the instrument's `total_rule`
  std::vector<AreaScore> areas;  ///< in the instrument's area order
  std::string band;              ///< the band the total falls in ("" when there are no bands)
  /// One line per flagged area: "<area name>: <area_flag_label>".
  std::vector<std::string> flags;
};

/// The rule of an assessment's answers, written once: one answer per item
/// (field `answers`), each inside the instrument's scale (field `answers[i]`,
/// the reason naming the item by index and text).
/// @return the violation, or nothing when the answers fit.
[[nodiscard]] CALMKIT_EXPORT std::optional<RuleViolation> validate_answers(const Instrument& instrument,
                                                                           std::span<const int> answers);

/// The rule of an assessment that needs the instrument registry: its
/// instrument is registered (field `instrument`, reason `unknown_instrument`)
/// and its answers fit it (as above). Run by the JSON Lines reader and
/// writer and the store; `Journal` does not (see journal.hpp).
[[nodiscard]] CALMKIT_EXPORT std::optional<RuleViolation> validate_answers(const Assessment& assessment);

/// The reason for an instrument id that is not registered: the id, the known
/// ids, and how to register a custom instrument.
[[nodiscard]] CALMKIT_EXPORT std::string unknown_instrument(std::string_view id);

/// Checks `answers` against the instrument: one per item, each inside the scale.
/// @throws std::invalid_argument with `validate_answers`'s reason.
CALMKIT_EXPORT void check_answers(const Instrument& instrument, std::span<const int> answers);

/// Scores `answers` (checked first with `check_answers`).
///
/// Example
/// ```cpp
/// auto s = calmkit::score(calmkit::instrument("attachment-checkin"), answers);
/// for (const auto& a : s.areas) if (a.flagged) std::cout << a.area << '\n';
/// ```
[[nodiscard]] CALMKIT_EXPORT AssessmentScore score(const Instrument& instrument,
                                                   std::span<const int> answers);

/// The registered instrument with this id.
/// @throws std::invalid_argument for an unknown id (the message lists the known ones).
[[nodiscard]] CALMKIT_EXPORT const Instrument& instrument(std::string_view id);

/// The registered instrument with this id, or nullptr. The pointer stays valid
/// for the life of the program (instruments are never removed).
[[nodiscard]] CALMKIT_EXPORT const Instrument* find_instrument(std::string_view id) noexcept;

/// Registers a custom instrument (validated first). Thread-safe.
/// @throws std::invalid_argument when it is invalid or its id is already taken
/// (built-ins cannot be replaced).
CALMKIT_EXPORT void register_instrument(Instrument instrument);

/// The ids of every registered instrument, built-ins first, then custom ones in
/// registration order.
[[nodiscard]] CALMKIT_EXPORT std::vector<std::string> instrument_ids();

/// The ids of the built-in instruments only (a custom instrument's id is text
/// someone chose, which the research export does not let out).
[[nodiscard]] CALMKIT_EXPORT std::vector<std::string> builtin_instrument_ids();

}  // namespace calmkit
