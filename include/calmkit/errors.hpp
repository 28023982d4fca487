/// @file errors.hpp
/// @brief The exceptions calmkit throws, and the one cold helper each goes through.
///
/// Every error derives from a standard exception so that callers can catch the
/// standard type, and so that pybind11 maps them to the matching Python
/// exception (`std::invalid_argument` -> `ValueError`, `std::out_of_range` ->
/// `IndexError`, `std::runtime_error` -> `RuntimeError`).
#pragma once

#include <calmkit/export.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace calmkit {

namespace detail {

/// Appends `s` to `out` as a message shows it: a control character
/// (U+0000..U+001F, U+007F) as JSON escapes it (a backslash, `u` and four hex
/// digits), everything else as it is. A message is text for people and logs,
/// and a NUL in it would end it wherever it is read as a C string (`what()`,
/// the Python and JavaScript errors built from it).
inline void append_shown(std::string& out, std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) [[unlikely]] {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
}

}  // namespace detail

/// A journal line (or a whole file) that breaks the journal format, or a
/// record refused by the same rules at another entry point (`RecordError`,
/// validate.hpp: `Journal::add`, the writer, the store, whose place is the
/// record and whose `path` is "" and `line` 0).
///
/// Carries where the problem is as data (`path`, `line`, `field`) as well as in
/// the message, which reads `PATH:LINE: field 'FIELD': REASON`.
///
/// Example
/// ```cpp
/// try { auto j = calmkit::read_journal("week.jsonl"); }
/// catch (const calmkit::JournalFormatError& e) {
///   std::cerr << e.path() << " line " << e.line() << ": " << e.reason() << '\n';
/// }
/// ```
class CALMKIT_EXPORT JournalFormatError : public std::invalid_argument {
 public:
  /// @param path   the file (or a description such as `<string>`)
  /// @param line   1-based line number; 0 when the problem concerns the whole file
  /// @param field  the offending field; empty when the line as a whole is bad
  /// @param reason what is wrong, in plain words
  JournalFormatError(std::string path, std::size_t line, std::string field, std::string reason)
      : std::invalid_argument(compose(path, line, field, reason)),
        path_(std::move(path)),
        line_(line),
        field_(std::move(field)),
        reason_(std::move(reason)) {}

  /// The file (or the `name` given to `parse_journal`).
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// 1-based line number, 0 for the file as a whole.
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  /// The offending field, "" for the line as a whole.
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  /// What was wrong, without the location.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

  /// The message format shared by exceptions and lenient-mode reports.
  /// (`RecordError` uses it too, with its place as `path` and line 0.)
  static std::string compose(std::string_view path, std::size_t line, std::string_view field,
                             std::string_view reason) {
    std::string msg(path);
    if (line > 0) {
      msg += ':';
      msg += std::to_string(line);
    }
    msg += ": ";
    if (!field.empty()) {
      msg += "field '";
      detail::append_shown(msg, field);
      msg += "': ";
    }
    msg += reason;
    return msg;
  }

 protected:
  /// A refusal that is no file's line (`RecordError`): `path` "", line 0, and
  /// the message `PLACE: field 'FIELD': REASON`.
  JournalFormatError(std::string_view place, std::string field, std::string reason)
      : std::invalid_argument(compose(place, 0, field, reason)),
        line_(0),
        field_(std::move(field)),
        reason_(std::move(reason)) {}

 private:
  std::string path_;
  std::size_t line_;
  std::string field_;
  std::string reason_;
};

namespace detail {

/// A value quoted for a message: `'value'`, cut after 60 bytes, its control
/// characters escaped (`append_shown`).
[[gnu::cold]] inline std::string quote(std::string_view s) {
  std::string out = "'";
  append_shown(out, s.substr(0, 60));
  if (s.size() > 60) out += "...";
  out += '\'';
  return out;
}

/// Throws `std::invalid_argument`; kept out of line of hot callers.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_invalid(const std::string& what) {
  throw std::invalid_argument(what);
}

/// Throws `std::out_of_range`; kept out of line of hot callers.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_out_of_range(const std::string& what) {
  throw std::out_of_range(what);
}

/// Throws `std::runtime_error`; kept out of line of hot callers.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_runtime(const std::string& what) {
  throw std::runtime_error(what);
}

}  // namespace detail
}  // namespace calmkit
