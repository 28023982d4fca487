// One rule set, every entry point: each bad record of the table below is
// refused by `validate`, `Journal::add`, `Journal`'s constructor, the writer,
// the SQLite store, the strict and the lenient reader (and, for the rules
// that have a column, `Cohort::check`), always with the same field and
// the same reason; only the place in front differs, and that is checked too.
//
// The reasons are written out by hand below (not taken from validate.hpp), so
// a caller that words a rule its own way, or skips it, fails here.
#include <calmkit/assessments.hpp>
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/metrics/columns.hpp>
#include <calmkit/store.hpp>
#include <calmkit/validate.hpp>

#include "record_error.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

using namespace calmkit;
using fixtures::record_error;
using fixtures::TempDir;

namespace {

Instant at(const char* s) {
  return Instant::parse(s);
}

/// One broken rule: the records that come first (all good), the bad record,
/// its JSON Lines text as another program would write it, and what every
/// entry point must say.
struct Case {
  const char* name;
  std::vector<Record> before;
  Record bad;
  std::string line;  ///< the bad record as one journal line
  std::string field;
  std::string reason;
  bool journal_checks = true;   ///< false: a registry rule, which Journal leaves to the I/O layers
  std::string reader_suffix{};  ///< what the reader adds after the reason (the line of a first use)
};

Trigger good_trigger() {
  return Trigger{.participant = "p",
                 .id = "t1",
                 .time = at("2026-03-02T21:14:00+01:00"),
                 .category = TriggerCategory::delayed_reply,
                 .intensity = Intensity(8)};
}
const std::string trigger_line =
    R"({"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply","intensity":8)";

ExerciseSession good_exercise() {
  return ExerciseSession{.participant = "p",
                         .id = "e1",
                         .time = at("2026-03-02T21:30:00+01:00"),
                         .end = at("2026-03-02T21:35:00+01:00"),
                         .exercise = "breathing.4-7-8"};
}

Assessment good_assessment() {
  return Assessment{.participant = "p",
                    .id = "a1",
                    .time = at("2026-03-02T21:14:00+01:00"),
                    .instrument = "gad-7",
                    .answers = {1, 2, 3, 0, 1, 2, 1}};
}

std::vector<Case> cases() {
  std::vector<Case> out;
  {
    auto t = good_trigger();
    t.id.clear();
    out.push_back(
        {"trigger without id",
         {},
         t,
         R"({"type":"trigger","participant":"p","id":"","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply","intensity":8})",
         "id",
         "must not be empty"});
  }
  {
    auto e = good_exercise();
    e.id.clear();
    out.push_back(
        {"exercise without id",
         {},
         e,
         R"({"type":"exercise","participant":"p","id":"","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.4-7-8","end":"2026-03-02T21:35:00+01:00"})",
         "id",
         "must not be empty"});
  }
  {
    auto e = good_exercise();
    e.exercise.clear();
    out.push_back(
        {"exercise without exercise id",
         {},
         e,
         R"({"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"","end":"2026-03-02T21:35:00+01:00"})",
         "exercise",
         "must not be empty"});
  }
  {
    auto e = good_exercise();
    e.end = at("2026-03-02T20:29:00Z");  // 21:29+01:00: a minute before the start
    out.push_back(
        {"exercise ending before it starts",
         {},
         e,
         R"({"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.4-7-8","end":"2026-03-02T20:29:00Z"})",
         "end",
         "end 2026-03-02T20:29:00Z is before time 2026-03-02T21:30:00+01:00"});
  }
  {
    ThoughtRecord r{.participant = "p",
                    .id = "",
                    .time = at("2026-03-02T22:00:00+01:00"),
                    .situation = "no reply",
                    .automatic_thought = "they are leaving",
                    .belief_before = Percent(80)};
    out.push_back(
        {"thought record without id",
         {},
         r,
         R"({"type":"thought_record","participant":"p","id":"","time":"2026-03-02T22:00:00+01:00","situation":"no reply","automatic_thought":"they are leaving","belief_before":80})",
         "id",
         "must not be empty"});
  }
  {
    auto a = good_assessment();
    a.id.clear();
    out.push_back(
        {"assessment without id",
         {},
         a,
         R"({"type":"assessment","participant":"p","id":"","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7","answers":[1,2,3,0,1,2,1]})",
         "id",
         "must not be empty"});
  }
  {
    auto a = good_assessment();
    a.instrument.clear();
    out.push_back(
        {"assessment without instrument",
         {},
         a,
         R"({"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"","answers":[1,2,3,0,1,2,1]})",
         "instrument",
         "must not be empty"});
  }
  {
    auto a = good_assessment();
    a.instrument = "phq-9";
    out.push_back(
        {"assessment of an unknown instrument",
         {},
         a,
         R"({"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"phq-9","answers":[1,2,3,0,1,2,1]})",
         "instrument",
         "unknown instrument 'phq-9' (known: " +
             [] {
               std::string known;
               for (const auto& id : instrument_ids()) known += (known.empty() ? "" : ", ") + id;
               return known;
             }() +
             "; register custom instruments with register_instrument first)",
         false});
  }
  {
    auto a = good_assessment();
    a.answers = {1, 2, 3};
    out.push_back(
        {"assessment with too few answers",
         {},
         a,
         R"({"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7","answers":[1,2,3]})",
         "answers",
         "instrument 'gad-7' has 7 items, got 3 answers",
         false});
  }
  {
    auto a = good_assessment();
    a.answers = {1, 2, 3, 0, 1, 2, 4};  // GAD-7 answers are 0..3
    out.push_back(
        {"assessment answer off the scale",
         {},
         a,
         R"({"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7","answers":[1,2,3,0,1,2,4]})",
         "answers[6]",
         "instrument 'gad-7', item 6 (\"Feeling afraid, as if something awful might happen\"): answer 4 "
         "is outside the scale 0..3",
         false});
  }
  {
    auto t = good_trigger();
    t.time = at("2026-03-03T09:00:00+01:00");
    out.push_back(
        {"duplicate trigger id",
         {good_trigger()},
         t,
         R"({"type":"trigger","participant":"p","id":"t1","time":"2026-03-03T09:00:00+01:00","category":"delayed_reply","intensity":8})",
         "id",
         "duplicate trigger id 't1' for participant 'p'",
         true,
         " (first used on line 1)"});
  }
  {
    Reading r1{
        .participant = "p", .id = "r1", .time = at("2026-03-02T21:20:00+01:00"), .intensity = Intensity(6)};
    Reading r2 = r1;
    r2.time = at("2026-03-02T21:40:00+01:00");
    out.push_back(
        {"duplicate reading id",
         {r1},
         r2,
         R"({"type":"reading","participant":"p","id":"r1","time":"2026-03-02T21:40:00+01:00","intensity":6})",
         "id",
         "duplicate reading id 'r1' for participant 'p'",
         true,
         " (first used on line 1)"});
  }
  {
    Reading r{.participant = "p",
              .time = at("2026-03-02T21:20:00+01:00"),
              .intensity = Intensity(6),
              .trigger = "t9"};
    out.push_back(
        {"reading linked to a trigger the participant does not have",
         {good_trigger()},
         r,
         R"({"type":"reading","participant":"p","time":"2026-03-02T21:20:00+01:00","intensity":6,"trigger":"t9"})",
         "trigger",
         "refers to trigger 't9', which participant 'p' does not have"});
  }
  {
    auto e = good_exercise();
    e.trigger = "t1";
    Trigger other = good_trigger();
    other.participant = "q";  // the same id, another participant: links never cross
    out.push_back(
        {"exercise linked to another participant's trigger",
         {other},
         e,
         R"({"type":"exercise","participant":"p","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.4-7-8","end":"2026-03-02T21:35:00+01:00","trigger":"t1"})",
         "trigger",
         "refers to trigger 't1', which participant 'p' does not have"});
  }
  // Text is UTF-8 (RFC 8259 8.1): the field holding the first byte that
  // begins no UTF-8 sequence, and that byte's offset in the field's text as the
  // record holds it (the reader counts past the JSON escapes before it).
  {
    Reading r{.participant = "p", .time = at("2026-03-02T21:20:00+01:00"), .intensity = Intensity(6)};
    r.note = "caf\xE9";  // Latin-1
    out.push_back(
        {"a note that is not UTF-8",
         {},
         r,
         "{\"type\":\"reading\",\"participant\":\"p\",\"time\":\"2026-03-02T21:20:00+01:00\",\"intensity\":6,"
         "\"note\":\"caf\xE9\"}",
         "note",
         "is not valid UTF-8 (byte 0xe9 at offset 3)"});
  }
  {
    auto t = good_trigger();
    t.thoughts = {"ok", "\xFF"};
    out.push_back({"the second thought is not UTF-8",
                   {},
                   t,
                   trigger_line + ",\"thoughts\":[\"ok\",\"\xFF\"]}",
                   "thoughts[1]",
                   "is not valid UTF-8 (byte 0xff at offset 0)"});
  }
  {
    ThoughtRecord t{.participant = "p",
                    .id = "th1",
                    .time = at("2026-03-02T21:14:00+01:00"),
                    .situation = "no reply",
                    .automatic_thought = "they are leaving",
                    .belief_before = Percent(80)};
    t.emotions = {
        EmotionRating{.name = "a\n\xC3(", .before = Percent(50)}};  // a lead byte with no continuation
    out.push_back(
        {"an emotion's name, after an escape, is not UTF-8",
         {},
         t,
         "{\"type\":\"thought_record\",\"participant\":\"p\",\"id\":\"th1\",\"time\":\"2026-03-02T21:14:00+"
         "01:00\","
         "\"situation\":\"no reply\",\"automatic_thought\":\"they are leaving\",\"belief_before\":80,"
         "\"emotions\":[{\"name\":\"a\\n\xC3(\",\"before\":50}]}",
         "emotions[0].name",
         "is not valid UTF-8 (byte 0xc3 at offset 2)"});
  }
  {
    auto t = good_trigger();
    t.id = "\xC3\xA9\xED\xA0\x80";  // "é" then an encoded surrogate (CESU-8)
    out.push_back({"an id holding a surrogate",
                   {},
                   t,
                   "{\"type\":\"trigger\",\"participant\":\"p\",\"id\":\"\\u00e9\xED\xA0\x80\",\"time\":"
                   "\"2026-03-02T21:14:"
                   "00+01:00\",\"category\":\"delayed_reply\",\"intensity\":8}",
                   "id",
                   "is not valid UTF-8 (byte 0xed at offset 2)"});
  }
  return out;
}

