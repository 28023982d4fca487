// The JSON Lines reader's fast path (src/io_read_line.cpp, `fast_line`): the
// usual line is read by a hand-written scanner, and every line it does not
// fully take goes to the simdjson path, which decides. Reading with the fast
// path on and off must give the same journal, report and errors, strict and
// lenient, for the lines it takes and for every line it must hand over:
// each key twice, each escape, blanks between every token, numbers it does
// not read (-0, 1e2, 01, huge), nulls, unknown keys, bad UTF-8, ...
#include "io_read_line.hpp"

#include <calmkit/errors.hpp>
#include <calmkit/io.hpp>
#include <calmkit/synthetic.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

/// What one read gave: the journal, or the strict error's text.
struct Outcome {
  std::optional<calmkit::ReadResult> result;
  std::string error;
};

Outcome read(const std::string& text, bool fast, bool lenient, std::size_t max_line_bytes = 0) {
  calmkit::detail::jsonl::set_fast_path(fast);
  Outcome o;
  try {
    calmkit::ReadOptions options{.lenient = lenient};
    if (max_line_bytes > 0) options.max_line_bytes = max_line_bytes;
    o.result = calmkit::parse_journal_with_report(text, options, "mem.jsonl");
  } catch (const calmkit::JournalFormatError& e) {
    o.error = e.what();
  }
  calmkit::detail::jsonl::set_fast_path(true);
  return o;
}

/// Reads `text` with the fast path on and off, strict and lenient, and
/// checks the two agree in everything.
void same_both_ways(const std::string& text, std::size_t max_line_bytes = 0) {
  INFO("journal:\n" << text << "\nmax_line_bytes " << max_line_bytes);
  for (const bool lenient : {false, true}) {
    INFO("lenient " << lenient);
    const auto fast = read(text, true, lenient, max_line_bytes);
    const auto slow = read(text, false, lenient, max_line_bytes);
    CHECK(fast.error == slow.error);
    REQUIRE(fast.result.has_value() == slow.result.has_value());
    if (!fast.result) continue;
    CHECK(fast.result->journal == slow.result->journal);
    CHECK(calmkit::to_jsonl(fast.result->journal) == calmkit::to_jsonl(slow.result->journal));
    const auto& a = fast.result->report;
    const auto& b = slow.result->report;
    CHECK(a.lines == b.lines);
    CHECK(a.records == b.records);
    CHECK(a.version == b.version);
    REQUIRE(a.skipped.size() == b.skipped.size());
    for (std::size_t i = 0; i < a.skipped.size(); ++i) {
      CHECK(a.skipped[i].line == b.skipped[i].line);
      CHECK(a.skipped[i].field == b.skipped[i].field);
      CHECK(a.skipped[i].reason == b.skipped[i].reason);
      CHECK(a.skipped[i].message == b.skipped[i].message);
    }
  }
}

// The lines a variant is read after: what references resolve to.
const std::string prefix =
    R"({"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"delayed_reply","intensity":8})"
    "\n";

// The usual lines of each type, as the writer and the benchmark journals have them.
const std::vector<std::string> bases = {
    R"({"type":"reading","time":"2026-04-13T22:25:55+05:30","participant":"p","intensity":6})",
    R"({"type":"reading","participant":"p","id":"r1","time":"2026-04-11T14:39:22.958+02:00","intensity":2,"trigger":"t1","note":"after the call"})",
    R"({"type":"trigger","participant":"p","id":"t2","time":"2026-04-29T23:06:46.316-05:00","category":"negative_self_talk","intensity":6,"context":"Partner is away","thoughts":["they would reply if they cared","I always ruin things"],"sensations":["clenched jaw"],"urge":"look at their profile","acted_on_urge":false,"acted_after_minutes":24.4,"response":"went for a walk","tags":["late-night","texting"],"device":"phone-a"})",
    R"({"participant":"p","type":"exercise","id":"e1","time":"2026-04-14T01:37:11-04:00","end":"2026-04-14T01:49:11-04:00","exercise":"grounding.5-4-3-2-1","completed":true,"intensity_before":4,"intensity_after":3,"trigger":"t1","responses":["a","b"]})",
    R"({"type":"thought_record","participant":"p","id":"r2","time":"2026-04-10T14:07:50Z","situation":"Sent a message","automatic_thought":"They don't care","belief_before":98,"emotions":[{"name":"anxious","before":80,"after":50},{"name":"sad","before":0}],"distortions":["personalization"],"evidence_for":["x"],"evidence_against":[],"alternatives":["They are busy","Their phone died"],"friend_advice":"wait","balanced_thought":"maybe busy","belief_after":38,"trigger":"t1"})",
};

