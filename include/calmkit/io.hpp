/// @file io.hpp
/// @brief Reading and writing the journal format v1 (JSON Lines).
///
/// The format is specified in `docs/journal-format.md` and its JSON Schema in
/// `docs/journal-format-v1.schema.json`. The reader enforces every rule there;
/// by default (strict mode) the first problem throws `JournalFormatError` and
/// nothing is returned; in lenient mode each bad line is skipped and reported.
///
/// Implemented in the compiled part `calmkit::io` (src/io_read.cpp and src/io_write.cpp, simdjson).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/export.hpp>
#include <calmkit/files.hpp>
#include <calmkit/journal.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
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
  /// Largest input `read_journal` reads, in bytes; 0 for no limit. Default
  /// 4 GiB. A bigger regular file is refused before anything is read, and a
  /// pipe or device that gives more is refused when it passes the limit
  /// (`FileError` with `EFBIG`).
  std::uint64_t max_bytes = std::uint64_t{4} << 30;
  /// Longest line `read_journal` accepts, in bytes, without the `\n` or
  /// `\r\n` that ends it; 0 for no limit. Default 16 MiB (a record is one
  /// line; real ones are well under 64 KiB). Input that runs on longer
  /// without a line break, such as a stream of zero bytes, is refused as a
  /// `JournalFormatError` on that line, even in lenient mode.
  std::size_t max_line_bytes = std::size_t{16} << 20;
  /// Threads of the read, the calling one included; 0 (the default) for one
  /// per hardware thread, 1 to read on the calling thread alone. They are
  /// started once per read and each parses a share of lines at a time, and
  /// merges the next share in line order when it is parsed. The records,
  /// their order, every error (with its line number) and the lenient report
  /// are the same for any number.
  unsigned threads = 0;
  /// Bytes of input per share (default 1 MiB, at least 1 KiB; a share is cut
  /// after the first line break past that, so a longer line makes a longer
  /// share): a read holds two shares per thread and its longest line next to
  /// the records, not the whole file.
  std::size_t chunk_bytes = std::size_t{1} << 20;
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

/// Reads a JSON Lines journal file (a regular file, or a pipe or device read to
/// its end). The file is read in shares of `ReadOptions::chunk_bytes` (1 MiB),
/// parsed and merged on `ReadOptions::threads` threads: memory holds the
/// records kept, two shares per thread and the longest line, not the whole
/// file.
/// @throws JournalFormatError (strict mode) at the first broken rule, naming
///         file, line and field, and in any mode for a line longer than
///         `ReadOptions::max_line_bytes`; FileError (a std::runtime_error) if
///         the file cannot be read or is over `ReadOptions::max_bytes`.
///
/// Example
/// ```cpp
/// auto [journal, report] = calmkit::read_journal_with_report("journal.jsonl", {.lenient = true});
/// for (const auto& s : report.skipped) std::cerr << s.message << '\n';
/// ```
[[nodiscard]] CALMKIT_EXPORT ReadResult read_journal_with_report(const std::filesystem::path& path,
                                                                 ReadOptions options = {});

/// Reads journal text held in memory. `name` stands in for the path in messages.
[[nodiscard]] CALMKIT_EXPORT ReadResult parse_journal_with_report(std::string_view text,
                                                                  ReadOptions options = {},
                                                                  std::string_view name = "<string>");

/// Reads a JSON Lines journal file, as `read_journal_with_report`, and returns
/// the journal alone: the same shape as Python's `calmkit.read_journal`. In
/// lenient mode the skipped lines are dropped without a word; read with
/// `read_journal_with_report` to see them.
/// @throws the same as `read_journal_with_report`.
///
/// Example
/// ```cpp
/// const calmkit::Journal journal = calmkit::read_journal("journal.jsonl");
/// ```
[[nodiscard]] inline Journal read_journal(const std::filesystem::path& path, ReadOptions options = {}) {
  return read_journal_with_report(path, options).journal;
}

