// The JSON Lines reader's key table (src/io_read_keys.hpp): the (participant,
// id) keys behind duplicate ids and trigger references. Its answers must not
// depend on the hashes it is given (that an attacker cannot make ids share a
// hash is test_hash_flooding.cpp's part).
#include "io_read_keys.hpp"

#include <calmkit/io.hpp>

#include <catch2/catch.hpp>

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
