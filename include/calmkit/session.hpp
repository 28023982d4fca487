/// @file session.hpp
/// @brief The guided-session engine: a deterministic state machine that walks
/// a person through an exercise, driven entirely by the caller's clock.
///
/// **Clock.** Every call takes `now`, a reading of a *monotonic* clock in
/// seconds (`std::chrono::steady_clock`, Python's `time.monotonic()`, a
/// browser's `performance.now() / 1000`). The origin does not matter; only
/// differences are used. A wall clock (`Instant`) is deliberately not used for
/// pacing: it can jump when the phone syncs its time. The wall time of the
/// session is given once, to `finish()`, for the journal record. The engine
/// has no threads and never sleeps: call `update(now)` as often as you redraw
/// (20 times a second, say) and draw the snapshot. A front end that only wakes
/// at phase changes sets `SessionOptions::max_gap_seconds` to infinity: with
/// the default limit of 5 s, a wait through a longer step suspends the session.
///
/// **Exact times.** Step boundaries do not depend on the frame rate: the same
/// session updated at 1 Hz or 1000 Hz emits the same events at the same times.
/// A boundary is computed from its cycle index and the steps before it in
/// its cycle, not added up step by step, so it stays within a few units in
/// the last place of the exact sum of the step lengths however long the
/// session runs; a finished session's `elapsed_seconds` is
/// `Exercise::duration_seconds()`.
///
/// **Time rules.**
/// - Time never runs backwards: a `now` earlier than the latest one seen is
///   treated as that latest one (nothing happens, nothing is undone).
/// - Paused time does not count: the step resumes exactly where it stopped.
/// - A prompt step waits for its answers; the clock keeps running in the
///   session's elapsed time but the step has no deadline.
/// - Large forward jumps (the app was suspended): if a timed step is running
///   and `now` is more than `SessionOptions::max_gap_seconds` past the previous
///   reading, the session pauses itself *at the previous reading* (status
///   `paused`, `suspended` set, a `suspended` event) and the jump counts as
///   paused time; `resume(now)` carries on where it stopped. Gaps up to the
///   limit are fast-forwarded: every step boundary crossed is processed in
///   order and emits its events with the exact time it fell at. Set the limit
///   to infinity to always fast-forward.
///
/// **Completion.** A session is `finished` (completed) when the last step of
/// the last cycle ends, whether reached in time or by skipping; `abort()`
/// ends it early (not completed).
///
/// Implemented in the compiled part `calmkit::exercises` (src/session.cpp).
#pragma once

#include <calmkit/exercises.hpp>
#include <calmkit/export.hpp>
#include <calmkit/model.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace calmkit {

/// Where a session is in its life.
enum class SessionStatus : std::uint8_t {
  ready,     ///< constructed, `start()` not called yet
  running,   ///< time is counting
  paused,    ///< by `pause()` or by a suspend (large jump)
  finished,  ///< ran to the end: completed
  aborted,   ///< stopped early by `abort()`: not completed
};

/// What happened, for a front end to play a cue, buzz or redraw.
enum class SessionEventType : std::uint8_t {
  started,          ///< `start()` was called
  step_started,     ///< a step (a breathing phase, a prompt...) began
  answer_recorded,  ///< an answer to a prompt was stored (`text` holds it)
  step_skipped,     ///< `skip()` left the step early
  paused,           ///< `pause()`
  suspended,        ///< paused automatically by a large jump of the clock
  resumed,          ///< `resume()`
  finished,         ///< the last step ended
  aborted,          ///< `abort()`
};

/// Id and display label of every `SessionStatus`, in enum order.
inline constexpr std::array<VocabEntry<SessionStatus>, 5> session_status_table{{
    {SessionStatus::ready, "ready", "Ready"},
    {SessionStatus::running, "running", "Running"},
    {SessionStatus::paused, "paused", "Paused"},
    {SessionStatus::finished, "finished", "Finished"},
    {SessionStatus::aborted, "aborted", "Stopped early"},
}};
/// Id and display label of every `SessionEventType`, in enum order.
inline constexpr std::array<VocabEntry<SessionEventType>, 9> session_event_table{{
    {SessionEventType::started, "started", "Started"},
    {SessionEventType::step_started, "step_started", "Step started"},
    {SessionEventType::answer_recorded, "answer_recorded", "Answer recorded"},
    {SessionEventType::step_skipped, "step_skipped", "Step skipped"},
    {SessionEventType::paused, "paused", "Paused"},
    {SessionEventType::suspended, "suspended", "Paused (app suspended)"},
    {SessionEventType::resumed, "resumed", "Resumed"},
    {SessionEventType::finished, "finished", "Finished"},
    {SessionEventType::aborted, "aborted", "Stopped early"},
}};
namespace detail {
static_assert(in_enum_order(session_status_table));
static_assert(in_enum_order(session_event_table));
}  // namespace detail

