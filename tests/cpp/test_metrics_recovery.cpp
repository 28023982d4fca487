// Recovery, practice and affect dynamics: hand-computed cases.
#include <calmkit/metrics.hpp>

#include <catch2/catch.hpp>

#include <cmath>

#include "metrics_fixtures.hpp"

using namespace calmkit::metrics;
using fixtures::exercise;
using fixtures::reading;
using fixtures::trigger;

TEST_CASE("peak intensity trend: -2 points a week") {
  // Peaks 9, 7, 5 one week apart (no observations: peak = onset).
  calmkit::Journal j;
  j.add(trigger("a", "t1", "2026-03-02T10:00:00Z", 9));
  j.add(trigger("a", "t2", "2026-03-09T10:00:00Z", 7));
  j.add(trigger("a", "t3", "2026-03-16T10:00:00Z", 5));
  const auto c = Cohort::from_journal(j);
  const auto p = peak_trend(c, time_to_calm(c));
  REQUIRE(p.size() == 1);
  CHECK(p.episodes[0] == 3);
  CHECK(p.mean_peak[0] == Approx(7.0));
  CHECK(p.slope_per_week[0] == Approx(-2.0));
  CHECK(p.slope_se[0] == Approx(0.0).margin(1e-12));  // exact line: no residual
  // Peak uses observations too: a reading of 10 lifts t3's peak.
  j.add(reading("a", "2026-03-16T10:30:00Z", 10, "t3"));
  const auto c2 = Cohort::from_journal(j);
  CHECK(time_to_calm(c2).peak_intensity[2] == 10);
}

TEST_CASE("exercise effectiveness: change and median time-to-calm with vs without") {
  calmkit::Journal j;
  j.add(trigger("a", "t1", "2026-03-02T10:00:00Z", 8));  // breathing: 8 -> 3 at 10:20, calm at 20 min
  j.add(trigger("a", "t2", "2026-03-03T10:00:00Z", 7));  // no exercise: reading 2 at 11:00, calm at 60
  j.add(trigger("a", "t3", "2026-03-04T10:00:00Z", 9));  // no exercise: reading 1 at 10:40, calm at 40
  j.add(exercise("a", "e1", "2026-03-02T10:05:00Z", "2026-03-02T10:20:00Z", "breathing", 8, 3, "t1"));
  j.add(exercise("a", "e2", "2026-03-05T20:00:00Z", "2026-03-05T20:10:00Z", "breathing", 6, 5));
  j.add(exercise("a", "e3", "2026-03-05T21:00:00Z", "2026-03-05T21:10:00Z", "grounding", 4, std::nullopt));
  j.add(reading("a", "2026-03-03T11:00:00Z", 2));
  j.add(reading("a", "2026-03-04T10:40:00Z", 1));
  const auto c = Cohort::from_journal(j);
  const auto e = exercise_effectiveness(c, time_to_calm(c));
  REQUIRE(e.size() == 2);
  const auto b = c.exercise_names[static_cast<std::size_t>(e.exercise[0])] == "breathing" ? 0u : 1u;
  const auto g = 1u - b;
  CHECK(e.sessions[b] == 2);
  CHECK(e.rated[b] == 2);
  CHECK(e.mean_change[b] == Approx(3.0));  // (5 + 1) / 2
  CHECK(e.median_change[b] == Approx(3.0));
  CHECK(e.episodes_with[b] == 1);
  CHECK(e.median_minutes_with[b] == 20.0);
  CHECK(e.episodes_without[b] == 2);  // t2, t3: times 40 and 60 -> S(40) = 0.5
  CHECK(e.median_minutes_without[b] == 40.0);
  CHECK(e.rated[g] == 0);  // no after-rating
  CHECK(std::isnan(e.mean_change[g]));
  CHECK(std::isnan(e.median_minutes_with[g]));
}

namespace {
calmkit::ThoughtRecord thought(const char* id, const char* time, int belief, std::optional<int> after,
                               std::vector<calmkit::EmotionRating> emotions,
                               std::vector<calmkit::Distortion> d, int alternatives) {
  calmkit::ThoughtRecord t;
  t.participant = "a";
  t.id = id;
  t.time = calmkit::Instant::parse(time);
  t.belief_before = calmkit::Percent(belief);
  if (after) t.belief_after = calmkit::Percent(*after);
  t.emotions = std::move(emotions);
  t.distortions = std::move(d);
  t.alternatives.assign(static_cast<std::size_t>(alternatives), "another way to see it");
  return t;
}
}  // namespace

