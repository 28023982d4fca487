/// @file timezone.hpp
/// @brief calmkit's one time-zone model: `TimeZone` takes an IANA zone name
/// (`Europe/Berlin`, read from the system's tzdata) or a POSIX TZ rule
/// (`CET-1CEST,M3.5.0,M10.5.0/3`) and answers, for an instant, the UTC offset
/// and the `[begin, end)` interval over which that offset holds, so callers
/// cache intervals rather than instants.
///
/// Every `--tz` of the command line and every `tz=` of the Python API goes
/// through `TimeZone::locate` (docs/time-zones.md).
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

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

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
  return us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0);
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
    return UtcOffset(interval_at_seconds(detail::seconds_of_micros(t.utc_micros())).offset_s / 60);
  }

  /// True when daylight time is in force at `t`.
  [[nodiscard]] bool is_dst_at(Instant t) const {
    return interval_at_seconds(detail::seconds_of_micros(t.utc_micros())).dst;
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
    const std::int64_t day = s / 86'400 - (s % 86'400 < 0 ? 1 : 0);  // floor: days before 1970 count down
    const std::int64_t year = year_of(day);
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

/// A time zone: an IANA zone read from the system's tzdata (a TZif file,
/// RFC 8536), or a POSIX TZ rule. One type answers for both, so that every
/// `--tz` and every `tz=` takes either form.
///
/// A TZif zone follows its table of transitions and, after the last one, the
/// POSIX rule of the file's footer (which is how tzdata describes the far
/// future); before the first transition it has the first standard-time type,
/// as Python's `zoneinfo` does. Leap-second records are ignored (as
/// `zoneinfo` does: calmkit's instants are POSIX seconds).
///
/// Example
/// ```cpp
/// auto berlin = calmkit::TimeZone::locate("Europe/Berlin");
/// auto rule = calmkit::TimeZone::locate("CET-1CEST,M3.5.0,M10.5.0/3");
/// auto t = calmkit::Instant::parse("2026-07-01T12:00:00Z");
/// berlin.offset_at(t).minutes();  // 120, as rule.offset_at(t)
/// berlin.interval_at(t);          // [2026-03-29T01:00Z, 2026-10-25T01:00Z), +7200 s, dst
/// ```
class TimeZone {
 public:
  /// A zone following the POSIX rule `rule` at every instant.
  TimeZone(PosixTimeZone rule)  // NOLINT(google-explicit-constructor): a rule is a zone
      : name_(rule.rule()), footer_(std::move(rule)) {}

