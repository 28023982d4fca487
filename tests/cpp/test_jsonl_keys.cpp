// The JSON Lines reader's key table (src/io_read_keys.hpp): the (participant,
// id) keys behind duplicate ids and trigger references. Its answers must not
// depend on the hashes it is given (that an attacker cannot make ids share a
// hash is test_hash_flooding.cpp's part).
#include "io_read_keys.hpp"
#include "journal_fields.hpp"

#include <calmkit/io.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using calmkit::detail::jsonl::key_hash;
using calmkit::detail::jsonl::KeyTable;

TEST_CASE("keys: same_bytes is string equality for every length and every differing byte", "[jsonl][keys]") {
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string a(n, 'x');
    CHECK(calmkit::detail::same_bytes(a, a));
    CHECK(calmkit::detail::same_bytes(a, std::string(n, 'x')));
    CHECK_FALSE(calmkit::detail::same_bytes(a, std::string(n + 1, 'x')));
    for (std::size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = 'y';
      INFO("length " << n << ", byte " << i);
      CHECK_FALSE(calmkit::detail::same_bytes(a, b));
    }
  }
}

namespace {

/// Inserts ids i0 .. i<n-1> of participant p with hashes `hash(i)`, then checks
/// every answer the reader relies on: a second use of each id names its first
/// line, each id's ordinal is its insertion order, unknown ids are not found.
template <class Hash>
void check_table(KeyTable& t, std::size_t n, Hash hash) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = "i" + std::to_string(i);
    REQUIRE(t.insert(hash(i), "p", id, 10 + i) == KeyTable::none);
  }
  CHECK(t.size() == n);
  for (std::size_t i = 0; i < n; i += 7) {
    const std::string id = "i" + std::to_string(i);
    CHECK(t.find(hash(i), "p", id) == i);
    CHECK(t.find(hash(i), "q", id) == KeyTable::none);  // another participant's
    CHECK(t.insert(hash(i), "p", id, 99999999) == 10 + i);
  }
  CHECK(t.find(hash(0), "p", "missing") == KeyTable::none);
  CHECK(t.size() == n);
}

}  // namespace

TEST_CASE("keys: ids that share one hash are all kept apart", "[jsonl][keys]") {
  KeyTable t;
  check_table(t, 2000, [](std::size_t) { return std::uint64_t{42}; });
}

TEST_CASE("keys: ids placed on consecutive slots, one long run", "[jsonl][keys]") {
  KeyTable t;
  check_table(t, 5000, [](std::size_t i) { return std::uint64_t{i}; });
}

TEST_CASE("keys: ordinary ids under the key hash, past the reserved size", "[jsonl][keys]") {
  KeyTable t;
  t.reserve(150000, 150000 * 8);
  check_table(t, 200000, [](std::size_t i) { return key_hash("p", "i" + std::to_string(i)); });
}

namespace {

std::string outcome(const calmkit::ReadResult& r) {
  std::string s = calmkit::to_jsonl(r.journal, {.header = false});
  s += "--- lines " + std::to_string(r.report.lines) + " records " + std::to_string(r.report.records) + "\n";
  for (const auto& k : r.report.skipped) s += std::to_string(k.line) + "|" + k.field + "|" + k.reason + "\n";
  return s;
}

}  // namespace

