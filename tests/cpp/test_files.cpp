// The one safe write path (files.hpp) and the locked journal update (io.hpp),
// from C++: refusals, links, modes, staged folders, locks and the streaming
// reader's limits. Everything is made in a fresh temporary folder.
#include "temp_dir.hpp"

#include <calmkit/files.hpp>
#include <calmkit/io.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

using fixtures::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

calmkit::Reading reading(const std::string& id, int intensity = 3) {
  return calmkit::Reading{.id = id,
                          .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
                          .intensity = calmkit::Intensity(intensity)};
}

}  // namespace

TEST_CASE("write_file refuses what is not a regular file and says what it is", "[files]") {
  TempDir dir("files");
  const auto fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto link = dir / "link";
  fs::create_symlink(fifo, link);
  try {
    calmkit::write_file(fifo, "x");
    FAIL("no error");
  } catch (const calmkit::FileError& e) {
    CHECK(e.error() == EINVAL);
    CHECK(e.path() == fifo.string());
    CHECK_THAT(e.what(), Catch::Matchers::Contains("a FIFO (named pipe), not a regular file"));
  }
  CHECK_THROWS_WITH(calmkit::write_file(link, "x"),
                    Catch::Matchers::Contains("it leads to '" + fifo.string()));
  CHECK_THROWS_WITH(calmkit::write_file(dir.path(), "x"), Catch::Matchers::Contains("a directory"));
  CHECK(fs::is_fifo(fifo));
  CHECK(fs::is_symlink(link));
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 2);  // no leftovers
}

TEST_CASE("write_file follows links, keeps modes, creates 0600", "[files]") {
  TempDir dir("files");
  const auto target = dir / "real.txt";
  const auto link = dir / "link.txt";
  fs::create_symlink("real.txt", link);  // relative: read from the link's folder
  const auto old_mask = ::umask(0);
  calmkit::write_file(link, "one");
  ::umask(old_mask);
  CHECK(fs::is_symlink(link));
  CHECK(slurp(target) == "one");
  CHECK(mode_of(target) == 0600);
  REQUIRE(::chmod(target.c_str(), 0640) == 0);
  calmkit::write_file(link, "two");
  CHECK(slurp(target) == "two");
  CHECK(mode_of(target) == 0640);
  CHECK_THROWS_AS(calmkit::write_file(target, "three", {.replace = false}), calmkit::FileError);
  CHECK(slurp(target) == "two");
}

TEST_CASE("a producer that throws replaces nothing", "[files]") {
  TempDir dir("files");
  const auto target = dir / "a.txt";
  calmkit::write_file(target, "old");
  CHECK_THROWS_AS(calmkit::write_file(target,
                                      [](const calmkit::ByteSink& out) {
                                        out("new", 3);
                                        throw std::invalid_argument("stop");
                                      }),
                  std::invalid_argument);
  CHECK(slurp(target) == "old");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);
}

