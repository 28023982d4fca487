// The Journal container: ordering, invariants, per-participant and time-range queries,
// and the bounded value types and vocabularies it is made of.
#include <calmkit/journal.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace calmkit;

namespace {
Instant at(const char* s) {
  return Instant::parse(s);
}

Trigger trig(std::string p, std::string id, const char* time, int intensity = 7) {
  Trigger t;
  t.participant = std::move(p);
  t.id = std::move(id);
  t.time = at(time);
  t.category = TriggerCategory::delayed_reply;
  t.intensity = Intensity(intensity);
  return t;
}

Reading read(std::string p, const char* time, int intensity, std::string trigger = "") {
  Reading r;
  r.participant = std::move(p);
  r.time = at(time);
  r.intensity = Intensity(intensity);
  r.trigger = std::move(trigger);
  return r;
}
}  // namespace

TEST_CASE("Intensity and Percent cannot hold out-of-range values") {
  CHECK(Intensity(10).value() == 10);
  CHECK_THROWS_AS(Intensity(11), std::out_of_range);
  CHECK_THROWS_WITH(Intensity(-1), Catch::Contains("intensity must be an integer 0..10"));
  CHECK_FALSE(Intensity::make(11).has_value());
  CHECK(Percent(100).value() == 100);
  CHECK_THROWS_WITH(Percent(101), Catch::Contains("percentage must be an integer 0..100"));
  CHECK(Intensity(3) < Intensity(4));
}

TEST_CASE("vocabulary tables map ids, labels and groups both ways") {
  CHECK(to_id(TriggerCategory::delayed_reply) == "delayed_reply");
  CHECK(group_of(TriggerCategory::delayed_reply) == TriggerGroup::relationship);
  CHECK(group_of(TriggerCategory::health_concern) == TriggerGroup::life);
  CHECK(group_of(TriggerCategory::perfectionism) == TriggerGroup::internal);
  CHECK(trigger_category_from_id("plans_cancelled") == TriggerCategory::plans_cancelled);
  CHECK_FALSE(trigger_category_from_id("Delayed_Reply").has_value());  // ids are case-sensitive
  CHECK_THROWS_WITH(parse_trigger_category("ghosting"),
                    Catch::Contains("unknown trigger category 'ghosting'"));
  CHECK(parse_distortion("mind_reading") == Distortion::mind_reading);
  CHECK_THROWS_AS(parse_distortion("doom"), std::invalid_argument);
  // every id round-trips and every label is written
  for (const auto& e : trigger_category_table) {
    CHECK(trigger_category_from_id(e.id) == e.value);
    CHECK_FALSE(e.label.empty());
  }
  for (const auto& e : distortion_table) {
    CHECK(distortion_from_id(e.id) == e.value);
    CHECK(description(e.value) == e.description);
    CHECK(e.description.size() > 30);  // a plain-language line, not a restated label
  }
  // the spec's 18 trigger ids and 12 distortions
  CHECK(trigger_category_table.size() == 18);
  CHECK(distortion_table.size() == 12);
}

TEST_CASE("records are kept ordered by participant, then time, whatever the insertion order") {
  Journal j;
  j.add(trig("b", "t1", "2026-03-02T10:00:00Z"));
  j.add(trig("a", "t2", "2026-03-03T10:00:00Z"));
  j.add(trig("a", "t1", "2026-03-02T10:00:00+05:00"));  // 05:00Z, earlier than a/t2
  REQUIRE(j.triggers().size() == 3);
  CHECK(j.triggers()[0].participant == "a");
  CHECK(j.triggers()[0].id == "t1");
  CHECK(j.triggers()[1].id == "t2");
  CHECK(j.triggers()[2].participant == "b");
  CHECK(j.participants() == std::vector<std::string>{"a", "b"});
  CHECK(j.triggers_of("a").size() == 2);
  CHECK(j.triggers_of("c").empty());
}