TEST_CASE("keys: a journal past the point where the reader sizes its tables, every thread count",
          "[jsonl][keys]") {
  // 130,000 lines (about 17 MB): the reader sizes its id tables and pending
  // references once 8 MiB are merged, so keys go in before and after that.
  // Interleaved participants; readings name triggers of earlier and later
  // lines. Near the end: a duplicate trigger id (its first use near the
  // start), a duplicate exercise id, and a reference to a trigger that never
  // comes. Errors and skipped lines must be the same for 1..8 threads.
  std::string text;
  std::size_t line = 0;
  std::size_t dup_trigger = 0, dup_exercise = 0, dangling = 0;
  auto trigger = [&](std::size_t p, std::size_t t) {
    text +=
        R"({"type":"trigger","participant":"p)" + std::to_string(p) + R"(","id":"t)" + std::to_string(t) +
        R"(","time":"2026-03-02T10:00:00Z","category":"conflict","intensity":5,"context":"a fixed context for size"})"
        "\n";
    ++line;
  };
  for (std::size_t i = 0; i < 130000; ++i) {
    const std::size_t p = (i * 37) % 101;
    if (i % 4 == 0) {
      trigger(p, i / 4);
    } else if (i % 4 == 1) {
      // Names the trigger of the same participant 400 lines ahead or 400 back.
      const bool ahead = (i % 8 == 1 && i + 399 < 130000) || i < 401;
      const std::size_t j = ahead ? i + 399 : i - 401;
      text += R"({"type":"reading","participant":"p)" + std::to_string((j * 37) % 101) +
              R"(","time":"2026-03-02T11:00:00Z","intensity":3,"trigger":"t)" + std::to_string(j / 4) +
              "\"}\n";
      ++line;
    } else {
      text +=
          R"({"type":"exercise","participant":"p)" + std::to_string(p) + R"(","id":"e)" + std::to_string(i) +
          R"(","time":"2026-03-02T12:00:00Z","end":"2026-03-02T12:05:00Z","exercise":"breathing.box","completed":true})"
          "\n";
      ++line;
    }
    if (i == 120000) {
      trigger(0, 0);  // t0 of p0 is line 1
      dup_trigger = line;
    }
    if (i == 121000) {
      text +=
          R"({"type":"exercise","participant":"p)" + std::to_string((2 * 37) % 101) +
          R"(","id":"e2","time":"2026-03-03T12:00:00Z","end":"2026-03-03T12:05:00Z","exercise":"breathing.box","completed":true})"
          "\n";
      dup_exercise = ++line;
    }
    if (i == 125000) {
      text +=
          R"({"type":"reading","participant":"p1","time":"2026-03-02T11:00:00Z","intensity":3,"trigger":"t999999"})"
          "\n";
      dangling = ++line;
    }
  }
  REQUIRE(text.size() > (std::size_t{16} << 20));
  const auto one = calmkit::parse_journal_with_report(text, {.lenient = true, .threads = 1});
  std::vector<std::size_t> skipped;
  for (const auto& k : one.report.skipped) skipped.push_back(k.line);
  REQUIRE(skipped == std::vector<std::size_t>{dup_trigger, dup_exercise, dangling});
  CHECK(one.report.skipped[0].reason ==
        "duplicate trigger id 't0' for participant 'p0' (first used on line 1)");
  CHECK(one.report.skipped[1].field == "id");
  CHECK(one.report.skipped[2].field == "trigger");
  CHECK(one.report.records == line - 3);
  const std::string reference = outcome(one);
  for (unsigned threads = 1; threads <= 8; ++threads) {
    INFO("threads " << threads);
    CHECK(outcome(calmkit::parse_journal_with_report(text, {.lenient = true, .threads = threads})) ==
          reference);
    try {
      (void)calmkit::parse_journal_with_report(text, {.threads = threads});
      FAIL("no error");
    } catch (const calmkit::JournalFormatError& e) {
      CHECK(e.line() == dup_trigger);
      CHECK(e.field() == "id");
    }
  }
}

namespace {

/// Checks that `line`, written by `to_json`, holds each of `fields` as a
/// member name, in the list's order, and no other member name: the writer and
/// the format's one field list (journal_fields.hpp, which the reader reads
/// by) name the same fields.
template <std::size_t N>
void check_written_fields(const std::string& line, const std::array<std::string_view, N>& fields) {
  INFO(line);
  std::size_t from = 0;
  for (const auto f : fields) {
    const std::string key = "\"" + std::string(f) + "\":";
    const auto at = line.find(key, from);
    INFO(f);
    REQUIRE(at != std::string::npos);
    from = at + key.size();
  }
}

/// The member names of `line` outside its nested objects and arrays: each
/// string at depth one followed by a colon (`line` is calmkit's own output,
/// with no space around its colons).
std::vector<std::string> top_level_names(const std::string& line) {
  std::vector<std::string> names;
  int depth = 0;
  bool in_string = false;
  std::string current;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 1 && i + 1 < line.size() && line[i + 1] == ':') names.push_back(current);
      } else {
        current += c;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      current.clear();
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return names;
}