void put(RecordSet& rs, const Record& r) {
  std::visit(
      [&rs](const auto& x) {
        using R = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<R, Trigger>)
          rs.triggers.push_back(x);
        else if constexpr (std::is_same_v<R, Reading>)
          rs.readings.push_back(x);
        else if constexpr (std::is_same_v<R, ExerciseSession>)
          rs.exercises.push_back(x);
        else if constexpr (std::is_same_v<R, ThoughtRecord>)
          rs.thought_records.push_back(x);
        else
          rs.assessments.push_back(x);
      },
      r);
}

std::string describe(const Record& r) {
  return std::visit([](const auto& x) { return describe_record(x); }, r);
}

void check_refusal(const std::optional<RecordError>& e, const std::string& place, const Case& c) {
  REQUIRE(e.has_value());
  CHECK(e->place() == place);
  CHECK(e->field() == c.field);
  CHECK(e->reason() == c.reason);
  CHECK(std::string(e->what()) == place + ": field '" + c.field + "': " + c.reason);
}

}  // namespace

TEST_CASE("every entry point refuses each bad record with the same rule and message", "[rules]") {
  for (const Case& c : cases()) {
    DYNAMIC_SECTION(c.name) {
      // The model itself.
      std::optional<RuleViolation> v = validate(c.bad);
      if (auto* a = std::get_if<Assessment>(&c.bad); a && !v) v = validate_answers(*a);
      const bool own_rule = v.has_value();  // false: a rule that needs the other records
      if (own_rule) CHECK(*v == RuleViolation{c.field, c.reason});

      // Journal::add, after the records that come first.
      Journal j;
      for (const auto& r : c.before) j.add(r);
      if (c.journal_checks) {
        check_refusal(record_error([&] { j.add(c.bad); }), "cannot add " + describe(c.bad), c);
        CHECK(j.size() == c.before.size());  // unchanged
        // Journal's constructor, given everything at once.
        RecordSet rs;
        for (const auto& r : c.before) put(rs, r);
        put(rs, c.bad);
        check_refusal(record_error([&] { Journal{std::move(rs)}; }), describe(c.bad), c);
      } else {
        CHECK_NOTHROW(j.add(c.bad));  // the registry's rule is the I/O layers' (journal.hpp)
      }

      // The writer: one record, and a journal holding it (when Journal takes it).
      if (own_rule) {
        check_refusal(record_error([&] { (void)to_json(c.bad); }), "cannot write " + describe(c.bad), c);
        if (!c.journal_checks) {
          check_refusal(record_error([&] { (void)to_jsonl(j); }), "cannot write " + describe(c.bad), c);
        }
      }

      // The store, after the records that come first.
      TempDir dir("rules");
      auto store = Store::open(dir / "j.db");
      for (const auto& r : c.before) store.add(r);
      check_refusal(record_error([&] { store.add(c.bad); }),
                    "store '" + (dir / "j.db").string() + "': cannot add " + describe(c.bad), c);
      CHECK(store.load().size() == c.before.size());

      // The reader, strict and lenient: the bad line after the good ones.
      std::string text;
      for (const auto& r : c.before) text += to_json(r) + "\n";
      text += c.line + "\n";
      const std::size_t line = c.before.size() + 1;
      try {
        (void)parse_journal_with_report(text, {}, "rules.jsonl");
        FAIL("the strict reader took it");
      } catch (const JournalFormatError& e) {
        CHECK(e.path() == "rules.jsonl");
        CHECK(e.line() == line);
        CHECK(e.field() == c.field);
        CHECK(e.reason() == c.reason + c.reader_suffix);
      }
      const auto lenient = parse_journal_with_report(text, {.lenient = true}, "rules.jsonl");
      REQUIRE(lenient.report.skipped.size() == 1);
      const auto& s = lenient.report.skipped.front();
      CHECK(s.line == line);
      CHECK(s.field == c.field);
      CHECK(s.reason == c.reason + c.reader_suffix);
      CHECK(lenient.journal.size() == c.before.size());
    }
  }
}

