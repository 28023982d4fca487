// The field getters of the JSON Lines reader: one line's values checked as
// they are read from simdjson's On-Demand parser, with the field named in
// every message (private to src/io_read_line.cpp).
#pragma once

#include <calmkit/assessments.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include <simdjson.h>

#include "io_read_utf8.hpp"
#include "journal_fields.hpp"
#include "json_reasons.hpp"

#include <algorithm>
#include <array>
#include <bit>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace calmkit::detail::jsonl {

namespace od = simdjson::ondemand;

// Internal linkage, as when these lived in the line parser's file: the one
// file that includes this header gets the same inlining as before the split
// (measured: 2.7 % more instructions with `inline` functions instead).
namespace {

/// A problem with one line; thrown inside the line parser and turned into a
/// JournalFormatError (strict) or a SkippedLine (lenient) by the line loop.
struct LineError {
  std::string field;
  std::string reason;
  bool fatal = false;  ///< stops even a lenient read (a header newer than this build)
  /// A rule of the line itself (its JSON, its UTF-8, one object), which
  /// comes before any field's: not a field's rule even when `field` is
  /// empty (an unknown field may be named by the empty key "").
  bool line_rule = false;
};

/// Names a field for messages: `thoughts`, `thoughts[2]`, `emotions[0].before`.
/// Built into a string only when something is wrong.
struct FieldRef {
  std::string_view name;
  std::ptrdiff_t index = -1;
  std::string_view sub{};

  [[nodiscard]] std::string str() const {
    std::string s(name);
    if (index >= 0) {
      s += '[';
      s += std::to_string(index);
      s += ']';
    }
    if (!sub.empty()) {
      s += '.';
      s += sub;
    }
    return s;
  }
};

/// A key as a field's name in messages: the empty key "" is named `""`,
/// since an empty field reads as no field at all (the line's own problem).
constexpr std::string_view key_name(std::string_view key) noexcept {
  return key.empty() ? "\"\"" : key;
}

[[noreturn, gnu::cold, gnu::noinline]] void fail(const FieldRef& f, std::string reason) {
  throw LineError{f.str(), std::move(reason)};
}
[[noreturn, gnu::cold, gnu::noinline]] void fail_line(std::string reason) {
  throw LineError{std::string(), std::move(reason), false, true};
}

[[gnu::cold]] std::string json_error_reason(simdjson::error_code e) {
  if (e == simdjson::UTF8_ERROR)
    return std::string(line_not_utf8);  // the field is found after (io_read_utf8.hpp)
  return invalid_json_reason(e);
}

/// Any simdjson error ends the line: the JSON itself is broken.
[[gnu::always_inline]] inline void check(simdjson::error_code e) {
  if (e != simdjson::SUCCESS) [[unlikely]]
    fail_line(json_error_reason(e));
}

[[gnu::cold]] std::string type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "a list";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "true/false";
    case od::json_type::null: return "null";
  }
  return "something else";
}

/// The JSON text of a scalar value as written: its raw token without the
/// whitespace simdjson's token runs on with up to the next structural
/// character. Does not move past the value.
inline std::string_view raw_token(od::value& v) noexcept {
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) {
    raw.remove_suffix(1);
  }
  return raw;
}

/// The JSON text of a scalar, for messages (trimmed, at most 40 bytes).
[[gnu::cold]] std::string raw_text(od::value& v) {
  const std::string_view raw = raw_token(v);
  if (raw.size() > 40) return std::string(raw.substr(0, 40)) + "...";
  return std::string(raw);
}

inline od::json_type type_of(od::value& v) {
  od::json_type t{};
  check(v.type().get(t));
  return t;
}

/// One 64-bit word of the bytes at `p`, in memory order.
inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// Whether the `n` bytes at `p` hold a backslash; reads up to 7 bytes past
/// them (inside the padded input buffer). Eight bytes per step, without a
/// library call: the strings of a journal are short, and memchr's set-up
/// cost more than its scan (measured).
inline bool has_backslash(const char* p, std::size_t n) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    return std::memchr(p, '\\', n) != nullptr;
  } else {
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    constexpr std::uint64_t backslashes = ones * static_cast<unsigned char>('\\');
    for (;; p += 8, n -= 8) {
      std::uint64_t x = load64(p) ^ backslashes;          // a zero byte where a backslash was
      if (n < 8) x |= n == 0 ? ~0ull : ~0ull << (8 * n);  // the bytes past the end: never zero
      if (((x - ones) & ~x & highs) != 0) return true;    // some byte is zero
      if (n <= 8) return false;
    }
  }
}

