// The journal reader on several threads (ReadOptions::threads, chunk_bytes):
// for any thread count and window size, the same records in the same order,
// the same errors with the same line numbers, the same lenient report. The
// inputs are generated with their bad lines marked, so the expected line
// numbers come from the generator, not from another read; and hostile
// layouts (bad lines where the shares meet, CRLF, a byte order mark, lines
// longer than a window, no final line break, blank stretches before the
// header, an empty file) are run through every thread count 1..8.
#include <calmkit/files.hpp>
#include <calmkit/io.hpp>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using calmkit::JournalFormatError;
using calmkit::ReadOptions;

namespace {

/// A generated journal: its text and the lines (1-based) that are bad.
struct Generated {
  std::string text;
  std::set<std::size_t> bad;            ///< bad on their own (skipped by a lenient read)
  std::set<std::size_t> bad_reference;  ///< refer to a trigger that is not there (checked at the end)
};

std::string time_at(int minute) {
  // 2026-03-02 + minute, in +01:00; minutes < 60 * 24 * 28 keep it in March.
  const int day = 2 + minute / (60 * 24);
  const int hour = (minute / 60) % 24;
  const int min = minute % 60;
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-03-%02dT%02d:%02d:00+01:00", day, hour, min);
  return buf;
}

/// Random records of every type for a few participants, with bad lines of
/// several kinds mixed in, blank and whitespace lines, CRLF endings, long
/// notes, an optional byte order mark, header and final line break.
Generated generate(std::uint32_t seed, std::size_t lines, bool bom, bool header, bool final_newline,
                   std::size_t long_note) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  Generated g;
  if (bom) g.text += "\xEF\xBB\xBF";
  std::size_t line = 0;
  bool content = false;  // a non-blank line is written: a header now would be out of place
  auto put = [&](const std::string& s, bool crlf) {
    ++line;
    content = content || s.find_first_not_of(" \t") != std::string::npos;
    g.text += s;
    g.text += crlf ? "\r\n" : "\n";
  };
  if (header) put(R"({"type":"header","format":"calmkit-journal","version":1})", false);
  std::vector<std::vector<int>> triggers(4);  // trigger numbers kept, per participant
  int next_id = 0;
  while (line < lines) {
    const bool crlf = pick(5) == 0;
    const int p = pick(4);
    const std::string part = "\"participant\":\"p" + std::to_string(p) + "\"";
    const std::string when = "\"time\":\"" + time_at(pick(60 * 24 * 27)) + "\"";
    const int kind = pick(20);
    if (kind == 0) {
      put(pick(2) ? "" : "   \t ", crlf);
    } else if (kind <= 5) {
      const int id = next_id++;
      put("{\"type\":\"trigger\"," + part + ",\"id\":\"t" + std::to_string(id) + "\"," + when +
              ",\"category\":\"delayed_reply\",\"intensity\":" + std::to_string(1 + pick(10)) + "}",
          crlf);
      triggers[static_cast<std::size_t>(p)].push_back(id);
    } else if (kind <= 11) {
      std::string link;
      const auto& mine = triggers[static_cast<std::size_t>(p)];
      if (!mine.empty() && pick(2)) {
        link = ",\"trigger\":\"t" +
               std::to_string(mine[static_cast<std::size_t>(pick(static_cast<int>(mine.size())))]) + "\"";
      }
      std::string note;
      if (long_note > 0 && pick(40) == 0) note = ",\"note\":\"" + std::string(long_note, 'n') + "\"";
      put("{\"type\":\"reading\"," + part + "," + when + ",\"intensity\":" + std::to_string(pick(11)) + link +
              note + "}",
          crlf);
    } else if (kind <= 12) {
      put("{\"type\":\"exercise\"," + part + ",\"id\":\"e" + std::to_string(next_id++) + "\"," + when +
              ",\"exercise\":\"breathing.box\",\"end\":\"2026-03-30T00:00:00Z\",\"intensity_before\":7}",
          crlf);
    } else if (kind <= 13) {
      put("{\"type\":\"thought_record\"," + part + ",\"id\":\"r" + std::to_string(next_id++) + "\"," + when +
              ",\"situation\":\"s\",\"automatic_thought\":\"a\",\"belief_before\":70,\"emotions\":[{\"name\":"
              "\"worry\",\"before\":60}]}",
          crlf);
    } else if (kind <= 14) {
      put("{\"type\":\"assessment\"," + part + ",\"id\":\"a" + std::to_string(next_id++) + "\"," + when +
              ",\"instrument\":\"gad-7\",\"answers\":[1,2,3,0,1,2,1]}",
          crlf);
    } else {
      // A bad line of one of several kinds.
      const auto& mine = triggers[static_cast<std::size_t>(p)];
      switch (pick(7)) {
        case 0: put("{\"type\":\"reading\"," + part + "," + when + ",\"intensity\":", crlf); break;
        case 1: put("{\"type\":\"mood\"," + part + "," + when + "}", crlf); break;
        case 2: put("{\"type\":\"reading\"," + part + "," + when + ",\"intensity\":11}", crlf); break;
        case 3: put("[1,2,3]", crlf); break;
        case 4:
          put(content ? R"({"type":"header","format":"calmkit-journal","version":1})" : "[]", crlf);
          break;
        case 5:
          if (mine.empty()) {
            put("{\"type\":\"trigger\"," + part + "," + when + ",\"category\":\"nope\",\"intensity\":3}",
                crlf);
          } else {  // a trigger id this participant already used
            put("{\"type\":\"trigger\"," + part + ",\"id\":\"t" + std::to_string(mine.front()) + "\"," +
                    when + ",\"category\":\"conflict\",\"intensity\":3}",
                crlf);
          }
          break;
        default:
          put("{\"type\":\"reading\"," + part + "," + when + ",\"intensity\":4,\"trigger\":\"missing" +
                  std::to_string(pick(3)) + "\"}",
              crlf);
          g.bad_reference.insert(line);
          continue;
      }
      g.bad.insert(line);
    }
  }
  if (!final_newline) {
    while (!g.text.empty() && (g.text.back() == '\n' || g.text.back() == '\r')) g.text.pop_back();
  }
  return g;
}