TEST_CASE("acted_after_minutes: the type Minutes is the rule, the same reason at every entry point",
          "[rules]") {
  // A Trigger cannot hold -1.5 minutes, so Journal, the writer and the store
  // never see such a record: the entry points that read a plain number (the
  // reader, the columns) refuse it with the type's reason.
  const std::string reason = "must be a finite number of minutes >= 0, got -1.5";
  CHECK_FALSE(Minutes::make(-1.5).has_value());
  CHECK(Minutes::out_of_range_reason(-1.5) == reason);
  CHECK_THROWS_WITH(Minutes(-1.5), "minutes " + reason);
  CHECK(rules::acted_after_minutes(-1.5) == RuleViolation{"acted_after_minutes", reason});
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -0.0001}) {
    CHECK_FALSE(Minutes::make(bad).has_value());
    CHECK_THROWS_AS(Minutes(bad), std::out_of_range);
  }
  CHECK(Minutes::make(0.0)->value() == 0.0);
  CHECK(Minutes(12.5).value() == 12.5);

  const std::string text = trigger_line + R"(,"acted_after_minutes":-1.5})" + "\n";
  try {
    (void)parse_journal_with_report(text, {}, "rules.jsonl");
    FAIL("the strict reader took it");
  } catch (const JournalFormatError& e) {
    CHECK(std::string(e.what()) == "rules.jsonl:1: field 'acted_after_minutes': " + reason);
  }
  const auto lenient = parse_journal_with_report(text, {.lenient = true}, "rules.jsonl");
  REQUIRE(lenient.report.skipped.size() == 1);
  CHECK(lenient.report.skipped.front().reason == reason);

  // A number past a double is infinite with its sign: 1e400 is inf, -1e400 is -inf.
  for (const auto& [token, got] : {std::pair<std::string, std::string>{"1e400", "inf"}, {"-1e400", "-inf"}}) {
    const auto past = parse_journal_with_report(trigger_line + R"(,"acted_after_minutes":)" + token + "}\n",
                                                {.lenient = true}, "rules.jsonl");
    REQUIRE(past.report.skipped.size() == 1);
    CHECK(past.report.skipped.front().field == "acted_after_minutes");
    CHECK(past.report.skipped.front().reason == "must be a finite number of minutes >= 0, got " + got);
  }
}

