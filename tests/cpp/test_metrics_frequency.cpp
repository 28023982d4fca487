// Trigger frequency in local time, zero-filling, and trends: hand-computed cases.
#include <calmkit/metrics.hpp>

#include <boost/date_time/gregorian/gregorian.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "metrics_fixtures.hpp"

using namespace calmkit::metrics;
using fixtures::reading;
using fixtures::trigger;

namespace {

std::int64_t day(int y, int m, int d) {
  return calmkit::Instant::date_to_day(boost::gregorian::date(
      static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d)));
}

// Participant "b" around the EU spring change (Sunday 2026-03-29, 02:00 CET -> 03:00 CEST):
//  01:30+01:00 and 03:30+02:00 on the 29th: same local date, week of Mon 03-23;
//  2026-03-30T00:30+02:00 is 2026-03-29T22:30Z: UTC date the 29th, local date
//  Monday the 30th, so it counts in the next week;
//  nothing in the week of 04-06 (a zero row), one trigger on 04-13.
calmkit::Journal dst_journal() {
  calmkit::Journal j;
  j.add(trigger("b", "t1", "2026-03-29T01:30:00+01:00", 6, calmkit::TriggerCategory::delayed_reply));
  j.add(trigger("b", "t2", "2026-03-29T03:30:00+02:00", 5, calmkit::TriggerCategory::conflict));
  j.add(trigger("b", "t3", "2026-03-30T00:30:00+02:00", 7, calmkit::TriggerCategory::delayed_reply));
  j.add(trigger("b", "t4", "2026-04-13T20:00:00+02:00", 4, calmkit::TriggerCategory::being_alone));
  return j;
}

}  // namespace

TEST_CASE("weekly counts: local dates, DST week, zero-filled quiet week") {
  const auto cols = Cohort::from_journal(dst_journal());
  const auto f = trigger_frequency(cols, Period::week);
  REQUIRE(f.size() == 4);
  CHECK(f.period_start[0] == day(2026, 3, 23));
  CHECK(f.count[0] == 2);  // both DST-day triggers
  CHECK(f.period_start[1] == day(2026, 3, 30));
  CHECK(f.count[1] == 1);  // moved to Monday by its +02:00 offset
  CHECK(f.period_start[2] == day(2026, 4, 6));
  CHECK(f.count[2] == 0);  // a quiet week is a zero, not a gap
  CHECK(f.period_start[3] == day(2026, 4, 13));
  CHECK(f.count[3] == 1);
  CHECK(f.split[0] == -1);
  // Mean intensity at onset of the week's triggers: (6 + 5) / 2, 7, none, 4.
  CHECK(f.mean_intensity[0] == 5.5);
  CHECK(f.mean_intensity[1] == 7.0);
  CHECK(std::isnan(f.mean_intensity[2]));
  CHECK(f.mean_intensity[3] == 4.0);
}

TEST_CASE("daily and monthly counts") {
  const auto cols = Cohort::from_journal(dst_journal());
  const auto d = trigger_frequency(cols, Period::day);
  REQUIRE(d.size() == 16);  // 03-29 .. 04-13
  CHECK(d.period_start[0] == day(2026, 3, 29));
  CHECK(d.count[0] == 2);
  CHECK(d.count[1] == 1);  // 03-30
  CHECK(d.count[2] == 0);
  CHECK(d.count[15] == 1);
  const auto m = trigger_frequency(cols, Period::month);
  REQUIRE(m.size() == 2);
  // March: the two on the 29th and the one on (local) the 30th; April: 04-13.
  CHECK(m.period_start[0] == day(2026, 3, 1));
  CHECK(m.count[0] == 3);
  CHECK(m.period_start[1] == day(2026, 4, 1));
  CHECK(m.count[1] == 1);
}

TEST_CASE("counts per category and per group are zero-filled over the vocabulary") {
  const auto cols = Cohort::from_journal(dst_journal());
  const auto f = trigger_frequency(cols, Period::week, Split::category);
  REQUIRE(f.size() == 4 * 18);
  // Week of 03-23: delayed_reply 1, conflict 1.
  CHECK(f.count[static_cast<std::size_t>(calmkit::TriggerCategory::delayed_reply)] == 1);
  CHECK(f.count[static_cast<std::size_t>(calmkit::TriggerCategory::conflict)] == 1);
  CHECK(f.count[static_cast<std::size_t>(calmkit::TriggerCategory::other)] == 0);
  // Groups: being_alone is in the "life" group; week of 04-13 is row 3.
  const auto g = trigger_frequency(cols, Period::week, Split::group);
  REQUIRE(g.size() == 4 * 3);
  CHECK(g.count[3 * 3 + static_cast<std::size_t>(calmkit::TriggerGroup::life)] == 1);
  CHECK(g.count[0 * 3 + static_cast<std::size_t>(calmkit::TriggerGroup::relationship)] == 2);
}