/// Everything a read gives, as one comparable text: the journal as the
/// writer puts it (records in the journal's order) and the report.
std::string outcome(const calmkit::ReadResult& r) {
  std::string s = calmkit::to_jsonl(r.journal, {.header = false});
  s += "--- lines " + std::to_string(r.report.lines) + " records " + std::to_string(r.report.records) +
       " version " + std::to_string(r.report.version) + "\n";
  for (const auto& k : r.report.skipped) {
    s += std::to_string(k.line) + "|" + k.field + "|" + k.reason + "|" + k.message + "\n";
  }
  return s;
}

/// The outcome of a read, or the error it threw (as text).
std::string attempt(const std::function<calmkit::ReadResult()>& read) {
  try {
    return outcome(read());
  } catch (const JournalFormatError& e) {
    return "error line " + std::to_string(e.line()) + " field " + e.field() + ": " + e.what();
  }
}

/// The outcome of reading `text` through the FIFO `fifo`, fed by a thread of
/// its own as a pipe from another program would be (the reader sees short
/// reads and no file size). The writer is connected before the read starts
/// (a read end held open here lets it connect without waiting); closing that
/// end after the read frees a writer blocked on a reader that stopped early
/// (EPIPE, not a signal: the caller ignores SIGPIPE).
std::string attempt_fifo(const fs::path& fifo, const std::string& text, const ReadOptions& o) {
  const int keeper = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(keeper >= 0);
  std::promise<void> connected;
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    connected.set_value();
    for (std::size_t at = 0; fd >= 0 && at < text.size();) {
      const ssize_t n = ::write(fd, text.data() + at, std::min<std::size_t>(700, text.size() - at));
      if (n <= 0) break;
      at += static_cast<std::size_t>(n);
    }
    if (fd >= 0) ::close(fd);
  });
  connected.get_future().wait();
  std::string result;
  try {
    result = attempt([&] { return calmkit::read_journal_with_report(fifo, o); });
  } catch (...) {
    ::close(keeper);
    writer.join();
    throw;
  }
  ::close(keeper);
  writer.join();
  return result;
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// Reads `text` (in memory and from a file) with every thread count 1..8
/// and several window sizes, strict and lenient; each must give what one
/// thread with the default window gives. Returns that reference (lenient, strict).
std::pair<std::string, std::string> same_for_every_thread_count(const std::string& text, const fs::path& file,
                                                                std::size_t max_line_bytes = 0) {
  write(file, text);
  std::pair<std::string, std::string> reference;
  for (const bool lenient : {true, false}) {
    ReadOptions one{.lenient = lenient, .max_line_bytes = max_line_bytes, .threads = 1};
    const std::string ref = attempt([&] { return calmkit::read_journal_with_report(file, one); });
    (lenient ? reference.first : reference.second) = ref;
    if (max_line_bytes == 0)
      CHECK(attempt([&] { return calmkit::parse_journal_with_report(text, one, file.string()); }) == ref);
    for (unsigned threads = 1; threads <= 8; ++threads) {
      for (const std::size_t chunk :
           {std::size_t{1024}, std::size_t{1500}, std::size_t{4096}, std::size_t{1} << 20}) {
        ReadOptions o{
            .lenient = lenient, .max_line_bytes = max_line_bytes, .threads = threads, .chunk_bytes = chunk};
        INFO("lenient " << lenient << ", threads " << threads << ", chunk_bytes " << chunk);
        CHECK(attempt([&] { return calmkit::read_journal_with_report(file, o); }) == ref);
        if (max_line_bytes == 0) {
          CHECK(attempt([&] { return calmkit::parse_journal_with_report(text, o, file.string()); }) == ref);
        }
      }
    }
  }
  return reference;
}

}  // namespace

