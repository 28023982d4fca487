// Instants, offsets, RFC 3339 text, local calendars and POSIX TZ rules.
#include <calmkit/time.hpp>
#include <calmkit/timezone.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>

using boost::gregorian::date;
using calmkit::Instant;
using calmkit::PosixTimeZone;
using calmkit::UtcOffset;

TEST_CASE("RFC 3339 parsing keeps the instant and the offset") {
  // 21:14 at +01:00 is 20:14 UTC. 2026-03-02 is day 20514 since 1970-01-01
  // (56 years incl. 14 leap days = 20454 days, + 31 (Jan) + 28 (Feb) + 1).
  const auto t = Instant::parse("2026-03-02T21:14:00+01:00");
  CHECK(t.utc_us() == (20514LL * 86400 + 20 * 3600 + 14 * 60) * 1'000'000LL);
  CHECK(t.offset().minutes() == 60);
  CHECK(t.local().hour() == 21);
  CHECK(t.local_date() == date(2026, 3, 2));
  CHECK(t.to_string() == "2026-03-02T21:14:00+01:00");

  const auto z = Instant::parse("2026-03-02T20:14:00Z");
  CHECK(z.utc_us() == t.utc_us());
  CHECK(z != t);  // same moment, different offset: not the same journal entry
  CHECK(z.to_string() == "2026-03-02T20:14:00Z");
}

