/// @file metrics/recovery.hpp
/// @brief Recovery: peak intensity trend, exercise effectiveness, thought-record
/// change and distortions, and the window of uncertainty.
#pragma once

#include <calmkit/metrics/episodes.hpp>
#include <calmkit/metrics/frequency.hpp>
#include <calmkit/metrics/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace calmkit::metrics {

/// Least-squares trend of the peak intensity per episode, one row per
/// participant with triggers.
struct PeakTrendTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  /// Episodes (triggers) of the participant.
  std::vector<std::int64_t> episodes;
  std::vector<double> mean_peak;  ///< 0–10
  /// @{
  /// Least-squares slope of peak intensity on weeks since the first onset,
  /// its standard error and confidence interval, intensity points per week.
  std::vector<double> slope_per_week, slope_se, slope_ci_low, slope_ci_high;  ///< intensity points per week
  /// @}
  /// The fitted line's peak at the first onset (intercept, 0–10 scale; NaN
  /// when no slope can be fitted): with `span_weeks`, the "from about X to Y"
  /// a report says (Y = intercept + slope_per_week · span_weeks).
  std::vector<double> intercept;
  std::vector<double> span_weeks;  ///< weeks from the first to the last onset, >= 0

  /// Number of rows (participants).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// Peak intensity regressed on weeks since the participant's first onset
