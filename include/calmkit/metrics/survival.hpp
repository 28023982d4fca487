/// @file metrics/survival.hpp
/// @brief Kaplan–Meier product-limit estimate of "still not calm after t
/// minutes", with Greenwood/log-log pointwise bands and the median with the
/// Brookmeyer–Crowley interval.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/metrics/stats.hpp>

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

namespace calmkit::metrics {

namespace detail {

/// The (at risk, calm events) counts of the product-limit steps with at least
/// one event, in order: what the exact value of S is made of. S is a rational
/// number, Π (n_j − d_j) / n_j, that a running product of doubles only
/// approximates (an exact 1/2 can come out as 0.5000000000000001).
class ProductLimitSteps {
 public:
  void clear() noexcept {
    at_risk_.clear();
    events_.clear();
  }
  void add(std::int64_t at_risk, std::int64_t events) {
    at_risk_.push_back(at_risk);
    events_.push_back(events);
  }
  /// Number of steps added.
  [[nodiscard]] std::size_t size() const noexcept { return at_risk_.size(); }

  /// The sign (−1, 0, +1) of S − q, exactly, for a double q. Successive
  /// factors cancel where nobody was censored between two event times
  /// (n_{j+1} = n_j − d_j), so S = (n_k − d_k) / n_1 when there is no
  /// censoring; the rest is multiplied out in arbitrary precision, and q, a
  /// dyadic rational (m · 2^e), is compared as integers.
  [[nodiscard]] int compare(double q) const {
    using boost::multiprecision::cpp_int;
    int e = 0;
    const double m = std::frexp(q, &e);  // q = m · 2^e, m in [0.5, 1)
    const auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));
    e -= 53;  // q = mant · 2^e exactly
    cpp_int q_num = mant, q_den = 1;
    if (e < 0) {
      q_den <<= -e;
    } else {
      q_num <<= e;
    }
    return compare(q_num, q_den);
  }

  /// The sign (−1, 0, +1) of S − q_num / q_den, exactly (q_den > 0).
  [[nodiscard]] int compare(const boost::multiprecision::cpp_int& q_num,
                            const boost::multiprecision::cpp_int& q_den) const {
    using boost::multiprecision::cpp_int;
    cpp_int num = 1, den = at_risk_.empty() ? 1 : at_risk_.front();
    for (std::size_t j = 0; j < at_risk_.size(); ++j) {
      const std::int64_t after = at_risk_[j] - events_[j];
      if (j + 1 < at_risk_.size() && at_risk_[j + 1] == after) continue;  // cancels the next n
      num *= after;
      if (j + 1 < at_risk_.size()) den *= at_risk_[j + 1];
    }
    const cpp_int lhs = num * q_den, rhs = den * q_num;
    return lhs < rhs ? -1 : (lhs > rhs ? 1 : 0);
  }

 private:
  std::vector<std::int64_t> at_risk_, events_;
};

/// 1 − p as an exact fraction, p read as the decimal it prints as (the
/// shortest decimal that converts back to the same double): p = 0.9 is 9/10,
/// as the person asking means it, so 1 − p is 1/10, not the double
/// 1 − 0.9 = 0.09999999999999998 that would miss an exact S = 1/10.
/// `p` in (0, 1). Returns the double nearest 1 − p (the quotient of two
/// exactly representable integers when the decimal has at most 22 digits,
/// else the double 1 − p, which is then within an ulp of it).
inline double complement_of_decimal(double p, boost::multiprecision::cpp_int& num,
                                    boost::multiprecision::cpp_int& den) {
  char buf[1200];  // the fixed form of the smallest double in (0, 1) has < 1100 characters
  const auto r = std::to_chars(buf, buf + sizeof buf, p, std::chars_format::fixed);
  const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));  // "0.ddd"
  num = 0;
  den = 1;
  const auto dot = text.find('.');
  std::size_t digits = 0;
  for (std::size_t i = dot == std::string_view::npos ? text.size() : dot + 1; i < text.size(); ++i) {
    num = num * 10 + (text[i] - '0');
    den *= 10;
    ++digits;
  }
  num = den - num;
  // 10^22 is the largest power of ten a double holds exactly.
  return digits <= 22 ? num.convert_to<double>() / den.convert_to<double>() : 1.0 - p;
}