TEST_CASE("the columnar form refuses the rules it has a column for, with the same reason", "[rules]") {
  Journal j;
  j.add(good_trigger());
  j.add(good_exercise());
  const auto base = metrics::Cohort::from_journal(j);
  SECTION("acted_after_minutes") {
    auto c = base;
    c.triggers.acted_after_minutes[0] = -1.5;
    CHECK_THROWS_WITH(c.check(),
                      "cohort columns: triggers row 0, field 'acted_after_minutes': must be a finite "
                      "number of minutes >= 0, got -1.5 (NaN: not recorded)");
    c.triggers.acted_after_minutes[0] = std::numeric_limits<double>::quiet_NaN();  // not recorded: fine
    CHECK_NOTHROW(c.check());
  }
  SECTION("end not before time") {
    auto c = base;
    c.exercises.end_us[0] = c.exercises.time_us[0] - 60'000'000;  // a minute before the start
    CHECK_THROWS_WITH(c.check(),
                      "cohort columns: exercises row 0, field 'end_us': end 2026-03-02T21:29:00+01:00 "
                      "is before time 2026-03-02T21:30:00+01:00");
  }
  SECTION("intensity on its scale") {
    auto c = base;
    c.triggers.intensity[0] = 11;
    CHECK_THROWS_WITH(c.check(),
                      "cohort columns: triggers row 0, field 'intensity': must be an integer 0..10, got 11");
    CHECK_THROWS_WITH(Intensity(11), "intensity must be an integer 0..10, got 11");  // the type's own text
  }
}