template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& fields) {
  return {fields.begin(), fields.end()};
}

}  // namespace

TEST_CASE("journal fields: a record with every field set is written with its type's fields, in order",
          "[jsonl][keys]") {
  namespace d = calmkit::detail;
  // One record of each type with every field set (their order in these lines is not the list's).
  const std::string text =
      R"({"type":"trigger","participant":"p1","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply",)"
      R"("intensity":8,"context":"seen","thoughts":["a"],"sensations":["b"],"urge":"text","acted_on_urge":true,)"
      R"("acted_after_minutes":12.5,"response":"walk","tags":["evening"]})"
      "\n"
      R"({"note":"n","type":"reading","participant":"p1","id":"r1","time":"2026-03-02T21:20:00+01:00","intensity":7,)"
      R"("trigger":"t1"})"
      "\n"
      R"({"type":"exercise","participant":"p1","id":"e1","time":"2026-03-02T21:30:00+01:00",)"
      R"("exercise":"breathing.4-7-8","end":"2026-03-02T21:36:30+01:00","completed":false,"intensity_before":7,)"
      R"("intensity_after":4,"trigger":"t1","responses":["x"]})"
      "\n"
      R"({"type":"thought_record","participant":"p1","id":"tr1","time":"2026-03-02T22:05:00+01:00","situation":"s",)"
      R"("automatic_thought":"a","belief_before":85,"emotions":[{"after":40,"name":"anxious","before":80}],)"
      R"("distortions":["mind_reading"],"evidence_for":["f"],"evidence_against":["g"],"alternatives":["h"],)"
      R"("friend_advice":"i","balanced_thought":"j","belief_after":35,"trigger":"t1"})"
      "\n"
      R"({"type":"assessment","participant":"p1","id":"a1","time":"2026-03-02T08:00:00+01:00","instrument":"gad-7",)"
      R"("answers":[1,1,2,0,1,1,0],"note":"n"})"
      "\n";
  const calmkit::Journal j = calmkit::parse_journal(text);
  REQUIRE(j.size() == 5);
  const std::string trigger = calmkit::to_json(calmkit::Record(j.trigger(0)));
  const std::string reading = calmkit::to_json(calmkit::Record(j.reading(0)));
  const std::string exercise = calmkit::to_json(calmkit::Record(j.exercise(0)));
  const std::string thought = calmkit::to_json(calmkit::Record(j.thought_record(0)));
  const std::string assessment = calmkit::to_json(calmkit::Record(j.assessment(0)));
  check_written_fields(trigger, d::trigger_fields);
  check_written_fields(reading, d::reading_fields);
  check_written_fields(exercise, d::exercise_fields);
  check_written_fields(thought, d::thought_fields);
  check_written_fields(assessment, d::assessment_fields);
  CHECK(top_level_names(trigger) == names_of(d::trigger_fields));
  CHECK(top_level_names(reading) == names_of(d::reading_fields));
  CHECK(top_level_names(exercise) == names_of(d::exercise_fields));
  CHECK(top_level_names(thought) == names_of(d::thought_fields));
  CHECK(top_level_names(assessment) == names_of(d::assessment_fields));
  // The emotion's own fields, in the list's order.
  const auto emotions = thought.find(R"("emotions":[)");
  REQUIRE(emotions != std::string::npos);
  check_written_fields(thought.substr(emotions), d::emotion_fields);
  // And the type test the writer keeps another app's fields by.
  CHECK(d::is_record_field(0, "acted_after_minutes"));
  CHECK_FALSE(d::is_record_field(1, "acted_after_minutes"));
  CHECK(d::is_record_field(4, "instrument"));
  CHECK_FALSE(d::is_record_field(3, "heart_rate"));
}
