// "What could help now": the ranking rule of suggest.hpp.
#include <calmkit/suggest.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace calmkit;

namespace {

ExerciseSession rated(const std::string& participant, const std::string& id, const std::string& exercise,
                      int before, int after, int day) {
  ExerciseSession s;
  s.participant = participant;
  s.id = id;
  s.time = Instant::parse("2026-03-01T20:00:00Z") + std::chrono::hours(24 * day);
  s.end = s.time + std::chrono::minutes(5);
  s.exercise = exercise;
  s.intensity_before = Intensity(before);
  s.intensity_after = Intensity(after);
  return s;
}

const Suggestion& find(const std::vector<Suggestion>& v, const std::string& id) {
  for (const auto& s : v) {
    if (s.exercise == id) return s;
  }
  FAIL("no suggestion " << id);
  throw;  // unreachable
}

std::size_t rank_of(const std::vector<Suggestion>& v, const std::string& id) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].exercise == id) return i;
  }
  return v.size();
}

}  // namespace

TEST_CASE("intensity bands: 0-4 low, 5-6 middle, 7-10 high") {
  CHECK(intensity_band(Intensity(0)) == IntensityBand::low);
  CHECK(intensity_band(Intensity(4)) == IntensityBand::low);
  CHECK(intensity_band(Intensity(5)) == IntensityBand::middle);
  CHECK(intensity_band(Intensity(6)) == IntensityBand::middle);
  CHECK(intensity_band(Intensity(7)) == IntensityBand::high);
  CHECK(intensity_band(Intensity(10)) == IntensityBand::high);
}

TEST_CASE("high distress without history: the body first") {
  const Journal empty;
  const auto v = suggest(Intensity(8), empty, "p1");
  REQUIRE(v.size() == catalog().size());
  // Body kinds weigh 3 at high; acute ones get +0.5: 3.5 for the sigh, the
  // cold water and the burst of exercise, in catalog order.
  CHECK(v[0].exercise == "breathing.physiological-sigh");
  CHECK(v[1].exercise == "tipp.temperature");
  CHECK(v[2].exercise == "tipp.intense-exercise");
  CHECK(v[0].score == 3.5);
  CHECK(v[0].base == 3.0);
  CHECK(v[0].suits_bonus == 0.5);
  CHECK(v[0].reason ==
        "distress 8/10 is high: calm the body first; Breathing fits best now; made for the moment");
  // Then the other body-first entries at 3 (4-7-8 suits both).
  CHECK(find(v, "breathing.4-7-8").score == 3.0);
  // Even breathing is a daily practice: 3 - 0.5.
  CHECK(find(v, "breathing.coherent").score == 2.5);
  // Every cognitive exercise (0) comes after every body-first one.
  std::size_t first_cognitive = v.size();
  std::size_t last_body = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto k = v[i].kind;
    if (k == ExerciseKind::cognitive) first_cognitive = std::min(first_cognitive, i);
    if (k == ExerciseKind::breathing || k == ExerciseKind::temperature || k == ExerciseKind::movement)
      last_body = i;
  }
  CHECK(last_body < first_cognitive);
  CHECK(find(v, "cognitive.reality-test").score == 0.0);
  CHECK(find(v, "cognitive.reality-test").reason ==
        "distress 8/10 is high: calm the body first; Thinking it through is better saved for when distress "
        "is lower");
}

TEST_CASE("low distress: thinking work first") {
  const Journal empty;
  const auto v = suggest(Intensity(3), empty, "p1");
  // Cognitive weighs 3 at low; all five suit both: 3.0 each, catalog order.
  CHECK(v[0].exercise == "cognitive.three-alternatives");
  CHECK(v[4].exercise == "cognitive.self-compassion");
  CHECK(v[0].score == 3.0);
  // Then mindfulness 2 + daily 0.5 = 2.5 for resting on the breath.
  CHECK(v[5].exercise == "mindfulness.breath");
  CHECK(v[5].score == 2.5);
  CHECK(find(v, "tipp.temperature").score == 0.0);
}

TEST_CASE("middle distress: a mix, grounding on top") {
  const Journal empty;
  const auto v = suggest(Intensity(5), empty, "p1");
  CHECK(v[0].exercise == "grounding.5-4-3-2-1");  // grounding 3, no suits adjustment in the middle
  CHECK(v[1].exercise == "grounding.body-awareness");
  CHECK(v[0].score == 3.0);
  CHECK(find(v, "breathing.box").score == 2.0);
  CHECK(find(v, "cognitive.future-self").score == 1.0);
}

