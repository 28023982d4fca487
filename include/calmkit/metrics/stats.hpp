/// @file metrics/stats.hpp
/// @brief The small statistics the metrics share: quantiles, exact and Wald
/// confidence intervals, a Poisson log-linear slope and a least-squares slope.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/export.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace calmkit::metrics {

/// A quiet NaN, the value of estimates that are undefined.
inline constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

namespace detail {
inline void check_confidence(double level) {
  if (!(level > 0.0 && level < 1.0)) {
    calmkit::detail::throw_invalid("confidence level must be in (0, 1), got " + std::to_string(level));
  }
}

/// Hours as whole microseconds, saturated at the int64 maximum: a window
/// wider than any journal (window_hours = 1e12, or infinity for a gap) keeps
/// every reading instead of overflowing (2.56e9 hours is int64's limit; the
/// journal's years 1400-9999 span 7.4e7 hours).
inline std::int64_t hours_to_us(double hours) {
  constexpr double limit = 9.2e18;  // below INT64_MAX (9.22e18): the cast below is defined
  const double us = hours * 3'600'000'000.0;
  if (!(us < limit)) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::llround(us));
}
}  // namespace detail

// The three special functions below are compiled once, in src/metrics/stats.cpp with
// Boost.Math (target calmkit::metrics), instead of in every translation unit
// that includes a metrics header: with Boost.Math in this header, a file that
// included <calmkit/metrics.hpp> took 5.9 s and 566 MB to compile.

/// The two-sided standard normal quantile for a confidence level in (0, 1):
/// z with P(|Z| <= z) = level (0.95 → 1.959964). std::invalid_argument for a
/// level outside (0, 1).
[[nodiscard]] CALMKIT_EXPORT double normal_quantile(double level);

/// Quantile `p` in [0, 1] of Student's t distribution with `df` > 0 degrees of
/// freedom (p = 0.975, df = 10 → 2.228139). std::invalid_argument for a `p`
/// outside [0, 1] or `df` <= 0 or NaN.
[[nodiscard]] CALMKIT_EXPORT double student_t_quantile(double df, double p);

/// Quantile `p` in [0, 1] of the Beta(a, b) distribution, a, b > 0: the x in
/// [0, 1] with I_x(a, b) = p, the inverse of the regularized incomplete beta
/// function (a = 2, b = 3, p = 0.5 → 0.385728). std::invalid_argument for
/// arguments outside those ranges.
[[nodiscard]] CALMKIT_EXPORT double beta_quantile(double a, double b, double p);