/// The status's stable id (`"running"`).
[[nodiscard]] constexpr std::string_view to_id(SessionStatus s) noexcept {
  return session_status_table[static_cast<std::size_t>(s)].id;
}
/// The event type's stable id (`"step_started"`).
[[nodiscard]] constexpr std::string_view to_id(SessionEventType t) noexcept {
  return session_event_table[static_cast<std::size_t>(t)].id;
}

/// One event, stamped with the caller-clock time it happened at (a step
/// boundary's exact time, not the time of the `update()` that noticed it).
struct SessionEvent {
  SessionEventType type = SessionEventType::started;  ///< what happened
  double at = 0;                                      ///< caller-clock seconds
  std::size_t step = 0;                               ///< step index within the cycle, [0, steps)
  int cycle = 1;                                      ///< 1-based cycle number, [1, cycles]
  BreathPhase phase = BreathPhase::none;              ///< the step's phase (step events)
  std::string text{};  ///< cue or prompt for `step_started`; the answer for `answer_recorded`

  /// Equal when every field matches.
  friend bool operator==(const SessionEvent&, const SessionEvent&) = default;
};

/// A snapshot to draw.
struct SessionState {
  SessionStatus status = SessionStatus::ready;  ///< where the session is in its life
  std::size_t step = 0;                         ///< current step index within the cycle, [0, steps)
  std::size_t steps = 0;                        ///< steps per cycle
  int cycle = 1;                                ///< current cycle, 1-based, [1, cycles]
  int cycles = 1;                               ///< cycles in the session
  BreathPhase phase = BreathPhase::none;        ///< the step's breathing phase (`none` for other steps)
  std::string text{};                           ///< the step's cue (timed) or question (prompt)
  bool prompt = false;                          ///< the current step is a prompt
  bool waiting_for_answer = false;              ///< a prompt is open and needs more answers
  int answers_given = 0;                        ///< answers to the current prompt so far
  int answers_needed = 0;                       ///< answers the current prompt collects (0 for timed steps)
  double seconds_left = 0;                      ///< seconds left in the current timed step (0 for prompts)
  double step_progress = 0;     ///< 0–1 through the current step (answers given / needed for prompts)
  double session_progress = 0;  ///< 0–1 through the session (by time when every step is timed, else by steps)
  double elapsed_seconds = 0;  ///< active seconds since start, pauses excluded
  double paused_seconds = 0;   ///< seconds spent paused (suspends included)
  bool suspended = false;      ///< paused by a large clock jump
};

/// Tuning of the engine.
struct SessionOptions {
  /// A forward jump longer than this (seconds, > 0) during a timed step
  /// suspends the session instead of fast-forwarding. Infinity: never suspend.
  double max_gap_seconds = 5.0;
};

/// What the journal record needs besides what the engine knows.
struct SessionRecordInfo {
  std::string participant{};                    ///< "" for a single-user journal
  std::string id{};                             ///< the record's id, non-empty
  Instant started_at{};                         ///< wall-clock instant of `start()`
  std::optional<Intensity> intensity_before{};  ///< distress before, 0–10
  std::optional<Intensity> intensity_after{};   ///< distress after, 0–10
  std::string trigger{};                        ///< id of the trigger it answered; "" = none
};

/// A guided session of one exercise.
///
/// Example
/// ```cpp
/// calmkit::Session s(calmkit::catalog_exercise("breathing.4-7-8"));
/// s.start(0.0);
/// s.update(5.0).phase;            // BreathPhase::hold_in (4 s in, 1 s into the hold)
/// for (int t = 6; t <= 76; ++t) s.update(t);  // redraws (a jump over 5 s would suspend it)
/// s.status();                     // SessionStatus::finished: 4 x (4 + 7 + 8) = 76 s
/// for (const auto& ev : s.poll_events()) { /* play a cue per step_started */ }
/// auto rec = s.finish(76.0, {.id = "x1", .started_at =
/// calmkit::Instant::parse("2026-03-02T21:14:00+01:00")}); rec.end.to_string();            //
/// "2026-03-02T21:15:16+01:00"
/// ```
class CALMKIT_EXPORT Session {
 public:
  /// The largest clock reading accepted, in seconds either side of 0 (about
  /// 31,700 years: any monotonic clock fits, and differences stay finite).
  static constexpr double max_clock_seconds = 1e12;

