/// @file metrics/columns.hpp
/// @brief The columnar input of every metric: one array per field, one row per
/// record, participants and trigger links as integer codes.
///
/// The metrics never touch `Trigger`/`Reading` objects: they read these arrays
/// in one or two linear passes. A `Cohort` is built from a `Journal`
/// (`from_journal`, one pass) or filled directly from other columnar data
/// (the Python bindings fill it from NumPy arrays without per-row objects).
#pragma once

#include <calmkit/calendar.hpp>
#include <calmkit/columns.hpp>
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
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::metrics {

/// Trigger link meaning "not linked to any trigger" (calmkit::no_trigger).
using calmkit::no_trigger;
/// Rating meaning "not recorded" (calmkit::no_rating).
using calmkit::no_rating;
/// The columnar types live at the model level (calmkit/columns.hpp), where a
/// `Journal` keeps its records in them; the metrics know them by these names.
using calmkit::AssessmentColumns;
using calmkit::Cohort;
using calmkit::ExerciseColumns;
using calmkit::ReadingColumns;
using calmkit::TextColumn;
using calmkit::ThoughtColumns;
using calmkit::TriggerColumns;
/// Deprecated spelling of `Cohort` (one name per concept: Python's `calmkit.Cohort`).
using CohortColumns [[deprecated("use calmkit::metrics::Cohort")]] = calmkit::Cohort;

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

  /// The UTC offset in minutes used for (time_us, own offset_minutes): the zone's
  /// (to the nearest minute) when there is one, else the record's own.
  [[nodiscard]] int offset_minutes(std::int64_t time_us, std::int16_t offset_minutes) const {
    if (!tz_) return offset_minutes;
    return calmkit::detail::nearest_minutes(zone_offset_seconds(time_us));
  }

  /// Microseconds of the local wall clock at (time_us, offset_minutes), counted
  /// from 1970-01-01T00:00 local: the local date is `day_of` them.
  [[nodiscard]] std::int64_t local_us(std::int64_t time_us, std::int16_t offset_minutes) const {
    const std::int64_t off_us = tz_ ? static_cast<std::int64_t>(zone_offset_seconds(time_us)) * 1'000'000LL
                                    : static_cast<std::int64_t>(offset_minutes) * 60'000'000LL;
    return time_us + off_us;
  }
  /// Days since 1970-01-01 of local wall-clock microseconds (`local_us`): a
  /// later clock never has an earlier day.
  [[nodiscard]] static std::int64_t day_of(std::int64_t local_us) noexcept {
    return calmkit::detail::floor_div(local_us, calmkit::detail::us_per_day);
  }
  /// Days since 1970-01-01 of the local date of (time_us, offset_minutes).
  [[nodiscard]] std::int64_t local_day(std::int64_t time_us, std::int16_t offset_minutes) const {
    return day_of(local_us(time_us, offset_minutes));
  }
  /// Whether a time zone overrides the records' own offsets.
  [[nodiscard]] bool uses_time_zone() const noexcept { return tz_.has_value(); }

 private:
  [[nodiscard]] std::int32_t zone_offset_seconds(std::int64_t time_us) const {
    const std::int64_t s = calmkit::detail::seconds_of_micros(time_us);
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
[[nodiscard]] inline ParticipantSpan participant_spans(const Cohort& c, const LocalCalendar& cal) {
  const std::size_t np = c.participants.size();
  constexpr std::int64_t none_yet = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
  ParticipantSpan s{std::vector<std::int64_t>(np, none_yet), std::vector<std::int64_t>(np, never),
                    std::vector<std::uint8_t>(np, 0)};
  // Until the end, first_day and last_day hold each participant's earliest
  // and latest local wall clock (`LocalCalendar::local_us`): the local date
  // never goes back as the clock goes on, so the first and last date are
  // those of these two, one division per participant instead of per record.
  auto see = [&](std::int32_t p, std::int64_t earliest, std::int64_t latest) {
    const auto i = static_cast<std::size_t>(p);
    s.first_day[i] = std::min(s.first_day[i], earliest);
    s.last_day[i] = std::max(s.last_day[i], latest);
  };
  // Triggers and readings are sorted by (participant, utc). An offset moves a
  // date by less than a day, so a participant's earliest local date is among
  // their records within 2 days of their first instant, and the latest among
  // those within 2 days of their last: only those are converted.
  constexpr std::int64_t reach = 2 * calmkit::detail::us_per_day;
  auto sorted_table = [&](const std::vector<std::int32_t>& p, const std::vector<std::int64_t>& us,
                          const std::vector<std::int16_t>& off) {
    const std::size_t n = p.size();
    for (std::size_t lo = 0; lo < n;) {
      // The participant's last row + 1, found by reading the codes in order,
      // one per cache line while the line's last code is still theirs (the
      // codes are sorted): the columns are cold after a read, and memory read
      // in order arrives ahead of its use, while the jumps of a search (even
      // a galloping one) each wait for a miss.
      constexpr std::size_t line = 64 / sizeof(std::int32_t);
      const std::int32_t who = p[lo];
      std::size_t hi = lo + 1;
      while (hi + line <= n && p[hi + line - 1] == who) hi += line;
      while (hi < n && p[hi] == who) ++hi;
      std::int64_t earliest = none_yet, latest = never;
      auto add = [&](std::size_t row) {
        const std::int64_t local = cal.local_us(us[row], off[row]);
        earliest = std::min(earliest, local);
        latest = std::max(latest, local);
      };
      std::size_t i = lo;
      for (; i < hi && us[i] < us[lo] + reach; ++i) add(i);
      for (std::size_t j = hi; j-- > i && us[j] > us[hi - 1] - reach;) add(j);
      see(who, earliest, latest);
      lo = hi;
    }
  };
  // Other tables, in any order: the extremes of each run of rows of one
  // participant (a journal's tables are one run per participant) are kept in
  // locals and written once per run.
  auto any_order = [&](const std::vector<std::int32_t>& p, auto local_of) {
    const std::size_t n = p.size();
    if (n == 0) return;
    std::int32_t who = p[0];
    std::int64_t earliest = none_yet, latest = never;
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] != who) {
        see(who, earliest, latest);
        who = p[i];
        earliest = none_yet;
        latest = never;
      }
      const std::int64_t local = local_of(i);
      earliest = std::min(earliest, local);
      latest = std::max(latest, local);
    }
    see(who, earliest, latest);
  };
  sorted_table(c.triggers.participant, c.triggers.time_us, c.triggers.offset_minutes);
  sorted_table(c.readings.participant, c.readings.time_us, c.readings.offset_minutes);
  const auto& e = c.exercises;
  any_order(e.participant, [&](std::size_t i) { return cal.local_us(e.time_us[i], e.offset_minutes[i]); });
  any_order(e.participant, [&](std::size_t i) {
    return cal.local_us(e.end_us[i],
                        e.end_offset_minutes.empty() ? e.offset_minutes[i] : e.end_offset_minutes[i]);
  });
  const auto& th = c.thoughts;
  any_order(th.participant, [&](std::size_t i) { return cal.local_us(th.time_us[i], th.offset_minutes[i]); });
  const auto& a = c.assessments;
  any_order(a.participant, [&](std::size_t i) { return cal.local_us(a.time_us[i], a.offset_minutes[i]); });
  for (std::size_t i = 0; i < np; ++i) {
    if (s.first_day[i] == none_yet) continue;  // no record (the sentinels stay)
    s.has[i] = 1;
    s.first_day[i] = LocalCalendar::day_of(s.first_day[i]);
    s.last_day[i] = LocalCalendar::day_of(s.last_day[i]);
  }
  return s;
}

