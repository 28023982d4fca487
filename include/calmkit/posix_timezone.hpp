/// @file posix_timezone.hpp
/// @brief A time zone given as a POSIX TZ rule (`PosixTimeZone`), and the
/// `ZoneInterval` every zone of calmkit answers with (timezone.hpp's
/// `TimeZone` holds one of these rules for the years after its table).
///
/// The rule syntax is POSIX's (TZ environment variable) with the extension of
/// RFC 8536 section 3.3.1 that tzdata's own TZif footers use: a transition
/// time may be negative or beyond 24 hours, -167..167 hours (Israel's
/// `IST-2IDT,M3.4.4/26,M10.5.0`: the Friday before the last Sunday of March
/// at 02:00, written as Thursday 26:00). Offsets are west-positive as POSIX
/// writes them (`CET-1` is UTC+1) and the daylight-time offset is absolute.
/// The transition arithmetic is done here on whole days and seconds, with the
/// dates of calendar.hpp (no library takes the extended times: Boost.Date_Time
/// compares a transition time with the time of day and never reaches 26:00).
#pragma once

#include <calmkit/calendar.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/time.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace calmkit {

/// A span of UTC time over which a zone's offset does not change.
///
/// `begin_s` and `end_s` are seconds since 1970-01-01T00:00:00Z; the interval
/// holds `begin_s <= t < end_s`. It is not always the longest such span
/// (a rule's years are looked at a few at a time), but every instant in it
/// has `offset_s`, so a caller may reuse the answer for any instant inside.
/// The smallest and largest `std::int64_t` stand for "unbounded".
struct ZoneInterval {
  std::int64_t begin_s = std::numeric_limits<std::int64_t>::min();  ///< first second, UTC (inclusive)
  std::int64_t end_s = std::numeric_limits<std::int64_t>::max();    ///< first second after, UTC (exclusive)
  std::int32_t offset_s = 0;  ///< offset east of UTC, seconds, (-24 h, 24 h)
  bool dst = false;           ///< daylight (or other "summer") time in force

  /// True when `s` (seconds since the epoch, UTC) lies in `[begin_s, end_s)`.
  [[nodiscard]] constexpr bool contains(std::int64_t s) const noexcept { return begin_s <= s && s < end_s; }
};

namespace detail {
/// Whole seconds since the epoch holding the microsecond `us` (rounded toward −infinity).
[[nodiscard]] constexpr std::int64_t seconds_of_micros(std::int64_t us) noexcept {
  return floor_div(us, 1'000'000);
}
/// `a + b`, held at the int64 limits (which stand for "unbounded" in a `ZoneInterval`).
[[nodiscard]] constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b)
    return std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b)
    return std::numeric_limits<std::int64_t>::min();
  return a + b;
}
/// An offset in seconds as the nearest whole minutes (ties away from zero):
/// local mean time before standard time had seconds (Berlin +00:53:28 until
/// 1893), a journal's offsets are whole minutes.
[[nodiscard]] constexpr int nearest_minutes(std::int32_t offset_s) noexcept {
  return offset_s >= 0 ? (offset_s + 30) / 60 : -((-offset_s + 30) / 60);
}
}  // namespace detail

/// One transition rule of a POSIX TZ string: the day (`Mm.w.d`, `Jn` or `n`)
/// and the local time of day, in seconds, at which the change happens.
struct PosixTransitionRule {
  /// How the day is written.
  enum class Kind {
    month_week_day,  ///< `Mm.w.d`: day d (0 = Sunday) of week w (1-5, 5 = last) of month m (1-12)
    julian_1,        ///< `Jn`: day n (1-365) of the year, 29 February never counted
    julian_0,        ///< `n`: zero-based day n (0-365) of the year, 29 February counted
  };
  Kind kind = Kind::month_week_day;  ///< how the day is written
  int month = 0;                     ///< [1, 12] for `Mm.w.d`
  int week = 0;                      ///< [1, 5] for `Mm.w.d`
  int weekday = 0;                   ///< [0, 6], 0 = Sunday, for `Mm.w.d`
  int day = 0;                       ///< [1, 365] for `Jn`, [0, 365] for `n`
  int time_s = 7200;  ///< local time of the change after midnight of that day, seconds, [-167 h, 167 h]

