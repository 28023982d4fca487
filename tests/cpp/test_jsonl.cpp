// The journal format v1 reader and writer (src/io_read.cpp, src/io_write.cpp): every rule the
// reader enforces, lenient mode, round trips, atomic writes, and a no-crash
// run over thousands of mutated lines.
#include "test_paths.hpp"

#include <calmkit/io.hpp>
#include <calmkit/synthetic.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace fs = std::filesystem;
using calmkit::Instant;
using calmkit::Intensity;
using calmkit::JournalFormatError;
using calmkit::Percent;

namespace {

const std::string data_dir = calmkit::test::data_dir;

// Minimal valid lines of each record type.
const std::string trig =
    R"({"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply","intensity":8})";
const std::string read_ = R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6})";
const std::string exer =
    R"({"type":"exercise","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.box","end":"2026-03-02T21:35:00+01:00"})";
const std::string thought =
    R"({"type":"thought_record","id":"tr1","time":"2026-03-02T22:00:00+01:00","situation":"s","automatic_thought":"a","belief_before":80})";

/// `line` with `extra` fields added before its closing brace.
std::string with(const std::string& line, const std::string& extra) {
  return line.substr(0, line.size() - 1) + "," + extra + "}";
}

/// `line` with the first occurrence of `from` replaced by `to`.
std::string swap(std::string line, const std::string& from, const std::string& to) {
  const auto pos = line.find(from);
  REQUIRE(pos != std::string::npos);
  return line.replace(pos, from.size(), to);
}

/// The JournalFormatError a strict read of `text` throws (fails the test if none).
JournalFormatError error_of(const std::string& text) {
  try {
    (void)calmkit::parse_journal_with_report(text, {}, "mem.jsonl");
  } catch (const JournalFormatError& e) {
    return e;
  }
  FAIL("expected a JournalFormatError for:\n" << text);
  throw std::logic_error("unreachable");
}

struct BadCase {
  std::string what;
  std::string text;
  std::size_t line;
  std::string field;
  std::string reason;  ///< a part of the reason that must appear
};

void check_cases(const std::vector<BadCase>& cases) {
  for (const auto& c : cases) {
    INFO(c.what << "\n" << c.text);
    const auto e = error_of(c.text);
    CHECK(e.path() == "mem.jsonl");
    CHECK(e.line() == c.line);
    CHECK(e.field() == c.field);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains(c.reason));
    CHECK(std::string(e.what()) == JournalFormatError::compose("mem.jsonl", c.line, c.field, e.reason()));
  }
}

}  // namespace

TEST_CASE("the minimal line of each type reads", "[jsonl]") {
  const auto r =
      calmkit::parse_journal_with_report(trig + "\n" + read_ + "\n" + exer + "\n" + thought + "\n");
  CHECK(r.journal.size() == 4);
  CHECK(r.report.lines == 4);
  CHECK(r.report.records == 4);
  CHECK(r.report.version == 1);  // no header: version 1
  CHECK(r.report.skipped.empty());
  const auto& t = r.journal.triggers()[0];
  CHECK(t.participant.empty());
  CHECK(t.id == "t1");
  // 21:14 at +01:00 is 20:14 UTC on 2026-03-02: 1772482440 s since the epoch.
  CHECK(t.time.utc_us() == 1772482440000000LL);
  CHECK(t.time.offset().minutes() == 60);
  CHECK(t.category == calmkit::TriggerCategory::delayed_reply);
  CHECK(t.intensity == Intensity(8));
  CHECK_FALSE(t.acted_on_urge.has_value());
  const auto& e = r.journal.exercises()[0];
  CHECK(e.completed);  // absent means true
  CHECK_FALSE(e.intensity_before.has_value());
}

TEST_CASE("missing required fields are named", "[jsonl][rules]") {
  check_cases({
      {"trigger without category", swap(trig, R"("category":"delayed_reply",)", ""), 1, "category",
       "required field is missing"},
      {"trigger without intensity", swap(trig, R"(,"intensity":8)", ""), 1, "intensity",
       "required field is missing"},
      {"trigger without id", swap(trig, R"("id":"t1",)", ""), 1, "id", "required field is missing"},
      {"reading without time", swap(read_, R"("time":"2026-03-02T21:20:00+01:00",)", ""), 1, "time",
       "required field is missing"},
      {"reading without intensity", swap(read_, R"(,"intensity":6)", ""), 1, "intensity",
       "required field is missing"},
      {"exercise without end", swap(exer, R"(,"end":"2026-03-02T21:35:00+01:00")", ""), 1, "end",
       "required field is missing"},
      {"exercise without exercise", swap(exer, R"("exercise":"breathing.box",)", ""), 1, "exercise",
       "required field is missing"},
      {"thought record without situation", swap(thought, R"("situation":"s",)", ""), 1, "situation",
       "required field is missing"},
      {"thought record without belief_before", swap(thought, R"(,"belief_before":80)", ""), 1,
       "belief_before", "required field is missing"},
      {"no type at all", R"({"id":"t1","time":"2026-03-02T21:14:00+01:00"})", 1, "type",
       "required field is missing"},
      {"emotion without name", with(thought, R"("emotions":[{"name":"sad","before":10},{"before":50}])"), 1,
       "emotions[1].name", "required field is missing"},
      {"header without version", R"({"type":"header","format":"calmkit-journal"})", 1, "version",
       "required field is missing"},
  });
}

TEST_CASE("wrong JSON types are rejected, integers must be JSON integers", "[jsonl][rules]") {
  check_cases({
      {"intensity 3.5", swap(trig, "\"intensity\":8", "\"intensity\":3.5"), 1, "intensity",
       "must be an integer 0..10, got 3.5"},
      {"intensity \"3\"", swap(trig, "\"intensity\":8", "\"intensity\":\"3\""), 1, "intensity",
       "must be an integer 0..10, got a string"},
      {"intensity true", swap(trig, "\"intensity\":8", "\"intensity\":true"), 1, "intensity",
       "must be an integer 0..10, got true/false"},
      {"intensity 3.0 is not an integer", swap(read_, "\"intensity\":6", "\"intensity\":3.0"), 1, "intensity",
       "got 3.0"},
      {"intensity 1e1", swap(read_, "\"intensity\":6", "\"intensity\":1e1"), 1, "intensity", "got 1e1"},
      {"id as number", swap(trig, "\"id\":\"t1\"", "\"id\":1"), 1, "id", "must be a string, got a number"},
      {"participant null", with(read_, R"("participant":null)"), 1, "participant",
       "must be a string, got null"},
      {"context as list", with(trig, R"("context":["x"])"), 1, "context", "must be a string, got a list"},
      {"thoughts as string", with(trig, R"("thoughts":"x")"), 1, "thoughts",
       "must be a list of strings, got a string"},
      {"thoughts element", with(trig, R"("thoughts":["ok",2])"), 1, "thoughts[1]",
       "must be a string, got a number"},
      {"tags element", with(trig, R"("tags":[null])"), 1, "tags[0]", "must be a string, got null"},
      {"acted_on_urge as string", with(trig, R"("acted_on_urge":"yes")"), 1, "acted_on_urge",
       "must be true or false, got a string"},
      {"acted_after_minutes as string", with(trig, R"("acted_after_minutes":"5")"), 1, "acted_after_minutes",
       "got a string"},
      {"completed as 0", with(exer, R"("completed":0)"), 1, "completed",
       "must be true or false, got a number"},
      {"responses element", with(exer, R"("responses":[{}])"), 1, "responses[0]",
       "must be a string, got an object"},
      {"emotions not a list", with(thought, R"("emotions":{"name":"x","before":1})"), 1, "emotions",
       "must be a list of emotion objects"},
      {"emotion not an object", with(thought, R"("emotions":["sad"])"), 1, "emotions[0]",
       "must be an object"},
      {"emotion name a number", with(thought, R"("emotions":[{"name":5,"before":1}])"), 1, "emotions[0].name",
       "must be a string"},
      {"emotion before 50.5", with(thought, R"("emotions":[{"name":"x","before":50.5}])"), 1,
       "emotions[0].before", "must be an integer 0..100, got 50.5"},
      {"distortions element", with(thought, R"("distortions":[true])"), 1, "distortions[0]",
       "must be a string"},
      {"type as number", R"({"type":1})", 1, "type", "must be a string, got a number"},
  });
}

TEST_CASE("values out of range are rejected", "[jsonl][rules]") {
  check_cases({
      {"intensity 11", swap(trig, "\"intensity\":8", "\"intensity\":11"), 1, "intensity",
       "must be an integer 0..10, got 11"},
      {"intensity -1", swap(read_, "\"intensity\":6", "\"intensity\":-1"), 1, "intensity", "got -1"},
      {"huge intensity", swap(read_, "\"intensity\":6", "\"intensity\":123456789012345678901234"), 1,
       "intensity", "must be an integer 0..10"},
      {"intensity_before 11", with(exer, R"("intensity_before":11)"), 1, "intensity_before", "got 11"},
      {"intensity_after -2", with(exer, R"("intensity_after":-2)"), 1, "intensity_after", "got -2"},
      {"belief_before 101", swap(thought, "\"belief_before\":80", "\"belief_before\":101"), 1,
       "belief_before", "must be an integer 0..100, got 101"},
      {"belief_after -1", with(thought, R"("belief_after":-1)"), 1, "belief_after", "got -1"},
      {"emotion before 101", with(thought, R"("emotions":[{"name":"x","before":101}])"), 1,
       "emotions[0].before", "got 101"},
      {"emotion after -1", with(thought, R"("emotions":[{"name":"x","before":1,"after":-1}])"), 1,
       "emotions[0].after", "got -1"},
      {"negative minutes", with(trig, R"("acted_after_minutes":-0.5)"), 1, "acted_after_minutes",
       "must be a finite number of minutes >= 0, got -0.5"},
      {"infinite minutes", with(trig, R"("acted_after_minutes":1e999)"), 1, "acted_after_minutes", "finite"},
  });
}

