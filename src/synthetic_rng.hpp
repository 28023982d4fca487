// Random numbers for the synthetic generator (src/synthetic.cpp): a
// xoshiro256** generator seeded through splitmix64, one independent stream per
// (seed, participant, purpose), and every distribution the generator draws
// from, written from IEEE-754 basic operations so that the same seed gives the
// same journal with every C library (no std::exp/std::log: their last bit may
// differ; det_exp/det_log below are exact to the rounding of + - * /).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#if defined(__clang__)
// Fused multiply-add would change the last bits of the polynomials below.
#pragma STDC FP_CONTRACT OFF
#endif

namespace calmkit::detail::synthetic {

inline std::uint64_t splitmix64_next(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// The seed of one independent stream: (user seed, participant index, purpose).
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t participant,
                                 std::uint64_t purpose) noexcept {
  std::uint64_t s = seed;
  std::uint64_t h = splitmix64_next(s);
  h ^= 0xD6E8FEB86659FD93ULL * (participant + 1);
  h = splitmix64_next(h);
  h ^= 0xA0761D6478BD642FULL * (purpose + 1);
  return splitmix64_next(h);
}

/// exp(x) from basic operations only: x = k ln2 + r, |r| <= ln2/2, Taylor to r^13
/// (truncation error < 1e-17 relative), then an exact scaling by 2^k.
inline double det_exp(double x) noexcept {
  if (x < -700.0) return 0.0;
  if (x > 700.0) x = 700.0;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // fdlibm's split of ln 2
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double inv_ln2 = 1.44269504088896338700e+00;
  const double k = std::floor(x * inv_ln2 + 0.5);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double p = 1.0;
  for (int n = 13; n >= 1; --n) p = 1.0 + r * p / n;
  return std::ldexp(p, static_cast<int>(k));
}

/// log(x), x > 0, from basic operations: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
/// log m = 2 atanh((m-1)/(m+1)) as a series in s = f^2 <= 0.0295 to s^11.
inline double det_log(double x) noexcept {
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  int e = 0;
  double m = std::frexp(x, &e);  // [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  const double f = (m - 1.0) / (m + 1.0);
  const double s = f * f;
  double t = 1.0 / 23.0;
  for (int n = 21; n >= 1; n -= 2) t = 1.0 / n + s * t;
  return e * ln2_hi + (2.0 * f * t + e * ln2_lo);
}

/// xoshiro256** (Blackman & Vigna) with the distributions the generator needs.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& w : s_) w = splitmix64_next(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform on [a, b).
  double uniform(double a, double b) noexcept { return a + (b - a) * uniform(); }
  /// Uniform integer on [lo, hi], unbiased (rejection).
  int uniform_int(int lo, int hi) noexcept {
    const std::uint64_t range = static_cast<std::uint64_t>(hi - lo) + 1;
    const std::uint64_t threshold = (0 - range) % range;
    std::uint64_t r = next();
    while (r < threshold) r = next();
    return lo + static_cast<int>(r % range);
  }
  bool bernoulli(double p) noexcept { return uniform() < p; }
  /// Exponential with the given rate (mean 1/rate).
  double exponential(double rate) noexcept { return -det_log(1.0 - uniform()) / rate; }
  /// Normal by Marsaglia's polar form of Box–Muller (needs only log and sqrt).
  double normal(double mean, double sd) noexcept {
    double u = 0.0, v = 0.0, s = 0.0;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return mean + sd * u * std::sqrt(-2.0 * det_log(s) / s);
  }
  /// Log-normal with median `median` and log-sd `sigma`.
  double lognormal(double median, double sigma) noexcept { return median * det_exp(normal(0.0, sigma)); }
  /// Poisson: Knuth's product of uniforms for small means, a rounded normal above 30.
  int poisson(double mean) noexcept {
    if (mean <= 0.0) return 0;
    if (mean > 30.0) {
      const double x = std::floor(normal(mean, std::sqrt(mean)) + 0.5);
      return x < 0.0 ? 0 : static_cast<int>(std::min(x, 1e9));
    }
    const double limit = det_exp(-mean);
    int k = 0;
    double p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }
  /// Index drawn with probability proportional to `weights` (all >= 0, sum > 0).
  std::size_t categorical(std::span<const double> weights) noexcept {
    double total = 0.0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;  // only reached through rounding
  }
  /// Up to `n` distinct indices drawn by weight, without replacement, in draw order.
  std::vector<std::size_t> distinct(std::span<const double> weights, std::size_t n) {
    std::vector<double> w(weights.begin(), weights.end());
    std::vector<std::size_t> out;
    n = std::min(n, w.size());
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = categorical(w);
      out.push_back(k);
      w[k] = 0.0;
    }
    return out;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

/// Equal weights for picking from a phrase list.
template <std::size_t N>
inline std::array<double, N> flat() {
  std::array<double, N> w{};
  w.fill(1.0);
  return w;
}

template <std::size_t N>
inline std::string pick(Rng& rng, const std::array<std::string_view, N>& list) {
  return std::string(list[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(N) - 1))]);
}

template <std::size_t N>
inline std::vector<std::string> pick_distinct(Rng& rng, const std::array<std::string_view, N>& list,
                                              std::size_t n) {
  const auto w = flat<N>();
  std::vector<std::string> out;
  for (std::size_t i : rng.distinct(w, n)) out.emplace_back(list[i]);
  return out;
}

inline int clamp_round(double x, int lo, int hi) noexcept {
  const double r = std::floor(x + 0.5);
  if (r < lo) return lo;
  if (r > hi) return hi;
  return static_cast<int>(r);
}

/// a -> b log-linearly as progress w goes 0 -> 1 (both > 0).
inline double loglinear(double a, double b, double w) noexcept {
  return a * det_exp(w * det_log(b / a));
}
inline double linear(double a, double b, double w) noexcept {
  return a + (b - a) * w;
}

}  // namespace calmkit::detail::synthetic