TEST_CASE("a value the types refuse: the reader words it with the type's own reason", "[rules]") {
  // These values cannot be put into a record (the types refuse them), so the
  // entry points that read plain numbers and text are the ones to check: the
  // reader here, the Arrow bridge and the store's rows in
  // tests/python/test_rules.py. The reason is written out by hand and must
  // equal the type's (or the rule function's) own text.
  struct ValueCase {
    const char* name;
    std::string line;
    std::size_t field_line;
    std::string field;
    std::string reason;
    std::string model_reason;  ///< the same reason, from the model's own function
  };
  TimeParseError why;
  REQUIRE_FALSE(Instant::try_parse("2026-02-30T21:14:00+01:00", &why));
  const std::string thought =
      R"({"type":"thought_record","participant":"p","id":"th1","time":"2026-03-02T21:14:00+01:00","situation":"s","automatic_thought":"a","belief_before":80)";
  const std::vector<ValueCase> cases{
      {"intensity 11", R"({"type":"reading","time":"2026-03-02T21:14:00Z","intensity":11})", 1, "intensity",
       "must be an integer 0..10, got 11", Intensity::out_of_range_reason(11)},
      {"belief 101", std::string(thought).replace(thought.find("80"), 2, "101") + "}", 1, "belief_before",
       "must be an integer 0..100, got 101", Percent::out_of_range_reason(101)},
      {"minutes -0.5", trigger_line + R"(,"acted_after_minutes":-0.5})", 1, "acted_after_minutes",
       "must be a finite number of minutes >= 0, got -0.5", Minutes::out_of_range_reason(-0.5)},
      {"unknown category",
       std::string(trigger_line).replace(trigger_line.find("delayed_reply"), 13, "sadness") + "}", 1,
       "category", "unknown trigger category 'sadness'; valid ids: ", unknown_trigger_category("sadness")},
      {"unknown distortion", thought + R"(,"distortions":["mind_reading","doom"]})", 1, "distortions[1]",
       "unknown cognitive distortion 'doom'; valid ids: ", unknown_distortion("doom")},
      {"a day that does not exist", R"({"type":"reading","time":"2026-02-30T21:14:00+01:00","intensity":3})",
       1, "time", "invalid time '2026-02-30T21:14:00+01:00': day does not exist in that month",
       Instant::invalid_reason("2026-02-30T21:14:00+01:00", why)},
      {"required field missing", R"({"type":"reading","time":"2026-03-02T21:14:00Z"})", 1, "intensity",
       "required field is missing", rules::required_missing()},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      // The hand-written reason is the model's (the vocabulary texts go on with the valid ids).
      CHECK(c.model_reason.rfind(c.reason, 0) == 0);
      try {
        (void)parse_journal_with_report(c.line + "\n", {}, "values.jsonl");
        FAIL("the strict reader took it");
      } catch (const JournalFormatError& e) {
        CHECK(e.line() == c.field_line);
        CHECK(e.field() == c.field);
        CHECK(e.reason() == c.model_reason);
      }
      const auto lenient = parse_journal_with_report(c.line + "\n", {.lenient = true}, "values.jsonl");
      REQUIRE(lenient.report.skipped.size() == 1);
      CHECK(lenient.report.skipped.front().reason == c.model_reason);
    }
  }
  // The throwing forms carry the same reason after the type's name.
  CHECK_THROWS_WITH(Instant::parse("2026-02-30T21:14:00+01:00"),
                    "invalid time '2026-02-30T21:14:00+01:00': day does not exist in that month");
  CHECK_THROWS_WITH(parse_trigger_category("sadness"), unknown_trigger_category("sadness"));
}

