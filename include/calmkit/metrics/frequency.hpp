/// @file metrics/frequency.hpp
/// @brief Trigger counts per local day, ISO week or month (zero-filled over
/// each participant's span), and their trend: rate ratio and quasi-Poisson slope.
#pragma once

#include <calmkit/metrics/columns.hpp>
#include <calmkit/metrics/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace calmkit::metrics {

/// Whether counts are split by trigger category or by category group.
enum class Split : std::uint8_t { none, category, group };

/// One row per (participant, period[, category or group]), zero-filled from
/// the period of the participant's first record of any type to the period of
/// their last. Rows ordered by participant, period, split value.
struct FrequencyTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t>
      period_start;                 ///< first day of the period, days since 1970-01-01 (a Monday for weeks)
  std::vector<std::int16_t> split;  ///< category or group value; -1 when not split
  /// Triggers in that period (and split value).
  std::vector<std::int64_t> count;
  /// Mean distress at onset of those triggers, 0–10; NaN when count is 0.
  std::vector<double> mean_intensity;

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return count.size(); }
};

/// Trigger frequency in local time. The local date of a trigger is the date
/// of its onset in its own UTC offset, or in `cal`'s POSIX TZ rule.
///
/// Example
/// ```cpp
/// auto weekly = calmkit::metrics::trigger_frequency(cols, calmkit::metrics::Period::week);
/// // weekly.count[i] triggers in the ISO week starting weekly.period_start[i]
/// ```
[[nodiscard]] inline FrequencyTable trigger_frequency(const Cohort& c, Period period,
                                                      Split split = Split::none,
                                                      const LocalCalendar& cal = {}) {
  c.ensure_checked();
  const auto span = detail::participant_spans(c, cal);
  detail::check_fill_span(c, span);
  const std::size_t np = c.participants.size();
  const std::size_t width = split == Split::category ? trigger_category_table.size()
                            : split == Split::group  ? trigger_group_table.size()
                                                     : 1;
  // Row base of each participant in the output.
  std::vector<std::int64_t> first_period(np, 0);
  std::vector<std::size_t> base(np + 1, 0);
  for (std::size_t p = 0; p < np; ++p) {
    std::size_t periods = 0;
    if (span.has[p]) {
      first_period[p] = detail::period_index(span.first_day[p], period);
      periods =
          static_cast<std::size_t>(detail::period_index(span.last_day[p], period) - first_period[p] + 1);
    }
    base[p + 1] = base[p] + periods * width;
  }
  FrequencyTable f;
  const std::size_t rows = base[np];
  f.participant.resize(rows);
  f.period_start.resize(rows);
  f.split.resize(rows);
  f.count.assign(rows, 0);
  f.mean_intensity.assign(rows, 0.0);  // sums of intensity first, then divided
  for (std::size_t p = 0; p < np; ++p) {
    for (std::size_t row = base[p]; row < base[p + 1]; ++row) {
      const auto k = (row - base[p]) / width;
      f.participant[row] = static_cast<std::int32_t>(p);
      f.period_start[row] = detail::period_first_day(first_period[p] + static_cast<std::int64_t>(k), period);
      f.split[row] =
          split == Split::none ? std::int16_t{-1} : static_cast<std::int16_t>((row - base[p]) % width);
    }
  }
  const auto& t = c.triggers;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto p = static_cast<std::size_t>(t.participant[i]);
    const auto k =
        detail::period_index(cal.local_day(t.time_us[i], t.offset_minutes[i]), period) - first_period[p];
    std::size_t s = 0;
    if (split == Split::category) s = t.category[i];
    if (split == Split::group) s = static_cast<std::size_t>(trigger_category_table[t.category[i]].group);
    const std::size_t row = base[p] + static_cast<std::size_t>(k) * width + s;
    ++f.count[row];
    f.mean_intensity[row] += t.intensity[i];  // integers 0–10: the sum is exact
  }
  for (std::size_t row = 0; row < rows; ++row) {
    f.mean_intensity[row] =
        f.count[row] > 0 ? f.mean_intensity[row] / static_cast<double>(f.count[row]) : nan_value;
  }
  return f;
}

