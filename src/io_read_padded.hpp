// The reader's entry point for the writer's changes in place (update_journal,
// append_records in src/io_write.cpp): a strict parse of bytes the caller
// holds with simdjson's padding after them, which also gives the line of each
// record (private to src/).
#pragma once

#include <calmkit/io.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace calmkit::detail {

/// The 1-based line of each record of a journal read: `of[type][row]` for
/// the row of the journal's record type `type` (`detail::type_index`: 0
/// triggers .. 4 assessments).
struct RecordLines {
  std::array<std::vector<std::size_t>, 5> of;
};

/// Reads `text` as `parse_journal_with_report` does, in strict mode whatever
/// `options.lenient` says, without copying it: the `simdjson::SIMDJSON_PADDING`
/// bytes after `text` must be readable (their values do not matter). When
/// `lines` is given, it receives each record's line.
/// @throws the same as `parse_journal_with_report`.
ReadResult parse_padded_journal(std::string_view text, ReadOptions options, std::string_view name,
                                RecordLines* lines = nullptr);

}  // namespace calmkit::detail
