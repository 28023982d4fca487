// A path with a NUL byte through the C++ API. No file name can hold one
// (POSIX), and Python refuses such a path before calmkit sees it ("argument
// 'path': embedded null byte", as os.open does). std::filesystem::path keeps
// the NUL, but the C library stops at it: here the store, the writer and the
// reader silently use the file named by the bytes before the NUL instead.
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/store.hpp>

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

using fixtures::TempDir;

namespace {

/// `dir/<head>` followed by a NUL byte and `tail`.
std::filesystem::path with_nul(const TempDir& dir, const char* head, const char* tail) {
  return std::filesystem::path((dir / head).string() + std::string(1, '\0') + tail);
}

template <typename Fn>
bool refused(Fn&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument&) {
    return true;
  } catch (const std::runtime_error&) {
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("B102: Store::open refuses a path with a NUL byte instead of opening the name before it",
          "[breaker]") {
  TempDir dir("s35b");
  CHECK(refused([&] { auto store = calmkit::Store::open(with_nul(dir, "a", "b.db")); }));
  CHECK_FALSE(std::filesystem::exists(dir / "a"));
}

TEST_CASE("B102: write_journal refuses a path with a NUL byte instead of writing the name before it",
          "[breaker]") {
  TempDir dir("s35b");
  const calmkit::Journal journal;
  CHECK(refused([&] { calmkit::write_journal(journal, with_nul(dir, "c", "d.jsonl")); }));
  CHECK_FALSE(std::filesystem::exists(dir / "c"));
}

TEST_CASE("B102: read_journal refuses a path with a NUL byte instead of reading the name before it",
          "[breaker]") {
  TempDir dir("s35b");
  std::ofstream(dir / "e")
      << "{\"type\":\"reading\",\"time\":\"2026-03-02T21:40:00+01:00\",\"intensity\":5}\n";
  CHECK(refused([&] { (void)calmkit::read_journal(with_nul(dir, "e", "f.jsonl")); }));
}