TEST_CASE("parallel read: generated journals with bad lines, any thread count, same result",
          "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const auto file = dir.path() / "j.jsonl";
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    const bool bom = seed % 3 == 0;
    const bool header = seed % 2 == 0;
    const bool final_newline = seed % 4 != 1;
    const std::size_t long_note = seed % 3 == 1 ? 5000 : 0;  // longer than a 1 KiB or 4 KiB window
    const Generated g = generate(seed, 150 + 40 * seed, bom, header, final_newline, long_note);
    INFO("seed " << seed);
    const auto [lenient, strict] = same_for_every_thread_count(g.text, file);

    // Lenient: exactly the lines the generator made bad are reported.
    const auto r =
        calmkit::read_journal_with_report(file, {.lenient = true, .threads = 3, .chunk_bytes = 1024});
    std::set<std::size_t> skipped;
    for (const auto& k : r.report.skipped) skipped.insert(k.line);
    std::set<std::size_t> expected = g.bad;
    expected.insert(g.bad_reference.begin(), g.bad_reference.end());
    CHECK(skipped == expected);
    CHECK(r.report.version == 1);

    // Strict: the first bad line, or when only references are wrong, the first of those.
    std::optional<std::size_t> first;
    if (!g.bad.empty()) {
      first = *g.bad.begin();
    } else if (!g.bad_reference.empty()) {
      first = *g.bad_reference.begin();
    }
    REQUIRE(first.has_value());
    CHECK(strict.rfind("error line " + std::to_string(*first) + " ", 0) == 0);
  }
}

TEST_CASE("parallel read: a valid journal gives the records of one thread in the same order",
          "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  std::string text;
  // Ties in (participant, time) keep the file's order: many records at one instant.
  for (int i = 0; i < 3000; ++i) {
    text += "{\"type\":\"reading\",\"participant\":\"p" + std::to_string(i % 3) +
            "\",\"time\":\"2026-03-02T10:00:00Z\",\"intensity\":" + std::to_string(i % 11) + ",\"note\":\"n" +
            std::to_string(i) + "\"}\n";
  }
  const auto [lenient, strict] = same_for_every_thread_count(text, dir.path() / "ties.jsonl");
  CHECK(lenient == strict);
  const auto r = calmkit::parse_journal_with_report(text, {.threads = 5, .chunk_bytes = 1024});
  REQUIRE(r.journal.readings().size() == 3000);
  // Participant p0's readings are lines 1, 4, 7, ... in that order.
  for (int k = 0; k < 1000; ++k)
    CHECK(r.journal.readings()[static_cast<std::size_t>(k)].note == "n" + std::to_string(3 * k));
}

TEST_CASE(
    "parallel read: a key given twice after a field that breaks a rule is the line's problem, any "
    "thread count",
    "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const std::string when = R"("time":"2026-03-02T10:00:00Z")";
  // Each line: a field that breaks its rule, then a key given twice (the field the report names).
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"type":"reading","participant":"p",)" + when + R"(,"intensity":99,)" + when + "}", "time"},
      {R"({"type":"reading","participant":"p",)" + when + R"(,"intensity":99,"intensity":3})", "intensity"},
      {R"({"type":"trigger","participant":"p","id":"tx",)" + when +
           R"(,"category":"delayed_reply","intensity":11,"x":1,"x":2})",
       "x"},
      {R"({"type":"exercise","participant":"p","id":"ex",)" + when +
           R"(,"exercise":"breathing.box","end":"2026-03-02T10:05:00Z","intensity_before":12,"end":"z"})",
       "end"},
      {R"({"type":"thought_record","participant":"p","id":"rx",)" + when +
           R"(,"situation":"s","automatic_thought":"a","belief_before":101,"emotions":[{"name":"w","before":1,"name":"v"}]})",
       "emotions[0].name"},
      {R"({"type":"assessment","participant":"p","id":"ax",)" + when +
           R"(,"instrument":"gad-7","answers":[1,"x"],"note":"n","note":"m"})",
       "note"},
  };
  std::string text;
  std::vector<std::pair<std::size_t, std::string>> expected;
  std::size_t line = 0;
  for (int i = 0; i < 600; ++i) {
    text += R"({"type":"reading","participant":"p",)" + when + R"(,"intensity":)" + std::to_string(i % 11) +
            R"(,"note":"n)" + std::to_string(i) + "\"}\n";
    ++line;
    if (i % 50 == 7) {
      const auto& [bad_line, field] = bad[static_cast<std::size_t>(i / 50) % bad.size()];
      text += bad_line + "\n";
      expected.emplace_back(++line, field);
    }
  }
  same_for_every_thread_count(text, dir.path() / "twice.jsonl");
  const auto r =
      calmkit::parse_journal_with_report(text, {.lenient = true, .threads = 3, .chunk_bytes = 1024});
  std::vector<std::pair<std::size_t, std::string>> skipped;
  for (const auto& k : r.report.skipped) {
    CHECK(k.reason == "duplicate key in one object");
    skipped.emplace_back(k.line, k.field);
  }
  CHECK(skipped == expected);
  try {
    (void)calmkit::parse_journal_with_report(text, {.threads = 2, .chunk_bytes = 1024});
    FAIL("a strict read must refuse the journal");
  } catch (const JournalFormatError& e) {
    CHECK(e.line() == expected.front().first);
    CHECK(e.field() == expected.front().second);
    CHECK(e.reason() == "duplicate key in one object");
  }
}

