/// @file model.hpp
/// @brief The domain model: strong value types and the journal's record types.
///
/// The records mirror the journal format v1 (`docs/journal-format.md`) field
/// for field. Optional scalar fields are `std::optional`; optional strings and
/// lists are empty when absent (the format has no use for an empty string id,
/// and the writer leaves empty fields out).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/time.hpp>
#include <calmkit/vocabulary.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace calmkit {

namespace detail {
/// The one text of the rule "an integer within lo..hi": `must be an integer
/// lo..hi, got GOT`, where `got` is the value as read (a number, or what the
/// input held instead, e.g. `a string`). Used by the bounded score types and
/// by every reader of a bounded integer field (the JSON Lines reader's
/// versions and answers too).
[[nodiscard]] inline std::string integer_range_reason(long long lo, long long hi, std::string_view got) {
  std::string out = "must be an integer " + std::to_string(lo) + ".." + std::to_string(hi) + ", got ";
  out += got;
  return out;
}

/// The shortest text of a double that reads back the same (`-0.5`, `-1`, `inf`, `nan`).
[[gnu::cold]] inline std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// A small integer confined to [Lo, Hi]; the base of the bounded score types.
template <class Tag, int Lo, int Hi>
class Bounded {
 public:
  static constexpr int min = Lo;
  static constexpr int max = Hi;

  constexpr Bounded() noexcept = default;
  /// @throws std::out_of_range when `v` is outside [Lo, Hi].
  constexpr explicit Bounded(int v) : v_(check(v)) {}
  /// The non-throwing check for hot paths.
  [[nodiscard]] static constexpr std::optional<Bounded> make(long long v) noexcept {
    if (v < Lo || v > Hi) return std::nullopt;
    Bounded b;
    b.v_ = static_cast<std::uint8_t>(v);
    return b;
  }
  [[nodiscard]] constexpr int value() const noexcept { return v_; }
  friend constexpr auto operator<=>(Bounded, Bounded) = default;
  /// The reason `v` is refused, `must be an integer Lo..Hi, got v`: the one
  /// text of this rule, used by every entry point that checks such a score.
  [[nodiscard]] static std::string out_of_range_reason(long long v) {
    return integer_range_reason(Lo, Hi, std::to_string(v));
  }

 private:
  static constexpr std::uint8_t check(int v) {
    if (v < Lo || v > Hi) detail::throw_out_of_range(std::string(Tag::name) + ' ' + out_of_range_reason(v));
    return static_cast<std::uint8_t>(v);
  }
  std::uint8_t v_ = 0;
};
struct IntensityTag {
  static constexpr const char* name = "intensity";
};
struct PercentTag {
  static constexpr const char* name = "percentage";
};
}  // namespace detail

/// Distress on the 0–10 scale (0 calm, 10 the worst imaginable). Cannot hold 11.
using Intensity = detail::Bounded<detail::IntensityTag, 0, 10>;

/// A belief or emotion strength in percent, 0–100.
using Percent = detail::Bounded<detail::PercentTag, 0, 100>;

/// A duration in minutes: finite and >= 0 (how long after a trigger's onset
/// the person acted on the urge). Cannot hold -1, NaN or infinity.
///
/// A plain `double` inside (trivially copyable); `value()` gives it back, and
/// `make` / the constructor are the only ways in, both running the one rule
/// whose text is `out_of_range_reason`.
///
/// Example
/// ```cpp
/// calmkit::Minutes m{12.5};                        // 12.5 minutes
/// auto bad = calmkit::Minutes::make(-1.0);         // std::nullopt
/// calmkit::Minutes::out_of_range_reason(-1.0);     // "must be a finite number of minutes >= 0, got -1"
/// ```
class Minutes {
 public:
  /// Zero minutes.
  constexpr Minutes() noexcept = default;
  /// @param minutes finite and >= 0
  /// @throws std::out_of_range `minutes must be a finite number of minutes >= 0, got V` otherwise.
  explicit Minutes(double minutes) : v_(minutes) {
    if (!ok(minutes)) [[unlikely]]
      detail::throw_out_of_range("minutes " + out_of_range_reason(minutes));
  }
  /// The non-throwing check for hot paths: the minutes, or nothing when
  /// `minutes` is negative, NaN or infinite.
  [[nodiscard]] static std::optional<Minutes> make(double minutes) noexcept {
    if (!ok(minutes)) [[unlikely]]
      return std::nullopt;
    Minutes m;
    m.v_ = minutes;
    return m;
  }
  /// The number of minutes, finite and >= 0.
  [[nodiscard]] constexpr double value() const noexcept { return v_; }
  /// Ordered and compared by their value.
  friend constexpr auto operator<=>(Minutes, Minutes) = default;
  /// The reason `minutes` is refused, `must be a finite number of minutes >= 0,
  /// got V`: the one text of this rule, used by every entry point that reads
  /// minutes as a number (the reader, the store, the bindings, the columns).
  [[nodiscard]] static std::string out_of_range_reason(double minutes) {
    return "must be a finite number of minutes >= 0, got " + detail::number_text(minutes);
  }

 private:
  static bool ok(double minutes) noexcept { return std::isfinite(minutes) && minutes >= 0; }
  double v_ = 0;
};