TEST_CASE("thought records: belief and emotion change, alternatives, distortions") {
  using calmkit::Distortion;
  calmkit::Journal j;
  // r1: belief 80 -> 40 (40); anxious 90 -> 50 (40), sad not re-rated; 3 alternatives.
  j.add(thought(
      "r1", "2026-03-02T10:00:00Z", 80, 40,
      {{"anxious", calmkit::Percent(90), calmkit::Percent(50)}, {"sad", calmkit::Percent(60), std::nullopt}},
      {Distortion::mind_reading, Distortion::catastrophizing}, 3));
  // r2: no re-rating, 1 alternative.
  j.add(thought("r2", "2026-03-03T10:00:00Z", 70, std::nullopt, {}, {Distortion::mind_reading}, 1));
  const auto c = Cohort::from_journal(j);
  const auto s = thought_record_summary(c);
  REQUIRE(s.size() == 1);
  CHECK(s.records[0] == 2);
  CHECK(s.belief_rated[0] == 1);
  CHECK(s.mean_belief_change[0] == 40.0);
  CHECK(s.emotion_rated[0] == 1);
  CHECK(s.mean_emotion_change[0] == 40.0);
  CHECK(s.share_min_alternatives[0] == 0.5);
  CHECK(s.mean_belief_before[0] == 80.0);  // only r1 is rated before and after
  CHECK(s.mean_belief_after[0] == 40.0);
  const auto d = distortion_frequency(c);
  REQUIRE(d.size() == 12);
  CHECK(d.count[static_cast<std::size_t>(Distortion::mind_reading)] == 2);
  CHECK(d.share[static_cast<std::size_t>(Distortion::mind_reading)] == 1.0);
  CHECK(d.share[static_cast<std::size_t>(Distortion::catastrophizing)] == 0.5);
  CHECK(d.count[static_cast<std::size_t>(Distortion::labeling)] == 0);
}

TEST_CASE("thought records pooled: every record once, as its own person wrote it") {
  calmkit::Journal j;
  // a: 80 -> 40 and 70 (not re-rated); b: 60 -> 50 and 90 -> 30.
  j.add(thought("r1", "2026-03-02T10:00:00Z", 80, 40, {}, {}, 3));
  j.add(thought("r2", "2026-03-03T10:00:00Z", 70, std::nullopt, {}, {}, 0));
  auto b1 = thought("r1", "2026-03-02T11:00:00Z", 60, 50, {}, {}, 4);
  auto b2 = thought("r2", "2026-03-04T11:00:00Z", 90, 30, {}, {}, 1);
  b1.participant = b2.participant = "b";
  j.add(b1);
  j.add(b2);
  const auto c = Cohort::from_journal(j);
  const auto s = thought_record_summary(c, 3, false);
  REQUIRE(s.size() == 1);
  CHECK(s.participant[0] == -1);
  CHECK(s.records[0] == 4);
  CHECK(s.belief_rated[0] == 3);
  CHECK(s.mean_belief_before[0] == Approx((80.0 + 60 + 90) / 3));
  CHECK(s.mean_belief_after[0] == Approx((40.0 + 50 + 30) / 3));
  CHECK(s.mean_belief_change[0] == Approx((40.0 + 10 + 60) / 3));
  CHECK(s.median_belief_change[0] == 40.0);
  CHECK(s.share_min_alternatives[0] == 0.5);  // r1 of a (3) and r1 of b (4)
  const auto per = thought_record_summary(c, 3, true);
  REQUIRE(per.size() == 2);
  CHECK(per.mean_belief_before[0] == 80.0);
  CHECK(per.mean_belief_before[1] == 75.0);
  CHECK(per.mean_belief_after[1] == 40.0);
}