TEST_CASE("times must be RFC 3339 with an offset, end not before time", "[jsonl][rules]") {
  check_cases({
      {"not a time", swap(read_, "2026-03-02T21:20:00+01:00", "yesterday evening"), 1, "time",
       "invalid time 'yesterday evening': too short"},
      {"no offset", swap(read_, "2026-03-02T21:20:00+01:00", "2026-03-02T21:20:00"), 1, "time",
       "missing UTC offset"},
      {"impossible date", swap(read_, "2026-03-02", "2026-02-30"), 1, "time", "day does not exist"},
      {"bad offset", swap(read_, "+01:00", "+0100"), 1, "time", "offset must be Z, +hh:mm or -hh:mm"},
      {"bad end", swap(exer, "2026-03-02T21:35:00+01:00", "soon"), 1, "end", "invalid time 'soon'"},
      // 21:30 at +01:00 is 20:30 UTC; 20:29 UTC written as Z is one minute earlier.
      {"end before time", swap(exer, "2026-03-02T21:35:00+01:00", "2026-03-02T20:29:00Z"), 1, "end",
       "end 2026-03-02T20:29:00Z is before time 2026-03-02T21:30:00+01:00"},
  });
  // The same moment written with another offset is not "before": 20:30Z == 21:30+01:00.
  CHECK(calmkit::parse_journal_with_report(swap(exer, "2026-03-02T21:35:00+01:00", "2026-03-02T20:30:00Z"))
            .journal.size() == 1);
}

TEST_CASE("unknown types and vocabulary ids", "[jsonl][rules]") {
  check_cases({
      {"unknown type", R"({"type":"mood","time":"2026-03-02T21:14:00+01:00"})", 1, "type",
       "unknown record type 'mood'"},
      {"unknown category", swap(trig, "delayed_reply", "ghosting"), 1, "category",
       "unknown trigger category 'ghosting'"},
      {"unknown distortion", with(thought, R"("distortions":["mind_reading","crystal_ball"])"), 1,
       "distortions[1]", "unknown cognitive distortion 'crystal_ball'; valid ids: all_or_nothing"},
  });
  const auto e = error_of(R"({"type":"assessment","id":"a1","time":"2026-03-02T21:14:00+01:00"})");
  CHECK(e.field() == "instrument");
  CHECK(e.reason() == "required field is missing");
}

TEST_CASE("assessments: instrument known, answers one integer per item inside the scale", "[jsonl][rules]") {
  const std::string gad =
      R"({"type":"assessment","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7","answers":[1,2,3,0,1,2,1]})";
  {
    const auto j =
        calmkit::parse_journal_with_report(with(gad, R"("participant":"p","note":"after a hard week")"))
            .journal;
    REQUIRE(j.assessments().size() == 1);
    const auto& a = j.assessments()[0];
    CHECK(a.participant == "p");
    CHECK(a.id == "a1");
    CHECK(a.instrument == "gad-7");
    CHECK(a.answers == std::vector<int>{1, 2, 3, 0, 1, 2, 1});
    CHECK(a.note == "after a hard week");
    CHECK(a.time == Instant::parse("2026-03-02T21:14:00+01:00"));
  }
  // answers before instrument: checked once the whole object is read
  CHECK(
      calmkit::parse_journal_with_report(
          R"({"answers":[0,0,0,0,0,0,0],"type":"assessment","id":"a1","time":"2026-03-02T21:14:00Z","instrument":"gad-7"})")
          .journal.assessments()
          .size() == 1);
  check_cases({
      {"missing answers", swap(gad, R"(,"answers":[1,2,3,0,1,2,1])", ""), 1, "answers",
       "required field is missing"},
      {"missing id", swap(gad, R"("id":"a1",)", ""), 1, "id", "required field is missing"},
      {"unknown instrument", swap(gad, "gad-7", "phq-9"), 1, "instrument",
       "unknown instrument 'phq-9' (known: attachment-checkin, gad-7"},
      {"empty instrument", swap(gad, "gad-7", ""), 1, "instrument", "must not be empty"},
      {"answers not a list", swap(gad, "[1,2,3,0,1,2,1]", R"("1,2")"), 1, "answers",
       "must be a list of integers, got a string"},
      {"answer not an integer", swap(gad, "[1,2,3,0,1,2,1]", "[1,2,3,0,1.5,2,1]"), 1, "answers[4]",
       "must be an integer"},
      {"answer a string", swap(gad, "[1,2,3,0,1,2,1]", R"([1,"2",3,0,1,2,1])"), 1, "answers[1]",
       "got a string"},
      {"too few answers", swap(gad, "[1,2,3,0,1,2,1]", "[1,2,3]"), 1, "answers",
       "instrument 'gad-7' has 7 items, got 3 answers"},
      {"too many answers", swap(gad, "[1,2,3,0,1,2,1]", "[1,2,3,0,1,2,1,0]"), 1, "answers",
       "has 7 items, got 8 answers"},
      {"answer above the scale", swap(gad, "[1,2,3,0,1,2,1]", "[1,2,3,0,1,2,4]"), 1, "answers[6]",
       "instrument 'gad-7', item 6 (\"Feeling afraid, as if something awful might happen\"): answer 4 is "
       "outside the scale 0..3"},
      {"answer below the scale", swap(gad, "[1,2,3,0,1,2,1]", "[-1,2,3,0,1,2,1]"), 1, "answers[0]",
       "item 0 (\"Feeling nervous, anxious, or on edge\"): answer -1 is outside the scale 0..3"},
      {"attachment-checkin starts at 1",
       swap(swap(gad, "gad-7", "attachment-checkin"), "[1,2,3,0,1,2,1]",
            "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0]"),
       1, "answers[27]", "answer 0 is outside the scale 1..5"},
      {"duplicate assessment id", gad + "\n" + gad, 2, "id",
       "duplicate assessment id 'a1' (first used on line 1)"},
  });
}

TEST_CASE("ids: unique per participant and type, never empty", "[jsonl][rules]") {
  const std::string t1_p2 = swap(trig, "\"id\"", "\"participant\":\"p2\",\"id\"");
  check_cases({
      {"duplicate trigger id", trig + "\n" + read_ + "\n" + swap(trig, "\"intensity\":8", "\"intensity\":3"),
       3, "id", "duplicate trigger id 't1' (first used on line 1)"},
      {"duplicate with participant", t1_p2 + "\n\n" + t1_p2, 3, "id",
       "duplicate trigger id 't1' for participant 'p2' (first used on line 1)"},
      {"duplicate reading id", with(read_, R"("id":"r1")") + "\n" + with(read_, R"("id":"r1")"), 2, "id",
       "duplicate reading id 'r1'"},
      {"duplicate exercise id", exer + "\n" + exer, 2, "id", "duplicate exercise id 'e1'"},
      {"duplicate thought record id", thought + "\n" + thought, 2, "id", "duplicate thought_record id 'tr1'"},
      {"empty trigger id", swap(trig, "\"t1\"", "\"\""), 1, "id", "must not be empty"},
      {"empty reading id", with(read_, R"("id":"")"), 1, "id", "must not be empty"},
      {"empty trigger reference", with(read_, R"("trigger":"")"), 1, "trigger", "must not be empty"},
  });
  // The same id is fine for another participant, and for another type.
  const auto ok = calmkit::parse_journal_with_report(
      trig + "\n" + t1_p2 + "\n" + swap(exer, "\"e1\"", "\"t1\"") + "\n" + read_ + "\n" + read_);
  CHECK(ok.journal.triggers().size() == 2);
  CHECK(ok.journal.readings().size() == 2);  // readings without ids never clash
}

TEST_CASE("trigger references resolve across the whole file", "[jsonl][rules]") {
  // A reading may come before the trigger it refers to.
  const auto ok = calmkit::parse_journal_with_report(with(read_, R"("trigger":"t1")") + "\n" + trig);
  CHECK(ok.journal.readings()[0].trigger == "t1");

  const std::string t1_p2 = swap(trig, "\"id\"", "\"participant\":\"p2\",\"id\"");
  check_cases({
      {"reading to no trigger", trig + "\n" + with(read_, R"("trigger":"t9")"), 2, "trigger",
       "refers to trigger 't9', which the journal does not have"},
      {"exercise to no trigger", trig + "\n\n" + with(exer, R"("trigger":"t2")"), 3, "trigger",
       "refers to trigger 't2'"},
      {"thought record to no trigger", with(thought, R"("trigger":"nope")"), 1, "trigger",
       "refers to trigger 'nope'"},
      // t1 exists, but for p2 only: a reading of the single-user journal cannot use it.
      {"trigger of another participant", t1_p2 + "\n" + with(read_, R"("trigger":"t1")"), 2, "trigger",
       "refers to trigger 't1'"},
      // Strict mode reports the earliest broken reference.
      {"earliest broken reference", with(exer, R"("trigger":"x")") + "\n" + with(read_, R"("trigger":"y")"),
       1, "trigger", "'x'"},
  });
}