/// `get_string` for any string value (and the error for any other value).
[[gnu::noinline]] std::string_view get_string_any(od::value& v, const FieldRef& f, const char* backslash) {
  // The token runs from its first byte to the next structural character, so
  // a string's may end in whitespace; its last quote closes the string.
  const std::string_view token = v.raw_json_token();
  if (token.empty() || token.front() != '"') [[unlikely]] {
    const auto t = type_of(v);
    fail(f, rules::not_a_string(type_name(t)));
  }
  std::size_t close = token.size() - 1;
  while (close > 0 && token[close] != '"') --close;
  if (close > 0) [[likely]] {
    if (token.data() + close < backslash || !has_backslash(token.data() + 1, close - 1)) [[likely]] {
      od::raw_json_string raw;
      check(v.get_raw_json_string().get(raw));  // moves past the string
      return token.substr(1, close - 1);
    }
  }
  std::string_view s;
  check(v.get_string().get(s));
  return s;
}

/// A string value. Without a backslash in it, the text between the quotes in
/// the line itself (no copy: stage 1 has checked its UTF-8 and that it holds
/// no unescaped control character); with one, simdjson's unescaped copy.
/// `backslash`: the line's first backslash (its end when it has none): a
/// string that closes before it has none, and is not scanned for one.
/// Inline, the usual case only: a token that is the string alone (its last
/// byte the closing quote) before the line's first backslash; anything else
/// is `get_string_any`'s, which keeps the registers it needs off this path.
inline std::string_view get_string(od::value& v, const FieldRef& f, const char* backslash) {
  const std::string_view token = v.raw_json_token();
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"' &&
      token.data() + token.size() - 1 < backslash) [[likely]] {
    od::raw_json_string raw;
    check(v.get_raw_json_string().get(raw));  // moves past the string
    return token.substr(1, token.size() - 2);
  }
  return get_string_any(v, f, backslash);
}

/// `text` into a reused string: its buffer kept, no aliasing to handle
/// (`text` lies in the input or simdjson's buffer, never in `out`).
inline void set(std::string& out, std::string_view text) {
  out.clear();
  out.append(text);
}
/// `text` as a view record's text (no copy).
inline void set(std::string_view& out, std::string_view text) noexcept {
  out = text;
}

inline bool is_json_number(std::string_view token);  // below

/// `get_int` for any value (see there).
[[gnu::noinline]] std::int64_t get_int_any(od::value& v, const FieldRef& f, std::int64_t lo,
                                           std::int64_t hi) {
  auto range = [&](std::string_view got) { return detail::integer_range_reason(lo, hi, got); };
  // Fast path: one parse. simdjson takes an int64 only when the token is an
  // integer ('-'? digits, no leading zero, then a structural character or
  // whitespace) within int64, which is exactly what get_number_type calls a
  // signed integer; on failure it does not move past the value, and the
  // checks below give the reason.
  // Fastest path, for one or two digits (every intensity, most percents):
  // a raw token of just those digits is a whole JSON integer (the next byte
  // starts the next token), read here; the value is left unconsumed, and the
  // object's or list's iteration skips it (one token).
  const std::string_view raw = v.raw_json_token();
  const auto d0 = static_cast<unsigned>(static_cast<unsigned char>(raw[0]) - '0');
  if (d0 <= 9) [[likely]] {
    std::int64_t small = -1;
    if (raw.size() == 1) {
      small = d0;
    } else if (raw.size() == 2 && d0 != 0) {
      const auto d1 = static_cast<unsigned>(static_cast<unsigned char>(raw[1]) - '0');
      if (d1 <= 9) small = d0 * 10 + d1;
    }
    if (small >= 0) [[likely]] {
      if (small < lo || small > hi) [[unlikely]]
        fail(f, range(std::to_string(small)));
      return small;
    }
  }
  std::int64_t x = 0;
  if (v.get_int64().get(x) == simdjson::SUCCESS) [[likely]] {
    if (x < lo || x > hi) [[unlikely]]
      fail(f, range(std::to_string(x)));
    return x;
  }
  const auto t = type_of(v);
  if (t != od::json_type::number) [[unlikely]]
    fail(f, range(type_name(t)));
  // A token that only starts like a number (05, 5., 0x5, 1_0) is broken JSON,
  // the line's fault, not a value out of the field's range.
  if (!is_json_number(raw_token(v))) [[unlikely]]
    fail_line(json_error_reason(simdjson::NUMBER_ERROR));
  od::number_type nt{};
  check(v.get_number_type().get(nt));
  if (nt == od::number_type::floating_point_number) [[unlikely]] {
    fail(f, range(raw_text(v)));
  }
  if (nt != od::number_type::signed_integer || v.get_int64().get(x) != simdjson::SUCCESS) [[unlikely]] {
    fail(f, range(raw_text(v)));
  }
  if (x < lo || x > hi) [[unlikely]]
    fail(f, range(std::to_string(x)));
  return x;
}

