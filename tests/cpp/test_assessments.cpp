#include <calmkit/assessments.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using Catch::Matchers::Contains;

TEST_CASE("gad-7: sum of the seven answers and its band", "[assessments]") {
  const calmkit::Instrument& g = calmkit::instrument("gad-7");
  CHECK(g.items.size() == 7);
  CHECK(g.scale_min == 0);
  CHECK(g.scale_max == 3);
  CHECK(g.scale_labels.at(2) == "more than half the days");
  CHECK_FALSE(g.reflection_only);
  CHECK_THAT(g.source, Contains("2006;166(10):1092-1097"));

  // 1+1+2+0+1+1+0 = 6 -> mild (5-9)
  auto s = calmkit::score(g, std::vector<int>{1, 1, 2, 0, 1, 1, 0});
  CHECK(s.total == 6.0);
  CHECK(s.band == "mild");
  CHECK(s.areas.empty());
  CHECK(s.flags.empty());
  // band edges: 4 minimal, 5 mild, 9 mild, 10 moderate, 14 moderate, 15 severe, 21 severe
  CHECK(calmkit::score(g, std::vector<int>{0, 0, 0, 0, 0, 0, 0}).band == "minimal");
  CHECK(calmkit::score(g, std::vector<int>{1, 1, 1, 1, 0, 0, 0}).band == "minimal");
  CHECK(calmkit::score(g, std::vector<int>{1, 1, 1, 1, 1, 0, 0}).band == "mild");
  CHECK(calmkit::score(g, std::vector<int>{3, 3, 3, 0, 0, 0, 0}).band == "mild");
  CHECK(calmkit::score(g, std::vector<int>{3, 3, 3, 1, 0, 0, 0}).band == "moderate");
  CHECK(calmkit::score(g, std::vector<int>{3, 3, 3, 3, 2, 0, 0}).band == "moderate");
  CHECK(calmkit::score(g, std::vector<int>{3, 3, 3, 3, 3, 0, 0}).band == "severe");
  auto top = calmkit::score(g, std::vector<int>{3, 3, 3, 3, 3, 3, 3});
  CHECK(top.total == 21.0);
  CHECK(top.band == "severe");
}

TEST_CASE("gad-7: an answer out of scale names the item", "[assessments]") {
  const auto& g = calmkit::instrument("gad-7");
  try {
    (void)calmkit::score(g, std::vector<int>{0, 0, 0, 4, 0, 0, 0});
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Contains("item 3"));
    CHECK_THAT(e.what(), Contains("Trouble relaxing"));
    CHECK_THAT(e.what(), Contains("0..3"));
  }
  CHECK_THROWS_WITH(calmkit::score(g, std::vector<int>{0, -1, 0, 0, 0, 0, 0}), Contains("item 1"));
  CHECK_THROWS_WITH(calmkit::score(g, std::vector<int>{0, 0, 0}), Contains("7 items, got 3"));
}

TEST_CASE("attachment-checkin: area means, reverse keys and the >= 3 flag", "[assessments]") {
  const auto& a = calmkit::instrument("attachment-checkin");
  REQUIRE(a.items.size() == 28);
  REQUIRE(a.areas.size() == 7);
  CHECK(a.reflection_only);
  CHECK_THAT(a.description, Contains("not a diagnosis"));
  CHECK(a.scale_labels.front() == "never");
  CHECK(a.scale_labels.back() == "always");

  // Area by area (items 12-19, 21-27 reverse-keyed: scored as 6 - answer):
  // emotional responses     4 4 3 3            -> mean 3.5  flagged
  // communication/conflict  2 2 3 2            -> mean 2.25
  // behaviour               3 3 3 3            -> mean 3    flagged (>= 3)
  // security and trust      answers 5 5 4 4    -> keyed 1 1 2 2 -> 1.5
  // regulation and coping   answers 2 2 2 2    -> keyed 4 4 4 4 -> 4 flagged
  // support/independence    1 | 5 5 5          -> keyed 1 1 1 1 -> 1
  // self-worth              answers 3 3 3 3    -> keyed 3 3 3 3 -> 3 flagged
  std::vector<int> ans = {4, 4, 3, 3, 2, 2, 3, 2, 3, 3, 3, 3, 5, 5, 4, 4, 2, 2, 2, 2, 1, 5, 5, 5, 3, 3, 3, 3};
  auto s = calmkit::score(a, ans);
  REQUIRE(s.areas.size() == 7);
  CHECK(s.areas[0].area == "emotional_responses");
  CHECK(s.areas[0].score == Approx(3.5));
  CHECK(s.areas[0].flagged);
  CHECK(s.areas[1].score == Approx(2.25));
  CHECK_FALSE(s.areas[1].flagged);
  CHECK(s.areas[2].score == Approx(3.0));
  CHECK(s.areas[2].flagged);
  CHECK(s.areas[3].score == Approx(1.5));
  CHECK(s.areas[4].score == Approx(4.0));
  CHECK(s.areas[4].flagged);
  CHECK(s.areas[5].score == Approx(1.0));
  CHECK(s.areas[6].score == Approx(3.0));
  CHECK(s.areas[6].flagged);
  // Total: mean of the 28 keyed answers = 4 * (3.5+2.25+3+1.5+4+1+3) / 28 = 73/28
  CHECK(s.total == Approx(73.0 / 28.0));
  CHECK(s.band.empty());
  REQUIRE(s.flags.size() == 4);
  CHECK(s.flags[0] == "Emotional responses: anxious tendencies in this area");

  ans[20] = 6;
  CHECK_THROWS_WITH(calmkit::score(a, ans), Contains("item 20") && Contains("single person"));
}