TEST_CASE("zero-filling starts at the first record of any type, and a POSIX TZ rule moves dates") {
  calmkit::Journal j;
  j.add(reading("c", "2026-06-15T12:00:00Z", 3));  // Monday: the span starts here
  j.add(trigger("c", "t1", "2026-07-01T23:30:00Z", 6));
  const auto cols = Cohort::from_journal(j);
  const auto w = trigger_frequency(cols, Period::week);
  REQUIRE(w.size() == 3);  // weeks of 06-15, 06-22, 06-29
  CHECK(w.count[0] == 0);
  CHECK(w.count[1] == 0);
  CHECK(w.count[2] == 1);
  // Own offset (Z): the trigger is on 07-01. In CEST (UTC+2) it is 01:30 on 07-02.
  const auto own = trigger_frequency(cols, Period::day);
  REQUIRE(own.size() == 17);  // 06-15 .. 07-01
  CHECK(own.count[16] == 1);
  const LocalCalendar cet(calmkit::PosixTimeZone("CET-1CEST,M3.5.0,M10.5.0/3"));
  const auto tz = trigger_frequency(cols, Period::day, Split::none, cet);
  REQUIRE(tz.size() == 18);  // 06-15 .. 07-02
  CHECK(tz.period_start[17] == day(2026, 7, 2));
  CHECK(tz.count[17] == 1);
  CHECK(tz.count[16] == 0);
}

