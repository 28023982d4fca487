/// @file metrics/columns.hpp
/// @brief The columnar input of every metric: one array per field, one row per
/// record, participants and trigger links as integer codes.
///
/// The metrics never touch `Trigger`/`Reading` objects: they read these arrays
/// in one or two linear passes. A `CohortColumns` is built from a `Journal`
/// (`from_journal`, one pass) or filled directly from other columnar data
/// (the Python bindings fill it from NumPy arrays without per-row objects).
#pragma once

#include <calmkit/calendar.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/metrics/parallel.hpp>
#include <calmkit/time.hpp>
#include <calmkit/timezone.hpp>
#include <calmkit/vocabulary.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::metrics {

/// Trigger link meaning "not linked to any trigger".
inline constexpr std::int32_t no_trigger = -1;
/// Rating meaning "not recorded" (intensities 0–10, percentages 0–100).
inline constexpr std::int16_t no_rating = -1;

/// Triggers, sorted by (participant, utc_us). Row i is episode i.
struct TriggerColumns {
  std::vector<std::int32_t> participant;    ///< code into `CohortColumns::participants`
  std::vector<std::int64_t> utc_us;         ///< onset, microseconds since 1970-01-01T00:00Z
  std::vector<std::int16_t> offset_min;     ///< UTC offset at onset, minutes [-1439, 1439]
  std::vector<std::int8_t> intensity;       ///< distress at onset, 0–10
  std::vector<std::uint8_t> category;       ///< `TriggerCategory` value, [0, 17]
  std::vector<std::int8_t> acted_on_urge;   ///< 1 acted, 0 did not, -1 not recorded
  std::vector<double> acted_after_minutes;  ///< minutes onset → acting (>= 0), NaN when not recorded

  /// Number of rows (triggers).
  [[nodiscard]] std::size_t size() const noexcept { return utc_us.size(); }
};

/// Distress readings, sorted by (participant, utc_us).
struct ReadingColumns {
  /// Code into `CohortColumns::participants`.
  std::vector<std::int32_t> participant;
  /// Reading time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> utc_us;
  /// UTC offset at the reading, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_min;
  std::vector<std::int8_t> intensity;  ///< 0–10
  std::vector<std::int32_t> trigger;   ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (readings).
  [[nodiscard]] std::size_t size() const noexcept { return utc_us.size(); }
};

/// Exercise sessions, in any order.
struct ExerciseColumns {
  /// Code into `CohortColumns::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> start_us;    ///< `time`
  std::vector<std::int64_t> end_us;      ///< `end`, >= start
  std::vector<std::int16_t> offset_min;  ///< offset at start, minutes [-1439, 1439]
  /// Offset at `end`, minutes [-1439, 1439]: the end's local date is read in
  /// it (a session across a midnight DST change, or a flight, ends on a wall
  /// clock of its own). Empty: `offset_min` for every row.
  std::vector<std::int16_t> end_offset_min;
  std::vector<std::int32_t> exercise;         ///< code into `CohortColumns::exercise_names`
  std::vector<std::uint8_t> completed;        ///< 1 completed, 0 not
  std::vector<std::int8_t> intensity_before;  ///< 0–10 at start, -1 not recorded
  std::vector<std::int8_t> intensity_after;   ///< 0–10 at end, -1 not recorded
  std::vector<std::int32_t> trigger;          ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (sessions).
  [[nodiscard]] std::size_t size() const noexcept { return start_us.size(); }
};

/// Thought records, in any order. Distortions are stored compressed-row:
/// record i names `distortions[distortion_offsets[i] .. distortion_offsets[i+1])`.
struct ThoughtColumns {
  /// Code into `CohortColumns::participants`.
  std::vector<std::int32_t> participant;
  /// Record time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> utc_us;
  /// UTC offset at the record, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_min;
  std::vector<std::int16_t> belief_before;  ///< 0–100 %
  std::vector<std::int16_t> belief_after;   ///< 0–100 %, -1 not recorded
  std::vector<double>
      emotion_change;  ///< mean of (before − after) over emotions rated after, in %-points; NaN if none
  std::vector<std::int32_t> alternatives;        ///< number of alternative thoughts, >= 0
  std::vector<std::int64_t> distortion_offsets;  ///< size() + 1 entries, starts at 0, non-decreasing
  std::vector<std::uint8_t> distortions;         ///< `Distortion` values, [0, 11]
  std::vector<std::int32_t> trigger;             ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (thought records).
  [[nodiscard]] std::size_t size() const noexcept { return utc_us.size(); }
};