/// The product-limit step S ← S · (n − d)/n with the decision "S ≤ 0.5" made
/// exactly. The factor (n − d)/n costs one rounding and the product one more,
/// so after k steps the double is within 2k·u·S of the exact S (u = 2⁻⁵³,
/// Higham 2002, §3.1); only inside twice that distance of 0.5 is the exact
/// rational consulted: S = 1/2 exactly becomes the double 0.5, and a value on
/// the wrong side of 0.5 moves to the nearest double on the right side.
/// `steps` must already hold this step's counts.
[[nodiscard]] inline double product_limit_step(double s, std::int64_t at_risk, std::int64_t events,
                                               const ProductLimitSteps& steps) {
  const auto nn = static_cast<double>(at_risk);
  s *= (nn - static_cast<double>(events)) / nn;
  const double bound = 2.0 * static_cast<double>(steps.size() + 1) * std::numeric_limits<double>::epsilon();
  if (std::abs(s - 0.5) <= bound) {
    const int sign = steps.compare(0.5);
    if (sign == 0) {
      s = 0.5;
    } else if (sign < 0) {
      s = std::min(s, std::nextafter(0.5, 0.0));
    } else {
      s = std::max(s, std::nextafter(0.5, 1.0));
    }
  }
  return s;
}

/// Orders `a` and `b` (a <= b after), without a branch.
inline void compare_exchange(std::uint64_t& a, std::uint64_t& b) noexcept {
  const std::uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
  a = lo;
  b = hi;
}

/// Sorts the 8 keys at `v` with a sorting network of 19 compare-exchanges
/// (Knuth, TAOCP vol. 3, 5.3.4): no comparison decides a branch.
inline void sort_8_keys(std::uint64_t* v) noexcept {
  std::uint64_t a0 = v[0], a1 = v[1], a2 = v[2], a3 = v[3], a4 = v[4], a5 = v[5], a6 = v[6], a7 = v[7];
  compare_exchange(a0, a2), compare_exchange(a1, a3), compare_exchange(a4, a6), compare_exchange(a5, a7);
  compare_exchange(a0, a4), compare_exchange(a1, a5), compare_exchange(a2, a6), compare_exchange(a3, a7);
  compare_exchange(a0, a1), compare_exchange(a2, a3), compare_exchange(a4, a5), compare_exchange(a6, a7);
  compare_exchange(a2, a4), compare_exchange(a3, a5);
  compare_exchange(a1, a4), compare_exchange(a3, a6);
  compare_exchange(a1, a2), compare_exchange(a3, a4), compare_exchange(a5, a6);
  v[0] = a0, v[1] = a1, v[2] = a2, v[3] = a3, v[4] = a4, v[5] = a5, v[6] = a6, v[7] = a7;
}

/// Merges the sorted runs `a` and `b` of `len` keys each into `out` (2·len
/// keys), without a branch: the smallest keys are taken from the front and
/// the largest from the back in the same loop, two independent chains of
/// comparisons where one merge has one. Runs of equal length need no bounds
/// check: after k < len steps each end has taken k keys, so neither can have
/// run past its runs, and together they take each key once (the front takes
/// `a`'s key of a tie, the back `b`'s).
inline void merge_equal_runs(const std::uint64_t* a, const std::uint64_t* b, std::size_t len,
                             std::uint64_t* out) noexcept {
  const std::uint64_t* a_lo = a;
  const std::uint64_t* b_lo = b;
  const std::uint64_t* a_hi = a + len - 1;
  const std::uint64_t* b_hi = b + len - 1;
  std::uint64_t* lo = out;
  std::uint64_t* hi = out + 2 * len - 1;
  for (std::size_t k = 0; k < len; ++k) {
    const bool from_b = *b_lo < *a_lo;
    *lo++ = from_b ? *b_lo : *a_lo;
    b_lo += static_cast<std::ptrdiff_t>(from_b);
    a_lo += static_cast<std::ptrdiff_t>(!from_b);
    const bool from_a = *b_hi < *a_hi;
    *hi-- = from_a ? *a_hi : *b_hi;
    a_hi -= static_cast<std::ptrdiff_t>(from_a);
    b_hi -= static_cast<std::ptrdiff_t>(!from_a);
  }
}

