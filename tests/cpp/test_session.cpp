// The guided-session engine, driven by a fake clock.
#include <calmkit/session.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace calmkit;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// The step_started events of `events`, as (time, step, cycle, phase).
struct StepMark {
  double at;
  std::size_t step;
  int cycle;
  BreathPhase phase;
  bool operator==(const StepMark&) const = default;
};

std::vector<StepMark> step_marks(const std::vector<SessionEvent>& events) {
  std::vector<StepMark> out;
  for (const auto& e : events) {
    if (e.type == SessionEventType::step_started) out.push_back({e.at, e.step, e.cycle, e.phase});
  }
  return out;
}

std::vector<SessionEventType> types(const std::vector<SessionEvent>& events) {
  std::vector<SessionEventType> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

/// What the definition says the step starts are: every step of every cycle,
/// back to back from `t0`.
std::vector<StepMark> expected_marks(const Exercise& e, double t0) {
  std::vector<StepMark> out;
  double t = t0;
  for (int c = 1; c <= e.cycles(); ++c) {
    for (std::size_t i = 0; i < e.steps.size(); ++i) {
      const auto& s = std::get<TimedStep>(e.steps[i]);
      out.push_back({t, i, c, s.phase});
      t += s.seconds;
    }
  }
  return out;
}

/// Drives a session at 20 updates a second (each `now` computed from the
/// tick count, so no error accumulates) until it ends or `limit` seconds pass.
std::vector<SessionEvent> run_at_20fps(Session& s, double t0, double limit) {
  s.start(t0);
  std::vector<SessionEvent> all;
  for (long k = 1; k <= static_cast<long>(limit * 20); ++k) {
    const auto st = s.update(t0 + static_cast<double>(k) / 20.0);
    for (auto& e : s.poll_events()) all.push_back(e);
    if (st.status == SessionStatus::finished) break;
  }
  return all;
}

Instant at(const char* text) {
  return Instant::parse(text);
}

}  // namespace

TEST_CASE("4-7-8 for 4 cycles: exact phases and 76 s") {
  // Fast-forward allowed, so that two readings 76 s apart run the whole session.
  Session s(catalog_exercise("breathing.4-7-8"), SessionOptions{inf});
  s.start(100.0);
  auto st = s.update(100.0 + 75.9);
  CHECK(st.status == SessionStatus::running);
  st = s.update(176.0);
  CHECK(st.status == SessionStatus::finished);
  const auto events = s.poll_events();
  // inhale at 0, hold at 4, exhale at 11, next cycle at 19, ... every 19 s.
  const std::vector<StepMark> expected = {
      {100, 0, 1, BreathPhase::inhale}, {104, 1, 1, BreathPhase::hold_in}, {111, 2, 1, BreathPhase::exhale},
      {119, 0, 2, BreathPhase::inhale}, {123, 1, 2, BreathPhase::hold_in}, {130, 2, 2, BreathPhase::exhale},
      {138, 0, 3, BreathPhase::inhale}, {142, 1, 3, BreathPhase::hold_in}, {149, 2, 3, BreathPhase::exhale},
      {157, 0, 4, BreathPhase::inhale}, {161, 1, 4, BreathPhase::hold_in}, {168, 2, 4, BreathPhase::exhale},
  };
  CHECK(step_marks(events) == expected);
  REQUIRE(events.back().type == SessionEventType::finished);
  CHECK(events.back().at == 176.0);
  CHECK(events.front().type == SessionEventType::started);
  CHECK(s.state().session_progress == 1.0);
  CHECK(s.state().elapsed_seconds == 76.0);
}