  /// Days since 1970-01-01 of the rule's day in `year` (proleptic Gregorian).
  [[nodiscard]] constexpr std::int64_t day_in(std::int64_t year) const noexcept {
    const bool leap = calendar::is_leap_year(year);
    switch (kind) {
      case Kind::julian_1:
        return calendar::days_from_civil(year, 1, 1) + (day - 1) + (leap && day >= 60 ? 1 : 0);
      case Kind::julian_0: return calendar::days_from_civil(year, 1, 1) + day;
      case Kind::month_week_day: break;
    }
    const int length = calendar::days_in_month(year, month);
    const std::int64_t first = calendar::days_from_civil(year, month, 1);
    int dom = 1 + (weekday - calendar::weekday(first) + 7) % 7 + (week - 1) * 7;
    while (dom > length) dom -= 7;  // week 5 means the last such weekday of the month
    return first + (dom - 1);
  }
};

/// A time zone given as a POSIX TZ rule string, as tzdata writes in the
/// footer of its TZif files (RFC 8536 section 3.3.1: transition times
/// -167..167 hours).
///
/// Example
/// ```cpp
/// calmkit::PosixTimeZone cet("CET-1CEST,M3.5.0,M10.5.0/3");
/// auto t = calmkit::Instant::parse("2026-07-01T12:00:00Z");
/// cet.offset_at(t).minutes();   // 120 (CEST, UTC+2)
/// cet.localize(t).to_string();  // "2026-07-01T14:00:00+02:00"
/// calmkit::PosixTimeZone israel("IST-2IDT,M3.4.4/26,M10.5.0");
/// israel.offset_at(calmkit::Instant::parse("2026-03-27T00:00:00Z")).minutes();  // 180 (IDT)
/// ```
class PosixTimeZone {
 public:
  /// @throws std::invalid_argument naming what is wrong with `rule`.
  explicit PosixTimeZone(std::string_view rule) : rule_(rule) {
    Parser p{rule, 0};
    std_name_ = p.name("standard-time name");
    std_west_s_ = p.offset("standard-time offset", true);
    // POSIX allows 24 hours, UtcOffset stops at 23:59 (found by fuzz_timezone:
    // 'AAA1BBB24,6,4' was accepted and offset_at() threw std::out_of_range).
    check_range(std_west_s_, "standard-time offset");
    dst_west_s_ = std_west_s_ - 3600;  // POSIX default: one hour ahead of standard time
    if (!p.done()) {
      dst_name_ = p.name("daylight-time name");
      if (!p.done() && p.peek() != ',') dst_west_s_ = p.offset("daylight-time offset", true);
      if (p.done()) fail("a daylight-time zone needs its start and end rules (',start,end')");
      p.expect(',');
      start_ = p.rule("start rule");
      p.expect(',');
      end_ = p.rule("end rule");
      if (!p.done()) fail("unexpected text '" + std::string(rule.substr(p.pos)) + "' after the end rule");
      check_range(dst_west_s_, "daylight-time offset");
    } else {
      dst_west_s_ = std_west_s_;
    }
  }

  /// The UTC offset the zone's clocks show at `t`.
  [[nodiscard]] UtcOffset offset_at(Instant t) const {
    return UtcOffset(interval_at_seconds(detail::seconds_of_micros(t.utc_us())).offset_s / 60);
  }

  /// True when daylight time is in force at `t`.
  [[nodiscard]] bool is_dst_at(Instant t) const {
    return interval_at_seconds(detail::seconds_of_micros(t.utc_us())).dst;
  }