TEST_CASE("lines that are not one valid JSON object", "[jsonl][rules]") {
  check_cases({
      {"array", "[1,2]", 1, "", "the line is not a JSON object (it is a list)"},
      {"number", "42", 1, "", "not a JSON object (it is a number)"},
      {"string", "\"hello\"", 1, "", "not a JSON object (it is a string)"},
      {"unclosed object", read_.substr(0, read_.size() - 1), 1, "", "invalid JSON"},
      {"missing comma", swap(read_, ",\"intensity\"", " \"intensity\""), 1, "", "invalid JSON"},
      {"bad literal in an ignored field", with(read_, R"("extra":tru)"), 1, "", "invalid JSON"},
      {"bad list in an ignored field", with(read_, R"("extra":[1,,2])"), 1, "", "invalid JSON"},
      {"raw control character in a string", with(read_, "\"note\":\"a\x01b\""), 1, "",
       "a control character inside a string must be escaped"},
      {"invalid UTF-8", with(read_, "\"note\":\"caf\xC3\""), 1, "note",
       "is not valid UTF-8 (byte 0xc3 at offset 3)"},
      {"invalid UTF-8 in a key", with(read_, "\"n\xFFte\":1"), 1, "",
       "is not valid UTF-8 (byte 0xff at offset"},
      {"invalid UTF-8 between tokens", with(read_, "\"note\":\"a\" \xFF"), 1, "",
       "is not valid UTF-8 (byte 0xff"},
      {"lone surrogate", with(read_, R"("note":"\ud800")"), 1, "", "invalid JSON"},
      {"trailing content", read_ + " {}", 1, "", ""},
      {"trailing brace", read_ + "}", 1, "", ""},
      {"duplicate key", with(read_, R"("intensity":2)"), 1, "intensity", "duplicate key in one object"},
      {"duplicate ignored key", with(read_, R"("x":1,"x":2)"), 1, "x", "duplicate key in one object"},
      {"duplicate key spelled with an escape", with(read_, R"("typ\u0065":"reading")"), 1, "type",
       "duplicate key"},
      {"duplicate key in an emotion", with(thought, R"("emotions":[{"name":"a","before":1,"before":2}])"), 1,
       "emotions[0].before", "duplicate key"},
      {"second line is broken", read_ + "\n{", 2, "", "invalid JSON"},
  });
  // A field that breaks a rule stops the record's parser; the rest of the
  // line is then read as any ignored value is, and a line that is not JSON
  // is the line's problem first.
  const auto bad_intensity = swap(read_, "\"intensity\":6", "\"intensity\":11");
  const auto deep = std::string(70, '[') + std::string(70, ']');
  check_cases({
      {"an ignored field nests too deeply", with(read_, "\"extra\":" + deep), 1, "extra",
       "nested too deeply: an unknown field's value may hold lists and objects at most 64 levels deep"},
      {"a field breaks a rule, then a literal deep in an ignored field is not JSON",
       with(bad_intensity, R"("extra":{"a":[1,{"b":tru}]})"), 1, "", "invalid JSON"},
      {"a field breaks a rule, then an ignored field nests too deeply (valid JSON)",
       with(bad_intensity, "\"extra\":" + deep), 1, "intensity", ""},
      {"a field breaks a rule, then the line goes on after its object", bad_intensity + "}", 1, "", ""},
  });
  // A key given twice is the line's problem too: after a field that breaks a
  // rule it comes first, as the key named, in every record type (and in a
  // thought record's emotion objects), unless the line is not JSON at all.
  const auto bad_belief = swap(thought, "\"belief_before\":80", "\"belief_before\":101");
  check_cases({
      {"a range, then an ignored key twice", with(bad_intensity, R"("x":1,"x":2)"), 1, "x",
       "duplicate key in one object"},
      {"a range, then a known key twice", with(bad_intensity, R"("time":"2026-03-02T21:20:00+01:00")"), 1,
       "time", "duplicate key in one object"},
      {"a range, then the range's own key twice", with(bad_intensity, R"("intensity":3)"), 1, "intensity",
       "duplicate key in one object"},
      {"a trigger's range, then a key twice",
       with(swap(trig, "\"intensity\":8", "\"intensity\":11"), R"("id":"t2")"), 1, "id",
       "duplicate key in one object"},
      {"an exercise's end of the wrong type, then a key twice",
       with(swap(exer, "\"end\":\"2026-03-02T21:35:00+01:00\"", "\"end\":5"), R"("exercise":"x")"), 1,
       "exercise", "duplicate key in one object"},
      {"a thought record's range, then a key twice in an emotion",
       with(bad_belief, R"("emotions":[{"name":"a","before":1},{"name":"b","before":2,"name":"c"}])"), 1,
       "emotions[1].name", "duplicate key in one object"},
      {"an emotion's range, then a key twice in the next emotion",
       with(thought, R"("emotions":[{"name":"a","before":101},{"name":"b","before":2,"before":3}])"), 1,
       "emotions[1].before", "duplicate key in one object"},
      {"a range, then a key twice in the emotions of a record type without them (ignored, any keys)",
       with(bad_intensity, R"("emotions":[{"a":1,"a":2}])"), 1, "intensity", "must be an integer 0..10"},
      {"a range, then a key twice inside an ignored field's object (not checked)",
       with(bad_intensity, R"("x":{"a":1,"a":2})"), 1, "intensity", "must be an integer 0..10"},
      {"an unknown record type, then a key twice", R"({"type":"mood","x":1,"x":2})", 1, "x",
       "duplicate key in one object"},
      {"a range, then a key twice, then an ignored field nested too deeply",
       with(bad_intensity, R"("x":1,"x":2,"extra":)" + deep), 1, "x", "duplicate key in one object"},
      {"a range, then a key twice, then a bad escape", with(bad_intensity, R"("x":1,"x":2,"note":"\q")"), 1,
       "", "invalid JSON"},
      {"a range, then a key twice, then more after the object", with(bad_intensity, R"("x":1,"x":2)") + " x",
       1, "", "unexpected content after the JSON object"},
  });
}

TEST_CASE("an ignored value nested too deeply: the line's JSON comes first at any depth", "[jsonl][rules]") {
  // The depth rule (64 levels) is a field's rule: JSON broken anywhere on the
  // line, after the deep value or inside it, is the line's problem instead.
  const std::string too_deep = "nested too deeply: an unknown field's value may hold lists and objects";
  const auto nest = [](std::size_t n, const std::string& inner = "1") {
    return std::string(n, '[') + inner + std::string(n, ']');
  };
  const auto emotion = [](const std::string& value) {
    return with(thought, R"("emotions":[{"name":"a","before":1,"x":)" + value + "}]");
  };
  for (const std::size_t n : {std::size_t{65}, std::size_t{100000}, std::size_t{1000000}}) {
    INFO("depth " << n);
    check_cases({
        {"deep, valid", with(read_, "\"x\":" + nest(n)), 1, "x", too_deep},
        {"deep, then a bad literal", with(read_, "\"x\":" + nest(n) + ",\"y\":tru"), 1, "", "invalid JSON"},
        {"deep, then a comma before the brace", with(read_, "\"x\":" + nest(n) + ","), 1, "", "invalid JSON"},
        {"deep, then a bad escape", with(read_, "\"x\":" + nest(n) + R"(,"y":"\q")"), 1, "", "invalid JSON"},
        {"deep, then a raw NUL in a string",
         with(read_, "\"x\":" + nest(n) + ",\"y\":\"a" + std::string(1, '\0') + "\""), 1, "", "invalid JSON"},
        {"deep, then a raw NUL between tokens", with(read_, "\"x\":" + nest(n) + std::string(1, '\0')), 1, "",
         "invalid JSON"},
        {"a trailing comma at the bottom of the deep value", with(read_, "\"x\":" + nest(n, "1,")), 1, "",
         "invalid JSON"},
        {"a misspelled literal at the bottom", with(read_, "\"x\":" + nest(n, "nul")), 1, "", "invalid JSON"},
        {"a number past a double at the bottom (valid JSON)", with(read_, "\"x\":" + nest(n, "1e400")), 1,
         "x", too_deep},
        {"deep and never closed: the last line, with no newline",
         read_ + "\n" + read_.substr(0, read_.size() - 1) + ",\"x\":" + std::string(n, '['), 2, "",
         "invalid JSON"},
        {"deep and never closed, then a newline",
         read_.substr(0, read_.size() - 1) + ",\"x\":" + std::string(n, '[') + "\n", 1, "", "invalid JSON"},
        {"a range broken before the deep value, then a bad literal",
         with(swap(read_, "\"intensity\":6", "\"intensity\":11"), "\"x\":" + nest(n) + ",\"y\":tru"), 1, "",
         "invalid JSON"},
        {"a key twice before the deep value, then a bad literal",
         with(read_, "\"y\":1,\"y\":2,\"x\":" + nest(n) + ",\"z\":tru"), 1, "", "invalid JSON"},
        {"in an emotion's ignored field, valid", emotion(nest(n)), 1, "emotions[0].x", too_deep},
        {"in an emotion's ignored field, then a bad literal", emotion(nest(n) + ",\"y\":tru"), 1, "",
         "invalid JSON"},
        {"in an emotion's ignored field, then a trailing comma", emotion(nest(n) + ","), 1, "",
         "invalid JSON"},
    });
  }
  // Objects nest the same way: {"a":{"a":...{"a":1}...}}.
  const auto objects = [](std::size_t n, const std::string& inner = "1") {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "{\"a\":";
    return s + inner + std::string(n, '}');
  };
  check_cases({
      {"objects 65 deep", with(read_, "\"x\":" + objects(65)), 1, "x", too_deep},
      {"objects 100000 deep, then a bad literal", with(read_, "\"x\":" + objects(100000) + ",\"y\":tru"), 1,
       "", "invalid JSON"},
      {"objects 100000 deep, a bad escape in the deepest key",
       with(read_, "\"x\":" + objects(100000, R"({"\q":1})")), 1, "", "invalid JSON"},
  });
  // An unknown field may be named by the empty key: its depth is still a
  // field's rule, after the line's JSON.
  check_cases({
      {"the empty key, 65 deep", with(read_, "\"\":" + nest(65)), 1, "\"\"", too_deep},
      {"the empty key, 65 deep, then a bad literal", with(read_, "\"\":" + nest(65) + ",\"y\":tru"), 1, "",
       "invalid JSON"},
      {"the empty key, then a key twice", with(read_, "\"\":" + nest(65) + ",\"y\":1,\"y\":2"), 1, "y",
       "duplicate key in one object"},
  });
  // Exactly 64 levels is allowed, 65 is not; the value itself is the first.
  CHECK(calmkit::parse_journal_with_report(with(read_, "\"x\":" + nest(64))).journal.readings().size() == 1);
  CHECK(calmkit::parse_journal_with_report(with(read_, "\"x\":" + objects(63, "[]")))
            .journal.readings()
            .size() == 1);
  CHECK(calmkit::parse_journal_with_report(emotion(nest(64))).journal.thought_records().size() == 1);
  CHECK(error_of(with(read_, "\"x\":" + objects(64, "[]"))).field() == "x");
  CHECK(error_of(emotion(nest(65))).field() == "emotions[0].x");
}

