// Guided sessions against a reference clock: long sessions of uneven steps
// keep every step boundary at the exact sum of the step lengths (B170) and
// end at the exercise's duration (B171).
//
// The reference adds the step lengths with Knuth's TwoSum (a double-double
// running sum, exact to about 2^-106 relative), so it does not drift as a
// plain running sum does; a boundary may differ from it only by the rounding
// of the engine's last few operations, a few units in the last place.
#include <calmkit/session.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <variant>
#include <vector>

using namespace calmkit;

namespace {

/// A double-double running sum.
struct ExactSum {
  double hi = 0, lo = 0;
  void add(double x) {
    const double s = hi + x;
    const double bp = s - hi;
    lo += (hi - (s - bp)) + (x - bp);
    hi = s + lo;
    lo -= hi - s;
  }
};

Exercise uneven(double total) {
  Exercise e;
  e.id = "me.uneven";
  e.name = "Uneven steps";
  e.steps = {TimedStep{0.1, BreathPhase::inhale, "in"}, TimedStep{0.7, BreathPhase::hold_in, "hold"},
             TimedStep{1.3, BreathPhase::exhale, "out"}};
  e.repeat = Repeat::for_seconds(total);
  return e;
}

/// |got - want| in units in the last place of want.
double ulps_off(double got, const ExactSum& want) {
  const double ulp =
      std::nextafter(std::fabs(want.hi), std::numeric_limits<double>::infinity()) - std::fabs(want.hi);
  return std::fabs((got - want.hi) - want.lo) / ulp;
}

}  // namespace

TEST_CASE("ten hours of uneven steps keep every boundary exact and end at the duration",
          "[session][B170][B171]") {
  const Exercise ex = uneven(36000);
  for (const double t0 : {0.0, 1234.5, 1e6}) {
    CAPTURE(t0);
    Session s(ex, SessionOptions{std::numeric_limits<double>::infinity()});
    s.start(t0);
    (void)s.poll_events();
    std::vector<double> at;
    for (int k = 1; s.status() == SessionStatus::running; ++k) {
      (void)s.update(t0 + k);
      for (const auto& e : s.poll_events()) {
        if (e.type == SessionEventType::step_started || e.type == SessionEventType::finished)
          at.push_back(e.at);
      }
    }
    REQUIRE(s.status() == SessionStatus::finished);
    REQUIRE(at.size() == static_cast<std::size_t>(ex.cycles()) * ex.steps.size());
    ExactSum want;
    want.add(t0);
    double worst = 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
      want.add(std::get<TimedStep>(ex.steps[i % ex.steps.size()]).seconds);
      worst = std::max(worst, ulps_off(at[i], want));
    }
    CHECK(worst <= 16);
    CHECK(s.state().elapsed_seconds == *ex.duration_seconds());
  }
}

TEST_CASE("after a skip the boundaries are measured from the skip, without drift", "[session][B170]") {
  const Exercise ex = uneven(7200);
  Session s(ex, SessionOptions{std::numeric_limits<double>::infinity()});
  s.start(0.0);
  (void)s.update(0.05);
  s.skip(0.05);  // the next step (0.7 s) starts at 0.05
  (void)s.poll_events();
  std::vector<double> at;
  for (int k = 1; s.status() == SessionStatus::running; ++k) {
    (void)s.update(k);
    for (const auto& e : s.poll_events()) {
      if (e.type == SessionEventType::step_started || e.type == SessionEventType::finished)
        at.push_back(e.at);
    }
  }
  REQUIRE(s.status() == SessionStatus::finished);
  ExactSum want;
  want.add(0.05);
  double worst = 0;
  for (std::size_t i = 0; i < at.size(); ++i) {
    want.add(std::get<TimedStep>(ex.steps[(i + 1) % ex.steps.size()]).seconds);
    worst = std::max(worst, ulps_off(at[i], want));
  }
  CHECK(at.size() + 1 == static_cast<std::size_t>(ex.cycles()) * ex.steps.size());
  CHECK(worst <= 16);
}