TEST_CASE("fractional seconds are kept to the microsecond and written trimmed") {
  const auto t = Instant::parse("2026-03-02T21:14:00.25-05:30");
  CHECK(t.utc_us() % 1'000'000 == 250'000);
  CHECK(t.offset().minutes() == -330);
  CHECK(t.to_string() == "2026-03-02T21:14:00.25-05:30");
  CHECK(Instant::parse("2026-03-02T21:14:00.123456000Z").to_string() == "2026-03-02T21:14:00.123456Z");
  // Past six digits the instant is truncated, as Python's datetime.fromisoformat
  // does: .NET's round-trip format writes 7 digits, Go's RFC3339Nano up to 9.
  CHECK(Instant::parse("2026-03-02T21:14:00.1234567Z").to_string() == "2026-03-02T21:14:00.123456Z");
  CHECK(Instant::parse("2026-03-02T21:14:00.999999999+01:00").to_string() ==
        "2026-03-02T21:14:00.999999+01:00");
  CHECK(Instant::parse("1969-12-31T23:59:59.0000009Z").utc_us() == -1'000'000);
}

TEST_CASE("an offset can move the local date away from the UTC date") {
  // 23:30 UTC on 1 March is already 2 March in Tokyo (+09:00) ...
  const auto tokyo = Instant::parse("2026-03-02T08:30:00+09:00");
  CHECK(tokyo.utc().date() == date(2026, 3, 1));
  CHECK(tokyo.local_date() == date(2026, 3, 2));
  // ... and still 1 March in Sao Paulo for an instant that is 2 March in UTC.
  const auto sp = Instant::parse("2026-03-01T22:30:00-03:00");
  CHECK(sp.utc().date() == date(2026, 3, 2));
  CHECK(sp.local_date() == date(2026, 3, 1));
  CHECK(sp.local_day() == Instant::date_to_day(date(2026, 3, 1)));
}

TEST_CASE("instants before 1970 use floor division for the local date") {
  const auto t = Instant::parse("1969-12-31T23:59:59.5Z");
  CHECK(t.utc_us() == -500'000);
  CHECK(t.local_date() == date(1969, 12, 31));
  CHECK(t.to_string() == "1969-12-31T23:59:59.5Z");
}

TEST_CASE("malformed times are rejected with the reason") {
  CHECK_THROWS_AS(Instant::parse("2026-03-02T21:14:00"), std::invalid_argument);
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T21:14:00"), Catch::Contains("missing UTC offset"));
  CHECK_THROWS_WITH(Instant::parse("2026-02-29T10:00:00Z"), Catch::Contains("day does not exist"));
  CHECK_THROWS_WITH(Instant::parse("2026-13-01T10:00:00Z"), Catch::Contains("month"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T24:00:00Z"), Catch::Contains("hour"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:60Z"), Catch::Contains("leap"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:00+0100"), Catch::Contains("offset"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:00+24:00"), Catch::Contains("offset"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:00Zjunk"), Catch::Contains("after the offset"));
  CHECK_THROWS_WITH(Instant::parse("2026/03/02T10:00:00Z"), Catch::Contains("YYYY-MM-DD"));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:00.Z"), Catch::Contains("digits after"));
  CHECK_FALSE(Instant::try_parse("").has_value());
  // 2024 is a leap year: 29 February exists.
  CHECK(Instant::parse("2024-02-29T10:00:00Z").local_date() == date(2024, 2, 29));
  // lowercase separators are allowed by RFC 3339
  CHECK(Instant::parse("2026-03-02t10:00:00z") == Instant::parse("2026-03-02T10:00:00Z"));
}

TEST_CASE("the parser's calendar is Boost's on every day of 1400..9999") {
  // The parser counts days by arithmetic (days_from_civil) and knows month
  // lengths itself; Boost's Gregorian calendar is the reference, day by day,
  // with the day after each short month's last refused.
  const date epoch(1970, 1, 1);
  std::size_t days = 0, wrong = 0, accepted = 0;
  for (date d(1400, 1, 1); d <= date(9999, 12, 31); d += boost::gregorian::days(1), ++days) {
    const auto ymd = d.year_month_day();
    const int y = ymd.year, m = ymd.month, day = ymd.day;
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00Z", y, m, day);
    const auto t = Instant::try_parse(text);
    if (!t || t->utc_us() != (d - epoch).days() * calmkit::detail::us_per_day) ++wrong;
    if (d.end_of_month() == d && day < 31) {
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00Z", y, m, day + 1);
      calmkit::TimeParseError err;
      if (Instant::try_parse(text, &err) || err.reason != "day does not exist in that month") ++accepted;
    }
  }
  CHECK(days == 3'141'085);  // Python: (date(9999, 12, 31) - date(1400, 1, 1)).days + 1
  CHECK(wrong == 0);
  CHECK(accepted == 0);
}

TEST_CASE("every byte in every place of a time is read as the RFC 3339 grammar says") {
  // The parser reads the usual shape eight bytes at a time; this puts each of
  // the 256 byte values at each place of two times and checks the result
  // against the grammar and Boost's calendar, place by place: a digit place
  // takes only a digit (then the fields' ranges decide), a separator only
  // itself ('T' also 't' or a space). A refusal gives the reason of the part
  // that is wrong.
  const date epoch(1970, 1, 1);
  std::size_t checked = 0, wrong = 0;
  for (const std::string base : {"2026-03-29T01:30:45.123+05:30", "1999-12-31T23:59:59Z"}) {
    const std::size_t offset_at = base.find_first_of("+Z", 19);
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text = base;
        text[at] = static_cast<char>(byte);
        const auto digit = [&text](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
        const auto num = [&text](std::size_t i, std::size_t n) { return std::stoi(text.substr(i, n)); };
        // The grammar, place by place.
        std::string why;  // empty: accepted
        bool date_ok = true, time_ok = true;
        for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) date_ok = date_ok && digit(i);
        date_ok = date_ok && text[4] == '-' && text[7] == '-';
        for (std::size_t i : {11, 12, 14, 15, 17, 18}) time_ok = time_ok && digit(i);
        time_ok = time_ok && text[13] == ':' && text[16] == ':';
        if (!date_ok) {
          why = "date must be YYYY-MM-DD";
        } else if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
          why = "expected 'T' between date and time";
        } else if (!time_ok) {
          why = "time must be hh:mm:ss";
        }
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
        if (why.empty()) {
          y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), sec = num(17, 2);
          if (y < 1400) {
            why = "year";
          } else if (mo < 1 || mo > 12) {
            why = "month must be 01..12";
          } else if (d < 1 || d > boost::gregorian::gregorian_calendar::end_of_month_day(
                                      static_cast<unsigned short>(y), static_cast<unsigned short>(mo))) {
            why = "day does not exist in that month";
          } else if (h > 23 || mi > 59 || sec > 59) {
            why = h > 23 ? "hour" : mi > 59 ? "minute" : "second";
          }
        }
        if (at >= 19) continue;  // the fraction and the offset: below
        calmkit::TimeParseError err;
        const auto t = Instant::try_parse(text, &err);
        ++checked;
        if (why.empty()) {
          const std::int64_t off = base[offset_at] == 'Z' ? 0 : 330;
          const std::int64_t local_s = (date(static_cast<unsigned short>(y), static_cast<unsigned short>(mo),
                                             static_cast<unsigned short>(d)) -
                                        epoch)
                                               .days() *
                                           86400 +
                                       h * 3600 + mi * 60 + sec;
          const std::int64_t frac = base[19] == '.' ? 123'000 : 0;
          if (!t || t->utc_us() != (local_s - off * 60) * 1'000'000 + frac) ++wrong;
        } else if (t || err.reason.find(why) == std::string::npos) {
          ++wrong;
        }
      }
    }
    // The offset: `+hh:mm` (hh <= 23, mm <= 59) or `Z`.
    if (base[offset_at] == '+') {
      for (std::size_t at = offset_at; at < base.size(); ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text = base;
          text[at] = static_cast<char>(byte);
          const std::string o = text.substr(offset_at);
          const bool shape = (o[0] == '+' || o[0] == '-') && o[3] == ':' &&
                             std::isdigit(static_cast<unsigned char>(o[1])) &&
                             std::isdigit(static_cast<unsigned char>(o[2])) &&
                             std::isdigit(static_cast<unsigned char>(o[4])) &&
                             std::isdigit(static_cast<unsigned char>(o[5]));
          const bool zulu = at == offset_at && (byte == 'Z' || byte == 'z');
          const auto t = Instant::try_parse(text);
          ++checked;
          if (zulu) {
            if (t) ++wrong;  // "Z05:30": text after the offset
            continue;
          }
          const bool ok = shape && std::stoi(o.substr(1, 2)) <= 23 && std::stoi(o.substr(4, 2)) <= 59;
          if (ok != t.has_value()) ++wrong;
          if (ok && t) {
            const int minutes =
                (o[0] == '-' ? -1 : 1) * (std::stoi(o.substr(1, 2)) * 60 + std::stoi(o.substr(4, 2)));
            if (t->offset().minutes() != minutes) ++wrong;
          }
        }
      }
    }
  }
  CHECK(checked == (19 * 2 + 6) * 256);
  CHECK(wrong == 0);
}

