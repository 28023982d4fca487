/// @file metrics/practice.hpp
/// @brief Practice consistency: days per ISO week with a completed exercise,
/// and streaks of consecutive practice days.
#pragma once

#include <calmkit/metrics/columns.hpp>
#include <calmkit/metrics/frequency.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace calmkit::metrics {

namespace detail {
/// Sorted distinct local days with at least one completed exercise, per participant.
inline std::vector<std::vector<std::int64_t>> practice_days(const Cohort& c, const LocalCalendar& cal) {
  std::vector<std::vector<std::int64_t>> days(c.participants.size());
  const auto& e = c.exercises;
  for (std::size_t j = 0; j < e.size(); ++j) {
    if (!e.completed[j]) continue;
    days[static_cast<std::size_t>(e.participant[j])].push_back(
        cal.local_day(e.time_us[j], e.offset_minutes[j]));
  }
  for (auto& d : days) {
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
  }
  return days;
}
}  // namespace detail

/// One row per (participant, ISO week of their span), zero-filled.
struct PracticeWeekTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> period_start;  ///< the week's Monday, days since 1970-01-01
  std::vector<std::int64_t>
      practice_days;                   ///< [0, 7] days with >= 1 completed exercise (local date of its start)
  std::vector<std::int64_t> sessions;  ///< completed sessions that week

  /// Number of rows (participant weeks).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// Practice days and completed sessions per ISO week (local dates), on the
/// same zero-filled week grid as `trigger_frequency`.
[[nodiscard]] inline PracticeWeekTable practice_consistency(const Cohort& c, const LocalCalendar& cal = {}) {
  c.ensure_checked();
  const auto grid = trigger_frequency(c, Period::week, Split::none, cal);  // the zero-filled week grid
  PracticeWeekTable out;
  out.participant = grid.participant;
  out.period_start = grid.period_start;
  out.practice_days.assign(grid.size(), 0);
  out.sessions.assign(grid.size(), 0);
  std::vector<std::size_t> first_row(c.participants.size(), 0);
  for (std::size_t r = grid.size(); r-- > 0;) first_row[static_cast<std::size_t>(grid.participant[r])] = r;
  auto row_of = [&](std::size_t p, std::int64_t day) {
    const auto first = detail::period_index(grid.period_start[first_row[p]], Period::week);
    return first_row[p] + static_cast<std::size_t>(detail::period_index(day, Period::week) - first);
  };
  const auto& e = c.exercises;
  for (std::size_t j = 0; j < e.size(); ++j) {
    if (!e.completed[j]) continue;
    const auto p = static_cast<std::size_t>(e.participant[j]);
    ++out.sessions[row_of(p, cal.local_day(e.time_us[j], e.offset_minutes[j]))];
  }
  const auto days = detail::practice_days(c, cal);
  for (std::size_t p = 0; p < days.size(); ++p) {
    for (auto d : days[p]) ++out.practice_days[row_of(p, d)];
  }
  return out;
}

/// Streaks of consecutive local days with >= 1 completed exercise, per
/// participant with records.
struct StreakTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> practice_days;   ///< distinct practice days in total
  std::vector<std::int64_t> longest_streak;  ///< days
  std::vector<std::int64_t> current_streak;  ///< days, see `practice_streaks`
  std::vector<std::int64_t>
      last_record_day;  ///< local date of the last record (any type), days since 1970-01-01

  /// Number of rows (participants).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// Longest streak: the longest run of consecutive practice days. Current
/// streak: the run ending on the participant's last record date, or on the
/// day before it when that last date has no practice (yet): a day that is not
/// over does not break a streak. 0 otherwise.
[[nodiscard]] inline StreakTable practice_streaks(const Cohort& c, const LocalCalendar& cal = {}) {
  c.ensure_checked();
  const auto span = detail::participant_spans(c, cal);
  const auto days = detail::practice_days(c, cal);
  StreakTable out;
  for (std::size_t p = 0; p < days.size(); ++p) {
    if (!span.has[p]) continue;
    const auto& d = days[p];
    std::int64_t longest = 0, run = 0, current = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      run = (i > 0 && d[i] == d[i - 1] + 1) ? run + 1 : 1;
      longest = std::max(longest, run);
      if (d[i] == span.last_day[p] || d[i] == span.last_day[p] - 1) current = run;
    }
    out.participant.push_back(static_cast<std::int32_t>(p));
    out.practice_days.push_back(static_cast<std::int64_t>(d.size()));
    out.longest_streak.push_back(longest);
    out.current_streak.push_back(current);
    out.last_record_day.push_back(span.last_day[p]);
  }
  return out;
}

}  // namespace calmkit::metrics
