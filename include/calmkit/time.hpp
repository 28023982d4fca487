/// @file time.hpp
/// @brief UTC instants that keep the person's UTC offset, and their local calendar.
///
/// calmkit stores every moment as a UTC instant (microseconds since the Unix
/// epoch) together with the UTC offset the person's clock showed at that moment.
/// The instant orders events across people and time zones; the offset recovers
/// the wall clock ("2 a.m.") and the local date that the metrics count by.
/// Dates and wall times are Boost.Date_Time's (`boost::gregorian`,
/// `boost::posix_time`); day counting is calendar.hpp's.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>

#include <calmkit/calendar.hpp>
#include <calmkit/errors.hpp>

#include <bit>
#include <charconv>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace calmkit {

/// Microseconds, the resolution of every calmkit time.
using Duration = std::chrono::microseconds;

namespace detail {

/// The years a journal holds, 1400-01-01 .. 9999-12-31 (Boost's range): the
/// year rule's bounds, from which its text (`year_rule`) is made.
inline constexpr int min_year = 1400;
inline constexpr int max_year = 9999;
/// The largest magnitude of a UTC offset, 23:59 (in minutes): `UtcOffset`'s
/// bound, from which the offset rule's text (`offset_rule`) is made.
inline constexpr int max_offset_minutes = 23 * 60 + 59;

/// A rule's text made at compile time from its bounds, so that the words and
/// the numbers the rule checks cannot drift apart: a NUL-terminated string of
/// at most 63 characters.
struct RuleText {
  char text[64] = {};
  std::size_t size = 0;

  constexpr RuleText& operator<<(std::string_view s) {
    for (const char c : s) text[size++] = c;
    return *this;
  }
  /// A number >= 0, with at least `width` digits (leading zeros).
  constexpr RuleText& digits(int v, int width = 1) {
    char buf[12] = {};
    int n = 0;
    do {
      buf[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 || n < width);
    while (n > 0) text[size++] = buf[--n];
    return *this;
  }
  [[nodiscard]] constexpr std::string_view view() const { return {text, size}; }
};

/// The rule of a UTC offset, in the one wording every entry point uses (the
/// timestamp parser's reason, UtcOffset, POSIX TZ rules, the Python
/// bindings): `UTC offset must be within -23:59..+23:59`.
inline constexpr RuleText offset_rule_text = [] {
  RuleText t;
  t << "UTC offset must be within -";
  t.digits(max_offset_minutes / 60, 2) << ":";
  t.digits(max_offset_minutes % 60, 2) << "..+";
  t.digits(max_offset_minutes / 60, 2) << ":";
  t.digits(max_offset_minutes % 60, 2);
  return t;
}();
/// `offset_rule_text` as a view (NUL-terminated).
inline constexpr std::string_view offset_rule = offset_rule_text.view();

/// The rule of a year (min_year..max_year), in the one wording every entry
/// point uses: `year must be 1400..9999`.
inline constexpr RuleText year_rule_text = [] {
  RuleText t;
  t << "year must be ";
  t.digits(min_year) << "..";
  t.digits(max_year);
  return t;
}();
/// `year_rule_text` as a view (NUL-terminated).
inline constexpr std::string_view year_rule = year_rule_text.view();

/// `offset_rule` with a value of the wrong kind, as the JSON reader words it
/// (`true/false`, `8.5`): "..., got 8.5".
inline std::string offset_out_of_range(std::string_view got) {
  return std::string(offset_rule) + ", got " + std::string(got);
}
/// `offset_rule` with the value that broke it: "..., got 1440 minutes".
inline std::string offset_out_of_range(long long minutes) {
  return offset_out_of_range(std::to_string(minutes) + " minutes");
}
/// `year_rule` with the value that broke it: "..., got 10000".
inline std::string year_out_of_range(long long year) {
  return std::string(year_rule) + ", got " + std::to_string(year);
}
/// `year_rule` for a time given as a UTC instant and an offset (a column of
/// microseconds), whose year is that of its wall clock:
/// "year must be 1400..9999 (at its UTC offset)".
inline std::string year_out_of_range_at_offset() {
  return std::string(year_rule) + " (at its UTC offset)";
}

}  // namespace detail

/// A UTC offset in whole minutes, `[-1439, 1439]` (that is -23:59 to +23:59,
/// the range RFC 3339 can write).
class UtcOffset {
 public:
  /// Largest magnitude an offset may have: 1439 minutes (23:59).
  static constexpr int max_minutes = detail::max_offset_minutes;