TEST_CASE("parallel read: hostile layouts", "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const auto file = dir.path() / "h.jsonl";
  const std::string hdr = R"({"type":"header","format":"calmkit-journal","version":1})";
  const std::string rd = R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6})";

  SECTION("empty file, only a byte order mark, only blank lines") {
    for (const std::string& text :
         {std::string(), std::string("\xEF\xBB\xBF"), std::string(5000, '\n'), std::string("\r\n \t\r\n")}) {
      const auto [lenient, strict] = same_for_every_thread_count(text, file);
      CHECK(lenient == strict);
      CHECK(lenient.rfind("--- lines ", 0) == 0);  // no records, no skipped lines
    }
  }
  SECTION("a header after more blank lines than a window is still the first line") {
    const std::string text = std::string(9000, '\n') + hdr + "\n" + rd + "\n";
    const auto [lenient, strict] = same_for_every_thread_count(text, file);
    CHECK(lenient == strict);
    CHECK(lenient.find("--- lines 9002 records 1 version 1\n") != std::string::npos);
  }
  SECTION("a header that is not first, where a share starts") {
    std::string text;
    for (int i = 0; i < 200; ++i) text += rd + "\n";
    text += hdr + "\n";
    for (int i = 0; i < 200; ++i) text += rd + "\n";
    const auto [lenient, strict] = same_for_every_thread_count(text, file);
    CHECK(strict.rfind("error line 201 field type", 0) == 0);
    CHECK(lenient.find("201|type|a header is only allowed as the first line") != std::string::npos);
  }
  SECTION("a header newer than this build stops even a lenient read") {
    const std::string text = std::string("\xEF\xBB\xBF") +
                             R"({"type":"header","format":"calmkit-journal","version":9})" + "\r\n" + rd;
    const auto [lenient, strict] = same_for_every_thread_count(text, file);
    CHECK(lenient == strict);
    CHECK(strict.rfind("error line 1 field version", 0) == 0);
  }
  SECTION("a line longer than max_line_bytes fails at its line in any mode, after earlier bad lines") {
    std::string text;
    for (int i = 0; i < 100; ++i) text += rd + "\n";
    text += "{oops\n";                                // line 101
    for (int i = 0; i < 100; ++i) text += rd + "\n";  // 102..201
    text += R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":")" +
            std::string(3000, 'x') + "\"}\n";  // line 202
    for (int i = 0; i < 100; ++i) text += rd + "\n";
    const auto [lenient, strict] = same_for_every_thread_count(text, file, 2048);
    CHECK(strict.rfind("error line 101 ", 0) == 0);
    CHECK(lenient.rfind("error line 202 field : ", 0) == 0);
    CHECK(lenient.find("longer than 2048 bytes") != std::string::npos);
  }
  SECTION("max_line_bytes counts a line's content, without its \\n or \\r\\n") {
    // A record of exactly 2048 bytes (longer than the small windows), after
    // 50 short lines, then 50 more: read at a limit of 2048, refused at 2047,
    // whether its line ends in \n, \r\n or is the last one without either.
    std::string big = R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":")";
    big += std::string(2048 - big.size() - 2, 'x') + "\"}";
    REQUIRE(big.size() == 2048);
    for (const std::string eol : {"\n", "\r\n"}) {
      for (const bool last : {false, true}) {
        INFO("line end " << (eol == "\n" ? "LF" : "CRLF") << ", last line " << last);
        std::string text;
        for (int i = 0; i < 50; ++i) text += rd + eol;
        text += big;
        if (!last) {
          text += eol;
          for (int i = 0; i < 50; ++i) text += rd + eol;
        }
        const auto [lenient, strict] = same_for_every_thread_count(text, file, 2048);
        CHECK(strict.rfind("error", 0) != 0);
        CHECK(lenient == strict);
        const auto refused = same_for_every_thread_count(text, file, 2047);
        CHECK(refused.second.rfind("error line 51 field : ", 0) == 0);
        CHECK(refused.second.find("longer than 2047 bytes") != std::string::npos);
      }
    }
  }
  SECTION("a duplicate id in another share names the first line") {
    std::string text;
    text +=
        R"({"type":"trigger","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"conflict","intensity":8})"
        "\n";
    for (int i = 0; i < 300; ++i) text += rd + "\n";
    text +=
        R"({"type":"trigger","id":"t1","time":"2026-03-03T21:14:00+01:00","category":"conflict","intensity":8})";
    const auto [lenient, strict] = same_for_every_thread_count(text, file);
    CHECK(strict.rfind("error line 302 field id", 0) == 0);
    CHECK(strict.find("first used on line 1)") != std::string::npos);
    CHECK(lenient.find("302|id|duplicate trigger id 't1' (first used on line 1)") != std::string::npos);
  }
}

