/// @file metrics/survival.hpp
/// @brief Kaplan–Meier product-limit estimate of "still not calm after t
/// minutes", with Greenwood/log-log pointwise bands and the median with the
/// Brookmeyer–Crowley interval.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/metrics/stats.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace calmkit::metrics {

/// The step function: one row per distinct observed time (minutes), ascending.
struct KaplanMeier {
  std::vector<double> time;            ///< minutes
  std::vector<std::int64_t> at_risk;   ///< episodes with time >= this time
  std::vector<std::int64_t> events;    ///< episodes that calmed at this time
  std::vector<std::int64_t> censored;  ///< episodes censored at this time
  std::vector<double> survival;        ///< S(t) just after this time
  std::vector<double> low;             ///< pointwise log-log band (Greenwood variance)
  /// Upper end of that band.
  std::vector<double> high;

  /// Number of steps.
  [[nodiscard]] std::size_t size() const noexcept { return time.size(); }
};

/// Median time-to-calm and its interval, in minutes; NaN where undefined.
struct MedianEstimate {
  /// Median time-to-calm, minutes.
  double median = nan_value;
  /// Lower confidence bound, minutes.
  double low = nan_value;
  /// Upper confidence bound, minutes.
  double high = nan_value;
};

/// Kaplan–Meier estimate from (time, calmed) pairs.
///
/// S(t) = Π_{t_j ≤ t} (1 − d_j / n_j) over distinct times t_j with d_j calm
/// events and n_j episodes at risk (time ≥ t_j). At a tied time the calm
/// events come first: episodes censored at t_j are still counted in n_j.
/// Band: Greenwood's variance on the log(−log S) scale,
/// S^exp(±z·σ/|log S|) with σ² = Σ d_j / (n_j (n_j − d_j)); [1, 1] before
/// the first event and [0, 0] once S = 0.
///
/// Example
/// ```cpp
/// std::vector<double> t{0, 10, 20, 20, 30};
/// std::vector<std::uint8_t> calmed{1, 1, 1, 0, 0};
/// auto km = calmkit::metrics::kaplan_meier(t, calmed);
/// calmkit::metrics::km_median(km).median;  // 20
/// ```
/// @throws std::invalid_argument for NaN/negative times or unequal lengths.
[[nodiscard]] inline KaplanMeier kaplan_meier(std::span<const double> time,
                                              std::span<const std::uint8_t> calmed, double level = 0.95) {
  if (time.size() != calmed.size())
    calmkit::detail::throw_invalid("kaplan_meier: time and calmed differ in length");
  const double z = normal_quantile(level);
  const std::size_t n = time.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < n; ++i) {
    if (!(time[i] >= 0) || !std::isfinite(time[i])) {
      calmkit::detail::throw_invalid("kaplan_meier: time " + std::to_string(i) +
                                     " must be a finite number >= 0");
    }
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  KaplanMeier km;
  double s = 1.0, greenwood = 0.0;
  auto at_risk = static_cast<std::int64_t>(n);
  for (std::size_t i = 0; i < n;) {
    const double t = time[order[i]];
    std::int64_t d = 0, c = 0;
    std::size_t j = i;
    for (; j < n && time[order[j]] == t; ++j) (calmed[order[j]] ? d : c) += 1;
    if (d > 0) {
      const auto dn = static_cast<double>(d), nn = static_cast<double>(at_risk);
      s *= 1.0 - dn / nn;
      greenwood += at_risk > d ? dn / (nn * (nn - dn)) : 0.0;
    }
    double lo = 1.0, hi = 1.0;
    if (s <= 0.0) {
      s = 0.0;
      lo = hi = 0.0;
    } else if (s < 1.0) {
      const double sigma = std::sqrt(greenwood) / std::abs(std::log(s));
      lo = std::pow(s, std::exp(z * sigma));
      hi = std::pow(s, std::exp(-z * sigma));
    }
    km.time.push_back(t);
    km.at_risk.push_back(at_risk);
    km.events.push_back(d);
    km.censored.push_back(c);
    km.survival.push_back(s);
    km.low.push_back(lo);
    km.high.push_back(hi);
    at_risk -= d + c;
    i = j;
  }
  return km;
}