namespace {
/// `n` ignored keys k0..k(n-1), comma-separated (no braces).
std::string many_keys(int n, int from = 0) {
  std::string s;
  for (int i = from; i < from + n; ++i) s += (s.empty() ? "" : ",") + ("\"k" + std::to_string(i) + "\":1");
  return s;
}
}  // namespace

TEST_CASE("many ignored keys: every duplicate found, on either side of the switch to a hash set",
          "[jsonl][rules]") {
  // The reviewer's case (B6) had 200k keys on one line and took 20 s with the old linear search; the
  // speed is measured in benchmarks/read_jsonl, here the rule itself: every duplicate, wherever it sits.
  const int n = 20000;
  const auto r = calmkit::parse_journal_with_report(with(read_, many_keys(n)));
  CHECK(r.journal.readings().size() == 1);
  check_cases({
      {"duplicate among the first few", with(read_, many_keys(3) + R"(,"k1":2)"), 1, "k1",
       "duplicate key in one object"},
      {"duplicate right after the switch", with(read_, many_keys(16) + R"(,"k0":2)"), 1, "k0",
       "duplicate key in one object"},
      {"duplicate of an early key, late", with(read_, many_keys(n) + R"(,"k0":2)"), 1, "k0",
       "duplicate key in one object"},
      {"duplicate of a late key", with(read_, many_keys(n) + ",\"k" + std::to_string(n - 1) + "\":2"), 1,
       "k" + std::to_string(n - 1), "duplicate key in one object"},
      {"duplicate spelled with an escape", with(read_, many_keys(100) + R"(,"k\u00350":2)"), 1, "k50",
       "duplicate key in one object"},
      {"many keys in an emotion",
       with(thought, "\"emotions\":[{\"name\":\"a\",\"before\":1," + many_keys(500) + R"(,"k7":0}])"), 1,
       "emotions[0].k7", "duplicate key"},
  });
  // The set is emptied between objects: the same keys on the next line are no duplicates.
  const std::string big = with(read_, many_keys(1000));
  const auto two = calmkit::parse_journal_with_report(big + "\n" + big + "\n" + with(read_, many_keys(5)));
  CHECK(two.journal.readings().size() == 3);
}

TEST_CASE("an ignored field may hold any number JSON allows, however large, but a malformed one is refused",
          "[jsonl][rules]") {
  // RFC 8259 section 6 sets no limit on a number's range or precision, and the format ignores unknown
  // fields: a 128-bit id or 1e400 from another program must not cost the line.
  for (const std::string number :
       {"18446744073709551616", "-9223372036854775809", "1e400", "-1e400", "0.1e999999",
        "100000000000000000000000000000", "123456789012345678901234.5e-3", "18446744073709551615", "1e-400",
        "-0", "0E+2"}) {
    INFO(number);
    const auto r = calmkit::parse_journal_with_report(with(read_, "\"x\":" + number) + "\n" +
                                                      with(read_, "\"x\":[" + number + "," + number + "]"));
    CHECK(r.journal.readings().size() == 2);
  }
  for (const std::string number : {"01", "1.", "-", "1e", "1e+", "-01", "1.e5", ".5", "+1", "0x10", "1ee5"}) {
    INFO(number);
    CHECK_THROWS_AS(calmkit::parse_journal(with(read_, "\"x\":" + number)), JournalFormatError);
  }
}

TEST_CASE("the header: first line only, right format, known version", "[jsonl][rules]") {
  const std::string header = R"({"type":"header","format":"calmkit-journal","version":1})";
  SECTION("a good header, after blank lines, with extra fields") {
    const auto r = calmkit::parse_journal_with_report(
        "\n  \n" + with(header, R"("generator":"x","created":"today")") + "\n" + read_);
    CHECK(r.report.version == 1);
    CHECK(r.report.lines == 4);
    CHECK(r.journal.size() == 1);
  }
  check_cases({
      {"header not first", read_ + "\n" + header, 2, "type", "only allowed as the first line"},
      {"two headers", header + "\n" + header, 2, "type", "only allowed as the first line"},
      {"wrong format", swap(header, "calmkit-journal", "other-journal"), 1, "format",
       "must be \"calmkit-journal\", got 'other-journal'"},
      {"version as string", swap(header, "\"version\":1", "\"version\":\"1\""), 1, "version",
       "must be an integer"},
      {"version 1.5", swap(header, "\"version\":1", "\"version\":1.5"), 1, "version", "must be an integer"},
      {"version 0", swap(header, "\"version\":1", "\"version\":0"), 1, "version", "got 0"},
      {"version from the future", swap(header, "\"version\":1", "\"version\":2") + "\n" + read_, 1, "version",
       "journal format version 2 is newer than this calmkit reads (up to version 1)"},
  });
  // A newer version stops a lenient read too: its lines cannot be read as v1.
  const std::string v7 = swap(header, "\"version\":1", "\"version\":7") + "\n" + read_;
  CHECK_THROWS_AS(calmkit::parse_journal_with_report(v7, {.lenient = true}), JournalFormatError);
  // However many digits the version has (past int, past 64 bits): still a newer format, not a bad line.
  for (const std::string v :
       {"2147483648", "99999999999", "18446744073709551616", "100000000000000000000000000"}) {
    INFO(v);
    const std::string text = swap(header, "\"version\":1", "\"version\":" + v) + "\n" + read_;
    CHECK_THROWS_WITH(calmkit::parse_journal_with_report(text, {.lenient = true}),
                      Catch::Contains("journal format version " + v + " is newer than this calmkit reads"));
  }
  // A line that is not one valid JSON object is refused for that first, even
  // when it is a header of a newer version: a bad line like any other, which
  // a lenient read skips before going on.
  for (const std::string& tail :
       {std::string(R"(,"y":tru})"), std::string(R"(,"y":1,"y":2})"), std::string(R"(,"version":1})"),
        std::string("} x}"), std::string("}}"), std::string(R"(999999999999,"y":01})")}) {
    INFO(tail);
    const std::string line = header.substr(0, header.find("\"version\":") + 10) + "2" + tail;
    const auto e = error_of(line + "\n" + read_);
    CHECK(e.reason().find("is newer") == std::string::npos);
    const auto r = calmkit::parse_journal_with_report(line + "\n" + read_, {.lenient = true});
    REQUIRE(r.report.skipped.size() == 1);
    CHECK(r.report.skipped[0].reason == e.reason());
    CHECK(r.journal.size() == 1);
  }
}

TEST_CASE("an exact message: file, line, field and reason", "[jsonl][rules]") {
  const auto e = error_of(trig + "\n\n" + swap(read_, "\"intensity\":6", "\"intensity\":11"));
  // Line 3: the blank line 2 is counted.
  CHECK(std::string(e.what()) == "mem.jsonl:3: field 'intensity': must be an integer 0..10, got 11");
  const auto whole = error_of(trig + "\n[]");
  CHECK(std::string(whole.what()) == "mem.jsonl:2: the line is not a JSON object (it is a list)");
}