namespace {
calmkit::Instrument mood3() {
  calmkit::Instrument in;
  in.id = "test-mood-3";
  in.name = "Three-item test scale";
  in.items = {"I feel tense", "I feel at ease", "I feel hopeful"};
  in.scale_min = 0;
  in.scale_max = 4;
  in.scale_labels = {"no", "a little", "some", "much", "very much"};
  in.areas = {{"tension", "Tension", {0, 1}}, {"outlook", "Outlook", {2}}};
  in.reverse_keyed = {1, 2};
  in.total_rule = calmkit::ScoringRule::sum;
  in.area_rule = calmkit::ScoringRule::sum;
  in.bands = {{"low", 0, 5}, {"high", 6, 12}};
  in.area_flag_at = 6;
  in.area_flag_label = "worth a look";
  return in;
}
}  // namespace

TEST_CASE("custom instrument: reverse keys, sums and registration", "[assessments]") {
  auto in = mood3();
  calmkit::validate(in);
  // answers 3, 1, 0: keyed 3, (0+4-1)=3, (4-0)=4 -> total 10 -> "high";
  // tension = 3 + 3 = 6 (flagged), outlook = 4
  auto s = calmkit::score(in, std::vector<int>{3, 1, 0});
  CHECK(s.total == 10.0);
  CHECK(s.band == "high");
  CHECK(s.areas[0].score == 6.0);
  CHECK(s.areas[0].flagged);
  CHECK(s.areas[1].score == 4.0);
  CHECK_FALSE(s.areas[1].flagged);
  CHECK(s.flags == std::vector<std::string>{"Tension: worth a look"});
  // answers 0, 4, 4: keyed 0, 0, 0 -> total 0 -> "low"
  CHECK(calmkit::score(in, std::vector<int>{0, 4, 4}).total == 0.0);

  CHECK(calmkit::find_instrument("test-mood-3") == nullptr);
  calmkit::register_instrument(in);
  CHECK(calmkit::instrument("test-mood-3") == in);
  auto ids = calmkit::instrument_ids();
  REQUIRE(ids.size() >= 3);
  CHECK(ids[0] == "attachment-checkin");
  CHECK(ids[1] == "gad-7");
  CHECK_THROWS_WITH(calmkit::register_instrument(in), Contains("already registered"));
  auto g = calmkit::instrument("gad-7");
  CHECK_THROWS_WITH(calmkit::register_instrument(g), Contains("already registered"));
}

TEST_CASE("unknown instruments and invalid definitions are clear errors", "[assessments]") {
  CHECK_THROWS_WITH(calmkit::instrument("phq-9"),
                    Contains("unknown instrument 'phq-9'") && Contains("gad-7"));
  CHECK(calmkit::find_instrument("phq-9") == nullptr);

  auto bad = mood3();
  bad.id = "";
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("id is empty"));
  bad = mood3();
  bad.items.clear();
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("no items"));
  bad = mood3();
  bad.scale_min = 5;
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("above scale_max"));
  bad = mood3();
  bad.scale_labels.pop_back();
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("4 scale labels for a scale of 5 points"));
  bad = mood3();
  bad.areas[1].items = {3};
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("area 'outlook' names item 3"));
  bad = mood3();
  bad.reverse_keyed = {1, 1};
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("reverse_keyed names item 1 twice"));
  bad = mood3();
  bad.bands = {{"low", 0, 6}, {"high", 6, 12}};
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("overlaps"));
  bad = mood3();
  bad.bands = {{"low", 0, 13}};  // the total can reach 3 * 4 = 12 at most
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("outside the possible total"));
  bad = mood3();
  bad.area_flag_label.clear();
  CHECK_THROWS_WITH(calmkit::validate(bad), Contains("area_flag_label"));
  bad = mood3();
  bad.id = "bad id";
  CHECK_THROWS_AS(calmkit::register_instrument(bad), std::invalid_argument);
  CHECK(calmkit::find_instrument("bad id") == nullptr);
}
