// The JSON Lines reader checks a whole line's UTF-8 at once (simdjson's stage
// 1); when that fails, this names the field the bad byte is in, so the line's
// error is the rule's own (`rules::utf8_text`): `field 'note': is not valid
// UTF-8 (byte 0xe9 at offset 3)`, the offset counted in the field's text as
// the record holds it (after JSON escapes), as every other entry point says.
#pragma once

#include <calmkit/validate.hpp>

#include <string_view>

namespace calmkit::detail::jsonl {

/// The reason simdjson's UTF-8 failure maps to before the field is known.
inline constexpr std::string_view line_not_utf8 = "the line is not valid UTF-8";

/// The UTF-8 rule's violation for a line whose bytes are not all UTF-8: the
/// field (`note`, `thoughts[1]`, `emotions[0].name`) the first bad byte is in,
/// and the offset in that field's text. A bad byte outside any value (in a
/// key, between tokens) gets field "" and its offset in the line.
[[gnu::cold]] RuleViolation utf8_violation(std::string_view line);

}  // namespace calmkit::detail::jsonl