TEST_CASE("a file with every optional field", "[jsonl]") {
  const auto [journal, report] = calmkit::read_journal_with_report(data_dir + "/all-fields.jsonl");
  CHECK(report.path == data_dir + "/all-fields.jsonl");
  CHECK(report.lines == 7);  // header, blank, 5 records
  CHECK(report.records == 5);
  CHECK(report.version == 1);
  CHECK(report.skipped.empty());
  REQUIRE(journal.triggers().size() == 1);
  REQUIRE(journal.readings().size() == 2);
  REQUIRE(journal.exercises().size() == 1);
  REQUIRE(journal.thought_records().size() == 1);

  const auto& t = journal.triggers()[0];
  CHECK(t.participant == "p1");
  CHECK(t.category == calmkit::TriggerCategory::delayed_reply);
  CHECK(t.intensity == Intensity(8));
  CHECK(t.context == "message seen, no answer");
  CHECK(t.thoughts == std::vector<std::string>{"they are annoyed with me", "I said too much"});
  CHECK(t.sensations == std::vector<std::string>{"tight chest", "shallow breathing"});
  CHECK(t.urge == "send another text");
  CHECK(t.acted_on_urge == std::optional<bool>(true));
  CHECK(t.acted_after_minutes == calmkit::Minutes(12.5));
  CHECK(t.response == "put the phone in another room");
  CHECK(t.tags == std::vector<std::string>{"evening", "phone"});

  // Readings are ordered by (participant, time): "" sorts before "p1".
  CHECK(journal.readings()[0].participant.empty());
  CHECK(journal.readings()[0].intensity == Intensity(2));
  const auto& r = journal.readings()[1];
  CHECK(r.id == "r1");
  CHECK(r.trigger == "t1");
  CHECK(r.note == "still waiting");

  const auto& e = journal.exercises()[0];
  CHECK(e.exercise == "breathing.4-7-8");
  CHECK_FALSE(e.completed);
  CHECK(e.intensity_before == Intensity(7));
  CHECK(e.intensity_after == Intensity(4));
  CHECK(e.trigger == "t1");
  CHECK(e.responses.size() == 2);
  // 21:30:00 to 21:36:30.25 is 6 min 30.25 s = 390.25 s.
  CHECK((e.end - e.time).count() == 390'250'000);
  CHECK(e.end.offset().minutes() == 60);

  const auto& tr = journal.thought_records()[0];
  CHECK(tr.belief_before == Percent(85));
  REQUIRE(tr.emotions.size() == 2);
  CHECK(tr.emotions[0] == calmkit::EmotionRating{"anxious", Percent(80), Percent(40)});
  CHECK(tr.emotions[1] == calmkit::EmotionRating{"sad", Percent(50), std::nullopt});
  CHECK(tr.distortions == std::vector<calmkit::Distortion>{calmkit::Distortion::mind_reading,
                                                           calmkit::Distortion::fortune_telling});
  CHECK(tr.evidence_for.size() == 1);
  CHECK(tr.evidence_against.size() == 2);
  CHECK(tr.alternatives.size() == 3);
  CHECK(tr.friend_advice == "give it until tomorrow");
  CHECK(tr.balanced_thought == "a slow reply is not a verdict on us");
  CHECK(tr.belief_after == Percent(35));
  CHECK(tr.trigger == "t1");
}

TEST_CASE("byte order mark, CRLF and whitespace-only lines", "[jsonl]") {
  const auto r = calmkit::read_journal_with_report(data_dir + "/bom-crlf.jsonl");
  CHECK(r.report.lines == 3);
  CHECK(r.journal.triggers().size() == 1);
  CHECK(r.journal.readings().size() == 1);
  CHECK(r.journal.readings()[0].trigger == "a");
  // No trailing newline, empty input.
  CHECK(calmkit::parse_journal_with_report(read_).report.lines == 1);
  CHECK(calmkit::parse_journal_with_report("").report.lines == 0);
  CHECK(calmkit::parse_journal("").empty());
}

TEST_CASE("read_journal and parse_journal return the journal alone, as Python's do", "[jsonl]") {
  // docs/architecture.md, "Reading a journal, in both languages": the same name, the same shape.
  static_assert(std::is_same_v<decltype(calmkit::read_journal("x.jsonl")), calmkit::Journal>);
  static_assert(std::is_same_v<decltype(calmkit::parse_journal("")), calmkit::Journal>);
  static_assert(std::is_same_v<decltype(calmkit::read_journal_with_report("x.jsonl")), calmkit::ReadResult>);
  // Lines 1 and 3 are records, line 2 is not JSON: a lenient read keeps two records and drops
  // line 2 without a word (the report, which names it, comes with read_journal_with_report).
  const std::string text = trig + "\nnot json\n" + with(read_, R"("trigger":"t1")") + "\n";
  const calmkit::Journal alone = calmkit::parse_journal(text, {.lenient = true}, "two.jsonl");
  const auto [journal, report] = calmkit::parse_journal_with_report(text, {.lenient = true}, "two.jsonl");
  CHECK(alone.size() == 2);
  CHECK(alone == journal);
  REQUIRE(report.skipped.size() == 1);
  CHECK(report.skipped[0].line == 2);
  // Strict, both throw the same error at line 2.
  CHECK_THROWS_WITH(calmkit::parse_journal(text, {}, "two.jsonl"),
                    Catch::Matchers::StartsWith("two.jsonl:2:"));
  // From a file: the same journal as the pair's.
  const auto path = fs::path(data_dir) / "all-fields.jsonl";
  CHECK(calmkit::read_journal(path) == calmkit::read_journal_with_report(path).journal);
}

TEST_CASE("compressed, archived or UTF-16 input is named for what it is", "[jsonl]") {
  const std::string utf16 = std::string("{\0\"\0t\0", 6);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8),
       "the file is gzip-compressed (a .gz file), not JSON "
       "Lines text: unpack it first (gunzip)"},
      {"BZh91AY&SY", "the file is bzip2-compressed"},
      {std::string("PK\x03\x04\x14\x00", 6), "the file is a zip archive"},
      {std::string("SQLite format 3\0", 16) + "xx", "the file is an SQLite database"},
      {"\xff\xfe" + utf16,
       "the file is UTF-16 text (little-endian, with a byte-order mark), not JSON Lines text: "
       "save it as UTF-8"},
      {utf16, "the file is UTF-16 text (little-endian, without a byte-order mark)"},
      {std::string("\0{\0\"", 4), "the file is UTF-16 text (big-endian, without a byte-order mark)"},
      {std::string("\xff\xfe\0\0{\0\0\0", 8), "the file is UTF-32 text (little-endian"},
  };
  for (const auto& [text, reason] : cases) {
    for (const bool lenient : {false, true}) {
      try {
        (void)calmkit::parse_journal_with_report(text, {.lenient = lenient}, "j.jsonl");
        FAIL("not refused: " << reason);
      } catch (const calmkit::JournalFormatError& e) {
        CHECK(e.line() == 1);
        CHECK(std::string(e.reason()).starts_with(reason));
      }
    }
  }
  // A journal that merely starts with these letters is read as usual.
  CHECK(calmkit::parse_journal_with_report("\n").report.lines == 1);
}

TEST_CASE("lenient mode skips and reports every bad line, references included", "[jsonl][lenient]") {
  const std::string text =
      std::string(R"({"type":"header","format":"calmkit-journal","version":1})") + "\n" +  // 1
      trig + "\n" +                                                                        // 2
      swap(trig, "\"t1\"", "\"t2\"").replace(trig.find("8}"), 2, "12}") + "\n" +           // 3 bad
      with(read_, R"("trigger":"t1")") + "\n" +                                            // 4
      with(read_, R"("trigger":"t2")") + "\n" +                                            // 5 cascade
      "not json\n" +                                                                       // 6 bad
      "\n" +                                                                               // 7
      with(exer, R"("trigger":"t2")") + "\n" +                                             // 8 cascade
      with(thought, R"("trigger":"ghost")") + "\n" +                                       // 9 missing
      trig + "\n" +                                                                        // 10 dup
      R"({"type":"assessment","id":"a","time":"2026-03-02T10:00:00Z"})" + "\n";            // 11
  const auto [journal, report] = calmkit::parse_journal_with_report(text, {.lenient = true}, "mem.jsonl");
  CHECK(report.lines == 11);
  // Kept: trigger t1 (line 2) and the reading that refers to it (line 4).
  CHECK(report.records == 2);
  CHECK(journal.triggers().size() == 1);
  CHECK(journal.readings().size() == 1);
  CHECK(journal.exercises().empty());
  CHECK(journal.thought_records().empty());

  REQUIRE(report.skipped.size() == 7);
  const std::vector<std::size_t> lines{3, 5, 6, 8, 9, 10, 11};
  const std::vector<std::string> fields{"intensity", "trigger", "", "trigger", "trigger", "id", "instrument"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO("skipped #" << i);
    CHECK(report.skipped[i].line == lines[i]);
    CHECK(report.skipped[i].field == fields[i]);
    CHECK(report.skipped[i].message ==
          JournalFormatError::compose("mem.jsonl", lines[i], fields[i], report.skipped[i].reason));
  }
  CHECK(report.skipped[1].reason == "refers to trigger 't2', which the journal does not have");
  CHECK(report.skipped[4].reason == "refers to trigger 'ghost', which the journal does not have");
  CHECK(report.skipped[1].message ==
        "mem.jsonl:5: field 'trigger': refers to trigger 't2', which the journal does not have");

  // The same text read strictly fails at the first bad line.
  const auto e = error_of(text);
  CHECK(e.line() == 3);
  CHECK(e.field() == "intensity");
}