/// A moment the attachment alarm fired.
struct Trigger {
  std::string participant{};  ///< whose journal; "" for a single-user journal
  std::string id{};           ///< unique per participant among triggers
  Instant time{};             ///< onset
  /// What set it off, from the fixed category list.
  TriggerCategory category = TriggerCategory::other;
  Intensity intensity{};  ///< distress at onset, 0–10
  std::string context{};  ///< what was happening ("" = not given)
  /// Thoughts that came up, in the person's words.
  std::vector<std::string> thoughts{};
  /// Body sensations noticed, e.g. "tight chest".
  std::vector<std::string> sensations{};
  std::string urge{};                            ///< what the person felt pulled to do
  std::optional<bool> acted_on_urge{};           ///< whether they did it
  std::optional<Minutes> acted_after_minutes{};  ///< minutes from onset until acting
  std::string response{};                        ///< what they did instead
  /// Free-form labels.
  std::vector<std::string> tags{};

  /// Equal when every field matches.
  friend bool operator==(const Trigger&, const Trigger&) = default;
};

/// A distress check-in.
struct Reading {
  /// Whose journal; "" for a single-user journal.
  std::string participant{};
  std::string id{};  ///< optional; "" = none
  /// When the distress was rated.
  Instant time{};
  Intensity intensity{};  ///< distress now, 0–10
  std::string trigger{};  ///< id of the trigger whose episode it belongs to; "" = unlinked
  /// Free-text note ("" = none).
  std::string note{};

  /// Equal when every field matches.
  friend bool operator==(const Reading&, const Reading&) = default;
};

/// One practice session of a catalog or custom exercise.
struct ExerciseSession {
  /// Whose journal; "" for a single-user journal.
  std::string participant{};
  /// Unique per participant among exercise sessions.
  std::string id{};
  Instant time{};          ///< start
  Instant end{};           ///< end, >= time
  std::string exercise{};  ///< exercise id, e.g. "breathing.4-7-8"
  /// False when the session was stopped early.
  bool completed = true;
  std::optional<Intensity> intensity_before{};  ///< distress at `time`
  std::optional<Intensity> intensity_after{};   ///< distress at `end`
  std::string trigger{};                        ///< trigger it answered; "" = none
  /// What the person wrote during the session (grounding items, alternatives, ...).
  std::vector<std::string> responses{};

  /// Equal when every field matches.
  friend bool operator==(const ExerciseSession&, const ExerciseSession&) = default;
};

/// One emotion rated in a thought record.
struct EmotionRating {
  /// Emotion named, e.g. "anxious".
  std::string name{};
  /// Strength before the record, 0–100 %.
  Percent before{};
  /// Strength after the record, 0–100 % (empty when not re-rated).
  std::optional<Percent> after{};

  /// Equal when every field matches.
  friend bool operator==(const EmotionRating&, const EmotionRating&) = default;
};

/// A CBT thought record.
struct ThoughtRecord {
  /// Whose journal; "" for a single-user journal.
  std::string participant{};
  /// Unique per participant among thought records.
  std::string id{};
  /// When it was written.
  Instant time{};
  /// What happened, briefly.
  std::string situation{};
  /// The thought that came up on its own.
  std::string automatic_thought{};
  /// How strongly the thought was believed at first, 0–100 %.
  Percent belief_before{};
  /// Emotions felt, each rated before (and optionally after), 0–100 %.
  std::vector<EmotionRating> emotions{};
  /// Thinking traps recognised in the thought.
  std::vector<Distortion> distortions{};
  /// Facts that support the thought.
  std::vector<std::string> evidence_for{};
  /// Facts that do not support it.
  std::vector<std::string> evidence_against{};
  /// Other ways to read the situation.
  std::vector<std::string> alternatives{};
  /// What the person would tell a friend thinking the same.
  std::string friend_advice{};
  /// A fairer thought that takes the evidence into account.
  std::string balanced_thought{};
  /// How strongly the original thought is believed afterwards, 0–100 % (empty = not re-rated).
  std::optional<Percent> belief_after{};
  std::string trigger{};  ///< trigger it worked on; "" = none

  /// Equal when every field matches.
  friend bool operator==(const ThoughtRecord&, const ThoughtRecord&) = default;
};

/// A questionnaire answered at one time (an `Instrument` from assessments.hpp).
///
/// Only the answers are kept; scores are computed from them by the
/// instrument's definition (`calmkit::score`). The journal does not look the
/// instrument up: the JSONL reader and the store check the answers against the
/// instrument registry when they read, and `score` checks them again, so a
/// journal can hold answers to a custom instrument registered later.
struct Assessment {
  /// Whose journal; "" for a single-user journal.
  std::string participant{};
  std::string id{};            ///< unique per participant among assessments
  Instant time{};              ///< when it was answered
  std::string instrument{};    ///< instrument id, e.g. "gad-7" or "attachment-checkin"
  std::vector<int> answers{};  ///< one per item, in item order, inside the instrument's scale
  /// Free-text note ("" = none).
  std::string note{};

  /// Equal when every field matches.
  friend bool operator==(const Assessment&, const Assessment&) = default;
};

/// The record types of the journal format, as an enum.
enum class RecordType : std::uint8_t { trigger, reading, exercise, thought_record, assessment };

/// The `type` string of each record type.
[[nodiscard]] constexpr std::string_view to_id(RecordType t) noexcept {
  switch (t) {
    case RecordType::trigger: return "trigger";
    case RecordType::reading: return "reading";
    case RecordType::exercise: return "exercise";
    case RecordType::thought_record: return "thought_record";
    case RecordType::assessment: return "assessment";
  }
  return "?";
}

/// Any one record.
using Record = std::variant<Trigger, Reading, ExerciseSession, ThoughtRecord, Assessment>;

}  // namespace calmkit