TEST_CASE("every built-in timed exercise: exact phase sequence and timings") {
  for (const auto& e : catalog()) {
    if (e.has_prompts()) continue;
    INFO(e.id);
    const double total = *e.duration_seconds();
    const auto expected = expected_marks(e, 10.0);

    // Updates at 20 fps: boundaries are reported at their exact times.
    Session live(e);
    const auto events = run_at_20fps(live, 10.0, total + 1);
    CHECK(step_marks(events) == expected);
    REQUIRE(events.back().type == SessionEventType::finished);
    CHECK(events.back().at == Approx(10.0 + total).margin(1e-9));
    CHECK(live.state().elapsed_seconds == Approx(total).margin(1e-9));

    // One update at the very end, with fast-forward allowed: the same events.
    Session once(e, SessionOptions{inf});
    once.start(10.0);
    CHECK(once.update(10.0 + total).status == SessionStatus::finished);
    CHECK(step_marks(once.poll_events()) == expected);
  }
}

TEST_CASE("box breathing for 5 minutes: 19 cycles, 304 s") {
  Session s(catalog_exercise("breathing.box"), SessionOptions{inf});
  s.start(0);
  // 300 s = 18 full cycles (288 s) + 12 s: cycle 19, in the hold after the out-breath.
  auto st = s.update(300);
  CHECK(st.status == SessionStatus::running);
  CHECK(st.cycle == 19);
  CHECK(st.cycles == 19);
  CHECK(st.step == 3);
  CHECK(st.phase == BreathPhase::hold_out);
  CHECK(st.seconds_left == 4.0);
  CHECK(st.session_progress == Approx(300.0 / 304.0));
  CHECK(s.update(303.99).status == SessionStatus::running);
  CHECK(s.update(304).status == SessionStatus::finished);
  CHECK(step_marks(s.poll_events()).size() == 19 * 4);
}

TEST_CASE("the snapshot: step, phase, seconds left and progress") {
  Session s(catalog_exercise("breathing.4-7-8"));
  auto st = s.state();
  CHECK(st.status == SessionStatus::ready);
  CHECK(st.seconds_left == 4.0);
  s.start(0);
  st = s.update(1);
  st = s.update(5);
  // 5 s in: the inhale (0-4) is over, 1 s into the 7 s hold.
  CHECK(st.step == 1);
  CHECK(st.steps == 3);
  CHECK(st.phase == BreathPhase::hold_in);
  CHECK(st.text == "Hold");
  CHECK(st.seconds_left == 6.0);
  CHECK(st.step_progress == Approx(1.0 / 7.0));
  CHECK(st.session_progress == Approx(5.0 / 76.0));
  CHECK(st.cycle == 1);
  CHECK(st.cycles == 4);
  CHECK_FALSE(st.prompt);
  CHECK_FALSE(st.waiting_for_answer);
  CHECK(st.answers_needed == 0);
}

TEST_CASE("pause and resume: paused time does not count") {
  Session s(catalog_exercise("breathing.4-7-8"));
  s.start(0);
  s.update(2);
  s.pause(2);
  // While paused the clock moves on (even in big jumps) and nothing happens.
  auto st = s.update(3);
  st = s.update(50);
  CHECK(st.status == SessionStatus::paused);
  CHECK_FALSE(st.suspended);
  CHECK(st.elapsed_seconds == 2.0);
  CHECK(st.paused_seconds == 48.0);
  CHECK(st.seconds_left == 2.0);
  s.resume(50);
  // The inhale has 2 s left: the hold starts at 52.
  s.update(51.9);
  CHECK(s.state().phase == BreathPhase::inhale);
  s.update(52);
  CHECK(s.state().phase == BreathPhase::hold_in);
  auto ev = s.poll_events();
  CHECK(types(ev) == std::vector<SessionEventType>{SessionEventType::started, SessionEventType::step_started,
                                                   SessionEventType::paused, SessionEventType::resumed,
                                                   SessionEventType::step_started});
  CHECK(ev[2].at == 2.0);
  CHECK(ev[3].at == 50.0);
  CHECK(ev[4].at == 52.0);
  // 76 s of exercise + 48 s paused: finished at 124.
  for (double t = 53; t < 124; t += 1) s.update(t);
  CHECK(s.update(123.5).status == SessionStatus::running);
  CHECK(s.update(124).status == SessionStatus::finished);
  CHECK(s.state().paused_seconds == 48.0);
  // pause/resume when not applicable are no-ops.
  s.pause(125);
  CHECK(s.status() == SessionStatus::finished);
  s.resume(126);
  CHECK(s.status() == SessionStatus::finished);
}

