/// @file validate.hpp
/// @brief The rules of the journal's records, each written once: one
/// `validate` per record type, the field rules it is made of, and the reasons
/// of the two rules that need the other records (unique ids, trigger links).
///
/// Every entry point runs these and only these: the JSON Lines reader and
/// writer, the SQLite store, `Journal` (its constructor and `add`), the Python
/// record classes and the columnar `Cohort::check`. A rule gives the
/// field it concerns and the reason; each caller adds where the record is (a
/// file and line, a store, a row of columns, the record's own name), so the
/// same bad record reads the same everywhere after the place. The message
/// shape is the one of `JournalFormatError`: `PLACE: field 'FIELD': REASON`.
///
/// What the types already guarantee is not repeated here: an `Intensity` holds
/// 0–10, a `Percent` 0–100, a `Minutes` a finite number >= 0, a `UtcOffset`
/// ±23:59 (their constructors are those rules). The answers of an assessment
/// are checked against its instrument by `calmkit::validate_answers`
/// (assessments.hpp): the journal holds answers to instruments registered
/// later, so that rule needs the registry and runs where records enter or
/// leave a file.
///
/// Example
/// ```cpp
/// calmkit::ExerciseSession e{.id = "e1", .time = calmkit::Instant::parse("2026-03-02T21:30:00Z"),
///                            .end = calmkit::Instant::parse("2026-03-02T21:29:00Z"),
///                            .exercise = "breathing.4-7-8"};
/// if (auto v = calmkit::validate(e)) {
///   // v->field == "end", v->reason == "end 2026-03-02T21:29:00Z is before time 2026-03-02T21:30:00Z"
/// }
/// ```
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/model.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace calmkit {

/// A broken rule of one record: which field, and why (without the place).
struct RuleViolation {
  /// The field in the journal format's names (`end`, `answers[2]`); "" for the record as a whole.
  std::string field;
  /// What is wrong, in plain words, e.g. `must not be empty`.
  std::string reason;

  /// Equal when field and reason match.
  friend bool operator==(const RuleViolation&, const RuleViolation&) = default;
};

/// A record that breaks a rule, refused by `Journal`, the store, the writer or
/// the Python record classes. A `JournalFormatError` (so a `std::invalid_argument`;
/// Python: `calmkit.RecordError`, a `JournalFormatError`; JavaScript: the same
/// name) whose `path` is "" and `line` 0, and whose message is
/// `PLACE: field 'FIELD': REASON`: the reader's error for the same record reads
/// the same after the place.
class CALMKIT_EXPORT RecordError : public JournalFormatError {
 public:
  /// @param place  who refused which record, e.g. `cannot add trigger 't1' of participant 'p'`
  /// @param field  the field of the broken rule ("" for the record as a whole)
  /// @param reason the rule's reason
  RecordError(std::string place, std::string field, std::string reason)
      : JournalFormatError(place, std::move(field), std::move(reason)), place_(std::move(place)) {}

  /// Who refused which record.
  [[nodiscard]] const std::string& place() const noexcept { return place_; }

 private:
  std::string place_;
};

namespace detail {
/// Throws `RecordError(place, v.field, v.reason)`; kept out of line of hot callers.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_record(std::string place, RuleViolation v) {
  throw RecordError(std::move(place), std::move(v.field), std::move(v.reason));
}
}  // namespace detail

/// How every message names a record: `trigger 't1' of participant 'p1'`
/// (`trigger 't1'` in a single-user journal, `trigger of participant 'p1'`
/// when the id is empty).
[[nodiscard]] inline std::string describe_record(std::string_view type, std::string_view participant,
                                                 std::string_view id) {
  std::string out(type);
  if (!id.empty()) out += ' ' + detail::quote(id);
  if (!participant.empty()) out += " of participant " + detail::quote(participant);
  return out;
}

/// The record's `describe_record` text.
template <class R>
[[nodiscard]] std::string describe_record(const R& r);