  constexpr UtcOffset() noexcept = default;

  /// @throws std::out_of_range when `minutes` is outside `[-1439, 1439]`.
  constexpr explicit UtcOffset(int minutes) : minutes_(check(minutes)) {}

  /// The non-throwing check for hot paths.
  [[nodiscard]] static constexpr std::optional<UtcOffset> make(int minutes) noexcept {
    if (minutes < -max_minutes || minutes > max_minutes) return std::nullopt;
    UtcOffset o;
    o.minutes_ = static_cast<std::int16_t>(minutes);
    return o;
  }

  /// The offset in minutes, [-1439, 1439] (east of UTC is positive).
  [[nodiscard]] constexpr int minutes() const noexcept { return minutes_; }
  /// The offset as a `std::chrono` duration.
  [[nodiscard]] constexpr Duration duration() const noexcept { return std::chrono::minutes(minutes_); }

  /// `+01:00`, `-05:30`, or `Z` for zero when `z_for_utc` is set.
  [[nodiscard]] std::string to_string(bool z_for_utc = true) const {
    if (minutes_ == 0 && z_for_utc) return "Z";
    const int m = minutes_ < 0 ? -minutes_ : minutes_;
    std::string s(6, '0');
    s[0] = minutes_ < 0 ? '-' : '+';
    s[1] = static_cast<char>('0' + m / 600);
    s[2] = static_cast<char>('0' + (m / 60) % 10);
    s[3] = ':';
    s[4] = static_cast<char>('0' + (m % 60) / 10);
    s[5] = static_cast<char>('0' + m % 10);
    return s;
  }

  /// Offsets order by their value in minutes.
  friend constexpr auto operator<=>(UtcOffset, UtcOffset) = default;

 private:
  static constexpr std::int16_t check(int minutes) {
    if (minutes < -max_minutes || minutes > max_minutes) {
      detail::throw_out_of_range(detail::offset_out_of_range(minutes));
    }
    return static_cast<std::int16_t>(minutes);
  }

  std::int16_t minutes_ = 0;  // [-1439, 1439]
};

/// A wall-clock reading: the local date and time the person saw. Distinct from
/// `Instant` on purpose: it has no offset and cannot be ordered against other
/// people's instants.
class LocalDateTime {
 public:
  /// Wraps a wall-clock date and time (no offset attached).
  explicit LocalDateTime(boost::posix_time::ptime wall) : wall_(wall) {}
  /// The wall-clock date and time as a Boost ptime.
  [[nodiscard]] boost::posix_time::ptime ptime() const { return wall_; }
  /// The wall-clock calendar date.
  [[nodiscard]] boost::gregorian::date date() const { return wall_.date(); }
  /// Hour of the day, [0, 23].
  [[nodiscard]] int hour() const { return static_cast<int>(wall_.time_of_day().hours()); }
  /// Minutes since local midnight, [0, 1439].
  [[nodiscard]] int minute_of_day() const {
    const auto tod = wall_.time_of_day();
    return static_cast<int>(tod.hours() * 60 + tod.minutes());
  }
  /// Equal when date and time of day match exactly.
  friend bool operator==(const LocalDateTime&, const LocalDateTime&) = default;

 private:
  boost::posix_time::ptime wall_;
};

namespace detail {

/// Day number of 1970-01-01 in Boost's (Julian) day count.
inline std::int64_t unix_epoch_day_number() {
  static const std::int64_t n = static_cast<std::int64_t>(boost::gregorian::date(1970, 1, 1).day_number());
  return n;
}

inline constexpr std::int64_t us_per_day = 86'400'000'000LL;

}  // namespace detail

/// Why an RFC 3339 string did not parse (for the non-throwing parser).
struct TimeParseError {
  /// What was wrong with the text, for an error message.
  std::string reason;
};

/// A moment in time: a UTC instant plus the UTC offset of the person's clock.
///
/// Two instants are equal only if both the moment and the offset are equal, so
/// that writing then reading a journal gives back the same local times. They
/// order by the moment first.
///
/// Example
/// ```cpp
/// auto t = calmkit::Instant::parse("2026-03-02T21:14:00+01:00");
/// t.utc_us();            // 1772482440000000 (20:14 UTC)
/// t.local().hour();          // 21
/// t.to_string();             // "2026-03-02T21:14:00+01:00"
/// ```
class Instant {
 public:
  constexpr Instant() noexcept = default;