/// Sorts `keys` ascending: runs of 8 by a sorting network (the last, shorter
/// one by insertion), then merged pairwise without branches, through `tmp`
/// (`merge_equal_runs`; a pair whose second run is shorter, at the end, from
/// the front only). The keys of a summary's group (about a hundred times in
/// random order) sort in under half the time runs of 32 by insertion and a
/// one-ended merge took (every key ended the insertion's loop with a
/// mispredicted branch), and in about a quarter of `std::sort`'s. The result
/// is the same as `std::sort`'s: equal keys are equal integers.
inline void sort_keys(std::span<std::uint64_t> keys, std::vector<std::uint64_t>& tmp) {
  const std::size_t n = keys.size();
  constexpr std::size_t run = 8;
  std::uint64_t* v = keys.data();
  std::size_t last = 0;  // the start of the last, shorter run
  for (; last + run <= n; last += run) sort_8_keys(v + last);
  for (std::size_t i = last + 1; i < n; ++i) {
    const std::uint64_t x = v[i];
    std::size_t j = i;
    for (; j > last && v[j - 1] > x; --j) v[j] = v[j - 1];
    v[j] = x;
  }
  if (n <= run) return;
  tmp.resize(n);
  std::uint64_t* src = v;
  std::uint64_t* dst = tmp.data();
  for (std::size_t w = run; w < n; w *= 2) {
    for (std::size_t s = 0; s < n; s += 2 * w) {
      if (s + 2 * w <= n) {
        merge_equal_runs(src + s, src + s + w, w, dst + s);
        continue;
      }
      const std::uint64_t* a = src + s;
      const std::uint64_t* const a_end = src + std::min(n, s + w);
      const std::uint64_t* b = a_end;
      const std::uint64_t* const b_end = src + std::min(n, s + 2 * w);
      std::uint64_t* out = dst + s;
      while (a < a_end && b < b_end) {
        const bool from_b = *b < *a;
        *out++ = from_b ? *b : *a;
        b += static_cast<std::ptrdiff_t>(from_b);
        a += static_cast<std::ptrdiff_t>(!from_b);
      }
      out = std::copy(a, a_end, out);
      std::copy(b, b_end, out);
    }
    std::swap(src, dst);
  }
  if (src != v) std::copy(src, src + n, v);
}

/// Log-log band of S at one step: [1, 1] before the first event; NaN (the
/// variance of log(−log S) is undefined, as R's survfit reports NA) once S = 0.
inline void log_log_band(double s, double greenwood, double z, bool want_low, bool want_high, double& lo,
                         double& hi) {
  lo = hi = 1.0;
  if (s <= 0.0) {
    lo = hi = nan_value;
  } else if (s < 1.0) {
    const double sigma = std::sqrt(greenwood) / std::abs(std::log(s));
    if (want_low) lo = std::pow(s, std::exp(z * sigma));
    if (want_high) hi = std::pow(s, std::exp(-z * sigma));
  }
}