/// Quantile `q` in [0, 1] of `v` by linear interpolation between order
/// statistics (Hyndman & Fan type 7, NumPy's default). Sorts `v` in place.
/// NaN for an empty sample.
[[nodiscard]] inline double quantile_inplace(std::vector<double>& v, double q) {
  if (v.empty()) return nan_value;
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// Mean of `v`; NaN when empty.
[[nodiscard]] inline double mean(std::span<const double> v) {
  if (v.empty()) return nan_value;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

/// A rate ratio of two counts over their exposures, with its confidence interval.
struct RateRatio {
  double ratio = nan_value;  ///< (a / e_a) / (b / e_b); +inf when b = 0 < a; NaN when a = b = 0
  /// Lower confidence bound of the ratio.
  double low = nan_value;
  /// Upper confidence bound of the ratio.
  double high = nan_value;
};

namespace detail {
/// The conditional (Clopper–Pearson) interval of a rate ratio from counts
/// a, b >= 0 (real: effective counts) with a + b > 0 over exposures e_a, e_b > 0.
[[nodiscard]] inline RateRatio rate_ratio_conditional(double a, double b, double level, double exposure_a,
                                                      double exposure_b) {
  RateRatio r;
  const double scale = exposure_b / exposure_a;
  const double alpha = 1.0 - level;
  const double p_low = a == 0.0 ? 0.0 : beta_quantile(a, b + 1.0, alpha / 2.0);
  const double p_high = b == 0.0 ? 1.0 : beta_quantile(a + 1.0, b, 1.0 - alpha / 2.0);
  const double inf = std::numeric_limits<double>::infinity();
  r.ratio = b == 0.0 ? inf : a / b * scale;
  r.low = p_low / (1.0 - p_low) * scale;
  r.high = p_high >= 1.0 ? inf : p_high / (1.0 - p_high) * scale;
  return r;
}

inline void check_rate_ratio_arguments(std::int64_t a, std::int64_t b, double exposure_a, double exposure_b,
                                       const char* what) {
  if (a < 0 || b < 0) calmkit::detail::throw_invalid(std::string(what) + ": counts must be >= 0");
  if (!(exposure_a >= 0.0 && exposure_b >= 0.0) || !std::isfinite(exposure_a) || !std::isfinite(exposure_b))
    calmkit::detail::throw_invalid(std::string(what) + ": exposures must be finite and >= 0");
}
}  // namespace detail

/// Rate ratio (a / exposure_a) / (b / exposure_b) of two Poisson counts, with
/// the exact conditional (Clopper–Pearson) interval: given n = a + b, a is
/// Binomial(n, p) with p = RR·e_a / (RR·e_a + e_b); the Clopper–Pearson
/// limits of p are mapped back by RR = p / (1 − p) · e_b / e_a (R's
/// `poisson.test(c(a, b), c(e_a, e_b))`). Exposures default to equal. a = 0
/// gives low = 0; b = 0 gives high = +inf; a = b = 0 or an exposure of 0
/// gives NaN throughout; std::invalid_argument for a negative count or a
/// negative or non-finite exposure.
[[nodiscard]] inline RateRatio rate_ratio_exact(std::int64_t a, std::int64_t b, double level = 0.95,
                                                double exposure_a = 1.0, double exposure_b = 1.0) {
  detail::check_confidence(level);
  detail::check_rate_ratio_arguments(a, b, exposure_a, exposure_b, "rate_ratio_exact");
  if (a + b == 0 || exposure_a == 0.0 || exposure_b == 0.0) return RateRatio{};
  return detail::rate_ratio_conditional(static_cast<double>(a), static_cast<double>(b), level, exposure_a,
                                        exposure_b);
}

/// `rate_ratio_exact` for overdispersed counts, whose variance is
/// `dispersion` (φ) times their mean (quasi-Poisson): the same estimate, and
/// the conditional interval of the effective counts a / s and b / s with
/// s = φ·(t / z)², t the two-sided `level` quantile of Student's t on `df`
/// degrees of freedom (those of φ's estimate) and z the normal one. Dividing
/// by φ gives counts whose variance equals their mean again (the effective
/// sample size of Kish 1965 and of Korn & Graubard 1998, who use it with
/// Clopper–Pearson limits for survey data), and the factor (t / z)² carries
/// the uncertainty of φ's estimate into the interval (Korn & Graubard 1998's
/// degrees-of-freedom adjustment): for large counts the limits approach the
/// quasi-Poisson Wald interval exp(log RR ± t·√(φ (1/a + 1/b))). φ = 1 and
/// df = +inf give `rate_ratio_exact`; φ = 0 (counts that fit the two rates
/// exactly) gives the zero-width interval [RR, RR]. NaN interval (the ratio
/// kept) for a NaN φ or df <= 0; otherwise as `rate_ratio_exact`, and
/// std::invalid_argument for a negative φ besides. Sources: McCullagh &
/// Nelder (1989), section 4.5; Korn & Graubard (1998), Survey Methodology
/// 24(2), 193–201.
[[nodiscard]] inline RateRatio rate_ratio_overdispersed(std::int64_t a, std::int64_t b, double dispersion,
                                                        double df, double level = 0.95,
                                                        double exposure_a = 1.0, double exposure_b = 1.0) {
  detail::check_confidence(level);
  detail::check_rate_ratio_arguments(a, b, exposure_a, exposure_b, "rate_ratio_overdispersed");
  if (dispersion < 0.0) calmkit::detail::throw_invalid("rate_ratio_overdispersed: dispersion must be >= 0");
  if (a + b == 0 || exposure_a == 0.0 || exposure_b == 0.0) return RateRatio{};
  const auto da = static_cast<double>(a), db = static_cast<double>(b);
  RateRatio r = detail::rate_ratio_conditional(da, db, level, exposure_a, exposure_b);
  if (std::isnan(dispersion) || !(df > 0.0)) {
    r.low = r.high = nan_value;
    return r;
  }
  if (dispersion == 0.0) {
    r.low = r.high = r.ratio;
    return r;
  }
  const double p = 0.5 + level / 2.0;
  const double t = std::isinf(df) ? normal_quantile(level) : student_t_quantile(df, p);
  const double ratio = t / normal_quantile(level);
  const double s = dispersion * ratio * ratio;
  const RateRatio widened = detail::rate_ratio_conditional(da / s, db / s, level, exposure_a, exposure_b);
  r.low = widened.low;
  r.high = widened.high;
  return r;
}

/// A slope with its standard error and confidence interval.
struct Slope {
  /// Estimated slope, per unit of x.
  double slope = nan_value;
  /// Standard error of the slope.
  double se = nan_value;
  /// Lower confidence bound of the slope.
  double low = nan_value;
  /// Upper confidence bound of the slope.
  double high = nan_value;
  double intercept = nan_value;  ///< at x = 0 (log scale for the Poisson fit)
  /// @{
  /// Variance of the intercept and its covariance with the slope, from the
  /// inverse Fisher information (`poisson_slope` only; NaN otherwise).
  double intercept_var = nan_value;
  double intercept_slope_cov = nan_value;
  /// @}
  /// Pearson dispersion estimate X² / (n − 2), X² = Σ (y − μ)² / μ over the
  /// fitted means μ (`poisson_slope` only; NaN with 2 points or no fit).
  double dispersion = nan_value;
  /// Degrees of freedom of the quantile the interval uses: +inf for the
  /// normal (`poisson_slope`), n − 2 for Student's t (`quasi_poisson_slope`).
  double df = std::numeric_limits<double>::infinity();
};

/// A fitted value with its pointwise confidence interval.
struct FittedValue {
  double fit = nan_value;   ///< fitted value
  double low = nan_value;   ///< lower bound
  double high = nan_value;  ///< upper bound
};

/// The rate a `poisson_slope` or `quasi_poisson_slope` fit gives at x per
/// unit of exposure, exp(a + b·x), with the Wald interval of the linear
/// predictor taken through the log link: exp(a + b·x ± q·SE), SE² = Var a +
/// 2x·Cov(a, b) + x²·Var b, q the normal quantile or, for the quasi-Poisson
/// fit, Student's t on its `df` (what statsmodels' GLM
/// `get_prediction(...).conf_int()` gives, fitted with `scale="X2",
/// use_t=True` for the latter). NaN when the fit has no slope; NaN bounds
/// when it has no variance (2 points, quasi-Poisson).
[[nodiscard]] inline FittedValue poisson_fitted(const Slope& s, double x, double level = 0.95) {
  FittedValue out;
  if (std::isnan(s.slope)) return out;
  const double eta = s.intercept + s.slope * x;
  const double var = s.intercept_var + 2.0 * x * s.intercept_slope_cov + x * x * s.se * s.se;
  out.fit = std::exp(eta);
  if (std::isnan(var) || !(s.df > 0.0)) return out;
  const double q = std::isinf(s.df) ? normal_quantile(level) : student_t_quantile(s.df, 0.5 + level / 2.0);
  const double half = q * std::sqrt(std::max(var, 0.0));
  out.low = std::exp(eta - half);
  out.high = std::exp(eta + half);
  return out;
}

/// Poisson log-linear regression log E[y_i] = log(e_i) + a + b x_i with
/// exposure e_i > 0 (the offset log(e_i); all 1 when `exposure` is empty),
/// fitted by Newton's method (identical to IRLS for the canonical log link)
/// with step halving on the log-likelihood, which is concave, so the fit
/// reaches the maximum however steep the series. exp(a) is then the rate per
/// unit of exposure at x = 0. Returns b, its standard error from the inverse
/// Fisher information, and the Wald interval b ± z·SE (statsmodels' GLM
/// Poisson and R's `glm(family = poisson)` give the same). NaN when fewer
/// than 2 points, all counts 0, all x equal, or the maximum likelihood
/// estimate does not exist: every positive count at the smallest x or every
/// one at the largest (Haberman 1974; b runs off to ±infinity). Otherwise the
/// estimate is finite, steep or not. Also gives the Pearson dispersion
/// estimate (`Slope::dispersion`), which this interval ignores: see
/// `quasi_poisson_slope`.
[[nodiscard]] inline Slope poisson_slope(std::span<const double> x, std::span<const double> y,
                                         std::span<const double> exposure, double level = 0.95) {
  const double z = normal_quantile(level);
  Slope out;
  const std::size_t n = x.size();
  if (n != y.size()) calmkit::detail::throw_invalid("poisson_slope: x and y differ in length");
  if (!exposure.empty() && exposure.size() != n)
    calmkit::detail::throw_invalid("poisson_slope: exposure and y differ in length");
  auto e = [&](std::size_t i) { return exposure.empty() ? 1.0 : exposure[i]; };
  if (n < 2) return out;
  double ysum = 0, xbar = 0, esum = 0;
  double xmin = x[0], xmax = x[0];
  for (std::size_t i = 0; i < n; ++i) {
    if (!(y[i] >= 0)) calmkit::detail::throw_invalid("poisson_slope: counts must be >= 0");
    if (!(e(i) > 0) || !std::isfinite(e(i)))
      calmkit::detail::throw_invalid("poisson_slope: exposures must be finite and > 0");
    ysum += y[i];
    esum += e(i);
    xbar += x[i];
    xmin = std::min(xmin, x[i]);
    xmax = std::max(xmax, x[i]);
  }
  xbar /= static_cast<double>(n);
  if (ysum <= 0) return out;
  double sxx = 0;
  for (std::size_t i = 0; i < n; ++i) sxx += (x[i] - xbar) * (x[i] - xbar);
  if (sxx <= 0) return out;
  // The MLE exists unless the positive counts all sit at one end of x.
  bool above_min = false, below_max = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (y[i] > 0) {
      above_min = above_min || x[i] > xmin;
      below_max = below_max || x[i] < xmax;
    }
  }
  if (!above_min || !below_max) return out;
  // Centred x keeps the information matrix well conditioned; b is unchanged.
  // The log-likelihood without its constant terms: sum y (a + b xc) - mu.
  auto loglik = [&](double a, double b) {
    double ll = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double eta = a + b * (x[i] - xbar);
      ll += y[i] * eta - e(i) * std::exp(eta);
    }
    return ll;
  };
  double a = std::log(ysum / esum), b = 0;
  double ll = loglik(a, b);
  double i00 = 0, i01 = 0, i11 = 0, pearson = 0;
  bool converged = false;
  for (int it = 0; it < 200; ++it) {
    double u0 = 0, u1 = 0;
    i00 = i01 = i11 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double xc = x[i] - xbar;
      const double mu = e(i) * std::exp(a + b * xc);
      u0 += y[i] - mu;
      u1 += (y[i] - mu) * xc;
      i00 += mu;
      i01 += mu * xc;
      i11 += mu * xc * xc;
    }
    const double det = i00 * i11 - i01 * i01;
    if (!(det > 0) || !std::isfinite(det)) break;
    const double da = (i11 * u0 - i01 * u1) / det;
    const double db = (i00 * u1 - i01 * u0) / det;
    // Converged when the step is negligible, or when the likelihood it
    // promises (the Newton decrement, u' I^-1 u) is below what rounding lets
    // the likelihood show: the step is then taken in full (Newton converges
    // quadratically there) and the information recomputed at the estimate.
    const double decrement = u0 * da + u1 * db;
    if ((std::abs(db) < 1e-12 * (1.0 + std::abs(b)) && std::abs(da) < 1e-12 * (1.0 + std::abs(a))) ||
        decrement <= 1e-16 * (1.0 + std::abs(ll))) {
      a += da;
      b += db;
      i00 = i01 = i11 = pearson = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double xc = x[i] - xbar;
        const double mu = e(i) * std::exp(a + b * xc);
        i00 += mu;
        i01 += mu * xc;
        i11 += mu * xc * xc;
        pearson += (y[i] - mu) * (y[i] - mu) / mu;
      }
      converged = true;
      break;
    }
    // Step halving: a full Newton step can overshoot on a steep series
    // (exp of a large linear predictor); a shorter one in the same direction
    // raises a concave likelihood.
    double t = 1.0;
    double next = loglik(a + da, b + db);
    while (!(next >= ll) && t > 1e-10) {
      t *= 0.5;
      next = loglik(a + t * da, b + t * db);
    }
    if (!(next >= ll)) break;
    a += t * da;
    b += t * db;
    ll = next;
  }
  if (!converged) return out;
  const double det = i00 * i11 - i01 * i01;
  out.slope = b;
  out.se = std::sqrt(i00 / det);
  out.low = b - z * out.se;
  out.high = b + z * out.se;
  out.intercept = a - b * xbar;
  // The inverse information of the centred fit, moved to x = 0 (a = a_c − b·x̄).
  const double var_c = i11 / det, var_b = i00 / det, cov_c = -i01 / det;
  out.intercept_var = var_c + xbar * xbar * var_b - 2.0 * xbar * cov_c;
  out.intercept_slope_cov = cov_c - xbar * var_b;
  if (n > 2) out.dispersion = pearson / (static_cast<double>(n) - 2.0);
  return out;
}