/// A JSON integer (not 3.5, not "3", not true) within [lo, hi]. Inline, the
/// usual case only: a raw token of one digit, or two without a leading zero,
/// within the range (every intensity, most percents; see `get_int_any`, which
/// takes anything else, for why such a token is a whole JSON integer).
inline std::int64_t get_int(od::value& v, const FieldRef& f, std::int64_t lo, std::int64_t hi) {
  const std::string_view raw = v.raw_json_token();
  const auto d0 = static_cast<unsigned>(static_cast<unsigned char>(raw[0]) - '0');
  std::int64_t small = -1;
  if (raw.size() == 1 && d0 <= 9) {
    small = d0;
  } else if (raw.size() == 2 && d0 - 1 <= 8) {
    const auto d1 = static_cast<unsigned>(static_cast<unsigned char>(raw[1]) - '0');
    if (d1 <= 9) small = d0 * 10 + d1;
  }
  if (small >= 0 && small >= lo && small <= hi) [[likely]]
    return small;
  return get_int_any(v, f, lo, hi);  // also the reason a value out of range is refused
}

bool get_bool(od::value& v, const FieldRef& f) {
  const auto t = type_of(v);
  if (t != od::json_type::boolean) [[unlikely]]
    fail(f, rules::not_true_or_false(type_name(t)));
  bool b = false;
  check(v.get_bool().get(b));
  return b;
}

Intensity get_intensity(od::value& v, const FieldRef& f) {
  return *Intensity::make(get_int(v, f, Intensity::min, Intensity::max));
}
Percent get_percent(od::value& v, const FieldRef& f) {
  return *Percent::make(get_int(v, f, Percent::min, Percent::max));
}

/// The reason a refused time text is refused, parsed again for it: the
/// reason's string is made only for a bad line, not for every time read.
[[noreturn, gnu::cold, gnu::noinline]] void fail_time(std::string_view s, const FieldRef& f) {
  TimeParseError err;
  (void)Instant::try_parse(s, &err);
  fail(f, rules::invalid_time(s, err));
}

Instant get_time(od::value& v, const FieldRef& f, const char* backslash) {
  const auto s = get_string(v, f, backslash);
  const auto t = Instant::try_parse(s);
  if (!t) [[unlikely]]
    fail_time(s, f);
  return *t;
}

/// A non-empty id (or trigger reference).
template <class Text>
void get_id(od::value& v, const FieldRef& f, Text& out, const char* backslash) {
  const auto s = get_string(v, f, backslash);
  if (s.empty()) [[unlikely]]
    fail(f, rules::empty_but_present());
  set(out, s);
}

template <class Fn>
void for_each_element(od::value& v, const FieldRef& f, const char* what, Fn&& fn) {
  const auto t = type_of(v);
  if (t != od::json_type::array) [[unlikely]]
    fail(f, rules::not_a_list(what, type_name(t)));
  od::array a;
  check(v.get_array().get(a));
  std::ptrdiff_t i = 0;
  for (auto er : a) {
    od::value ev;
    check(er.get(ev));
    fn(ev, FieldRef{f.name, i});
    ++i;
  }
}

template <class Text>
void get_string_list(od::value& v, const FieldRef& f, std::vector<Text>& out, const char* backslash) {
  for_each_element(v, f, "strings", [&out, backslash](od::value& ev, const FieldRef& ef) {
    out.emplace_back(get_string(ev, ef, backslash));
  });
}

