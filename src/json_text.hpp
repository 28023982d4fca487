// Private to src/ (not installed): the one JSON string escaper of the C++
// writers, used by the journal writer (io_write.cpp) and the exercise JSON
// writer (exercises_json.cpp). Its output is RFC 8259 text for any UTF-8
// input: '"', '\\' and every control character below U+0020 are escaped
// (\n \r \t \b \f by name, the rest as \u00XX), and so are U+2028 LINE
// SEPARATOR and U+2029 PARAGRAPH SEPARATOR (\u2028, \u2029): valid raw in
// JSON, but Python's str.splitlines and JavaScript before ES2019 end a line at
// each, which would cut a journal's record in two. Everything else is copied.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace calmkit::detail {

/// Appends `s` to `o` as a quoted JSON string.
inline void put_json_string(std::string& o, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  o += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0xE2) [[likely]]
      continue;
    if (c == 0xE2) {  // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
      if (s.size() - i < 3 || s[i + 1] != '\x80' || (s[i + 2] != '\xA8' && s[i + 2] != '\xA9')) continue;
      o.append(s.data() + run, i - run);
      o += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
      run = i + 1;
      continue;
    }
    o.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      case '\b': o += "\\b"; break;
      case '\f': o += "\\f"; break;
      default:
        o += "\\u00";
        o += hex[c >> 4];
        o += hex[c & 0xF];
        break;
    }
  }
  o.append(s.data() + run, s.size() - run);
  o += '"';
}

}  // namespace calmkit::detail