/// Reads journal text held in memory, as `parse_journal_with_report`, and
/// returns the journal alone (Python's `calmkit.parse_journal`).
[[nodiscard]] inline Journal parse_journal(std::string_view text, ReadOptions options = {},
                                           std::string_view name = "<string>") {
  return parse_journal_with_report(text, options, name).journal;
}

/// How to write.
struct WriteOptions {
  /// Write the header line first (recommended; readers accept files without).
  bool header = true;
  /// Value of the header's `generator` field.
  std::string generator = "calmkit";
};

/// Writes the journal as JSON Lines: the header, then triggers, readings,
/// exercises and thought records, each ordered by (participant, time, id).
/// Written through `write_file` (files.hpp): only a regular file (or a link to
/// one, which stays a link) is replaced, through a temporary sibling renamed
/// into place, so a crash or a full disk never leaves a half-written journal;
/// an existing file keeps its mode and owner, a new one is 0600. It takes no
/// lock: to add to a journal others may be writing, use `append_records` (or
/// `update_journal` to change it).
/// @throws FileError (a std::runtime_error) if the file cannot be written;
///         RecordError (a std::invalid_argument) for a record no reader would
///         take back (a rule of validate.hpp, answers that do not fit their
///         instrument, text that is not UTF-8); the file is then left as it was.
CALMKIT_EXPORT void write_journal(const Journal& journal, const std::filesystem::path& path,
                                  const WriteOptions& options = {});

/// Changes a journal file in place, safely under concurrency: takes the
/// journal's `FileLock` (an exclusive `flock` on `PATH.lock`, see files.hpp),
/// reads the file's bytes once and the journal strictly from them (the checks
/// and messages of `read_journal`; an absent file is an empty journal), calls
/// `change`, and writes the result through `write_file` (files.hpp). Processes
/// and threads that change the same journal through this function (or
/// `append_records`) run one after the other, so none loses another's records
/// (a plain read, add and `write_journal` would). If `change` throws, or the
/// journal is broken (JournalFormatError), the file is left as it was.
/// `read_options.lenient` is ignored: a lenient read would drop the bad lines.
///
/// What is written, for a file that exists (docs/store.md, "Changing a
/// journal file"):
/// - every line of a record `change` left as it was stays byte for byte, in
///   its place: fields calmkit does not know (in records and the header),
///   the spelling of times and offsets, the order of the lines, blank lines,
///   a byte-order mark and CRLF line ends;
/// - the header line and any line that is no record stay as they are;
/// - a record that `change` removed loses its line; a changed record (same
///   type, participant and id, or for a record without an id the same type,
///   participant and time; other content) is written in
///   calmkit's form (`to_json`) in its old line's place, plus the fields of
///   that line calmkit does not know (another app's, as written; in a thought
///   record's emotion too, matched by name), so nothing calmkit does not
///   know is dropped (only the spelling of calmkit's own fields changes);
/// - added records are written in calmkit's form at the end, in journal
///   order (by type, then participant, time and id), each line ended as the
///   file's first line is (CRLF or LF), after a line break when the file's
///   last line has none. When `change` only adds, the file is its old bytes
///   plus those lines; when it changes nothing, the file is not written.
/// A record is "left as it was" when `to_json` of it is the same before and
/// after `change`. An absent or empty file is written whole in calmkit's
/// form (`write_journal`, with `options`). A line to write that is longer
/// than `read_options.max_line_bytes` is refused (JournalFormatError naming
/// the file and the line it would be), as `read_journal` would refuse the
/// file after it; nothing is written then.
///
/// Example
/// ```cpp
/// calmkit::update_journal("journal.jsonl", [&](calmkit::Journal& j) {
///   j.add(calmkit::Reading{...});  // ids can be chosen here, seeing every other writer's records
/// });
/// ```
/// @throws JournalFormatError for a broken journal; FileError (a
///         std::runtime_error) if the file cannot be read or written, or is
///         no regular file, or (EBUSY) if a program that does not take its
///         lock wrote it while `change` ran (its bytes are let go during
///         `change` and read again for the write; nothing is written
///         then); RecordError (a std::invalid_argument) for a record no
///         reader would take back; whatever `change` throws.
CALMKIT_EXPORT void update_journal(const std::filesystem::path& path,
                                   const std::function<void(Journal&)>& change,
                                   const WriteOptions& options = {}, ReadOptions read_options = {});

