// What the JSON Lines reader's line parser hands the merge for one share of
// the input (a run of whole lines): the records, their keys, the bad lines
// (private to src/io_read*.cpp).
#pragma once

#include "io_read_keys.hpp"

#include <calmkit/journal.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace calmkit::detail::jsonl {

/// Where a lenient read's threads put the records they parse: one
/// `push(const R&)` per record type, each copying the record (the parser
/// reuses one record of each type for every line). A lenient read may have
/// to leave out a record once the whole file is known (a duplicate id, a
/// reference to a trigger that never comes), so it keeps record values; a
/// strict read never does, and fills a `JournalBuilder` instead.
struct RecordSink {
  RecordSet records;

  void push(const Trigger& r) { records.triggers.push_back(r); }
  void push(const Reading& r) { records.readings.push_back(r); }
  void push(const ExerciseSession& r) { records.exercises.push_back(r); }
  void push(const ThoughtRecord& r) { records.thought_records.push_back(r); }
  void push(const Assessment& r) { records.assessments.push_back(r); }
  void clear() noexcept {
    records.triggers.clear();
    records.readings.clear();
    records.exercises.clear();
    records.thought_records.clear();
    records.assessments.clear();
  }
};

/// The records of type R in a RecordSet.
template <class R>
inline std::vector<R>& records_of(RecordSet& rs) noexcept {
  if constexpr (std::is_same_v<R, Trigger>) return rs.triggers;
  if constexpr (std::is_same_v<R, Reading>) return rs.readings;
  if constexpr (std::is_same_v<R, ExerciseSession>) return rs.exercises;
  if constexpr (std::is_same_v<R, ThoughtRecord>) return rs.thought_records;
  if constexpr (std::is_same_v<R, Assessment>) return rs.assessments;
}

/// A bad line of one share, numbered from the share's first line.
struct ShareError {
  std::size_t line = 0;
  std::string field;
  std::string reason;
  bool fatal = false;
};

/// What parsing one share of the input (a run of whole lines) found.
struct ShareResult {
  bool columnar = false;           ///< records go to `builder` (strict), else to `sink` (lenient)
  JournalBuilder builder;          ///< strict: the records as columns, in line order
  RecordSink sink;                 ///< lenient: the records, by type, in line order
  std::array<ShareKeys, 5> keys;   ///< their lines and keys, by `RecordType`
  std::vector<ShareError> errors;  ///< in line order; strict: at most one, the first
  std::size_t lines = 0;           ///< lines in the share, blank ones included
  bool content = false;            ///< the share has a line that is not blank
  bool header_allowed = false;     ///< its first non-blank line was allowed to be the header
  std::optional<int> version;      ///< the header's version, when the share holds the header
  std::exception_ptr failure;      ///< anything but a bad line (out of memory, say)

  template <class R>
  [[nodiscard]] ShareKeys& keys_of() noexcept {
    return keys[static_cast<std::size_t>(record_type_of<R>)];
  }

  /// Keeps a copy of `r` (the caller reuses it for the next line).
  template <class R>
  void push(const R& r) {
    if (columnar) {
      builder.push(r);
    } else {
      sink.push(r);
    }
  }

  void clear() {
    builder = JournalBuilder(detail::linked_by_row);
    sink.clear();
    for (auto& k : keys) k.clear();
    errors.clear();
    lines = 0;
    content = false;
    header_allowed = false;
    version.reset();
    failure = nullptr;
  }
};
}  // namespace calmkit::detail::jsonl