  /// From microseconds since 1970-01-01T00:00:00Z and the local offset.
  [[nodiscard]] static constexpr Instant from_utc_us(std::int64_t us, UtcOffset offset = {}) noexcept {
    Instant t;
    t.utc_us_ = us;
    t.offset_ = offset;
    return t;
  }

  /// From a UTC `ptime` and the local offset.
  [[nodiscard]] static Instant from_utc(boost::posix_time::ptime utc, UtcOffset offset = {}) {
    if (utc.is_special()) detail::throw_invalid("Instant::from_utc: not a date-time");
    const auto since = utc - epoch_ptime();
    return from_utc_us(static_cast<std::int64_t>(since.total_microseconds()), offset);
  }

  /// Deprecated spelling of `from_utc_us()`.
  [[deprecated("use from_utc_us()")]] [[nodiscard]] static constexpr Instant from_utc_micros(  // deprecated
      std::int64_t us, UtcOffset offset = {}) noexcept {
    return from_utc_us(us, offset);
  }

  /// From a local wall clock and the offset it had.
  [[nodiscard]] static Instant from_local(const LocalDateTime& wall, UtcOffset offset) {
    return from_utc(wall.ptime() - boost::posix_time::minutes(offset.minutes()), offset);
  }

  /// Parses an RFC 3339 date-time with an offset (`Z`, `+hh:mm`, `-hh:mm`).
  /// Fractional seconds may have any number of digits (RFC 3339 section 5.6);
  /// they are kept to the microsecond, and digits past the sixth are dropped
  /// (the instant is truncated, as Python's `datetime.fromisoformat` does).
  /// @throws std::invalid_argument naming what is wrong.
  [[nodiscard]] static Instant parse(std::string_view text) {
    TimeParseError err;
    auto t = try_parse(text, &err);
    if (!t) detail::throw_invalid(invalid_reason(text, err));
    return *t;
  }

  /// The reason `text` is refused as a time: `invalid time 'TEXT': WHY`, with
  /// `try_parse`'s reason. The one text of this rule: `parse`, the journal
  /// reader, the store and the Arrow bridge's text columns all use it.
  [[nodiscard]] static std::string invalid_reason(std::string_view text, const TimeParseError& why) {
    return "invalid time " + detail::quote(text) + ": " + why.reason;
  }

  /// Non-throwing parse; on failure fills `err` (when given) and returns nullopt.
  [[nodiscard]] static std::optional<Instant> try_parse(std::string_view s,
                                                        TimeParseError* err = nullptr) noexcept;

  /// Microseconds since 1970-01-01T00:00Z.
  [[nodiscard]] constexpr std::int64_t utc_us() const noexcept { return utc_us_; }
  /// Deprecated spelling of `utc_us()` (one name per concept: the unit suffix `_us`).
  [[deprecated("use utc_us()")]] [[nodiscard]] constexpr std::int64_t utc_micros() const noexcept {
    return utc_us_;
  }
  /// The UTC offset the moment was recorded with.
  [[nodiscard]] constexpr UtcOffset offset() const noexcept { return offset_; }

  /// The same moment seen with another offset.
  [[nodiscard]] constexpr Instant with_offset(UtcOffset o) const noexcept { return from_utc_us(utc_us_, o); }

  /// Microseconds since the Unix epoch in the person's local time (UTC + offset).
  [[nodiscard]] constexpr std::int64_t local_us() const noexcept {
    return utc_us_ + static_cast<std::int64_t>(offset_.minutes()) * 60'000'000LL;
  }
  /// Deprecated spelling of `local_us()`.
  [[deprecated("use local_us()")]] [[nodiscard]] constexpr std::int64_t local_micros() const noexcept {
    return local_us();
  }

  /// The moment as a UTC Boost ptime.
  [[nodiscard]] boost::posix_time::ptime utc() const {
    return epoch_ptime() + boost::posix_time::microseconds(utc_us_);
  }
  /// The person's wall-clock date and time (UTC + offset).
  [[nodiscard]] LocalDateTime local() const {
    return LocalDateTime(epoch_ptime() + boost::posix_time::microseconds(local_us()));
  }
  /// The calendar date of the person's wall clock.
  [[nodiscard]] boost::gregorian::date local_date() const {
    return day_to_date(detail::floor_div(local_us(), detail::us_per_day));
  }