/// Whether each end of the log-log band of S at one step is at or below 1/2:
/// the decisions `log_log_band`'s ends compared with 0.5 give, made on the log
/// scale without `pow` (a third of a summary's time). S^E <= 1/2 exactly when
/// E·(−log S) >= log 2; the two roundings can disagree only within a few ulps
/// of log 2, so within 1e-12 of it the band itself is computed.
///
/// Most steps are far from log 2 on that scale, and there E = exp(±z·σ) need
/// not be known closely: the first terms of its series bound it from both
/// sides, and only when −log S times those bounds does not land on one side of
/// log 2 with a margin (10⁻⁹ of it: far above the roundings, and above the
/// 1e-12 band) is the exponential computed. The decisions are those the
/// exponential gives.
inline void band_at_or_below_half(double s, double greenwood, double z, bool want_low, bool want_high,
                                  bool& low, bool& high) {
  low = high = false;
  if (!(s > 0.0 && s < 1.0)) return;  // [1, 1] before the first event, NaN once S = 0
  const double minus_log_s = -std::log(s);
  const double sigma = std::sqrt(greenwood) / minus_log_s;
  constexpr double log2 = 0.6931471805599453;  // log 2, rounded
  constexpr double near = 1e-12;
  constexpr double surely_above = log2 * (1 + 1e-9), surely_below = log2 * (1 - 1e-9);
  // For a >= 0: e^a >= 1 + a + a²/2 + a³/6 (the rest of the series is
  // positive) and e^−a >= 1 − a + a²/2 − a³/6 (an alternating series with
  // falling terms, cut after a negative one); each bound of e^a gives one of
  // e^−a through e^−a = 1/e^a.
  const double a = std::abs(z * sigma);
  const double grow = 1 + a * (1 + a * (0.5 + a / 6));    // <= e^a
  const double shrink = 1 - a * (1 - a * (0.5 - a / 6));  // <= e^−a (> 0 for a below 1.59)
  auto decide = [&](double y) {
    // e^y is at least `at_least`, and at most 1 / `inverse_at_most` (when that is > 0).
    const double at_least = y >= 0 ? grow : shrink;
    const double inverse_at_most = y >= 0 ? shrink : grow;
    if (minus_log_s * at_least > surely_above) return true;
    if (inverse_at_most > 0 && minus_log_s < surely_below * inverse_at_most) return false;
    const double e = std::exp(y);
    const double x = minus_log_s * e;
    return std::abs(x - log2) > near ? x >= log2 : std::pow(s, e) <= 0.5;
  };
  if (want_low) low = decide(z * sigma);
  if (want_high) high = decide(-z * sigma);
}

}  // namespace detail

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
/// Each factor is (n_j − d_j)/n_j; where S is exactly 1/2 `survival` holds
/// exactly 0.5, and where it is not, `survival` is on the same side of 0.5 as
/// the exact rational (see `detail::product_limit_step`), so `survival <= 0.5`
/// decides the median without floating-point error.
/// Band: Greenwood's variance on the log(−log S) scale,
/// S^exp(±z·σ/|log S|) with σ² = Σ d_j / (n_j (n_j − d_j)); [1, 1] before
/// the first event and NaN once S = 0 (the variance of log(−log S) is then
/// undefined; R's survfit reports NA there too).
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
  detail::ProductLimitSteps steps;
  double s = 1.0, greenwood = 0.0;
  auto at_risk = static_cast<std::int64_t>(n);
  for (std::size_t i = 0; i < n;) {
    const double t = time[order[i]];
    std::int64_t d = 0, c = 0;
    std::size_t j = i;
    for (; j < n && time[order[j]] == t; ++j) (calmed[order[j]] ? d : c) += 1;
    if (d > 0) {
      const auto dn = static_cast<double>(d), nn = static_cast<double>(at_risk);
      steps.add(at_risk, d);
      s = detail::product_limit_step(s, at_risk, d, steps);
      greenwood += at_risk > d ? dn / (nn * (nn - dn)) : 0.0;
    }
    double lo = 1.0, hi = 1.0;
    detail::log_log_band(s, greenwood, z, true, true, lo, hi);
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

/// Quantile p (0 < p < 1) of time-to-calm = the smallest observed time with
/// S(t) ≤ 1 − p, decided exactly: S is compared with 1 − p through the counts
/// wherever the running product is too close to tell (an exact S = 0.75 is
/// the 0.25-quantile, not the next time). p is read as the decimal it prints
/// as (0.9 is 9/10, so S = 1/10 exactly reaches the 0.9-quantile, which the
/// double 1 − 0.9 = 0.09999999999999998 would miss). NaN if S stays above.
/// Interval as for the median: low = the smallest time whose lower band is
/// ≤ 1 − p, high = the smallest time whose upper band is ≤ 1 − p; NaN when
/// the band never gets there or is undefined (S = 0).
///
/// Example
/// ```cpp
/// std::vector<double> t{1, 2, 3, 4};
/// std::vector<std::uint8_t> calmed{1, 1, 1, 1};
/// auto km = calmkit::metrics::kaplan_meier(t, calmed);
/// calmkit::metrics::km_quantile(km, 0.25).median;  // 1: S(1) = 3/4 exactly
/// ```
/// @throws std::invalid_argument unless 0 < p < 1.
[[nodiscard]] inline MedianEstimate km_quantile(const KaplanMeier& km, double p) {
  if (!(p > 0.0 && p < 1.0)) calmkit::detail::throw_invalid("km_quantile: p must be in (0, 1)");
  boost::multiprecision::cpp_int q_num, q_den;  // 1 − p exactly, p read as its decimal
  const double q = detail::complement_of_decimal(p, q_num, q_den);
  detail::ProductLimitSteps steps;
  MedianEstimate m;
  for (std::size_t i = 0; i < km.size(); ++i) {
    if (km.events[i] > 0) steps.add(km.at_risk[i], km.events[i]);
    if (std::isnan(m.median)) {
      const double s = km.survival[i];
      // S's error (2k·u) plus q's (a few u): inside that, decide from the counts.
      const double bound =
          2.0 * static_cast<double>(steps.size() + 3) * std::numeric_limits<double>::epsilon();
      const bool at_or_below = std::abs(s - q) <= bound ? steps.compare(q_num, q_den) <= 0 : s <= q;
      if (at_or_below) m.median = km.time[i];
    }
    if (std::isnan(m.low) && km.low[i] <= q) m.low = km.time[i];
    if (std::isnan(m.high) && km.high[i] <= q) m.high = km.time[i];
  }
  return m;
}

/// Median = the smallest observed time with S(t) ≤ 0.5, decided exactly
/// (NaN if S stays above 0.5). Times 1, 2, 2, 3, 4, 5, 6, 7, 8, 9 all calmed:
/// S(4) = 5/10 exactly, median 4 (R's survfit takes the midpoint 4.5 of the
/// flat stretch; see docs/metrics.md). Interval (Brookmeyer & Crowley 1982,
/// by inverting the log-log band): the interval is the set of times whose
/// pointwise band holds 0.5, so low = the smallest time whose lower band is
/// ≤ 0.5 (the pessimistic curve gets there first) and high = the smallest
/// time whose upper band is ≤ 0.5; NaN when the band never gets there (small
/// samples often have no upper limit) or is undefined (S = 0).
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
  thread_local std::vector<std::uint64_t> merge_buffer;  // reused: no allocation per group
  detail::sort_keys(scratch, merge_buffer);
  MedianEstimate m;
  thread_local detail::ProductLimitSteps steps;  // reused: no allocation per group
  steps.clear();
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
      steps.add(at_risk, d);
      s = detail::product_limit_step(s, at_risk, d, steps);
      greenwood += at_risk > d ? dn / (nn * (nn - dn)) : 0.0;
    }
    const bool need_low = std::isnan(m.low);
    const bool need_high = !std::isnan(m.median) || s <= 0.5;  // the upper end is at or after the median
    if (need_low || need_high) {
      bool lo = false, hi = false;
      detail::band_at_or_below_half(s, greenwood, z, need_low, need_high, lo, hi);
      if (need_low && lo) m.low = t;
      if (std::isnan(m.median) && s <= 0.5) m.median = t;
      if (need_high && hi) {
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