TEST_CASE("window of uncertainty: share not acted and minutes quartiles, per week") {
  calmkit::Journal j;
  auto t1 = trigger("a", "t1", "2026-03-02T10:00:00Z", 7);
  t1.acted_on_urge = false;
  auto t2 = trigger("a", "t2", "2026-03-03T10:00:00Z", 7);
  t2.acted_on_urge = true;
  t2.acted_after_minutes = calmkit::Minutes(10);
  auto t3 = trigger("a", "t3", "2026-03-04T10:00:00Z", 7);  // not recorded
  t3.acted_after_minutes = calmkit::Minutes(40);
  auto t4 = trigger("a", "t4", "2026-03-17T10:00:00Z", 7);  // two weeks later
  t4.acted_on_urge = false;
  t4.acted_after_minutes = calmkit::Minutes(20);
  for (auto* t : {&t1, &t2, &t3, &t4}) j.add(*t);
  const auto c = Cohort::from_journal(j);
  const auto w = window_of_uncertainty(c);
  REQUIRE(w.size() == 1);
  CHECK(w.triggers[0] == 4);
  CHECK(w.urge_recorded[0] == 3);
  CHECK(w.not_acted[0] == 2);
  CHECK(w.share_not_acted[0] == Approx(2.0 / 3.0));
  // Minutes 10, 20, 40 (type 7): q1 = 10 + 0.5·10 = 15, median 20, q3 = 20 + 0.5·20 = 30.
  CHECK(w.minutes_n[0] == 3);
  CHECK(w.minutes_q1[0] == 15.0);
  CHECK(w.minutes_median[0] == 20.0);
  CHECK(w.minutes_q3[0] == 30.0);
  const auto byw = window_of_uncertainty(c, true);
  REQUIRE(byw.size() == 3);  // weeks of 03-02, 03-09 (empty), 03-16
  CHECK(byw.urge_recorded[0] == 2);
  CHECK(byw.share_not_acted[0] == 0.5);
  CHECK(byw.triggers[1] == 0);
  CHECK(std::isnan(byw.share_not_acted[1]));
  CHECK(byw.minutes_median[2] == 20.0);
  // First and latest weeks: 3 weeks in the span, so k = min(4, max(1, 3 / 2)) = 1:
  // the week of 03-02 (t1 not acted, t2 acted after 10 min, t3 unrecorded after 40)
  // and the week of 03-16 (t4 not acted, 20 min).
  const auto ends = window_of_uncertainty_first_and_latest(c, 4);
  REQUIRE(ends.size() == 2);
  CHECK(ends.window == std::vector<std::uint8_t>{0, 1});
  CHECK(ends.weeks == std::vector<std::int64_t>{1, 1});
  CHECK(ends.period_start[0] == byw.period_start[0]);
  CHECK(ends.period_start[1] == byw.period_start[2]);
  CHECK(ends.triggers == std::vector<std::int64_t>{3, 1});
  CHECK(ends.share_not_acted[0] == 0.5);
  CHECK(ends.share_not_acted[1] == 1.0);
  CHECK(ends.minutes_median[0] == 25.0);  // 10 and 40
  CHECK_THROWS_AS(window_of_uncertainty_first_and_latest(c, 0), std::invalid_argument);
  // Pooled with a second participant whose one trigger falls in the empty
  // week: one series over the three weeks, participant -1.
  auto b1 = trigger("b", "b1", "2026-03-10T10:00:00Z", 7);
  b1.acted_on_urge = true;
  j.add(b1);
  const auto c2 = Cohort::from_journal(j);
  const auto pooled = window_of_uncertainty(c2, true, {}, true);
  REQUIRE(pooled.size() == 3);
  CHECK(pooled.participant == std::vector<std::int32_t>{-1, -1, -1});
  CHECK(pooled.triggers == std::vector<std::int64_t>{3, 1, 1});
  CHECK(pooled.share_not_acted[1] == 0.0);
  const auto whole = window_of_uncertainty(c2, false, {}, true);
  REQUIRE(whole.size() == 1);
  CHECK(whole.triggers[0] == 5);
  CHECK(whole.not_acted[0] == 2);
}