/// The top-level fields of a line without escapes, each `"key":value` as written.
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false;
  std::size_t from = 1;
  for (std::size_t i = 1; i + 1 < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(line.substr(from, i - from));
      from = i + 1;
    }
  }
  out.push_back(line.substr(from, line.size() - 1 - from));
  return out;
}

std::string object_of(const std::vector<std::string>& fields) {
  std::string s = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) s += (i ? "," : "") + fields[i];
  return s + "}";
}

/// `line` with `blank` around every structural character outside strings.
std::string spaced(const std::string& line, const std::string& blank) {
  std::string s;
  bool in_string = false;
  for (const char c : line) {
    if (in_string) {
      s += c;
      in_string = c != '"';
    } else if (c == '"') {
      s += blank + '"';
      in_string = true;
    } else if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',') {
      s += blank + c + blank;
    } else {
      s += c;
    }
  }
  return s;
}

// Values put in place of each field's value: what the fast path takes (a
// field's usual value) and what it must hand over.
const std::vector<std::string> values = {"null",
                                         "true",
                                         "false",
                                         "0",
                                         "-0",
                                         "1",
                                         "01",
                                         "5",
                                         "10",
                                         "11",
                                         "100",
                                         "101",
                                         "1e2",
                                         "1E2",
                                         "5.0",
                                         "5e0",
                                         "-1",
                                         "2.5",
                                         "24.4",
                                         "0.5",
                                         "1.",
                                         "-",
                                         ".5",
                                         "99999999999999999999",
                                         "1234567890123456",
                                         "123456789012345",
                                         "123456789012.345",
                                         "0.1234567890123456789",
                                         "9007199254740993",
                                         "1e400",
                                         "0x5",
                                         "5 5",
                                         "tru",
                                         "nul",
                                         "falsey",
                                         R"("")",
                                         R"("x")",
                                         R"("p")",
                                         R"("a\"b")",
                                         R"("a\\b")",
                                         R"("a\/b")",
                                         R"("a\bb")",
                                         R"("a\fb")",
                                         R"("a\nb")",
                                         R"("a\rb")",
                                         R"("a\tb")",
                                         R"("\u00e9")",
                                         R"("\ud83d\ude00")",
                                         R"("\ud83d")",
                                         R"("\x")",
                                         "\"caf\xc3\xa9\"",
                                         "\"\xe2\x82\xac\xf0\x9f\x98\x80 ok\"",
                                         "\"\xff\"",
                                         "\"\xc0\x80\"",
                                         "\"\xed\xa0\x80\"",
                                         "\"\xf4\x90\x80\x80\"",
                                         "\"\xc3\"",
                                         "\"a\x01b\"",
                                         "\"a\x7f\"",
                                         "\"a\tb\"",
                                         R"("unterminated)",
                                         R"("2026-03-02T21:14:00+01:00")",
                                         R"("2026-03-02t21:14:00+01:00")",
                                         R"("2026-03-02T21:14:00.123456+01:00")",
                                         R"("2026-03-02T21:14:00.1234567+01:00")",
                                         R"("2026-02-30T21:14:00Z")",
                                         R"("2026-03-02T21:14:00")",
                                         R"("delayed_reply")",
                                         R"("breathing.box")",
                                         R"("t1")",
                                         R"("t9")",
                                         R"("nope")",
                                         "[]",
                                         R"(["a"])",
                                         R"(["a","b"])",
                                         "[1]",
                                         R"(["a",])",
                                         "[null]",
                                         R"(["a\n"])",
                                         "[[]]",
                                         R"(["a" "b"])",
                                         "{}",
                                         R"({"a":1})",
                                         R"([{"name":"anxious","before":80}])",
                                         R"([{"name":"anxious","before":80,"after":50}])",
                                         R"([{"name":"x","before":80,"after":null}])",
                                         R"([{"name":"x","before":80,"name":"y"}])",
                                         R"([{"name":"x","before":80,"z":1}])",
                                         R"([{"name":"x","before":80,"z":[1]}])",
                                         R"([{"before":80}])",
                                         R"([{"name":"x","before":101}])",
                                         R"([{"name":"x","before":-0}])",
                                         R"([{"n\u0061me":"x","before":8}])",
                                         "[{}]",
                                         R"(["catastrophizing"])",
                                         R"(["personalization","labeling"])",
                                         R"(["nope"])"};