/// Makes one record to add, seeing the journal as read plus the records
/// already added by the same `append_records` call (so that an id chosen from
/// it cannot be taken by another writer in between).
using RecordMaker = std::function<Record(const Journal& journal)>;

/// Adds records to a journal file as lines at its end, every byte already
/// there kept: under the journal's `FileLock` (the lock of `update_journal`),
/// it reads the file's bytes once and the journal strictly from them (the
/// checks and messages of `read_journal`), calls each maker in order with the
/// journal, adds its record to it (`Journal::add`: ids unique, a referenced
/// trigger there) and checks it as a line (`to_json`), then writes the old
/// bytes plus the new lines in one `write_file` (files.hpp), or nothing when
/// any of that throws: all the records or none.
///
/// Nothing calmkit does not know is dropped: a header's `generator` or
/// `created`, unknown fields of records, the order of the lines, their
/// offsets, a byte-order mark and CRLF line ends all stay. Each new line ends
/// as the file's first line does (CRLF or LF), after a line break when the
/// last line has none. An absent or empty file gets the header line first
/// (`options`: `header`, `generator`); a new file is 0600.
/// @throws JournalFormatError for a broken, compressed or non-UTF-8 journal;
///         RecordError (a std::invalid_argument) for a record that does not
///         fit (a duplicate id, a reference to a trigger that is not there, a
///         rule of validate.hpp); FileError (a std::runtime_error) if the file
///         cannot be read or written, or is no regular file; whatever a maker
///         throws. The file is then left as it was.
///
/// Example
/// ```cpp
/// calmkit::append_records("journal.jsonl", {[&](const calmkit::Journal& j) -> calmkit::Record {
///   return calmkit::Reading{.id = "r" + std::to_string(j.readings().size() + 1), ...};
/// }});
/// ```
CALMKIT_EXPORT void append_records(const std::filesystem::path& path, const std::vector<RecordMaker>& makers,
                                   const WriteOptions& options = {}, ReadOptions read_options = {});

/// Adds `records`, in order, as `append_records` with makers that return them.
/// @throws the same as `append_records`.
CALMKIT_EXPORT void append_records(const std::filesystem::path& path, const std::vector<Record>& records,
                                   const WriteOptions& options = {}, ReadOptions read_options = {});

/// Adds one record to a journal file as a line at its end, every byte
/// already there kept (`append_records`).
/// @throws the same as `append_records`: RecordError (a std::invalid_argument)
///         if the record does not fit the journal (a duplicate id, a
///         reference to a trigger that is not there).
CALMKIT_EXPORT void append_record(const std::filesystem::path& path, Record record,
                                  const WriteOptions& options = {});

/// Writes the journal as JSON Lines to a stream.
CALMKIT_EXPORT void write_journal(const Journal& journal, std::ostream& out,
                                  const WriteOptions& options = {});

/// The journal as JSON Lines text.
[[nodiscard]] CALMKIT_EXPORT std::string to_jsonl(const Journal& journal, const WriteOptions& options = {});

/// One record as a single JSON object (no trailing newline).
/// @throws RecordError (a std::invalid_argument) `cannot write RECORD: field 'F': REASON`
///         when the record breaks a rule of validate.hpp or its answers do not fit the instrument.
[[nodiscard]] CALMKIT_EXPORT std::string to_json(const Record& record);

}  // namespace calmkit
