/// @file timezone.hpp
/// @brief POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`) for turning instants
/// into a person's local time when their journal's own offsets are not wanted.
///
/// Boost.Date_Time's `posix_time_zone` does the rule arithmetic, but it reads
/// the offset with the ISO sign (`CET-1` as UTC-1) and the DST offset as a
/// delta, whereas POSIX writes offsets west-positive (`CET-1` is UTC+1) and the
/// DST offset as absolute. `PosixTimeZone` parses the real POSIX syntax,
/// validates it, and hands Boost the converted form.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/time.hpp>

#include <boost/date_time/local_time/local_time.hpp>
#include <boost/make_shared.hpp>

#include <cctype>
#include <memory>
#include <string>
#include <string_view>

namespace calmkit {

/// A time zone given as a POSIX TZ rule string.
///
/// Example
/// ```cpp
/// calmkit::PosixTimeZone cet("CET-1CEST,M3.5.0,M10.5.0/3");
/// auto t = calmkit::Instant::parse("2026-07-01T12:00:00Z");
/// cet.offset_at(t).minutes();   // 120 (CEST, UTC+2)
/// cet.localize(t).to_string();  // "2026-07-01T14:00:00+02:00"
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
    int dst_west_s = std_west_s_ - 3600;  // POSIX default: one hour ahead of standard time
    if (!p.done()) {
      dst_name_ = p.name("daylight-time name");
      if (!p.done() && p.peek() != ',') dst_west_s = p.offset("daylight-time offset", true);
      if (p.done()) fail("a daylight-time zone needs its start and end rules (',start,end')");
      p.expect(',');
      const std::string start = p.rule("start rule");
      p.expect(',');
      const std::string end = p.rule("end rule");
      if (!p.done()) fail("unexpected text '" + std::string(rule.substr(p.pos)) + "' after the end rule");
      check_range(dst_west_s, "daylight-time offset");
      dst_delta_s_ = std_west_s_ - dst_west_s;
      boost_rule_ = "AAA" + hms(-std_west_s_) + "BBB" + hms(dst_delta_s_) + "," + start + "," + end;
    } else {
      boost_rule_ = "AAA" + hms(-std_west_s_);
    }
    try {
      tz_ = boost::make_shared<boost::local_time::posix_time_zone>(boost_rule_);
    } catch (const std::exception& e) {
      fail(std::string("not accepted by Boost.Date_Time (") + e.what() + ")");
    }
  }

  /// The UTC offset the zone's clocks show at `t`.
  [[nodiscard]] UtcOffset offset_at(Instant t) const {
    if (dst_name_.empty()) return UtcOffset(-std_west_s_ / 60);
    const boost::local_time::local_date_time ldt(t.utc(), tz_);
    const int east_s = -std_west_s_ + (ldt.is_dst() ? dst_delta_s_ : 0);
    return UtcOffset(east_s / 60);
  }

  /// The same instant carrying this zone's offset.
  [[nodiscard]] Instant localize(Instant t) const { return t.with_offset(offset_at(t)); }

  /// Standard-time offset east of UTC, in minutes (CET: +60).
  [[nodiscard]] int standard_offset_minutes() const noexcept { return -std_west_s_ / 60; }
  /// True when the rule has a daylight-time part.
  [[nodiscard]] bool has_dst() const noexcept { return !dst_name_.empty(); }
  /// The standard-time abbreviation (`CET`; `+0530` for a quoted `<+0530>`).
  [[nodiscard]] const std::string& standard_name() const noexcept { return std_name_; }
  /// The daylight-time abbreviation, "" without daylight time.
  [[nodiscard]] const std::string& dst_name() const noexcept { return dst_name_; }
  /// The rule as given.
  [[nodiscard]] const std::string& rule() const noexcept { return rule_; }
  /// The converted string handed to `boost::local_time::posix_time_zone`.
  [[nodiscard]] const std::string& boost_rule() const noexcept { return boost_rule_; }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    detail::throw_invalid("invalid POSIX TZ rule '" + rule_ + "': " + why);
  }

  static std::string hms(int seconds) {
    std::string s = seconds < 0 ? "-" : "+";
    const int a = seconds < 0 ? -seconds : seconds;
    auto two = [&s](int v) {
      s += static_cast<char>('0' + v / 10);
      s += static_cast<char>('0' + v % 10);
    };
    two(a / 3600);
    s += ':';
    two((a / 60) % 60);
    s += ':';
    two(a % 60);
    return s;
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
    /// [+|-]hh[:mm[:ss]], returned in seconds (sign as written).
    int offset(const char* what, bool required) {
      int sign = 1;
      if (!done() && (s[pos] == '+' || s[pos] == '-')) sign = s[pos++] == '-' ? -1 : 1;
      auto number = [&](int max, const char* part) {
        int v = 0, digits = 0;
        while (!done() && std::isdigit(static_cast<unsigned char>(s[pos])) && digits < 3) {
          v = v * 10 + (s[pos++] - '0');
          ++digits;
        }
        if (digits == 0) bad(std::string(what) + ": expected " + part);
        if (v > max) bad(std::string(what) + ": " + part + " out of range");
        return v;
      };
      if (done() || !std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (required) bad(std::string(what) + " is missing (e.g. 'CET-1')");
        return 0;
      }
      int secs = number(24, "hours") * 3600;
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
    /// Mm.w.d[/time], Jn[/time] or n[/time]; returned in Boost's spelling.
    std::string rule(const char* what) {
      const std::size_t start = pos;
      while (!done() && s[pos] != ',' && s[pos] != '/') ++pos;
      std::string date(s.substr(start, pos - start));
      if (date.empty()) bad(std::string(what) + " is missing");
      // Strict digit runs only: no signs, spaces or embedded NULs (sscanf and
      // stoi accepted those and handed Boost text it overflowed on).
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
      } else {
        const bool julian = date[0] == 'J';
        at = julian ? 1 : 0;
        const int n = field(3);
        if (n < 0 || at != date.size()) {
          bad(std::string(what) + " '" + date + "' must be Mm.w.d, Jn or n");
        }
        if (julian ? (n < 1 || n > 365) : (n < 0 || n > 365)) bad(std::string(what) + " day out of range");
        // Zero-based n counts 29 February in every year; Boost places it as a
        // leap-year day and throws in other years from offset_at(), so only
        // the days before 29 February (n < 59) are taken in this form.
        if (!julian && n >= 59) {
          bad(std::string(what) + " '" + date +
              "': zero-based days from 59 on are not supported, write Jn or Mm.w.d");
        }
      }
      int secs = 2 * 3600;  // POSIX default transition time: 02:00 local
      if (!done() && s[pos] == '/') {
        ++pos;
        secs = offset(what, true);
        if (secs < 0 || secs > 24 * 3600) bad(std::string(what) + ": time must be within 0..24 hours");
      }
      return date + "/" + hms(secs).substr(1);
    }
  };

  std::string rule_;
  std::string std_name_, dst_name_;
  int std_west_s_ = 0;   // POSIX standard offset, seconds WEST of UTC
  int dst_delta_s_ = 0;  // DST minus standard, seconds (usually +3600)
  std::string boost_rule_;
  boost::shared_ptr<boost::local_time::posix_time_zone> tz_;
};

}  // namespace calmkit