TEST_CASE("UtcOffset is bounded to +-23:59") {
  CHECK(UtcOffset(-1439).to_string() == "-23:59");
  CHECK(UtcOffset(330).to_string() == "+05:30");
  CHECK(UtcOffset(0).to_string() == "Z");
  CHECK(UtcOffset(0).to_string(false) == "+00:00");
  CHECK_THROWS_AS(UtcOffset(1440), std::out_of_range);
  CHECK_FALSE(UtcOffset::make(-1440).has_value());
}

TEST_CASE("the offset and year rules have one wording, in the parser and in UtcOffset") {
  CHECK_THROWS_WITH(UtcOffset(1440), "UTC offset must be within -23:59..+23:59, got 1440 minutes");
  CHECK_THROWS_WITH(UtcOffset(1440), calmkit::detail::offset_out_of_range(1440));
  CHECK_THROWS_WITH(Instant::parse("2026-03-02T10:00:00+24:00"),
                    Catch::Contains("UTC offset must be within -23:59..+23:59"));
  CHECK_THROWS_WITH(Instant::parse("1399-12-31T10:00:00Z"), Catch::Contains("year must be 1400..9999"));
  CHECK(calmkit::detail::year_out_of_range(10000) == "year must be 1400..9999, got 10000");
}

TEST_CASE("arithmetic and ordering of instants") {
  const auto a = Instant::parse("2026-03-02T10:00:00+01:00");
  const auto b = a + std::chrono::minutes(90);
  CHECK(b - a == std::chrono::minutes(90));
  CHECK(b.to_string() == "2026-03-02T11:30:00+01:00");
  CHECK(a < b);
  CHECK(Instant::from_local(a.local(), a.offset()) == a);
  CHECK(Instant::from_utc(a.utc(), a.offset()) == a);
}

TEST_CASE("ISO weeks start on Monday, months on the 1st") {
  // 2026-03-02 is a Monday; 2026-03-08 a Sunday; 2026-01-01 a Thursday whose
  // ISO week starts on Monday 2025-12-29.
  CHECK(calmkit::iso_week_start(date(2026, 3, 2)) == date(2026, 3, 2));
  CHECK(calmkit::iso_week_start(date(2026, 3, 8)) == date(2026, 3, 2));
  CHECK(calmkit::iso_week_start(date(2026, 1, 1)) == date(2025, 12, 29));
  CHECK(calmkit::month_start(date(2026, 2, 28)) == date(2026, 2, 1));
}