/// Whether `token` (a raw JSON token as `raw_token` gives it) is a number by
/// RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
inline bool is_json_number(std::string_view token) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i;
    return i - from;
  };
  if (i < token.size() && token[i] == '-') ++i;
  if (i < token.size() && token[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == token.size();
}

/// Reads (and so validates) a scalar JSON value whose content calmkit
/// ignores, of the type `t` (not a list or an object).
void consume_scalar(od::value& v, od::json_type t) {
  switch (t) {
    case od::json_type::string: {
      std::string_view s;
      check(v.get_string().get(s));
      break;
    }
    case od::json_type::number: {
      // RFC 8259 sets no limit on a number's size, and the spec ignores unknown
      // fields: a valid number past 64 bits or past a double (a 128-bit id,
      // 1e400) is taken; only a malformed one is an error.
      const std::string_view token = raw_token(v);
      od::number n;
      const auto err = v.get_number().get(n);
      // simdjson's kernels differ in the code of a number they cannot hold
      // (NUMBER_ERROR, or BIGINT_ERROR in WebAssembly's fallback kernel for
      // -9223372036854775809): the token's grammar decides.
      if (err != simdjson::SUCCESS && is_json_number(token)) break;
      check(err);
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      check(v.get_bool().get(b));
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      check(v.is_null().get(is_null));
      if (!is_null) fail_line("invalid JSON: bad literal");
      break;
    }
    case od::json_type::array:
    case od::json_type::object: break;  // not scalars: read by `consume`
  }
}

/// A stack of `T` that keeps its first 16 entries inline (no allocation for
/// the usual shallow value) and the rest on the heap.
template <class T>
class SmallStack {
 public:
  void push(const T& t) {
    if (n_ < inline_.size()) {
      inline_[n_] = t;
    } else {
      heap_.push_back(t);
    }
    ++n_;
  }
  T& top() noexcept { return n_ <= inline_.size() ? inline_[n_ - 1] : heap_.back(); }
  void pop() noexcept {
    if (n_ > inline_.size()) heap_.pop_back();
    --n_;
  }
  bool empty() const noexcept { return n_ == 0; }

 private:
  std::array<T, 16> inline_{};
  std::vector<T> heap_;
  std::size_t n_ = 0;
};

/// The most levels of lists and objects an unknown field's value may hold,
/// the value itself the first (the format's rule).
constexpr int max_unknown_depth = 64;

/// Reads (and so validates) any JSON value whose content calmkit ignores.
/// simdjson's skip only balances brackets; this makes `[1,,2]` or `tru` in an
/// unknown field an error too. With `Limit`, a value that holds lists and
/// objects more than `max_unknown_depth` levels deep is an error naming `f`
/// (the format's rule for an unknown field); without it any depth is read
/// and only the JSON is checked (`json_problem`'s walk of the whole line,
/// whose JSON comes before that rule).
///
/// No recursion: the lists and objects still open are kept on explicit
/// stacks (iterators, 24 bytes a level), so a line of a million `[` costs
/// memory in proportion to its length, as its parse does, and never the call
/// stack.
template <bool Limit = true>
void consume(od::value& v, const FieldRef& f) {
  const od::json_type t = type_of(v);
  if (t != od::json_type::array && t != od::json_type::object) {
    consume_scalar(v, t);
    return;
  }
  SmallStack<od::array_iterator> lists;
  SmallStack<od::object_iterator> objects;
  SmallStack<std::uint8_t> is_object;  // 1: an object; of each open level, the innermost on top
  int depth = 0;
  // Opens the list or object `c` (of type `ct`) as the innermost level.
  const auto open = [&](od::value& c, od::json_type ct) {
    if (Limit && ++depth > max_unknown_depth)
      fail(f,
           "nested too deeply: an unknown field's value may hold lists and objects at most 64 levels deep");
    if (ct == od::json_type::object) {
      od::object o;
      check(c.get_object().get(o));
      od::object_iterator it;
      check(o.begin().get(it));
      objects.push(it);
      is_object.push(1);
    } else {
      od::array a;
      check(c.get_array().get(a));
      od::array_iterator it;
      check(a.begin().get(it));
      lists.push(it);
      is_object.push(0);
    }
  };
  open(v, t);
  // As a range-for over each level: while its iterator is open, take the
  // element it is at, read it (a list or an object becomes the innermost
  // level, and the iterator moves on once that level is closed), move on.
  // A JSON error surfaces at the next element taken.
  const auto advance = [&] {
    if (is_object.top() != 0) {
      ++objects.top();
    } else {
      ++lists.top();
    }
  };
  while (!is_object.empty()) {
    const bool in_object = is_object.top() != 0;
    const bool more =
        in_object ? objects.top() != od::object_iterator{} : lists.top() != od::array_iterator{};
    if (!more) {  // the innermost level is closed: its parent moves on
      if (in_object) {
        objects.pop();
      } else {
        lists.pop();
      }
      is_object.pop();
      --depth;
      if (!is_object.empty()) advance();
      continue;
    }
    od::value child;
    if (in_object) {
      od::field fld;
      check((*objects.top()).get(fld));
      std::string_view key;
      check(fld.unescaped_key().get(key));
      child = fld.value();
    } else {
      check((*lists.top()).get(child));
    }
    const od::json_type ct = type_of(child);
    if (ct == od::json_type::array || ct == od::json_type::object) {
      open(child, ct);
    } else {
      consume_scalar(child, ct);
      advance();
    }
  }
}

// The known field names of each object kind: `trigger_fields` ..
// `emotion_fields` (journal_fields.hpp). The index of a name is its bit in
// the `seen` mask.

template <std::size_t N>
constexpr std::uint32_t bits(const std::array<std::string_view, N>& names,
                             std::initializer_list<std::string_view> wanted) {
  std::uint32_t m = 0;
  for (auto w : wanted) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == w) m |= 1u << i;
    }
  }
  return m;
}