TEST_CASE("practice consistency and streaks") {
  calmkit::Journal j;
  // Completed on Mon 02, Tue 03, Thu 05, Fri 06 (twice), Sat 07; Wed 04 not completed.
  j.add(exercise("a", "e1", "2026-03-02T08:00:00+01:00", "2026-03-02T08:10:00+01:00", "breathing", {}, {}));
  j.add(exercise("a", "e2", "2026-03-03T08:00:00+01:00", "2026-03-03T08:10:00+01:00", "breathing", {}, {}));
  j.add(exercise("a", "e3", "2026-03-04T08:00:00+01:00", "2026-03-04T08:10:00+01:00", "breathing", {}, {}, "",
                 false));
  j.add(exercise("a", "e4", "2026-03-05T08:00:00+01:00", "2026-03-05T08:10:00+01:00", "breathing", {}, {}));
  j.add(exercise("a", "e5", "2026-03-06T08:00:00+01:00", "2026-03-06T08:10:00+01:00", "breathing", {}, {}));
  j.add(exercise("a", "e6", "2026-03-06T21:00:00+01:00", "2026-03-06T21:10:00+01:00", "grounding", {}, {}));
  // Sat 07 at 00:30 local, which is Fri 23:30 UTC: the local date counts.
  j.add(exercise("a", "e7", "2026-03-07T00:30:00+01:00", "2026-03-07T00:40:00+01:00", "breathing", {}, {}));
  j.add(trigger("a", "t1", "2026-03-08T20:00:00+01:00", 5));  // last record: Sunday, no practice yet
  // Participant b practised on 02 only; last record 05: current streak 0.
  j.add(exercise("b", "e1", "2026-03-02T08:00:00Z", "2026-03-02T08:10:00Z", "breathing", {}, {}));
  j.add(reading("b", "2026-03-05T08:00:00Z", 3));
  const auto c = Cohort::from_journal(j);
  const auto w = practice_consistency(c);
  REQUIRE(w.size() == 2);          // one week each
  CHECK(w.practice_days[0] == 5);  // 02, 03, 05, 06, 07
  CHECK(w.sessions[0] == 6);
  const auto s = practice_streaks(c);
  REQUIRE(s.size() == 2);
  CHECK(s.practice_days[0] == 5);
  CHECK(s.longest_streak[0] == 3);  // 05-06-07
  CHECK(s.current_streak[0] == 3);  // ends the day before the last record date (08)
  CHECK(s.longest_streak[1] == 1);
  CHECK(s.current_streak[1] == 0);
}

TEST_CASE("affect dynamics: MSSD, RMSSD, inertia and PAC without crossing a day") {
  // Day 1: readings 6, 3, 4 (09:00, 10:00, 11:00). Day 2: onset 8 (08:00), reading 5 (09:00).
  // Same-date pairs: (6,3) (3,4) (8,5); deltas -3, +1, -3.
  calmkit::Journal j;
  j.add(reading("a", "2026-03-02T09:00:00Z", 6));
  j.add(reading("a", "2026-03-02T10:00:00Z", 3));
  j.add(reading("a", "2026-03-02T11:00:00Z", 4));
  j.add(trigger("a", "t1", "2026-03-03T08:00:00Z", 8));
  j.add(reading("a", "2026-03-03T09:00:00Z", 5));
  const auto c = Cohort::from_journal(j);
  const auto d = affect_dynamics(c);
  REQUIRE(d.size() == 1);
  CHECK(d.observations[0] == 5);
  CHECK(d.pairs[0] == 3);
  CHECK(d.mssd[0] == Approx(19.0 / 3.0));  // (9 + 1 + 9) / 3
  CHECK(d.rmssd[0] == Approx(std::sqrt(19.0 / 3.0)));
  CHECK(d.pac[0] == Approx(2.0 / 3.0));  // two of three |Δ| >= 3
  // Pearson of x = (6, 3, 8), y = (3, 4, 5): cov 2, Sxx 38/3, Syy 2 -> 2 / √(76/3) = 0.39736.
  CHECK(d.inertia[0] == Approx(0.3973597));
  // A 24-hour gap rule also takes (4, 8) across the night: Σ Δ² = 35 over 4 pairs, PAC 3/4.
  const auto g = affect_dynamics(c, {.acute_change = 3, .max_gap_hours = 24});
  CHECK(g.pairs[0] == 4);
  CHECK(g.mssd[0] == Approx(8.75));
  CHECK(g.pac[0] == Approx(0.75));
  CHECK_THROWS_AS(affect_dynamics(c, {.acute_change = 0}), std::invalid_argument);
}
