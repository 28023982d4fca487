// The time parser's word-at-a-time path (detail::parse_time_fast) against
// its general path (detail::parse_time_general): Instant::try_parse must give
// the same instant, offset and refusal reason as the general path alone for
// every text, and the fast path may only accept what the general path accepts,
// with the same instant. An independent reference (Python's datetime) is
// tests/python/test_time_differential.py.
#include <calmkit/calendar.hpp>
#include <calmkit/time.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using calmkit::Instant;
using calmkit::TimeParseError;

namespace {

struct Tally {
  std::size_t checked = 0, fast = 0, wrong = 0;
  std::vector<std::string> examples;  // the first texts read differently

  void operator()(const std::string& owned) {
    ++checked;
    // The text alone in a buffer of its size, so that the sanitizers see a
    // read past its end (a std::string has its terminator and spare room).
    const std::unique_ptr<char[]> bytes(new char[owned.size()]);
    std::copy(owned.begin(), owned.end(), bytes.get());
    const std::string_view text(bytes.get(), owned.size());
    TimeParseError general_why, why;
    const auto general = calmkit::detail::parse_time_general(text, &general_why);
    const auto t = Instant::try_parse(text, &why);
    Instant quick;
    bool same = general.has_value() == t.has_value() && (!general || *general == *t) &&
                (general || general_why.reason == why.reason);
    if (calmkit::detail::parse_time_fast(text, quick)) {
      ++fast;
      same = same && general && *general == quick;
    }
    if (!same && ++wrong <= 5) examples.push_back(owned);
  }
};

// Times of the shapes the fast path reads (fractions of 1..6 digits, `Z` and
// both signs) and some it leaves to the general path (`t`, `z`, a space, 7
// and 9 fraction digits, a one-digit fraction before an offset).
const std::vector<std::string> seeds = {
    "2026-03-01T08:15:00+02:00",
    "2026-03-01T08:15:00Z",
    "2026-04-11T14:39:22.958+02:00",
    "2026-04-11T14:39:22.958-05:30",
    "2024-02-29T23:59:59.123456-23:59",
    "2000-12-31T00:00:00.1Z",
    "1400-01-01T00:00:00.12+00:00",
    "9999-12-31T23:59:59.99999Z",
    "1999-12-31T23:59:59.5+14:00",
    "2026-03-02T10:00:00.1234567Z",
    "2026-03-02t10:00:00z",
    "2026-03-02 10:00:00.123456789+01:00",
};

}  // namespace

TEST_CASE("the fast path reads the journals' shapes and gives the general path's instant") {
  Tally tally;
  for (const auto& s : seeds) tally(s);
  CHECK(tally.wrong == 0);
  CHECK(tally.fast == 9);  // all but the last three seeds
}

TEST_CASE("every byte at every place, and two places at once, read as the general path reads them") {
  // Each seed with each of the 256 byte values at each place, and with two
  // places set to a digit, sign, colon, dot, letter, space, NUL or a high
  // byte; each seed cut at every length, with an offset or `Z` put
  // where it was cut, and with a byte before or after it.
  const std::string second = std::string("0159+-:.TZtz \x80\xff/") + '\0';
  Tally tally;
  for (const auto& base : seeds) {
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text = base;
        text[at] = static_cast<char>(byte);
        tally(text);
      }
      for (const char c : second) {
        for (std::size_t at2 = at + 1; at2 < base.size(); ++at2) {
          for (const char c2 : second) {
            std::string two = base;
            two[at] = c;
            two[at2] = c2;
            tally(two);
          }
        }
      }
    }
    for (std::size_t k = 0; k <= base.size(); ++k) {
      const std::string head = base.substr(0, k);
      for (const char* tail : {"", "Z", "+01:00", "-23:59", ".5Z", ".123+05:30", "0", ":"})
        tally(head + tail);
      if (k < base.size()) tally(head + base.substr(k + 1));  // one byte left out
    }
    for (int byte = 0; byte < 256; ++byte) {
      tally(base + static_cast<char>(byte));
      tally(static_cast<char>(byte) + base);
    }
  }
  INFO(tally.checked << " texts, the first read differently: "
                     << (tally.examples.empty() ? std::string("none") : tally.examples.front()));
  CHECK(tally.wrong == 0);
  CHECK(tally.fast > 10'000);  // the fast path did read many of them
}

TEST_CASE("every day of 1400..9999 and every month's end, at the day-count's edges") {
  // The fast path counts days its own way (days_from_civil_positive); each
  // day's midnight and last microsecond, at both offset extremes, and the day
  // after each month's end (refused) against the general path.
  Tally tally;
  std::size_t days = 0, counted_wrong = 0;
  for (int y = 1400; y <= 9999; ++y) {
    for (int m = 1; m <= 12; ++m) {
      const int last = calmkit::calendar::days_in_month(y, m);
      for (int d = 1; d <= last; ++d, ++days) {
        if (calmkit::detail::days_from_civil_positive(static_cast<unsigned>(y), static_cast<unsigned>(m),
                                                      static_cast<unsigned>(d)) !=
            calmkit::calendar::days_from_civil(y, m, d)) {
          ++counted_wrong;
        }
        // Every day of the years around the 400-year cycle's turns and the
        // range's ends; elsewhere the month's first and last days.
        const bool turn =
            y % 400 == 0 || y % 400 == 399 || y % 400 == 1 || y % 100 == 0 || y <= 1401 || y >= 9998;
        if (!turn && d != 1 && d != last) continue;
        char text[64];
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00Z", y, m, d);
        tally(text);
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT23:59:59.999999+23:59", y, m, d);
        tally(text);
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00.000001-23:59", y, m, d);
        tally(text);
      }
      for (int d = last + 1; d <= 32; ++d) {  // no such day
        char text[64];
        std::snprintf(text, sizeof text, "%04d-%02d-%02dT12:00:00+01:00", y, m, d);
        tally(text);
      }
    }
    for (const int m : {0, 13, 19, 20, 99}) {
      char text[64];
      std::snprintf(text, sizeof text, "%04d-%02d-01T12:00:00Z", y, m);
      tally(text);
    }
  }
  CHECK(days == 3'141'085);
  CHECK(counted_wrong == 0);
  CHECK(tally.wrong == 0);
}

TEST_CASE("random times, valid and out of every range, read as the general path reads them") {
  std::mt19937_64 random(20261130);
  const auto pick = [&random](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
  Tally tally;
  for (int i = 0; i < 400'000; ++i) {
    char text[96];
    int k = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", 1000 + pick(9000), pick(14),
                          pick(33), pick(26), pick(62), pick(62));
    std::string s(text, static_cast<std::size_t>(k));
    if (const int digits = pick(10); digits > 0) {
      s += '.';
      for (int j = 1; j < digits; ++j) s += static_cast<char>('0' + pick(10));
    }
    if (pick(3) == 0) {
      s += 'Z';
    } else {
      k = std::snprintf(text, sizeof text, "%c%02d:%02d", pick(2) != 0 ? '+' : '-', pick(26), pick(62));
      s.append(text, static_cast<std::size_t>(k));
    }
    tally(s);
  }
  CHECK(tally.wrong == 0);
  CHECK(tally.fast > 50'000);
}