constexpr std::uint32_t trigger_required =
    bits(trigger_fields, {"type", "id", "time", "category", "intensity"});
constexpr std::uint32_t reading_required = bits(reading_fields, {"type", "time", "intensity"});
constexpr std::uint32_t exercise_required = bits(exercise_fields, {"type", "id", "time", "exercise", "end"});
constexpr std::uint32_t thought_required =
    bits(thought_fields, {"type", "id", "time", "situation", "automatic_thought", "belief_before"});
constexpr std::uint32_t assessment_required =
    bits(assessment_fields, {"type", "id", "time", "instrument", "answers"});
constexpr std::uint32_t header_required = bits(header_fields, {"type", "format", "version"});
constexpr std::uint32_t emotion_required = bits(emotion_fields, {"name", "before"});

template <std::size_t N>
void require(const std::array<std::string_view, N>& names, std::uint32_t seen, std::uint32_t required,
             std::string_view parent = {}, std::ptrdiff_t index = -1) {
  const std::uint32_t missing = required & ~seen;
  if (missing == 0) [[likely]]
    return;
  const auto i = static_cast<std::size_t>(std::countr_zero(missing));
  if (parent.empty()) fail(FieldRef{names[i]}, rules::required_missing());
  fail(FieldRef{parent, index, names[i]}, rules::required_missing());
}

/// The unknown keys met so far in one object, for the duplicate-key check.
/// A short list searched linearly covers the usual handful; past that the
/// keys move to a hash set, so an object with n unknown keys costs O(n), not
/// O(n^2) (a 16 MiB line can hold over a million keys).
class KeySet {
 public:
  void clear() {
    small_.clear();
    if (!large_.empty())
      large_ = {};  // free the buckets: clear() would keep them, and every next object pays for them
  }
  /// Adds `key`; false if it was already there.
  bool insert(std::string_view key) {
    if (large_.empty()) {
      if (std::find(small_.begin(), small_.end(), key) != small_.end()) return false;
      if (small_.size() < kSmall) {
        small_.push_back(key);
        return true;
      }
      large_.reserve(4 * kSmall);
      large_.insert(small_.begin(), small_.end());
      small_.clear();
    }
    return large_.insert(key).second;
  }

 private:
  static constexpr std::size_t kSmall = 16;
  std::vector<std::string_view> small_;
  std::unordered_set<std::string_view, KeyedHash> large_;
};

/// The key of a field: the bytes between its quotes in the line when they
/// hold no backslash (no copy), else simdjson's unescaped copy. `line_end`:
/// the end of the line (the closing quote lies before it).
std::string_view field_key(od::field& fld, const char* line_end) {
  const char* b = fld.key().raw();
  const auto* q = static_cast<const char*>(std::memchr(b, '"', static_cast<std::size_t>(line_end - b)));
  if (q != nullptr && std::memchr(b, '\\', static_cast<std::size_t>(q - b)) == nullptr) [[likely]] {
    return {b, static_cast<std::size_t>(q - b)};
  }
  std::string_view key;
  check(fld.unescaped_key().get(key));
  return key;
}

/// The known keys of one object kind as the bytes a key's raw text starts
/// with: each name and its closing quote, in up to three 64-bit words (as a
/// load from memory gives them) with a mask of the bytes that count. A raw
/// key that starts with a name and its quote is that name (a name holds no
/// quote or backslash), so a key is matched by a word compare or two,
/// without finding its end first. The candidates for a key are found by its
/// first two bytes (`bucket`): at most two names share a bucket.
template <std::size_t N>
struct KeyWords {
  static constexpr std::size_t words = 3;  // names of up to 23 bytes
  static constexpr std::size_t buckets = 64;
  static constexpr std::uint8_t empty = 0xFF;
  std::array<std::string_view, N> names;
  std::array<std::array<std::uint64_t, words>, N> bytes{};
  std::array<std::array<std::uint64_t, words>, N> mask{};
  std::array<std::uint8_t, N> used{};  ///< words holding the name and its quote
  std::array<std::array<std::uint8_t, 2>, buckets> bucket{};

  /// The bucket of a key whose raw text starts with bytes `a`, `b`.
  static constexpr std::size_t bucket_of(unsigned char a, unsigned char b) noexcept {
    return (a * 3u + b) % buckets;
  }