TEST_CASE("parallel read: dangling trigger references in a journal large enough to check in ranges",
          "[jsonl][parallel]") {
  // 150,000 readings (the reference check splits at 65,536 records a range),
  // every 9,973rd naming a trigger that is not there; every 7th names t1.
  std::string text =
      R"({"type":"trigger","participant":"p","id":"t1","time":"2026-03-02T21:14:00+01:00","category":"conflict","intensity":8})"
      "\n";
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < 150000; ++i) {
    const std::size_t line = i + 2;
    std::string link;
    if (i % 9973 == 5) {
      link = R"(,"trigger":"gone)" + std::to_string(i) + "\"";
      expected.push_back(line);
    } else if (i % 7 == 0) {
      link = R"(,"trigger":"t1")";
    }
    text += R"({"type":"reading","participant":"p","time":"2026-03-0)" + std::to_string(3 + i % 5) +
            "T10:00:00Z\",\"intensity\":" + std::to_string(i % 11) + link + "}\n";
  }
  const auto one = calmkit::parse_journal_with_report(text, {.lenient = true, .threads = 1});
  std::vector<std::size_t> skipped;
  for (const auto& k : one.report.skipped) skipped.push_back(k.line);
  CHECK(skipped == expected);
  CHECK(one.journal.readings().size() == 150000 - expected.size());
  const std::string reference = outcome(one);
  for (const unsigned threads : {2u, 3u, 4u}) {
    INFO("threads " << threads);
    CHECK(outcome(calmkit::parse_journal_with_report(text, {.lenient = true, .threads = threads})) ==
          reference);
    try {
      (void)calmkit::parse_journal_with_report(text, {.threads = threads});
      FAIL("no error");
    } catch (const JournalFormatError& e) {
      CHECK(e.line() == expected.front());
      CHECK(e.field() == "trigger");
    }
  }
}

TEST_CASE("parallel read: a long share read as one document stream gives each line's own result",
          "[jsonl][parallel]") {
  // The line parser runs stage 1 once per piece of a share (about 256 KiB)
  // and takes the lines from a document stream while its documents are the
  // lines one to one; anything else is parsed line by line. The reference is
  // each line parsed on its own (one line, one document): a lenient read of
  // the whole text must skip the same lines with the same reasons and keep
  // the same number of records, whatever the hostile lines do to a stream
  // (objects that run on into the next line, two objects on a line, a string
  // left open, bytes that are not UTF-8, escaped keys ...).
  const std::string rd = R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":"n"})";
  const std::vector<std::string> hostile{
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00",)",  // runs on into the next line
      R"("intensity":6})",
      rd + " x",
      rd + "}",
      rd + " {",
      rd + R"( {"a":1})",
      rd + rd,
      rd + R"( ")",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":"open)",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":")" + std::string("\xff") +
          "\"}",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":")" + std::string("\x01") +
          "\"}",
      R"({"typ\u0065":"reading","t\u0069me":"2026-03-02T21:20:00+01:00","intensity":6})",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"zz":[1,,2]})",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"intensity":6})",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6)",
      "{}",
      "[1]",
      "123",
      "\"str\"",
      "null",
      "   \t ",
      "\r" + rd + " \t\r",
      R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6,"note":"a\"b\\"})",
      R"({"type":"reading", "time" : "2026-03-02T21:20:00+01:00" , "intensity" : 6 })",
  };
  std::mt19937 rng(20261130);
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  while (bytes < (std::size_t{700} << 10)) {  // three pieces
    const bool bad = rng() % 97 == 0;
    lines.push_back(bad ? hostile[rng() % hostile.size()] : rd);
    bytes += lines.back().size() + 1;
  }
  for (std::size_t i = 0; i < hostile.size(); ++i)
    lines.insert(lines.end() - 40, hostile[i]);  // near the end
  lines.push_back(hostile[8]);                   // a string left open on the last line, no line break
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) text += lines[i] + (i + 1 < lines.size() ? "\n" : "");

  // The reference: each line alone.
  std::string expected;
  std::size_t records = 0, line_no = 0;
  for (const auto& whole : lines) {
    // A line given here may hold a line break of its own (none of the above do).
    ++line_no;
    const auto one = calmkit::parse_journal_with_report(whole, ReadOptions{.lenient = true}, "one");
    records += one.report.records;
    for (const auto& s : one.report.skipped) {
      expected += std::to_string(line_no) + "|" + s.field + "|" + s.reason + "\n";
    }
  }
  REQUIRE(!expected.empty());
  for (const unsigned threads : {1u, 2u, 3u}) {
    for (const std::size_t chunk : {std::size_t{8} << 20, std::size_t{300} << 10, std::size_t{5000}}) {
      ReadOptions o{.lenient = true};
      o.threads = threads;
      o.chunk_bytes = chunk;
      const auto all = calmkit::parse_journal_with_report(text, o, "all");
      std::string got;
      for (const auto& s : all.report.skipped)
        got += std::to_string(s.line) + "|" + s.field + "|" + s.reason + "\n";
      INFO("threads " << threads << ", chunk " << chunk);
      CHECK(got == expected);
      CHECK(all.report.records == records);
      CHECK(all.report.lines == lines.size());
    }
  }
}

