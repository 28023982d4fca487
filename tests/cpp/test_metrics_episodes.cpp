// Episodes, time-to-calm, Kaplan–Meier and the summary: hand-computed cases.
#include <calmkit/metrics.hpp>

#include <boost/multiprecision/cpp_int.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "metrics_fixtures.hpp"

using namespace calmkit::metrics;
using fixtures::exercise;
using fixtures::reading;
using fixtures::trigger;

namespace {

// One participant, six episodes, θ = 3, window 12 h (all times +01:00):
//  t1 10:00 (8): linked 10:30 (5), unlinked 11:00 (2)       -> calm at 60 min
//  t2 13:00 (7): unlinked 13:20 (6), 14:00 (5)              -> censored at 60 min
//  t3 14:30 (9): unlinked 14:45 (3) - the next onset (t3) cut t2's window,
//                so 14:45 belongs to t3 only                 -> calm at 15 min
//  t4 next day 09:00 (2): onset already calm (a later 8 changes nothing) -> 0
//  t5 04 Mar 08:00 (9): exercise 08:10 before 8, 08:30 after 5; unlinked
//     20:00 (4) is exactly onset + 12 h (inside), 20:30 (1) is past the
//     window                                                 -> censored at 720 min
//  t6 05 Mar 08:00 (6): exercise 08:05 before 6, 08:20 after 2 -> calm at 20 min
calmkit::Journal six_episodes() {
  calmkit::Journal j;
  j.add(trigger("a", "t1", "2026-03-02T10:00:00+01:00", 8));
  j.add(trigger("a", "t2", "2026-03-02T13:00:00+01:00", 7));
  j.add(trigger("a", "t3", "2026-03-02T14:30:00+01:00", 9, calmkit::TriggerCategory::conflict));
  j.add(trigger("a", "t4", "2026-03-03T09:00:00+01:00", 2));
  j.add(trigger("a", "t5", "2026-03-04T08:00:00+01:00", 9, calmkit::TriggerCategory::conflict));
  j.add(trigger("a", "t6", "2026-03-05T08:00:00+01:00", 6));
  j.add(reading("a", "2026-03-02T10:30:00+01:00", 5, "t1"));
  j.add(reading("a", "2026-03-02T11:00:00+01:00", 2));
  j.add(reading("a", "2026-03-02T13:20:00+01:00", 6));
  j.add(reading("a", "2026-03-02T14:00:00+01:00", 5));
  j.add(reading("a", "2026-03-02T14:45:00+01:00", 3));
  j.add(reading("a", "2026-03-03T09:10:00+01:00", 8));
  j.add(reading("a", "2026-03-04T20:00:00+01:00", 4));
  j.add(reading("a", "2026-03-04T20:30:00+01:00", 1));
  j.add(
      exercise("a", "e1", "2026-03-04T08:10:00+01:00", "2026-03-04T08:30:00+01:00", "breathing", 8, 5, "t5"));
  j.add(
      exercise("a", "e2", "2026-03-05T08:05:00+01:00", "2026-03-05T08:20:00+01:00", "grounding", 6, 2, "t6"));
  return j;
}

}  // namespace

TEST_CASE("time-to-calm per episode follows the observation rules") {
  const auto cols = Cohort::from_journal(six_episodes());
  const auto eps = time_to_calm(cols);
  REQUIRE(eps.size() == 6);
  CHECK(eps.minutes[0] == 60.0);
  CHECK(eps.calmed[0] == 1);
  CHECK(eps.observations[0] == 2);
  CHECK(eps.minutes[1] == 60.0);  // censored at its last observation, 14:00
  CHECK(eps.calmed[1] == 0);
  CHECK(eps.observations[1] == 2);  // 14:45 went to t3
  CHECK(eps.minutes[2] == 15.0);
  CHECK(eps.calmed[2] == 1);
  CHECK(eps.observations[2] == 1);
  CHECK(eps.minutes[3] == 0.0);  // onset 2 <= θ
  CHECK(eps.calmed[3] == 1);
  CHECK(eps.peak_intensity[3] == 8);  // peak still sees the later reading of 8
  CHECK(eps.minutes[4] == 720.0);
  CHECK(eps.calmed[4] == 0);
  CHECK(eps.observations[4] == 3);  // 08:10, 08:30, 20:00 (not 20:30)
  CHECK(eps.with_exercise[4] == 1);
  CHECK(eps.minutes[5] == 20.0);  // the exercise's after-rating at its end
  CHECK(eps.calmed[5] == 1);
  CHECK(eps.with_exercise[0] == 0);
}