  /// Days since 1970-01-01 of the local date (negative before 1970).
  [[nodiscard]] std::int64_t local_day() const noexcept {
    return detail::floor_div(local_us(), detail::us_per_day);
  }

  /// RFC 3339 text with the offset kept; fractional seconds only when non-zero.
  [[nodiscard]] std::string to_string() const;

  /// Later by `d`; the offset is kept.
  friend constexpr Instant operator+(Instant t, Duration d) noexcept {
    return from_utc_us(t.utc_us_ + d.count(), t.offset_);
  }
  /// Earlier by `d`; the offset is kept.
  friend constexpr Instant operator-(Instant t, Duration d) noexcept {
    return from_utc_us(t.utc_us_ - d.count(), t.offset_);
  }
  /// Time from `b` to `a`, microseconds (the offsets do not matter).
  friend constexpr Duration operator-(Instant a, Instant b) noexcept {
    return Duration(a.utc_us_ - b.utc_us_);
  }

  /// Equal when both the moment and the offset match.
  friend constexpr bool operator==(Instant, Instant) = default;
  /// Orders by the moment, then by offset (so that the order is total).
  friend constexpr std::strong_ordering operator<=>(Instant a, Instant b) noexcept {
    if (auto c = a.utc_us_ <=> b.utc_us_; std::is_neq(c)) return c;
    return a.offset_.minutes() <=> b.offset_.minutes();
  }

  /// 1970-01-01T00:00:00 as a `ptime`.
  static boost::posix_time::ptime epoch_ptime() {
    static const boost::posix_time::ptime e(boost::gregorian::date(1970, 1, 1));
    return e;
  }
  /// Days since 1970-01-01 -> calendar date.
  static boost::gregorian::date day_to_date(std::int64_t day) {
    return boost::gregorian::date(
        static_cast<boost::gregorian::date::date_int_type>(day + detail::unix_epoch_day_number()));
  }
  /// Calendar date -> days since 1970-01-01.
  static std::int64_t date_to_day(boost::gregorian::date d) {
    return static_cast<std::int64_t>(d.day_number()) - detail::unix_epoch_day_number();
  }

 private:
  std::int64_t utc_us_ = 0;  // microseconds since 1970-01-01T00:00:00Z
  UtcOffset offset_{};
};

/// The Monday that starts the ISO week holding `d`.
[[nodiscard]] inline boost::gregorian::date iso_week_start(boost::gregorian::date d) {
  const int dow = d.day_of_week().as_number();  // 0 = Sunday .. 6 = Saturday
  const int since_monday = (dow + 6) % 7;       // [0, 6]
  return d - boost::gregorian::days(since_monday);
}

/// The first day of the month holding `d`.
[[nodiscard]] inline boost::gregorian::date month_start(boost::gregorian::date d) {
  return {d.year(), d.month(), 1};
}

// ---------------------------------------------------------------------------
// Implementation

namespace detail {

inline bool parse_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

/// The fixed part of an RFC 3339 time, `YYYY-MM-DDThh:mm:ss` (the first 19
/// of `p`'s bytes, all readable), read eight bytes at a time: its fields
/// when every digit is a digit, the separators are `-`, `T` and `:`. False
/// for anything else (`t` or a space between date and time too): the caller
/// then reads it byte by byte, which gives the reason. Ranges not checked.
inline bool parse_fixed_time(const char* p, int& year, int& month, int& day, int& hour, int& minute,
                             int& second) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    return false;
  } else {
    // Whether the bytes of `w` under `digit` are ASCII digits and the others
    // are `seps`, and `w` with '0' taken from every byte.
    auto check = [](std::uint64_t w, std::uint64_t digit, std::uint64_t seps, std::uint64_t& d) {
      constexpr std::uint64_t zeros = 0x3030303030303030ull, highs = 0xF0F0F0F0F0F0F0F0ull;
      const std::uint64_t x = (w & digit) | (zeros & ~digit);  // separators read as '0'
      // A byte is a digit when its high nibble is 3 and adding 6 keeps it so.
      const bool digits =
          ((x & highs) | (((x + 0x0606060606060606ull) & highs) >> 4)) == 0x3333333333333333ull;
      d = x - zeros;  // no borrow: every byte is at least '0'
      return digits && (w & ~digit) == seps;
    };
    std::uint64_t a = 0, b = 0, c = 0, da = 0, db = 0, dc = 0;
    std::memcpy(&a, p, 8);       // YYYY-MM-
    std::memcpy(&b, p + 8, 8);   // DDThh:mm
    std::memcpy(&c, p + 11, 8);  // hh:mm:ss
    if (!check(a, 0x00FFFF00FFFFFFFFull, 0x2D00002D00000000ull, da) ||
        !check(b, 0xFFFF00FFFF00FFFFull, 0x00003A0000540000ull, db) ||
        !check(c, 0xFFFF00FFFF00FFFFull, 0x00003A00003A0000ull, dc)) {
      return false;
    }
    // Two digits into one byte: byte i of `d * 10 + (d >> 8)` is
    // 10 * d[i] + d[i + 1] (at most 99, so no byte carries into the next).
    auto pairs = [](std::uint64_t d) { return d * 10 + (d >> 8); };
    auto at = [](std::uint64_t d, int i) { return static_cast<int>((d >> (8 * i)) & 0xFF); };
    const std::uint64_t pa = pairs(da), pc = pairs(dc);
    year = at(pa, 0) * 100 + at(pa, 2);
    month = at(pa, 5);
    day = at(pairs(db), 0);
    hour = at(pc, 0);
    minute = at(pc, 3);
    second = at(pc, 6);
    return true;
  }
}

