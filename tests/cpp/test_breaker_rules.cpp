// An independent reviewer's cases for the one rule set in C++ (not taken from
// test_rules.cpp): text that is not UTF-8 in every text field of every record
// type, through Journal::add, the writer and the store; and the bounds of the
// rules a C++ caller can break, on both sides, through the same entry points.
// The expected field and reason are written out by hand here.
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/store.hpp>
#include <calmkit/validate.hpp>

#include "record_error.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace calmkit;
using fixtures::record_error;
using fixtures::TempDir;

namespace {

Instant at(const char* s) {
  return Instant::parse(s);
}

Trigger trigger() {
  return Trigger{.participant = "p",
                 .id = "t1",
                 .time = at("2026-03-02T21:14:00+01:00"),
                 .category = TriggerCategory::delayed_reply,
                 .intensity = Intensity(8)};
}
Reading reading() {
  return Reading{.participant = "p", .time = at("2026-03-02T21:20:00+01:00"), .intensity = Intensity(6)};
}
ExerciseSession exercise() {
  return ExerciseSession{.participant = "p",
                         .id = "e1",
                         .time = at("2026-03-02T21:30:00+01:00"),
                         .end = at("2026-03-02T21:35:00+01:00"),
                         .exercise = "breathing.4-7-8"};
}
ThoughtRecord thought() {
  ThoughtRecord r;
  r.participant = "p";
  r.id = "th1";
  r.time = at("2026-03-02T21:14:00+01:00");
  r.situation = "no reply";
  r.automatic_thought = "they are leaving";
  r.belief_before = Percent(80);
  return r;
}
Assessment assessment() {
  return Assessment{.participant = "p",
                    .id = "a1",
                    .time = at("2026-03-02T21:14:00+01:00"),
                    .instrument = "gad-7",
                    .answers = {1, 2, 3, 0, 1, 2, 1}};
}

struct Bad {
  std::string name;
  Record record;
  std::string field;
  std::string reason;
};

// "ab" then a byte that starts no UTF-8 sequence: the first bad byte is at offset 2.
const std::string not_utf8 = std::string("ab") + '\xff';
const std::string utf8_reason = "is not valid UTF-8 (byte 0xff at offset 2)";

std::vector<Bad> not_utf8_cases() {
  std::vector<Bad> out;
  // One case a text field: a valid record of the type, `set` puts not_utf8 in that field.
  auto add = [&](std::string field, auto record, auto set) {
    set(record);
    out.push_back({field + " not UTF-8", Record(std::move(record)), field, utf8_reason});
  };
  add("participant", trigger(), [](auto& r) { r.participant = not_utf8; });
  add("id", trigger(), [](auto& r) { r.id = not_utf8; });
  add("context", trigger(), [](auto& r) { r.context = not_utf8; });
  add("urge", trigger(), [](auto& r) { r.urge = not_utf8; });
  add("response", trigger(), [](auto& r) { r.response = not_utf8; });
  add("tags[1]", trigger(), [](auto& r) { r.tags = {"fine", not_utf8}; });
  add("thoughts[0]", trigger(), [](auto& r) { r.thoughts = {not_utf8}; });
  add("sensations[0]", trigger(), [](auto& r) { r.sensations = {not_utf8}; });
  add("note", reading(), [](auto& r) { r.note = not_utf8; });
  add("exercise", exercise(), [](auto& r) { r.exercise = not_utf8; });
  add("responses[0]", exercise(), [](auto& r) { r.responses = {not_utf8}; });
  add("situation", thought(), [](auto& r) { r.situation = not_utf8; });
  add("automatic_thought", thought(), [](auto& r) { r.automatic_thought = not_utf8; });
  add("balanced_thought", thought(), [](auto& r) { r.balanced_thought = not_utf8; });
  add("emotions[0].name", thought(),
      [](auto& r) { r.emotions = {EmotionRating{.name = not_utf8, .before = Percent(50)}}; });
  add("evidence_for[0]", thought(), [](auto& r) { r.evidence_for = {not_utf8}; });
  add("note", assessment(), [](auto& r) { r.note = not_utf8; });
  return out;
}

}  // namespace