TEST_CASE("a suspended app: a large jump pauses at the last reading") {
  Session s(catalog_exercise("breathing.4-7-8"));  // max_gap_seconds = 5
  s.start(0);
  s.update(1);
  s.update(2);
  (void)s.poll_events();
  auto st = s.update(3602);  // an hour in the background
  CHECK(st.status == SessionStatus::paused);
  CHECK(st.suspended);
  CHECK(st.elapsed_seconds == 2.0);
  CHECK(st.paused_seconds == 3600.0);
  CHECK(st.phase == BreathPhase::inhale);
  auto ev = s.poll_events();
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].type == SessionEventType::suspended);
  CHECK(ev[0].at == 2.0);
  s.resume(3603);
  st = s.state();
  CHECK_FALSE(st.suspended);
  CHECK(st.paused_seconds == 3601.0);
  // 2 s of inhale left: the hold starts at 3605.
  s.update(3605);
  ev = s.poll_events();
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].type == SessionEventType::resumed);
  CHECK(ev[1].type == SessionEventType::step_started);
  CHECK(ev[1].at == 3605.0);
}

TEST_CASE("gaps up to the limit fast-forward through every boundary") {
  Session s(catalog_exercise("breathing.box"));  // max_gap_seconds = 5
  s.start(0);
  s.update(4.5);  // crossed the end of the inhale at 4
  s.update(9.0);  // crossed the end of the hold at 8
  const auto marks = step_marks(s.poll_events());
  REQUIRE(marks.size() == 3);
  CHECK(marks[1].at == 4.0);
  CHECK(marks[1].phase == BreathPhase::hold_in);
  CHECK(marks[2].at == 8.0);
  CHECK(marks[2].phase == BreathPhase::exhale);
  CHECK(s.state().seconds_left == 3.0);

  // With the limit raised, a long gap runs many boundaries in one go.
  Session f(catalog_exercise("breathing.box"), SessionOptions{60});
  f.start(0);
  f.update(33);  // 2 cycles (32 s) and 1 s into the third inhale
  auto st = f.state();
  CHECK(st.cycle == 3);
  CHECK(st.step == 0);
  CHECK(st.seconds_left == 3.0);
  CHECK(step_marks(f.poll_events()).size() == 9);
}

TEST_CASE("a clock going backwards is ignored: time never runs backwards") {
  Session s(catalog_exercise("breathing.4-7-8"));
  s.start(10);
  s.update(13);
  auto st = s.update(5);  // before the start, even
  CHECK(st.elapsed_seconds == 3.0);
  CHECK(st.seconds_left == 1.0);
  st = s.update(12);  // still behind the latest reading
  CHECK(st.elapsed_seconds == 3.0);
  st = s.update(14);  // moves on from 13, not from 12
  CHECK(st.elapsed_seconds == 4.0);
  CHECK(st.phase == BreathPhase::hold_in);
  // A pause stamped in the past happens at the latest reading.
  s.pause(1);
  auto ev = s.poll_events();
  CHECK(ev.back().type == SessionEventType::paused);
  CHECK(ev.back().at == 14.0);
  s.resume(0);
  CHECK(s.poll_events().back().at == 14.0);
  CHECK(s.state().paused_seconds == 0.0);
}