inline void put2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

/// Whether an instant, as UTC microseconds and its offset in minutes, falls
/// in the years min_year..max_year on the clock of its offset: the year rule
/// (`year_rule`) for the entry points that take times as numbers (the Arrow
/// bridge, cohort columns), as `Instant::try_parse` applies it to text. Any
/// int64 is safe to ask about.
inline bool in_year_range(std::int64_t time_us, int offset_minutes) noexcept {
  // Constants (not function-local statics, whose guard every call would
  // test), and one unsigned compare without a branch: this runs once per row
  // of cohort columns.
  constexpr std::int64_t lo = calendar::days_from_civil(min_year, 1, 1) * us_per_day;  // local, inclusive
  constexpr std::int64_t hi = (calendar::days_from_civil(max_year, 12, 31) + 1) * us_per_day;  // exclusive
  // local − lo, wrapping modulo 2^64 (never undefined): for any int64 time and
  // int offset the true difference lies strictly between −2^64 + (hi − lo)
  // and 2^64, so the wrapped one is below hi − lo exactly when lo <= local < hi.
  const std::uint64_t from_lo = static_cast<std::uint64_t>(time_us) +
                                static_cast<std::uint64_t>(std::int64_t{offset_minutes} * 60'000'000) -
                                static_cast<std::uint64_t>(lo);
  return from_lo < static_cast<std::uint64_t>(hi - lo);
}

/// Eight bytes from `p` as one word, the first byte lowest.
inline std::uint64_t load_word(const char* p) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

/// The high bit of every byte of `x` (`x` as bytes, each XORed with what its
/// place should hold) that is above its limit: a byte's `add` is 0x7F minus
/// its limit (0x76 for a digit, 0..9; 0x7F for a separator, which must be 0).
/// Zero exactly when every byte is within its limit: below the lowest byte
/// above it no byte carries, and that byte either has its high bit set or
/// gets it from the addition.
inline std::uint64_t over_limits(std::uint64_t x, std::uint64_t add) noexcept {
  return ((x + add) | x) & 0x8080808080808080ull;
}

/// Two digits into one byte: byte i of the result is 10 * d[i] + d[i + 1]
/// (at most 99, so no byte carries into the next).
inline std::uint64_t digit_pairs(std::uint64_t d) noexcept {
  return d * 10 + (d >> 8);
}

