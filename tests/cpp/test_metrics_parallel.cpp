// The metrics split cohorts into blocks of whole participants on several
// threads: every result must equal the single-threaded one exactly.
#include <calmkit/metrics.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace calmkit::metrics;

namespace {

/// Resets the thread settings when a test ends (also on failure).
struct ThreadSettings {
  ThreadSettings(int n, std::size_t min_rows) {
    set_threads(n);
    detail::min_rows_per_thread() = min_rows;
  }
  ~ThreadSettings() {
    set_threads(0);
    detail::min_rows_per_thread() = 200'000;
  }
  ThreadSettings(const ThreadSettings&) = delete;
  ThreadSettings& operator=(const ThreadSettings&) = delete;
};

/// A random cohort: 37 participants (some without triggers), triggers and
/// readings in (participant, time) order, 60 % of readings linked.
Cohort random_cohort(unsigned seed) {
  std::mt19937 rng(seed);
  Cohort c;
  c.thoughts.distortion_offsets = {0};
  for (int p = 0; p < 37; ++p) c.participants.push_back("p" + std::to_string(p));
  auto& t = c.triggers;
  auto& r = c.readings;
  for (std::int32_t p = 0; p < 37; ++p) {
    const int n_triggers = p % 9 == 4 ? 0 : std::uniform_int_distribution<int>(1, 30)(rng);
    std::int64_t now = 1'700'000'000'000'000LL;
    for (int k = 0; k < n_triggers; ++k) {
      now += std::uniform_int_distribution<std::int64_t>(1, 40)(rng) * 900'000'000LL;  // 15-min steps
      const auto row = static_cast<std::int32_t>(t.size());
      t.participant.push_back(p);
      t.time_us.push_back(now);
      t.offset_minutes.push_back(static_cast<std::int16_t>((p % 5) * 60 - 120));
      t.intensity.push_back(static_cast<std::int8_t>(std::uniform_int_distribution<int>(0, 10)(rng)));
      t.category.push_back(static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 5)(rng)));
      t.acted_on_urge.push_back(-1);
      t.acted_after_minutes.push_back(nan_value);
      std::int64_t at = now;
      for (int j = std::uniform_int_distribution<int>(0, 12)(rng); j > 0; --j) {
        at += std::uniform_int_distribution<std::int64_t>(0, 8)(rng) * 300'000'000LL;  // ties included
        r.participant.push_back(p);
        r.time_us.push_back(at);
        r.offset_minutes.push_back(t.offset_minutes.back());
        r.intensity.push_back(static_cast<std::int8_t>(std::uniform_int_distribution<int>(0, 10)(rng)));
        r.trigger.push_back(std::bernoulli_distribution(0.6)(rng) ? row : no_trigger);
      }
    }
  }
  // Readings of a trigger can pass the next onset: restore the time order.
  c.prepare();
  return c;
}

}  // namespace

TEST_CASE("episodes and summaries are the same on 1 and on 3 threads") {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    const auto c = random_cohort(seed);
    EpisodeTable one, three;
    TimeToCalmSummary s1, s3, w1, w3;
    {
      const ThreadSettings single(1, 200'000);
      one = time_to_calm(c);
      s1 = time_to_calm_summary(c, one);
      w1 = time_to_calm_summary(c, one, {.participant = true, .period = Period::week, .category = true});
    }
    {
      // 10 rows a thread: a cohort of a few hundred rows runs in 3 blocks.
      const ThreadSettings many(3, 10);
      REQUIRE(detail::block_count(c.readings.size()) == 3);
      c.check();
      three = time_to_calm(c);
      s3 = time_to_calm_summary(c, three);
      w3 = time_to_calm_summary(c, three, {.participant = true, .period = Period::week, .category = true});
    }
    INFO("seed " << seed);
    CHECK(one.minutes == three.minutes);
    CHECK(one.calmed == three.calmed);
    CHECK(one.peak_intensity == three.peak_intensity);
    CHECK(one.observations == three.observations);
    auto same = [](const TimeToCalmSummary& a, const TimeToCalmSummary& b) {
      auto eq = [](const std::vector<double>& x, const std::vector<double>& y) {
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i) {
          if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
        }
        return true;
      };
      return a.participant == b.participant && a.period_start == b.period_start && a.category == b.category &&
             a.episodes == b.episodes && a.calmed == b.calmed && eq(a.median_minutes, b.median_minutes) &&
             eq(a.ci_low, b.ci_low) && eq(a.ci_high, b.ci_high);
    };
    CHECK(same(s1, s3));
    CHECK(same(w1, w3));
  }
}

TEST_CASE("a bad row found by another thread is reported like on one thread") {
  const ThreadSettings many(2, 10);
  auto c = random_cohort(3);
  REQUIRE(c.readings.size() > 40);
  const std::size_t row = c.readings.size() - 3;  // in the last block
  c.readings.intensity[row] = 12;
  CHECK_THROWS_WITH(c.check(),
                    Catch::Contains("readings row " + std::to_string(row)) && Catch::Contains("'intensity'"));
}

TEST_CASE("set_threads: 0 means every hardware thread, and blocks never cut a participant") {
  set_threads(2);
  CHECK(threads() == 2);
  set_threads(0);
  CHECK(threads() >= 1);
  // Codes 0 0 0 1 1 2 2 2 2 3 in 3 blocks: rows 3 and 6 start the cuts;
  // row 6 is participant 2, so the blocks are participants [0,1), [1,2), [2,4).
  const std::vector<std::int32_t> codes{0, 0, 0, 1, 1, 2, 2, 2, 2, 3};
  CHECK(detail::participant_cuts(codes, 3, 4) == std::vector<std::int64_t>{0, 1, 2, 4});
  CHECK(detail::first_row_of(codes, 2) == 5);
  CHECK(detail::first_row_of(codes, 4) == 10);
}