TEST_CASE("skipping a step starts the next one now") {
  Session s(catalog_exercise("breathing.4-7-8"));
  s.start(0);
  s.update(1);
  s.skip(1);  // leave the inhale after 1 s
  auto st = s.state();
  CHECK(st.step == 1);
  CHECK(st.seconds_left == 7.0);
  CHECK(s.skipped_steps() == 1);
  const auto ev = s.poll_events();
  CHECK(types(ev) == std::vector<SessionEventType>{SessionEventType::started, SessionEventType::step_started,
                                                   SessionEventType::step_skipped,
                                                   SessionEventType::step_started});
  CHECK(ev[3].at == 1.0);
  // The session is 3 s shorter: 76 - 3 = 73.
  for (double t = 2; t < 73; t += 1) s.update(t);
  CHECK(s.state().status == SessionStatus::running);
  CHECK(s.update(73).status == SessionStatus::finished);
}

TEST_CASE("skipping the last step finishes the session, completed") {
  Session s(catalog_exercise("mindfulness.three-breaths"));
  s.start(0);
  for (int i = 0; i < 6; ++i) s.skip(0.5 * i);
  CHECK(s.status() == SessionStatus::finished);
  CHECK(s.skipped_steps() == 6);
  auto rec = s.finish(3, {.id = "s1", .started_at = at("2026-03-02T21:14:00+01:00")});
  CHECK(rec.completed);
  CHECK(rec.end.to_string() == "2026-03-02T21:14:02.5+01:00");  // the last skip at 2.5 s
}

TEST_CASE("prompt steps collect answers, and the last one moves on") {
  Session s(catalog_exercise("grounding.5-4-3-2-1"));
  s.start(0);
  auto st = s.update(30);  // no deadline and no suspend while a prompt waits
  CHECK(st.status == SessionStatus::running);
  CHECK(st.prompt);
  CHECK(st.waiting_for_answer);
  CHECK(st.answers_needed == 5);
  CHECK(st.text == "Name five things you can see");
  for (int i = 0; i < 4; ++i) s.answer(31 + i, "thing " + std::to_string(i));
  st = s.state();
  CHECK(st.step == 0);
  CHECK(st.answers_given == 4);
  CHECK(st.step_progress == Approx(0.8));
  CHECK(st.session_progress == Approx(0.8 / 5.0));  // 5 prompt steps, 1 cycle
  s.answer(40, "lamp");
  st = s.state();
  CHECK(st.step == 1);
  CHECK(st.answers_needed == 4);
  CHECK(st.answers_given == 0);
  CHECK_THROWS_AS(s.answer(41, ""), std::invalid_argument);
  // Blank answers (Unicode's White_Space: U+0085, U+00A0, U+2007, U+2029, U+3000 ...) answer nothing.
  for (const char* blank : {" ", "\t\r\n", "\v\f", "\xC2\x85", "\xC2\xA0 ", "\xE1\x9A\x80", "\xE2\x80\x87",
                            "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"}) {
    CHECK_THROWS_AS(s.answer(41, blank), std::invalid_argument);
  }
  CHECK(s.state().answers_given == 0);
  // Not white space: a zero-width space (U+200B), a cut-off sequence, a word between spaces.
  for (const char* text : {"\xE2\x80\x8B", "\xE2\x80", " x "}) {
    s.answer(42, text);
    CHECK(s.responses().back() == text);
  }
  s.answer(43, "fourth");  // the prompt's four answers: on to the next
  // 3 + 2 + 1 more answers finish it.
  for (int i = 0; i < 6; ++i) s.answer(50 + i, "a" + std::to_string(i));
  CHECK(s.status() == SessionStatus::finished);
  REQUIRE(s.responses().size() == 15);
  CHECK(s.responses()[4] == "lamp");
  CHECK(s.responses()[8] == "fourth");
  CHECK(s.responses()[14] == "a5");
  const auto ev = s.poll_events();
  int answers = 0;
  for (const auto& e : ev) answers += e.type == SessionEventType::answer_recorded;
  CHECK(answers == 15);
  CHECK(ev.back().type == SessionEventType::finished);
  CHECK(ev.back().at == 55.0);
  CHECK_THROWS_AS(s.answer(60, "late"), std::invalid_argument);
}