TEST_CASE("time-range queries include from, exclude to and compare instants, not wall clocks") {
  Journal j;
  j.add(trig("p", "t1", "2026-03-02T10:00:00Z"));
  j.add(read("p", "2026-03-02T10:30:00Z", 6, "t1"));
  // 12:00 at +01:00 is 11:00Z
  j.add(read("p", "2026-03-02T12:00:00+01:00", 4, "t1"));
  j.add(read("p", "2026-03-02T12:00:00Z", 2, "t1"));
  const auto from = at("2026-03-02T10:30:00Z");
  const auto to = at("2026-03-02T12:00:00Z");
  const auto rs = j.readings_between("p", from, to);
  REQUIRE(rs.size() == 2);  // 10:30Z and 11:00Z; 12:00Z is excluded
  CHECK(rs[0].intensity.value() == 6);
  CHECK(rs[1].intensity.value() == 4);
  CHECK(j.triggers_between("p", from, to).empty());
  const auto span = j.span_of("p");
  REQUIRE(span.has_value());
  CHECK(span->first == at("2026-03-02T10:00:00Z"));
  CHECK(span->second == at("2026-03-02T12:00:00Z"));
  CHECK_FALSE(j.span_of("nobody").has_value());
}

TEST_CASE("invariants: ids, duplicates, references, exercise end") {
  Journal j;
  j.add(trig("p", "t1", "2026-03-02T10:00:00Z"));
  SECTION("duplicate trigger id for the same participant") {
    CHECK_THROWS_WITH(j.add(trig("p", "t1", "2026-03-03T10:00:00Z")),
                      Catch::Contains("duplicate trigger id 't1' for participant 'p'"));
    CHECK(j.size() == 1);  // unchanged
  }
  SECTION("the same id for another participant is fine") {
    j.add(trig("q", "t1", "2026-03-03T10:00:00Z"));
    CHECK(j.size() == 2);
  }
  SECTION("a trigger needs an id") {
    CHECK_THROWS_WITH(j.add(trig("p", "", "2026-03-03T10:00:00Z")),
                      "cannot add trigger of participant 'p': field 'id': must not be empty");
  }
  SECTION("references must name a trigger of the same participant") {
    CHECK_THROWS_WITH(j.add(read("q", "2026-03-02T11:00:00Z", 3, "t1")),
                      Catch::Contains("refers to trigger 't1', which participant 'q' does not have"));
    j.add(read("p", "2026-03-02T11:00:00Z", 3, "t1"));
    CHECK(j.readings().size() == 1);
  }
  SECTION("an exercise may not end before it starts") {
    ExerciseSession e;
    e.participant = "p";
    e.id = "e1";
    e.exercise = "breathing.box";
    e.time = at("2026-03-02T10:05:00Z");
    e.end = at("2026-03-02T10:04:00Z");
    CHECK_THROWS_WITH(j.add(e),
                      "cannot add exercise 'e1' of participant 'p': field 'end': end "
                      "2026-03-02T10:04:00Z is before time 2026-03-02T10:05:00Z");
    // the same instant in another offset is not "before"
    e.end = at("2026-03-02T11:05:00+01:00");
    j.add(e);
    CHECK(j.exercises().size() == 1);
  }
  SECTION("reading ids are optional but unique when given") {
    auto r = read("p", "2026-03-02T11:00:00Z", 3);
    j.add(r);
    j.add(r);  // two unnamed readings at the same time are allowed
    r.id = "r1";
    j.add(r);
    CHECK_THROWS_WITH(j.add(r), Catch::Contains("duplicate reading id 'r1'"));
  }
}

TEST_CASE("the checking constructor finds what add() would refuse") {
  RecordSet rs;
  rs.triggers.push_back(trig("p", "t1", "2026-03-02T10:00:00Z"));
  rs.readings.push_back(read("p", "2026-03-02T11:00:00Z", 3, "t9"));
  CHECK_THROWS_WITH(Journal(rs), Catch::Contains("refers to trigger 't9'"));
  rs.readings.clear();
  rs.triggers.push_back(trig("p", "t1", "2026-03-04T10:00:00Z"));
  CHECK_THROWS_WITH(Journal(rs), Catch::Contains("duplicate trigger id 't1'"));
}