TEST_CASE("to_json: field order, omitted fields, escaping", "[jsonl][writer]") {
  calmkit::Reading r{.participant = "p1",
                     .time = Instant::parse("2026-03-02T21:20:00+01:00"),
                     .intensity = Intensity(7),
                     .trigger = "t1"};
  // No id, no note: both left out.
  CHECK(
      calmkit::to_json(r) ==
      R"({"type":"reading","participant":"p1","time":"2026-03-02T21:20:00+01:00","intensity":7,"trigger":"t1"})");

  calmkit::ExerciseSession e{.id = "e1",
                             .time = Instant::parse("2026-03-02T20:30:00Z"),
                             .end = Instant::parse("2026-03-02T20:35:00.5Z"),
                             .exercise = "breathing.box",
                             .completed = true,
                             .intensity_before = Intensity(6)};
  // participant "" and completed == true are left out; fractional seconds kept.
  CHECK(
      calmkit::to_json(e) ==
      R"({"type":"exercise","id":"e1","time":"2026-03-02T20:30:00Z","exercise":"breathing.box","end":"2026-03-02T20:35:00.5Z","intensity_before":6})");
  e.completed = false;
  CHECK_THAT(calmkit::to_json(e),
             Catch::Matchers::Contains(R"("end":"2026-03-02T20:35:00.5Z","completed":false,)"));

  calmkit::Trigger t{.id = "t1",
                     .time = Instant::parse("2026-03-02T21:14:00-05:30"),
                     .category = calmkit::TriggerCategory::conflict,
                     .intensity = Intensity(0),
                     .context = "say \"hi\"\n\tthen \\ wait \x01\x1f caf\xC3\xA9 \xF0\x9F\x98\x80",
                     .acted_after_minutes = calmkit::Minutes(0.1)};
  CHECK(
      calmkit::to_json(t) ==
      "{\"type\":\"trigger\",\"id\":\"t1\",\"time\":\"2026-03-02T21:14:00-05:30\",\"category\":\"conflict\","
      "\"intensity\":0,\"context\":\"say \\\"hi\\\"\\n\\tthen \\\\ wait \\u0001\\u001f caf\xC3\xA9 "
      "\xF0\x9F\x98\x80\",\"acted_after_minutes\":0.1}");

  calmkit::ThoughtRecord tr{
      .id = "x",
      .time = Instant::parse("2026-03-02T22:00:00Z"),
      .situation = "",
      .automatic_thought = "a",
      .belief_before = Percent(100),
      .emotions = {{"fear", Percent(90), Percent(20)}, {"shame", Percent(10), std::nullopt}},
      .distortions = {calmkit::Distortion::labeling},
      .belief_after = Percent(0)};
  // situation is required, so it is written even when empty.
  CHECK(
      calmkit::to_json(tr) ==
      R"({"type":"thought_record","id":"x","time":"2026-03-02T22:00:00Z","situation":"","automatic_thought":"a","belief_before":100,"emotions":[{"name":"fear","before":90,"after":20},{"name":"shame","before":10}],"distortions":["labeling"],"belief_after":0})");
}

TEST_CASE("the writer refuses what no reader would accept", "[jsonl][writer]") {
  calmkit::Trigger t{.id = "t1", .time = Instant::parse("2026-03-02T21:14:00Z"), .intensity = Intensity(3)};
  t.context = "bad \xC3";
  CHECK_THROWS_AS(calmkit::to_json(t), std::invalid_argument);
  t.context.clear();
  // Negative minutes cannot reach the writer: the type refuses them.
  CHECK_THROWS_AS(t.acted_after_minutes = calmkit::Minutes(-1.0), std::out_of_range);
}

namespace {

/// A journal using every optional field, with awkward strings.
calmkit::Journal awkward_journal() {
  const std::string weird =
      "quote \" backslash \\ newline \n tab \t cr \r nul-free \x01\x7f unicode \xC3\xA9\xE2\x80\xA8 "
      "\xF0\x9F\x92\x94";
  calmkit::RecordSet rs;
  rs.triggers.push_back(calmkit::Trigger{.participant = "p \"one\"",
                                         .id = "t/1\\",
                                         .time = Instant::parse("2026-03-29T01:59:59.999999+01:00"),
                                         .category = calmkit::TriggerCategory::health_concern,
                                         .intensity = Intensity(10),
                                         .context = weird,
                                         .thoughts = {weird, "", "second"},
                                         .sensations = {"tight chest"},
                                         .urge = "check phone",
                                         .acted_on_urge = false,
                                         .acted_after_minutes = calmkit::Minutes(1.0 / 3.0),
                                         .response = "walked",
                                         .tags = {"a", "b"}});
  rs.triggers.push_back(calmkit::Trigger{.participant = "",
                                         .id = "solo",
                                         .time = Instant::parse("1999-12-31T23:59:59-12:00"),
                                         .category = calmkit::TriggerCategory::other,
                                         .intensity = Intensity(0),
                                         .acted_after_minutes = calmkit::Minutes(1e-300)});
  rs.readings.push_back(calmkit::Reading{.participant = "p \"one\"",
                                         .id = "r1",
                                         .time = Instant::parse("2026-03-29T03:10:00+02:00"),
                                         .intensity = Intensity(4),
                                         .trigger = "t/1\\",
                                         .note = weird});
  rs.readings.push_back(
      calmkit::Reading{.time = Instant::parse("2026-03-29T03:10:00Z"), .intensity = Intensity(0)});
  rs.exercises.push_back(calmkit::ExerciseSession{.participant = "p \"one\"",
                                                  .id = "e1",
                                                  .time = Instant::parse("2026-03-29T03:00:00+02:00"),
                                                  .end = Instant::parse("2026-03-29T01:05:00Z"),
                                                  .exercise = "grounding.5-4-3-2-1",
                                                  .completed = false,
                                                  .intensity_before = Intensity(9),
                                                  .intensity_after = Intensity(3),
                                                  .trigger = "t/1\\",
                                                  .responses = {weird, "blue mug"}});
  rs.thought_records.push_back(calmkit::ThoughtRecord{
      .participant = "p \"one\"",
      .id = "tr1",
      .time = Instant::parse("2026-03-29T04:00:00.5+02:00"),
      .situation = weird,
      .automatic_thought = "they will leave",
      .belief_before = Percent(95),
      .emotions = {{weird, Percent(0), Percent(100)}, {"shame", Percent(40), std::nullopt}},
      .distortions = {calmkit::Distortion::all_or_nothing, calmkit::Distortion::blaming},
      .evidence_for = {"one"},
      .evidence_against = {"two", weird},
      .alternatives = {"a", "b", "c"},
      .friend_advice = weird,
      .balanced_thought = "maybe not",
      .belief_after = Percent(30),
      .trigger = "t/1\\"});
  return calmkit::Journal(std::move(rs));
}

}  // namespace

TEST_CASE("round trip: a hand-written journal with every optional field", "[jsonl][roundtrip]") {
  const auto j = awkward_journal();
  const auto text = calmkit::to_jsonl(j);
  const auto back = calmkit::parse_journal_with_report(text);
  CHECK(back.report.skipped.empty());
  CHECK(back.report.records == 6);
  CHECK(back.journal == j);
  // Every line is one record: escaped newlines never split a line.
  CHECK(std::count(text.begin(), text.end(), '\n') == 7);  // header + 6

  // Without a header, through a stream.
  std::ostringstream out;
  calmkit::write_journal(j, out, {.header = false});
  CHECK(out.str().rfind("{\"type\":\"trigger\"", 0) == 0);
  CHECK(calmkit::parse_journal(out.str()) == j);
  CHECK(calmkit::to_jsonl(j, {.generator = "tool \"x\""})
            .rfind(R"({"type":"header","format":"calmkit-journal","version":1,"generator":"tool \"x\""})",
                   0) == 0);
}