// Finding A11 of session 25: Journal::add did not run rules::utf8_text, and
// the writer and the store worded the rule their own way.
TEST_CASE("text that is not UTF-8 is refused by Journal::add, the writer and the store with the field",
          "[rules][breaker]") {
  for (const Bad& c : not_utf8_cases()) {
    DYNAMIC_SECTION(c.name) {
      const std::string who = std::visit([](const auto& r) { return describe_record(r); }, c.record);
      Journal j;
      const auto added = record_error([&] { j.add(c.record); });
      CHECK(added.has_value());
      if (added) {
        CHECK(added->field() == c.field);
        CHECK(added->reason() == c.reason);
      }
      CHECK(j.size() == 0);

      const auto written = record_error([&] { (void)to_json(c.record); });
      CHECK(written.has_value());
      if (written)
        CHECK(std::string(written->what()) ==
              "cannot write " + who + ": field '" + c.field + "': " + c.reason);

      TempDir dir("breaker-utf8");
      auto store = Store::open(dir / "j.db");
      const auto stored = record_error([&] { store.add(c.record); });
      CHECK(stored.has_value());
      if (stored) {
        CHECK(stored->field() == c.field);
        CHECK(stored->reason() == c.reason);
      }
      CHECK(store.load().size() == 0);
    }
  }
}

TEST_CASE("the bounds a C++ caller can reach: both sides of each, the same answer everywhere",
          "[rules][breaker]") {
  TempDir dir("breaker-bounds");
  // end == time (in another zone) is fine; one microsecond before is not.
  auto same = exercise();
  same.end = at("2026-03-02T20:30:00Z");
  auto before = exercise();
  before.end = at("2026-03-02T20:29:59.999999Z");
  const std::string end_reason = "end 2026-03-02T20:29:59.999999Z is before time 2026-03-02T21:30:00+01:00";
  // -0.0 minutes is a number >= 0; the smallest negative one is not.
  auto zero = trigger();
  zero.acted_after_minutes = Minutes::make(-0.0);
  REQUIRE(zero.acted_after_minutes.has_value());
  CHECK_FALSE(Minutes::make(-4.9e-324).has_value());
  CHECK(Minutes::out_of_range_reason(-4.9e-324) == "must be a finite number of minutes >= 0, got -5e-324");
  // Scores: the types hold 0..10 and 0..100, nothing else.
  CHECK(Intensity::make(0).has_value());
  CHECK(Intensity::make(10).has_value());
  CHECK_FALSE(Intensity::make(11).has_value());
  CHECK_FALSE(Intensity::make(-1).has_value());
  CHECK(Percent::make(100).has_value());
  CHECK_FALSE(Percent::make(101).has_value());

  Journal j;
  CHECK_NOTHROW(j.add(same));
  CHECK_NOTHROW(j.add(zero));
  const auto e = record_error([&] { Journal().add(before); });
  REQUIRE(e.has_value());
  CHECK(std::string(e->what()) == "cannot add exercise 'e1' of participant 'p': field 'end': " + end_reason);
  const auto w = record_error([&] { (void)to_json(before); });
  REQUIRE(w.has_value());
  CHECK(std::string(w->what()) ==
        "cannot write exercise 'e1' of participant 'p': field 'end': " + end_reason);
  auto store = Store::open(dir / "j.db");
  CHECK_NOTHROW(store.add(same));
  CHECK_NOTHROW(store.add(zero));
  const auto s = record_error([&] { store.add(before); });
  REQUIRE(s.has_value());
  CHECK(s->field() == "end");
  CHECK(s->reason() == end_reason);
  // What was kept reads back the same through the writer and the reader.
  const Journal back = parse_journal(to_jsonl(j));
  CHECK(back == j);
  CHECK(store.load() == j);
}
