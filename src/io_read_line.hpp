// The line parser of the JSON Lines reader: one share of the input (a run of
// whole lines) into records, every per-line rule checked on the share's
// thread (private to src/io_read*.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace calmkit::detail::jsonl {

struct ShareResult;

/// Parses the lines of one share into a ShareResult. Every per-line rule is
/// checked here; the rules across lines (unique ids, trigger references) are
/// the Reader's, which sees the shares in line order. One per thread: it
/// holds the simdjson parser and its buffers, reused from share to share.
class LineParser {
 public:
  LineParser();
  ~LineParser();
  LineParser(LineParser&&) noexcept;
  LineParser& operator=(LineParser&&) noexcept;
  LineParser(const LineParser&) = delete;
  LineParser& operator=(const LineParser&) = delete;

  /// Parses the lines of `[p, end)`; bytes up to `buffer_end` are readable.
  /// `end` is a line start (or the end of the input: an unterminated last
  /// line is a line too). `header_allowed`: the first non-blank line may be
  /// the header. `max_line_bytes` (0: no limit): a longer line is a fatal
  /// error. Strict: stops at the first bad line; lenient: at the first fatal
  /// one. Never throws: anything but a bad line goes to `out.failure`.
  void run(const char* p, const char* end, const char* buffer_end, bool header_allowed, bool lenient,
           std::size_t max_line_bytes, ShareResult& out) noexcept;

  /// The reason given for a line longer than `max_line_bytes`.
  [[gnu::cold]] static std::string line_too_long(std::size_t max_line_bytes);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// Whether the line parser reads a line with its fast path first (on by
/// default; the simdjson path reads every line the fast path refuses).
/// Off, every line goes to the simdjson path: tests compare the two. For
/// reads started after the call.
void set_fast_path(bool on) noexcept;

}  // namespace calmkit::detail::jsonl
