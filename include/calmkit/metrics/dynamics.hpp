/// @file metrics/dynamics.hpp
/// @brief Affect dynamics of a participant's intensity series: MSSD, RMSSD,
/// inertia and the probability of acute change, with lags that never cross a gap.
#pragma once

#include <calmkit/metrics/columns.hpp>
#include <calmkit/metrics/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace calmkit::metrics {

/// Parameters of `affect_dynamics`.
struct DynamicsOptions {
  int acute_change = 3;  ///< c: a successive change |Δ| >= c counts as acute, intensity points [1, 10]
  /// A successive pair is used only when the gap between them is at most this
  /// many hours. NaN (the default): only when both are on the same local date.
  double max_gap_hours = nan_value;

  /// Throws `std::invalid_argument` when `acute_change` is outside 1–10 or
  /// `max_gap_hours` is negative.
  void check() const {
    if (acute_change < 1 || acute_change > 10) {
      calmkit::detail::throw_invalid("acute_change must be 1..10 intensity points");
    }
    if (!std::isnan(max_gap_hours) && !(max_gap_hours >= 0)) {
      calmkit::detail::throw_invalid(
          "max_gap_hours must be >= 0 hours (or NaN for the same-local-date rule)");
    }
  }
};

/// One row per participant with triggers or readings.
struct DynamicsTable {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> observations;  ///< points of the series (readings and onsets)
  std::vector<std::int64_t> pairs;         ///< successive pairs used
  std::vector<double> mssd;                ///< mean of Δ² over the pairs, intensity points²
  std::vector<double> rmssd;               ///< √MSSD, intensity points
  std::vector<double> inertia;             ///< Pearson correlation of x[i] and x[i+1] over the pairs
  std::vector<double> pac;                 ///< share of pairs with |Δ| >= c, [0, 1]

  /// Number of rows (participants).
  [[nodiscard]] std::size_t size() const noexcept { return participant.size(); }
};

/// The series is the participant's readings and trigger onsets merged by time
/// (an onset before a reading at the same instant; readings at one instant in
/// ascending UTC offset, then intensity, so that the line order of a journal
/// never changes the result). Over the pairs
/// (x[i], x[i+1]) that pass the gap rule: MSSD = Σ Δ² / pairs (= Σ/(n − 1)
/// for a series without gaps), RMSSD = √MSSD, inertia = lag-1
/// autocorrelation as the Pearson correlation of the pairs (NaN with fewer
/// than 3 pairs or no variance), PAC = share with |Δ| ≥ c. NaN with no pair.
[[nodiscard]] inline DynamicsTable affect_dynamics(const Cohort& c, const DynamicsOptions& opt = {},
                                                   const LocalCalendar& cal = {}) {
  opt.check();
  c.ensure_checked();
  const bool by_date = std::isnan(opt.max_gap_hours);
  // Saturated: max_gap_hours = infinity (or 1e12) is "no limit", every pair used.
  const auto max_gap_us = by_date ? 0 : detail::hours_to_us(opt.max_gap_hours);
  const auto& t = c.triggers;
  const auto& r = c.readings;
  DynamicsTable out;
  std::vector<std::pair<std::int16_t, int>> tied;  // (offset, intensity) of readings at one instant
  std::size_t i = 0, j = 0;
  while (i < t.size() || j < r.size()) {
    const std::int32_t p = (j >= r.size() || (i < t.size() && t.participant[i] <= r.participant[j]))
                               ? t.participant[i]
                               : r.participant[j];
    std::int64_t n = 0, pairs = 0, acute = 0;
    double sum_d2 = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    bool have_prev = false;
    std::int64_t prev_us = 0, prev_day = 0;
    int prev_x = 0;
    auto visit = [&](std::int64_t us, std::int16_t off, int x) {
      ++n;
      const std::int64_t day = by_date ? cal.local_day(us, off) : 0;
      if (have_prev && (by_date ? day == prev_day : us - prev_us <= max_gap_us)) {
        const double a = prev_x, b = x, d = b - a;
        ++pairs;
        sum_d2 += d * d;
        if (std::abs(d) >= opt.acute_change) ++acute;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
      have_prev = true;
      prev_us = us;
      prev_day = day;
      prev_x = x;
    };
    while ((i < t.size() && t.participant[i] == p) || (j < r.size() && r.participant[j] == p)) {
      const bool take_trigger = i < t.size() && t.participant[i] == p &&
                                (j >= r.size() || r.participant[j] != p || t.time_us[i] <= r.time_us[j]);
      if (take_trigger) {
        visit(t.time_us[i], t.offset_minutes[i], t.intensity[i]);
        ++i;
        continue;
      }
      // Readings at one instant: the journal keeps them in file order (they
      // need no id), so they are taken by (UTC offset, intensity) instead: the
      // same records give the same series whatever the order of the lines.
      std::size_t k = j + 1;
      while (k < r.size() && r.participant[k] == p && r.time_us[k] == r.time_us[j]) ++k;
      if (k == j + 1) {
        visit(r.time_us[j], r.offset_minutes[j], r.intensity[j]);
      } else {
        tied.clear();
        for (std::size_t m = j; m < k; ++m) tied.emplace_back(r.offset_minutes[m], r.intensity[m]);
        std::sort(tied.begin(), tied.end());
        for (const auto& [off, x] : tied) visit(r.time_us[j], off, x);
      }
      j = k;
    }
    const auto np = static_cast<double>(pairs);
    double inertia = nan_value;
    if (pairs >= 3) {
      const double cov = sxy - sx * sy / np, vx = sxx - sx * sx / np, vy = syy - sy * sy / np;
      if (vx > 0 && vy > 0) inertia = cov / std::sqrt(vx * vy);
    }
    out.participant.push_back(p);
    out.observations.push_back(n);
    out.pairs.push_back(pairs);
    out.mssd.push_back(pairs > 0 ? sum_d2 / np : nan_value);
    out.rmssd.push_back(pairs > 0 ? std::sqrt(sum_d2 / np) : nan_value);
    out.inertia.push_back(inertia);
    out.pac.push_back(pairs > 0 ? static_cast<double>(acute) / np : nan_value);
  }
  return out;
}

}  // namespace calmkit::metrics