TEST_CASE("POSIX TZ offsets are read west-positive (Boost's own parser reads them east-positive)") {
  // POSIX 'CET-1' means one hour EAST of UTC. Boost would read it as UTC-1.
  PosixTimeZone cet("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(cet.standard_offset_minutes() == 60);
  CHECK(cet.offset_at(Instant::parse("2026-01-15T12:00:00Z")).minutes() == 60);
  CHECK(cet.offset_at(Instant::parse("2026-07-01T12:00:00Z")).minutes() == 120);
  // The spring change: last Sunday of March 2026 is the 29th, at 02:00 CET = 01:00 UTC.
  CHECK(cet.offset_at(Instant::parse("2026-03-29T00:59:59Z")).minutes() == 60);
  CHECK(cet.offset_at(Instant::parse("2026-03-29T01:00:00Z")).minutes() == 120);
  // The autumn change: last Sunday of October 2026 is the 25th, at 03:00 CEST = 01:00 UTC.
  CHECK(cet.offset_at(Instant::parse("2026-10-25T00:59:59Z")).minutes() == 120);
  CHECK(cet.offset_at(Instant::parse("2026-10-25T01:00:00Z")).minutes() == 60);
  CHECK(cet.localize(Instant::parse("2026-07-01T12:00:00Z")).to_string() == "2026-07-01T14:00:00+02:00");

  // US Eastern: 'EST5EDT' is five hours WEST. Second Sunday of March 2026 is the
  // 8th, 02:00 EST = 07:00 UTC; first Sunday of November is the 1st, 02:00 EDT = 06:00 UTC.
  PosixTimeZone us("EST5EDT,M3.2.0,M11.1.0");
  CHECK(us.offset_at(Instant::parse("2026-03-08T06:59:59Z")).minutes() == -300);
  CHECK(us.offset_at(Instant::parse("2026-03-08T07:00:00Z")).minutes() == -240);
  CHECK(us.offset_at(Instant::parse("2026-11-01T05:59:59Z")).minutes() == -240);
  CHECK(us.offset_at(Instant::parse("2026-11-01T06:00:00Z")).minutes() == -300);

  // No DST, half-hour offset, quoted names.
  CHECK(PosixTimeZone("IST-5:30").offset_at(Instant::parse("2026-07-01T00:00:00Z")).minutes() == 330);
  CHECK(PosixTimeZone("<-03>3").offset_at(Instant::parse("2026-07-01T00:00:00Z")).minutes() == -180);
  // Southern hemisphere: DST spans the new year (Sydney, AEST-10AEDT,M10.1.0,M4.1.0/3).
  PosixTimeZone syd("AEST-10AEDT,M10.1.0,M4.1.0/3");
  CHECK(syd.offset_at(Instant::parse("2026-01-15T00:00:00Z")).minutes() == 660);
  CHECK(syd.offset_at(Instant::parse("2026-07-15T00:00:00Z")).minutes() == 600);
  // An explicit DST offset (absolute, POSIX): Lord Howe-like half-hour DST.
  PosixTimeZone lhi("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  CHECK(lhi.offset_at(Instant::parse("2026-01-15T00:00:00Z")).minutes() == 660);
  CHECK(lhi.offset_at(Instant::parse("2026-07-15T00:00:00Z")).minutes() == 630);
}

TEST_CASE("malformed POSIX TZ rules get a clear error") {
  CHECK_THROWS_WITH(PosixTimeZone("CET"), Catch::Contains("standard-time offset is missing"));
  CHECK_THROWS_WITH(PosixTimeZone("C-1"), Catch::Contains("at least 3 characters"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST"), Catch::Contains("start and end rules"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,M13.5.0,M10.5.0"), Catch::Contains("Mm.w.d"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,M3.5.0,M10.5.0/3x"), Catch::Contains("unexpected text"));
  CHECK_THROWS_AS(PosixTimeZone("<CET-1"), std::invalid_argument);
}

TEST_CASE("POSIX TZ transition dates take plain digits only (fuzz regressions)") {
  using namespace std::string_literals;
  // Found by tests/fuzz/fuzz_timezone: sscanf stopped at an embedded NUL and
  // accepted "M3.5.0\0...", whose tail then overflowed inside Boost's parser.
  CHECK_THROWS_AS(PosixTimeZone("CET-1CEST,M3.5.0\0\0\x0c,M10.5.0/3"s), std::invalid_argument);
  // sscanf's %d also let signs and spaces through.
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,M+3.5.0,M10.5.0"), Catch::Contains("Mm.w.d"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,M 3.5.0,M10.5.0"), Catch::Contains("Mm.w.d"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,M3.5,M10.5.0"), Catch::Contains("Mm.w.d"));
  // std::stoi threw std::out_of_range (not invalid_argument) on a long day number.
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,J99999999999999999999,J300"), Catch::Contains("Jn or n"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-1CEST,J366,J300"), Catch::Contains("out of range"));
  // Found by fuzz_timezone: POSIX allows offsets up to 24 hours, UtcOffset
  // stops at 23:59, and 'ssss1STt24,6,4' (daylight time 24 h west) made
  // offset_at() throw std::out_of_range. Now the constructor refuses it.
  CHECK_THROWS_WITH(PosixTimeZone("ssss1STt24,6,4"),
                    Catch::Contains("daylight-time offset: UTC offset must be within -23:59..+23:59, "
                                    "got -1440 minutes"));
  CHECK_THROWS_WITH(PosixTimeZone("CET-24"),
                    Catch::Contains("standard-time offset: UTC offset must be within -23:59..+23:59, "
                                    "got 1440 minutes"));
  // The default daylight offset is one hour ahead: 23:30 + 1 h is out of range too.
  CHECK_THROWS_WITH(PosixTimeZone("<+2330>-23:30DST,M3.5.0,M10.5.0"),
                    Catch::Contains("daylight-time offset"));
  CHECK(PosixTimeZone("<+1345>-13:45").offset_at(Instant::parse("2026-07-01T00:00:00Z")).minutes() == 825);
  // Julian days still work: J60 is 1 March and J300 is 27 October, so 1 July is summer time.
  CHECK(PosixTimeZone("CET-1CEST,J60,J300").offset_at(Instant::parse("2026-07-01T12:00:00Z")).minutes() ==
        120);
  // Zero-based day 59 is 29 February in leap years and 1 March in others
  // (Boost threw "No Feb 29th" for it; the arithmetic is calmkit's own now).
  // '59/0' starts daylight time at local midnight of that day: 2028-02-29
  // 00:00 CET = 2028-02-28T23:00Z; 2026-03-01 00:00 CET = 2026-02-28T23:00Z.
  const PosixTimeZone leap("CET-1CEST,59/0,299");
  CHECK(leap.offset_at(Instant::parse("2028-02-28T22:59:59Z")).minutes() == 60);
  CHECK(leap.offset_at(Instant::parse("2028-02-28T23:00:00Z")).minutes() == 120);
  CHECK(leap.offset_at(Instant::parse("2026-02-28T22:59:59Z")).minutes() == 60);
  CHECK(leap.offset_at(Instant::parse("2026-02-28T23:00:00Z")).minutes() == 120);
  // Before 29 February it is the same day in every year: zero-based 0 is
  // 1 January and 30 is 31 January, so 15 January is summer time and 1 July not.
  const PosixTimeZone early("CET-1CEST,0,30");
  CHECK(early.offset_at(Instant::parse("2026-01-15T12:00:00Z")).minutes() == 120);
  CHECK(early.offset_at(Instant::parse("2026-07-01T12:00:00Z")).minutes() == 60);
}

TEST_CASE("tzdata's own POSIX footers with transition times beyond 0..24 h (RFC 8536 3.3.1)") {
  // The footers are the last line of tzdata 2025b's TZif files
  // (`tail -n1 /usr/share/zoneinfo/Asia/Jerusalem`); the expected changes are
  // tzdata's compiled transitions for 2026 and 2031, read with Python's
  // zoneinfo (which uses the explicit transitions up to 2037, not the footer).
  struct Change {
    const char* before;  // one second before the change, UTC
    const char* at;      // the change, UTC
    int from_min, to_min;
  };
  auto check = [](const char* rule, std::initializer_list<Change> changes) {
    INFO(rule);
    const PosixTimeZone zone(rule);
    for (const auto& c : changes) {
      INFO(c.at);
      CHECK(zone.offset_at(Instant::parse(c.before)).minutes() == c.from_min);
      CHECK(zone.offset_at(Instant::parse(c.at)).minutes() == c.to_min);
    }
  };
  // Israel: the Friday before the last Sunday of March, 02:00, written as the
  // fourth Thursday at 26:00. 2026: Thursday 26 March + 26 h = Friday 27 March
  // 02:00 IST (UTC+2) = 00:00 UTC. End: last Sunday of October 02:00 IDT.
  check("IST-2IDT,M3.4.4/26,M10.5.0", {{"2026-03-26T23:59:59Z", "2026-03-27T00:00:00Z", 120, 180},
                                       {"2026-10-24T22:59:59Z", "2026-10-24T23:00:00Z", 180, 120},
                                       {"2031-03-27T23:59:59Z", "2031-03-28T00:00:00Z", 120, 180},
                                       {"2031-10-25T22:59:59Z", "2031-10-25T23:00:00Z", 180, 120}});
  // Greenland (America/Nuuk): a negative time, -1:00 on the last Sunday of
  // March = Saturday 23:00 local (UTC-2) = Sunday 01:00 UTC.
  check("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", {{"2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", -120, -60},
                                            {"2026-10-25T00:59:59Z", "2026-10-25T01:00:00Z", -60, -120},
                                            {"2031-03-30T00:59:59Z", "2031-03-30T01:00:00Z", -120, -60}});
  // Chile (America/Santiago): 24:00 on the first Saturday = Sunday 00:00;
  // daylight time spans the new year (southern hemisphere).
  check("<-04>4<-03>,M9.1.6/24,M4.1.6/24", {{"2026-04-05T02:59:59Z", "2026-04-05T03:00:00Z", -180, -240},
                                            {"2026-09-06T03:59:59Z", "2026-09-06T04:00:00Z", -240, -180},
                                            {"2031-04-06T02:59:59Z", "2031-04-06T03:00:00Z", -180, -240}});
  // Gaza: 50 hours after the fourth Thursday = Saturday 02:00.
  check("EET-2EEST,M3.4.4/50,M10.4.4/50", {{"2026-03-27T23:59:59Z", "2026-03-28T00:00:00Z", 120, 180},
                                           {"2026-10-23T22:59:59Z", "2026-10-23T23:00:00Z", 180, 120},
                                           {"2031-10-24T22:59:59Z", "2031-10-24T23:00:00Z", 180, 120}});
  // Troll station: two hours of daylight time, changes at 01:00 and 03:00.
  check("<+00>0<+02>-2,M3.5.0/1,M10.5.0/3", {{"2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", 0, 120},
                                             {"2026-10-25T00:59:59Z", "2026-10-25T01:00:00Z", 120, 0}});
  // Cuba: changes at 00:00 and 01:00.
  check("CST5CDT,M3.2.0/0,M11.1.0/1", {{"2026-03-08T04:59:59Z", "2026-03-08T05:00:00Z", -300, -240},
                                       {"2026-11-01T04:59:59Z", "2026-11-01T05:00:00Z", -240, -300}});
  // Easter Island: 22:00 on the first Saturday.
  check("<-06>6<-05>,M9.1.6/22,M4.1.6/22", {{"2026-04-05T02:59:59Z", "2026-04-05T03:00:00Z", -300, -360},
                                            {"2031-09-07T03:59:59Z", "2031-09-07T04:00:00Z", -360, -300}});

  // The limits of RFC 8536: -167..167 hours; 168 is refused with the range.
  CHECK_NOTHROW(PosixTimeZone("XXX3YYY,M3.5.0/167,M10.5.0/-167"));
  CHECK_THROWS_WITH(PosixTimeZone("XXX3YYY,M3.5.0/168,M10.5.0"), Catch::Contains("at most 167"));
  CHECK_THROWS_WITH(PosixTimeZone("XXX3YYY,M3.5.0,M10.5.0/-168"), Catch::Contains("at most 167"));
  // Offsets themselves stay within 24 hours (POSIX).
  CHECK_THROWS_WITH(PosixTimeZone("XXX25"), Catch::Contains("at most 24"));
  // Daylight time all year, as tzdata writes it (RFC 8536 3.3.1's example):
  // starts 1 January 00:00 and ends 31 December 25:00 (= the next start).
  const PosixTimeZone always("EST5EDT,0/0,J365/25");
  for (const char* t : {"2026-01-01T05:00:00Z", "2026-07-01T00:00:00Z", "2026-12-31T23:59:59Z",
                        "2027-01-01T05:00:00Z", "2028-12-31T12:00:00Z"}) {
    INFO(t);
    CHECK(always.offset_at(Instant::parse(t)).minutes() == -240);
  }
  // Before 1970 and far ahead: floor division of days and years.
  const PosixTimeZone cet("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(cet.offset_at(Instant::parse("1960-07-01T12:00:00Z")).minutes() == 120);
  CHECK(cet.offset_at(Instant::parse("1960-01-01T12:00:00Z")).minutes() == 60);
  CHECK(cet.offset_at(Instant::parse("2400-07-01T12:00:00Z")).minutes() == 120);
}

TEST_CASE("TimeZone: an IANA name and a POSIX rule, one model with half-open intervals from begin to end") {
  using calmkit::TimeZone;
  const auto rule = TimeZone::locate("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK_FALSE(rule.from_tzdata());
  const auto at = [](const char* text) { return Instant::parse(text); };
  // CEST 2026: from the last Sunday of March (29th) 01:00 UTC to the last
  // Sunday of October (25th) 01:00 UTC, by hand from the EU rule.
  const auto summer = rule.interval_at(at("2026-07-01T12:00:00Z"));
  CHECK(summer.begin_s == at("2026-03-29T01:00:00Z").utc_us() / 1'000'000);
  CHECK(summer.end_s == at("2026-10-25T01:00:00Z").utc_us() / 1'000'000);
  CHECK(summer.offset_s == 7200);
  CHECK(summer.dst);
  // Wall times (PEP 495): 02:30 on 29 March never happens, 02:30 on 25 October twice.
  const std::int64_t gap = at("2026-03-29T02:30:00Z").utc_us() / 1'000'000;
  CHECK(rule.local_offset_seconds(gap, false) == 3600);
  CHECK(rule.local_offset_seconds(gap, true) == 7200);
  const std::int64_t twice = at("2026-10-25T02:30:00Z").utc_us() / 1'000'000;
  CHECK(rule.local_offset_seconds(twice, false) == 7200);
  CHECK(rule.local_offset_seconds(twice, true) == 3600);

  if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin") && std::getenv("TZDIR") == nullptr) {
    WARN("no system tzdata: IANA zone names not checked");
    return;
  }
  const auto berlin = TimeZone::locate("Europe/Berlin");
  CHECK(berlin.from_tzdata());
  const auto b = berlin.interval_at(at("2026-07-01T12:00:00Z"));
  CHECK((b.begin_s == summer.begin_s && b.end_s == summer.end_s && b.offset_s == 7200));
  // Local mean time before 1893-04-01: +00:53:28, 53 whole minutes to the nearest.
  CHECK(berlin.interval_at(at("1850-01-01T00:00:00Z")).offset_s == 53 * 60 + 28);
  CHECK(berlin.offset_at(at("1850-01-01T00:00:00Z")).minutes() == 53);
  // 1945: Berlin's double summer time (CEMT, +03:00) from 24 May to 24 September.
  CHECK(berlin.offset_at(at("1945-07-01T12:00:00Z")).minutes() == 180);
  // Year 2500: past the table, from the file's footer rule.
  CHECK(berlin.offset_at(at("2500-07-01T12:00:00Z")).minutes() == 120);
  CHECK(berlin.offset_at(at("2500-01-01T12:00:00Z")).minutes() == 60);

  CHECK_THROWS_WITH(TimeZone::locate("Europe/Berln"), Catch::Contains("unknown time zone 'Europe/Berln'"));
  CHECK_THROWS_WITH(TimeZone::locate("../../etc/passwd"), Catch::Contains("unknown time zone"));
  CHECK_THROWS_WITH(TimeZone::locate("Europe"), Catch::Contains("unknown time zone"));
  CHECK_THROWS_WITH(TimeZone::from_tzif("TZif2", "x", "x.tzif"), Catch::Contains("x.tzif is not valid TZif"));
}