TEST_CASE("parallel read: a pipe read share by share gives what the file gives, for any thread count",
          "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const auto file = dir.path() / "j.jsonl";
  const auto fifo = dir.path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);
  for (const std::uint32_t seed : {3u, 7u}) {
    const Generated g = generate(seed, 700, seed == 3, true, true, seed == 7 ? 3000 : 0);
    const auto [lenient, strict] = same_for_every_thread_count(g.text, file);
    for (const bool is_lenient : {true, false}) {
      for (const unsigned threads : {1u, 2u, 5u, 8u}) {
        INFO("seed " << seed << ", lenient " << is_lenient << ", threads " << threads);
        const ReadOptions o{.lenient = is_lenient, .threads = threads, .chunk_bytes = 1024};
        // The same text but the name in each message.
        std::string expected = is_lenient ? lenient : strict;
        for (std::size_t at = 0; (at = expected.find(file.string(), at)) != std::string::npos;) {
          expected.replace(at, file.string().size(), fifo.string());
          at += fifo.string().size();
        }
        CHECK(attempt_fifo(fifo, g.text, o) == expected);
      }
    }
  }
  std::signal(SIGPIPE, old_handler);
}

TEST_CASE("parallel read: a FIFO whose writer opens after the read began is waited for, as cat waits",
          "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const auto fifo = dir.path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += R"({"type":"trigger","participant":"p","id":"t)" + std::to_string(i) +
            R"(","time":"2026-03-02T10:00:00Z","category":"other","intensity":5})" + "\n";
  }
  for (const unsigned threads : {1u, 2u, 8u}) {
    for (const bool writes : {true, false}) {
      INFO("threads " << threads << ", writes " << writes);
      // A producer started second: it opens the FIFO once the read waits on
      // it, writes (or not) and closes: its close is the end of the journal.
      std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const int fd = ::open(fifo.c_str(), O_WRONLY);
        for (std::size_t at = 0; writes && fd >= 0 && at < text.size();) {
          const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
          if (n <= 0) break;
          at += static_cast<std::size_t>(n);
        }
        if (fd >= 0) ::close(fd);
      });
      std::size_t records = 0;
      try {
        records = calmkit::read_journal_with_report(fifo, ReadOptions{.threads = threads}).report.records;
      } catch (...) {
        const int unblock = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // frees a writer still opening
        writer.join();
        ::close(unblock);
        throw;
      }
      writer.join();
      CHECK(records == (writes ? 50u : 0u));
    }
  }
  std::signal(SIGPIPE, old_handler);
}

TEST_CASE(
    "parallel read: over max_bytes, a bad line before the limit is still the error, for any thread count",
    "[jsonl][parallel]") {
  const fixtures::TempDir dir("parallel");
  const auto file = dir.path() / "j.jsonl";
  const auto fifo = dir.path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);
  const std::string rd = R"({"type":"reading","time":"2026-03-02T21:20:00+01:00","intensity":6})";
  std::string good, bad;
  for (int i = 0; i < 400; ++i) good += rd + "\n";  // about 28 KB
  bad = rd + "\n" + rd + "\n{oops\n" + good;        // line 3 is bad
  for (const unsigned threads : {1u, 2u, 3u, 8u}) {
    INFO("threads " << threads);
    const ReadOptions o{.max_bytes = 8000, .threads = threads, .chunk_bytes = 1024};
    // A growing file is a FIFO here: its size says nothing before the read.
    const std::string e = attempt_fifo(fifo, bad, o);
    CHECK(e.rfind("error line 3 ", 0) == 0);
    try {
      (void)attempt_fifo(fifo, good, o);
      FAIL("no error");
    } catch (const calmkit::FileError& err) {
      CHECK_THAT(err.what(), Catch::Matchers::Contains("more than the limit of 8000 bytes"));
    }
    write(file, bad);
    CHECK_THROWS_AS(calmkit::read_journal_with_report(file, o), calmkit::FileError);  // refused by its size
  }
  std::signal(SIGPIPE, old_handler);
}