  /// The zone an IANA name (`Europe/Berlin`, `UTC`) or a POSIX TZ rule
  /// (`CET-1CEST,M3.5.0,M10.5.0/3`) stands for.
  ///
  /// `spec` is first looked up as a zone name in the folders of
  /// `tzdata_folders()` (the first that holds a TZif file of that name wins),
  /// and read as a POSIX rule only when no zone has that name: `EST5EDT` is
  /// tzdata's zone of that name (with its history), as in `zoneinfo`.
  /// @throws std::invalid_argument "unknown time zone ..." naming both
  /// readings when `spec` is neither, or naming the file when a zone file is
  /// not valid TZif.
  [[nodiscard]] static TimeZone locate(std::string_view spec) {
    if (is_zone_name(spec)) {
      for (const auto& folder : tzdata_folders()) {
        const std::string path = folder + "/" + std::string(spec);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;  // a folder such as Europe
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad() || bytes.compare(0, 4, "TZif") != 0) continue;  // a folder, zone.tab, ...
        return from_tzif(bytes, std::string(spec), path);
      }
    }
    try {
      return TimeZone(PosixTimeZone(spec));
    } catch (const std::invalid_argument& e) {
      detail::throw_invalid("unknown time zone '" + std::string(spec) +
                            "': not an IANA zone name found in the system's tzdata (such as "
                            "Europe/Berlin) nor a POSIX TZ rule (such as CET-1CEST,M3.5.0,M10.5.0/3; " +
                            e.what() + ")");
    }
  }

  /// The zone described by the TZif data `bytes` (RFC 8536, versions 1-4),
  /// called `name`; `where` names the data's origin in errors.
  /// @throws std::invalid_argument naming `where` and what is wrong.
  [[nodiscard]] static TimeZone from_tzif(std::string_view bytes, std::string name, std::string_view where) {
    TimeZone z;
    z.name_ = std::move(name);
    z.read_tzif(bytes, where);
    return z;
  }

  /// The folders searched for zone names: `$TZDIR` when set, then the usual
  /// places of tzdata (those Python's `zoneinfo.TZPATH` defaults to).
  [[nodiscard]] static std::vector<std::string> tzdata_folders() {
    std::vector<std::string> out;
    if (const char* dir = std::getenv("TZDIR"); dir != nullptr && *dir != '\0') out.emplace_back(dir);
    for (const char* d :
         {"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo", "/etc/zoneinfo"})
      out.emplace_back(d);
    return out;
  }

  /// The offset at `t` and the span around it over which it holds.
  [[nodiscard]] ZoneInterval interval_at(Instant t) const {
    return interval_at_seconds(detail::seconds_of_micros(t.utc_micros()));
  }

  /// The offset at `s` (seconds since the epoch, UTC) and the span around it
  /// over which it holds.
  [[nodiscard]] ZoneInterval interval_at_seconds(std::int64_t s) const {
    if (transitions_.empty()) return footer_ ? footer_->interval_at_seconds(s) : fixed(after_);
    if (s < transitions_.front()) {
      ZoneInterval out = fixed(before_);
      out.end_s = transitions_.front();
      return out;
    }
    const auto i = static_cast<std::size_t>(std::upper_bound(transitions_.begin(), transitions_.end(), s) -
                                            transitions_.begin() - 1);
    const std::size_t last = transitions_.size() - 1;
    if (i == last) {
      // zoneinfo: the footer rules after the last change, the table's last
      // type at it; where both agree the two make one interval.
      const Type& at_last = types_[type_of_[last]];
      ZoneInterval out = footer_ ? footer_->interval_at_seconds(s) : fixed(after_);
      const ZoneInterval then = footer_ ? footer_->interval_at_seconds(transitions_[last]) : out;
      const bool agree = then.offset_s == at_last.offset_s && then.dst == at_last.dst;
      if (s > transitions_[last] || agree) {
        out.begin_s = std::max(out.begin_s, transitions_[last] + (agree ? 0 : 1));
        return out;
      }
    }
    ZoneInterval out = fixed(types_[type_of_[i]]);
    out.begin_s = transitions_[i];
    out.end_s = i < last ? transitions_[i + 1] : transitions_[i] + 1;
    return out;
  }

  /// The UTC offset the zone's clocks show at `t`, in whole minutes (the
  /// nearest: local mean times before 1900 have seconds).
  [[nodiscard]] UtcOffset offset_at(Instant t) const {
    return UtcOffset(detail::nearest_minutes(interval_at(t).offset_s));
  }

  /// The same instant carrying this zone's offset.
  [[nodiscard]] Instant localize(Instant t) const { return t.with_offset(offset_at(t)); }

  /// The offset, in seconds, of the wall time `local_s` (seconds since
  /// 1970-01-01T00:00 on the zone's clocks), by PEP 495: a wall time shown
  /// twice (clocks went back) gets the offset of its first occurrence when
  /// `fold` is false and of its second when true; a wall time that never
  /// happens (clocks jumped forward) gets the offset before the jump when
  /// `fold` is false and the one after when true.
  [[nodiscard]] std::int32_t local_offset_seconds(std::int64_t local_s, bool fold) const {
    constexpr std::int64_t reach = std::int64_t{2} * 86'400;  // offsets lie within (-24 h, 24 h)
    // The intervals around the wall time, in order; each that holds
    // local_s - its offset is an occurrence of local_s.
    std::array<ZoneInterval, 16> spans{};
    std::size_t n = 0;
    ZoneInterval z = interval_at_seconds(local_s - reach);
    for (;;) {
      spans[n++] = z;
      if (n == spans.size() || z.end_s > local_s + reach ||
          z.end_s == std::numeric_limits<std::int64_t>::max())
        break;
      z = interval_at_seconds(z.end_s);
    }
    const ZoneInterval* first = nullptr;
    const ZoneInterval* second = nullptr;
    for (std::size_t k = 0; k < n; ++k) {
      if (spans[k].contains(local_s - spans[k].offset_s)) (first == nullptr ? first : second) = &spans[k];
    }
    if (first != nullptr) return fold && second != nullptr ? second->offset_s : first->offset_s;
    // A gap: the change whose wall clock jumps over local_s.
    for (std::size_t k = 0; k + 1 < n; ++k) {
      if (spans[k].end_s + spans[k].offset_s <= local_s &&
          local_s < spans[k + 1].begin_s + spans[k + 1].offset_s)
        return fold ? spans[k + 1].offset_s : spans[k].offset_s;
    }
    return spans[0].offset_s;  // not reached for zones whose offsets stay within a day
  }

  /// The name or rule the zone was made from.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// True for a zone read from tzdata, false for a POSIX rule.
  [[nodiscard]] bool from_tzdata() const noexcept { return tzdata_; }

 private:
  struct Type {
    std::int32_t offset_s = 0;
    bool dst = false;
  };

  TimeZone() = default;

  static ZoneInterval fixed(const Type& t) { return ZoneInterval{.offset_s = t.offset_s, .dst = t.dst}; }

  /// A name zoneinfo would look up: letters, digits and `._+-` in `/`-separated
  /// parts, none of them `.` or `..`, not absolute.
  static bool is_zone_name(std::string_view s) {
    if (s.empty() || s.size() > 255 || s.front() == '/' || s.back() == '/') return false;
    std::size_t part = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '/') {
        const auto p = s.substr(part, i - part);
        if (p.empty() || p == "." || p == "..") return false;
        part = i + 1;
        continue;
      }
      const auto c = static_cast<unsigned char>(s[i]);
      if (!(std::isalnum(c) || c == '_' || c == '-' || c == '+' || c == '.')) return false;
    }
    return true;
  }

  void read_tzif(std::string_view b, std::string_view where) {
    auto bad = [&](const std::string& why) {
      detail::throw_invalid("time zone file " + std::string(where) + " is not valid TZif: " + why);
    };
    auto u32 = [&](std::size_t at) {
      if (at + 4 > b.size()) bad("it ends early");
      std::uint32_t v = 0;
      for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
      return v;
    };
    auto i64 = [&](std::size_t at, int width) -> std::int64_t {
      if (width == 4) return static_cast<std::int32_t>(u32(at));
      return static_cast<std::int64_t>((static_cast<std::uint64_t>(u32(at)) << 32) | u32(at + 4));
    };
    if (b.size() < 44 || b.substr(0, 4) != "TZif") bad("no 'TZif' header");
    const char version = b[4];
    struct Counts {
      std::size_t isut, isstd, leap, time, type, chars;
    };
    auto counts = [&](std::size_t at) {
      Counts c{u32(at + 20), u32(at + 24), u32(at + 28), u32(at + 32), u32(at + 36), u32(at + 40)};
      if (c.type == 0 || c.type > 256 || c.time > 1'000'000 || c.leap > 100'000 || c.chars > 65'536 ||
          (c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type))
        bad("impossible counts in its header");
      return c;
    };
    auto block_size = [](const Counts& c, std::size_t width) {
      return c.time * width + c.time + c.type * 6 + c.chars + c.leap * (width + 4) + c.isstd + c.isut;
    };
    std::size_t at = 0;
    Counts c = counts(0);
    std::size_t width = 4;
    if (version != '\0') {  // version 2+: skip the 32-bit block, read the 64-bit one
      at = 44 + block_size(c, 4);
      if (at + 44 > b.size() || b.substr(at, 4) != "TZif") bad("no second header");
      c = counts(at);
      width = 8;
    }
    std::size_t p = at + 44;
    if (p + block_size(c, width) > b.size()) bad("it ends early");
    transitions_.resize(c.time);
    type_of_.resize(c.time);
    for (std::size_t k = 0; k < c.time; ++k) {
      transitions_[k] = i64(p + k * width, static_cast<int>(width));
      if (k > 0 && transitions_[k] <= transitions_[k - 1]) bad("transition times not in increasing order");
    }
    p += c.time * width;
    for (std::size_t k = 0; k < c.time; ++k) {
      type_of_[k] = static_cast<unsigned char>(b[p + k]);
      if (type_of_[k] >= c.type) bad("a transition names a type it does not have");
    }
    p += c.time;
    types_.resize(c.type);
    for (std::size_t k = 0; k < c.type; ++k) {
      const auto off = static_cast<std::int32_t>(u32(p + k * 6));
      if (off <= -86'400 || off >= 86'400) bad("a UTC offset of a day or more");
      types_[k] = {off, b[p + k * 6 + 4] != 0};
    }
    p += block_size(c, width) - c.time * width - c.time;
    // zoneinfo: before the first transition, the first standard-time type.
    before_ = types_[0];
    const auto std_type = std::find_if(types_.begin(), types_.end(), [](const Type& t) { return !t.dst; });
    if (std_type != types_.end())
      before_ = *std_type;
    else if (!type_of_.empty())
      before_ = types_[type_of_[0]];
    if (version != '\0') {
      if (p >= b.size() || b[p] != '\n') bad("no footer");
      const auto close = b.find('\n', p + 1);
      if (close == std::string_view::npos) bad("an unterminated footer");
      const auto rule = b.substr(p + 1, close - p - 1);
      if (!rule.empty()) {
        try {
          footer_.emplace(rule);
        } catch (const std::invalid_argument& e) {
          bad(std::string("its footer: ") + e.what());
        }
      }
    }
    // Without a rule for the future, the last type stays (zoneinfo).
    after_ = type_of_.empty() ? types_.back() : types_[type_of_.back()];
    tzdata_ = true;
  }

  std::string name_;
  std::vector<std::int64_t> transitions_;  // seconds since the epoch, UTC, increasing
  std::vector<std::uint8_t> type_of_;      // the type each transition changes to
  std::vector<Type> types_;
  Type before_;                          // in force before the first transition
  Type after_;                           // in force after the last, when the file has no rule
  std::optional<PosixTimeZone> footer_;  // in force after the last transition
  bool tzdata_ = false;                  // read from a TZif file
};

}  // namespace calmkit