TEST_CASE("threshold and window are parameters") {
  const auto cols = Cohort::from_journal(six_episodes());
  // θ = 5: t1 calms at the linked 10:30 reading of 5 (30 min); t2 at 14:00 (60 min, now calmed).
  const auto e5 = time_to_calm(cols, {.threshold = 5, .window_hours = 12});
  CHECK(e5.minutes[0] == 30.0);
  CHECK(e5.calmed[1] == 1);
  // A 1-hour window: t5 keeps only its exercise ratings, censored at 08:30 (30 min).
  const auto w1 = time_to_calm(cols, {.threshold = 3, .window_hours = 1});
  CHECK(w1.minutes[4] == 30.0);
  CHECK(w1.calmed[4] == 0);
  CHECK_THROWS_AS(time_to_calm(cols, {.threshold = 11}), std::invalid_argument);
  CHECK_THROWS_AS(time_to_calm(cols, {.threshold = 3, .window_hours = -1}), std::invalid_argument);
}

TEST_CASE("an episode with no observation is censored at its onset") {
  calmkit::Journal j;
  j.add(trigger("a", "t1", "2026-03-02T10:00:00Z", 7));
  j.add(reading("a", "2026-03-02T09:00:00Z", 1, "t1"));  // linked but before onset: ignored
  const auto eps = time_to_calm(Cohort::from_journal(j));
  CHECK(eps.minutes[0] == 0.0);
  CHECK(eps.calmed[0] == 0);
  CHECK(eps.observations[0] == 0);
}

TEST_CASE("Kaplan-Meier: calm events come before censorings at a tied time") {
  // The six episodes above: (0,c) (15,c) (20,c) (60,c) (60,censored) (720,censored).
  // S(0)=5/6, S(15)=4/6, S(20)=3/6=0.5, S(60)=0.5*(1-1/3)=1/3: at 60 the
  // censored episode is still at risk (n=3). Censoring first would give n=2, S=0.25.
  const auto cols = Cohort::from_journal(six_episodes());
  const auto eps = time_to_calm(cols);
  const auto km = kaplan_meier(eps.minutes, eps.calmed);
  REQUIRE(km.size() == 5);
  CHECK(km.time[3] == 60.0);
  CHECK(km.at_risk[3] == 3);
  CHECK(km.events[3] == 1);
  CHECK(km.censored[3] == 1);
  CHECK(km.survival[2] == Approx(0.5));
  CHECK(km.survival[3] == Approx(1.0 / 3.0));
  // Greenwood at 20: 1/30 + 1/20 + 1/12 = 1/6; σ = √(1/6)/ln 2 = 0.58899;
  // band 0.5^exp(±1.96σ) = [0.11095, 0.80371] (computed by hand in Python).
  CHECK(km.low[2] == Approx(0.110948).epsilon(1e-4));
  CHECK(km.high[2] == Approx(0.803709).epsilon(1e-4));
  const auto m = km_median(km);
  CHECK(m.median == 20.0);    // first time with S <= 0.5
  CHECK(m.low == 0.0);        // lower band is already 0.273 at t = 0
  CHECK(std::isnan(m.high));  // upper band never reaches 0.5 with 6 episodes
}

