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

/// A bad line of one share, numbered from the share's first line.
struct ShareError {
  std::size_t line = 0;
  std::string field;
  std::string reason;
  bool fatal = false;
};

/// What parsing one share of the input (a run of whole lines) found.
struct ShareResult {
  JournalBuilder builder{detail::linked_by_row};  ///< the records as columns, in line order
  std::array<ShareKeys, 5> keys;                  ///< their lines and keys, by `RecordType`
  std::vector<ShareError> errors;                 ///< in line order; strict: at most one, the first
  std::size_t lines = 0;                          ///< lines in the share, blank ones included
  bool content = false;                           ///< the share has a line that is not blank
  bool header_allowed = false;                    ///< its first non-blank line was allowed to be the header
  std::optional<int> version;                     ///< the header's version, when the share holds the header
  std::exception_ptr failure;                     ///< anything but a bad line (out of memory, say)

  template <class R>
  [[nodiscard]] ShareKeys& keys_of() noexcept {
    return keys[static_cast<std::size_t>(record_type_of<R>)];
  }

  /// Keeps a copy of `r` (the caller reuses it for the next line).
  template <class R>
  void push(const R& r) {
    builder.push(r);
  }

  /// Empties the result for the next share, keeping the columns' capacity.
  void clear() {
    builder.clear();
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