/// The number written by eight digit values (one per byte, the first byte the
/// most significant; a zero byte reads as the digit 0).
inline std::uint64_t eight_digits(std::uint64_t d) noexcept {
  d = digit_pairs(d);  // 2-digit numbers in bytes 0, 2, 4, 6
  constexpr std::uint64_t mask = 0x000000FF000000FFull;
  constexpr std::uint64_t mul1 = 100 + (1'000'000ull << 32);
  constexpr std::uint64_t mul2 = 1 + (10'000ull << 32);
  return (((d & mask) * mul1) + (((d >> 16) & mask) * mul2)) >> 32;
}

/// Days since 1970-01-01 of a valid date of the years 1..9999, by Neri and
/// Schneider's "Euclidean affine functions" (2022): unsigned arithmetic,
/// no table. Equal to calendar::days_from_civil there (test_time checks
/// every day of min_year..max_year).
inline std::int64_t days_from_civil_positive(unsigned year, unsigned month, unsigned day) noexcept {
  const unsigned j = month <= 2 ? 1 : 0;  // January and February count with the year before
  const unsigned y = year - j, m = month + 12 * j, c = y / 100;
  const unsigned y_star = 1461 * y / 4 - c + c / 4, m_star = (979 * m - 2919) / 32;
  return static_cast<std::int64_t>(y_star + m_star + day - 1) - 719468;
}

/// `Instant::try_parse` for the shapes journals carry, a word at a time:
/// `YYYY-MM-DDThh:mm:ss`, a fraction of 1 to 6 digits or none, then `Z` or
/// `+hh:mm`/`-hh:mm`. True with the instant in `out` only when `s` is such a
/// time and valid (the same instant `parse_time_general` gives); false for
/// anything else, valid or not (`t`, `z` or a space, 7 or more fraction
/// digits, a wrong field): the general parser then decides and gives the
/// reason. Always inlined: the reader calls it once per record.
[[gnu::always_inline]] inline bool parse_time_fast(std::string_view s, Instant& out) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    return false;
  } else {
    const std::size_t n = s.size();
    if (n < 20) return false;  // shorter than YYYY-MM-DDThh:mm:ssZ
    const char* p = s.data();
    // Each byte XORed with what its place holds: a digit's value, or 0 for the
    // right separator. The limits: 9 for a digit, but 1 for the month's tens,
    // 3 for the day's, 2 for the hour's and 5 for the minute's and second's
    // (so that minutes and seconds are <= 59); 0 for a separator.
    const std::uint64_t a = load_word(p) ^ 0x2D30302D30303030ull;       // YYYY-MM-
    const std::uint64_t b = load_word(p + 8) ^ 0x30303A3030543030ull;   // DDThh:mm
    const std::uint64_t c = load_word(p + 11) ^ 0x30303A30303A3030ull;  // hh:mm:ss
    std::uint64_t bad = over_limits(a, 0x7F767E7F76767676ull) | over_limits(b, 0x767A7F767D7F767Cull) |
                        over_limits(c, 0x767A7F767A7F767Dull);
    // hh * 3600 + mm * 60 + ss: hh, mm and ss are bytes 0, 3 and 6 of the
    // digit pairs of `c`, and land added in bits 48..64 of their product with
    // 3600 << 48 | 60 << 24 | 1 (below them, hh * 60 + mm and hh stay under
    // bit 48; above, the other products start at bit 72).
    __extension__ using u128 = unsigned __int128;  // a GCC/Clang extension, hence the marker
    const u128 hh_mm_ss = digit_pairs(c) & 0x00FF0000FF0000FFull;
    const std::uint64_t second_of_day =
        static_cast<std::uint64_t>((hh_mm_ss * ((3600ull << 48) | (60ull << 24) | 1)) >> 48) & 0x1FFFF;
    // hh * 60 + mm of the offset likewise, from bytes 3 and 6.
    constexpr std::uint64_t hh_mm = 0x00FF0000FF000000ull, to_minutes = (60ull << 24) | 1;
    // The offset ends the text: `Z` or `+hh:mm`/`-hh:mm`.
    std::size_t end = n - 1;   // where the fraction (if any) ends
    std::uint64_t offset = 0;  // its size, minutes
    std::uint64_t west = 0;    // 1 for `-`
    if (p[n - 1] != 'Z') {
      if (n < 25) return false;
      // ..±hh:mm, XORed with ..+00:00 (the two bytes before the sign are read
      // elsewhere): the sign's byte is 0 for `+` and 6 for `-`, the only two
      // of 0..6 with bits 0 and 2 clear after adding 2. Limits: 6 for the
      // sign, 2 for hh's tens, 5 for mm's.
      const std::uint64_t z = (load_word(p + n - 8) ^ 0x30303A30302B0000ull) & ~0xFFFFull;
      bad |= over_limits(z, 0x767A7F767D790000ull) | ((z + 0x20000ull) & 0x50000ull);
      offset = ((digit_pairs(z) & hh_mm) * to_minutes) >> 48;
      west = (z >> 18) & 1;
      end = n - 6;
    }
    std::int64_t frac_us = 0;
    if (end == 23) [[likely]] {
      // `.fff`, the usual fraction.
      std::uint32_t w = 0;
      std::memcpy(&w, p + 19, 4);
      const std::uint32_t f = w ^ 0x3030302Eu;
      bad |= (((f + 0x7676767Fu) | f) & 0x80808080u);
      const std::uint32_t pf = f * 10 + (f >> 8);  // byte 1: 10 * d0 + d1
      frac_us = static_cast<std::int64_t>(((pf >> 8) & 0xFF) * 10 + (f >> 24)) * 1000;
    } else if (end != 19) {
      // `.` and 1..6 digits, the last eight bytes up to `end` (the bytes
      // before the `.` are read above).
      const std::size_t digits = end - 20;
      if (end < 21 || digits > 6) return false;
      const unsigned dot = static_cast<unsigned>(8 * (7 - digits));  // the `.`'s bit place
      const std::uint64_t keep = ~0ull << dot;
      const std::uint64_t f =
          (load_word(p + end - 8) & keep) ^ ((0x3030303030303030ull & keep) ^ (0x1Eull << dot));
      bad |= over_limits(f, (0x7676767676767676ull & keep) + (0x09ull << dot));
      static constexpr std::int64_t scale[7] = {0, 100'000, 10'000, 1'000, 100, 10, 1};
      frac_us = static_cast<std::int64_t>(eight_digits(f)) * scale[digits];
    }
    const std::uint64_t pa = digit_pairs(a);
    const unsigned year = static_cast<unsigned>((pa & 0xFF) * 100 + ((pa >> 16) & 0xFF));
    const unsigned month = static_cast<unsigned>((pa >> 40) & 0xFF);
    const unsigned day = static_cast<unsigned>(digit_pairs(b) & 0xFF);
    // hh <= 23 (mm and ss are <= 59) when the second of the day is below
    // 86400; the offset's hh likewise when its minutes are below 1440.
    if (bad != 0 || second_of_day >= 86'400 || offset >= 1440 || year < static_cast<unsigned>(min_year) ||
        month - 1 > 11)
      return false;
    if (day - 1 > 27) [[unlikely]] {
      // Days 29..31 exist in some months only.
      if (day == 0 || static_cast<int>(day) > calendar::days_in_month(year, static_cast<int>(month)))
        return false;
    }
    const std::int64_t offset_minutes =
        west != 0 ? -static_cast<std::int64_t>(offset) : static_cast<std::int64_t>(offset);
    const std::int64_t seconds = (days_from_civil_positive(year, month, day) * 1440 - offset_minutes) * 60 +
                                 static_cast<std::int64_t>(second_of_day);
    out = Instant::from_utc_us(seconds * 1'000'000 + frac_us,
                               *UtcOffset::make(static_cast<int>(offset_minutes)));
    return true;
  }
}