/// Median = the smallest observed time with S(t) ≤ 0.5 (NaN if S stays above
/// 0.5). Interval (Brookmeyer & Crowley 1982, by inverting the log-log band):
/// the interval is the set of times whose pointwise band holds 0.5, so
/// low = the smallest time whose lower band is ≤ 0.5 (the pessimistic curve
/// gets there first) and high = the smallest time whose upper band is ≤ 0.5;
/// NaN when the band never gets there (small samples often have no upper limit).
[[nodiscard]] inline MedianEstimate km_median(const KaplanMeier& km) {
  MedianEstimate m;
  for (std::size_t i = 0; i < km.size(); ++i) {
    if (std::isnan(m.median) && km.survival[i] <= 0.5) m.median = km.time[i];
    if (std::isnan(m.low) && km.low[i] <= 0.5) m.low = km.time[i];
    if (std::isnan(m.high) && km.high[i] <= 0.5) m.high = km.time[i];
  }
  return m;
}

/// The median and its interval straight from (time, calmed) pairs, without
/// building the step function: the same numbers as
/// `km_median(kaplan_meier(time, calmed, level))`, bit for bit, at a fraction
/// of the cost (what a summary over thousands of groups needs).
///
/// The same product-limit and Greenwood sums are accumulated step by step;
/// the band is evaluated only where it can decide an end of the interval.
/// The lower band never exceeds S and the upper band is never below it, so
/// the lower end is found at or before the median and the upper end at or
/// after it: the lower band is evaluated until it reaches 0.5, the upper band
/// only from the median on, and the scan stops once the upper end is found.
///
/// `scratch` is reused between calls to avoid allocating (its contents are
/// overwritten).
/// @throws std::invalid_argument for NaN/negative times or unequal lengths.
[[nodiscard]] inline MedianEstimate km_median(std::span<const double> time,
                                              std::span<const std::uint8_t> calmed, double level,
                                              std::vector<std::uint64_t>& scratch) {
  if (time.size() != calmed.size())
    calmkit::detail::throw_invalid("km_median: time and calmed differ in length");
  const double z = normal_quantile(level);
  const std::size_t n = time.size();
  // Each pair becomes one integer that sorts by time, calm events before
  // censorings: the bits of a double >= 0 order like the number itself, and
  // its sign bit (0) makes room for the censoring flag.
  scratch.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = time[i] == 0.0 ? 0.0 : time[i];  // -0 sorts as 0
    if (!(t >= 0) || !std::isfinite(t)) {
      calmkit::detail::throw_invalid("km_median: time " + std::to_string(i) +
                                     " must be a finite number >= 0");
    }
    scratch[i] = (std::bit_cast<std::uint64_t>(t) << 1U) | (calmed[i] != 0 ? 0U : 1U);
  }
  std::sort(scratch.begin(), scratch.end());
  MedianEstimate m;
  double s = 1.0, greenwood = 0.0;
  auto at_risk = static_cast<std::int64_t>(n);
  for (std::size_t i = 0; i < n;) {
    const std::uint64_t bits = scratch[i] >> 1U;
    std::int64_t d = 0;
    std::size_t j = i;
    for (; j < n && scratch[j] == bits << 1U; ++j) ++d;  // calm events at this time
    for (; j < n && (scratch[j] >> 1U) == bits; ++j) {
    }
    const auto c = static_cast<std::int64_t>(j - i) - d;
    const double t = std::bit_cast<double>(bits);
    if (d > 0) {
      const auto dn = static_cast<double>(d), nn = static_cast<double>(at_risk);
      s *= 1.0 - dn / nn;
      greenwood += at_risk > d ? dn / (nn * (nn - dn)) : 0.0;
    }
    if (s <= 0.0) s = 0.0;
    const bool need_low = std::isnan(m.low);
    const bool need_high = !std::isnan(m.median) || s <= 0.5;  // the upper end is at or after the median
    if (need_low || need_high) {
      double lo = 1.0, hi = 1.0;
      if (s <= 0.0) {
        lo = hi = 0.0;
      } else if (s < 1.0) {
        const double sigma = std::sqrt(greenwood) / std::abs(std::log(s));
        if (need_low) lo = std::pow(s, std::exp(z * sigma));
        if (need_high) hi = std::pow(s, std::exp(-z * sigma));
      }
      if (need_low && lo <= 0.5) m.low = t;
      if (std::isnan(m.median) && s <= 0.5) m.median = t;
      if (need_high && hi <= 0.5) {
        m.high = t;
        break;
      }
    }
    at_risk -= d + c;
    i = j;
  }
  return m;
}

}  // namespace calmkit::metrics