/// (x = (onset − first onset) / 7 days), `ols_slope` with its t interval.
[[nodiscard]] inline PeakTrendTable peak_trend(const Cohort& c, const EpisodeTable& eps,
                                               double level = 0.95) {
  c.ensure_checked();
  if (eps.size() != c.triggers.size())
    calmkit::detail::throw_invalid("peak_trend: episode table does not match the cohort");
  const auto& t = c.triggers;
  PeakTrendTable out;
  std::vector<double> x, y;
  for (std::size_t lo = 0; lo < t.size();) {
    std::size_t hi = lo;
    while (hi < t.size() && t.participant[hi] == t.participant[lo]) ++hi;
    x.clear();
    y.clear();
    for (std::size_t i = lo; i < hi; ++i) {
      x.push_back(static_cast<double>(t.time_us[i] - t.time_us[lo]) / (7.0 * 86'400'000'000.0));
      y.push_back(eps.peak_intensity[i]);
    }
    const auto s = ols_slope(x, y, level);
    out.participant.push_back(t.participant[lo]);
    out.episodes.push_back(static_cast<std::int64_t>(hi - lo));
    out.mean_peak.push_back(mean(y));
    out.slope_per_week.push_back(s.slope);
    out.slope_se.push_back(s.se);
    out.slope_ci_low.push_back(s.low);
    out.slope_ci_high.push_back(s.high);
    out.intercept.push_back(s.intercept);
    out.span_weeks.push_back(x.back());  // x ascends: triggers are in time order within a participant
    lo = hi;
  }
  return out;
}

/// Per exercise id (and participant, when asked).
struct ExerciseEffectTable {
  std::vector<std::int32_t> participant;  ///< -1 when pooled over the cohort
  std::vector<std::int32_t> exercise;     ///< code into `exercise_names`
  std::vector<std::int64_t> sessions;     ///< all sessions of this exercise
  std::vector<std::int64_t> rated;        ///< sessions with both ratings (n of the change)
  /// @{
  /// Mean and median of before − after over the rated sessions, intensity points.
  std::vector<double> mean_change, median_change;  ///< before − after, intensity points
  /// @}
  std::vector<std::int64_t> episodes_with;  ///< episodes linked to a session of it
  std::vector<double> median_minutes_with;  ///< KM median time-to-calm of those
  std::vector<std::int64_t>
      episodes_without;  ///< episodes (same participant or cohort) with no exercise at all
  /// KM median time-to-calm of those, minutes; NaN when there are none.
  std::vector<double> median_minutes_without;

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return exercise.size(); }
};

/// Exercise effectiveness: change = intensity_before − intensity_after over
/// sessions with both ratings; and the Kaplan–Meier median time-to-calm of
/// episodes where the exercise was used vs episodes where no exercise was used.
/// Rows ordered by participant code (with `by_participant`), then exercise id.
[[nodiscard]] inline ExerciseEffectTable exercise_effectiveness(const Cohort& c, const EpisodeTable& eps,
                                                                bool by_participant = false) {
  c.ensure_checked();
  if (eps.size() != c.triggers.size())
    calmkit::detail::throw_invalid("exercise_effectiveness: episode table does not match the cohort");
  const auto& e = c.exercises;
  // Rows by (participant, exercise id): the codes follow the order in which
  // the ids first appear in the file, so the same records in another line
  // order would otherwise give the rows in another order.
  std::vector<std::int32_t> by_name(c.exercise_names.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [&c](std::int32_t a, std::int32_t b) {
    return c.exercise_names[static_cast<std::size_t>(a)] < c.exercise_names[static_cast<std::size_t>(b)];
  });
  std::vector<std::int32_t> rank(by_name.size());
  for (std::size_t r = 0; r < by_name.size(); ++r)
    rank[static_cast<std::size_t>(by_name[r])] = static_cast<std::int32_t>(r);
  using Key = std::pair<std::int32_t, std::int32_t>;  // (participant or -1, rank of the exercise id)
  struct Acc {
    std::int64_t sessions = 0;
    std::vector<double> change;
    std::vector<std::size_t> episodes;
  };
  std::map<Key, Acc> acc;
  for (std::size_t j = 0; j < e.size(); ++j) {
    auto& a = acc[{by_participant ? e.participant[j] : -1, rank[static_cast<std::size_t>(e.exercise[j])]}];
    ++a.sessions;
    if (e.intensity_before[j] >= 0 && e.intensity_after[j] >= 0) {
      a.change.push_back(e.intensity_before[j] - e.intensity_after[j]);
    }
    if (e.trigger[j] != no_trigger) a.episodes.push_back(static_cast<std::size_t>(e.trigger[j]));
  }
  // Episodes with no exercise: per participant, or the whole cohort (-1).
  std::map<std::int32_t, std::pair<std::vector<double>, std::vector<std::uint8_t>>> without;
  for (std::size_t i = 0; i < eps.size(); ++i) {
    if (eps.with_exercise[i]) continue;
    auto& w = without[by_participant ? c.triggers.participant[i] : -1];
    w.first.push_back(eps.minutes[i]);
    w.second.push_back(eps.calmed[i]);
  }
  std::map<std::int32_t, double> without_median;
  for (const auto& [p, w] : without) without_median[p] = km_median(kaplan_meier(w.first, w.second)).median;

  ExerciseEffectTable out;
  std::vector<double> tm;
  std::vector<std::uint8_t> ev;
  for (auto& [key, a] : acc) {
    std::sort(a.episodes.begin(), a.episodes.end());
    a.episodes.erase(std::unique(a.episodes.begin(), a.episodes.end()), a.episodes.end());
    tm.clear();
    ev.clear();
    for (auto i : a.episodes) {
      tm.push_back(eps.minutes[i]);
      ev.push_back(eps.calmed[i]);
    }
    out.participant.push_back(key.first);
    out.exercise.push_back(by_name[static_cast<std::size_t>(key.second)]);
    out.sessions.push_back(a.sessions);
    out.rated.push_back(static_cast<std::int64_t>(a.change.size()));
    out.mean_change.push_back(mean(a.change));
    out.median_change.push_back(quantile_inplace(a.change, 0.5));
    out.episodes_with.push_back(static_cast<std::int64_t>(tm.size()));
    out.median_minutes_with.push_back(tm.empty() ? nan_value : km_median(kaplan_meier(tm, ev)).median);
    const auto it = without.find(key.first);
    out.episodes_without.push_back(it == without.end() ? 0
                                                       : static_cast<std::int64_t>(it->second.first.size()));
    out.median_minutes_without.push_back(it == without.end() ? nan_value : without_median[key.first]);
  }
  return out;
}

/// Thought records per participant (with at least one record), or of the
/// whole cohort in one row (`participant` -1).
struct ThoughtSummaryTable {
  /// Code into `Cohort::participants`; -1 for the pooled row.
  std::vector<std::int32_t> participant;
  /// Thought records of the participant.
  std::vector<std::int64_t> records;
  std::vector<std::int64_t> belief_rated;  ///< records with belief_after
  /// @{
  /// Mean belief in the automatic thought before and after the record, over
  /// the records with both (0–100 %); NaN when none. Their difference is
  /// `mean_belief_change` (up to rounding): the "from X % to Y %" of a report.
  std::vector<double> mean_belief_before, mean_belief_after;  ///< 0–100 %
  /// @}
  /// @{
  /// Mean and median of belief before − after over records with both, %-points (0–100 scale).
  std::vector<double> mean_belief_change, median_belief_change;  ///< before − after, %-points
  /// @}
  std::vector<std::int64_t> emotion_rated;     ///< records with an emotion re-rated
  std::vector<double> mean_emotion_change;     ///< mean of the per-record emotion change, %-points
  std::vector<double> share_min_alternatives;  ///< share of records with >= min_alternatives, [0, 1]

  /// Number of rows (participants).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// Belief and emotion change per participant (or, `by_participant` false, of
/// every record of the cohort together), and the share of records with at
/// least `min_alternatives` alternative thoughts. Each record counts once, as
/// its own person wrote it: pooling needs no relabelling.
///
/// Example
/// ```cpp
/// auto s = calmkit::metrics::thought_record_summary(cohort, 3, false);
/// s.mean_belief_before[0];  // mean belief before, over every rated record (0–100 %)
/// ```
[[nodiscard]] inline ThoughtSummaryTable thought_record_summary(const Cohort& c, int min_alternatives = 3,
                                                                bool by_participant = true) {
  c.ensure_checked();
  const auto& th = c.thoughts;
  const std::size_t np = by_participant ? c.participants.size() : 1;
  std::vector<std::int64_t> n(np, 0), alt(np, 0);
  std::vector<std::vector<double>> belief(np), emotion(np);
  std::vector<double> before_sum(np, 0.0), after_sum(np, 0.0);
  for (std::size_t i = 0; i < th.size(); ++i) {
    const auto p = by_participant ? static_cast<std::size_t>(th.participant[i]) : 0;
    ++n[p];
    if (th.alternatives[i] >= min_alternatives) ++alt[p];
    if (th.belief_after[i] >= 0) {
      belief[p].push_back(th.belief_before[i] - th.belief_after[i]);
      before_sum[p] += th.belief_before[i];  // integers 0–100: the sums are exact
      after_sum[p] += th.belief_after[i];
    }
    if (!std::isnan(th.emotion_change[i])) emotion[p].push_back(th.emotion_change[i]);
  }
  ThoughtSummaryTable out;
  for (std::size_t p = 0; p < np; ++p) {
    if (n[p] == 0) continue;
    const auto rated = static_cast<double>(belief[p].size());
    out.participant.push_back(by_participant ? static_cast<std::int32_t>(p) : -1);
    out.records.push_back(n[p]);
    out.belief_rated.push_back(static_cast<std::int64_t>(belief[p].size()));
    out.mean_belief_before.push_back(belief[p].empty() ? nan_value : before_sum[p] / rated);
    out.mean_belief_after.push_back(belief[p].empty() ? nan_value : after_sum[p] / rated);
    out.mean_belief_change.push_back(mean(belief[p]));
    out.median_belief_change.push_back(quantile_inplace(belief[p], 0.5));
    out.emotion_rated.push_back(static_cast<std::int64_t>(emotion[p].size()));
    out.mean_emotion_change.push_back(mean(emotion[p]));
    out.share_min_alternatives.push_back(static_cast<double>(alt[p]) / static_cast<double>(n[p]));
  }
  return out;
}

/// How often each distortion is named: one row per (participant with
/// records, distortion), all 12 distortions listed (zero-filled).
struct DistortionTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::uint8_t> distortion;  ///< `Distortion`
  std::vector<std::int64_t> count;       ///< records naming it
  std::vector<double> share;             ///< count / records of the participant, [0, 1]

  /// Number of rows (participant × distortion).
  [[nodiscard]] std::size_t size() const noexcept { return count.size(); }
};

/// Counts of each of the 12 distortions per participant with thought records.
[[nodiscard]] inline DistortionTable distortion_frequency(const Cohort& c) {
  c.ensure_checked();
  const auto& th = c.thoughts;
  const std::size_t np = c.participants.size(), nd = distortion_table.size();
  std::vector<std::int64_t> records(np, 0), count(np * nd, 0);
  std::vector<std::uint8_t> seen(nd);
  for (std::size_t i = 0; i < th.size(); ++i) {
    const auto p = static_cast<std::size_t>(th.participant[i]);
    ++records[p];
    std::fill(seen.begin(), seen.end(), std::uint8_t{0});
    for (auto j = th.distortion_offsets[i]; j < th.distortion_offsets[i + 1]; ++j) {
      seen[th.distortions[static_cast<std::size_t>(j)]] = 1;  // a record naming one twice counts once
    }
    for (std::size_t d = 0; d < nd; ++d) count[p * nd + d] += seen[d];
  }
  DistortionTable out;
  for (std::size_t p = 0; p < np; ++p) {
    if (records[p] == 0) continue;
    for (std::size_t d = 0; d < nd; ++d) {
      out.participant.push_back(static_cast<std::int32_t>(p));
      out.distortion.push_back(static_cast<std::uint8_t>(d));
      out.count.push_back(count[p * nd + d]);
      out.share.push_back(static_cast<double>(count[p * nd + d]) / static_cast<double>(records[p]));
    }
  }
  return out;
}

/// Window of uncertainty per participant, or per participant and ISO week
/// (zero-filled over the span like `trigger_frequency`); pooled, one series
/// for the whole cohort (participant -1).
struct UncertaintyTable {
  /// Code into `Cohort::participants`; -1 for a pooled row.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> period_start;  ///< Monday (days since 1970-01-01); 0 when not by week
  /// Triggers in the group.
  std::vector<std::int64_t> triggers;
  std::vector<std::int64_t> urge_recorded;  ///< triggers with acted_on_urge recorded
  std::vector<std::int64_t> not_acted;      ///< ... and false
  std::vector<double> share_not_acted;      ///< not_acted / urge_recorded, NaN when 0 recorded
  std::vector<std::int64_t> minutes_n;      ///< triggers with acted_after_minutes
  /// @{
  /// Median, first and third quartile of minutes from onset until acting on the
  /// urge (type-7 quantiles); NaN when none recorded.
  std::vector<double> minutes_median, minutes_q1, minutes_q3;  ///< minutes (type-7 quantiles)
  /// @}

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// `UncertaintyTable` over each series' first and latest weeks: two rows per
/// participant with records (or two pooled rows), `window` 0 then 1.
struct UncertaintyWindowTable : UncertaintyTable {
  /// 0 = the first `weeks` ISO weeks of the series, 1 = the latest `weeks`.
  std::vector<std::uint8_t> window;
  /// ISO weeks in the window: min(weeks asked, max(1, weeks in the series / 2)),
  /// so the two windows never share a week unless the series has only one.
  std::vector<std::int64_t> weeks;
};

namespace detail {

/// The weekly grid of the window of uncertainty: rows (participant, Monday),
/// zero-filled over each participant's span or, pooled, over the ISO weeks
/// from anyone's first week to anyone's last (participant -1), and the row of
/// each trigger.
struct UncertaintyWeeks {
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> start;  ///< Monday, days since 1970-01-01
  std::vector<std::size_t> row_of;  ///< per trigger
};

[[nodiscard]] inline UncertaintyWeeks uncertainty_weeks(const Cohort& c, const LocalCalendar& cal,
                                                        bool pooled) {
  const auto& t = c.triggers;
  const auto f = trigger_frequency(c, Period::week, Split::none, cal);
  UncertaintyWeeks g;
  g.row_of.resize(t.size());
  auto week_of = [&](std::size_t i) {
    return period_index(cal.local_day(t.time_us[i], t.offset_minutes[i]), Period::week);
  };
  if (!pooled) {
    g.participant = f.participant;
    g.start = f.period_start;
    std::vector<std::size_t> first_row(c.participants.size(), 0);
    for (std::size_t r = f.size(); r-- > 0;) first_row[static_cast<std::size_t>(f.participant[r])] = r;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const auto p = static_cast<std::size_t>(t.participant[i]);
      const auto first = period_index(f.period_start[first_row[p]], Period::week);
      g.row_of[i] = first_row[p] + static_cast<std::size_t>(week_of(i) - first);
    }
    return g;
  }
  if (f.size() == 0) return g;
  const auto [lo, hi] = std::minmax_element(f.period_start.begin(), f.period_start.end());
  if (*hi - *lo > max_fill_years * 366) {
    calmkit::detail::throw_invalid(
        "the cohort's records span more than " + std::to_string(max_fill_years) +
        " years, too long for a pooled weekly table: correct the record with the outlying date (a mistyped "
        "year?) or select a shorter time range first");
  }
  const auto first = period_index(*lo, Period::week), last = period_index(*hi, Period::week);
  for (auto w = first; w <= last; ++w) {
    g.participant.push_back(-1);
    g.start.push_back(period_first_day(w, Period::week));
  }
  for (std::size_t i = 0; i < t.size(); ++i) g.row_of[i] = static_cast<std::size_t>(week_of(i) - first);
  return g;
}

/// Fills the counts and minute quantiles of `out`'s rows (participant and
/// period_start already set) from the triggers `member(i, add)` assigns:
/// `add(row)` once per row the trigger belongs to.
template <class Member>
void fill_uncertainty(const Cohort& c, UncertaintyTable& out, Member&& member) {
  const auto& t = c.triggers;
  const std::size_t ng = out.participant.size();
  out.triggers.assign(ng, 0);
  out.urge_recorded.assign(ng, 0);
  out.not_acted.assign(ng, 0);
  std::vector<std::vector<double>> minutes(ng);
  for (std::size_t i = 0; i < t.size(); ++i) {
    member(i, [&](std::size_t g) {
      ++out.triggers[g];
      if (t.acted_on_urge[i] >= 0) {
        ++out.urge_recorded[g];
        if (t.acted_on_urge[i] == 0) ++out.not_acted[g];
      }
      if (!std::isnan(t.acted_after_minutes[i])) minutes[g].push_back(t.acted_after_minutes[i]);
    });
  }
  for (std::size_t g = 0; g < ng; ++g) {
    out.share_not_acted.push_back(out.urge_recorded[g] == 0 ? nan_value
                                                            : static_cast<double>(out.not_acted[g]) /
                                                                  static_cast<double>(out.urge_recorded[g]));
    out.minutes_n.push_back(static_cast<std::int64_t>(minutes[g].size()));
    out.minutes_median.push_back(quantile_inplace(minutes[g], 0.5));
    out.minutes_q1.push_back(quantile_inplace(minutes[g], 0.25));
    out.minutes_q3.push_back(quantile_inplace(minutes[g], 0.75));
  }
}

}  // namespace detail

/// How often the urge was not acted on and how long it took until it was
/// (minutes), per participant or, with `by_week`, per participant and ISO week.
/// `pooled`: every participant's triggers as one series (participant -1):
/// one row, or the ISO weeks from anyone's first week to anyone's last. Each
/// trigger is a record on its own, so pooling only changes which counts are
/// added together.
///
/// Example
/// ```cpp
/// auto w = calmkit::metrics::window_of_uncertainty(cols, true, {}, true);
/// // w.share_not_acted[i]: share of the cohort's urges in week w.period_start[i] not acted on
/// ```
[[nodiscard]] inline UncertaintyTable window_of_uncertainty(const Cohort& c, bool by_week = false,
                                                            const LocalCalendar& cal = {},
                                                            bool pooled = false) {
  c.ensure_checked();
  UncertaintyTable out;
  if (by_week) {
    auto g = detail::uncertainty_weeks(c, cal, pooled);
    out.participant = std::move(g.participant);
    out.period_start = std::move(g.start);
    detail::fill_uncertainty(c, out, [&](std::size_t i, auto add) { add(g.row_of[i]); });
    return out;
  }
  const auto span = detail::participant_spans(c, cal);
  std::vector<std::size_t> row_of(c.participants.size(), 0);
  for (std::size_t p = 0; p < c.participants.size(); ++p) {
    if (!span.has[p] || (pooled && !out.participant.empty())) continue;
    row_of[p] = out.participant.size();
    out.participant.push_back(pooled ? -1 : static_cast<std::int32_t>(p));
    out.period_start.push_back(0);
  }
  detail::fill_uncertainty(c, out, [&](std::size_t i, auto add) {
    add(pooled ? 0 : row_of[static_cast<std::size_t>(c.triggers.participant[i])]);
  });
  return out;
}

/// The window of uncertainty in each series' first and latest `weeks` ISO
/// weeks (the weekly grid of `window_of_uncertainty(c, true, cal, pooled)`,
/// each series' first k and last k rows with k = min(weeks, max(1, n / 2))
/// for a series of n weeks). Throws `std::invalid_argument` when `weeks < 1`.
///
/// Example
/// ```cpp
/// auto w = calmkit::metrics::window_of_uncertainty_first_and_latest(cols, 4);
/// // w.share_not_acted[0] (first 4 weeks) vs w.share_not_acted[1] (latest 4) of participant w.participant[0]
/// ```
[[nodiscard]] inline UncertaintyWindowTable window_of_uncertainty_first_and_latest(
    const Cohort& c, int weeks = 4, const LocalCalendar& cal = {}, bool pooled = false) {
  if (weeks < 1) calmkit::detail::throw_invalid("weeks must be at least 1, got " + std::to_string(weeks));
  c.ensure_checked();
  const auto g = detail::uncertainty_weeks(c, cal, pooled);
  UncertaintyWindowTable out;
  // Per grid row: its series' window rows (first, latest) and whether it lies in each window.
  const std::size_t rows = g.start.size();
  std::vector<std::size_t> window_row(rows, 0);
  std::vector<std::uint8_t> in_first(rows, 0), in_latest(rows, 0);
  for (std::size_t lo = 0; lo < rows;) {
    std::size_t hi = lo + 1;
    while (hi < rows && g.participant[hi] == g.participant[lo]) ++hi;
    const auto n = static_cast<std::int64_t>(hi - lo);
    const auto k = std::min<std::int64_t>(weeks, std::max<std::int64_t>(1, n / 2));
    for (std::uint8_t w = 0; w < 2; ++w) {
      out.participant.push_back(g.participant[lo]);
      out.period_start.push_back(g.start[w == 0 ? lo : hi - static_cast<std::size_t>(k)]);
      out.window.push_back(w);
      out.weeks.push_back(k);
    }
    for (std::size_t r = lo; r < hi; ++r) {
      window_row[r] = out.participant.size() - 2;
      in_first[r] = static_cast<std::int64_t>(r - lo) < k;
      in_latest[r] = static_cast<std::int64_t>(hi - r) <= k;
    }
    lo = hi;
  }
  detail::fill_uncertainty(c, out, [&](std::size_t i, auto add) {
    const auto r = g.row_of[i];
    if (in_first[r]) add(window_row[r]);
    if (in_latest[r]) add(window_row[r] + 1);
  });
  return out;
}

}  // namespace calmkit::metrics