TEST_CASE("answering a timed step is an error, and mixed exercises time their timed steps") {
  Session s(catalog_exercise("pause.before-reacting"));  // prompt, 300 s wait, prompt
  s.start(0);
  s.answer(20, "text them again");
  auto st = s.state();
  CHECK(st.step == 1);
  CHECK_FALSE(st.prompt);
  CHECK(st.seconds_left == 300.0);
  try {
    s.answer(21, "x");
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "Session::answer: step 1 is a timed step, not a prompt");
  }
  for (double t = 21; t <= 320; t += 1) s.update(t);
  st = s.state();
  CHECK(st.step == 2);
  CHECK(st.waiting_for_answer);
  s.answer(330, "no, I'll wait for tomorrow");
  CHECK(s.status() == SessionStatus::finished);
  CHECK(s.state().elapsed_seconds == 330.0);
}

TEST_CASE("finish() writes the journal's exercise record") {
  Session s(catalog_exercise("breathing.4-7-8"));
  s.start(1000);
  for (double t = 1001; t <= 1010; t += 1) s.update(t);
  s.pause(1010);
  s.resume(1012);  // 2 s paused: real time, part of the record's span
  for (double t = 1013; t <= 1078; t += 1) s.update(t);
  REQUIRE(s.status() == SessionStatus::finished);
  SessionRecordInfo info;
  info.participant = "p1";
  info.id = "ex-1";
  info.started_at = at("2026-03-02T21:14:00+01:00");
  info.intensity_before = Intensity(8);
  info.intensity_after = Intensity(5);
  info.trigger = "t1";
  const auto rec = s.finish(2000, info);
  CHECK(rec.participant == "p1");
  CHECK(rec.id == "ex-1");
  CHECK(rec.exercise == "breathing.4-7-8");
  CHECK(rec.completed);
  CHECK(rec.time == info.started_at);
  CHECK(rec.end.to_string() == "2026-03-02T21:15:18+01:00");  // 76 s + 2 s paused
  CHECK(rec.intensity_before == Intensity(8));
  CHECK(rec.intensity_after == Intensity(5));
  CHECK(rec.trigger == "t1");
  CHECK(rec.responses.empty());
}

TEST_CASE("abort, and finish() of a running session, record an incomplete session") {
  Session s(catalog_exercise("breathing.box"));
  s.start(0);
  s.update(3);
  s.abort(3.5);
  CHECK(s.status() == SessionStatus::aborted);
  CHECK(s.poll_events().back().type == SessionEventType::aborted);
  s.abort(4);  // no-op
  CHECK(s.poll_events().empty());
  auto rec = s.finish(10, {.id = "a", .started_at = at("2026-03-02T08:00:00Z")});
  CHECK_FALSE(rec.completed);
  CHECK(rec.end.to_string() == "2026-03-02T08:00:03.5Z");

  Session r(catalog_exercise("breathing.box"));
  r.start(0);
  r.update(4);
  rec = r.finish(4.25, {.id = "b", .started_at = at("2026-03-02T08:00:00Z")});
  CHECK(r.status() == SessionStatus::aborted);
  CHECK_FALSE(rec.completed);
  CHECK(rec.end.to_string() == "2026-03-02T08:00:04.25Z");
}

