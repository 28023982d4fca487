// Private to src/ (not installed): the words of the JSON readers' shared
// rules, so that the journal reader (io_read_line.cpp) and the exercise
// definition reader (exercises_json.cpp) say the same thing for the same
// problem.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace calmkit::detail {

/// The reason for a key given twice in one JSON object (the field is the key).
inline constexpr std::string_view duplicate_key = "duplicate key in one object";

/// Why simdjson refused the text, in plain words: `invalid JSON: a string is
/// not closed`; simdjson's own message for the errors without a plainer one.
[[gnu::cold]] inline std::string invalid_json_reason(simdjson::error_code e) {
  switch (e) {
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: a control character inside a string must be escaped";
    case simdjson::STRING_ERROR: return "invalid JSON: bad string (escape sequence or surrogate)";
    case simdjson::UNCLOSED_STRING: return "invalid JSON: a string is not closed";
    case simdjson::DEPTH_ERROR: return "invalid JSON: nested too deeply";
    case simdjson::INCORRECT_TYPE:  // a token that looked like true/false/null but is not
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid JSON: a misspelled literal (true, false or null)";
    default: break;
  }
  return std::string("invalid JSON: ") + simdjson::error_message(e);
}

}  // namespace calmkit::detail