TEST_CASE("Kaplan-Meier median and Brookmeyer-Crowley interval on 20 events") {
  // Times 1..20, all calmed: S(t) = 1 - t/20, median 10. Lower log-log band
  // first <= 0.5 at t = 5 (0.49994), upper band first <= 0.5 at t = 15
  // (0.4485; at 14 it is 0.5014).
  std::vector<double> t;
  std::vector<std::uint8_t> c;
  for (int i = 1; i <= 20; ++i) {
    t.push_back(i);
    c.push_back(1);
  }
  const auto m = km_median(kaplan_meier(t, c));
  CHECK(m.median == 10.0);
  CHECK(m.low == 5.0);
  CHECK(m.high == 15.0);
}

TEST_CASE("Kaplan-Meier median is NaN when S never reaches 0.5") {
  std::vector<double> t{5, 10, 20, 30};
  std::vector<std::uint8_t> c{1, 0, 0, 0};  // S = 0.75 and stays
  CHECK(std::isnan(km_median(kaplan_meier(t, c)).median));
  CHECK(std::isnan(km_median(kaplan_meier({}, {})).median));
  std::vector<double> bad{-1};
  std::vector<std::uint8_t> one{1};
  CHECK_THROWS_AS(kaplan_meier(bad, one), std::invalid_argument);
}

namespace {
// Independent O(n²) product-limit median in exact rational arithmetic: for
// each candidate time u in ascending order, S(u) = Π over event times s <= u
// of (1 - d(s)/n(s)), with d and n counted by scanning every episode.
double naive_median(const std::vector<double>& t, const std::vector<std::uint8_t>& c) {
  using boost::multiprecision::cpp_rational;
  std::vector<double> times = t;
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  cpp_rational s = 1;
  for (double u : times) {
    long d = 0, n = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] >= u) ++n;
      if (t[i] == u && c[i]) ++d;
    }
    s *= 1 - cpp_rational(d, n);
    if (s <= cpp_rational(1, 2)) return u;
  }
  return std::nan("");
}
}  // namespace