TEST_CASE("misuse gets clear errors") {
  Session s(catalog_exercise("breathing.box"));
  CHECK_THROWS_AS(s.abort(0), std::invalid_argument);
  CHECK_THROWS_WITH(s.finish(0, {.id = "x"}), "Session::finish: the session never started");
  CHECK_THROWS_AS(s.start(std::nan("")), std::invalid_argument);
  s.start(0);
  CHECK_THROWS_WITH(s.start(1), "Session::start: the session has already started");
  CHECK_THROWS_AS(s.update(inf), std::invalid_argument);
  CHECK_THROWS_WITH(s.finish(1, {}), "Session::finish: field 'id': must not be empty");
  CHECK_THROWS_AS(Session(catalog_exercise("breathing.box"), SessionOptions{0}), std::invalid_argument);
  CHECK_THROWS_AS(Session(catalog_exercise("breathing.box"), SessionOptions{std::nan("")}),
                  std::invalid_argument);
  Exercise bad;
  CHECK_THROWS_AS(Session(bad), std::invalid_argument);
}

TEST_CASE("a custom pattern with fractional counts") {
  Session s(
      breathing_pattern("me.q", "Quick", 1.5, 0, 2.5, 0, Repeat::for_seconds(10)));  // 4 s cycle -> 3 cycles
  const auto events = run_at_20fps(s, 0, 20);
  const std::vector<StepMark> expected = {{0, 0, 1, BreathPhase::inhale}, {1.5, 1, 1, BreathPhase::exhale},
                                          {4, 0, 2, BreathPhase::inhale}, {5.5, 1, 2, BreathPhase::exhale},
                                          {8, 0, 3, BreathPhase::inhale}, {9.5, 1, 3, BreathPhase::exhale}};
  CHECK(step_marks(events) == expected);
  CHECK(events.back().at == 12.0);
}

TEST_CASE("finish() refuses a session whose end would fall past the year 9999 (fuzz regression)") {
  // Found by tests/fuzz/fuzz_session: start at -1e300 s and finish at +1e300 s.
  // 2e300 s of wall time overflowed the microsecond conversion and gave a
  // record whose end came before its start. Such clocks are now refused, and
  // the widest accepted span, 2e12 s (about 63,000 years), is still past 9999.
  const Instant began = Instant::parse("2026-03-02T21:14:00+01:00");
  Session far(catalog_exercise("breathing.box"));
  far.start(-1e12);
  CHECK_THROWS_WITH(far.finish(1e12, {.id = "x", .started_at = began}),
                    Catch::Contains("past the year 9999"));

  // A long but representable session still gets its record: 100 days paused
  // in the middle are real time, so end = start + 100 days.
  Session slow(catalog_exercise("breathing.box"));
  slow.start(0);
  slow.pause(1);
  const auto rec = slow.finish(100.0 * 86400, {.id = "y", .started_at = began});
  CHECK(rec.end.to_string() == "2026-06-10T21:14:00+01:00");
  CHECK_FALSE(rec.completed);
}

TEST_CASE("clock readings beyond +-1e12 s are refused (fuzz regression)") {
  // Found by tests/fuzz/fuzz_session: start at -8.98e307 on a prompt step, then
  // update at 1.23e308. The difference overflowed to infinity, the active time
  // became infinite and, after a skip, step_progress was NaN.
  Exercise ex;
  ex.id = "me.mixed";
  ex.name = "Mixed";
  ex.steps = {PromptStep{"Name a sound", 2}, TimedStep{19.2, BreathPhase::hold_in, "Hold"}};
  ex.repeat = Repeat::times(12);
  Session s(ex);
  CHECK_THROWS_WITH(s.start(-8.984509246527147e307), Catch::Contains("within +-1e12"));
  s.start(-1e12);
  CHECK_THROWS_WITH(s.update(1.2324195859169477e308), Catch::Contains("Session::update"));
  // The widest accepted jump keeps every number finite: 2e12 s on the prompt,
  // then the skip opens the timed step at the start of its 19.2 s.
  const auto st = s.update(1e12);
  CHECK(st.elapsed_seconds == 2e12);
  s.skip(1e12);
  const auto after = s.state();
  CHECK(after.step == 1);
  CHECK(after.step_progress == 0.0);
  CHECK(after.seconds_left == 19.2);
}