/// `Instant::try_parse` for any text: the RFC 3339 grammar byte by byte, with
/// the reason of a refusal in `err`. The one place its rules are written; the
/// fast path above takes a subset of what it takes.
inline std::optional<Instant> parse_time_general(std::string_view s, TimeParseError* err) noexcept {
  auto fail = [err](const char* why) -> std::optional<Instant> {
    if (err) {
      try {
        err->reason = why;
      } catch (...) {  // allocation failure: leave the reason empty
      }
    }
    return std::nullopt;
  };
  // YYYY-MM-DDTHH:MM:SS[.f+](Z|+hh:mm|-hh:mm)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (s.size() < 19) return fail("too short for YYYY-MM-DDThh:mm:ss");
  if (detail::parse_fixed_time(s.data(), year, month, day, hour, minute, second)) [[likely]] {
    // the usual shape, read by word
  } else if (!detail::parse_digits(s, 0, 4, year) || s[4] != '-' || !detail::parse_digits(s, 5, 2, month) ||
             s[7] != '-' || !detail::parse_digits(s, 8, 2, day)) {
    return fail("date must be YYYY-MM-DD");
  } else if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') {
    return fail("expected 'T' between date and time");
  } else if (!detail::parse_digits(s, 11, 2, hour) || s[13] != ':' ||
             !detail::parse_digits(s, 14, 2, minute) || s[16] != ':' ||
             !detail::parse_digits(s, 17, 2, second)) {
    return fail("time must be hh:mm:ss");
  }
  if (year < detail::min_year || year > detail::max_year) return fail(detail::year_rule.data());
  if (month < 1 || month > 12) return fail("month must be 01..12");
  if (day < 1 || day > calendar::days_in_month(year, month)) {
    return fail("day does not exist in that month");
  }
  if (hour > 23) return fail("hour must be 00..23");
  if (minute > 59) return fail("minute must be 00..59");
  if (second > 59) return fail("second must be 00..59 (leap seconds are not supported)");
  std::size_t pos = 19;
  std::int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      // Digits past the sixth are dropped (RFC 3339 allows any number; .NET's
      // round-trip format writes 7, Go's RFC3339Nano up to 9): the instant is
      // truncated to the microsecond, as Python's datetime.fromisoformat does.
      if (digits < 6) frac_us = frac_us * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (pos == start) return fail("expected digits after '.'");
    for (int i = digits; i < 6; ++i) frac_us *= 10;
  }
  if (pos >= s.size()) return fail("missing UTC offset (Z or +hh:mm): local times need their offset");
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    // The usual shape: `hh:mm` ends the text (two-digit fields with no loop).
    const auto digit = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]) - unsigned{'0'}; };
    if (s.size() - pos == 6 && s[pos + 3] == ':' && digit(pos + 1) <= 9 && digit(pos + 2) <= 9 &&
        digit(pos + 4) <= 9 && digit(pos + 5) <= 9) [[likely]] {
      oh = static_cast<int>(digit(pos + 1) * 10 + digit(pos + 2));
      om = static_cast<int>(digit(pos + 4) * 10 + digit(pos + 5));
    } else if (!detail::parse_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
               !detail::parse_digits(s, pos + 4, 2, om)) {
      return fail("offset must be Z, +hh:mm or -hh:mm");
    }
    if (oh > 23 || om > 59) return fail(detail::offset_rule.data());
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return fail("offset must be Z, +hh:mm or -hh:mm");
  }
  if (pos != s.size()) return fail("unexpected text after the offset");

  const std::int64_t days = calendar::days_from_civil(year, month, day);
  const std::int64_t local_us =
      days * detail::us_per_day +
      ((static_cast<std::int64_t>(hour) * 60 + minute) * 60 + second) * 1'000'000LL + frac_us;
  auto off = UtcOffset::make(offset_minutes);
  return Instant::from_utc_us(local_us - static_cast<std::int64_t>(offset_minutes) * 60'000'000LL, *off);
}

}  // namespace detail