TEST_CASE("fast path: the usual lines read as the simdjson path reads them", "[jsonl][fast]") {
  for (const auto& base : bases) same_both_ways(prefix + base + "\n");
  std::string all = prefix;
  for (const auto& base : bases) all += base + "\n";
  same_both_ways(all);
  same_both_ways(R"({"type":"header","format":"calmkit-journal","version":1})"
                 "\n" +
                 all);
}

TEST_CASE("fast path: each field twice, missing, null, first, or with another value", "[jsonl][fast]") {
  for (const auto& base : bases) {
    const auto fields = fields_of(base);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto twice = fields;
      twice.push_back(fields[i]);
      same_both_ways(prefix + object_of(twice) + "\n");
      auto missing = fields;
      missing.erase(missing.begin() + static_cast<std::ptrdiff_t>(i));
      same_both_ways(prefix + object_of(missing) + "\n");
      auto first = missing;
      first.insert(first.begin(), fields[i]);
      same_both_ways(prefix + object_of(first) + "\n");
      const std::string key = fields[i].substr(0, fields[i].find(':'));
      auto escaped = fields;  // the key's first letter as \u00XX
      escaped[i] = "\"\\u00" + std::to_string(static_cast<int>(key[1]) / 16) +
                   "0123456789abcdef"[static_cast<unsigned char>(key[1]) % 16] + fields[i].substr(2);
      same_both_ways(prefix + object_of(escaped) + "\n");
      for (const auto& v : values) {
        auto other = fields;
        other[i] = key + ":" + v;
        same_both_ways(prefix + object_of(other) + "\n");
      }
    }
    // Unknown keys with each value, and twice.
    for (const auto& v : values) {
      auto more = fields;
      more.push_back("\"extra\":" + v);
      same_both_ways(prefix + object_of(more) + "\n");
    }
    auto more = fields;
    for (const char* k : {"\"a\":1", "\"b\":2", "\"c\":3", "\"d\":4", "\"e\":5"}) {
      more.push_back(k);
      same_both_ways(prefix + object_of(more) + "\n");
    }
    more.push_back("\"a\":1");
    same_both_ways(prefix + object_of(more) + "\n");
  }
}

