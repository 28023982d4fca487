/// @file journal.hpp
/// @brief `Journal`: the records of one person or of a whole cohort, ordered,
/// checked and stored as columns, with per-participant and time-range views;
/// `JournalBuilder`, which readers fill.
///
/// Why one header of ~700 lines: it is the one class `Journal`, its member
/// documentation and its inline definitions (the checked `add` for each record
/// type and the views); its parts with a job of their own are in
/// record_view.hpp, journal_builder.hpp, journal_tables.hpp and
/// journal_rows.hpp.
#pragma once

#include <calmkit/columns.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/journal_rows.hpp>
#include <calmkit/journal_tables.hpp>
#include <calmkit/model.hpp>
#include <calmkit/record_view.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#if __has_include(<ranges>)
#include <ranges>
#endif
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace calmkit {

/// All records of a journal as values, grouped by type, in no particular
/// order. The input of `Journal`'s constructor and the output of
/// `Journal::records` / `Journal::release` (the slow path: one allocation per
/// string and list; readers fill a `JournalBuilder` instead).
struct RecordSet {
  /// Trigger records.
  std::vector<Trigger> triggers;
  /// Distress readings.
  std::vector<Reading> readings;
  /// Exercise sessions.
  std::vector<ExerciseSession> exercises;
  /// CBT thought records.
  std::vector<ThoughtRecord> thought_records;
  /// Questionnaire answers.
  std::vector<Assessment> assessments;

  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const noexcept {
    return triggers.size() + readings.size() + exercises.size() + thought_records.size() + assessments.size();
  }
};

class JournalBuilder;

/// The records of one or many participants, stored as columns.
///
/// Invariants, checked on construction and on every `add` (the rules of
/// validate.hpp, the one copy every entry point runs):
/// - each record passes `calmkit::validate` (non-empty ids of triggers,
///   exercises, thought records and assessments, an exercise's `end` not
///   before its `time`, `acted_after_minutes` finite and >= 0, ...);
/// - ids are unique per participant and type; reading ids, when given, too;
/// - every `trigger` reference names a trigger of the same participant.
/// The answers of an assessment are *not* checked against the instrument here
/// (the journal does not depend on the instrument registry): the JSONL reader,
/// the writer and the store run `calmkit::validate_answers`, and
/// `calmkit::score` checks them again.
///
/// Storage: per record type a struct of arrays (`columns()`): times as UTC
/// microseconds plus the offset in minutes, participants as codes into one
/// sorted dictionary (`columns().participants`), trigger categories as their
/// enum byte, exercise ids and instruments as codes into small dictionaries,
/// trigger links as trigger rows (`no_trigger` = none), free text and lists in
/// arenas. The metrics read these arrays directly: a metric on a journal
/// converts nothing.
///
/// Rows of each type are ordered by (participant, time, id), so per-participant
/// and time-range queries are binary searches. Records are read as values
/// (`trigger(i)`, the views of `triggers()` ...), made on demand.
///
/// Example
/// ```cpp
/// calmkit::Journal j;
/// j.add(calmkit::Trigger{.participant = "p1", .id = "t1",
///                        .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
///                        .category = calmkit::TriggerCategory::delayed_reply,
///                        .intensity = calmkit::Intensity(8)});
/// j.triggers_of("p1").size();  // 1
/// j.trigger(0).id;             // "t1"
/// ```
class Journal {
 public:
  Journal() { restamp(); }
  /// A copy of every record (same revision).
  Journal(const Journal& o) : s_(o.s_), keys_(o.keys_), revision_(o.revision_) { restamp(); }
  /// Takes `o`'s records; `o` is left empty.
  Journal(Journal&& o) noexcept
      : s_(std::exchange(o.s_, detail::Tables{})),
        keys_(std::exchange(o.keys_, Keys{})),
        revision_(std::move(o.revision_)) {
    restamp();
    o.restamp();
  }
  /// Copies `o`'s records (and revision).
  Journal& operator=(const Journal& o) {
    if (this != &o) {
      s_ = o.s_;
      keys_ = o.keys_;
      revision_ = o.revision_;
      restamp();
    }
    return *this;
  }
  /// Takes `o`'s records; `o` is left empty.
  Journal& operator=(Journal&& o) noexcept {
    if (this != &o) {
      s_ = std::exchange(o.s_, detail::Tables{});
      keys_ = std::exchange(o.keys_, Keys{});
      revision_ = std::move(o.revision_);
      restamp();
      o.restamp();
    }
    return *this;
  }
  ~Journal() = default;

  /// Orders and checks `records`.
  /// @throws RecordError (a std::invalid_argument) naming the first broken rule.
  explicit Journal(RecordSet records);

  /// For readers that already enforced every rule: orders (O(n log n), ties
  /// keep their input order), does not check again. The uniqueness index that
  /// `add` needs is built on the first `add`, not here: a journal that is only
  /// read and analysed never pays for it. Materializes nothing: the records
  /// are copied into columns. (Readers should fill a `JournalBuilder`.)
  /// @throws RecordError if a trigger link names no trigger of its participant.
  Journal(const RecordSet& records, detail::trusted_t);

  /// Adds one record in order. Appending in time order is amortized O(1); a
  /// record that belongs before others moves the rows after it (O(rows) of
  /// its type; a trigger also renumbers the links after it, and a new
  /// participant renumbers the participant codes after its name).
  /// @throws RecordError (a std::invalid_argument) if it would break a rule:
  /// one of `calmkit::validate`'s, a duplicate id or a link to a trigger the
  /// participant does not have. The journal is left unchanged.
  void add(const Trigger& t) { admit(t); }
  /// Adds a reading (a non-empty id must be unique; a trigger link must name
  /// one of the participant's triggers). @throws RecordError otherwise.
  void add(const Reading& r) { admit(r); }
  /// Adds an exercise session (`validate`'s rules, a unique id, a valid
  /// trigger link). @throws RecordError otherwise.
  void add(const ExerciseSession& e) { admit(e); }
  /// Adds a thought record (`validate`'s rules, a unique id, a valid trigger
  /// link). @throws RecordError otherwise.
  void add(const ThoughtRecord& t) { admit(t); }
  /// Adds an assessment (`validate`'s rules, a unique id).
  /// @throws RecordError otherwise.
  void add(const Assessment& a) { admit(a); }
  /// Adds a record of any type, as the matching overload does.
  void add(const Record& r) {
    std::visit([this](const auto& x) { add(x); }, r);
  }

  /// All triggers, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Trigger> triggers() const noexcept { return all<Trigger>(); }
  /// All readings, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Reading> readings() const noexcept { return all<Reading>(); }
  /// All exercise sessions, ordered by (participant, time, id).
  [[nodiscard]] RecordView<ExerciseSession> exercises() const noexcept { return all<ExerciseSession>(); }
  /// All thought records, ordered by (participant, time, id).
  [[nodiscard]] RecordView<ThoughtRecord> thought_records() const noexcept { return all<ThoughtRecord>(); }
  /// All assessments, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Assessment> assessments() const noexcept { return all<Assessment>(); }

  /// Triggers of participant `p`, ordered by time (O(log n)).
  [[nodiscard]] RecordView<Trigger> triggers_of(std::string_view p) const { return of<Trigger>(p); }
  /// Readings of participant `p`, ordered by time.
  [[nodiscard]] RecordView<Reading> readings_of(std::string_view p) const { return of<Reading>(p); }
  /// Exercise sessions of participant `p`, ordered by time.
  [[nodiscard]] RecordView<ExerciseSession> exercises_of(std::string_view p) const {
    return of<ExerciseSession>(p);
  }
  /// Thought records of participant `p`, ordered by time.
  [[nodiscard]] RecordView<ThoughtRecord> thought_records_of(std::string_view p) const {
    return of<ThoughtRecord>(p);
  }
  /// Assessments of participant `p`, ordered by time.
  [[nodiscard]] RecordView<Assessment> assessments_of(std::string_view p) const { return of<Assessment>(p); }

  /// Triggers of participant `p` with `from <= time < to` (compared as UTC instants; O(log n)).
  [[nodiscard]] RecordView<Trigger> triggers_between(std::string_view p, Instant from, Instant to) const {
    return between<Trigger>(p, from, to);
  }
  /// Readings of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<Reading> readings_between(std::string_view p, Instant from, Instant to) const {
    return between<Reading>(p, from, to);
  }
  /// Exercise sessions of participant `p` starting at `from <= time < to`.
  [[nodiscard]] RecordView<ExerciseSession> exercises_between(std::string_view p, Instant from,
                                                              Instant to) const {
    return between<ExerciseSession>(p, from, to);
  }
  /// Thought records of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<ThoughtRecord> thought_records_between(std::string_view p, Instant from,
                                                                  Instant to) const {
    return between<ThoughtRecord>(p, from, to);
  }
  /// Assessments of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<Assessment> assessments_between(std::string_view p, Instant from,
                                                           Instant to) const {
    return between<Assessment>(p, from, to);
  }

  /// The trigger at `row` (`row < triggers().size()`), as a value.
  [[nodiscard]] Trigger trigger(std::size_t row) const { return record<Trigger>(row); }
  /// The reading at `row`, as a value.
  [[nodiscard]] Reading reading(std::size_t row) const { return record<Reading>(row); }
  /// The exercise session at `row`, as a value.
  [[nodiscard]] ExerciseSession exercise(std::size_t row) const { return record<ExerciseSession>(row); }
  /// The thought record at `row`, as a value.
  [[nodiscard]] ThoughtRecord thought_record(std::size_t row) const { return record<ThoughtRecord>(row); }
  /// The assessment at `row`, as a value.
  [[nodiscard]] Assessment assessment(std::size_t row) const { return record<Assessment>(row); }
  /// The record of type R at `row` (`row < ` the number of R), as a value.
  template <class R>
  [[nodiscard]] R record(std::size_t row) const {
    R out;
    load(row, out);
    return out;
  }
  /// Fills `out` with the record at `row`, reusing its strings' and lists'
  /// capacity: a loop over many rows with one scratch record allocates
  /// (almost) nothing. `row` must be below the number of records of that type.
  template <class R>
  void load(std::size_t row, R& out) const {
    detail::load(s_, row, out);
  }

  /// The trigger with this id, as a value; `std::nullopt` when the
  /// participant has none (O(triggers of the participant)).
  [[nodiscard]] std::optional<Trigger> find_trigger(std::string_view participant, std::string_view id) const {
    if (const auto row = trigger_row(participant, id)) return trigger(*row);
    return std::nullopt;
  }
  /// The row of the trigger with this id; `std::nullopt` when there is none.
  [[nodiscard]] std::optional<std::size_t> trigger_row(std::string_view participant,
                                                       std::string_view id) const {
    const auto v = triggers_of(participant);
    for (std::size_t r = v.first_row(); r < v.end_row(); ++r) {
      if (s_.c.trigger_ids[r] == id) return r;
    }
    return std::nullopt;
  }

  /// Every participant with at least one record, sorted (a copy of
  /// `columns().participants`).
  [[nodiscard]] std::vector<std::string> participants() const { return s_.c.participants; }

  /// The earliest and latest record time of a participant (any type; an
  /// exercise counts with its `end`); `std::nullopt` when they have none.
  [[nodiscard]] std::optional<std::pair<Instant, Instant>> span_of(std::string_view p) const;

  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const noexcept {
    return s_.c.triggers.size() + s_.c.readings.size() + s_.c.exercises.size() + s_.c.thoughts.size() +
           s_.c.assessments.size();
  }
  /// Whether the journal holds no records.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /// The journal's columns: what every metric reads (`calmkit::metrics::*`
  /// take them directly). The reference stays valid, at the same address, for
  /// the journal's life (a move hands the storage to the new journal); its
  /// contents change with `add`. Row i of `columns().triggers` is `trigger(i)`,
  /// and so on for every type; links are trigger rows.
  [[nodiscard]] const Cohort& columns() const noexcept { return s_.c; }
  /// Instrument ids, indexed by the instrument codes of the assessments.
  [[nodiscard]] const std::vector<std::string>& instruments() const noexcept { return s_.instruments; }
  /// Every column the journal stores: `columns()` (what the metrics read)
  /// plus the texts, lists and codes no metric reads, row for row in journal
  /// order. Its layout is internal (`detail`) and may change; it is for code
  /// that exports whole columns without a record object per row (the Arrow
  /// bridge, the pandas frames). Valid until the journal changes.
  [[nodiscard]] const detail::Tables& storage() const noexcept { return s_; }

  /// Every record, as values, grouped by type in journal order. The slow
  /// path (one allocation per string and list): prefer the views or `columns()`.
  [[nodiscard]] RecordSet records() const;
  /// Moves the records out as values (the slow path, as `records()`),
  /// leaving the journal empty.
  [[nodiscard]] RecordSet release() &&;

  /// A stamp of the current contents: it changes with every `add`, `release`
  /// and assignment, and two journals share it only when one is an unchanged
  /// copy of the other. Lets a derived form be cached and rebuilt only after
  /// a change.
  [[nodiscard]] std::uint64_t revision() const noexcept { return revision_.value(); }

  /// Equal when both hold the same records (compared type by type, in order).
  friend bool operator==(const Journal& a, const Journal& b) {
    return a.same<Trigger>(b) && a.same<Reading>(b) && a.same<ExerciseSession>(b) &&
           a.same<ThoughtRecord>(b) && a.same<Assessment>(b);
  }

 private:
  friend class JournalBuilder;

  /// Uniqueness and link indexes, built on the first `add` (keys from
  /// `detail::scoped_key`; for triggers, the trigger's row).
  struct Keys {
    std::unordered_map<std::string, std::int32_t, detail::KeyedHash> triggers;
    std::array<std::unordered_set<std::string, detail::KeyedHash>, 5>
        ids;  // by detail::type_index; [0] unused
    bool ready = true;
  };

  explicit Journal(detail::Tables s) : s_(std::move(s)) {
    keys_.ready = size() == 0;
    restamp();
  }

  /// Marks the columns as valid: a journal's rules keep them so.
  /// After every change (and construction): the columns count as checked (the
  /// journal's rules keep them valid), and what the metrics derived from the
  /// previous state is dropped (`detail::DerivedCache`).
  void restamp() noexcept {
    s_.c.checked_stamp_ = s_.c.stamp();
    s_.c.derived_.key(revision_.value());
  }

  template <class R>
  [[nodiscard]] RecordView<R> all() const noexcept {
    return {*this, 0, detail::rows_of<R>(s_)};
  }
  /// The participant's code, or -1 when they have no record.
  [[nodiscard]] std::int32_t code_of(std::string_view p) const noexcept {
    const auto& ps = s_.c.participants;
    const auto it = std::lower_bound(ps.begin(), ps.end(), p);
    if (it == ps.end() || *it != p) return -1;
    return static_cast<std::int32_t>(it - ps.begin());
  }
  template <class R>
  [[nodiscard]] std::pair<std::size_t, std::size_t> range_of(std::int32_t code) const noexcept {
    const auto& pc = detail::participant_column<R>(s_.c);
    const auto lo = std::lower_bound(pc.begin(), pc.end(), code);
    const auto hi = std::upper_bound(lo, pc.end(), code);
    return {static_cast<std::size_t>(lo - pc.begin()), static_cast<std::size_t>(hi - pc.begin())};
  }
  template <class R>
  [[nodiscard]] RecordView<R> of(std::string_view p) const {
    const auto code = code_of(p);
    if (code < 0) return {*this, 0, 0};
    const auto [lo, hi] = range_of<R>(code);
    return {*this, lo, hi};
  }
  template <class R>
  [[nodiscard]] RecordView<R> between(std::string_view p, Instant from, Instant to) const {
    const auto v = of<R>(p);
    const auto& us = detail::utc_column<R>(s_.c);
    const auto b = us.begin();
    const auto lo = std::lower_bound(b + static_cast<std::ptrdiff_t>(v.first_row()),
                                     b + static_cast<std::ptrdiff_t>(v.end_row()), from.utc_us());
    const auto hi = std::lower_bound(lo, b + static_cast<std::ptrdiff_t>(v.end_row()), to.utc_us());
    if (lo >= hi) return {*this, static_cast<std::size_t>(lo - b), static_cast<std::size_t>(lo - b)};
    return {*this, static_cast<std::size_t>(lo - b), static_cast<std::size_t>(hi - b)};
  }
  template <class R>
  [[nodiscard]] bool same(const Journal& o) const {
    const std::size_t n = detail::rows_of<R>(s_);
    if (n != detail::rows_of<R>(o.s_)) return false;
    R a, b;
    for (std::size_t i = 0; i < n; ++i) {
      load(i, a);
      o.load(i, b);
      if (!(a == b)) return false;
    }
    return true;
  }

  /// Checks `r` against every rule (its own, then its trigger link, then its
  /// id's uniqueness); `adding` names the place `cannot add ...`.
  template <class R>
  void check_record(const R& r, const std::unordered_set<std::string, detail::KeyedHash>& ids,
                    const std::unordered_map<std::string, std::int32_t, detail::KeyedHash>& trigger_keys,
                    bool adding) const {
    const auto refuse = [&](const RuleViolation& v) {
      detail::throw_record((adding ? "cannot add " : "") + describe_record(r), v);
    };
    if (auto v = validate(r)) refuse(*v);
    if constexpr (requires { r.trigger; }) {
      if (!r.trigger.empty() && !trigger_keys.contains(detail::scoped_key(r.participant, r.trigger))) {
        refuse(RuleViolation{"trigger", rules::unknown_trigger(r.participant, r.trigger)});
      }
    }
    const bool seen = std::is_same_v<R, Trigger>
                          ? trigger_keys.contains(detail::scoped_key(r.participant, r.id))
                          : ids.contains(detail::scoped_key(r.participant, r.id));
    if (!r.id.empty() && seen) {
      refuse(RuleViolation{"id", rules::duplicate_id(record_type_of<R>, r.participant, r.id)});
    }
  }

  /// Checks and inserts one record.
  template <class R>
  void admit(const R& r);

  /// Builds the uniqueness and link indexes from the columns.
  void build_keys();

  detail::Tables s_;
  Keys keys_;
  detail::Revision revision_;
};
}  // namespace calmkit