TEST_CASE("journals compare equal by content, independent of insertion order") {
  Journal a, b;
  a.add(trig("p", "t1", "2026-03-02T10:00:00Z"));
  a.add(trig("p", "t2", "2026-03-02T12:00:00Z"));
  b.add(trig("p", "t2", "2026-03-02T12:00:00Z"));
  b.add(trig("p", "t1", "2026-03-02T10:00:00Z"));
  CHECK(a == b);
  b.add(read("p", "2026-03-02T13:00:00Z", 1));
  CHECK_FALSE(a == b);
  // moving the records out and back in keeps the journal
  Journal c(std::move(b).release());
  CHECK(c.size() == 3);
  CHECK(b.empty());
}

TEST_CASE("assessments: ordered, queried per participant, ids unique, instrument required") {
  auto as = [](std::string p, std::string id, const char* time) {
    Assessment a;
    a.participant = std::move(p);
    a.id = std::move(id);
    a.time = at(time);
    a.instrument = "gad-7";
    a.answers = {1, 0, 2, 1, 0, 0, 1};
    return a;
  };
  Journal j;
  j.add(as("p", "a2", "2026-03-16T09:00:00Z"));
  j.add(as("p", "a1", "2026-03-02T09:00:00Z"));
  j.add(as("q", "a1", "2026-03-05T09:00:00Z"));  // same id, other participant: fine
  REQUIRE(j.assessments().size() == 3);
  CHECK(j.size() == 3);
  REQUIRE(j.assessments_of("p").size() == 2);
  CHECK(j.assessments_of("p")[0].id == "a1");  // earlier first
  CHECK(j.assessments_between("p", at("2026-03-10T00:00:00Z"), at("2026-04-01T00:00:00Z")).size() == 1);
  CHECK(j.participants() == std::vector<std::string>{"p", "q"});
  auto span = j.span_of("p");
  REQUIRE(span);
  CHECK(span->first == at("2026-03-02T09:00:00Z"));
  CHECK(span->second == at("2026-03-16T09:00:00Z"));

  CHECK_THROWS_WITH(j.add(as("p", "a1", "2026-04-01T09:00:00Z")),
                    Catch::Contains("duplicate assessment id 'a1' for participant 'p'"));
  auto no_id = as("p", "", "2026-04-01T09:00:00Z");
  CHECK_THROWS_WITH(j.add(no_id), Catch::Contains("field 'id': must not be empty"));
  auto no_instrument = as("p", "a9", "2026-04-01T09:00:00Z");
  no_instrument.instrument.clear();
  CHECK_THROWS_WITH(j.add(no_instrument), Catch::Contains("field 'instrument': must not be empty"));
  CHECK(j.assessments().size() == 3);  // unchanged by the refused adds

  RecordSet rs;
  rs.assessments = {as("p", "x", "2026-03-02T09:00:00Z"), as("p", "x", "2026-03-03T09:00:00Z")};
  CHECK_THROWS_WITH(Journal(rs), Catch::Contains("duplicate assessment id 'x'"));

  // equality sees assessments
  Journal k = j;
  CHECK(k == j);
  auto changed = as("r", "a1", "2026-03-02T09:00:00Z");
  k.add(changed);
  CHECK_FALSE(k == j);
  CHECK(to_id(RecordType::assessment) == "assessment");
}