TEST_CASE(
    "parallel read: a journal past the reader's sample, denser after it, as a file, a pipe and a text, any "
    "thread count",
    "[jsonl][parallel][large]") {
  // The reader sizes the journal's columns from the share(s) of its first
  // 8 MiB and the file's size; what comes after is denser in every kind of
  // column (long notes, lists, more thought records), so each column outgrows
  // that guess and moves once more while the shares are appended (the notes
  // to more than 4 MiB: memory the reader asks huge pages for). Shuffled
  // participants and times, with ties (the same instant, no id) that keep
  // the file's order: the expected order comes from a stable sort of the
  // generator's own rows, not from another read.
  const fixtures::TempDir dir("parallel");
  std::mt19937 rng(2026);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  struct Row {
    int participant;
    int minute;
    std::size_t line;
    std::string note;
  };
  std::vector<Row> readings;
  std::vector<int> trigger_count(40, 0);
  std::size_t thoughts = 0;
  std::size_t lines = 0;
  std::string text;
  while (text.size() < (std::size_t{16} << 20)) {
    const bool dense = text.size() > (std::size_t{9} << 20);
    const int p = pick(40);
    const std::string part = "\"participant\":\"p" + std::to_string(p) + "\"";
    const int minute = pick(4) == 0 ? 600 : pick(60 * 24 * 27);  // a quarter at one instant
    const std::string when = "\"time\":\"" + time_at(minute) + "\"";
    const int kind = pick(10);
    ++lines;
    if (kind < 2) {
      const int id = trigger_count[static_cast<std::size_t>(p)]++;
      text += "{\"type\":\"trigger\"," + part + ",\"id\":\"t" + std::to_string(id) + "\"," + when +
              ",\"category\":\"delayed_reply\",\"intensity\":" + std::to_string(1 + pick(10));
      if (dense) {
        text += ",\"context\":\"" + std::string(200, 'c') +
                "\",\"thoughts\":[\"a\",\"b\",\"c\"],\"tags\":[\"x" + std::to_string(pick(9)) + "\",\"y\"]";
      }
      text += "}\n";
    } else if (kind < 8 || !dense) {
      std::string note = "n" + std::to_string(lines);
      if (dense) note += std::string(static_cast<std::size_t>(pick(1200)), 'n');
      std::string link;
      const int mine = trigger_count[static_cast<std::size_t>(p)];
      if (mine > 0 && pick(2) == 0) link = ",\"trigger\":\"t" + std::to_string(pick(mine)) + "\"";
      text += "{\"type\":\"reading\"," + part + "," + when + ",\"intensity\":" + std::to_string(pick(11)) +
              link + ",\"note\":\"" + note + "\"}\n";
      readings.push_back(Row{p, minute, lines, note});
    } else {
      text += "{\"type\":\"thought_record\"," + part + ",\"id\":\"r" + std::to_string(lines) + "\"," + when +
              ",\"situation\":\"" + std::string(100, 's') +
              "\",\"automatic_thought\":\"a\",\"belief_before\":70,\"emotions\":[{\"name\":\"worry\","
              "\"before\":60},"
              "{\"name\":\"shame\",\"before\":30,\"after\":10}],\"distortions\":[\"mind_reading\","
              "\"catastrophizing\"]}\n";
      ++thoughts;
    }
  }
  // The expected order of the readings: participant names ("p10" < "p2"), then time, then the file's order.
  std::stable_sort(readings.begin(), readings.end(), [](const Row& a, const Row& b) {
    const std::string pa = "p" + std::to_string(a.participant), pb = "p" + std::to_string(b.participant);
    if (pa != pb) return pa < pb;
    return a.minute < b.minute;
  });
  const auto file = dir.path() / "large.jsonl";
  write(file, text);
  const ReadOptions base{.threads = 1};
  const auto one = calmkit::read_journal_with_report(file, base);
  REQUIRE(one.journal.readings().size() == readings.size());
  CHECK(one.journal.thought_records().size() == thoughts);
  CHECK(one.report.lines == lines);
  for (std::size_t i = 0; i < readings.size(); ++i) {
    INFO("reading " << i);
    REQUIRE(one.journal.readings()[i].note == readings[i].note);
  }
  const std::string expected = outcome(one);
  for (const unsigned threads : {2u, 3u}) {
    for (const std::size_t chunk : {std::size_t{64} << 10, std::size_t{1} << 20}) {
      INFO("threads " << threads << ", chunk_bytes " << chunk);
      const ReadOptions o{.threads = threads, .chunk_bytes = chunk};
      CHECK(outcome(calmkit::read_journal_with_report(file, o)) == expected);
      CHECK(outcome(calmkit::parse_journal_with_report(text, o, file.string())) == expected);
    }
  }
  // A pipe has no size: the columns grow as the shares come, without the guess.
  const auto fifo = dir.path() / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);
  std::string through_pipe = attempt_fifo(fifo, text, {.threads = 2});
  std::signal(SIGPIPE, old_handler);
  for (std::size_t at = 0; (at = through_pipe.find(fifo.string(), at)) != std::string::npos;) {
    through_pipe.replace(at, fifo.string().size(), file.string());
    at += file.string().size();
  }
  CHECK(through_pipe == expected);
}