TEST_CASE("fast path: blanks between tokens, and whatever follows the object", "[jsonl][fast]") {
  for (const auto& base : bases) {
    for (const char* blank : {" ", "\t", "  \t ", "\r"}) same_both_ways(prefix + spaced(base, blank) + "\n");
    for (const char* after : {" ", "x", ",", "}", "{}", " {}", "\x01", "\"", "\r", "\xef\xbb\xbf"})
      same_both_ways(prefix + base + after + "\n");
    same_both_ways(prefix + "\xef\xbb\xbf" + base + "\n");
    same_both_ways(prefix + " \t" + base + " \t\r\n\n \n\r\n" + base + "\n\n");
    same_both_ways(prefix + base + "\n" + base.substr(0, base.size() - 1) + "\n}\n");
    // A line as long as the limit, or a byte longer, with and without its \r.
    for (const std::size_t limit : {base.size() - 1, base.size(), base.size() + 1, base.size() + 2}) {
      same_both_ways(prefix + base + "\n" + base + "\n", limit + prefix.size());  // the prefix fits
      same_both_ways(base + "\r\n" + base + " \n", limit);
      same_both_ways(base + "\r\n" + base + "\r", limit);
    }
    same_both_ways(prefix + base + "\r\n" + base + "\r\n");
    for (std::size_t cut = 1; cut < base.size(); cut += 7)
      same_both_ways(prefix + base.substr(0, cut) + "\n");
    same_both_ways(prefix + base);  // no line break at the end
  }
}

TEST_CASE("fast path: many refused lines among taken ones, strict and lenient", "[jsonl][fast]") {
  // Enough lines the fast path refuses (escapes) for the rest of a piece to
  // go to one document stream, then good lines, then bad ones.
  std::string text = prefix;
  for (int i = 0; i < 40; ++i) {
    text +=
        R"({"type":"reading","time":"2026-04-13T22:25:55+05:30","participant":"p","intensity":6,"note":"a\nb"})"
        "\n";
    if (i % 3 == 0) text += bases[0] + "\n";
  }
  for (int i = 0; i < 40; ++i) text += bases[0] + "\n";
  same_both_ways(text);
  same_both_ways(text +
                 R"({"type":"reading","time":"2026-04-13T22:25:55+05:30","intensity":11})"
                 "\n" +
                 text);
  same_both_ways(text +
                 R"({"type":"reading","time":"2026-04-13T22:25:55+05:30","intensity":6,"id":""})"
                 "\n" +
                 text);
}

TEST_CASE("a byte order mark starts the file only: at the start of a later line it is invalid JSON",
          "[jsonl][fast]") {
  // Two exported files joined: the second one's BOM starts a line. simdjson
  // 3.12 skips a BOM before any document and 3.0 does not: the reader itself
  // refuses it, on the fast path, line by line and in a document stream (a
  // piece after many lines the fast path refuses).
  const std::string bom = "\xEF\xBB\xBF";
  std::string escaped;
  for (int i = 0; i < 12; ++i)
    escaped +=
        R"({"type":"reading","time":"2026-04-13T22:25:55+05:30","participant":"p","intensity":6,"note":"a\nb"})"
        "\n";
  for (const auto& [text, line] :
       {std::pair{bom + prefix + bom + bases[0] + "\n", std::size_t{2}},
        std::pair{prefix + escaped + bom + bases[0] + "\n" + bases[0] + "\n", std::size_t{14}},
        std::pair{prefix + escaped + bom + escaped, std::size_t{14}}}) {
    same_both_ways(text);
    for (const bool fast : {true, false}) {
      INFO("fast " << fast << "\n" << text);
      const auto strict = read(text, fast, false);
      CHECK(strict.error ==
            "mem.jsonl:" + std::to_string(line) +
                ": invalid JSON: a byte order mark (U+FEFF) may only start the file, not a line "
                "after the first");
      const auto lenient = read(text, fast, true);
      REQUIRE(lenient.result.has_value());
      REQUIRE(lenient.result->report.skipped.size() == 1);
      CHECK(lenient.result->report.skipped[0].line == line);
      CHECK(lenient.result->report.records == lenient.result->report.lines - 1);
    }
  }
}

TEST_CASE("fast path: synthetic journals of more than one piece", "[jsonl][fast]") {
  const auto journal = calmkit::synthetic_journal({.participants = 20, .days = 30, .seed = 7});
  const std::string text = calmkit::to_jsonl(journal);
  REQUIRE(text.size() > (std::size_t{512} << 10));
  same_both_ways(text);
  const auto fast = read(text, true, false);
  REQUIRE(fast.result.has_value());
  CHECK(fast.result->journal == journal);
}

}  // namespace