TEST_CASE("a record refused by Journal::add is a JournalFormatError with no file or line", "[rules]") {
  // One name across C++, Python and JavaScript: RecordError is a JournalFormatError (path "", line 0) whose
  // field and reason are the reader's for the same record, and whose message begins with its place.
  Journal journal;
  Reading r;
  r.participant = "p";
  r.time = at("2026-03-02T21:20:00+01:00");
  r.trigger = "t9";
  try {
    journal.add(r);
    FAIL("Journal::add took a reading linked to a trigger the journal does not have");
  } catch (const JournalFormatError& e) {
    const auto* record = dynamic_cast<const RecordError*>(&e);
    REQUIRE(record != nullptr);
    CHECK(e.path().empty());
    CHECK(e.line() == 0);
    CHECK(e.field() == "trigger");
    CHECK(e.reason() == "refers to trigger 't9', which participant 'p' does not have");
    CHECK(record->place() == "cannot add reading of participant 'p'");
    CHECK(std::string(e.what()) == record->place() + ": field 'trigger': " + e.reason());
  }
  CHECK(journal.size() == 0);
  // The reader's error for the same record in a file: the same field and reason.
  try {
    (void)parse_journal(
        "{\"type\":\"reading\",\"participant\":\"p\",\"time\":\"2026-03-02T21:20:00+01:00\","
        "\"intensity\":3,\"trigger\":\"t9\"}\n");
    FAIL("the reader took it");
  } catch (const JournalFormatError& e) {
    CHECK(dynamic_cast<const RecordError*>(&e) == nullptr);
    CHECK(e.field() == "trigger");
    CHECK(e.reason() == "refers to trigger 't9', which participant 'p' does not have");
  }
}

TEST_CASE("the year and offset rules' texts are made from their bounds", "[rules]") {
  CHECK(calmkit::detail::year_rule == "year must be " + std::to_string(calmkit::detail::min_year) + ".." +
                                          std::to_string(calmkit::detail::max_year));
  const int h = UtcOffset::max_minutes / 60, m = UtcOffset::max_minutes % 60;
  CHECK(calmkit::detail::offset_rule == "UTC offset must be within -" + std::to_string(h) + ":" +
                                            std::to_string(m) + "..+" + std::to_string(h) + ":" +
                                            std::to_string(m));
  CHECK(calmkit::detail::year_rule.data()[calmkit::detail::year_rule.size()] ==
        '\0');  // the parser's C string
}