TEST_CASE("U+2028 and U+2029 are written escaped and read back in either spelling",
          "[jsonl][roundtrip][writer]") {
  // Raw, both are valid JSON, but Python's str.splitlines (and JavaScript
  // before ES2019) end a line at each: one record would read as two lines.
  const std::string ls = "\xE2\x80\xA8";
  const std::string ps = "\xE2\x80\xA9";
  calmkit::Journal j;
  j.add(calmkit::Trigger{.participant = "p" + ls,
                         .id = "t" + ps,
                         .time = Instant::parse("2026-03-02T21:14:00+01:00"),
                         .category = calmkit::TriggerCategory::conflict,
                         .intensity = Intensity(5),
                         .context = ls + "a" + ps + ls + "\xE2\x80\xA7\xE2\x80\xAA" + ps,
                         .tags = {ls, "x" + ps}});
  j.add(calmkit::ThoughtRecord{.participant = "p" + ls,
                               .id = "x",
                               .time = Instant::parse("2026-03-02T22:00:00Z"),
                               .situation = ps,
                               .automatic_thought = "a",
                               .belief_before = Percent(50),
                               .emotions = {{"fear" + ls, Percent(90), std::nullopt}}});
  const auto text = calmkit::to_jsonl(j, {.generator = "tool" + ls});
  CHECK(text.find(ls) == std::string::npos);
  CHECK(text.find(ps) == std::string::npos);
  // U+2027 and U+202A, their neighbours, stay as they are.
  CHECK_THAT(text, Catch::Matchers::Contains(R"("context":"\u2028a\u2029\u2028)"
                                             "\xE2\x80\xA7\xE2\x80\xAA"
                                             R"(\u2029")"));
  CHECK_THAT(text, Catch::Matchers::Contains(R"("generator":"tool\u2028")"));
  CHECK(calmkit::parse_journal(text) == j);
  // What another writer left raw reads as the same text.
  std::string raw = text;
  for (const auto& [escaped, bytes] :
       {std::pair{std::string("\\u2028"), ls}, std::pair{std::string("\\u2029"), ps}}) {
    for (auto at = raw.find(escaped); at != std::string::npos; at = raw.find(escaped, at)) {
      raw.replace(at, escaped.size(), bytes);
    }
  }
  CHECK(raw.find("\\u202") == std::string::npos);
  CHECK(calmkit::parse_journal(raw) == j);
  CHECK(calmkit::to_jsonl(calmkit::parse_journal(raw), {.generator = "tool" + ls}) == text);
}

TEST_CASE("round trip and writer: assessments", "[jsonl][roundtrip][writer]") {
  calmkit::RecordSet rs;
  rs.assessments.push_back({.participant = "p",
                            .id = "a2",
                            .time = Instant::parse("2026-03-16T08:00:00.25-04:00"),
                            .instrument = "attachment-checkin",
                            .answers = std::vector<int>(28, 3),
                            .note = "two weeks \"in\"\n"});
  rs.assessments.push_back({.participant = "p",
                            .id = "a1",
                            .time = Instant::parse("2026-03-02T08:00:00Z"),
                            .instrument = "gad-7",
                            .answers = {3, 3, 2, 1, 0, 0, 3}});
  const calmkit::Journal j(std::move(rs));
  CHECK(
      calmkit::to_json(j.assessments()[0]) ==
      R"({"type":"assessment","participant":"p","id":"a1","time":"2026-03-02T08:00:00Z","instrument":"gad-7","answers":[3,3,2,1,0,0,3]})");
  const auto text = calmkit::to_jsonl(j);
  const auto back = calmkit::parse_journal_with_report(text);
  CHECK(back.report.records == 2);
  CHECK(back.journal == j);
  CHECK(calmkit::to_jsonl(back.journal) == text);

  // The writer refuses answers no reader would accept.
  calmkit::Assessment bad{.id = "b",
                          .time = Instant::parse("2026-03-02T08:00:00Z"),
                          .instrument = "gad-7",
                          .answers = {0, 0, 0, 0, 0, 0, 9}};
  CHECK_THROWS_WITH(calmkit::to_json(bad), Catch::Matchers::Contains("cannot write assessment 'b'") &&
                                               Catch::Matchers::Contains("item 6"));
  bad.instrument = "nope";
  CHECK_THROWS_WITH(calmkit::to_json(bad), Catch::Matchers::Contains("unknown instrument 'nope'"));
}

TEST_CASE("round trip: synthetic journals of several seeds and sizes", "[jsonl][roundtrip]") {
  struct Size {
    int participants, days;
    std::uint64_t seed;
  };
  for (const auto s : {Size{1, 1, 1}, Size{1, 7, 2}, Size{3, 56, 3}, Size{5, 30, 42}, Size{12, 90, 9001}}) {
    INFO("participants " << s.participants << ", days " << s.days << ", seed " << s.seed);
    const auto j =
        calmkit::synthetic_journal({.participants = s.participants, .days = s.days, .seed = s.seed});
    const auto text = calmkit::to_jsonl(j);
    const auto back = calmkit::parse_journal_with_report(text);
    CHECK(back.report.skipped.empty());
    CHECK(back.report.records == j.size());
    CHECK(back.journal == j);
    // Writing what was read gives the same bytes.
    CHECK(calmkit::to_jsonl(back.journal) == text);
  }
}

