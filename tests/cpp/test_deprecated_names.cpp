// The spellings retired by docs/architecture.md's table of names keep working
// for one release, as deprecated aliases of the new names: same types, same
// values. That each of them warns (and names its replacement) is checked by
// the `deprecated_names_warn` test (tests/cpp/deprecated_names_warn.cmake).
#include <calmkit/metrics.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <type_traits>

#include "metrics_fixtures.hpp"

// Using the old names is the point of this file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static_assert(std::is_same_v<calmkit::CohortColumns, calmkit::Cohort>);
static_assert(std::is_same_v<calmkit::metrics::CohortColumns, calmkit::Cohort>);

TEST_CASE("Instant's utc_micros, from_utc_micros and local_micros are utc_us, from_utc_us and local_us") {
  const auto t = calmkit::Instant::parse("2026-03-02T21:14:00+01:00");
  // 2026-03-02 is day 20514 since 1970-01-01; 20:14 UTC is 72,840 s into it.
  constexpr std::int64_t utc = (20514LL * 86400 + 72840) * 1'000'000;
  CHECK(t.utc_us() == utc);
  CHECK(t.utc_micros() == utc);
  CHECK(t.local_us() == utc + 3'600'000'000LL);  // one hour east
  CHECK(t.local_micros() == t.local_us());
  const auto back = calmkit::Instant::from_utc_micros(utc, calmkit::UtcOffset(60));
  CHECK(back == calmkit::Instant::from_utc_us(utc, calmkit::UtcOffset(60)));
  CHECK(back.to_string() == "2026-03-02T21:14:00+01:00");
}

TEST_CASE("CohortColumns and metrics::episodes are Cohort and metrics::time_to_calm") {
  calmkit::Journal j;
  j.add(fixtures::trigger("a", "t1", "2026-03-02T10:00:00Z", 8));
  j.add(fixtures::reading("a", "2026-03-02T10:30:00Z", 2, "t1"));  // calm (<= 3) 30 minutes after onset
  const calmkit::CohortColumns old_cols = calmkit::CohortColumns::from_journal(j);
  const auto old_eps = calmkit::metrics::episodes(old_cols, {.threshold = 3, .window_hours = 12});
  const auto new_eps = calmkit::metrics::time_to_calm(j.columns(), {.threshold = 3, .window_hours = 12});
  REQUIRE(old_eps.size() == 1);
  CHECK(old_eps.minutes[0] == Approx(30.0));
  CHECK(old_eps.calmed[0] == 1);
  CHECK(old_eps.minutes == new_eps.minutes);
  CHECK(old_eps.calmed == new_eps.calmed);
}

#pragma GCC diagnostic pop
