// calendar.hpp, the one calendar: checked against Boost.Date_Time on every day
// Boost holds (1400..9999) and against the Gregorian rules themselves (written
// out below, independently of any library) over years -32767..32767.
#include <calmkit/calendar.hpp>
#include <calmkit/timezone.hpp>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string>

using namespace calmkit;

namespace {

bool rule_leap(std::int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);  // also right for negative y: % keeps the sign, 0 is 0
}
int rule_month_days(std::int64_t y, int m) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return days[static_cast<std::size_t>(m - 1)] + (m == 2 && rule_leap(y) ? 1 : 0);
}

}  // namespace

TEST_CASE("calendar: every day of 1400..9999 as Boost.Date_Time counts it") {
  const boost::gregorian::date epoch(1970, 1, 1);
  const boost::gregorian::date first(1400, 1, 1), last(9999, 12, 31);
  std::int64_t mismatches = 0, days = 0;
  std::string first_mismatch;
  for (boost::gregorian::date d = first; d <= last; d += boost::gregorian::days(1)) {
    const std::int64_t n = (d - epoch).days();
    const auto ymd = d.year_month_day();
    const calendar::CivilDate c = calendar::civil_from_days(n);
    const bool same =
        c.year == static_cast<int>(ymd.year) && c.month == static_cast<int>(ymd.month) &&
        c.day == static_cast<int>(ymd.day) && calendar::days_from_civil(c.year, c.month, c.day) == n &&
        calendar::weekday(n) == d.day_of_week().as_number() &&
        calendar::days_in_month(c.year, c.month) == d.end_of_month().day() &&
        calendar::is_leap_year(c.year) == boost::gregorian::gregorian_calendar::is_leap_year(ymd.year);
    if (!same) {
      if (mismatches == 0) first_mismatch = calendar::iso_date(n);
      ++mismatches;
    }
    ++days;
  }
  CHECK(days == 3'141'085);  // 8600 years: 8600 * 365 + 2085 leap days
  CHECK(first_mismatch.empty());
  CHECK(mismatches == 0);
}

TEST_CASE("calendar: years -32767..32767 follow the Gregorian rules day by day") {
  // Known anchors: 0000-03-01 is day -719468 (the start of the 400-year era
  // H. Hinnant's and libstdc++'s algorithms count from); 9999-12-31T23:59:59Z is
  // 253402300799 s, day 2932896; 1970-01-01 was a Thursday.
  CHECK(calendar::days_from_civil(0, 3, 1) == -719'468);
  CHECK(calendar::days_from_civil(9999, 12, 31) == 253'402'300'799 / 86'400);
  CHECK(calendar::weekday(0) == 4);
  CHECK(calendar::days_from_civil(2026, 3, 29) == 20'541);
  CHECK(calendar::weekday(20'541) == 0);  // the EU's DST change in 2026, a Sunday

  std::int64_t n = calendar::days_from_civil(-32767, 1, 1);
  const std::int64_t end = calendar::days_from_civil(32767, 12, 31);
  calendar::CivilDate expect{-32767, 1, 1};
  int weekday = calendar::weekday(n);
  std::int64_t mismatches = 0, first_mismatch = 0;
  for (; n <= end; ++n) {
    if (calendar::civil_from_days(n) != expect ||
        calendar::days_from_civil(expect.year, expect.month, expect.day) != n ||
        calendar::weekday(n) != weekday || calendar::is_leap_year(expect.year) != rule_leap(expect.year) ||
        calendar::days_in_month(expect.year, expect.month) != rule_month_days(expect.year, expect.month)) {
      if (mismatches == 0) first_mismatch = n;
      ++mismatches;
    }
    // The next date by the rules.
    if (++expect.day > rule_month_days(expect.year, expect.month)) {
      expect.day = 1;
      if (++expect.month > 12) {
        expect.month = 1;
        ++expect.year;
      }
    }
    weekday = (weekday + 1) % 7;
  }
  CHECK(first_mismatch == 0);
  CHECK(mismatches == 0);
  CHECK(expect == calendar::CivilDate{32768, 1, 1});
}

TEST_CASE("calendar: weeks and months as ordinals, dates as ISO text") {
  for (std::int64_t d = calendar::days_from_civil(-2, 1, 1); d <= calendar::days_from_civil(2, 12, 31); ++d) {
    const std::int64_t monday = calendar::week_first_day(calendar::week_index(d));
    CHECK(calendar::weekday(monday) == 1);
    CHECK((monday <= d && d < monday + 7));
    const calendar::CivilDate first =
        calendar::civil_from_days(calendar::month_first_day(calendar::month_index(d)));
    const calendar::CivilDate c = calendar::civil_from_days(d);
    CHECK(first == calendar::CivilDate{c.year, c.month, 1});
  }
  CHECK(calendar::week_index(calendar::days_from_civil(1969, 12, 29)) == 0);  // a Monday, week 0
  CHECK(calendar::week_index(calendar::days_from_civil(1969, 12, 28)) == -1);
  CHECK(calendar::month_index(0) == 1970 * 12);
  CHECK(calendar::month_first_day(-1) == calendar::days_from_civil(-1, 12, 1));
  CHECK(calendar::iso_date(0) == "1970-01-01");
  CHECK(calendar::iso_date(-719'468) == "0000-03-01");
  CHECK(calendar::iso_date(calendar::days_from_civil(-1, 12, 31)) == "-0001-12-31");
  CHECK(calendar::iso_date(calendar::days_from_civil(9999, 12, 31)) == "9999-12-31");
  CHECK(calendar::days_from_civil(2026, 4, 31) == calendar::days_from_civil(2026, 5, 1));  // past the end
  CHECK(detail::floor_div(-1, 7) == -1);
  CHECK(detail::floor_div(-7, 7) == -1);
  CHECK(detail::floor_div(6, 7) == 0);
}

TEST_CASE("calendar: a POSIX rule beyond the calendar's years repeats every 400 years") {
  const PosixTimeZone cet("CET-1CEST,M3.5.0,M10.5.0/3");
  constexpr std::int64_t cycle_s = 146'097LL * 86'400;
  // 2026-07-01T12:00Z is CEST; the same instant 98,000 and 1,000,000 years on
  // or back is as well (both multiples of 400 years).
  const std::int64_t july = calendar::days_from_civil(2026, 7, 1) * 86'400 + 12 * 3600;
  const ZoneInterval here = cet.interval_at_seconds(july);
  REQUIRE(here.offset_s == 7200);
  for (const std::int64_t cycles : {245LL, 2500LL, -245LL, -2500LL}) {
    const ZoneInterval far = cet.interval_at_seconds(july + cycles * cycle_s);
    CHECK(far.offset_s == 7200);
    CHECK(far.dst);
    CHECK(far.begin_s == here.begin_s + cycles * cycle_s);
    CHECK(far.end_s == here.end_s + cycles * cycle_s);
  }
  // Near the int64 limits the interval stops at the limit instead of overflowing.
  const std::int64_t top = std::numeric_limits<std::int64_t>::max() - 10;
  const ZoneInterval edge = cet.interval_at_seconds(top);
  CHECK(edge.contains(top));
  CHECK(edge.begin_s < top);
  const std::int64_t bottom = std::numeric_limits<std::int64_t>::min() + 10;
  CHECK(cet.interval_at_seconds(bottom).contains(bottom));
}
