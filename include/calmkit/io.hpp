/// @file io.hpp
/// @brief Reading and writing the journal format v1 (JSON Lines).
///
/// The format is specified in `docs/journal-format.md` and its JSON Schema in
/// `docs/journal-format-v1.schema.json`. The reader enforces every rule there;
/// by default (strict mode) the first problem throws `JournalFormatError` and
/// nothing is returned; in lenient mode each bad line is skipped and reported.
///
/// Implemented in the compiled part `calmkit::io` (src/jsonl.cpp, simdjson).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/export.hpp>
#include <calmkit/journal.hpp>

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace calmkit {

/// The highest journal format version this build reads and writes.
inline constexpr int journal_format_version = 1;

/// How to read.
struct ReadOptions {
  /// Skip bad lines (each one reported in `ReadReport::skipped`) instead of
  /// failing on the first one.
  bool lenient = false;
};

/// One line the lenient reader skipped.
struct SkippedLine {
  std::size_t line = 0;  ///< 1-based line number
  std::string field;     ///< the offending field, "" for the line as a whole
  std::string reason;    ///< what was wrong
  /// `path:line: field 'x': reason`, the same text a strict read would throw.
  std::string message;
};

/// What a read did.
struct ReadReport {
  std::string path;                  ///< the file read, or the name given to `parse_journal`
  std::size_t lines = 0;             ///< lines in the input, blank ones included
  std::size_t records = 0;           ///< records kept
  int version = 1;                   ///< the header's version (1 when there is no header)
  std::vector<SkippedLine> skipped;  ///< every skipped line, in line order
};

/// A journal and what reading it did.
struct ReadResult {
  Journal journal;    ///< the records kept
  ReadReport report;  ///< what the read did
};

/// Reads a JSON Lines journal file.
/// @throws JournalFormatError (strict mode) at the first broken rule, naming
///         file, line and field; std::runtime_error if the file cannot be read.
///
/// Example
/// ```cpp
/// auto [journal, report] = calmkit::read_journal("journal.jsonl", {.lenient = true});
/// for (const auto& s : report.skipped) std::cerr << s.message << '\n';
/// ```
[[nodiscard]] CALMKIT_EXPORT ReadResult read_journal(const std::filesystem::path& path,
                                                     ReadOptions options = {});

/// Reads journal text held in memory. `name` stands in for the path in messages.
[[nodiscard]] CALMKIT_EXPORT ReadResult parse_journal(std::string_view text, ReadOptions options = {},
                                                      std::string_view name = "<string>");

/// How to write.
struct WriteOptions {
  /// Write the header line first (recommended; readers accept files without).
  bool header = true;
  /// Value of the header's `generator` field.
  std::string generator = "calmkit";
};

/// Writes the journal as JSON Lines: the header, then triggers, readings,
/// exercises and thought records, each ordered by (participant, time, id).
/// The file is written to a temporary sibling and renamed into place, so a
/// crash or a full disk never leaves a half-written journal behind.
/// @throws std::runtime_error if the file cannot be written.
CALMKIT_EXPORT void write_journal(const Journal& journal, const std::filesystem::path& path,
                                  const WriteOptions& options = {});

/// Writes the journal as JSON Lines to a stream.
CALMKIT_EXPORT void write_journal(const Journal& journal, std::ostream& out,
                                  const WriteOptions& options = {});

/// The journal as JSON Lines text.
[[nodiscard]] CALMKIT_EXPORT std::string to_jsonl(const Journal& journal, const WriteOptions& options = {});

/// One record as a single JSON object (no trailing newline).
[[nodiscard]] CALMKIT_EXPORT std::string to_json(const Record& record);

}  // namespace calmkit