TEST_CASE("Kaplan-Meier median at an exact S = 1/2 is that time (issue 13, case 2)") {
  // Times 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, all calmed: S(1) = 9/10, S(2) = 7/10,
  // S(3) = 6/10, S(4) = 5/10 exactly, so the median is 4. A running product
  // of 1 - d/n gives 0.5000000000000001 at 4 and moved the median to 5.
  const std::vector<double> t{1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<std::uint8_t> all(10, 1);
  const auto km = kaplan_meier(t, all);
  CHECK(km.survival[3] == 0.5);  // exactly
  CHECK(km_median(km).median == 4.0);
  std::vector<std::uint64_t> scratch;
  CHECK(km_median(t, all, 0.95, scratch).median == 4.0);
  // The same with 5..9 censored: S(4) = 5/10 and no event after it, so the
  // median is still 4 (it was NaN: S never got "below" 0.5000000000000001).
  const std::vector<std::uint8_t> half{1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
  CHECK(km_median(kaplan_meier(t, half)).median == 4.0);
  CHECK(km_median(t, half, 0.95, scratch).median == 4.0);
}

TEST_CASE("Kaplan-Meier median of n distinct calm times is n/2 for every even n") {
  // No censoring: S(k) = (n - k)/n, exactly 1/2 at k = n/2.
  std::vector<std::uint64_t> scratch;
  for (int n = 2; n <= 600; n += 2) {
    std::vector<double> t;
    for (int i = 1; i <= n; ++i) t.push_back(i * 1.5);
    const std::vector<std::uint8_t> c(t.size(), 1);
    INFO("n " << n);
    const auto km = kaplan_meier(t, c);
    CHECK(km.survival[static_cast<std::size_t>(n / 2 - 1)] == 0.5);
    CHECK(km_median(km).median == n / 2 * 1.5);
    CHECK(km_median(t, c, 0.95, scratch).median == n / 2 * 1.5);
  }
}

TEST_CASE("Kaplan-Meier S = 1/2 reached through censored steps is exact too") {
  // 30 episodes: t=1 five calm (S = 25/30 = 5/6), t=2 five censored (20 at
  // risk at t=3), t=3 eight calm (S = 5/6 * 12/20 = 1/2 exactly), t=4 twelve
  // censored. The factors do not telescope here: 12/20 is not 20/25.
  std::vector<double> t;
  std::vector<std::uint8_t> c;
  auto add = [&](double time, int count, bool calmed) {
    for (int i = 0; i < count; ++i) {
      t.push_back(time);
      c.push_back(calmed ? 1 : 0);
    }
  };
  add(1, 5, true);
  add(2, 5, false);
  add(3, 8, true);
  add(4, 12, false);
  const auto km = kaplan_meier(t, c);
  REQUIRE(km.size() == 4);
  CHECK(km.survival[2] == 0.5);
  CHECK(km_median(km).median == 3.0);
  std::vector<std::uint64_t> scratch;
  CHECK(km_median(t, c, 0.95, scratch).median == 3.0);
}

TEST_CASE("Kaplan-Meier quantiles are decided exactly too") {
  // 1, 2, 3, 4 all calmed: S = 3/4, 1/2, 1/4, 0.
  const std::vector<double> t{1, 2, 3, 4};
  const std::vector<std::uint8_t> c(4, 1);
  const auto km = kaplan_meier(t, c);
  CHECK(km_quantile(km, 0.25).median == 1.0);
  CHECK(km_quantile(km, 0.5).median == 2.0);
  CHECK(km_quantile(km, 0.75).median == 3.0);
  // 12 distinct calm times: S(k) = (12 - k)/12; 3/4 at k = 3, 1/4 at k = 9
  // (as doubles 1 - 3/12 etc.; the product of factors (n-d)/n need not be).
  std::vector<double> t12;
  for (int i = 1; i <= 12; ++i) t12.push_back(i);
  const auto km12 = kaplan_meier(t12, std::vector<std::uint8_t>(12, 1));
  CHECK(km_quantile(km12, 0.25).median == 3.0);
  CHECK(km_quantile(km12, 0.75).median == 9.0);
  CHECK(km_quantile(km12, 0.5).median == km_median(km12).median);
  CHECK_THROWS_AS(km_quantile(km12, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(km_quantile(km12, 0.0), std::invalid_argument);
  // p is read as its decimal: 10 distinct calm times, S(9) = 1/10 exactly, so
  // 9 is the 0.9-quantile (the double 1 - 0.9 = 0.09999999999999998 is below
  // 1/10 and would give 10), and S(1) = 9/10 makes 1 the 0.1-quantile.
  std::vector<double> t10;
  for (int i = 1; i <= 10; ++i) t10.push_back(i);
  const auto km10 = kaplan_meier(t10, std::vector<std::uint8_t>(10, 1));
  CHECK(km_quantile(km10, 0.9).median == 9.0);
  CHECK(km_quantile(km10, 0.1).median == 1.0);
  CHECK(km_quantile(km10, 0.7).median == 7.0);
  CHECK(km_quantile(km10, 0.3).median == 3.0);
  // Just above a tenth of the way is the next time.
  CHECK(km_quantile(km10, 0.9000001).median == 10.0);
  CHECK(km_quantile(km10, 1e-300).median == 1.0);  // a long decimal: no overflow, S(1) = 0.9 <= 1 - 1e-300
}

TEST_CASE("km_quantiles: every group's curve at each p, and p = 0.5 is the summary's median") {
  // Two groups (participants 0 and 1): 1..4 all calmed; 10, 20 (censored), 30.
  const std::vector<std::int32_t> participant{0, 0, 0, 0, 1, 1, 1};
  const std::vector<std::int64_t> onset(7, 0);
  const std::vector<std::int16_t> offset(7, 0);
  const std::vector<std::uint8_t> category(7, 0);
  const std::vector<double> minutes{1, 2, 3, 4, 10, 20, 30};
  const std::vector<std::uint8_t> calmed{1, 1, 1, 1, 1, 0, 1};
  const EpisodeKeys keys{participant, onset, offset, category};
  GroupBy by;
  by.participant = true;
  const auto curves = km_curves(keys, minutes, calmed, by);
  const std::vector<double> p{0.25, 0.5, 0.75};
  const auto q = km_quantiles(curves, p);
  REQUIRE(q.size() == 6);
  CHECK(q.group == std::vector<std::int64_t>{0, 0, 0, 1, 1, 1});
  CHECK(q.p[1] == 0.5);
  // Group 0: S = 3/4, 1/2, 1/4, 0 -> 1, 2, 3. Group 1: S = 2/3 at 10, 0 at 30
  // (20 censored): 0.25 -> 10, 0.5 -> 30, 0.75 -> 30.
  CHECK(q.minutes == std::vector<double>{1, 2, 3, 10, 30, 30});
  for (std::size_t g = 0; g < 2; ++g) {
    CHECK(q.minutes[3 * g + 1] == curves.groups.median_minutes[g]);
    CHECK((std::isnan(q.low[3 * g + 1]) ? std::isnan(curves.groups.ci_low[g])
                                        : q.low[3 * g + 1] == curves.groups.ci_low[g]));
    CHECK((std::isnan(q.high[3 * g + 1]) ? std::isnan(curves.groups.ci_high[g])
                                         : q.high[3 * g + 1] == curves.groups.ci_high[g]));
  }
  const std::vector<double> bad{0.5, 1.0};
  CHECK_THROWS_AS(km_quantiles(curves, bad), std::invalid_argument);
}

TEST_CASE("Kaplan-Meier band is NaN where S = 0 (issue 13, case 3)") {
  // One episode calmed at 5 min: S(5) = 0 and Greenwood's variance of
  // log(-log S) is undefined there: R's survfit(conf.type = "log-log") gives
  // NA, NA. The median is 5 and its interval has no end on either side (it
  // was [5, 5]).
  const std::vector<double> t{5};
  const std::vector<std::uint8_t> c{1};
  const auto km = kaplan_meier(t, c);
  CHECK(km.survival[0] == 0.0);
  CHECK(std::isnan(km.low[0]));
  CHECK(std::isnan(km.high[0]));
  const auto m = km_median(km);
  CHECK(m.median == 5.0);
  CHECK(std::isnan(m.low));
  CHECK(std::isnan(m.high));
  std::vector<std::uint64_t> scratch;
  const auto fast = km_median(t, c, 0.95, scratch);
  CHECK(fast.median == 5.0);
  CHECK(std::isnan(fast.low));
  CHECK(std::isnan(fast.high));
  // 1, 2, 2, 3, 4, 5, 6, 7, 8, 9 all calmed: R's survfit gives the upper band
  // 0.4747 at 7, NA at 9 (S = 0); the interval of the median is [1, 7].
  const std::vector<double> t10{1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto km10 = kaplan_meier(t10, std::vector<std::uint8_t>(10, 1));
  CHECK(std::isnan(km10.high.back()));
  CHECK(km10.high[6] == Approx(0.4747147).epsilon(1e-6));
  const auto m10 = km_median(km10);
  CHECK(m10.low == 1.0);
  CHECK(m10.high == 7.0);
}

TEST_CASE("Kaplan-Meier median agrees with a naive implementation on random data") {
  std::mt19937 rng(42);
  for (int rep = 0; rep < 300; ++rep) {
    const int n = std::uniform_int_distribution<int>(1, 60)(rng);
    std::vector<double> t(static_cast<std::size_t>(n));
    std::vector<std::uint8_t> c(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      t[static_cast<std::size_t>(i)] = std::uniform_int_distribution<int>(0, 12)(rng) * 5.0;  // many ties
      c[static_cast<std::size_t>(i)] = std::bernoulli_distribution(0.6)(rng) ? 1 : 0;
    }
    const double expected = naive_median(t, c);
    const double got = km_median(kaplan_meier(t, c)).median;
    if (std::isnan(expected)) {
      CHECK(std::isnan(got));
    } else {
      CHECK(got == expected);
    }
  }
}

TEST_CASE("the direct median equals the median of the full step function, bit for bit") {
  // km_median(time, calmed, level, scratch) skips the band where it cannot
  // decide an end of the interval; every end must still be the same number.
  std::mt19937 rng(7);
  std::vector<std::uint64_t> scratch;
  int with_high = 0;
  for (int rep = 0; rep < 2000; ++rep) {
    const int n = std::uniform_int_distribution<int>(0, 80)(rng);
    const bool coarse = rep % 2 == 0;  // many ties, or nearly all distinct times
    std::vector<double> t(static_cast<std::size_t>(n));
    std::vector<std::uint8_t> c(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = coarse ? std::uniform_int_distribution<int>(0, 10)(rng) * 15.0
                    : std::uniform_real_distribution<double>(0, 600)(rng);
      c[i] = std::bernoulli_distribution(rep % 3 == 0 ? 0.95 : 0.6)(rng) ? 1 : 0;
    }
    const double level = rep % 5 == 0 ? 0.9 : 0.95;
    const auto full = km_median(kaplan_meier(t, c, level));
    const auto fast = km_median(t, c, level, scratch);
    auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    INFO("rep " << rep << ", n " << n);
    CHECK(same(fast.median, full.median));
    CHECK(same(fast.low, full.low));
    CHECK(same(fast.high, full.high));
    with_high += std::isnan(full.high) ? 0 : 1;
  }
  CHECK(with_high > 200);  // the upper end is exercised, not only NaN
  const std::vector<double> bad{1.0, -2.0};
  const std::vector<std::uint8_t> flags{1, 1};
  CHECK_THROWS_WITH(km_median(bad, flags, 0.95, scratch), Catch::Contains("time 1"));
}

TEST_CASE("the band's ends reach 1/2 on the log scale exactly when the band itself does") {
  // band_at_or_below_half decides S^E <= 1/2 without pow; near the boundary
  // (the greenwood sum chosen so that the lower or upper end is 1/2 up to a
  // few ulps) it must still agree with log_log_band, case by case.
  std::mt19937 rng(11);
  int near_half = 0;
  for (int rep = 0; rep < 20000; ++rep) {
    const double s = std::uniform_real_distribution<double>(1e-6, 1.0)(rng);
    const double z = rep % 3 == 0 ? 1.6448536269514722 : 1.959963984540054;
    double greenwood = std::uniform_real_distribution<double>(0.0, 0.5)(rng);
    if (rep % 2 == 0) {
      // sigma with (-log s) * exp(+-z sigma) = log 2, then nudged by a few ulps.
      const double minus_log_s = -std::log(s);
      const double sigma = std::abs(std::log(0.6931471805599453 / minus_log_s)) / z;
      greenwood = sigma * minus_log_s * sigma * minus_log_s;
      for (int k = std::uniform_int_distribution<int>(-4, 4)(rng); k != 0; k += k > 0 ? -1 : 1)
        greenwood = std::nextafter(greenwood, k > 0 ? 1.0 : 0.0);
    }
    double lo = 1.0, hi = 1.0;
    detail::log_log_band(s, greenwood, z, true, true, lo, hi);
    bool low = false, high = false;
    detail::band_at_or_below_half(s, greenwood, z, true, true, low, high);
    INFO("s " << s << ", greenwood " << greenwood << ", lo " << lo << ", hi " << hi);
    CHECK(low == (lo <= 0.5));
    CHECK(high == (hi <= 0.5));
    near_half += std::abs(lo - 0.5) < 1e-12 || std::abs(hi - 0.5) < 1e-12 ? 1 : 0;
  }
  CHECK(near_half > 1000);  // the fallback to the band itself is exercised
  bool low = true, high = true;
  detail::band_at_or_below_half(0.0, 0.1, 1.96, true, true, low, high);  // S = 0: NaN band
  CHECK((!low && !high));
  detail::band_at_or_below_half(1.0, 0.0, 1.96, true, true, low, high);  // before the first event: [1, 1]
  CHECK((!low && !high));
}

TEST_CASE("a summary of episode arrays equals the cohort's, and bad arrays name the row") {
  const auto cols = Cohort::from_journal(six_episodes());
  const auto eps = time_to_calm(cols);
  const GroupBy by{.participant = true, .period = {}, .category = true};
  const auto a = time_to_calm_summary(cols, eps, by);
  const auto b = time_to_calm_summary(EpisodeKeys::of(cols), eps.minutes, eps.calmed, by);
  CHECK(a.category == b.category);
  CHECK(a.episodes == b.episodes);
  CHECK(a.median_minutes == b.median_minutes);

  // A subset: only the delayed_reply episodes t1, t2, t4, t6 (rows 0, 1, 3, 5):
  // times 60 (c), 60 (censored), 0 (c), 20 (c) -> S(0) = 3/4, S(20) = 1/2 -> median 20.
  const std::vector<std::int32_t> p{0, 0, 0, 0};
  const std::vector<std::int64_t> on{cols.triggers.time_us[0], cols.triggers.time_us[1],
                                     cols.triggers.time_us[3], cols.triggers.time_us[5]};
  const std::vector<std::int16_t> off{60, 60, 60, 60};
  const std::vector<std::uint8_t> cat(4, static_cast<std::uint8_t>(calmkit::TriggerCategory::delayed_reply));
  const std::vector<double> mins{60, 60, 0, 20};
  std::vector<std::uint8_t> calm{1, 0, 1, 1};
  const EpisodeKeys keys{p, on, off, cat};
  const auto sub = time_to_calm_summary(keys, mins, calm);
  REQUIRE(sub.size() == 1);
  CHECK(sub.median_minutes[0] == 20.0);
  CHECK(sub.censored[0] == 1);

  calm[2] = 2;
  CHECK_THROWS_WITH(time_to_calm_summary(keys, mins, calm), "episodes row 2, field 'calmed': must be 0 or 1");
  calm[2] = 1;
  const std::vector<double> nan_minutes{60, std::nan(""), 0, 20};
  CHECK_THROWS_WITH(time_to_calm_summary(keys, nan_minutes, calm),
                    "episodes row 1, field 'minutes': must be a finite number of minutes >= 0, got nan");
  const std::vector<double> short_minutes{60, 60};
  CHECK_THROWS_WITH(time_to_calm_summary(keys, short_minutes, calm), Catch::Contains("differ in length"));
}

TEST_CASE("summary per participant, per week and per category") {
  const auto cols = Cohort::from_journal(six_episodes());
  const auto eps = time_to_calm(cols);
  const auto s = time_to_calm_summary(cols, eps);
  REQUIRE(s.size() == 1);
  CHECK(s.episodes[0] == 6);
  CHECK(s.calmed[0] == 4);
  CHECK(s.censored[0] == 2);
  CHECK(s.median_minutes[0] == 20.0);
  CHECK(s.ci_low[0] == 0.0);
  CHECK(std::isnan(s.ci_high[0]));

  // By category: conflict = t3 (15, calm) and t5 (720, censored): S(15) = 0.5 -> median 15.
  // delayed_reply = t1 (60 c), t2 (60 cens), t4 (0 c), t6 (20 c):
  // S(0)=3/4, S(20)=3/4*2/3=1/2 -> median 20.
  const auto byc = time_to_calm_summary(cols, eps, {.participant = true, .period = {}, .category = true});
  REQUIRE(byc.size() == 2);
  CHECK(byc.category[0] == static_cast<int>(calmkit::TriggerCategory::delayed_reply));
  CHECK(byc.median_minutes[0] == 20.0);
  CHECK(byc.category[1] == static_cast<int>(calmkit::TriggerCategory::conflict));
  CHECK(byc.median_minutes[1] == 15.0);

  // By ISO week: all six fall in the week of Monday 2026-03-02.
  const auto byw = time_to_calm_summary(cols, eps, {.participant = true, .period = Period::week});
  REQUIRE(byw.size() == 1);
  CHECK(byw.period_start[0] == calmkit::Instant::date_to_day(boost::gregorian::date(2026, 3, 2)));

  // KM curves stack one step function per group.
  const auto curves = km_curves(cols, eps, {.participant = true, .period = {}, .category = true});
  CHECK(curves.groups.size() == 2);
  // delayed_reply has distinct times 0, 20, 60 (one step for the tied 60s);
  // conflict has 15 and 720: 3 + 2 steps.
  CHECK(curves.steps.size() == 5);
  CHECK(curves.group[3] == 1);
}

TEST_CASE("a journal keeps its episode table until it changes, and other columns keep nothing") {
  auto j = six_episodes();
  const auto& cols = j.columns();
  const auto first = time_to_calm_shared(cols, {3, 12});
  // The same options share the table; other options get their own.
  CHECK(time_to_calm_shared(cols, {3, 12}) == first);
  const auto other = time_to_calm_shared(cols, {2, 12});
  CHECK(other != first);
  CHECK(time_to_calm_shared(cols, {2, 12}) == other);
  // Any change drops what was kept: a new trigger and a new reading of an
  // episode (which changes its time to calm) are both seen.
  j.add(trigger("a", "t7", "2026-03-06T08:00:00+01:00", 9));
  const auto after_trigger = time_to_calm_shared(cols, {3, 12});
  CHECK(after_trigger != first);
  REQUIRE(after_trigger->size() == 7);
  CHECK(first->size() == 6);  // a table handed out before the change is unchanged
  CHECK(after_trigger->calmed[6] == 0);
  j.add(reading("a", "2026-03-06T08:30:00+01:00", 1, "t7"));
  const auto after_reading = time_to_calm_shared(cols, {3, 12});
  CHECK(after_reading->calmed[6] == 1);
  CHECK(after_reading->minutes[6] == 30.0);
  // Every cached result equals the one computed afresh from a copy of the
  // journal's columns (a copy is no journal's: it keeps nothing).
  const auto copy = calmkit::Cohort::from_journal(j);
  const auto fresh = time_to_calm(copy, {3, 12});
  CHECK(time_to_calm_shared(copy, {3, 12}) != time_to_calm_shared(copy, {3, 12}));
  CHECK(fresh.minutes == after_reading->minutes);
  CHECK(fresh.calmed == after_reading->calmed);
  CHECK(fresh.peak_intensity == after_reading->peak_intensity);
  CHECK(fresh.observations == after_reading->observations);
  CHECK(fresh.with_exercise == after_reading->with_exercise);
  // A moved-from journal is emptied and a copy of a journal starts afresh.
  auto moved = std::move(j);
  CHECK(time_to_calm_shared(moved.columns(), {3, 12})->size() == 7);
  CHECK(time_to_calm_shared(j.columns(), {3, 12})->size() == 0);  // NOLINT(bugprone-use-after-move)
  const calmkit::Journal copied = moved;
  CHECK(time_to_calm_shared(copied.columns(), {3, 12})->minutes == after_reading->minutes);
}