  explicit constexpr KeyWords(const std::array<std::string_view, N>& known) : names(known) {
    for (auto& b : bucket) b = {empty, empty};
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t len = names[i].size() + 1;  // with the closing quote
      if (names[i].size() < 2 || len > 8 * words) throw std::length_error("a key name KeyWords cannot hold");
      used[i] = static_cast<std::uint8_t>((len + 7) / 8);
      for (std::size_t k = 0; k < len; ++k) {
        const auto c =
            static_cast<std::uint64_t>(static_cast<unsigned char>(k + 1 < len ? names[i][k] : '"'));
        const std::size_t shift = std::endian::native == std::endian::little ? 8 * (k % 8) : 8 * (7 - k % 8);
        bytes[i][k / 8] |= c << shift;
        mask[i][k / 8] |= std::uint64_t{0xFF} << shift;
      }
      auto& b =
          bucket[bucket_of(static_cast<unsigned char>(names[i][0]), static_cast<unsigned char>(names[i][1]))];
      if (b[0] == empty) {
        b[0] = static_cast<std::uint8_t>(i);
      } else if (b[1] == empty) {
        b[1] = static_cast<std::uint8_t>(i);
      } else {
        throw std::length_error("three key names in one KeyWords bucket");
      }
    }
  }
  /// Whether the raw key at `p` (after its opening quote; 8 * words bytes
  /// readable) is name `i`.
  [[nodiscard]] bool is(std::size_t i, const char* p) const noexcept {
    static_assert(words == 3);  // unrolled: no loop for the one or two words of most names
    if ((load64(p) & mask[i][0]) != bytes[i][0]) return false;
    if (used[i] == 1) return true;
    if ((load64(p + 8) & mask[i][1]) != bytes[i][1]) return false;
    return used[i] == 2 || (load64(p + 16) & mask[i][2]) == bytes[i][2];
  }
  /// The index of the name the raw key at `p` is, or N when it is none of
  /// them as written (it may still be one, escaped).
  [[nodiscard]] std::size_t find(const char* p) const noexcept {
    const auto& b = bucket[bucket_of(static_cast<unsigned char>(p[0]), static_cast<unsigned char>(p[1]))];
    if (b[0] != empty && is(b[0], p)) return b[0];
    if (b[1] != empty && is(b[1], p)) return b[1];
    return N;
  }
};

/// The fields of an object still to read: from `it` on, the fields of the
/// bits in `seen` (indexes into the object kind's names) read already.
struct FieldsLeft {
  od::object_iterator it;
  std::uint32_t seen = 0;
};

/// All the fields of `obj` (which no one has started to read).
inline FieldsLeft all_fields(od::object& obj) {
  FieldsLeft rest;
  check(obj.begin().get(rest.it));
  return rest;
}

/// Calls `fn(index, value)` for each known field of an object left in
/// `rest`, once each; rejects duplicate keys (the fields of `rest.seen`
/// included) and validates (then ignores) unknown ones. The index is the
/// name's in `words.names`. A key not found by its words (escaped, or
/// unknown) is looked for the slow way. Returns the fields seen.
template <std::size_t N, class Fn>
std::uint32_t for_each_field(FieldsLeft rest, const KeyWords<N>& words, KeySet& unknown,
                             const FieldRef& parent, const char* line_end, Fn&& fn) {
  static_assert(N <= 32);
  const auto& names = words.names;
  std::uint32_t seen = rest.seen;
  unknown.clear();
  // An object iterator compares unequal to any other while its object has fields left.
  for (auto& it = rest.it; it != od::object_iterator{}; ++it) {
    od::field fld;
    check((*it).get(fld));
    const char* raw = fld.key().raw();
    std::size_t i = words.find(raw);
    std::string_view key;
    if (i == N) [[unlikely]] {
      key = field_key(fld, line_end);
      i = 0;
      while (i < N && names[i] != key) ++i;
    }
    auto where = [&](std::string_view k) {
      k = key_name(k);
      return parent.name.empty() ? FieldRef{k} : FieldRef{parent.name, parent.index, k};
    };
    if (i == N) {
      if (!unknown.insert(key)) fail(where(key), std::string(duplicate_key));
      consume(fld.value(), where(key));
      continue;
    }
    const std::uint32_t bit = 1u << i;
    if (seen & bit) [[unlikely]]
      fail(where(names[i]), std::string(duplicate_key));
    seen |= bit;
    fn(i, fld.value());
  }
  return seen;
}

// The known names of each object kind, matched by word (KeyWords).
constexpr KeyWords trigger_keys{trigger_fields};
constexpr KeyWords reading_keys{reading_fields};
constexpr KeyWords exercise_keys{exercise_fields};
constexpr KeyWords thought_keys{thought_fields};
constexpr KeyWords assessment_keys{assessment_fields};
constexpr KeyWords header_keys{header_fields};
constexpr KeyWords emotion_keys{emotion_fields};