namespace {
// A one-participant cohort with `counts[w]` triggers in week w (from Monday
// 2026-03-02, each at noon UTC on the Monday).
Cohort weekly_cohort(const std::vector<int>& counts) {
  Cohort c;
  c.participants = {"w"};
  c.thoughts.distortion_offsets = {0};
  const std::int64_t monday = day(2026, 3, 2) * 86'400'000'000LL + 12 * 3'600'000'000LL;
  for (std::size_t w = 0; w < counts.size(); ++w) {
    for (int k = 0; k < counts[w]; ++k) {
      c.triggers.participant.push_back(0);
      c.triggers.time_us.push_back(monday + static_cast<std::int64_t>(w) * 7 * 86'400'000'000LL + k);
      c.triggers.offset_minutes.push_back(0);
      c.triggers.intensity.push_back(6);
      c.triggers.category.push_back(0);
      c.triggers.acted_on_urge.push_back(-1);
      c.triggers.acted_after_minutes.push_back(nan_value);
    }
  }
  // A reading on the Sunday of the last week keeps the span's end there, so
  // every week is a whole observed week, even when the last has no trigger.
  c.readings.participant.push_back(0);
  c.readings.time_us.push_back(monday +
                               (static_cast<std::int64_t>(counts.size() - 1) * 7 + 6) * 86'400'000'000LL + 1);
  c.readings.offset_minutes.push_back(0);
  c.readings.intensity.push_back(2);
  c.readings.trigger.push_back(no_trigger);
  c.prepare();
  return c;
}
}  // namespace

TEST_CASE("trend: constant counts give RR 1 and slope 0") {
  const auto t = trigger_trend(weekly_cohort({2, 2, 2, 2, 2, 2, 2, 2}), 4);
  REQUIRE(t.size() == 1);
  CHECK(t.weeks[0] == 8);
  CHECK(t.last_k_count[0] == 8);
  CHECK(t.prev_k_count[0] == 8);
  CHECK(t.rate_ratio[0] == 1.0);
  // Counts that never vary have dispersion 0: the quasi-Poisson intervals
  // shrink to the estimate (R's glm(family = quasipoisson) gives SE 9e-17,
  // dispersion 7e-31 on the same counts).
  CHECK(t.rr_dispersion[0] == 0.0);
  CHECK(t.rr_ci_low[0] == 1.0);
  CHECK(t.rr_ci_high[0] == 1.0);
  CHECK(t.slope_per_week[0] == Approx(0.0).margin(1e-12));
  CHECK(t.weekly_change_pct[0] == Approx(0.0).margin(1e-9));
  CHECK(t.dispersion[0] == Approx(0.0).margin(1e-20));
  CHECK(t.slope_se[0] == Approx(0.0).margin(1e-12));
}

TEST_CASE("trend: quasi-Poisson slope and rate ratio of varying counts equal R") {
  // R 4.x: y <- c(2, 5, 1, 4, 0, 6, 3, 3); x <- 0:7;
  // summary(glm(y ~ x, family = quasipoisson, control = glm.control(1e-15))):
  // slope 0.031780752298, SE 0.110888153463, dispersion 1.54424630276;
  // interval slope ± qt(0.975, 6) SE.
  const auto t = trigger_trend(weekly_cohort({2, 5, 1, 4, 0, 6, 3, 3}), 4);
  REQUIRE(t.size() == 1);
  CHECK(t.slope_per_week[0] == Approx(0.031780752298).epsilon(1e-9));
  CHECK(t.slope_se[0] == Approx(0.110888153463).epsilon(1e-9));
  CHECK(t.dispersion[0] == Approx(1.54424630276).epsilon(1e-9));
  CHECK(t.slope_ci_low[0] == Approx(-0.239552784563).epsilon(1e-9));
  CHECK(t.slope_ci_high[0] == Approx(0.303114289159).epsilon(1e-9));
  // Both halves 12 triggers: RR 1; the two-rate model's dispersion Σ (y − 3)² / 3 / 6 = 28 / 18;
  // the interval: R's qbeta on the counts divided by s = 28 / 18 · (qt(0.975, 6) / qnorm(0.975))²:
  // qbeta(0.025, 12 / s, 12 / s + 1) and qbeta(0.975, 12 / s + 1, 12 / s), mapped by p / (1 − p).
  CHECK(t.rate_ratio[0] == 1.0);
  CHECK(t.rr_dispersion[0] == Approx(28.0 / 18.0).epsilon(1e-14));
  CHECK(t.rr_ci_low[0] == Approx(0.228097819509498).epsilon(1e-10));
  CHECK(t.rr_ci_high[0] == Approx(4.384083995850566).epsilon(1e-10));
}

TEST_CASE("trend: doubling counts give slope ln 2 (+100 % a week)") {
  const auto t = trigger_trend(weekly_cohort({1, 2, 4, 8}), 2);
  // A perfect log-linear fit: the Poisson MLE reproduces it exactly.
  CHECK(t.slope_per_week[0] == Approx(std::log(2.0)));
  CHECK(t.weekly_change_pct[0] == Approx(100.0));
  CHECK(t.last_k_count[0] == 12);
  CHECK(t.prev_k_count[0] == 3);
  CHECK(t.rate_ratio[0] == Approx(4.0));
  CHECK(t.slope_ci_low[0] < std::log(2.0));
  CHECK(t.slope_ci_high[0] > std::log(2.0));
  // The fitted rates of the first and last week: the counts themselves.
  CHECK(t.fitted_first[0] == Approx(1.0));
  CHECK(t.fitted_last[0] == Approx(8.0));
}

TEST_CASE("trend: zero counts and short spans") {
  // Last two weeks empty: RR 0 with an upper limit; 0 vs 5, dispersion (0.25 + 0.25) / 2.5 / 2 =
  // 0.1 on 2 degrees of freedom: qbeta(0.975, 1, 5 / s) with s = 0.1 (qt(0.975, 2) / qnorm(0.975))²
  // mapped by p / (1 − p) -> [0, 0.426965488] (R). The exact Poisson limit was 1.09128.
  const auto t = trigger_trend(weekly_cohort({3, 2, 0, 0}), 2);
  CHECK(t.rate_ratio[0] == 0.0);
  CHECK(t.rr_dispersion[0] == Approx(0.1).epsilon(1e-14));
  CHECK(t.rr_ci_low[0] == 0.0);
  CHECK(t.rr_ci_high[0] == Approx(0.426965487999).epsilon(1e-8));
  // k = 1: two weeks leave no degrees of freedom for the dispersion: the ratio, no interval.
  const auto one = trigger_trend(weekly_cohort({3, 2, 4, 2}), 1);
  CHECK(one.rate_ratio[0] == 0.5);
  CHECK(std::isnan(one.rr_dispersion[0]));
  CHECK(std::isnan(one.rr_ci_low[0]));
  CHECK(std::isnan(one.rr_ci_high[0]));
  // Three weeks: t on 1 degree of freedom (statsmodels' GLM Poisson fit(scale="X2", tol=1e-15):
  // slope 0.276181231522, SE 0.631723415173, dispersion 2.81793534922; R's glm stops at
  // 2.81793536494, its deviance criterion; interval slope ± qt(0.975, 1) SE).
  const auto three = trigger_trend(weekly_cohort({4, 1, 6}), 2);
  CHECK(three.slope_se[0] == Approx(0.631723415177).epsilon(1e-9));
  CHECK(three.dispersion[0] == Approx(2.8179353492209858).epsilon(1e-10));
  CHECK(three.slope_ci_low[0] == Approx(-7.75062581836).epsilon(1e-9));
  CHECK(three.slope_ci_high[0] == Approx(8.3029882814).epsilon(1e-9));
  // Two weeks: a slope, but no dispersion, SE or interval.
  const auto two = trigger_trend(weekly_cohort({1, 3}), 1);
  CHECK(two.slope_per_week[0] == Approx(std::log(3.0)));
  CHECK(std::isnan(two.dispersion[0]));
  CHECK(std::isnan(two.slope_se[0]));
  CHECK(std::isnan(two.slope_ci_low[0]));
  CHECK(std::isnan(two.slope_ci_high[0]));
  // Fewer than 2k weeks: RR undefined.
  const auto s = trigger_trend(weekly_cohort({1, 1, 1}), 2);
  CHECK(std::isnan(s.rate_ratio[0]));
  CHECK(s.last_k_count[0] == 2);
  CHECK(s.prev_k_count[0] == 1);
  // Counts only in the first week: the MLE runs off to -infinity, reported as NaN.
  const auto d = trigger_trend(weekly_cohort({5, 0, 0, 0}), 2);
  CHECK(std::isnan(d.slope_per_week[0]));
  CHECK_THROWS_AS(trigger_trend(weekly_cohort({1}), 0), std::invalid_argument);
}

namespace {
// One trigger every day at noon, `first` to `last` (local dates, +01:00).
calmkit::Journal daily_journal(const char* who, boost::gregorian::date first, boost::gregorian::date last) {
  calmkit::Journal j;
  int i = 0;
  for (auto d = first; d <= last; d += boost::gregorian::days(1)) {
    const auto time = boost::gregorian::to_iso_extended_string(d) + "T12:00:00+01:00";
    const auto id = std::string(who) + "-" + std::to_string(i++);
    j.add(trigger(who, id.c_str(), time.c_str(), 6, calmkit::TriggerCategory::conflict));
  }
  return j;
}
}  // namespace

TEST_CASE("trend: partial first and last ISO weeks are weighted by their observed days") {
  using boost::gregorian::date;
  // The reviewer's journal: 7 triggers every week, Monday 2026-03-02 to Monday
  // 2026-04-27, so the last ISO week holds one observed day and one trigger.
  // Counted as a whole week it gave RR 0.79 and "8.1 to 4.8 a week".
  const auto t = trigger_trend(Cohort::from_journal(daily_journal("c", date(2026, 3, 2), date(2026, 4, 27))));
  REQUIRE(t.size() == 1);
  CHECK(t.weeks[0] == 9);
  CHECK(t.last_k_count[0] == 22);
  CHECK(t.last_k_days[0] == 22);
  CHECK(t.prev_k_count[0] == 28);
  CHECK(t.prev_k_days[0] == 28);
  CHECK(t.rate_ratio[0] == Approx(1.0).epsilon(1e-12));
  // One trigger a day: the weekly counts equal their days, dispersion 0, and
  // the interval shrinks to the ratio (the exact Poisson one was [0.545, 1.812]).
  CHECK(t.rr_dispersion[0] == Approx(0.0).margin(1e-12));
  CHECK(t.rr_ci_low[0] == Approx(1.0).epsilon(1e-6));
  CHECK(t.rr_ci_high[0] == Approx(1.0).epsilon(1e-6));
  CHECK(t.slope_per_week[0] == Approx(0.0).margin(1e-10));
  CHECK(t.weekly_change_pct[0] == Approx(0.0).margin(1e-8));
  CHECK(t.fitted_first[0] == Approx(7.0).epsilon(1e-10));
  CHECK(t.fitted_last[0] == Approx(7.0).epsilon(1e-10));
  // Starting late in a week (Sunday 2026-03-08, one observed day) and ending
  // mid-week (Wednesday 2026-04-22): still a constant 7 a week.
  const auto late =
      trigger_trend(Cohort::from_journal(daily_journal("d", date(2026, 3, 8), date(2026, 4, 22))), 2);
  CHECK(late.weeks[0] == 8);
  CHECK(late.last_k_days[0] == 10);
  CHECK(late.prev_k_days[0] == 14);
  CHECK(late.rate_ratio[0] == Approx(1.0).epsilon(1e-12));
  CHECK(late.slope_per_week[0] == Approx(0.0).margin(1e-10));
  CHECK(late.fitted_first[0] == Approx(7.0).epsilon(1e-10));
}

TEST_CASE("trend: pooled weeks carry the participants' observed person-days") {
  using boost::gregorian::date;
  // Two people at the same constant rate, joining and leaving mid-week: the
  // summed counts rise and fall with how many are observed, the rate does not.
  auto j = daily_journal("a", date(2026, 3, 4), date(2026, 4, 16));
  const auto b = daily_journal("b", date(2026, 3, 20), date(2026, 5, 5));
  for (const auto& tr : b.triggers()) j.add(tr);
  const auto cols = Cohort::from_journal(j);
  const auto t = trigger_trend_pooled(cols, 2);
  REQUIRE(t.size() == 1);
  CHECK(t.participant[0] == -1);
  CHECK(t.last_k_count[0] == t.last_k_days[0]);
  CHECK(t.prev_k_count[0] == t.prev_k_days[0]);
  CHECK(t.rate_ratio[0] == Approx(1.0).epsilon(1e-12));
  CHECK(t.slope_per_week[0] == Approx(0.0).margin(1e-10));
  CHECK(t.fitted_first[0] == Approx(7.0).epsilon(1e-10));
  CHECK_THROWS_AS(trigger_trend_pooled(cols, 0), std::invalid_argument);
}

TEST_CASE("Poisson slope with exposure and the exposure-adjusted rate ratio") {
  // Rate 2 per unit exposure everywhere: slope 0, intercept log 2 whatever the exposures.
  const std::vector<double> x{0, 1, 2, 3}, e{0.5, 1, 1, 0.25}, y{1, 2, 2, 0.5};
  const auto s = poisson_slope(x, y, e);
  CHECK(s.slope == Approx(0.0).margin(1e-12));
  CHECK(s.intercept == Approx(std::log(2.0)));
  CHECK_THROWS_AS(poisson_slope(x, y, std::vector<double>{1, 1, 0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(poisson_slope(x, y, std::vector<double>{1, 1}), std::invalid_argument);
  // 10 over 2 days vs 20 over 8 days: rate ratio 5 / 2.5 = 2; the interval is
  // the equal-exposure one scaled by 8/2 (R poisson.test(c(10, 20), c(2, 8))).
  const auto r = rate_ratio_exact(10, 20, 0.95, 2.0, 8.0);
  CHECK(r.ratio == Approx(2.0));
  CHECK(r.low == Approx(4 * 0.2090060).epsilon(1e-5));
  CHECK(r.high == Approx(4 * 1.1191830).epsilon(1e-5));
  CHECK(std::isnan(rate_ratio_exact(3, 4, 0.95, 0.0, 1.0).ratio));
  CHECK_THROWS_AS(rate_ratio_exact(3, 4, 0.95, -1.0, 1.0), std::invalid_argument);
}

TEST_CASE("quasi-Poisson slope: Poisson slope with the SE scaled by the dispersion and t quantiles") {
  const std::vector<double> x{0, 1, 2, 3, 4, 5, 6, 7}, y{2, 5, 1, 4, 0, 6, 3, 3};
  const auto p = poisson_slope(x, y);
  const auto q = quasi_poisson_slope(x, y, {});
  CHECK(p.df == std::numeric_limits<double>::infinity());
  CHECK(q.df == 6.0);
  CHECK(q.slope == p.slope);
  CHECK(q.dispersion == p.dispersion);
  CHECK(q.se == Approx(p.se * std::sqrt(p.dispersion)).epsilon(1e-15));
  CHECK(q.low == Approx(q.slope - student_t_quantile(6.0, 0.975) * q.se).epsilon(1e-15));
  // The band widens the same way: t on 6 df and the variances times φ.
  const auto fp = poisson_fitted(p, 3.0), fq = poisson_fitted(q, 3.0);
  CHECK(fq.fit == Approx(fp.fit).epsilon(1e-15));
  CHECK(std::log(fq.high / fq.fit) == Approx(std::log(fp.high / fp.fit) * std::sqrt(p.dispersion) *
                                             student_t_quantile(6.0, 0.975) / normal_quantile(0.95))
                                          .epsilon(1e-12));
  const auto two = quasi_poisson_slope(std::vector<double>{0, 1}, std::vector<double>{1, 2}, {});
  CHECK(two.slope == Approx(std::log(2.0)));
  CHECK(std::isnan(two.se));
  CHECK(std::isnan(poisson_fitted(two, 1.0).low));
  CHECK(poisson_fitted(two, 1.0).fit == Approx(2.0));
}

TEST_CASE("overdispersed rate ratio interval") {
  // Dispersion 1 with the normal quantile (df = +inf) is the exact interval.
  const double inf = std::numeric_limits<double>::infinity();
  const auto e = rate_ratio_exact(10, 20, 0.95, 2.0, 8.0);
  const auto o = rate_ratio_overdispersed(10, 20, 1.0, inf, 0.95, 2.0, 8.0);
  CHECK(o.ratio == e.ratio);
  CHECK(o.low == Approx(e.low).epsilon(1e-14));
  CHECK(o.high == Approx(e.high).epsilon(1e-14));
  // Dispersion 4: the counts act as 10/4 vs 20/4 (R: qbeta(0.025, 2.5, 6) etc., mapped by p/(1-p)).
  const auto w = rate_ratio_overdispersed(10, 20, 4.0, inf);
  CHECK(w.ratio == Approx(0.5));
  CHECK(w.low == Approx(0.0638613722893).epsilon(1e-10));
  CHECK(w.high == Approx(2.7648768482575).epsilon(1e-10));
  CHECK(w.low < rate_ratio_exact(10, 20).low);
  // No degrees of freedom or no dispersion estimate: the ratio without an interval.
  CHECK(std::isnan(rate_ratio_overdispersed(10, 20, 1.0, 0.0).low));
  CHECK(std::isnan(rate_ratio_overdispersed(10, 20, nan_value, 5.0).high));
  CHECK(rate_ratio_overdispersed(10, 20, nan_value, 5.0).ratio == Approx(0.5));
  // Zero counts keep their open ends.
  CHECK(rate_ratio_overdispersed(0, 5, 2.0, 6.0).low == 0.0);
  CHECK(std::isinf(rate_ratio_overdispersed(5, 0, 2.0, 6.0).high));
  CHECK_THROWS_AS(rate_ratio_overdispersed(10, 20, -1.0, 6.0), std::invalid_argument);
  CHECK_THROWS_AS(rate_ratio_overdispersed(-1, 20, 1.0, 6.0), std::invalid_argument);
}

TEST_CASE("exact rate ratio interval") {
  // 10 vs 20: p = 1/3, Clopper–Pearson limits mapped by p/(1-p).
  const auto r = rate_ratio_exact(10, 20);
  CHECK(r.ratio == Approx(0.5));
  CHECK(r.low == Approx(0.2090060).epsilon(1e-5));
  CHECK(r.high == Approx(1.1191830).epsilon(1e-5));
  const auto inf = rate_ratio_exact(4, 0);
  CHECK(std::isinf(inf.ratio));
  CHECK(std::isinf(inf.high));
  CHECK(std::isnan(rate_ratio_exact(0, 0).ratio));
}

TEST_CASE("columns: bad input is reported with table, row and field") {
  auto c = weekly_cohort({1, 1});
  c.readings.trigger[0] = 7;
  CHECK_THROWS_WITH(c.check(), Catch::Contains("readings row 0") && Catch::Contains("'trigger'"));
  c.readings.trigger[0] = no_trigger;
  c.triggers.intensity[1] = 11;
  CHECK_THROWS_WITH(c.check(), Catch::Contains("triggers row 1") && Catch::Contains("'intensity'"));
  c.triggers.intensity[1] = 5;
  c.triggers.offset_minutes.pop_back();
  CHECK_THROWS_AS(c.prepare(), std::invalid_argument);
  // Metrics check columns that never passed check(): a fresh, broken cohort
  // (link to trigger row 7 of 2) is an error, not an out-of-bounds read.
  auto fresh = weekly_cohort({1, 1});
  Cohort broken = fresh;  // a copy: new buffers, so not yet checked
  broken.readings.trigger[0] = 7;
  CHECK_THROWS_WITH(time_to_calm(broken), Catch::Contains("readings row 0"));
  CHECK_THROWS_AS(trigger_frequency(broken, Period::week), std::invalid_argument);
  // Edited in place after a check: the episode merge still refuses the bad link.
  fresh.readings.trigger[0] = 7;
  CHECK_THROWS_AS(time_to_calm(fresh), std::invalid_argument);
}

TEST_CASE("prepare sorts unsorted columns and remaps trigger links") {
  Cohort c;
  c.participants = {"x"};
  c.thoughts.distortion_offsets = {0};
  // Two triggers given latest first; a reading linked to the later one (row 0).
  c.triggers.participant = {0, 0};
  c.triggers.time_us = {2 * 3'600'000'000LL, 0};
  c.triggers.offset_minutes = {0, 0};
  c.triggers.intensity = {9, 8};
  c.triggers.category = {0, 0};
  c.triggers.acted_on_urge = {-1, -1};
  c.triggers.acted_after_minutes = {nan_value, nan_value};
  c.readings.participant = {0};
  c.readings.time_us = {2 * 3'600'000'000LL + 60'000'000LL};
  c.readings.offset_minutes = {0};
  c.readings.intensity = {1};
  c.readings.trigger = {0};
  c.prepare();
  CHECK(c.triggers.time_us[0] == 0);
  CHECK(c.triggers.intensity[0] == 8);
  CHECK(c.readings.trigger[0] == 1);  // still the 9-intensity trigger, now row 1
  CHECK(c.trigger_source_rows == std::vector<std::int64_t>{1, 0});  // input rows, for joining back
  const auto eps = time_to_calm(c);
  CHECK(eps.minutes[1] == 1.0);
  CHECK(eps.calmed[1] == 1);
}

TEST_CASE("the per-day offset cache of a POSIX rule agrees with the rule at every instant") {
  // Random instants over 2026 plus every minute of the two EU transition days
  // (2026-03-29 and 2026-10-25, UTC), where the cache must fall back to the rule.
  const calmkit::PosixTimeZone rule("CET-1CEST,M3.5.0,M10.5.0/3");
  const LocalCalendar cal(rule);
  std::vector<std::int64_t> instants;
  std::uint64_t x = 12345;
  const std::int64_t year_start = day(2026, 1, 1) * 86'400'000'000LL;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    instants.push_back(year_start + static_cast<std::int64_t>((x >> 11) % (365ULL * 86'400'000'000ULL)));
  }
  for (const auto d : {day(2026, 3, 29), day(2026, 10, 25)}) {
    for (int m = 0; m < 24 * 60; ++m) instants.push_back(d * 86'400'000'000LL + m * 60'000'000LL);
  }
  int mismatches = 0;
  for (const auto us : instants) {
    if (cal.offset_minutes(us, 0) != rule.offset_at(calmkit::Instant::from_utc_us(us)).minutes())
      ++mismatches;
  }
  CHECK(mismatches == 0);
  // 2026-03-29T00:59Z is 01:59 CET and 01:00Z is 03:00 CEST: same local date either way.
  CHECK(cal.offset_minutes(day(2026, 3, 29) * 86'400'000'000LL + 59 * 60'000'000LL, 0) == 60);
  CHECK(cal.offset_minutes(day(2026, 3, 29) * 86'400'000'000LL + 60 * 60'000'000LL, 0) == 120);
  // A rule without DST never consults Boost: a fixed offset.
  CHECK(LocalCalendar(calmkit::PosixTimeZone("IST-5:30")).offset_minutes(0, 0) == 330);
}

TEST_CASE("the span's ends come from the local dates, not from the first and last instants") {
  calmkit::Journal j;
  // First instant 00:30Z is 03-02 at +00:00, but the next reading (01:00Z at
  // -05:00) is 20:00 on 03-01: the span starts on 03-01.
  j.add(reading("d", "2026-03-02T00:30:00+00:00", 3));
  j.add(reading("d", "2026-03-01T20:00:00-05:00", 3));
  j.add(trigger("d", "t1", "2026-03-05T12:00:00Z", 6));
  // The last instant (23:00Z at -05:00) is 18:00 on 03-10, but the one before
  // it (22:00Z at +05:00) is 03:00 on 03-11: the span ends on 03-11.
  j.add(reading("d", "2026-03-11T03:00:00+05:00", 3));
  j.add(reading("d", "2026-03-10T18:00:00-05:00", 3));
  const auto f = trigger_frequency(Cohort::from_journal(j), Period::day);
  REQUIRE(f.size() == 11);  // 03-01 .. 03-11
  CHECK(f.period_start.front() == day(2026, 3, 1));
  CHECK(f.period_start.back() == day(2026, 3, 11));
  CHECK(f.count[4] == 1);  // 03-05
}

TEST_CASE("self-assessments belong to the span: weekly rows up to a later GAD-7 (issue 13, case 4)") {
  // A trigger on Wednesday 6 May 2026 and a GAD-7 on Wednesday 20 May: the
  // span is the ISO weeks of Mon 4, 11 and 18 May, so three weekly rows with
  // counts 1, 0, 0 (the assessment was ignored: one row). Practice
  // consistency zero-fills over the same span: three rows of 0 practice days.
  // A check-in before the trigger (Sun 3 May, week of Mon 27 Apr) moves the
  // start: four rows 0, 1, 0, 0.
  calmkit::Journal j;
  j.add(trigger("a", "t1", "2026-05-06T10:00:00+02:00", 7));
  calmkit::Assessment gad;
  gad.participant = "a";
  gad.id = "g1";
  gad.time = fixtures::at("2026-05-20T09:00:00+02:00");
  gad.instrument = "gad-7";
  gad.answers = {1, 1, 1, 1, 1, 1, 1};
  j.add(gad);
  auto cols = Cohort::from_journal(j);
  auto w = trigger_frequency(cols, Period::week);
  REQUIRE(w.size() == 3);
  CHECK(w.period_start[0] == day(2026, 5, 4));
  CHECK(w.period_start[2] == day(2026, 5, 18));
  CHECK(w.count[0] == 1);
  CHECK(w.count[1] == 0);
  CHECK(w.count[2] == 0);
  const auto pc = practice_consistency(cols);
  REQUIRE(pc.size() == 3);
  CHECK(pc.practice_days[2] == 0);

  calmkit::Assessment checkin = gad;
  checkin.id = "c1";
  checkin.time = fixtures::at("2026-05-03T21:00:00+02:00");
  checkin.instrument = "attachment-checkin";
  j.add(checkin);
  cols = Cohort::from_journal(j);
  w = trigger_frequency(cols, Period::week);
  REQUIRE(w.size() == 4);
  CHECK(w.period_start[0] == day(2026, 4, 27));
  CHECK(w.count[0] == 0);
  CHECK(w.count[1] == 1);
  // Only a self-assessment: one participant row of zeros, not an absent participant.
  calmkit::Journal only;
  only.add(gad);
  const auto w1 = trigger_frequency(Cohort::from_journal(only), Period::week);
  REQUIRE(w1.size() == 1);
  CHECK(w1.count[0] == 0);
}

TEST_CASE("a span over max_fill_years is refused before any row is made, naming participant and dates") {
  calmkit::Journal j;
  j.add(trigger("p0", "a", "1400-01-01T00:00:00Z", 5));
  j.add(trigger("p0", "b", "9999-12-31T00:00:00Z", 5));
  const auto cols = Cohort::from_journal(j);
  for (const auto period : {Period::day, Period::week, Period::month}) {
    CHECK_THROWS_WITH(
        trigger_frequency(cols, period),
        Catch::Matchers::StartsWith("participant 'p0': records from 1400-01-01 to 9999-12-31 span "
                                    "more than 100 years"));
  }
  CHECK_THROWS_AS(practice_consistency(cols), std::invalid_argument);
  // 99 years and a reading: allowed, one row per month of the span.
  calmkit::Journal ok;
  ok.add(reading("", "1927-01-15T12:00:00Z", 3));
  ok.add(trigger("", "t1", "2026-12-15T12:00:00Z", 5));
  CHECK(trigger_frequency(Cohort::from_journal(ok), Period::month).size() == 100 * 12);
  ok.add(reading("", "2027-06-01T12:00:00Z", 3));  // now 36 661 days: over the limit (36 600)
  CHECK_THROWS_WITH(trigger_frequency(Cohort::from_journal(ok), Period::month),
                    Catch::Matchers::StartsWith("the journal: records from 1927-01-15 to 2027-06-01"));
}