  /// @throws std::invalid_argument when the exercise or the options are invalid.
  explicit Session(Exercise exercise, SessionOptions options = {});

  /// Starts at `now` (seconds). @throws std::invalid_argument if already started
  /// or `now` is not finite. Every call refuses a `now` that is not finite or
  /// lies beyond +-`max_clock_seconds` the same way.
  void start(double now);
  /// Advances to `now` and returns the snapshot.
  SessionState update(double now);
  /// The snapshot as of the latest clock reading.
  [[nodiscard]] SessionState state() const;
  /// Stops the clock for the session (no-op unless running).
  void pause(double now);
  /// Restarts the clock after a pause or a suspend (no-op unless paused).
  void resume(double now);
  /// Ends the current step now and moves to the next (the last step finishes the session).
  void skip(double now);
  /// Stores one answer to the current prompt; the last needed answer moves on.
  /// @throws std::invalid_argument when the current step is not a prompt, the
  ///         session is not running or paused, or `text` is empty or blank:
  ///         only white space (Unicode's White_Space code points: spaces,
  ///         tabs, line breaks, U+00A0, U+3000 ...), which answers nothing.
  void answer(double now, std::string text);
  /// Ends the session early (not completed). No-op once finished or aborted.
  void abort(double now);
  /// Takes the queued events, oldest first.
  [[nodiscard]] std::vector<SessionEvent> poll_events();

  /// The journal record of this session. A session still running or paused is
  /// aborted at `now` first. `end` is `started_at` plus the caller-clock time
  /// from `start()` to the end (pauses included: they are real time).
  /// @throws std::invalid_argument if the session never started or `info.id` is empty.
  ExerciseSession finish(double now, const SessionRecordInfo& info);

  /// The exercise being guided.
  [[nodiscard]] const Exercise& exercise() const noexcept { return ex_; }
  /// The status as of the latest call.
  [[nodiscard]] SessionStatus status() const noexcept { return status_; }
  /// Every answer so far, in order.
  [[nodiscard]] const std::vector<std::string>& responses() const noexcept { return responses_; }
  /// Steps left early by `skip()`.
  [[nodiscard]] int skipped_steps() const noexcept { return skipped_; }

 private:
  void check_now(double now, const char* what) const;
  void advance_to(double now);
  void next_step(double at_active, double at_clock, bool on_boundary);
  [[nodiscard]] double offset_of(std::size_t index) const noexcept;
  [[nodiscard]] double current_end_active() const noexcept;
  void emit(SessionEventType type, double at, std::string text = {});
  [[nodiscard]] const Step& current() const { return ex_.steps[step_]; }
  [[nodiscard]] bool current_is_timed() const { return std::holds_alternative<TimedStep>(current()); }

  Exercise ex_;
  SessionOptions opt_;
  int cycles_ = 1;
  double cycle_seconds_ = 0;
  SessionStatus status_ = SessionStatus::ready;
  double start_clock_ = 0, last_clock_ = 0, end_clock_ = 0;
  double anchor_clock_ = 0, anchor_active_ = 0;  // active = anchor_active_ + (clock - anchor_clock_)
  double active_ = 0;                            // active seconds at last_clock_
  double paused_total_ = 0, pause_since_ = 0;
  bool suspended_ = false;
  int cycle_ = 0;                 // 0-based
  std::size_t step_ = 0;          // 0-based
  double step_start_active_ = 0;  // active time at which the current step began
  // Step ends are measured from the last step that began off a boundary (start,
  // skip, answer): base_active_ is its active time, base_index_ its index over
  // the whole session (cycle * steps + step). A running sum of step lengths
  // would drift by an ulp a step (B170).
  double base_active_ = 0;
  std::size_t base_index_ = 0;
  std::vector<double> step_offsets_;  // seconds of the cycle's timed steps before step i; back() = the cycle
  int answers_given_ = 0;
  int skipped_ = 0;
  std::vector<std::string> responses_;
  std::vector<SessionEvent> events_;
};

}  // namespace calmkit