/// Self-assessments (check-ins, GAD-7, ...), in any order. No metric reads
/// their answers; their times belong to the participant's span (the first and
/// last record of any type), over which every per-period table is zero-filled.
struct AssessmentColumns {
  /// Code into `CohortColumns::participants`.
  std::vector<std::int32_t> participant;
  /// Assessment time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> utc_us;
  /// UTC offset at the assessment, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_min;

  /// Number of rows (assessments).
  [[nodiscard]] std::size_t size() const noexcept { return utc_us.size(); }
};

/// A whole cohort as columns.
///
/// Example
/// ```cpp
/// auto cols = calmkit::metrics::CohortColumns::from_journal(journal);
/// auto eps = calmkit::metrics::episodes(cols);   // one row per trigger
/// ```
struct CohortColumns {
  std::vector<std::string> participants;  ///< code → participant id
  std::vector<std::string> trigger_ids;   ///< trigger row → trigger id (may be empty: then unnamed)
  /// trigger row → its row in the caller's arrays before `prepare()` sorted
  /// them (filled by `prepare()` when `trigger_ids` is empty, so that results
  /// can be joined back to the input; empty otherwise).
  std::vector<std::int64_t> trigger_source_rows;
  std::vector<std::string> exercise_names;  ///< code → exercise id
  /// Trigger columns; row i is trigger (and episode) i.
  TriggerColumns triggers;
  /// Distress reading columns.
  ReadingColumns readings;
  /// Exercise session columns.
  ExerciseColumns exercises;
  /// Thought record columns.
  ThoughtColumns thoughts;
  /// Self-assessment times (they widen the span only).
  AssessmentColumns assessments;

  /// One pass over a journal (whose records are already ordered by
  /// participant and time).
  [[nodiscard]] static CohortColumns from_journal(const Journal& journal);

  /// Sorts triggers and readings by (participant, utc_us) when they are not
  /// already (stable, remapping every trigger link), then `check()`s.
  void prepare();

  /// Checks lengths, ranges, trigger links (same participant) and the order
  /// of triggers and readings, and remembers that these arrays passed.
  /// @throws std::invalid_argument naming the table, the row and the field.
  void check() const;

  /// What every metric calls first: `check()` unless these very arrays (same
  /// sizes and buffers) already passed it, so that repeated metrics on a
  /// prepared cohort cost nothing extra and broken columns never index out of
  /// bounds. (Values changed in place after a check are the caller's to re-check.)
  void ensure_checked() const {
    if (checked_stamp_ == 0 || checked_stamp_ != stamp()) check();
  }

  /// Sizes and buffer addresses of every array, hashed (internal).
  [[nodiscard]] std::size_t stamp() const noexcept;

  mutable std::size_t checked_stamp_ = 0;  ///< internal: `stamp()` at the last passed `check()`
};

// ---------------------------------------------------------------------------
// Calendar helpers

/// The period a count or a summary is taken over.
enum class Period : std::uint8_t { day, week, month };

/// How local dates are found: each record's own UTC offset, or one time zone
/// (an IANA zone or a POSIX TZ rule, `TimeZone`) applied to every instant.
///
/// The zone's answer is cached as the `[begin, end)` interval over which its
/// offset holds, so consecutive instants ask the zone again only when they
/// leave the interval. The cache makes a `LocalCalendar` unsafe to share
/// between threads: give each thread its own copy.
class LocalCalendar {
 public:
  LocalCalendar() = default;
  /// A calendar that takes local offsets from `tz` when given, and from each
  /// record's own stored offset otherwise.
  explicit LocalCalendar(std::optional<TimeZone> tz) : tz_(std::move(tz)) {}

  /// The UTC offset in minutes used for (utc_us, own offset_min): the zone's
  /// (to the nearest minute) when there is one, else the record's own.
  [[nodiscard]] int offset_minutes(std::int64_t utc_us, std::int16_t offset_min) const {
    if (!tz_) return offset_min;
    return calmkit::detail::nearest_minutes(zone_offset_seconds(utc_us));
  }

  /// Days since 1970-01-01 of the local date of (utc_us, offset_min).
  [[nodiscard]] std::int64_t local_day(std::int64_t utc_us, std::int16_t offset_min) const {
    const std::int64_t off_us = tz_ ? static_cast<std::int64_t>(zone_offset_seconds(utc_us)) * 1'000'000LL
                                    : static_cast<std::int64_t>(offset_min) * 60'000'000LL;
    return calmkit::detail::floor_div(utc_us + off_us, calmkit::detail::us_per_day);
  }
  /// Whether a time zone overrides the records' own offsets.
  [[nodiscard]] bool uses_time_zone() const noexcept { return tz_.has_value(); }

