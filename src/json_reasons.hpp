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

/// The reason for a UTF-8 byte order mark that starts a line other than the
/// first (two files joined, say): only the file's very first bytes may be
/// one, so it is the line's invalid JSON, whatever simdjson's version skips.
inline constexpr std::string_view byte_order_mark_inside =
    "invalid JSON: a byte order mark (U+FEFF) may only start the file, not a line after the first";

/// Why simdjson refused the text, in the reader's own words for every error
/// code: `invalid JSON: a string is not closed`. simdjson's own texts differ
/// between its versions (the native build and the WebAssembly package use
/// different ones), so none of them is shown: the same text gets the same
/// message in every build.
[[gnu::cold]] inline std::string invalid_json_reason(simdjson::error_code e) {
  const char* why = nullptr;
  switch (e) {
    case simdjson::UNESCAPED_CHARS: why = "a control character inside a string must be escaped"; break;
    case simdjson::STRING_ERROR: why = "bad string (escape sequence or surrogate)"; break;
    case simdjson::UNCLOSED_STRING: why = "a string is not closed"; break;
    case simdjson::DEPTH_ERROR: why = "nested too deeply"; break;
    case simdjson::INCORRECT_TYPE:  // a token that looked like true/false/null but is not
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: why = "a misspelled literal (true, false or null)"; break;
    case simdjson::TAPE_ERROR:
      why =
          "improper structure (a comma, colon, brace or bracket missing or extra, a key without quotes, or "
          "a word that is not a JSON value)";
      break;
    case simdjson::NUMBER_ERROR: why = "a malformed number (JSON writes numbers as 12, -3.5 or 1e-3)"; break;
    case simdjson::NUMBER_OUT_OF_RANGE: why = "a number too large or too small for its field"; break;
    case simdjson::UTF8_ERROR: why = "the text is not valid UTF-8"; break;
    case simdjson::EMPTY: why = "no JSON value found"; break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      why = "the text ends in the middle of an object or list";
      break;
    case simdjson::TRAILING_CONTENT: why = "unexpected content after the JSON value"; break;
    case simdjson::CAPACITY: why = "the text is too large for the JSON parser"; break;
    case simdjson::MEMALLOC: why = "out of memory while parsing"; break;
    case simdjson::SCALAR_DOCUMENT_AS_VALUE:
      why = "a single number, string, true, false or null, not an object";
      break;
    case simdjson::INDEX_OUT_OF_BOUNDS:
    case simdjson::NO_SUCH_FIELD:
    case simdjson::OUT_OF_BOUNDS: why = "the text ends before the value expected"; break;
    default: why = nullptr; break;  // the parser's own failures (not the text's), and codes of newer simdjson
  }
  if (why != nullptr) return std::string("invalid JSON: ") + why;
  return "invalid JSON: the JSON parser failed (simdjson error code " + std::to_string(static_cast<int>(e)) +
         ")";
}

}  // namespace calmkit::detail