inline std::optional<Instant> Instant::try_parse(std::string_view s, TimeParseError* err) noexcept {
  Instant t;
  if (detail::parse_time_fast(s, t)) [[likely]]
    return t;
  return detail::parse_time_general(s, err);
}

inline std::string Instant::to_string() const {
  const std::int64_t local = local_us();
  const std::int64_t day = detail::floor_div(local, detail::us_per_day);
  const std::int64_t in_day = local - day * detail::us_per_day;  // [0, 86399999999]
  const auto date = day_to_date(day);
  const auto ymd = date.year_month_day();
  std::string out;
  out.reserve(32);
  const int y = static_cast<int>(ymd.year);
  out += static_cast<char>('0' + y / 1000);
  out += static_cast<char>('0' + (y / 100) % 10);
  detail::put2(out, y % 100);
  out += '-';
  detail::put2(out, static_cast<int>(ymd.month));
  out += '-';
  detail::put2(out, static_cast<int>(ymd.day));
  out += 'T';
  const std::int64_t secs = in_day / 1'000'000LL;
  detail::put2(out, static_cast<int>(secs / 3600));
  out += ':';
  detail::put2(out, static_cast<int>((secs / 60) % 60));
  out += ':';
  detail::put2(out, static_cast<int>(secs % 60));
  std::int64_t frac = in_day % 1'000'000LL;
  if (frac != 0) {
    char digits[6];
    for (int i = 5; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int n = 6;
    while (n > 1 && digits[n - 1] == '0') --n;
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  }
  out += offset_.to_string();
  return out;
}

}  // namespace calmkit