 private:
  [[nodiscard]] std::int32_t zone_offset_seconds(std::int64_t utc_us) const {
    const std::int64_t s = calmkit::detail::seconds_of_micros(utc_us);
    if (!cached_.contains(s)) cached_ = tz_->interval_at_seconds(s);
    return cached_.offset_s;
  }

  std::optional<TimeZone> tz_;
  mutable ZoneInterval cached_{.begin_s = 0, .end_s = 0};  // empty until the first question
};

namespace detail {

/// An ordinal of the period holding `day` (consecutive periods differ by 1).
[[nodiscard]] constexpr std::int64_t period_index(std::int64_t day, Period p) noexcept {
  switch (p) {
    case Period::day: return day;
    case Period::week: return calendar::week_index(day);
    case Period::month: return calendar::month_index(day);
  }
  return day;
}
/// First day (days since 1970-01-01) of the period with ordinal `index`.
[[nodiscard]] constexpr std::int64_t period_first_day(std::int64_t index, Period p) noexcept {
  switch (p) {
    case Period::day: return index;
    case Period::week: return calendar::week_first_day(index);
    case Period::month: return calendar::month_first_day(index);
  }
  return index;
}

/// Per participant: first and last local day of any record; `has` = 0 when none.
/// Requires checked columns (triggers and readings in (participant, utc) order).
struct ParticipantSpan {
  std::vector<std::int64_t> first_day, last_day;
  std::vector<std::uint8_t> has;
};
[[nodiscard]] inline ParticipantSpan participant_spans(const CohortColumns& c, const LocalCalendar& cal) {
  const std::size_t np = c.participants.size();
  ParticipantSpan s{std::vector<std::int64_t>(np, std::numeric_limits<std::int64_t>::max()),
                    std::vector<std::int64_t>(np, std::numeric_limits<std::int64_t>::min()),
                    std::vector<std::uint8_t>(np, 0)};
  auto see = [&](std::int32_t p, std::int64_t us, std::int16_t off) {
    const auto d = cal.local_day(us, off);
    const auto i = static_cast<std::size_t>(p);
    s.first_day[i] = std::min(s.first_day[i], d);
    s.last_day[i] = std::max(s.last_day[i], d);
    s.has[i] = 1;
  };
  // Triggers and readings are sorted by (participant, utc). An offset moves a
  // date by less than a day, so a participant's earliest local date is among
  // their records within 2 days of their first instant, and the latest among
  // those within 2 days of their last: only those are converted.
  constexpr std::int64_t reach = 2 * calmkit::detail::us_per_day;
  auto sorted_table = [&](const std::vector<std::int32_t>& p, const std::vector<std::int64_t>& us,
                          const std::vector<std::int16_t>& off) {
    for (std::size_t lo = 0; lo < p.size();) {
      const std::size_t hi = static_cast<std::size_t>(
          std::upper_bound(p.begin() + static_cast<std::ptrdiff_t>(lo), p.end(), p[lo]) - p.begin());
      std::size_t i = lo;
      for (; i < hi && us[i] < us[lo] + reach; ++i) see(p[i], us[i], off[i]);
      for (std::size_t j = hi; j-- > i && us[j] > us[hi - 1] - reach;) see(p[j], us[j], off[j]);
      lo = hi;
    }
  };
  sorted_table(c.triggers.participant, c.triggers.utc_us, c.triggers.offset_min);
  sorted_table(c.readings.participant, c.readings.utc_us, c.readings.offset_min);
  const auto& e = c.exercises;
  for (std::size_t i = 0; i < e.size(); ++i) {
    see(e.participant[i], e.start_us[i], e.offset_min[i]);
    see(e.participant[i], e.end_us[i], e.end_offset_min.empty() ? e.offset_min[i] : e.end_offset_min[i]);
  }
  const auto& th = c.thoughts;
  for (std::size_t i = 0; i < th.size(); ++i) see(th.participant[i], th.utc_us[i], th.offset_min[i]);
  const auto& a = c.assessments;
  for (std::size_t i = 0; i < a.size(); ++i) see(a.participant[i], a.utc_us[i], a.offset_min[i]);
  return s;
}

/// The longest span, in years, over which a per-period table is zero-filled.
/// The reader accepts years 1400..9999, so a single mistyped year (3026 for
/// 2026) would otherwise ask for a million daily rows per participant.
inline constexpr std::int64_t max_fill_years = 100;

/// Throws `std::invalid_argument` naming the participant, the first and last
/// date and the way out when one participant's span is longer than
/// `max_fill_years` (checked before any zero-filled table is allocated).
inline void check_fill_span(const CohortColumns& c, const ParticipantSpan& s) {
  constexpr std::int64_t max_days = max_fill_years * 366;
  for (std::size_t p = 0; p < s.has.size(); ++p) {
    if (!s.has[p] || s.last_day[p] - s.first_day[p] <= max_days) continue;
    const auto date = calendar::iso_date;
    const std::string who =
        c.participants[p].empty() ? "the journal" : "participant '" + c.participants[p] + "'";
    calmkit::detail::throw_invalid(
        who + ": records from " + date(s.first_day[p]) + " to " + date(s.last_day[p]) + " span more than " +
        std::to_string(max_fill_years) +
        " years, too long for a zero-filled table (trigger_frequency, practice_consistency, the report): "
        "correct the record with the outlying date (a mistyped year?) or select a shorter time range first");
  }
}

[[noreturn]] inline void bad_column(const char* table, std::size_t row, const char* field,
                                    const std::string& why) {
  calmkit::detail::throw_invalid(std::string("cohort columns: ") + table + " row " + std::to_string(row) +
                                 ", field '" + field + "': " + why);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Implementation

inline CohortColumns CohortColumns::from_journal(const Journal& journal) {
  CohortColumns c;
  c.participants = journal.participants();
  const auto& rs = journal.records();
  auto code_of = [&c](const std::string& p) {
    const auto it = std::lower_bound(c.participants.begin(), c.participants.end(), p);
    return static_cast<std::int32_t>(it - c.participants.begin());
  };

  // Triggers (ordered by participant, time, id: a valid (participant, utc) order).
  auto& t = c.triggers;
  const std::size_t nt = rs.triggers.size();
  t.participant.resize(nt);
  t.utc_us.resize(nt);
  t.offset_min.resize(nt);
  t.intensity.resize(nt);
  t.category.resize(nt);
  t.acted_on_urge.resize(nt);
  t.acted_after_minutes.resize(nt);
  c.trigger_ids.resize(nt);
  // (participant, trigger id) → row; one map per participant range.
  std::unordered_map<std::string, std::int32_t> ids;
  ids.reserve(nt);
  std::int32_t cur = -1;
  for (std::size_t i = 0; i < nt; ++i) {
    const auto& tr = rs.triggers[i];
    if (i == 0 || tr.participant != rs.triggers[i - 1].participant) cur = code_of(tr.participant);
    t.participant[i] = cur;
    t.utc_us[i] = tr.time.utc_micros();
    t.offset_min[i] = static_cast<std::int16_t>(tr.time.offset().minutes());
    t.intensity[i] = static_cast<std::int8_t>(tr.intensity.value());
    t.category[i] = static_cast<std::uint8_t>(tr.category);
    t.acted_on_urge[i] =
        tr.acted_on_urge ? static_cast<std::int8_t>(*tr.acted_on_urge ? 1 : 0) : std::int8_t{-1};
    t.acted_after_minutes[i] =
        tr.acted_after_minutes ? tr.acted_after_minutes->value() : std::numeric_limits<double>::quiet_NaN();
    c.trigger_ids[i] = tr.id;
    ids.emplace(calmkit::detail::scoped_key(tr.participant, tr.id), static_cast<std::int32_t>(i));
  }
  auto link = [&ids](const std::string& p, const std::string& id) -> std::int32_t {
    if (id.empty()) return no_trigger;
    const auto it = ids.find(calmkit::detail::scoped_key(p, id));
    if (it == ids.end()) {
      calmkit::detail::throw_invalid("cohort columns: " + rules::unknown_trigger(p, id));
    }
    return it->second;
  };

  auto& r = c.readings;
  const std::size_t nr = rs.readings.size();
  r.participant.resize(nr);
  r.utc_us.resize(nr);
  r.offset_min.resize(nr);
  r.intensity.resize(nr);
  r.trigger.resize(nr);
  for (std::size_t i = 0; i < nr; ++i) {
    const auto& x = rs.readings[i];
    if (i == 0 || x.participant != rs.readings[i - 1].participant) cur = code_of(x.participant);
    r.participant[i] = cur;
    r.utc_us[i] = x.time.utc_micros();
    r.offset_min[i] = static_cast<std::int16_t>(x.time.offset().minutes());
    r.intensity[i] = static_cast<std::int8_t>(x.intensity.value());
    r.trigger[i] = link(x.participant, x.trigger);
  }

  auto& e = c.exercises;
  std::unordered_map<std::string, std::int32_t> names;
  for (const auto& x : rs.exercises) {
    e.participant.push_back(code_of(x.participant));
    e.start_us.push_back(x.time.utc_micros());
    e.end_us.push_back(x.end.utc_micros());
    e.offset_min.push_back(static_cast<std::int16_t>(x.time.offset().minutes()));
    e.end_offset_min.push_back(static_cast<std::int16_t>(x.end.offset().minutes()));
    auto [it, fresh] = names.try_emplace(x.exercise, static_cast<std::int32_t>(c.exercise_names.size()));
    if (fresh) c.exercise_names.push_back(x.exercise);
    e.exercise.push_back(it->second);
    e.completed.push_back(x.completed ? 1 : 0);
    e.intensity_before.push_back(x.intensity_before ? static_cast<std::int8_t>(x.intensity_before->value())
                                                    : std::int8_t{-1});
    e.intensity_after.push_back(x.intensity_after ? static_cast<std::int8_t>(x.intensity_after->value())
                                                  : std::int8_t{-1});
    e.trigger.push_back(link(x.participant, x.trigger));
  }

  auto& th = c.thoughts;
  th.distortion_offsets.push_back(0);
  for (const auto& x : rs.thought_records) {
    th.participant.push_back(code_of(x.participant));
    th.utc_us.push_back(x.time.utc_micros());
    th.offset_min.push_back(static_cast<std::int16_t>(x.time.offset().minutes()));
    th.belief_before.push_back(static_cast<std::int16_t>(x.belief_before.value()));
    th.belief_after.push_back(x.belief_after ? static_cast<std::int16_t>(x.belief_after->value())
                                             : no_rating);
    double sum = 0;
    int n = 0;
    for (const auto& em : x.emotions) {
      if (em.after) {
        sum += em.before.value() - em.after->value();
        ++n;
      }
    }
    th.emotion_change.push_back(n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN());
    th.alternatives.push_back(static_cast<std::int32_t>(x.alternatives.size()));
    for (auto d : x.distortions) th.distortions.push_back(static_cast<std::uint8_t>(d));
    th.distortion_offsets.push_back(static_cast<std::int64_t>(th.distortions.size()));
    th.trigger.push_back(link(x.participant, x.trigger));
  }

  auto& as = c.assessments;
  for (const auto& x : journal.assessments()) {
    as.participant.push_back(code_of(x.participant));
    as.utc_us.push_back(x.time.utc_micros());
    as.offset_min.push_back(static_cast<std::int16_t>(x.time.offset().minutes()));
  }
  c.checked_stamp_ = c.stamp();  // a Journal's invariants make these columns valid by construction
  return c;
}

inline void CohortColumns::prepare() {
  auto key_less = [](const std::vector<std::int32_t>& p, const std::vector<std::int64_t>& us) {
    return [&p, &us](std::size_t a, std::size_t b) { return p[a] != p[b] ? p[a] < p[b] : us[a] < us[b]; };
  };
  auto sorted = [](const std::vector<std::int32_t>& p, const std::vector<std::int64_t>& us) {
    for (std::size_t i = 1; i < us.size() && i < p.size(); ++i) {
      if (p[i] < p[i - 1] || (p[i] == p[i - 1] && us[i] < us[i - 1])) return false;
    }
    return true;
  };
  auto permute = [](auto& v, const std::vector<std::size_t>& perm) {
    if (v.empty()) return;
    auto copy = v;
    for (std::size_t i = 0; i < perm.size(); ++i) v[i] = copy[perm[i]];
  };
  // Lengths first, so that sorting never reads out of bounds.
  {
    const auto nt = triggers.size();
    if (triggers.participant.size() != nt || triggers.offset_min.size() != nt ||
        triggers.intensity.size() != nt || triggers.category.size() != nt ||
        triggers.acted_on_urge.size() != nt || triggers.acted_after_minutes.size() != nt) {
      calmkit::detail::throw_invalid("cohort columns: trigger arrays differ in length");
    }
    const auto nr = readings.size();
    if (readings.participant.size() != nr || readings.offset_min.size() != nr ||
        readings.intensity.size() != nr || readings.trigger.size() != nr) {
      calmkit::detail::throw_invalid("cohort columns: reading arrays differ in length");
    }
  }
  if (trigger_ids.empty() && trigger_source_rows.empty()) {
    trigger_source_rows.resize(triggers.size());
    std::iota(trigger_source_rows.begin(), trigger_source_rows.end(), std::int64_t{0});
  }
  if (!sorted(triggers.participant, triggers.utc_us)) {
    std::vector<std::size_t> perm(triggers.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::stable_sort(perm.begin(), perm.end(), key_less(triggers.participant, triggers.utc_us));
    std::vector<std::int32_t> new_row(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) new_row[perm[i]] = static_cast<std::int32_t>(i);
    permute(triggers.participant, perm);
    permute(triggers.utc_us, perm);
    permute(triggers.offset_min, perm);
    permute(triggers.intensity, perm);
    permute(triggers.category, perm);
    permute(triggers.acted_on_urge, perm);
    permute(triggers.acted_after_minutes, perm);
    permute(trigger_ids, perm);
    permute(trigger_source_rows, perm);
    auto remap = [&new_row](std::vector<std::int32_t>& links) {
      for (auto& l : links) {
        if (l >= 0 && static_cast<std::size_t>(l) < new_row.size()) l = new_row[static_cast<std::size_t>(l)];
      }
    };
    remap(readings.trigger);
    remap(exercises.trigger);
    remap(thoughts.trigger);
  }
  if (!sorted(readings.participant, readings.utc_us)) {
    std::vector<std::size_t> perm(readings.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::stable_sort(perm.begin(), perm.end(), key_less(readings.participant, readings.utc_us));
    permute(readings.participant, perm);
    permute(readings.utc_us, perm);
    permute(readings.offset_min, perm);
    permute(readings.intensity, perm);
    permute(readings.trigger, perm);
  }
  check();
}

inline std::size_t CohortColumns::stamp() const noexcept {
  // FNV-1a over 64 bits on every target (size_t is 32 bits in wasm32), folded
  // into size_t at the end so the upper half still counts there.
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](const auto& v) {
    h = (h ^ v.size()) * 1099511628211ULL;
    h = (h ^ reinterpret_cast<std::uintptr_t>(v.data())) * 1099511628211ULL;
  };
  mix(participants);
  mix(trigger_ids);
  mix(trigger_source_rows);
  mix(exercise_names);
  const auto& t = triggers;
  mix(t.participant), mix(t.utc_us), mix(t.offset_min), mix(t.intensity), mix(t.category),
      mix(t.acted_on_urge), mix(t.acted_after_minutes);
  const auto& r = readings;
  mix(r.participant), mix(r.utc_us), mix(r.offset_min), mix(r.intensity), mix(r.trigger);
  const auto& e = exercises;
  mix(e.participant), mix(e.start_us), mix(e.end_us), mix(e.offset_min), mix(e.end_offset_min),
      mix(e.exercise), mix(e.completed), mix(e.intensity_before), mix(e.intensity_after), mix(e.trigger);
  const auto& th = thoughts;
  mix(th.participant), mix(th.utc_us), mix(th.offset_min), mix(th.belief_before), mix(th.belief_after),
      mix(th.emotion_change), mix(th.alternatives), mix(th.distortion_offsets), mix(th.distortions),
      mix(th.trigger);
  mix(assessments.participant), mix(assessments.utc_us), mix(assessments.offset_min);
  const auto folded = static_cast<std::size_t>(h ^ (h >> 32U));
  return folded == 0 ? 1 : folded;
}

inline void CohortColumns::check() const {
  using detail::bad_column;
  const auto np = participants.size();
  auto check_p = [np](const char* table, const std::vector<std::int32_t>& p) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] < 0 || static_cast<std::size_t>(p[i]) >= np) {
        bad_column(table, i, "participant",
                   "code " + std::to_string(p[i]) + " is not in [0, " + std::to_string(np) + ")");
      }
    }
  };
  auto check_len = [](const char* table, std::size_t n,
                      std::initializer_list<std::pair<const char*, std::size_t>> cols) {
    for (const auto& [name, len] : cols) {
      if (len != n) {
        calmkit::detail::throw_invalid(std::string("cohort columns: ") + table + " field '" + name +
                                       "' has " + std::to_string(len) + " rows, expected " +
                                       std::to_string(n));
      }
    }
  };
  auto check_offset = [](const char* table, const std::vector<std::int16_t>& o,
                         const char* field = "offset_min") {
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (!UtcOffset::make(o[i])) {
        bad_column(table, i, field, "must be within [-1439, 1439], got " + std::to_string(o[i]));
      }
    }
  };
  auto check_intensity = [](const char* table, const char* field, const std::vector<std::int8_t>& v,
                            bool optional) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!Intensity::make(v[i]) && !(optional && v[i] == -1)) {
        bad_column(table, i, field,
                   Intensity::out_of_range_reason(v[i]) + (optional ? " (-1: not recorded)" : ""));
      }
    }
  };
  const auto nt = triggers.size();
  const auto& pt = triggers.participant;
  auto check_link = [&](const char* table, const std::vector<std::int32_t>& link,
                        const std::vector<std::int32_t>& p) {
    for (std::size_t i = 0; i < link.size(); ++i) {
      const auto l = link[i];
      if (l == no_trigger) continue;
      if (l < 0 || static_cast<std::size_t>(l) >= nt) {
        bad_column(table, i, "trigger", "row " + std::to_string(l) + " is not a trigger row (or -1)");
      }
      if (pt[static_cast<std::size_t>(l)] != p[i]) {
        bad_column(table, i, "trigger", "links to a trigger of another participant");
      }
    }
  };

  check_len("triggers", nt,
            {{"participant", pt.size()},
             {"offset_min", triggers.offset_min.size()},
             {"intensity", triggers.intensity.size()},
             {"category", triggers.category.size()},
             {"acted_on_urge", triggers.acted_on_urge.size()},
             {"acted_after_minutes", triggers.acted_after_minutes.size()}});
  if (!trigger_ids.empty()) check_len("triggers", nt, {{"trigger_ids", trigger_ids.size()}});
  if (!trigger_source_rows.empty())
    check_len("triggers", nt, {{"trigger_source_rows", trigger_source_rows.size()}});
  check_p("triggers", pt);
  check_offset("triggers", triggers.offset_min);
  check_intensity("triggers", "intensity", triggers.intensity, false);
  for (std::size_t i = 0; i < nt; ++i) {
    if (triggers.category[i] >= trigger_category_table.size()) {
      bad_column("triggers", i, "category",
                 "code " + std::to_string(triggers.category[i]) + " is not a category");
    }
    if (triggers.acted_on_urge[i] < -1 || triggers.acted_on_urge[i] > 1) {
      bad_column("triggers", i, "acted_on_urge", "must be 1, 0 or -1 (not recorded)");
    }
    const double m = triggers.acted_after_minutes[i];  // NaN: not recorded
    if (auto bad = rules::acted_after_minutes(std::isnan(m) ? std::nullopt : std::optional<double>(m))) {
      bad_column("triggers", i, "acted_after_minutes", bad->reason + " (NaN: not recorded)");
    }
    if (i > 0 && (pt[i] < pt[i - 1] || (pt[i] == pt[i - 1] && triggers.utc_us[i] < triggers.utc_us[i - 1]))) {
      bad_column("triggers", i, "utc_us", "triggers must be sorted by (participant, time); call prepare()");
    }
  }

  const auto& r = readings;
  check_len("readings", r.size(),
            {{"participant", r.participant.size()},
             {"offset_min", r.offset_min.size()},
             {"intensity", r.intensity.size()},
             {"trigger", r.trigger.size()}});
  // Readings are the big table (tens of millions of rows): one fused pass
  // finds whether anything is wrong; only then do the separate checks run to
  // name the first offending row and field.
  // The pass runs in equal blocks on their own threads (each only reads).
  const std::size_t blocks = detail::block_count(r.size());
  std::vector<std::uint8_t> block_ok(blocks, 1);
  detail::run_blocks(blocks, [&](std::size_t b) {
    bool ok = true;
    const std::size_t end = (b + 1) * r.size() / blocks;
    for (std::size_t i = b * r.size() / blocks; i < end && ok; ++i) {
      const auto p = r.participant[i];
      const auto o = r.offset_min[i];
      const auto x = r.intensity[i];
      const auto l = r.trigger[i];
      ok = p >= 0 && static_cast<std::size_t>(p) < np && UtcOffset::make(o).has_value() &&
           Intensity::make(x).has_value() && l >= no_trigger &&
           (l < 0 || (static_cast<std::size_t>(l) < nt && pt[static_cast<std::size_t>(l)] == p)) &&
           (i == 0 || r.participant[i - 1] < p ||
            (r.participant[i - 1] == p && r.utc_us[i - 1] <= r.utc_us[i]));
    }
    block_ok[b] = ok ? 1 : 0;
  });
  const bool readings_ok =
      std::all_of(block_ok.begin(), block_ok.end(), [](std::uint8_t v) { return v != 0; });
  if (!readings_ok) {
    check_p("readings", r.participant);
    check_offset("readings", r.offset_min);
    check_intensity("readings", "intensity", r.intensity, false);
    check_link("readings", r.trigger, r.participant);
    for (std::size_t i = 1; i < r.size(); ++i) {
      if (r.participant[i] < r.participant[i - 1] ||
          (r.participant[i] == r.participant[i - 1] && r.utc_us[i] < r.utc_us[i - 1])) {
        bad_column("readings", i, "utc_us", "readings must be sorted by (participant, time); call prepare()");
      }
    }
  }

  const auto& e = exercises;
  check_len("exercises", e.size(),
            {{"participant", e.participant.size()},
             {"end_us", e.end_us.size()},
             {"offset_min", e.offset_min.size()},
             {"exercise", e.exercise.size()},
             {"completed", e.completed.size()},
             {"intensity_before", e.intensity_before.size()},
             {"intensity_after", e.intensity_after.size()},
             {"trigger", e.trigger.size()}});
  check_p("exercises", e.participant);
  check_offset("exercises", e.offset_min);
  if (!e.end_offset_min.empty()) {
    check_len("exercises", e.size(), {{"end_offset_min", e.end_offset_min.size()}});
    check_offset("exercises", e.end_offset_min, "end_offset_min");
  }
  check_intensity("exercises", "intensity_before", e.intensity_before, true);
  check_intensity("exercises", "intensity_after", e.intensity_after, true);
  check_link("exercises", e.trigger, e.participant);
  for (std::size_t i = 0; i < e.size(); ++i) {
    const UtcOffset off = *UtcOffset::make(e.offset_min[i]);  // checked above
    if (auto bad = rules::end_not_before_time(Instant::from_utc_micros(e.start_us[i], off),
                                              Instant::from_utc_micros(e.end_us[i], off))) {
      bad_column("exercises", i, "end_us", bad->reason);
    }
    if (e.exercise[i] < 0 || static_cast<std::size_t>(e.exercise[i]) >= exercise_names.size()) {
      bad_column("exercises", i, "exercise", "code " + std::to_string(e.exercise[i]) + " has no name");
    }
  }

  const auto& th = thoughts;
  check_len("thought_records", th.size(),
            {{"participant", th.participant.size()},
             {"offset_min", th.offset_min.size()},
             {"belief_before", th.belief_before.size()},
             {"belief_after", th.belief_after.size()},
             {"emotion_change", th.emotion_change.size()},
             {"alternatives", th.alternatives.size()},
             {"distortion_offsets", th.distortion_offsets.size() - (th.distortion_offsets.empty() ? 0 : 1)},
             {"trigger", th.trigger.size()}});
  if (th.distortion_offsets.empty() || th.distortion_offsets.front() != 0 ||
      th.distortion_offsets.back() != static_cast<std::int64_t>(th.distortions.size())) {
    calmkit::detail::throw_invalid(
        "cohort columns: thought_records distortion_offsets must have size()+1 entries from 0 to the number "
        "of "
        "distortions");
  }
  check_p("thought_records", th.participant);
  check_offset("thought_records", th.offset_min);
  check_link("thought_records", th.trigger, th.participant);
  for (std::size_t i = 0; i < th.size(); ++i) {
    if (!Percent::make(th.belief_before[i]))
      bad_column("thought_records", i, "belief_before", Percent::out_of_range_reason(th.belief_before[i]));
    if (!Percent::make(th.belief_after[i]) && th.belief_after[i] != -1) {
      bad_column("thought_records", i, "belief_after",
                 Percent::out_of_range_reason(th.belief_after[i]) + " (-1: not recorded)");
    }
    if (th.alternatives[i] < 0) bad_column("thought_records", i, "alternatives", "must be >= 0");
    if (th.distortion_offsets[i + 1] < th.distortion_offsets[i])
      bad_column("thought_records", i, "distortion_offsets", "must not decrease");
  }
  for (std::size_t i = 0; i < th.distortions.size(); ++i) {
    if (th.distortions[i] >= distortion_table.size())
      bad_column("distortions", i, "distortion", "not a distortion code");
  }

  const auto& as = assessments;
  check_len("assessments", as.size(),
            {{"participant", as.participant.size()}, {"offset_min", as.offset_min.size()}});
  check_p("assessments", as.participant);
  check_offset("assessments", as.offset_min);
  checked_stamp_ = stamp();
}

}  // namespace calmkit::metrics