// The fast path's scanner: a hand-written reader of the usual line, with no
// simdjson in it. Each function takes only what it fully knows (strings
// without escapes, small integers, the literals) and returns false for
// anything else; the line then goes to the simdjson path, which decides
// about it, its errors included. So a line this scanner accepts must be one
// that path accepts with the same values: the bytes it takes are checked as
// stage 1 and the getters above check them.

/// A cursor over the bytes `[p, e)` from a line's start (`e`: the end of
/// the lines read); up to 24 bytes past `e` are readable (the input's
/// padding). A line break ends a line: it is no blank here, and no value
/// holds one.
struct Scan {
  const char* p;
  const char* e;

  static constexpr bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }
  [[gnu::always_inline]] void skip_blanks() noexcept {
    while (p < e && blank(*p)) [[unlikely]]++ p;
  }
  /// Past the next byte if it is `c` (after blanks).
  [[gnu::always_inline]] bool eat(char c) noexcept {
    if (p < e && *p == c) [[likely]] {
      ++p;
      return true;
    }
    skip_blanks();
    if (p < e && *p == c) {
      ++p;
      return true;
    }
    return false;
  }
  /// Whether a number or literal may end before `q` (the next byte is a
  /// blank or a structural character that may follow a value).
  [[nodiscard]] bool ends_at(const char* q) const noexcept {
    return q < e && (*q == ',' || *q == '}' || *q == ']' || blank(*q));
  }

  /// The bytes at `s` before the first quote, backslash, control character
  /// or byte above 0x7F: `n` or more when the first `n` bytes hold none.
  /// Sixteen bytes a step (eight without SSE2); reads up to 15 bytes past `n`.
  [[gnu::always_inline]] static std::size_t plain(const char* s, std::size_t n) noexcept {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    for (; i < n; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      // As signed bytes, those below 0x20 are the control characters and
      // the bytes above 0x7F.
      const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                        _mm_cmplt_epi8(x, space));
      const auto m = static_cast<unsigned>(_mm_movemask_epi8(stop));
      if (m != 0) return i + static_cast<std::size_t>(std::countr_zero(m));
    }
#else
    if constexpr (std::endian::native == std::endian::little) {
      constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
      for (; i < n; i += 8) {
        const std::uint64_t w = load64(s + i);
        const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        // A byte's high bit for: a zero of q or b (a quote, a backslash), a
        // byte below 0x20 (it borrows), a byte above 0x7F. Above a true
        // one, borrows may set more; the lowest is exact.
        const std::uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w) & highs;
        if (m != 0) return i + static_cast<std::size_t>(std::countr_zero(m)) / 8;
      }
    } else {
      for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\' || c < 0x20 || c > 0x7F) return i;
      }
    }