/// Trend of weekly trigger counts, one row per participant with records.
struct TrendTable {
  /// Code into `Cohort::participants`; -1 for the pooled row.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> weeks;         ///< ISO weeks in the participant's span
  std::vector<std::int64_t> last_k_count;  ///< triggers in the last k ISO weeks of the span
  std::vector<std::int64_t> prev_k_count;  ///< triggers in the k ISO weeks before those
  /// @{
  /// Days of the span (exposure) inside the last k and the previous k ISO
  /// weeks: a partial first or last week counts only its observed days.
  std::vector<std::int64_t> last_k_days, prev_k_days;  ///< days
  /// @}
  /// @{
  /// Exposure-adjusted ratio of the trigger rate in the last k weeks to the
  /// k weeks before ((last_k_count / last_k_days) / (prev_k_count /
  /// prev_k_days)), with its confidence interval for overdispersed counts
  /// (`rate_ratio_overdispersed` with `rr_dispersion` on 2k − 2 degrees of
  /// freedom); NaN when weeks < 2k, the interval NaN when k = 1.
  std::vector<double> rate_ratio, rr_ci_low, rr_ci_high;  ///< NaN when weeks < 2k
  /// @}
  /// Pearson dispersion (variance / mean) of the weekly counts of the last
  /// 2k weeks around the two rates the ratio compares (`period_dispersion`);
  /// NaN when weeks < 2k or k = 1.
  std::vector<double> rr_dispersion;
  /// @{
  /// Quasi-Poisson log-linear slope of the weekly counts with offset
  /// log(days observed / 7) (log rate per week), its standard error and
  /// confidence interval (`quasi_poisson_slope`: t on weeks − 2 degrees of
  /// freedom); SE and interval NaN with 2 weeks.
  std::vector<double> slope_per_week, slope_se, slope_ci_low, slope_ci_high;
  /// @}
  /// Pearson dispersion φ = X² / (weeks − 2) of the weekly counts around the
  /// fitted trend (1 for Poisson counts, above 1 for bursts); `slope_se` is
  /// √φ times the Poisson SE. NaN with 2 weeks or no slope.
  std::vector<double> dispersion;
  std::vector<double> weekly_change_pct;  ///< 100·(exp(slope) − 1), % per week
  /// @{
  /// Triggers per full (7-day) week the log-linear fit gives for the first and
  /// the last week of the span: exp(intercept) and
  /// exp(intercept + slope·(weeks − 1)); NaN with no slope.
  std::vector<double> fitted_first, fitted_last;  ///< triggers per week
  /// @}