/// The rules, one function each. A field rule returns the violation, or
/// nothing when the value is good.
namespace detail {

/// Offset of the first byte of `s` that does not begin a well-formed UTF-8
/// sequence, or npos when all of `s` is UTF-8. Well-formed as in the Unicode
/// standard's Table 3-7 (RFC 3629): no overlong forms, no surrogates (U+D800 to
/// U+DFFF), nothing above U+10FFFF.
inline std::size_t first_invalid_utf8(std::string_view s) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Plain ASCII, eight bytes at a time (most journal text is).
    while (n - i >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, b + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80;  // range of the second byte
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (n - i < len || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((b[i + k] & 0xC0U) != 0x80U) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace detail

namespace rules {

/// `id` of a trigger, exercise, thought record or assessment; `exercise` of
/// an exercise session; `instrument` of an assessment: not empty.
[[nodiscard]] inline std::optional<RuleViolation> not_empty(std::string_view field, std::string_view value) {
  if (!value.empty()) [[likely]]
    return std::nullopt;
  return RuleViolation{std::string(field), "must not be empty"};
}

/// The reasons of the type rules: a field holds a value of its JSON type.
/// `got` is what the value is, in the JSON reader's words (`a string`,
/// `a number`, `true/false`, `a list`, `an object`, `null`); each entry point
/// (the reader, the Arrow bridge, the Python record classes) words its value
/// the same way, so that a value of the wrong type reads the same everywhere.
/// (An integer field's reason is `detail::integer_range_reason`, with the range.)
///
/// A text field (`context`, `id`, ...): `must be a string, got a number`.
[[nodiscard]] inline std::string not_a_string(std::string_view got) {
  return "must be a string, got " + std::string(got);
}
/// A true/false field (`acted_on_urge`, `completed`): `must be true or false, got a number`.
[[nodiscard]] inline std::string not_true_or_false(std::string_view got) {
  return "must be true or false, got " + std::string(got);
}
/// `acted_after_minutes`: `must be a number (of minutes), got a string`
/// (its value is `Minutes`' rule, `acted_after_minutes`).
[[nodiscard]] inline std::string not_minutes(std::string_view got) {
  return "must be a number (of minutes), got " + std::string(got);
}
/// A list field, whose items are `items` (`strings`, `integers`, `emotion
/// objects`, `distortion ids`): `must be a list of strings, got a string`.
[[nodiscard]] inline std::string not_a_list(std::string_view items, std::string_view got) {
  return "must be a list of " + std::string(items) + ", got " + std::string(got);
}
/// An item of `emotions`: `must be an object {name, before, after}, got null`.
[[nodiscard]] inline std::string not_an_emotion(std::string_view got) {
  return "must be an object {name, before, after}, got " + std::string(got);
}
/// An optional id or trigger reference written but empty (the format's way to
/// say "none" is to leave the field out): `must not be empty (leave the field
/// out instead)`.
[[nodiscard]] inline std::string empty_but_present() {
  return "must not be empty (leave the field out instead)";
}

/// The reason of the rule "text is UTF-8" for a value whose byte `byte`, at
/// byte offset `offset` of the value (from 0), begins no well-formed UTF-8
/// sequence: `is not valid UTF-8 (byte 0xe9 at offset 3)`. Every entry point
/// words the rule with this, whether it checks a field (`utf8_text`) or, as the
/// JSON Lines reader does, a whole line first and names the field after.
[[nodiscard]] inline std::string not_utf8(unsigned char byte, std::size_t offset) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "is not valid UTF-8 (byte 0x";
  out += hex[byte >> 4U];
  out += hex[byte & 0xFU];
  out += " at offset " + std::to_string(offset) + ")";
  return out;
}

/// Any text field: well-formed UTF-8 (the journal format is UTF-8 text,
/// RFC 8259 section 8.1). `validate` runs it on every text field of a record;
/// the entry points that take text as bytes (the Arrow bridge, the store's
/// reads) run it on each value as they take it.
[[nodiscard]] inline std::optional<RuleViolation> utf8_text(std::string_view field, std::string_view value) {
  const std::size_t bad = detail::first_invalid_utf8(value);
  if (bad == std::string_view::npos) [[likely]]
    return std::nullopt;
  return RuleViolation{std::string(field), not_utf8(static_cast<unsigned char>(value[bad]), bad)};
}

/// `acted_after_minutes` of a trigger, for an entry point that reads it as a
/// plain number (a JSON number, a float column, a Python float): absent, or
/// what `Minutes` holds (finite, >= 0). The reason is
/// `Minutes::out_of_range_reason`; a `Trigger` itself cannot break this rule.
[[nodiscard]] inline std::optional<RuleViolation> acted_after_minutes(std::optional<double> minutes) {
  if (!minutes || Minutes::make(*minutes)) [[likely]]
    return std::nullopt;
  return RuleViolation{"acted_after_minutes", Minutes::out_of_range_reason(*minutes)};
}

/// `end` of an exercise session: not before its `time` (as instants; the
/// offsets may differ).
[[nodiscard]] inline std::optional<RuleViolation> end_not_before_time(Instant time, Instant end) {
  if (end.utc_us() >= time.utc_us()) [[likely]]
    return std::nullopt;
  return RuleViolation{"end", "end " + end.to_string() + " is before time " + time.to_string()};
}

/// The reason a time's text is refused: `invalid time 'TEXT': WHY`, with
/// `Instant::try_parse`'s reason (RFC 3339 with an offset, years 1400..9999).
/// For every reader of a time as text (JSON Lines, the Arrow bridge's text
/// columns).
[[nodiscard]] inline std::string invalid_time(std::string_view text, const TimeParseError& why) {
  return Instant::invalid_reason(text, why);
}

/// The reason of the rule "a required field is there": `required field is
/// missing` (a JSON key left out, a null cell of a column), for the field.
[[nodiscard]] inline std::string required_missing() {
  return "required field is missing";
}

/// The reason of the rule "ids are unique per participant and record type"
/// (reading ids only when given), for the field `id`.
[[nodiscard]] inline std::string duplicate_id(RecordType type, std::string_view participant,
                                              std::string_view id) {
  std::string out = "duplicate ";
  out += to_id(type);
  out += " id " + detail::quote(id);
  if (!participant.empty()) out += " for participant " + detail::quote(participant);
  return out;
}

/// The reason of the rule "a `trigger` link names a trigger of the same
/// participant", for the field `trigger`.
[[nodiscard]] inline std::string unknown_trigger(std::string_view participant, std::string_view trigger) {
  std::string out = "refers to trigger " + detail::quote(trigger);
  if (participant.empty()) return out + ", which the journal does not have";
  return out + ", which participant " + detail::quote(participant) + " does not have";
}

}  // namespace rules

namespace detail {
/// `utf8_text` over the text fields of one record in the format's field
/// order, keeping the first violation; a list element is named `thoughts[2]`,
/// an emotion's name `emotions[0].name`, as the reader names them.
struct Utf8Fields {
  std::optional<RuleViolation> bad;

  Utf8Fields& operator()(std::string_view field, std::string_view value) {
    if (!bad) [[likely]]
      bad = rules::utf8_text(field, value);
    return *this;
  }
  Utf8Fields& operator()(std::string_view field, const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size() && !bad; ++i) {
      if (first_invalid_utf8(values[i]) != std::string_view::npos) [[unlikely]]
        bad = rules::utf8_text(std::string(field) + '[' + std::to_string(i) + ']', values[i]);
    }
    return *this;
  }
};
}  // namespace detail

namespace rules {
/// Every text field of a trigger, well-formed UTF-8 (`utf8_text`).
[[nodiscard]] inline std::optional<RuleViolation> utf8_fields(const Trigger& t) {
  return detail::Utf8Fields{}("participant", t.participant)("id", t.id)("context", t.context)(
             "thoughts", t.thoughts)("sensations", t.sensations)("urge", t.urge)("response", t.response)(
             "tags", t.tags)
      .bad;
}
/// Every text field of a reading, well-formed UTF-8.
[[nodiscard]] inline std::optional<RuleViolation> utf8_fields(const Reading& r) {
  return detail::Utf8Fields{}("participant", r.participant)("id", r.id)("trigger", r.trigger)("note", r.note)
      .bad;
}
/// Every text field of an exercise session, well-formed UTF-8.
[[nodiscard]] inline std::optional<RuleViolation> utf8_fields(const ExerciseSession& e) {
  return detail::Utf8Fields{}("participant", e.participant)("id", e.id)("exercise", e.exercise)(
             "trigger", e.trigger)("responses", e.responses)
      .bad;
}
/// Every text field of a thought record, well-formed UTF-8.
[[nodiscard]] inline std::optional<RuleViolation> utf8_fields(const ThoughtRecord& t) {
  detail::Utf8Fields f;
  f("participant", t.participant)("id", t.id)("situation", t.situation)("automatic_thought",
                                                                        t.automatic_thought);
  for (std::size_t i = 0; i < t.emotions.size() && !f.bad; ++i) {
    if (detail::first_invalid_utf8(t.emotions[i].name) != std::string_view::npos) [[unlikely]]
      f("emotions[" + std::to_string(i) + "].name", t.emotions[i].name);
  }
  return f("evidence_for", t.evidence_for)("evidence_against", t.evidence_against)(
             "alternatives", t.alternatives)("friend_advice", t.friend_advice)(
             "balanced_thought", t.balanced_thought)("trigger", t.trigger)
      .bad;
}
/// Every text field of an assessment, well-formed UTF-8.
[[nodiscard]] inline std::optional<RuleViolation> utf8_fields(const Assessment& a) {
  return detail::Utf8Fields{}("participant", a.participant)("id", a.id)("instrument", a.instrument)("note",
                                                                                                    a.note)
      .bad;
}
}  // namespace rules

/// Whether `validate` checks that a record's text is UTF-8. `checked` is for
/// a caller that has checked the bytes already as a whole (the JSON Lines
/// reader checks each line, the writer its output) and asks
/// `rules::utf8_fields` only to name the field once something is wrong.
enum class TextCheck : bool {
  utf8,     ///< run `rules::utf8_fields` first (the default)
  checked,  ///< the caller has checked the text
};

namespace detail {
/// The rules of a record of type R that need no other record, beyond its
/// text being UTF-8 (which `validate` adds), on anything with R's fields:
/// the record itself, or a reader's view of one whose texts still lie in its
/// input (so it checks a line before copying anything out of it). Each
/// record type's rules are listed here once; `validate` runs them.
template <class R, class T>
[[nodiscard]] std::optional<RuleViolation> record_rules(const T& r) {
  if constexpr (std::is_same_v<R, Trigger> || std::is_same_v<R, ThoughtRecord>) {
    // A trigger's `acted_after_minutes` is a `Minutes`, finite and >= 0 by construction.
    return rules::not_empty("id", r.id);
  } else if constexpr (std::is_same_v<R, Reading>) {
    return std::nullopt;  // no rule of its own beyond its types (its id is optional)
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    if (auto v = rules::not_empty("id", r.id)) return v;
    if (auto v = rules::not_empty("exercise", r.exercise)) return v;
    return rules::end_not_before_time(r.time, r.end);
  } else {
    static_assert(std::is_same_v<R, Assessment>);
    // Its answers against the instrument: `validate_answers`.
    if (auto v = rules::not_empty("id", r.id)) return v;
    return rules::not_empty("instrument", r.instrument);
  }
}
}  // namespace detail

/// The rules of a trigger that need no other record: its text is UTF-8, a
/// non-empty id. (Its `acted_after_minutes` is a `Minutes`, finite and >= 0
/// by construction.)
[[nodiscard]] inline std::optional<RuleViolation> validate(const Trigger& t,
                                                           TextCheck text = TextCheck::utf8) {
  if (text == TextCheck::utf8)
    if (auto v = rules::utf8_fields(t)) return v;
  return detail::record_rules<Trigger>(t);
}

/// A reading has no rule of its own beyond its types and UTF-8 text (its id
/// is optional).
[[nodiscard]] inline std::optional<RuleViolation> validate(const Reading& r,
                                                           TextCheck text = TextCheck::utf8) {
  if (text == TextCheck::utf8)
    if (auto v = rules::utf8_fields(r)) return v;
  return detail::record_rules<Reading>(r);
}

/// The rules of an exercise session: UTF-8 text, a non-empty id and exercise
/// id; `end` not before `time`.
[[nodiscard]] inline std::optional<RuleViolation> validate(const ExerciseSession& e,
                                                           TextCheck text = TextCheck::utf8) {
  if (text == TextCheck::utf8)
    if (auto v = rules::utf8_fields(e)) return v;
  return detail::record_rules<ExerciseSession>(e);
}

/// The rules of a thought record: UTF-8 text, a non-empty id.
[[nodiscard]] inline std::optional<RuleViolation> validate(const ThoughtRecord& t,
                                                           TextCheck text = TextCheck::utf8) {
  if (text == TextCheck::utf8)
    if (auto v = rules::utf8_fields(t)) return v;
  return detail::record_rules<ThoughtRecord>(t);
}

/// The rules of an assessment that need no registry: UTF-8 text, a non-empty
/// id and instrument id. (Answers against the instrument: `validate_answers`.)
[[nodiscard]] inline std::optional<RuleViolation> validate(const Assessment& a,
                                                           TextCheck text = TextCheck::utf8) {
  if (text == TextCheck::utf8)
    if (auto v = rules::utf8_fields(a)) return v;
  return detail::record_rules<Assessment>(a);
}

/// Any record, as the matching overload.
[[nodiscard]] inline std::optional<RuleViolation> validate(const Record& r,
                                                           TextCheck text = TextCheck::utf8) {
  return std::visit([text](const auto& x) { return validate(x, text); }, r);
}

/// The record type of a record struct.
template <class R>
inline constexpr RecordType record_type_of = [] {
  if constexpr (std::is_same_v<R, Trigger>)
    return RecordType::trigger;
  else if constexpr (std::is_same_v<R, Reading>)
    return RecordType::reading;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return RecordType::exercise;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return RecordType::thought_record;
  else
    return RecordType::assessment;
}();

template <class R>
std::string describe_record(const R& r) {
  return describe_record(to_id(record_type_of<R>), r.participant, r.id);
}

}  // namespace calmkit