/// `poisson_slope` with equal exposure (no offset).
[[nodiscard]] inline Slope poisson_slope(std::span<const double> x, std::span<const double> y,
                                         double level = 0.95) {
  return poisson_slope(x, y, std::span<const double>{}, level);
}

/// The quasi-Poisson fit (McCullagh & Nelder 1989, section 4.5; R's
/// `glm(family = quasipoisson)`, statsmodels' GLM Poisson with
/// `scale="X2"`): the `poisson_slope` estimate, its variance multiplied by
/// the Pearson dispersion φ = X² / (n − 2) (so SE = √φ · the Poisson SE), and
/// the interval b ± t·SE with t Student's quantile on n − 2 degrees of
/// freedom. For counts whose variance exceeds their mean (φ > 1) the interval
/// widens as it should; φ is not floored at 1 (as in R and statsmodels): on
/// Poisson counts the interval keeps its coverage without the floor, and
/// flooring made short series' intervals cover 99–100 % (docs/metrics.md).
/// With 2 points the slope is estimated but φ, the SE and the interval are
/// NaN (no residual degrees of freedom); NaN throughout where
/// `poisson_slope` is.
[[nodiscard]] inline Slope quasi_poisson_slope(std::span<const double> x, std::span<const double> y,
                                               std::span<const double> exposure, double level = 0.95) {
  Slope out = poisson_slope(x, y, exposure, level);
  if (std::isnan(out.slope)) return out;
  const double phi = out.dispersion;
  out.df = static_cast<double>(x.size()) - 2.0;
  out.se *= std::sqrt(phi);
  out.intercept_var *= phi;
  out.intercept_slope_cov *= phi;
  if (std::isnan(phi)) {
    out.low = out.high = nan_value;
    return out;
  }
  const double t = student_t_quantile(out.df, 0.5 + level / 2.0);
  out.low = out.slope - t * out.se;
  out.high = out.slope + t * out.se;
  return out;
}