#endif
    return i;
  }

  /// The rest of a string whose opening quote is behind: the bytes up to
  /// its closing quote, which it moves past; none may be an escape or a
  /// control character, and they must be UTF-8.
  [[gnu::always_inline]] bool string_rest(std::string_view& out) noexcept {
    const auto n = static_cast<std::size_t>(e - p);
    std::size_t k = plain(p, n);
    if (k >= n) [[unlikely]]
      return false;
    if (p[k] != '"') [[unlikely]] {
      if (!non_ascii(k)) return false;
    }
    out = std::string_view(p, k);
    p += k + 1;
    return true;
  }
  /// `string_rest` from a byte at `k` that is not a quote: true (`k` at the
  /// closing quote) for a byte above 0x7F and the rest of a string of UTF-8.
  [[gnu::noinline]] bool non_ascii(std::size_t& k) const noexcept {
    const auto n = static_cast<std::size_t>(e - p);
    if (static_cast<unsigned char>(p[k]) < 0x80) return false;  // an escape or a control character
    for (; k < n && p[k] != '"'; ++k) {
      if (p[k] == '\\' || static_cast<unsigned char>(p[k]) < 0x20) return false;
    }
    return k < n && simdjson::validate_utf8(p, k);
  }
  /// A string without escapes (after blanks): the bytes between its quotes,
  /// UTF-8 checked, no control character.
  [[gnu::always_inline]] bool string(std::string_view& out) noexcept {
    return eat('"') && string_rest(out);
  }
  /// A JSON integer within [lo, hi] of up to four digits, not negative (after blanks).
  bool integer(std::int64_t lo, std::int64_t hi, std::int64_t& out) noexcept {
    skip_blanks();
    std::int64_t x = 0;
    const char* q = p;
    if (q < e && *q == '0') {
      ++q;
    } else {
      for (; q < e && q - p < 5 && static_cast<unsigned>(*q - '0') <= 9; ++q) x = 10 * x + (*q - '0');
      if (q == p || q - p > 4) return false;
    }
    if (!ends_at(q) || x < lo || x > hi) return false;
    out = x;
    p = q;
    return true;
  }
  /// A JSON number, not negative, of up to 15 digits and no exponent
  /// (`12`, `24.4`), as the double nearest to it: the digits as an integer,
  /// exact in a double, divided by an exact power of ten, one correctly
  /// rounded division (what simdjson's parse gives too).
  bool decimal(double& out) noexcept {
    skip_blanks();
    std::uint64_t m = 0;
    const char* q = p;
    int digits = 0, fraction = 0;
    if (q < e && *q == '0') {
      ++q;
      digits = 1;
    } else {
      for (; q < e && static_cast<unsigned>(*q - '0') <= 9 && digits <= 15; ++q, ++digits)
        m = 10 * m + static_cast<unsigned>(*q - '0');
      if (digits == 0) return false;
    }
    if (q < e && *q == '.') {
      ++q;
      for (; q < e && static_cast<unsigned>(*q - '0') <= 9 && digits <= 15; ++q, ++digits, ++fraction)
        m = 10 * m + static_cast<unsigned>(*q - '0');
      if (fraction == 0) return false;
    }
    if (digits > 15 || !ends_at(q)) return false;
    static constexpr std::array<double, 16> powers{1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    out = static_cast<double>(m) / powers[static_cast<std::size_t>(fraction)];
    p = q;
    return true;
  }
  /// `true` or `false` (after blanks).
  bool boolean(bool& out) noexcept {
    skip_blanks();
    if (e - p >= 4 && std::memcmp(p, "true", 4) == 0 && ends_at(p + 4)) {
      out = true;
      p += 4;
      return true;
    }
    if (e - p >= 5 && std::memcmp(p, "false", 5) == 0 && ends_at(p + 5)) {
      out = false;
      p += 5;
      return true;
    }
    return false;
  }
  /// Any scalar (the value of a field calmkit ignores): a string as above,
  /// a number by JSON's grammar, true, false or null.
  bool scalar() noexcept {
    skip_blanks();
    if (p >= e) return false;
    if (*p == '"') {
      std::string_view s;
      return string(s);
    }
    const char* q = p;
    while (q < e && !ends_at(q) && *q != '\n') ++q;
    const std::string_view token(p, static_cast<std::size_t>(q - p));
    if (token == "true" || token == "false" || token == "null" || is_json_number(token)) {
      p = q;
      return q < e;
    }
    return false;
  }
  /// A list of strings as above (after blanks), each passed to `fn`, which
  /// may refuse it.
  template <class Fn>
  bool list(Fn&& fn) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      if (!fn()) return false;
    } while (eat(','));
    return eat(']');
  }
  bool strings(std::vector<std::string_view>& out) {
    return list([&] {
      std::string_view s;
      if (!string(s)) return false;
      out.push_back(s);
      return true;
    });
  }
};

/// Reads the fields of one object `{...}` (after blanks) with `fn(index,
/// scan)` for each known one (false: refused), the index into `words.names`;
/// each once, the `required` ones all there. Another key is taken when its
/// value is a scalar and it is there once. `TypeAt`: the known field 0 is
/// `type`, whose value must be the string at `type_at` (found before).
template <bool TypeAt, std::size_t N, class Fn>
bool scan_object(Scan& s, const KeyWords<N>& words, std::uint32_t required, const char* type_at, Fn&& fn) {
  if (!s.eat('{')) return false;
  std::array<std::string_view, 4> unknown;
  std::size_t n_unknown = 0;
  std::uint32_t seen = 0;
  do {
    if (!s.eat('"')) return false;
    // A known key as the simdjson path matches it (`KeyWords`): its name
    // and the closing quote; anything else is read as a string.
    std::size_t i = words.find(s.p);
    std::string_view key;
    if (i != N) [[likely]] {
      s.p += words.names[i].size() + 1;
      if (s.p > s.e) return false;
    } else if (!s.string_rest(key)) {
      return false;
    }
    if (!s.eat(':')) return false;
    if (i == N) {
      for (std::size_t k = 0; k < n_unknown; ++k) {
        if (unknown[k] == key) return false;
      }
      if (n_unknown == unknown.size()) return false;
      unknown[n_unknown++] = key;
      if (!s.scalar()) return false;
      continue;
    }
    const std::uint32_t bit = 1u << i;
    if ((seen & bit) != 0) return false;
    seen |= bit;
    if constexpr (TypeAt) {
      if (i == 0) {
        std::string_view type;
        if (!s.string(type) || type.data() != type_at) return false;
        continue;
      }
    }
    if (!fn(i, s)) return false;
  } while (s.eat(','));
  return s.eat('}') && (required & ~seen) == 0;
}

}  // namespace
}  // namespace calmkit::detail::jsonl