TEST_CASE("write_file_by_name: a library writes the temporary file by its path", "[files]") {
  TempDir dir;
  const auto target = dir / "copy.bin";
  const auto link = dir / "link.bin";
  fs::create_symlink("copy.bin", link);  // not made yet: followed, the link stays
  fs::path seen;
  calmkit::write_file_by_name(link, [&](const fs::path& tmp) {
    seen = tmp;
    CHECK(tmp.parent_path() == dir.path());  // in the target's folder, so the rename is atomic
    CHECK(fs::is_regular_file(tmp));
    CHECK(fs::file_size(tmp) == 0);
    CHECK(mode_of(tmp) == 0600);
    std::ofstream(tmp, std::ios::binary) << "by name";
  });
  CHECK(fs::is_symlink(link));
  CHECK(slurp(target) == "by name");
  CHECK(mode_of(target) == 0600);
  CHECK_FALSE(fs::exists(seen));
  REQUIRE(::chmod(target.c_str(), 0640) == 0);
  calmkit::write_file_by_name(target, [](const fs::path& tmp) {
    CHECK(mode_of(tmp) == 0640);  // the target's mode, before any byte is written
    std::ofstream(tmp, std::ios::binary) << "again";
  });
  CHECK(slurp(target) == "again");
  CHECK(mode_of(target) == 0640);

  // A library that fails, or that swaps in a file of its own instead of
  // writing into the one given (whose mode was set), replaces nothing.
  CHECK_THROWS_WITH(calmkit::write_file_by_name(target,
                                                [](const fs::path& tmp) {
                                                  std::ofstream(tmp) << "half";
                                                  throw std::runtime_error("disk gone");
                                                }),
                    "disk gone");
  const auto other = dir / "other";
  try {
    calmkit::write_file_by_name(target, [&](const fs::path& tmp) {
      std::ofstream(other) << "not the file given";
      fs::rename(other, tmp);
    });
    FAIL("no error");
  } catch (const calmkit::FileError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("replaced while it was being written"));
  }
  CHECK(slurp(target) == "again");
  CHECK_THROWS_AS(calmkit::write_file_by_name(dir.path(), [](const fs::path&) { FAIL("called"); }),
                  calmkit::FileError);
  CHECK_THROWS_AS(
      calmkit::write_file_by_name(target, [](const fs::path&) { FAIL("called"); }, {.replace = false}),
      calmkit::FileError);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) ==
        2);  // copy.bin, link.bin
}

TEST_CASE("StagedDirectory swaps a whole folder or leaves it alone", "[files]") {
  TempDir dir("files");
  const auto out = dir / "out";
  {
    calmkit::StagedDirectory stage(out);
    calmkit::write_file(stage.path() / "a.csv", "1");
    calmkit::write_file(stage.path() / "b.csv", "1");
    stage.commit();
  }
  CHECK(mode_of(out) == 0700);
  REQUIRE(::chmod(out.c_str(), 0750) == 0);
  {
    calmkit::StagedDirectory stage(out);
    calmkit::write_file(stage.path() / "a.csv", "2");
    // no commit: the staging folder goes, the old set stays
  }
  CHECK(slurp(out / "a.csv") == "1");
  {
    calmkit::StagedDirectory stage(out);
    calmkit::write_file(stage.path() / "a.csv", "3");
    stage.commit();
  }
  CHECK(slurp(out / "a.csv") == "3");
  CHECK_FALSE(fs::exists(out / "b.csv"));
  CHECK(mode_of(out) == 0750);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);
  calmkit::write_file(dir / "file", "x");
  // It says what is there: a regular file (it once said "it is not a regular file, not a folder").
  CHECK_THROWS_WITH(calmkit::StagedDirectory(dir / "file"),
                    Catch::Matchers::EndsWith("it is a regular file, not a folder"));
}

TEST_CASE("StagedDirectory::write: nested files, synced once at the commit", "[files]") {
  TempDir dir;
  const auto out = dir / "dataset";
  {
    calmkit::StagedDirectory stage(out);
    stage.write("triggers/participant=a/part-0.parquet", "A");
    stage.write("triggers/participant=b/part-0.parquet", "B");
    stage.write("readings/_common_metadata", "");
    // Paths must stay inside the staging folder, and a file is written once.
    CHECK_THROWS_AS(stage.write("../escape", "x"), calmkit::FileError);
    CHECK_THROWS_AS(stage.write("/abs", "x"), calmkit::FileError);
    CHECK_THROWS_AS(stage.write("triggers/participant=a/part-0.parquet", "again"), calmkit::FileError);
    CHECK_FALSE(fs::exists(out));  // nothing visible before the commit
    stage.commit();
  }
  CHECK(slurp(out / "triggers/participant=a/part-0.parquet") == "A");
  CHECK(slurp(out / "triggers/participant=b/part-0.parquet") == "B");
  CHECK(slurp(out / "readings/_common_metadata").empty());
  CHECK(mode_of(out / "triggers/participant=a/part-0.parquet") == 0600);
  CHECK(mode_of(out / "triggers/participant=a") == 0700);
  CHECK_FALSE(fs::exists(dir / "escape"));
  {
    calmkit::StagedDirectory stage(out);
    stage.write("x", "new");
    // no commit: the old set stays
  }
  CHECK(slurp(out / "triggers/participant=b/part-0.parquet") == "B");
  CHECK_FALSE(fs::exists(out / "x"));
}