  /// The offset in force at `s` (seconds since the epoch, UTC) and a span
  /// around `s` over which it holds.
  ///
  /// The changes of the years around `s` are put in time order (a change can
  /// move up to 167 hours away from the day it is written on); the latest at
  /// or before `s` decides. At equal instants the start wins, so a rule in
  /// force all year (tzdata's `EST5EDT,0/0,J365/25`) stays in daylight time.
  [[nodiscard]] ZoneInterval interval_at_seconds(std::int64_t s) const {
    if (dst_name_.empty()) return ZoneInterval{.offset_s = -std_west_s_};
    const std::int64_t day = detail::floor_div(s, 86'400);
    // The calendar holds years -32767..32767; the rule repeats every 400
    // years (146,097 days, a whole number of weeks), so an instant beyond is
    // answered from its image inside, shifted back.
    constexpr std::int64_t cycle_days = 146'097;
    constexpr std::int64_t reach_days = 30'000 / 400 * cycle_days;  // 30,000 years either way
    if (day < -reach_days || day > reach_days) {
      const std::int64_t cycles = day / cycle_days;  // toward zero: |shift| <= |s|, no overflow
      const std::int64_t shift_s = cycles * cycle_days * 86'400;
      ZoneInterval out = interval_at_seconds(s - shift_s);
      out.begin_s = detail::saturating_add(out.begin_s, shift_s);
      out.end_s = detail::saturating_add(out.end_s, shift_s);
      return out;
    }
    const std::int64_t year = calendar::civil_from_days(day).year;
    struct Change {
      std::int64_t at;  // seconds since the epoch, UTC
      bool to_dst;
    };
    std::array<Change, 10> changes{};
    std::size_t n = 0;
    for (std::int64_t y = year - 2; y <= year + 2; ++y) {
      changes[n++] = {end_.day_in(y) * 86'400 + end_.time_s + dst_west_s_, false};
      changes[n++] = {start_.day_in(y) * 86'400 + start_.time_s + std_west_s_, true};
    }
    // End before start at equal instants, so that the start wins.
    std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
      return a.at != b.at ? a.at < b.at : a.to_dst < b.to_dst;
    });
    ZoneInterval out;
    bool dst = !changes[0].to_dst;  // unknown before the first change: count it as a change
    std::size_t i = 0;
    for (; i < n && changes[i].at <= s; ++i) {
      if (changes[i].to_dst != dst) out.begin_s = changes[i].at;
      dst = changes[i].to_dst;
    }
    out.end_s = changes[n - 1].at;  // no change of state up to there at least
    for (; i < n; ++i) {
      if (changes[i].to_dst != dst) {
        out.end_s = changes[i].at;
        break;
      }
    }
    out.dst = dst;
    out.offset_s = dst ? -dst_west_s_ : -std_west_s_;
    return out;
  }

  /// The same instant carrying this zone's offset.
  [[nodiscard]] Instant localize(Instant t) const { return t.with_offset(offset_at(t)); }

  /// Standard-time offset east of UTC, in minutes (CET: +60).
  [[nodiscard]] int standard_offset_minutes() const noexcept { return -std_west_s_ / 60; }
  /// Daylight-time offset east of UTC, in minutes (CEST: +120); the standard
  /// offset for a zone without daylight time.
  [[nodiscard]] int dst_offset_minutes() const noexcept { return -dst_west_s_ / 60; }
  /// True when the rule has a daylight-time part.
  [[nodiscard]] bool has_dst() const noexcept { return !dst_name_.empty(); }
  /// The standard-time abbreviation (`CET`; `+0530` for a quoted `<+0530>`).
  [[nodiscard]] const std::string& standard_name() const noexcept { return std_name_; }
  /// The daylight-time abbreviation, "" without daylight time.
  [[nodiscard]] const std::string& dst_name() const noexcept { return dst_name_; }
  /// When daylight time starts (meaningful only when has_dst()).
  [[nodiscard]] const PosixTransitionRule& dst_start() const noexcept { return start_; }
  /// When daylight time ends (meaningful only when has_dst()).
  [[nodiscard]] const PosixTransitionRule& dst_end() const noexcept { return end_; }
  /// The rule as given.
  [[nodiscard]] const std::string& rule() const noexcept { return rule_; }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    detail::throw_invalid("invalid POSIX TZ rule '" + rule_ + "': " + why);
  }

  /// The offset rule of `UtcOffset` (what `offset_at` makes), in its words:
  /// `standard-time offset: UTC offset must be within -23:59..+23:59, got
  /// -1440 minutes` (east of UTC is positive, as UtcOffset counts).
  void check_range(int west_s, const char* what) const {
    if (!UtcOffset::make(-west_s / 60))
      fail(std::string(what) + ": " + detail::offset_out_of_range(-west_s / 60));
  }

  struct Parser {
    std::string_view s;
    std::size_t pos;

