// libFuzzer target: the guided-session engine fed random event sequences.
//
// The input picks an exercise (from the catalog, or built from the bytes and
// kept only if validate() accepts it), the engine's max gap, then a sequence
// of start/update/pause/resume/skip/answer/abort/finish calls at random times,
// including backwards, huge, negative and non-finite ones. The engine may
// refuse a call with std::invalid_argument, but must never crash or hang, and
// every snapshot must keep its documented ranges.
#include <calmkit/exercises.hpp>
#include <calmkit/session.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace {

// Reports the broken invariant and aborts (libFuzzer then saves the input).
void require_at(bool ok, const char* what, int line) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_session.cpp:%d: invariant broken: %s\n", line, what);
    std::abort();
  }
}
#define require(cond) require_at((cond), #cond, __LINE__)

void check(const calmkit::SessionState& s) {
  require(s.steps > 0);
  require(s.step < s.steps);
  require(s.cycle >= 1 && s.cycle <= s.cycles);
  require(s.step_progress >= 0 && s.step_progress <= 1);
  require(s.session_progress >= 0 && s.session_progress <= 1);
  require(s.elapsed_seconds >= 0 && s.paused_seconds >= 0);
  require(s.seconds_left >= 0);
  require(s.answers_given >= 0 && s.answers_given <= s.answers_needed);
}

double pick_time(FuzzedDataProvider& in, double last) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return last;
    case 1: return last + in.ConsumeFloatingPointInRange<double>(0.0, 2.0);
    case 2: return last + in.ConsumeFloatingPointInRange<double>(0.0, 60.0);
    case 3: return last - in.ConsumeFloatingPointInRange<double>(0.0, 30.0);  // backwards
    case 4: return last + in.ConsumeFloatingPointInRange<double>(0.0, 1e7);   // long suspend
    case 5: return in.ConsumeFloatingPoint<double>();                         // anything finite
    case 6: {
      const double odd[] = {std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN(),
                            1e308,
                            -1e308,
                            0.0};
      return odd[in.ConsumeIntegralInRange<int>(0, 5)];
    }
    default: return last + 0.05;  // a redraw tick
  }
}

calmkit::Exercise pick_exercise(FuzzedDataProvider& in) {
  const auto cat = calmkit::catalog();
  if (in.ConsumeBool()) return cat[in.ConsumeIntegralInRange<std::size_t>(0, cat.size() - 1)];
  calmkit::Exercise ex;
  ex.id = "fuzz.custom";
  ex.name = "Fuzz";
  const int n = in.ConsumeIntegralInRange<int>(1, 6);
  for (int i = 0; i < n; ++i) {
    if (in.ConsumeBool()) {
      calmkit::TimedStep t;
      t.seconds = in.ConsumeFloatingPointInRange<double>(-1.0, 120.0);
      t.phase = static_cast<calmkit::BreathPhase>(in.ConsumeIntegralInRange<int>(0, 4));
      t.cue = in.ConsumeRandomLengthString(16);
      ex.steps.emplace_back(t);
    } else {
      calmkit::PromptStep p;
      p.text = in.ConsumeRandomLengthString(16);
      p.answers = in.ConsumeIntegralInRange<int>(0, 6);
      ex.steps.emplace_back(p);
    }
  }
  if (in.ConsumeBool()) {
    ex.repeat = calmkit::Repeat::times(in.ConsumeIntegralInRange<int>(0, 50));
  } else {
    ex.repeat = calmkit::Repeat::for_seconds(in.ConsumeFloatingPointInRange<double>(-1.0, 3600.0));
  }
  return ex;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  calmkit::Exercise ex = pick_exercise(in);
  try {
    calmkit::validate(ex);
  } catch (const std::invalid_argument&) {
    return 0;  // an invalid definition is refused up front; that is covered by fuzz_exercise_json
  }
  calmkit::SessionOptions opt;
  if (in.ConsumeBool()) {
    opt.max_gap_seconds = in.ConsumeBool() ? std::numeric_limits<double>::infinity()
                                           : in.ConsumeFloatingPointInRange<double>(-1.0, 100.0);
  }
  std::optional<calmkit::Session> session;
  try {
    session.emplace(ex, opt);
  } catch (const std::invalid_argument&) {
    return 0;  // e.g. a max gap <= 0
  }
  calmkit::Session& s = *session;

  // CALMKIT_FUZZ_TRACE=1 prints the calls, to turn a crash file into a test.
  static const bool trace = std::getenv("CALMKIT_FUZZ_TRACE") != nullptr;
  if (trace)
    std::fprintf(stderr, "exercise %s, max_gap %.17g\n", calmkit::to_json(ex).c_str(), opt.max_gap_seconds);
  double last = 0;
  bool finished_record = false;
  while (in.remaining_bytes() > 0 && !finished_record) {
    const double now = pick_time(in, last);
    if (std::isfinite(now)) last = now;
    const int op = in.ConsumeIntegralInRange<int>(0, 8);
    if (trace) std::fprintf(stderr, "op %d at %.17g\n", op, now);
    try {
      switch (op) {
        case 0: s.start(now); break;
        case 1:
        case 2: check(s.update(now)); break;
        case 3: s.pause(now); break;
        case 4: s.resume(now); break;
        case 5: s.skip(now); break;
        case 6: s.answer(now, in.ConsumeRandomLengthString(12)); break;
        case 7: s.abort(now); break;
        default: {
          calmkit::SessionRecordInfo info;
          info.id = in.ConsumeBool() ? "fuzz-1" : "";
          info.started_at = calmkit::Instant::parse("2026-03-02T21:14:00+01:00");
          const auto rec = s.finish(now, info);
          require(rec.end.utc_us() >= rec.time.utc_us());
          finished_record = true;
          break;
        }
      }
    } catch (const std::invalid_argument&) {
      // Refused calls (answer with no prompt open, non-finite now, ...) are fine.
    }
    if (s.status() != calmkit::SessionStatus::ready) check(s.state());
    for (const auto& ev : s.poll_events()) require(ev.cycle >= 1);
  }
  return 0;
}