TEST_CASE("update_journal: threads adding at once lose nothing", "[files][io]") {
  TempDir dir("files");
  const auto path = dir / "j.jsonl";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&path, t] {
      for (int k = 0; k < 20; ++k) {
        calmkit::append_record(path, reading("r" + std::to_string(t) + "-" + std::to_string(k), k % 11));
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto j = calmkit::read_journal(path);
  CHECK(j.readings().size() == 80);
  CHECK(mode_of(path) == 0600);
  CHECK(fs::is_regular_file(dir / "j.jsonl.lock"));
  // A broken change leaves the file alone.
  const auto before = slurp(path);
  CHECK_THROWS_AS(calmkit::append_record(path, reading("r0-0")), std::invalid_argument);
  CHECK(slurp(path) == before);
}

TEST_CASE("a nested append on the journal a change holds refuses at once, and another thread waits",
          "[files][io]") {
  TempDir dir("files");
  const auto path = dir / "j.jsonl";
  calmkit::append_record(path, reading("r1"));
  std::optional<calmkit::FileError> nested;
  calmkit::update_journal(path, [&](calmkit::Journal& j) {
    try {
      calmkit::append_record(path, reading("r2"));
    } catch (const calmkit::FileError& e) {
      nested = e;
    }
    j.add(reading("r3"));
  });
  REQUIRE(nested);
  CHECK(nested->error() == EDEADLK);
  CHECK_THAT(std::string(nested->what()), Catch::Contains(path.string()) && Catch::Contains("re-entrant"));
  const auto j = calmkit::read_journal(path);
  REQUIRE(j.readings().size() == 2);
  CHECK(j.reading(1).id == "r3");
  // The lock is free again, and another thread holding it makes this one wait, not fail.
  std::optional<calmkit::FileLock> held;
  held.emplace(path);
  std::thread other([&path] { calmkit::append_record(path, reading("r4")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(calmkit::read_journal(path).readings().size() == 2);
  held.reset();
  other.join();
  CHECK(calmkit::read_journal(path).readings().size() == 3);
}

TEST_CASE("read_journal streams and bounds what it reads", "[files][io]") {
  TempDir dir("files");
  const auto zeros = dir / "zeros";
  {
    std::ofstream out(zeros, std::ios::binary);
    out << std::string(std::size_t{3} << 20, '\0');
  }
  calmkit::ReadOptions small;
  small.max_line_bytes = std::size_t{1} << 20;
  try {
    (void)calmkit::read_journal_with_report(zeros, small);
    FAIL("no error");
  } catch (const calmkit::JournalFormatError& e) {
    CHECK(e.line() == 1);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("longer than 1048576 bytes"));
  }
  small.max_bytes = 1000;
  CHECK_THROWS_WITH(calmkit::read_journal_with_report(zeros, small),
                    Catch::Matchers::Contains("more than the limit of 1000"));
}

namespace {

// A journal another app keeps, written by hand: a byte-order mark, CRLF line
// ends, fields calmkit does not know (in the header, at the top level and
// nested), lines out of calmkit's order, offsets calmkit would not write
// (+05:30, -00:00 and nine digits) and no line break after the last line.
const std::vector<std::string> kept_lines = {
    R"({"type": "header", "format": "calmkit-journal", "version": 1, "generator": "other app", "created": "2026-01-01T00:00:00Z"})",
    R"({"type": "reading", "id": "r1", "time": "2026-03-02T22:40:00+01:00", "intensity": 2})",
    R"({"type": "reading", "time": "2026-03-02T20:40:00.123456789-00:00", "intensity": 3, "trigger": "t1", "hr": 92})",
    R"({"type": "trigger", "id": "t1", "time": "2026-03-02T21:14:00+05:30", "category": "conflict", "intensity": 8, "app": {"mood": [1, 2]}})",
};

std::string kept_text() {
  std::string s = "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < kept_lines.size(); ++i) s += (i > 0 ? "\r\n" : "") + kept_lines[i];
  return s;
}

fs::path write_kept(const TempDir& dir) {
  const auto path = dir / "kept.jsonl";
  std::ofstream(path, std::ios::binary) << kept_text();
  REQUIRE(calmkit::read_journal(path).size() == 3);
  return path;
}

const calmkit::Reading fresh_reading{.id = "r9",
                                     .time = calmkit::Instant::parse("2026-03-03T08:00:00+01:00"),
                                     .intensity = calmkit::Intensity(1)};

}  // namespace

TEST_CASE("append_record keeps every byte of the file and adds one line", "[files][io]") {
  TempDir dir("files");
  const auto path = write_kept(dir);
  calmkit::append_record(path, fresh_reading);
  CHECK(slurp(path) == kept_text() + "\r\n" + calmkit::to_json(fresh_reading) + "\r\n");

  SECTION("a maker sees the records added before it in the same call") {
    std::size_t seen = 0;
    calmkit::append_records(
        path, {[](const calmkit::Journal&) -> calmkit::Record {
                 return calmkit::Trigger{.id = "t2",
                                         .time = calmkit::Instant::parse("2026-03-04T08:00:00+01:00"),
                                         .category = calmkit::TriggerCategory::conflict,
                                         .intensity = calmkit::Intensity(5)};
               },
               [&seen](const calmkit::Journal& j) -> calmkit::Record {
                 seen = j.triggers().size();
                 return calmkit::Reading{.id = "r10",
                                         .time = calmkit::Instant::parse("2026-03-04T08:30:00+01:00"),
                                         .intensity = calmkit::Intensity(4),
                                         .trigger = "t2"};
               }});
    CHECK(seen == 2);
    CHECK(calmkit::read_journal(path).readings().size() == 4);
  }
  SECTION("all or none: a duplicate id in the second record writes neither") {
    const auto before = slurp(path);
    auto other = fresh_reading;
    other.id = "r11";
    CHECK_THROWS_AS(calmkit::append_records(path, std::vector<calmkit::Record>{other, fresh_reading}),
                    std::invalid_argument);
    CHECK(slurp(path) == before);
  }
}

TEST_CASE("append_record on a file with LF ends and no final line break", "[files][io]") {
  TempDir dir("files");
  const auto path = dir / "lf.jsonl";
  std::ofstream(path, std::ios::binary) << kept_lines[0] << '\n' << kept_lines[1];
  calmkit::append_record(path, fresh_reading);
  CHECK(slurp(path) == kept_lines[0] + "\n" + kept_lines[1] + "\n" + calmkit::to_json(fresh_reading) + "\n");
}

TEST_CASE("update_journal keeps the lines of the records it does not change", "[files][io]") {
  TempDir dir("files");
  const auto path = write_kept(dir);
  const std::string bom = "\xEF\xBB\xBF";

  SECTION("only adding: the old bytes, then the new line") {
    calmkit::update_journal(path, [](calmkit::Journal& j) { j.add(fresh_reading); });
    CHECK(slurp(path) == kept_text() + "\r\n" + calmkit::to_json(fresh_reading) + "\r\n");
  }
  SECTION("changing nothing: the file is not written") {
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    calmkit::update_journal(path, [](calmkit::Journal&) {});
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(slurp(path) == kept_text());
    CHECK(after.st_ino == before.st_ino);
  }
  SECTION("removing a record: its line alone goes") {
    calmkit::update_journal(path, [](calmkit::Journal& j) {
      auto records = j.records();
      std::erase_if(records.readings, [](const calmkit::Reading& r) { return r.id == "r1"; });
      j = calmkit::Journal(std::move(records));
    });
    CHECK(slurp(path) == bom + kept_lines[0] + "\r\n" + kept_lines[2] + "\r\n" + kept_lines[3]);
  }
  SECTION("changing a record: calmkit's line in its place, the others kept") {
    calmkit::Reading changed;
    calmkit::update_journal(path, [&changed](calmkit::Journal& j) {
      auto records = j.records();
      for (auto& r : records.readings) {
        if (r.id == "r1") {
          r.intensity = calmkit::Intensity(6);
          changed = r;
        }
      }
      j = calmkit::Journal(std::move(records));
      j.add(fresh_reading);
    });
    CHECK(slurp(path) == bom + kept_lines[0] + "\r\n" + calmkit::to_json(changed) + "\r\n" + kept_lines[2] +
                             "\r\n" + kept_lines[3] + "\r\n" + calmkit::to_json(fresh_reading) + "\r\n");
  }
  SECTION("a change that throws writes nothing") {
    CHECK_THROWS_AS(calmkit::update_journal(path,
                                            [](calmkit::Journal& j) {
                                              j.add(fresh_reading);
                                              throw std::runtime_error("no");
                                            }),
                    std::runtime_error);
    CHECK(slurp(path) == kept_text());
  }
}

TEST_CASE("append_records and update_journal refuse a broken journal, a FIFO, and keep a link",
          "[files][io]") {
  TempDir dir("files");
  const auto broken = dir / "broken.jsonl";
  const std::string text =
      kept_lines[0] + "\n{\"type\": \"reading\", \"time\": \"soon\", \"intensity\": 3}\n";
  std::ofstream(broken, std::ios::binary) << text;
  CHECK_THROWS_AS(calmkit::append_record(broken, fresh_reading), calmkit::JournalFormatError);
  CHECK_THROWS_AS(calmkit::update_journal(broken, [](calmkit::Journal& j) { j.add(fresh_reading); }),
                  calmkit::JournalFormatError);
  CHECK(slurp(broken) == text);

  const auto fifo = dir / "fifo.jsonl";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_AS(calmkit::append_record(fifo, fresh_reading), calmkit::FileError);
  CHECK_THROWS_AS(calmkit::update_journal(fifo, [](calmkit::Journal&) {}), calmkit::FileError);
  CHECK(fs::is_fifo(fifo));

  const auto target = write_kept(dir);
  const auto link = dir / "link.jsonl";
  fs::create_symlink(target, link);
  calmkit::append_record(link, fresh_reading);
  CHECK(fs::is_symlink(link));
  CHECK(slurp(target) == kept_text() + "\r\n" + calmkit::to_json(fresh_reading) + "\r\n");
}

TEST_CASE("threads appending and updating one kept file lose nothing", "[files][io]") {
  TempDir dir("files");
  const auto path = write_kept(dir);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&path, t] {
      for (int k = 0; k < 10; ++k) {
        auto r = reading("n" + std::to_string(t) + "-" + std::to_string(k), k % 11);
        if (t % 2 == 0) {
          calmkit::append_record(path, r);
        } else {
          calmkit::update_journal(path, [&r](calmkit::Journal& j) { j.add(r); });
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto text = slurp(path);
  CHECK(text.starts_with(kept_text() + "\r\n"));
  CHECK(calmkit::read_journal(path).readings().size() == 42);
}

TEST_CASE("update_journal finds each record's line in a file out of calmkit's order", "[files][io]") {
  // Types and participants interleaved, three readings without an id at one
  // time (rows that tie), one instant under two offsets, LF and CRLF mixed,
  // blank lines: the rows' order differs from the lines' at every step.
  const std::vector<std::string> lines = {
      R"({"type":"reading","participant":"b","time":"2026-03-02T21:00:00+01:00","intensity":1,"app":1})",
      R"({"type":"trigger","participant":"b","id":"t1","time":"2026-03-02T20:00:00+01:00","category":"conflict","intensity":8})",
      R"({"type":"reading","participant":"a","id":"x","time":"2026-03-02T10:00:00+00:00","intensity":4})",
      R"({"type":"reading","participant":"b","time":"2026-03-02T21:00:00+01:00","intensity":2,"app":2})",
      "",
      R"({"type":"reading","participant":"a","id":"y","time":"2026-03-02T11:00:00+01:00","intensity":5})",
      R"({"intensity":3,"time":"2026-03-02T21:00:00+01:00","participant":"b","type":"reading","app":3})",
      R"({"type":"trigger","participant":"a","id":"t1","time":"2026-03-01T08:00:00-04:00","category":"conflict","intensity":2})",
      R"({"type":"reading","participant":"b","id":"r2","time":"2026-03-02T19:00:00+01:00","intensity":6,"trigger":"t1"})",
  };
  const std::vector<std::string> ends = {"\n", "\r\n", "\n", "\n", "\r\n", "\n", "\r\n", "\n", ""};
  auto text_of = [&](const std::vector<std::optional<std::string>>& replaced) {
    std::string s;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!replaced[i]) continue;
      s += *replaced[i] + ends[i];
    }
    return s;
  };
  std::vector<std::optional<std::string>> same(lines.begin(), lines.end());
  TempDir dir("files");
  const auto path = dir / "mixed.jsonl";
  std::ofstream(path, std::ios::binary) << text_of(same);
  REQUIRE(calmkit::read_journal(path).size() == 8);

  // Records as values, to pick by field.
  auto change_readings = [&](const std::function<void(std::vector<calmkit::Reading>&)>& f) {
    calmkit::update_journal(path, [&f](calmkit::Journal& j) {
      auto records = j.records();
      f(records.readings);
      j = calmkit::Journal(std::move(records));
    });
  };
  SECTION("the second of three tied readings removed: its line alone goes") {
    change_readings([](std::vector<calmkit::Reading>& rs) {
      std::erase_if(
          rs, [](const calmkit::Reading& r) { return r.participant == "b" && r.intensity.value() == 2; });
    });
    auto want = same;
    want[3].reset();
    CHECK(slurp(path) == text_of(want));
  }
  SECTION("a tied reading changed: no id, so the line of its participant and time, its fields kept") {
    calmkit::Reading changed;
    change_readings([&changed](std::vector<calmkit::Reading>& rs) {
      for (auto& r : rs) {
        if (r.participant == "b" && r.id.empty() && r.intensity.value() == 1) {
          r.intensity = calmkit::Intensity(7);
          changed = r;
        }
      }
    });
    // In its line's place, with the field calmkit does not know ("app") kept.
    const std::string json = calmkit::to_json(changed);
    auto want = same;
    want[0] = json.substr(0, json.size() - 1) + R"(,"app":1})";
    CHECK(slurp(path) == text_of(want));
  }
  SECTION("records with ids changed, one to another time: each in its place") {
    calmkit::Reading y, r2;
    change_readings([&](std::vector<calmkit::Reading>& rs) {
      for (auto& r : rs) {
        if (r.id == "y") {
          r.time = calmkit::Instant::parse("2026-03-09T11:00:00+01:00");
          y = r;
        } else if (r.id == "r2") {
          r.note = "later";
          r2 = r;
        }
      }
    });
    auto want = same;
    want[5] = calmkit::to_json(y);
    want[8] = calmkit::to_json(r2);
    CHECK(slurp(path) == text_of(want));
  }
  SECTION("a participant's records all removed, a new participant added") {
    const calmkit::Reading fresh{.participant = "aa",
                                 .id = "n",
                                 .time = calmkit::Instant::parse("2026-03-03T08:00:00+01:00"),
                                 .intensity = calmkit::Intensity(1)};
    calmkit::update_journal(path, [&fresh](calmkit::Journal& j) {
      auto records = j.records();
      std::erase_if(records.readings, [](const calmkit::Reading& r) { return r.participant == "a"; });
      std::erase_if(records.triggers, [](const calmkit::Trigger& t) { return t.participant == "a"; });
      records.readings.push_back(fresh);
      j = calmkit::Journal(std::move(records));
    });
    auto want = same;
    want[2].reset();
    want[5].reset();
    want[7].reset();
    CHECK(slurp(path) == text_of(want) + "\n" + calmkit::to_json(fresh) + "\n");
  }
}