TEST_CASE("write_journal to a path is atomic", "[jsonl][writer]") {
  const auto dir = fs::temp_directory_path() / ("calmkit-jsonl-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto j = awkward_journal();
  const auto target = dir / "journal.jsonl";

  SECTION("writes, then replaces, leaving no temporary file") {
    calmkit::write_journal(j, target);
    CHECK(calmkit::read_journal(target) == j);
    const auto small = calmkit::synthetic_journal({.participants = 1, .days = 2, .seed = 5});
    calmkit::write_journal(small, target);
    CHECK(calmkit::read_journal(target) == small);
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    CHECK(names == std::vector<std::string>{"journal.jsonl"});
  }
  SECTION("a missing directory: runtime_error naming the path, nothing created") {
    const auto nowhere = dir / "missing" / "journal.jsonl";
    CHECK_THROWS_AS(calmkit::write_journal(j, nowhere), std::runtime_error);
    CHECK_THROWS_WITH(calmkit::write_journal(j, nowhere), Catch::Matchers::Contains(nowhere.string()) &&
                                                              Catch::Matchers::Contains("No such file"));
    CHECK_FALSE(fs::exists(dir / "missing"));
  }
  SECTION("a failure while writing keeps the old file and leaves no temporary") {
    calmkit::write_journal(j, target);
    auto bad = calmkit::Journal();
    // An instrument no registry knows: Journal holds it (the registry is the
    // I/O layers' rule), the writer refuses it.
    bad.add(calmkit::Assessment{.id = "a",
                                .time = Instant::parse("2026-03-02T10:00:00Z"),
                                .instrument = "no-such-scale",
                                .answers = {1}});
    CHECK_THROWS_AS(calmkit::write_journal(bad, target), std::invalid_argument);
    CHECK(calmkit::read_journal(target) == j);
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("read_journal: unreadable files are runtime errors naming the path", "[jsonl]") {
  const std::string missing = data_dir + "/does-not-exist.jsonl";
  CHECK_THROWS_AS(calmkit::read_journal_with_report(missing), std::runtime_error);
  CHECK_THROWS_WITH(
      calmkit::read_journal_with_report(missing),
      Catch::Matchers::Contains(missing) && Catch::Matchers::Contains("No such file or directory"));
  CHECK_THROWS_WITH(calmkit::read_journal_with_report(data_dir), Catch::Matchers::Contains("Is a directory"));
  // A format error in a file names the file: bom-crlf.jsonl read as UTF-8
  // is fine, so point the reader at a copy with one broken line.
  const auto bad = fs::temp_directory_path() / ("calmkit-jsonl-bad-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(bad);
    out << read_ << "\n" << swap(read_, "\"intensity\":6", "\"intensity\":60") << "\n";
  }
  try {
    (void)calmkit::read_journal_with_report(bad);
    FAIL("expected a JournalFormatError");
  } catch (const JournalFormatError& e) {
    CHECK(e.path() == bad.string());
    CHECK(e.line() == 2);
    CHECK(e.field() == "intensity");
  }
  fs::remove(bad);
}

TEST_CASE("no crash, no hang: thousands of mutated lines", "[jsonl][fuzz]") {
  // Seed material: the fixtures and a small synthetic journal.
  std::string seed_text =
      calmkit::to_jsonl(calmkit::synthetic_journal({.participants = 2, .days = 5, .seed = 11}));
  seed_text += calmkit::to_jsonl(awkward_journal(), {.header = false});
  std::vector<std::string> lines;
  {
    std::istringstream in(seed_text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  // splitmix64: deterministic on every platform.
  std::uint64_t state = 0x5EEDu;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  auto below = [&next](std::size_t n) { return static_cast<std::size_t>(next() % n); };
  static constexpr char interesting_bytes[] = "{}[]\",:\\0123456789-+.eEtfnul \t\r\x00\x01\x7f\xff\xc3\xe2";
  const std::string interesting(interesting_bytes, sizeof interesting_bytes - 1);  // keeps the NUL

  std::size_t parsed = 0, rejected = 0;
  for (int round = 0; round < 6000; ++round) {
    std::string text;
    const std::size_t n = 1 + below(4);  // 1 to 4 lines per document
    for (std::size_t k = 0; k < n; ++k) {
      std::string l = lines[below(lines.size())];
      const std::size_t edits = 1 + below(3);
      for (std::size_t m = 0; m < edits && !l.empty(); ++m) {
        const std::size_t at = below(l.size());
        switch (below(6)) {
          case 0: l[at] = interesting[below(interesting.size())]; break;
          case 1: l.erase(at, 1 + below(8)); break;
          case 2: l.insert(at, 1, interesting[below(interesting.size())]); break;
          case 3: l.resize(at); break;
          case 4: l.insert(at, l.substr(below(l.size()), below(20))); break;
          default: l[at] = static_cast<char>(next() & 0xFF); break;
        }
      }
      text += l;
      text += '\n';
    }
    // A random byte may be a newline: count the lines actually there.
    const auto line_count = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    try {
      const auto r = calmkit::parse_journal_with_report(text);
      ++parsed;
      CHECK(r.report.records <= line_count);
    } catch (const JournalFormatError& e) {
      ++rejected;
      CHECK(e.line() >= 1);
      CHECK(e.line() <= line_count);
    }
    // Lenient mode never throws, except for a header from a newer version.
    try {
      const auto r = calmkit::parse_journal_with_report(text, {.lenient = true});
      CHECK(r.report.lines == line_count);
      CHECK(r.report.records + r.report.skipped.size() <= line_count);
    } catch (const JournalFormatError& e) {
      CHECK(e.field() == "version");
    }
  }
  // The mutations must exercise both outcomes.
  CHECK(parsed > 50);  // 86 with this seed: most edits break a line
  CHECK(rejected > 1000);
}

// The reader parses every line into one record per type that it reuses from
// line to line (src/io_read.cpp, LineParser). A field a line leaves out must
// read as absent even when the line before gave it: each record written with
// every optional field, then the same type with none, must give the second
// record exactly as a file holding it alone does.
TEST_CASE("reused records: a line's optional fields never carry over into the next", "[jsonl]") {
  const std::string full_trigger =
      R"({"type":"trigger","participant":"a","id":"t1","time":"2026-03-02T21:14:00.25+01:00","category":"delayed_reply","intensity":8,"context":"a long context that does not fit a small string","thoughts":["x","a thought long enough to need the heap"],"sensations":["tight chest"],"urge":"text again","acted_on_urge":true,"acted_after_minutes":12.5,"response":"waited","tags":["night","work"]})";
  const std::string full_reading =
      R"({"type":"reading","participant":"a","id":"r1","time":"2026-03-02T21:20:00+01:00","intensity":6,"trigger":"t1","note":"a note long enough to need the heap, surely"})";
  const std::string full_exercise =
      R"({"type":"exercise","participant":"a","id":"e1","time":"2026-03-02T21:30:00+01:00","exercise":"breathing.box","end":"2026-03-02T21:35:00+01:00","completed":false,"intensity_before":7,"intensity_after":4,"trigger":"t1","responses":["one","two"]})";
  const std::string full_thought =
      R"({"type":"thought_record","participant":"a","id":"tr1","time":"2026-03-02T22:00:00+01:00","situation":"s","automatic_thought":"a","belief_before":80,"emotions":[{"name":"anxious","before":70,"after":30}],"distortions":["mind_reading"],"evidence_for":["f"],"evidence_against":["g"],"alternatives":["h"],"friend_advice":"be kind","balanced_thought":"b","belief_after":40,"trigger":"t1"})";
  const std::string full_assessment =
      R"({"type":"assessment","participant":"a","id":"a1","time":"2026-03-02T21:14:00+01:00","instrument":"gad-7","answers":[1,2,3,0,1,2,1],"note":"after a hard week, a long note"})";
  // Participant "b" sorts after "a": each minimal record is the second of its type.
  const std::string min_trigger =
      R"({"type":"trigger","participant":"b","id":"t9","time":"2026-03-03T08:00:00Z","category":"other","intensity":2})";
  const std::string min_reading =
      R"({"type":"reading","participant":"b","time":"2026-03-03T08:05:00Z","intensity":1})";
  const std::string min_exercise =
      R"({"type":"exercise","participant":"b","id":"e9","time":"2026-03-03T08:10:00Z","exercise":"x","end":"2026-03-03T08:11:00Z"})";
  const std::string min_thought =
      R"({"type":"thought_record","participant":"b","id":"tr9","time":"2026-03-03T09:00:00Z","situation":"s2","automatic_thought":"a2","belief_before":50})";
  const std::string min_assessment =
      R"({"type":"assessment","participant":"b","id":"a9","time":"2026-03-03T09:00:00Z","instrument":"gad-7","answers":[0,0,0,0,0,0,0]})";
  const std::vector<std::pair<std::string, std::string>> pairs{{full_trigger, min_trigger},
                                                               {full_reading, min_reading},
                                                               {full_exercise, min_exercise},
                                                               {full_thought, min_thought},
                                                               {full_assessment, min_assessment}};
  // One thread: every line goes through the same reused records, in file order.
  const calmkit::ReadOptions one{.threads = 1};
  std::string both;
  for (const auto& [full, minimal] : pairs) both += full + "\n" + minimal + "\n";
  std::string alone;
  for (const auto& pair : pairs) alone += pair.second + "\n";
  const auto j = calmkit::parse_journal(both, one);
  const auto ref = calmkit::parse_journal(alone, one);
  REQUIRE(j.triggers().size() == 2);
  REQUIRE(j.readings().size() == 2);
  REQUIRE(j.exercises().size() == 2);
  REQUIRE(j.thought_records().size() == 2);
  REQUIRE(j.assessments().size() == 2);
  CHECK(j.triggers()[1] == ref.triggers()[0]);
  CHECK(!j.triggers()[1].acted_on_urge.has_value());
  CHECK(!j.triggers()[1].acted_after_minutes.has_value());
  CHECK(j.triggers()[1].tags.empty());
  CHECK(j.readings()[1] == ref.readings()[0]);
  CHECK(j.readings()[1].note.empty());
  CHECK(j.exercises()[1] == ref.exercises()[0]);
  CHECK(j.exercises()[1].completed);  // the default, though the line before said false
  CHECK(!j.exercises()[1].intensity_before.has_value());
  CHECK(j.thought_records()[1] == ref.thought_records()[0]);
  CHECK(j.thought_records()[1].emotions.empty());
  CHECK(!j.thought_records()[1].belief_after.has_value());
  CHECK(j.assessments()[1] == ref.assessments()[0]);
  // And the full records are whole (the copy into the journal kept every field).
  CHECK(j.triggers()[0].acted_on_urge == std::optional<bool>(true));
  CHECK(j.triggers()[0].thoughts.size() == 2);
  CHECK(j.exercises()[0].responses == std::vector<std::string>{"one", "two"});
  CHECK(j.thought_records()[0].emotions.at(0).after == Percent(30));

  // A bad line between two good ones leaves nothing of itself in the next record.
  const std::string bad = with(full_trigger, R"("intensity_typo":1,"acted_on_urge":"yes")");
  const auto lenient = calmkit::parse_journal_with_report(
      swap(bad, R"("id":"t1")", R"("id":"t2")") + "\n" + min_trigger + "\n", {.lenient = true, .threads = 1});
  REQUIRE(lenient.report.skipped.size() == 1);
  REQUIRE(lenient.journal.triggers().size() == 1);
  CHECK(lenient.journal.triggers()[0] == ref.triggers()[0]);
}

// Strings and keys are taken from the line without a copy when they hold no
// backslash; escaped ones go through simdjson's unescaping. Both must give the
// same text, whitespace around the tokens or not.
TEST_CASE("strings and keys: escaped, spaced and plain spellings read the same", "[jsonl]") {
  const std::string plain =
      R"({"type":"reading","id":"r1","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":"say \"hi\" \u00e9\\"})";
  const std::string spaced =
      "{ \"type\" :\t\"reading\" , \"id\" : \"r1\" ,\"time\":\"2026-03-02T21:20:00+01:00\"   ,\"intensity\" "
      ": 6 , "
      "\"note\" : \"say \\\"hi\\\" \\u00e9\\\\\"  }";
  const std::string escaped_keys =
      R"({"\u0074ype":"reading","i\u0064":"r\u0031","time":"2026-03-02T21:20:00+01:00","intensity":6,"n\u006fte":"say \"hi\" é\\"})";
  for (const auto& line : {plain, spaced, escaped_keys}) {
    INFO(line);
    const auto j = calmkit::parse_journal(line + "\n");
    REQUIRE(j.readings().size() == 1);
    CHECK(j.readings()[0].id == "r1");
    CHECK(j.readings()[0].note == "say \"hi\" \xc3\xa9\\");
  }
  // An escaped duplicate of a known key is still a duplicate.
  check_cases(
      {{"escaped duplicate key", with(read_, R"("int\u0065nsity":3)"), 1, "intensity", "duplicate key"}});
}

// Ids and references are compared as (participant, id) pairs by hash and then
// by their bytes: a pair whose bytes run together the same way is another key.
TEST_CASE("ids and references: (participant, id) pairs that concatenate alike stay distinct", "[jsonl]") {
  const std::string t_ab_c =
      R"({"type":"trigger","participant":"ab","id":"c","time":"2026-03-02T21:14:00Z","category":"other","intensity":3})";
  const std::string t_a_bc =
      R"({"type":"trigger","participant":"a","id":"bc","time":"2026-03-02T21:14:00Z","category":"other","intensity":3})";
  const auto j = calmkit::parse_journal(t_ab_c + "\n" + t_a_bc + "\n");
  CHECK(j.triggers().size() == 2);
  // A reading of "a" that names trigger "c" (which only "ab" has) is refused.
  const std::string r_a_c =
      R"({"type":"reading","participant":"a","time":"2026-03-02T21:20:00Z","intensity":1,"trigger":"c"})";
  check_cases({{"reference across participants", t_ab_c + "\n" + r_a_c + "\n", 2, "trigger",
                "refers to trigger 'c', which participant 'a' does not have"}});
  // The same id twice for one participant is refused, naming the first line.
  check_cases({{"duplicate", t_ab_c + "\n" + t_a_bc + "\n" + t_ab_c + "\n", 3, "id",
                "duplicate trigger id 'c' for participant 'ab' (first used on line 1)"}});
}