/// Ordinary least-squares slope of y on x with the t-based interval
/// (n − 2 degrees of freedom). NaN slope with fewer than 2 points or all x
/// equal; NaN SE/interval with fewer than 3 points.
[[nodiscard]] inline Slope ols_slope(std::span<const double> x, std::span<const double> y,
                                     double level = 0.95) {
  detail::check_confidence(level);
  Slope out;
  const std::size_t n = x.size();
  if (n != y.size()) calmkit::detail::throw_invalid("ols_slope: x and y differ in length");
  if (n < 2) return out;
  double xbar = 0, ybar = 0;
  for (std::size_t i = 0; i < n; ++i) {
    xbar += x[i];
    ybar += y[i];
  }
  xbar /= static_cast<double>(n);
  ybar /= static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - xbar) * (x[i] - xbar);
    sxy += (x[i] - xbar) * (y[i] - ybar);
  }
  if (sxx <= 0) return out;
  out.slope = sxy / sxx;
  out.intercept = ybar - out.slope * xbar;
  if (n < 3) return out;
  double rss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = y[i] - out.intercept - out.slope * x[i];
    rss += e * e;
  }
  const double df = static_cast<double>(n) - 2.0;
  out.se = std::sqrt(rss / df / sxx);
  const double t = student_t_quantile(df, 0.5 + level / 2.0);
  out.low = out.slope - t * out.se;
  out.high = out.slope + t * out.se;
  return out;
}

