/// @file timezone.hpp
/// @brief POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`) for turning instants
/// into a person's local time when their journal's own offsets are not wanted.
///
/// The rule syntax is POSIX's (TZ environment variable) with the extension of
/// RFC 8536 section 3.3.1 that tzdata's own TZif footers use: a transition
/// time may be negative or beyond 24 hours, -167..167 hours (Israel's
/// `IST-2IDT,M3.4.4/26,M10.5.0`: the Friday before the last Sunday of March
/// at 02:00, written as Thursday 26:00). Offsets are west-positive as POSIX
/// writes them (`CET-1` is UTC+1) and the daylight-time offset is absolute.
/// The transition arithmetic is done here on whole days and seconds (no
/// library takes the extended times: Boost.Date_Time compares a transition
/// time with the time of day and never reaches 26:00).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/time.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace calmkit {

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
  [[nodiscard]] std::int64_t day_in(std::int64_t year) const noexcept {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    switch (kind) {
      case Kind::julian_1: return days_from_civil(year, 1, 1) + (day - 1) + (leap && day >= 60 ? 1 : 0);
      case Kind::julian_0: return days_from_civil(year, 1, 1) + day;
      case Kind::month_week_day: break;
    }
    static constexpr std::array<int, 12> month_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int length = month_days[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
    const std::int64_t first = days_from_civil(year, month, 1);
    const int first_weekday = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    int dom = 1 + (weekday - first_weekday + 7) % 7 + (week - 1) * 7;
    while (dom > length) dom -= 7;  // week 5 means the last such weekday of the month
    return first + (dom - 1);
  }

  /// Days since 1970-01-01 of the proleptic Gregorian date (H. Hinnant's algorithm).
  [[nodiscard]] static constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;                                   // [0, 399]
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  // [0, 365]
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
    return era * 146097 + doe - 719468;
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
    return UtcOffset((is_dst_at(t) ? -dst_west_s_ : -std_west_s_) / 60);
  }

  /// True when daylight time is in force at `t`.
  [[nodiscard]] bool is_dst_at(Instant t) const {
    if (dst_name_.empty()) return false;
    // Floor division: seconds and days before 1970 count down.
    const std::int64_t us = t.utc_micros();
    const std::int64_t s = us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0);
    const std::int64_t day = s / 86'400 - (s % 86'400 < 0 ? 1 : 0);
    const std::int64_t year = year_of(day);
    // The latest change at or before t, among those of the years around it (a
    // change can move up to 167 hours away from the day it is written on). At
    // equal instants the start wins, so a rule in force all year (tzdata's
    // 'EST5EDT,0/0,J365/25') stays in daylight time.
    bool dst = false;
    std::int64_t latest = INT64_MIN;
    for (std::int64_t y = year - 1; y <= year + 1; ++y) {
      const std::int64_t end = end_.day_in(y) * 86'400 + end_.time_s + dst_west_s_;
      const std::int64_t start = start_.day_in(y) * 86'400 + start_.time_s + std_west_s_;
      if (end <= s && end > latest) {
        latest = end;
        dst = false;
      }
      if (start <= s && start >= latest) {
        latest = start;
        dst = true;
      }
    }
    return dst;
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

  /// The proleptic Gregorian year holding `day` (days since 1970-01-01).
  static std::int64_t year_of(std::int64_t day) noexcept {
    const std::int64_t z = day + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
    const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March = 0
    return yoe + era * 400 + (mp >= 10 ? 1 : 0);
  }

  void check_range(int west_s, const char* what) const {
    if (west_s <= -24 * 3600 || west_s >= 24 * 3600) {
      fail(std::string(what) + " must be within 23:59 of UTC, got " + std::to_string(-west_s / 3600) +
           " hours east");
    }
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