  /// Number of rows (participants).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// The weekly series `trigger_trend` fits, one row per participant and ISO
/// week of their span (zero weeks included), with the fitted triggers per
/// full week and its pointwise interval (`poisson_fitted`): the trend line
/// and its band, week by week.
struct TrendWeeks {
  std::vector<std::int32_t> participant;   ///< participant code (-1: the pooled series)
  std::vector<std::int64_t> period_start;  ///< the week's Monday, days since 1970-01-01 (local dates)
  std::vector<std::int64_t> count;         ///< triggers in the week
  std::vector<std::int64_t> days;          ///< days of the week inside the span (the exposure, 0-7)
  /// @{
  /// Triggers per full (7-day) week the log-linear fit gives for the week and
  /// its quasi-Poisson confidence interval (`poisson_fitted`); NaN with no
  /// slope, the interval NaN with 2 weeks.
  std::vector<double> fitted, fitted_ci_low, fitted_ci_high;
  /// @}

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

namespace detail {

/// Days of the ISO week starting on day `monday` that lie in [first, last].
[[nodiscard]] inline std::int64_t days_in_span(std::int64_t monday, std::int64_t first, std::int64_t last) {
  return std::max<std::int64_t>(0, std::min(last, monday + 6) - std::max(first, monday) + 1);
}

/// A Pearson dispersion estimate φ = X² / df and its degrees of freedom.
struct Dispersion {
  double phi = nan_value;  ///< NaN with df <= 0
  double df = 0.0;         ///< weeks with exposure less the parameters fitted
};

/// Dispersion of the model the rate ratio compares: the first and the second
/// half of `counts` (k weeks each) have one rate per day each, fitted as the
/// half's count over its days (the maximum likelihood estimate of the
/// log-linear model log μ_i = log days_i + a + c·[second half]); φ = Σ (y −
/// μ)² / μ over the weeks with exposure, divided by their number less 2 (R's
/// `summary(glm(count ~ half + offset(log(days)), family = quasipoisson))`
/// dispersion). A week with μ = 0 (its half has no trigger) adds 0.
[[nodiscard]] inline Dispersion period_dispersion(std::span<const std::int64_t> counts,
                                                  std::span<const std::int64_t> days) {
  const std::size_t k = counts.size() / 2;
  double total[2] = {0, 0}, exposure[2] = {0, 0};
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const std::size_t h = i < k ? 0 : 1;
    total[h] += static_cast<double>(counts[i]);
    exposure[h] += static_cast<double>(days[i]);
  }
  Dispersion d{nan_value, -2.0};
  double x2 = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (days[i] <= 0) continue;
    d.df += 1.0;
    const std::size_t h = i < k ? 0 : 1;
    const double mu = static_cast<double>(days[i]) * total[h] / exposure[h];
    const double r = static_cast<double>(counts[i]) - mu;
    if (mu > 0) x2 += r * r / mu;
  }
  if (d.df > 0) d.phi = x2 / d.df;
  return d;
}

/// The one place the weekly trend is computed: counts[i] triggers over
/// days[i] observed days of consecutive ISO weeks i = 0, 1, ... Appends a row
/// to `out`. Weeks with no observed day (a gap in a pooled grid) carry no
/// exposure and are left out of the fit.
/// With `weeks`, also appends the series week by week (`starts`: each week's Monday).
inline void append_weekly_trend(TrendTable& out, std::int32_t participant,
                                std::span<const std::int64_t> counts, std::span<const std::int64_t> days,
                                std::size_t k, double level, TrendWeeks* weeks = nullptr,
                                std::span<const std::int64_t> starts = {}) {
  const std::size_t w = counts.size();
  std::int64_t last = 0, prev = 0, last_days = 0, prev_days = 0;
  for (std::size_t i = 0; i < w; ++i) {
    const std::size_t from_end = w - 1 - i;  // 0 for the last week
    if (from_end < k) {
      last += counts[i];
      last_days += days[i];
    } else if (from_end < 2 * k) {
      prev += counts[i];
      prev_days += days[i];
    }
  }
  RateRatio rr;
  Dispersion rr_phi;
  if (w >= 2 * k) {
    rr_phi = period_dispersion(counts.subspan(w - 2 * k), days.subspan(w - 2 * k));
    rr = rate_ratio_overdispersed(last, prev, rr_phi.phi, rr_phi.df, level, static_cast<double>(last_days),
                                  static_cast<double>(prev_days));
  }
  std::vector<double> x, y, e;
  for (std::size_t i = 0; i < w; ++i) {
    if (days[i] <= 0) continue;
    x.push_back(static_cast<double>(i));
    y.push_back(static_cast<double>(counts[i]));
    e.push_back(static_cast<double>(days[i]) / 7.0);
  }
  const auto sl = quasi_poisson_slope(x, y, e, level);
  out.participant.push_back(participant);
  out.weeks.push_back(static_cast<std::int64_t>(w));
  out.last_k_count.push_back(last);
  out.prev_k_count.push_back(prev);
  out.last_k_days.push_back(last_days);
  out.prev_k_days.push_back(prev_days);
  out.rate_ratio.push_back(rr.ratio);
  out.rr_ci_low.push_back(rr.low);
  out.rr_ci_high.push_back(rr.high);
  out.rr_dispersion.push_back(rr_phi.phi);
  out.slope_per_week.push_back(sl.slope);
  out.slope_se.push_back(sl.se);
  out.slope_ci_low.push_back(sl.low);
  out.slope_ci_high.push_back(sl.high);
  out.dispersion.push_back(sl.dispersion);
  out.weekly_change_pct.push_back(100.0 * std::expm1(sl.slope));
  out.fitted_first.push_back(std::exp(sl.intercept));
  out.fitted_last.push_back(std::exp(sl.intercept + sl.slope * static_cast<double>(w - 1)));
  if (weeks == nullptr) return;
  for (std::size_t i = 0; i < w; ++i) {
    const auto f = poisson_fitted(sl, static_cast<double>(i), level);
    weeks->participant.push_back(participant);
    weeks->period_start.push_back(starts[i]);
    weeks->count.push_back(counts[i]);
    weeks->days.push_back(days[i]);
    weeks->fitted.push_back(f.fit);
    weeks->fitted_ci_low.push_back(f.low);
    weeks->fitted_ci_high.push_back(f.high);
  }
}

inline void check_trend_k(int k) {
  if (k < 1) calmkit::detail::throw_invalid("trigger_trend: k must be >= 1 week, got " + std::to_string(k));
}

}  // namespace detail