// The builder needs only the declaration above; its `build` (below) needs
// `Journal` complete.
#include <calmkit/journal_builder.hpp>

namespace calmkit {

template <class R>
R RecordView<R>::iterator::operator*() const {
  return j_->template record<R>(row_);
}
template <class R>
R RecordView<R>::operator[](std::size_t i) const {
  return j_->template record<R>(first_ + i);
}

inline Journal::Journal(RecordSet records) {
  detail::sort_records(records.triggers);
  detail::sort_records(records.readings);
  detail::sort_records(records.exercises);
  detail::sort_records(records.thought_records);
  detail::sort_records(records.assessments);
  // Every rule on the whole record set, each record as `add` would (the
  // trigger keys first: links may point forward).
  std::unordered_map<std::string, std::int32_t, detail::KeyedHash> trigger_keys;
  trigger_keys.reserve(records.triggers.size());
  const std::unordered_set<std::string, detail::KeyedHash> none;
  for (const auto& t : records.triggers) {
    check_record(t, none, trigger_keys, false);
    trigger_keys.emplace(detail::scoped_key(t.participant, t.id), 0);
  }
  auto each = [&](const auto& v) {
    std::unordered_set<std::string, detail::KeyedHash> seen;
    seen.reserve(v.size());
    for (const auto& r : v) {
      check_record(r, seen, trigger_keys, false);
      if (!r.id.empty()) seen.insert(detail::scoped_key(r.participant, r.id));
    }
  };
  each(records.readings);
  each(records.exercises);
  each(records.thought_records);
  each(records.assessments);
  *this = Journal(records, detail::trusted);
}

inline Journal::Journal(const RecordSet& records, detail::trusted_t) {
  JournalBuilder b;
  for (const auto& x : records.triggers) b.push(x);
  for (const auto& x : records.readings) b.push(x);
  for (const auto& x : records.exercises) b.push(x);
  for (const auto& x : records.thought_records) b.push(x);
  for (const auto& x : records.assessments) b.push(x);
  *this = std::move(b).build(detail::trusted);
}

inline std::optional<std::pair<Instant, Instant>> Journal::span_of(std::string_view p) const {
  std::optional<std::pair<Instant, Instant>> out;
  const auto code = code_of(p);
  if (code < 0) return out;
  auto widen = [&out](Instant a, Instant b) {
    if (!out) {
      out.emplace(a, b);
    } else {
      out->first = std::min(out->first, a);
      out->second = std::max(out->second, b);
    }
  };
  auto scan = [&](auto tag) {
    using R = typename decltype(tag)::type;
    const auto [lo, hi] = range_of<R>(code);
    if (lo == hi) return;
    const auto& us = detail::utc_column<R>(s_.c);
    const auto& off = detail::offset_column<R>(s_.c);
    widen(detail::instant_at(us[lo], off[lo]), detail::instant_at(us[hi - 1], off[hi - 1]));
  };
  scan(std::type_identity<Trigger>{});
  scan(std::type_identity<Reading>{});
  scan(std::type_identity<ThoughtRecord>{});
  scan(std::type_identity<Assessment>{});
  const auto [lo, hi] = range_of<ExerciseSession>(code);
  const auto& e = s_.c.exercises;
  for (std::size_t i = lo; i < hi; ++i) {
    widen(detail::instant_at(e.time_us[i], e.offset_minutes[i]),
          detail::instant_at(e.end_us[i], e.end_offset_minutes[i]));
  }
  return out;
}

inline RecordSet Journal::records() const {
  RecordSet out;
  out.triggers = triggers().to_vector();
  out.readings = readings().to_vector();
  out.exercises = exercises().to_vector();
  out.thought_records = thought_records().to_vector();
  out.assessments = assessments().to_vector();
  return out;
}

inline RecordSet Journal::release() && {
  RecordSet out = records();
  s_ = detail::Tables{};
  keys_ = Keys{};
  revision_.bump();
  restamp();
  return out;
}

inline void Journal::build_keys() {
  keys_ = Keys{};
  const auto& c = s_.c;
  keys_.triggers.reserve(c.triggers.size());
  for (std::size_t i = 0; i < c.triggers.size(); ++i) {
    keys_.triggers.emplace(
        detail::scoped_key(c.participants[static_cast<std::size_t>(c.triggers.participant[i])],
                           c.trigger_ids[i]),
        static_cast<std::int32_t>(i));
  }
  auto index = [&](auto tag) {
    using R = typename decltype(tag)::type;
    auto& set = keys_.ids[detail::type_index<R>];
    const auto& pc = detail::participant_column<R>(c);
    const auto& ids = detail::id_column<R>(s_);
    set.reserve(pc.size());
    for (std::size_t i = 0; i < pc.size(); ++i) {
      if (ids.length[i] != 0)
        set.insert(detail::scoped_key(c.participants[static_cast<std::size_t>(pc[i])], ids[i]));
    }
  };
  index(std::type_identity<Reading>{});
  index(std::type_identity<ExerciseSession>{});
  index(std::type_identity<ThoughtRecord>{});
  index(std::type_identity<Assessment>{});
  keys_.ready = true;
}

template <class R>
void Journal::admit(const R& r) {
  if (!keys_.ready) build_keys();
  check_record(r, keys_.ids[detail::type_index<R>], keys_.triggers, true);
  // Everything that can throw (allocations aside) is done: from here on the
  // record goes in.
  auto& c = s_.c;
  std::string key = detail::scoped_key(r.participant, r.id);
  // The participant's code, renumbering the codes after a new name.
  auto& ps = c.participants;
  const auto at = std::lower_bound(ps.begin(), ps.end(), r.participant);
  const auto code = static_cast<std::int32_t>(at - ps.begin());
  if (at == ps.end() || *at != r.participant) {
    ps.insert(at, r.participant);
    auto renumber = [code](std::vector<std::int32_t>& pc) {
      for (auto it = std::lower_bound(pc.begin(), pc.end(), code); it != pc.end(); ++it) ++*it;
    };
    renumber(c.triggers.participant);
    renumber(c.readings.participant);
    renumber(c.exercises.participant);
    renumber(c.thoughts.participant);
    renumber(c.assessments.participant);
  }
  if constexpr (std::is_same_v<R, Trigger>) {
    detail::put(s_, r, code);
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    const auto link =
        r.trigger.empty() ? no_trigger : keys_.triggers.at(detail::scoped_key(r.participant, r.trigger));
    detail::put(s_, r, code, link, detail::small_code(c.exercise_names, r.exercise));
  } else if constexpr (std::is_same_v<R, Assessment>) {
    detail::put(s_, r, code, detail::small_code(s_.instruments, r.instrument));
  } else {
    const auto link =
        r.trigger.empty() ? no_trigger : keys_.triggers.at(detail::scoped_key(r.participant, r.trigger));
    detail::put(s_, r, code, link);
  }
  // The new last row goes after every row that is not greater (ties keep
  // the order of arrival).
  const std::size_t last = detail::rows_of<R>(s_) - 1;
  std::size_t row = last;
  if (last > 0 && detail::row_less<R>(s_, last, last - 1)) {
    std::size_t lo = 0, hi = last;  // first row greater than the new one, in [lo, hi]
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (detail::row_less<R>(s_, last, mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    row = lo;
    detail::move_last_to<R>(s_, row);
    if constexpr (std::is_same_v<R, Trigger>) {
      // Links to the rows after it move on by one.
      const auto k = static_cast<std::int32_t>(row);
      auto bump = [k](std::vector<std::int32_t>& links) {
        for (auto& l : links) l += (l >= k) ? 1 : 0;
      };
      bump(c.readings.trigger);
      bump(c.exercises.trigger);
      bump(c.thoughts.trigger);
      for (auto& [name, t] : keys_.triggers) t += (t >= k) ? 1 : 0;
    }
  }
  if constexpr (std::is_same_v<R, Trigger>) {
    keys_.triggers.emplace(std::move(key), static_cast<std::int32_t>(row));
  } else {
    if (!r.id.empty()) keys_.ids[detail::type_index<R>].insert(std::move(key));
  }
  revision_.bump();
  restamp();
}

inline Journal JournalBuilder::build(detail::trusted_t) && {
  return std::move(*this).build(detail::trusted, 1, [](std::size_t n, auto&& fn) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
  });
}

/// Orders the records with each type's sort and gathers spread over `parts`
/// tasks run by `run` (see the declaration in journal_builder.hpp).
template <class Run>
Journal JournalBuilder::build(detail::trusted_t, std::size_t parts, Run&& run, detail::GatherScratch spare,
                              std::array<std::vector<std::uint32_t>, 5>* order) && {
  parts = std::max<std::size_t>(parts, 1);
  if (erased_) recode_names();
  // Participants in name order: codes become ranks.
  auto& names = s_.c.participants;
  std::vector<std::uint32_t> by_name(names.size());
  for (std::uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&names](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
  std::vector<std::uint32_t> rank(names.size());
  std::vector<std::string> sorted(names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) {
    rank[by_name[r]] = r;
    sorted[r] = std::move(names[by_name[r]]);
  }
  names = std::move(sorted);
  // One scratch per task for every type's sort keys and gathers: the
  // largest type's rows touch fresh memory once.
  std::vector<detail::GatherScratch> scratch(parts);
  const auto& c0 = s_.c;
  const std::size_t most = std::max({c0.triggers.size(), c0.readings.size(), c0.exercises.size(),
                                     c0.thoughts.size(), c0.assessments.size()});
  // The sort keys (16 bytes a row) in the first; a column's elements (at
  // most 8 bytes) in each; cut from the spare memory while it lasts.
  for (std::size_t k = 0; k < parts; ++k) {
    const std::size_t need = (k == 0 ? 16 : 8) * most;
    if (spare.size() >= need) scratch[k] = spare.take_front(need);
    (void)scratch[k].bytes(need);
  }
  const std::span<detail::GatherScratch> tasks(scratch);
  const std::vector<std::uint32_t> trigger_perm = sort_type<Trigger>(rank, tasks, run, nullptr);
  // Links by row name triggers by their push order: to their sorted rows,
  // as the linking records' rows are gathered (else after their sort).
  // row_of[l + 1] is the new row of trigger l, and row_of[0] `no_trigger`
  // (a link is then renumbered without a branch on it).
  std::vector<std::int32_t> row_of;
  if (by_row_ && !trigger_perm.empty()) {
    row_of.resize(trigger_perm.size() + 1);
    row_of[0] = no_trigger;
    for (std::size_t i = 0; i < trigger_perm.size(); ++i)
      row_of[std::size_t{trigger_perm[i]} + 1] = static_cast<std::int32_t>(i);
  }
  const std::vector<std::int32_t>* remap = row_of.empty() ? nullptr : &row_of;
  if (order != nullptr) (*order)[0] = trigger_perm;
  // Whether a type's rows moved; its permutation to `order` when asked for.
  auto moved_by = [order](std::size_t type, std::vector<std::uint32_t>&& perm) {
    const bool moved = !perm.empty();
    if (order != nullptr) (*order)[type] = std::move(perm);
    return moved;
  };
  const bool moved[] = {moved_by(1, sort_type<Reading>(rank, tasks, run, remap)),
                        moved_by(2, sort_type<ExerciseSession>(rank, tasks, run, remap)),
                        moved_by(3, sort_type<ThoughtRecord>(rank, tasks, run, remap))};
  moved_by(4, sort_type<Assessment>(rank, tasks, run, nullptr));
  const auto& c = s_.c;
  if (by_row_) {
    std::vector<std::int32_t>* links[] = {&s_.c.readings.trigger, &s_.c.exercises.trigger,
                                          &s_.c.thoughts.trigger};
    for (std::size_t t = 0; t < 3 && remap != nullptr; ++t) {
      if (moved[t]) continue;  // renumbered as they moved
      for (auto& l : *links[t]) l = row_of[static_cast<std::size_t>(l) + 1];
    }
  } else {
    // Trigger links by (participant, id) to rows.
    detail::FlatIndex rows;
    rows.reserve(c.triggers.size());
    for (std::size_t i = 0; i < c.triggers.size(); ++i) {
      rows.insert_new(rows.hash(c.trigger_ids[i], static_cast<std::uint32_t>(c.triggers.participant[i])),
                      static_cast<std::int32_t>(i));
    }
    auto resolve = [&](auto tag) {
      using R = typename decltype(tag)::type;
      const auto& text = links_[detail::type_index<R> - 1];
      auto& link = detail::link_column<R>(s_.c);
      const auto& pc = detail::participant_column<R>(s_.c);
      for (std::size_t i = 0; i < link.size(); ++i) {
        const auto id = text[i];
        if (id.empty()) continue;
        const std::int32_t p = pc[i];
        const std::int32_t row = rows.find(rows.hash(id, static_cast<std::uint32_t>(p)), [&](std::int32_t r) {
          const auto k = static_cast<std::size_t>(r);
          return c.triggers.participant[k] == p && c.trigger_ids[k] == id;
        });
        if (row == detail::FlatIndex::none) {
          const auto& name = names[static_cast<std::size_t>(p)];
          detail::throw_record(describe_record(to_id(record_type_of<R>), name, detail::id_column<R>(s_)[i]),
                               RuleViolation{"trigger", rules::unknown_trigger(name, id)});
        }
        link[i] = row;
      }
    };
    resolve(std::type_identity<Reading>{});
    resolve(std::type_identity<ExerciseSession>{});
    resolve(std::type_identity<ThoughtRecord>{});
  }
  links_ = {};
  return Journal(std::move(s_));
}

}  // namespace calmkit