    [[nodiscard]] bool done() const { return pos >= s.size(); }
    [[nodiscard]] char peek() const { return s[pos]; }
    [[noreturn]] void bad(const std::string& why) const {
      detail::throw_invalid("invalid POSIX TZ rule '" + std::string(s) + "': " + why);
    }
    void expect(char c) {
      if (done() || s[pos] != c)
        bad(std::string("expected '") + c + "' at position " + std::to_string(pos + 1));
      ++pos;
    }
    std::string name(const char* what) {
      std::string out;
      if (!done() && s[pos] == '<') {
        const auto close = s.find('>', pos);
        if (close == std::string_view::npos) bad(std::string(what) + ": '<' without '>'");
        out = std::string(s.substr(pos + 1, close - pos - 1));
        pos = close + 1;
      } else {
        while (!done() && std::isalpha(static_cast<unsigned char>(s[pos]))) out += s[pos++];
      }
      if (out.size() < 3) bad(std::string(what) + " must have at least 3 characters");
      return out;
    }
    /// [+|-]hh[:mm[:ss]] with hours up to `max_hours`, returned in seconds
    /// (sign as written).
    int offset(const char* what, bool required, int max_hours = 24) {
      int sign = 1;
      if (!done() && (s[pos] == '+' || s[pos] == '-')) sign = s[pos++] == '-' ? -1 : 1;
      auto number = [&](int max, const char* part) {
        int v = 0, digits = 0;
        while (!done() && std::isdigit(static_cast<unsigned char>(s[pos])) && digits < 3) {
          v = v * 10 + (s[pos++] - '0');
          ++digits;
        }
        if (digits == 0) bad(std::string(what) + ": expected " + part);
        if (v > max)
          bad(std::string(what) + ": " + part + " out of range (at most " + std::to_string(max) + ")");
        return v;
      };
      if (done() || !std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (required) bad(std::string(what) + " is missing (e.g. 'CET-1')");
        return 0;
      }
      int secs = number(max_hours, "hours") * 3600;
      if (!done() && s[pos] == ':') {
        ++pos;
        secs += number(59, "minutes") * 60;
        if (!done() && s[pos] == ':') {
          ++pos;
          secs += number(59, "seconds");
        }
      }
      return sign * secs;
    }
    /// Mm.w.d[/time], Jn[/time] or n[/time]; time is [+|-]hh[:mm[:ss]] with
    /// hours -167..167 (RFC 8536 section 3.3.1), 02:00 when left out.
    PosixTransitionRule rule(const char* what) {
      const std::size_t start = pos;
      while (!done() && s[pos] != ',' && s[pos] != '/') ++pos;
      std::string date(s.substr(start, pos - start));
      if (date.empty()) bad(std::string(what) + " is missing");
      // Strict digit runs only: no signs, spaces or embedded NULs (sscanf and
      // stoi accepted those; fuzz_timezone found them).
      std::size_t at = 1;
      auto field = [&](std::size_t max_digits) {
        int v = 0;
        std::size_t n = 0;
        while (at < date.size() && n < max_digits && date[at] >= '0' && date[at] <= '9') {
          v = v * 10 + (date[at++] - '0');
          ++n;
        }
        return n == 0 ? -1 : v;
      };
      PosixTransitionRule r;
      if (date[0] == 'M') {
        auto dot = [&] {
          if (at >= date.size() || date[at] != '.') return false;
          ++at;
          return true;
        };
        const int m = field(2);
        const int w = dot() ? field(1) : -1;
        const int d = dot() ? field(1) : -1;
        if (at != date.size() || m < 1 || m > 12 || w < 1 || w > 5 || d < 0 || d > 6) {
          bad(std::string(what) + " '" + date + "' must be Mm.w.d (month 1-12, week 1-5, day 0-6)");
        }
        r.kind = PosixTransitionRule::Kind::month_week_day;
        r.month = m;
        r.week = w;
        r.weekday = d;
      } else {
        const bool julian = date[0] == 'J';
        at = julian ? 1 : 0;
        const int n = field(3);
        if (n < 0 || at != date.size()) {
          bad(std::string(what) + " '" + date + "' must be Mm.w.d, Jn or n");
        }
        if (julian ? (n < 1 || n > 365) : (n < 0 || n > 365)) bad(std::string(what) + " day out of range");
        r.kind = julian ? PosixTransitionRule::Kind::julian_1 : PosixTransitionRule::Kind::julian_0;
        r.day = n;
      }
      if (!done() && s[pos] == '/') {
        ++pos;
        r.time_s = offset(what, true, 167);
      }
      return r;
    }
  };

  std::string rule_;
  std::string std_name_, dst_name_;
  int std_west_s_ = 0;  // POSIX standard offset, seconds WEST of UTC, (-24 h, 24 h)
  int dst_west_s_ = 0;  // POSIX daylight offset, seconds WEST of UTC, (-24 h, 24 h)
  PosixTransitionRule start_, end_;
};

}  // namespace calmkit