TEST_CASE("revision: a new stamp for every change, shared only by unchanged copies") {
  Journal j;
  const auto r0 = j.revision();
  j.add(trig("p", "t1", "2026-03-02T10:00:00+01:00"));
  const auto r1 = j.revision();
  CHECK(r1 != r0);
  // A refused record changes nothing, so the stamp stays.
  CHECK_THROWS_AS(j.add(trig("p", "t1", "2026-03-02T11:00:00+01:00")), std::invalid_argument);
  CHECK(j.revision() == r1);
  Journal copy = j;
  CHECK(copy.revision() == r1);
  copy.add(read("p", "2026-03-02T10:30:00+01:00", 3, "t1"));
  CHECK(copy.revision() != r1);
  CHECK(j.revision() == r1);
  // Two independent journals built alike are still two states.
  Journal other;
  other.add(trig("p", "t1", "2026-03-02T10:00:00+01:00"));
  CHECK(other == j);
  CHECK(other.revision() != j.revision());
  // Moving out empties the source: it gets a stamp of its own.
  Journal moved = std::move(copy);
  CHECK(moved.size() == 2);
  CHECK(copy.revision() != moved.revision());  // NOLINT(bugprone-use-after-move): checked on purpose
  const auto before_release = moved.revision();
  const RecordSet rs = std::move(moved).release();
  CHECK(rs.size() == 2);
  CHECK(moved.revision() != before_release);  // NOLINT(bugprone-use-after-move)
  Journal assigned;
  assigned = j;
  CHECK(assigned.revision() == j.revision());
}

TEST_CASE("trusted construction orders like a stable sort and still checks later adds") {
  // Interleaved input: participants and times out of order, and three
  // readings of "q" without ids at the same instant (notes a, b, c), which
  // must keep their input order.
  RecordSet rs;
  rs.triggers = {trig("q", "t2", "2026-03-02T12:00:00Z"), trig("p", "t9", "2026-03-03T08:00:00Z"),
                 trig("q", "t1", "2026-03-02T09:00:00Z"), trig("p", "t1", "2026-03-02T07:00:00Z"),
                 trig("q", "t0", "2026-03-02T12:00:00Z")};
  for (const char* note : {"a", "b", "c"}) {
    auto r = read("q", "2026-03-02T13:00:00+01:00", 4);
    r.note = note;
    rs.readings.push_back(r);
    rs.readings.push_back(read("p", "2026-03-02T09:00:00Z", 2, "t1"));
    rs.readings.back().id = std::string("r") + note;
  }
  rs.readings.insert(rs.readings.begin() + 2, read("q", "2026-03-02T11:00:00Z", 6, "t1"));
  Journal j(std::move(rs), detail::trusted);

  std::vector<std::string> order;
  for (const auto& t : j.triggers()) order.push_back(t.participant + "/" + t.id);
  // (participant, time, id): q's t0 and t2 share 12:00 and sort by id.
  CHECK(order == std::vector<std::string>{"p/t1", "p/t9", "q/t1", "q/t0", "q/t2"});
  std::vector<std::string> readings;
  for (const auto& r : j.readings()) readings.push_back(r.participant + "/" + r.id + r.note);
  // p's readings tie on (participant, time) and sort by id; q's id-less
  // readings at 12:00Z tie completely and keep their input order a, b, c.
  CHECK(readings == std::vector<std::string>{"p/ra", "p/rb", "p/rc", "q/", "q/a", "q/b", "q/c"});

  // The same records added one by one give an equal journal.
  Journal added;
  for (const auto& t : j.triggers()) added.add(t);
  for (const auto& r : j.readings()) added.add(r);
  CHECK(added == j);

  // Adding to a journal built without checks still enforces every rule.
  CHECK_THROWS_WITH(j.add(trig("q", "t2", "2026-03-04T12:00:00Z")),
                    Catch::Contains("duplicate trigger id 't2' for participant 'q'"));
  CHECK_THROWS_WITH(j.add(read("q", "2026-03-04T12:00:00Z", 2, "t9")),
                    Catch::Contains("refers to trigger 't9', which participant 'q' does not have"));
  CHECK_NOTHROW(j.add(read("p", "2026-03-04T12:00:00Z", 2, "t9")));
  CHECK(j.readings_of("p").size() == 4);
}