/// Within-person (fixed-effects) least-squares slope of y on x over several
/// people, with participant-clustered standard errors: the "within"
/// estimator of panel data (Wooldridge 2010, *Econometric Analysis of Cross
/// Section and Panel Data*, 2nd ed., ch. 10.5), the slope of
/// `y ~ x + C(group)` fitted by least squares. Each person's own mean of x
/// and y is removed before the fit, so people who differ in level, or who
/// joined at different times, do not make a slope when nobody changes.
///
/// @param x      the regressor (e.g. weeks since the cohort's first onset), n values
/// @param y      the outcome (e.g. an episode's peak intensity, 0–10), n values
/// @param group  each value's person as a code >= 0 (codes need not be contiguous), n values
/// @param level  confidence level in (0, 1)
/// @return slope per unit of x; se, the cluster-robust (CR1) standard error
///   √(c · Σ_g (Σ_{i∈g} x̃ᵢ eᵢ)²) / Σ x̃² with x̃ = x minus its person's mean,
///   e the within residuals and c = G/(G − 1) · (n − 1)/(n − G − 1), G the
///   people (statsmodels' OLS `cov_type="cluster"` with its default small-sample
///   correction and `use_t=True`); the interval slope ± t·se with t on G − 1
///   degrees of freedom (`df`); intercept ȳ − slope · x̄ over all values (the
///   line through the pooled centroid with the within slope). With one person
///   the fit is that person's own, so the result is `ols_slope` (its
///   model-based SE, t on n − 2 degrees of freedom): a cohort of one gives
///   the numbers of its person. NaN slope when no person's x varies; NaN se
///   and interval with n <= G + 1 (no residual degrees of freedom).
/// @throws calmkit::InvalidArgument when the spans differ in length, a code is
///   negative or `level` is outside (0, 1).
[[nodiscard]] inline Slope within_ols_slope(std::span<const double> x, std::span<const double> y,
                                            std::span<const std::int32_t> group, double level = 0.95) {
  detail::check_confidence(level);
  Slope out;
  const std::size_t n = x.size();
  if (n != y.size() || n != group.size()) {
    calmkit::detail::throw_invalid("within_ols_slope: x, y and group differ in length");
  }
  std::int32_t top = -1;
  for (const std::int32_t g : group) {
    if (g < 0) calmkit::detail::throw_invalid("within_ols_slope: group codes must be >= 0");
    top = std::max(top, g);
  }
  const std::size_t slots = top < 0 ? 0 : static_cast<std::size_t>(top) + 1;
  std::vector<double> sx(slots, 0.0), sy(slots, 0.0), cnt(slots, 0.0);
  double xbar = 0, ybar = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::size_t>(group[i]);
    sx[g] += x[i];
    sy[g] += y[i];
    cnt[g] += 1.0;
    xbar += x[i];
    ybar += y[i];
  }
  if (n == 0) return out;
  if (std::count_if(cnt.begin(), cnt.end(), [](double c) { return c > 0; }) == 1)
    return ols_slope(x, y, level);
  xbar /= static_cast<double>(n);
  ybar /= static_cast<double>(n);
  std::size_t people = 0;
  for (std::size_t g = 0; g < slots; ++g) {
    if (cnt[g] > 0) {
      ++people;
      sx[g] /= cnt[g];
      sy[g] /= cnt[g];
    }
  }
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::size_t>(group[i]);
    const double dx = x[i] - sx[g];
    sxx += dx * dx;
    sxy += dx * (y[i] - sy[g]);
  }
  if (!(sxx > 0)) return out;
  out.slope = sxy / sxx;
  out.intercept = ybar - out.slope * xbar;
  const double nn = static_cast<double>(n);
  const double gg = static_cast<double>(people);
  if (nn <= gg + 1.0) return out;
  std::vector<double> score(slots, 0.0);  // Σ_{i∈g} x̃ᵢ eᵢ per person
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::size_t>(group[i]);
    const double dx = x[i] - sx[g];
    score[g] += dx * ((y[i] - sy[g]) - out.slope * dx);
  }
  double meat = 0;
  for (const double u : score) meat += u * u;
  const double c = gg / (gg - 1.0) * (nn - 1.0) / (nn - gg - 1.0);
  out.df = gg - 1.0;
  out.se = std::sqrt(c * meat) / sxx;
  const double t = student_t_quantile(out.df, 0.5 + level / 2.0);
  out.low = out.slope - t * out.se;
  out.high = out.slope + t * out.se;
  return out;
}

}  // namespace calmkit::metrics