TEST_CASE("a person's own before/after drops re-rank once there are enough") {
  Journal j;
  // p1: box breathing dropped 3, 2 and 4 points: mean 3.
  j.add(rated("p1", "e1", "breathing.box", 8, 5, 0));
  j.add(rated("p1", "e2", "breathing.box", 7, 5, 1));
  j.add(rated("p1", "e3", "breathing.box", 9, 5, 2));
  // p1: cold water twice (not enough to count yet).
  j.add(rated("p1", "e4", "tipp.temperature", 9, 2, 3));
  j.add(rated("p1", "e5", "tipp.temperature", 9, 2, 4));
  // p1: the walk made things worse three times: mean drop -1.
  j.add(rated("p1", "e6", "movement.short-walk", 6, 7, 5));
  j.add(rated("p1", "e7", "movement.short-walk", 6, 7, 6));
  j.add(rated("p1", "e8", "movement.short-walk", 6, 7, 7));
  // A session without an after-rating does not count.
  auto unrated = rated("p1", "e9", "breathing.box", 8, 1, 8);
  unrated.intensity_after.reset();
  j.add(unrated);
  // Another person's sessions do not count for p1.
  for (int i = 0; i < 3; ++i) j.add(rated("p2", "x" + std::to_string(i), "cognitive.future-self", 9, 0, i));

  const auto v = suggest(Intensity(8), j, "p1");
  // Box: 3 (breathing, high) + 0 (suits both) + 3 (mean drop) = 6: first.
  CHECK(v[0].exercise == "breathing.box");
  CHECK(v[0].score == 6.0);
  REQUIRE(v[0].mean_drop.has_value());
  CHECK(*v[0].mean_drop == 3.0);
  CHECK(v[0].rated_sessions == 3);
  CHECK(v[0].reason ==
        "distress 8/10 is high: calm the body first; Breathing fits best now; "
        "for you it changed distress by -3.0 points on average over 3 rated sessions");
  // Cold water: two sessions only, base 3.5 unchanged.
  const auto& cold = find(v, "tipp.temperature");
  CHECK(cold.score == 3.5);
  CHECK(cold.rated_sessions == 2);
  CHECK_FALSE(cold.mean_drop.has_value());
  CHECK(cold.reason.find("2 rated session(s) so far, 3 needed") != std::string::npos);
  // The walk: 3 + 0 - 1 = 2.
  CHECK(find(v, "movement.short-walk").score == 2.0);
  CHECK(find(v, "cognitive.future-self").score == 0.0);
  CHECK(find(v, "cognitive.future-self").rated_sessions == 0);

  // With min_sessions 2 the cold water counts: 3.5 + 7 = 10.5, now first.
  const auto w = suggest(Intensity(8), j, "p1", catalog(), {.min_sessions = 2});
  CHECK(w[0].exercise == "tipp.temperature");
  CHECK(w[0].score == 10.5);
  // history_weight 0 turns history off; limit keeps the best few.
  const auto z = suggest(Intensity(8), j, "p1", catalog(), {.history_weight = 0, .limit = 3});
  REQUIRE(z.size() == 3);
  CHECK(z[0].exercise == "breathing.physiological-sigh");
  CHECK(rank_of(z, "breathing.box") == 3);  // not among the top 3
}

TEST_CASE("suggest works over custom lists and rejects bad options") {
  auto reg = ExerciseRegistry::with_catalog();
  reg.add(breathing_pattern("me.slow", "Slow", 5, 0, 7, 0));
  Journal j;
  for (int i = 0; i < 3; ++i) j.add(rated("", "s" + std::to_string(i), "me.slow", 9, 4, i));
  const auto v = suggest(Intensity(9), j, "", reg.all());
  CHECK(v[0].exercise == "me.slow");  // 3 + 0 + 5
  CHECK(v[0].score == 8.0);
  CHECK_THROWS_AS(suggest(Intensity(9), j, "", reg.all(), {.min_sessions = 0}), std::invalid_argument);
  CHECK_THROWS_AS(suggest(Intensity(9), j, "", reg.all(), {.history_weight = -1}), std::invalid_argument);
}