/// The longest span, in years, over which a per-period table is zero-filled.
/// The reader accepts years 1400..9999, so a single mistyped year (3026 for
/// 2026) would otherwise ask for a million daily rows per participant.
inline constexpr std::int64_t max_fill_years = 100;

/// Throws `std::invalid_argument` naming the participant, the first and last
/// date and the way out when one participant's span is longer than
/// `max_fill_years` (checked before any zero-filled table is allocated).
inline void check_fill_span(const Cohort& c, const ParticipantSpan& s) {
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

}  // namespace calmkit::metrics

namespace calmkit {

inline Cohort Cohort::from_journal(const Journal& journal) {
  Cohort c = journal.columns();
  c.checked_stamp_ = c.stamp();  // a Journal's invariants make these columns valid by construction
  return c;
}

inline void Cohort::prepare() {
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
    if (triggers.participant.size() != nt || triggers.offset_minutes.size() != nt ||
        triggers.intensity.size() != nt || triggers.category.size() != nt ||
        triggers.acted_on_urge.size() != nt || triggers.acted_after_minutes.size() != nt) {
      calmkit::detail::throw_invalid("cohort columns: trigger arrays differ in length");
    }
    const auto nr = readings.size();
    if (readings.participant.size() != nr || readings.offset_minutes.size() != nr ||
        readings.intensity.size() != nr || readings.trigger.size() != nr) {
      calmkit::detail::throw_invalid("cohort columns: reading arrays differ in length");
    }
  }
  if (trigger_ids.empty() && trigger_source_rows.empty()) {
    trigger_source_rows.resize(triggers.size());
    std::iota(trigger_source_rows.begin(), trigger_source_rows.end(), std::int64_t{0});
  }
  if (!sorted(triggers.participant, triggers.time_us)) {
    std::vector<std::size_t> perm(triggers.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::stable_sort(perm.begin(), perm.end(), key_less(triggers.participant, triggers.time_us));
    std::vector<std::int32_t> new_row(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) new_row[perm[i]] = static_cast<std::int32_t>(i);
    permute(triggers.participant, perm);
    permute(triggers.time_us, perm);
    permute(triggers.offset_minutes, perm);
    permute(triggers.intensity, perm);
    permute(triggers.category, perm);
    permute(triggers.acted_on_urge, perm);
    permute(triggers.acted_after_minutes, perm);
    permute(trigger_ids.offset, perm);  // the arena stays: rows point into it
    permute(trigger_ids.length, perm);
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
  if (!sorted(readings.participant, readings.time_us)) {
    std::vector<std::size_t> perm(readings.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::stable_sort(perm.begin(), perm.end(), key_less(readings.participant, readings.time_us));
    permute(readings.participant, perm);
    permute(readings.time_us, perm);
    permute(readings.offset_minutes, perm);
    permute(readings.intensity, perm);
    permute(readings.trigger, perm);
  }
  check();
}

inline void Cohort::check() const {
  using metrics::detail::bad_column;
  const auto np = participants.size();
  // A participant's name is text: the model's UTF-8 rule (validate.hpp).
  for (std::size_t i = 0; i < np; ++i) {
    if (auto v = rules::utf8_text("participant", participants[i])) [[unlikely]]
      bad_column("participants", i, v->field.c_str(), v->reason);
  }
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
                         const char* field = "offset_minutes") {
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (!UtcOffset::make(o[i])) {
        bad_column(table, i, field, calmkit::detail::offset_out_of_range(o[i]));
      }
    }
  };
  // The year rule at each row's offset (an offset out of range was named first).
  auto check_years = [](const char* table, const std::vector<std::int64_t>& us,
                        const std::vector<std::int16_t>& o, const char* field = "time_us") {
    for (std::size_t i = 0; i < us.size(); ++i) {
      if (!calmkit::detail::in_year_range(us[i], o[i])) {
        bad_column(table, i, field, calmkit::detail::year_out_of_range_at_offset());
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
  // Each participant once: the codes index the names, and every table keyed by
  // participant (summaries, frames with a categorical column) needs them apart.
  {
    std::unordered_map<std::string_view, std::size_t, calmkit::detail::KeyedHash> first;
    first.reserve(np);
    for (std::size_t i = 0; i < np; ++i) {
      const auto [at, fresh] = first.emplace(participants[i], i);
      if (!fresh) {
        bad_column("participants", i, "participant",
                   "'" + participants[i] + "' is listed twice (also row " + std::to_string(at->second) + ")");
      }
    }
  }
  const auto nt = triggers.size();
  const auto& pt = triggers.participant;
  // Rows sorted by (participant, time), as the merges of the metrics assume.
  auto check_sorted = [](const char* table, const std::vector<std::int32_t>& p,
                         const std::vector<std::int64_t>& us) {
    for (std::size_t i = 1; i < p.size(); ++i) {
      if (p[i] < p[i - 1] || (p[i] == p[i - 1] && us[i] < us[i - 1])) {
        bad_column(table, i, "time_us",
                   std::string(table) + " must be sorted by (participant, time); call prepare()");
      }
    }
  };
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
             {"offset_minutes", triggers.offset_minutes.size()},
             {"intensity", triggers.intensity.size()},
             {"category", triggers.category.size()},
             {"acted_on_urge", triggers.acted_on_urge.size()},
             {"acted_after_minutes", triggers.acted_after_minutes.size()}});
  if (!trigger_ids.empty()) check_len("triggers", nt, {{"trigger_ids", trigger_ids.size()}});
  if (!trigger_source_rows.empty())
    check_len("triggers", nt, {{"trigger_source_rows", trigger_source_rows.size()}});
  check_p("triggers", pt);
  check_offset("triggers", triggers.offset_minutes);
  check_years("triggers", triggers.time_us, triggers.offset_minutes);
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
  }
  check_sorted("triggers", pt, triggers.time_us);

  const auto& r = readings;
  check_len("readings", r.size(),
            {{"participant", r.participant.size()},
             {"offset_minutes", r.offset_minutes.size()},
             {"intensity", r.intensity.size()},
             {"trigger", r.trigger.size()}});
  // Readings are the big table (tens of millions of rows): one fused pass
  // finds whether anything is wrong; only then do the separate checks run to
  // name the first offending row and field.
  // The pass runs in equal blocks on their own threads (each only reads).
  const std::size_t blocks = metrics::detail::block_count(r.size());
  std::vector<std::uint8_t> block_ok(blocks, 1);
  metrics::detail::run_blocks(blocks, [&](std::size_t b) {
    bool ok = true;
    const std::size_t end = (b + 1) * r.size() / blocks;
    for (std::size_t i = b * r.size() / blocks; i < end && ok; ++i) {
      const auto p = r.participant[i];
      const auto o = r.offset_minutes[i];
      const auto x = r.intensity[i];
      const auto l = r.trigger[i];
      ok = p >= 0 && static_cast<std::size_t>(p) < np && UtcOffset::make(o).has_value() &&
           calmkit::detail::in_year_range(r.time_us[i], o) && Intensity::make(x).has_value() &&
           l >= no_trigger &&
           (l < 0 || (static_cast<std::size_t>(l) < nt && pt[static_cast<std::size_t>(l)] == p)) &&
           (i == 0 || r.participant[i - 1] < p ||
            (r.participant[i - 1] == p && r.time_us[i - 1] <= r.time_us[i]));
    }
    block_ok[b] = ok ? 1 : 0;
  });
  const bool readings_ok =
      std::all_of(block_ok.begin(), block_ok.end(), [](std::uint8_t v) { return v != 0; });
  if (!readings_ok) {
    check_p("readings", r.participant);
    check_offset("readings", r.offset_minutes);
    check_years("readings", r.time_us, r.offset_minutes);
    check_intensity("readings", "intensity", r.intensity, false);
    check_link("readings", r.trigger, r.participant);
    check_sorted("readings", r.participant, r.time_us);
  }

  const auto& e = exercises;
  check_len("exercises", e.size(),
            {{"participant", e.participant.size()},
             {"end_us", e.end_us.size()},
             {"offset_minutes", e.offset_minutes.size()},
             {"exercise", e.exercise.size()},
             {"completed", e.completed.size()},
             {"intensity_before", e.intensity_before.size()},
             {"intensity_after", e.intensity_after.size()},
             {"trigger", e.trigger.size()}});
  check_p("exercises", e.participant);
  check_offset("exercises", e.offset_minutes);
  check_years("exercises", e.time_us, e.offset_minutes);
  if (!e.end_offset_minutes.empty()) {
    check_len("exercises", e.size(), {{"end_offset_minutes", e.end_offset_minutes.size()}});
    check_offset("exercises", e.end_offset_minutes, "end_offset_minutes");
  }
  check_years("exercises", e.end_us, e.end_offset_minutes.empty() ? e.offset_minutes : e.end_offset_minutes,
              "end_us");
  check_intensity("exercises", "intensity_before", e.intensity_before, true);
  check_intensity("exercises", "intensity_after", e.intensity_after, true);
  check_link("exercises", e.trigger, e.participant);
  for (std::size_t i = 0; i < e.size(); ++i) {
    const UtcOffset off = *UtcOffset::make(e.offset_minutes[i]);  // checked above
    if (auto bad = rules::end_not_before_time(Instant::from_utc_us(e.time_us[i], off),
                                              Instant::from_utc_us(e.end_us[i], off))) {
      bad_column("exercises", i, "end_us", bad->reason);
    }
    if (e.exercise[i] < 0 || static_cast<std::size_t>(e.exercise[i]) >= exercise_names.size()) {
      bad_column("exercises", i, "exercise", "code " + std::to_string(e.exercise[i]) + " has no name");
    }
  }

  const auto& th = thoughts;
  check_len("thought_records", th.size(),
            {{"participant", th.participant.size()},
             {"offset_minutes", th.offset_minutes.size()},
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
  check_offset("thought_records", th.offset_minutes);
  check_years("thought_records", th.time_us, th.offset_minutes);
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
            {{"participant", as.participant.size()}, {"offset_minutes", as.offset_minutes.size()}});
  check_p("assessments", as.participant);
  check_offset("assessments", as.offset_minutes);
  check_years("assessments", as.time_us, as.offset_minutes);
  checked_stamp_ = stamp();
}

}  // namespace calmkit