TEST_CASE(
    "parallel read: a journal written one record type after another, past the reader's sample, strict and "
    "lenient, any thread count",
    "[jsonl][parallel][large]") {
  // The first 8 MiB hold only triggers, so the columns sized from them say
  // nothing of the readings, exercise sessions and thought records that
  // follow: each of those types is sized from its own first share once it
  // comes. Its readings name triggers (some of the last ones, a share or
  // more back, and in the lenient file one that never comes); the lenient
  // file also repeats ids within and across shares.
  const fixtures::TempDir dir("parallel");
  auto journal = [](bool broken) {
    std::string text;
    std::size_t n = 0;
    for (; text.size() < (std::size_t{9} << 20); ++n) {
      text += "{\"type\":\"trigger\",\"participant\":\"p" + std::to_string(n % 50) + "\",\"id\":\"t" +
              std::to_string(n) + "\",\"time\":\"" + time_at(static_cast<int>(n % 30000)) +
              "\",\"category\":\"delayed_reply\",\"intensity\":5,\"context\":\"" + std::string(80, 'c') +
              "\"}\n";
    }
    const std::size_t triggers = n;
    auto trigger_of = [triggers](std::size_t i) {
      return i % 7 == 0 ? triggers - 1 - (i % 50) : (i * 7919) % triggers;
    };
    for (std::size_t i = 0; i < 30000; ++i) {
      std::size_t same = i;                             // the reading whose participant and id this one has
      if (broken && i % 5000 == 2500) same = i - 2400;  // a share or so back
      if (broken && i == 29999) same = 3;
      const std::size_t t = trigger_of(same);
      std::string trigger = "t" + std::to_string(t);
      if (broken && i % 9000 == 4500) trigger = "t-never";
      const std::string id = "r" + std::to_string(same);
      text += "{\"type\":\"reading\",\"participant\":\"p" + std::to_string(t % 50) + "\",\"id\":\"" + id +
              "\",\"time\":\"" + time_at(static_cast<int>(i % 40000)) +
              "\",\"intensity\":" + std::to_string(i % 11) + ",\"trigger\":\"" + trigger + "\",\"note\":\"" +
              std::string(i % 300, 'n') + "\"}\n";
    }
    for (std::size_t i = 0; i < 8000; ++i) {
      text += "{\"type\":\"exercise\",\"participant\":\"p" + std::to_string(i % 50) + "\",\"id\":\"e" +
              std::to_string(broken && i == 7000 ? 50 : i) + "\",\"time\":\"" +
              time_at(static_cast<int>(i % 20000)) + "\",\"exercise\":\"breathing.box\",\"end\":\"" +
              time_at(static_cast<int>(i % 20000) + 5) + "\"}\n";
    }
    for (std::size_t i = 0; i < 5000; ++i) {
      text += "{\"type\":\"thought_record\",\"participant\":\"p" + std::to_string(i % 50) + "\",\"id\":\"h" +
              std::to_string(i) + "\",\"time\":\"" + time_at(static_cast<int>(i % 20000)) +
              "\",\"situation\":\"" + std::string(i % 200, 's') +
              "\",\"automatic_thought\":\"a\",\"belief_before\":70,\"emotions\":[{\"name\":\"worry\","
              "\"before\":60}],\"distortions\":[\"mind_reading\"]}\n";
    }
    return text;
  };
  for (const bool broken : {false, true}) {
    INFO((broken ? "lenient, with duplicate ids and a missing trigger" : "strict"));
    const std::string text = journal(broken);
    const auto file = dir.path() / (broken ? "broken.jsonl" : "typed.jsonl");
    write(file, text);
    const ReadOptions one{.lenient = broken, .threads = 1};
    const auto first = calmkit::read_journal_with_report(file, one);
    CHECK(first.journal.readings().size() == (broken ? 30000u - 7u - 2u : 30000u));
    CHECK(first.journal.exercises().size() == (broken ? 7999u : 8000u));
    CHECK(first.journal.thought_records().size() == 5000u);
    CHECK(first.report.skipped.size() == (broken ? 10u : 0u));
    const std::string expected = outcome(first);
    if (broken) {
      CHECK(attempt([&] {
              return calmkit::read_journal_with_report(file, {.threads = 2});
            }).rfind("error line ", 0) == 0);
    }
    for (const unsigned threads : {2u, 3u}) {
      for (const std::size_t chunk : {std::size_t{64} << 10, std::size_t{1} << 20}) {
        INFO("threads " << threads << ", chunk_bytes " << chunk);
        const ReadOptions o{.lenient = broken, .threads = threads, .chunk_bytes = chunk};
        CHECK(outcome(calmkit::read_journal_with_report(file, o)) == expected);
        CHECK(outcome(calmkit::parse_journal_with_report(text, o, file.string())) == expected);
      }
    }
  }
}

TEST_CASE("parallel read: a strict read that fails early ends its threads before the file source goes",
          "[jsonl][parallel]") {
  // The first line is bad: the strict read throws while the other threads
  // still read and parse later shares from the file source, which the read
  // destroys on the way out. The threads must be ended before that (a use
  // after free the sanitizer build sees; a crash now and then without it).
  const fixtures::TempDir dir("parallel");
  const auto file = dir.path() / "j.jsonl";
  std::string text = "{\"type\":\"reading\"\n";
  const std::string good =
      R"({"type":"reading","participant":"p","time":"2026-03-02T10:00:00Z","intensity":3})";
  while (text.size() < (std::size_t{2} << 20)) text += good + "\n";
  write(file, text);
  for (const unsigned threads : {2u, 3u, 4u}) {
    for (const std::size_t chunk : {std::size_t{1} << 16, std::size_t{1} << 18}) {
      INFO("threads " << threads << ", chunk_bytes " << chunk);
      for (int round = 0; round < 20; ++round) {
        try {
          (void)calmkit::read_journal_with_report(file, {.threads = threads, .chunk_bytes = chunk});
          FAIL("no error");
        } catch (const JournalFormatError& e) {
          CHECK(e.line() == 1);
        }
      }
    }
  }
}