/// Rate ratio of the last `k` ISO weeks to the `k` before them and the
/// Poisson log-linear slope of all weekly counts over the span (x = week
/// number 0, 1, ...), both weighted by exposure: a week counts the days of it
/// that lie in the participant's span (first to last record of any type,
/// local dates), so a partial first or last week neither lowers nor raises
/// the rate. Weekly trigger counts come in bursts (their variance exceeds
/// their mean), so both intervals allow for overdispersion: the rate ratio is
/// exposure-adjusted with the conditional interval of
/// `rate_ratio_overdispersed` (the two day totals, `rr_dispersion`); the
/// slope is the quasi-Poisson fit with the offset log(days / 7)
/// (`quasi_poisson_slope` with exposure, `dispersion`). Counts use the
/// zero-filled weekly table. With fewer than 2k weeks the counts cover what
/// there is and the rate ratio is NaN. With `weeks`, the weekly series and
/// the fitted rate with its band week by week are appended to it
/// (`TrendWeeks`). std::invalid_argument for k < 1.
[[nodiscard]] inline TrendTable trigger_trend(const Cohort& c, int k = 4, const LocalCalendar& cal = {},
                                              double level = 0.95, TrendWeeks* weeks = nullptr) {
  detail::check_trend_k(k);
  const auto f = trigger_frequency(c, Period::week, Split::none, cal);
  const auto span = detail::participant_spans(c, cal);
  std::vector<std::int64_t> days(f.size());
  for (std::size_t r = 0; r < f.size(); ++r) {
    const auto p = static_cast<std::size_t>(f.participant[r]);
    days[r] = detail::days_in_span(f.period_start[r], span.first_day[p], span.last_day[p]);
  }
  TrendTable out;
  const std::span<const std::int64_t> counts(f.count), exposure(days);
  for (std::size_t lo = 0; lo < f.size();) {
    std::size_t hi = lo;
    while (hi < f.size() && f.participant[hi] == f.participant[lo]) ++hi;
    detail::append_weekly_trend(out, f.participant[lo], counts.subspan(lo, hi - lo),
                                exposure.subspan(lo, hi - lo), static_cast<std::size_t>(k), level, weeks,
                                std::span<const std::int64_t>(f.period_start).subspan(lo, hi - lo));
    lo = hi;
  }
  return out;
}

/// `trigger_trend` of the whole cohort as one series (participant -1): the
/// weekly counts summed over participants, each week's exposure the sum of
/// the participants' observed days in it (person-days), over the ISO weeks
/// from the first participant's first week to the last one's last week.
/// Weeks in which nobody is observed carry no exposure. No row for a cohort
/// without records. `weeks` as for `trigger_trend`.
[[nodiscard]] inline TrendTable trigger_trend_pooled(const Cohort& c, int k = 4,
                                                     const LocalCalendar& cal = {}, double level = 0.95,
                                                     TrendWeeks* weeks = nullptr) {
  detail::check_trend_k(k);
  const auto f = trigger_frequency(c, Period::week, Split::none, cal);
  TrendTable out;
  if (f.size() == 0) return out;
  const auto span = detail::participant_spans(c, cal);
  const auto [lo_it, hi_it] = std::minmax_element(f.period_start.begin(), f.period_start.end());
  const auto first_week = detail::period_index(*lo_it, Period::week);
  const auto w = static_cast<std::size_t>(detail::period_index(*hi_it, Period::week) - first_week + 1);
  std::vector<std::int64_t> counts(w, 0), days(w, 0);
  for (std::size_t r = 0; r < f.size(); ++r) {
    const auto p = static_cast<std::size_t>(f.participant[r]);
    const auto i =
        static_cast<std::size_t>(detail::period_index(f.period_start[r], Period::week) - first_week);
    counts[i] += f.count[r];
    days[i] += detail::days_in_span(f.period_start[r], span.first_day[p], span.last_day[p]);
  }
  std::vector<std::int64_t> starts(w);
  for (std::size_t i = 0; i < w; ++i)
    starts[i] = detail::period_first_day(first_week + static_cast<std::int64_t>(i), Period::week);
  detail::append_weekly_trend(out, -1, counts, days, static_cast<std::size_t>(k), level, weeks, starts);
  return out;
}

}  // namespace calmkit::metrics
