// The guided-session state machine. See session.hpp for the time rules.
#include <calmkit/session.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

namespace calmkit {

namespace detail {
namespace {
/// Boundaries within this many seconds of `now` count as reached, so that
/// sums such as 0.1 + 0.2 do not leave a step 1e-17 s short of its end.
constexpr double boundary_slack = 1e-9;

/// Whether `text` is only white space: the 25 code points of Unicode's
/// White_Space property (PropList.txt: U+0009..000D, U+0020, U+0085, U+00A0,
/// U+1680, U+2000..200A, U+2028, U+2029, U+202F, U+205F, U+3000), matched as
/// their UTF-8 bytes. Any other byte, or bytes that are not UTF-8, is content.
bool only_white_space(std::string_view text) noexcept {
  auto at = [&text](std::size_t i, std::string_view bytes) { return text.substr(i, bytes.size()) == bytes; };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto last = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0u;
    if (c == 0x20 || (c >= 0x09 && c <= 0x0D)) {
      i += 1;
    } else if (at(i, "\xC2\x85") || at(i, "\xC2\xA0")) {
      i += 2;
    } else if (at(i, "\xE1\x9A\x80") || at(i, "\xE2\x81\x9F") || at(i, "\xE3\x80\x80") ||
               (at(i, "\xE2\x80") && ((last >= 0x80 && last <= 0x8A) || last == 0xA8 || last == 0xA9 ||
                                      last == 0xAF))) {  // U+2000..200A, U+2028, U+2029, U+202F
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}
}  // namespace
}  // namespace detail

Session::Session(Exercise exercise, SessionOptions options) : ex_(std::move(exercise)), opt_(options) {
  validate(ex_);
  if (!(opt_.max_gap_seconds > 0)) {  // also rejects NaN
    detail::throw_invalid("session options: field 'max_gap_seconds': must be > 0 seconds");
  }
  cycles_ = ex_.cycles();
  cycle_seconds_ = ex_.cycle_seconds();
  // Summed in the order cycle_seconds() sums, so that back() is cycle_seconds_.
  step_offsets_.reserve(ex_.steps.size() + 1);
  double s = 0;
  step_offsets_.push_back(s);
  for (const auto& st : ex_.steps) {
    if (const auto* t = std::get_if<TimedStep>(&st)) s += t->seconds;
    step_offsets_.push_back(s);
  }
}

double Session::offset_of(std::size_t index) const noexcept {
  // Seconds of the timed steps before step `index` of the whole session: whole
  // cycles times the cycle, plus the steps before it in its cycle. Two roundings
  // at most, whatever the index; the end of the last cycle is cycles x cycle,
  // Exercise::duration_seconds().
  const std::size_t n = ex_.steps.size();
  const std::size_t whole_cycles = index / n;  // whole cycles before the step: integer division on purpose
  return static_cast<double>(whole_cycles) * cycle_seconds_ + step_offsets_[index % n];
}

double Session::current_end_active() const noexcept {
  const std::size_t index = static_cast<std::size_t>(cycle_) * ex_.steps.size() + step_;
  if (index == base_index_) return step_start_active_ + std::get<TimedStep>(current()).seconds;
  return base_active_ + (offset_of(index + 1) - offset_of(base_index_));
}

void Session::check_now(double now, const char* what) const {
  // Bounded as well as finite: two readings near +-DBL_MAX differ by infinity,
  // which made the active time infinite and the progress NaN (fuzz_session).
  // 1e12 s is some 31,700 years, far beyond any monotonic clock's reading.
  if (!std::isfinite(now) || std::fabs(now) > max_clock_seconds) {
    detail::throw_invalid(std::string("Session::") + what +
                          ": now must be a finite number of seconds within +-1e12");
  }
}

void Session::emit(SessionEventType type, double at, std::string text) {
  SessionEvent ev;
  ev.type = type;
  ev.at = at;
  ev.step = step_;
  ev.cycle = cycle_ + 1;
  if (const auto* t = std::get_if<TimedStep>(&current())) ev.phase = t->phase;
  ev.text = std::move(text);
  events_.push_back(std::move(ev));
}

void Session::start(double now) {
  check_now(now, "start");
  if (status_ != SessionStatus::ready)
    detail::throw_invalid("Session::start: the session has already started");
  status_ = SessionStatus::running;
  start_clock_ = last_clock_ = anchor_clock_ = now;
  anchor_active_ = active_ = step_start_active_ = base_active_ = 0;
  base_index_ = 0;
  emit(SessionEventType::started, now);
  const auto& s = current();
  emit(SessionEventType::step_started, now,
       std::holds_alternative<TimedStep>(s) ? std::get<TimedStep>(s).cue : std::get<PromptStep>(s).text);
}

void Session::next_step(double at_active, double at_clock, bool on_boundary) {
  ++step_;
  if (step_ == ex_.steps.size()) {
    step_ = 0;
    ++cycle_;
  }
  answers_given_ = 0;
  step_start_active_ = at_active;
  if (!on_boundary) {  // left early (skip, answer): the next ends are measured from here
    base_active_ = at_active;
    base_index_ = static_cast<std::size_t>(cycle_) * ex_.steps.size() + step_;
  }
  if (cycle_ == cycles_) {
    // Past the last step: rest on the final step, fully done.
    cycle_ = cycles_ - 1;
    step_ = ex_.steps.size() - 1;
    if (status_ == SessionStatus::paused) paused_total_ += at_clock - pause_since_;  // skipped while paused
    status_ = SessionStatus::finished;
    active_ = at_active;
    end_clock_ = at_clock;
    emit(SessionEventType::finished, at_clock);
    return;
  }
  const auto& s = current();
  emit(SessionEventType::step_started, at_clock,
       std::holds_alternative<TimedStep>(s) ? std::get<TimedStep>(s).cue : std::get<PromptStep>(s).text);
}

void Session::advance_to(double now) {
  if (now <= last_clock_) return;  // time never runs backwards
  if (status_ == SessionStatus::paused) {
    last_clock_ = now;
    return;
  }
  if (status_ != SessionStatus::running) return;
  if (now - last_clock_ > opt_.max_gap_seconds && current_is_timed()) {
    // Suspended: stop the clock where we last saw it; the gap is paused time.
    status_ = SessionStatus::paused;
    suspended_ = true;
    pause_since_ = last_clock_;
    emit(SessionEventType::suspended, last_clock_);
    last_clock_ = now;
    return;
  }
  const double new_active = anchor_active_ + (now - anchor_clock_);
  while (status_ == SessionStatus::running && current_is_timed()) {
    const double end_active = current_end_active();
    if (new_active + detail::boundary_slack < end_active) break;
    next_step(end_active, anchor_clock_ + (end_active - anchor_active_), true);
  }
  if (status_ == SessionStatus::running) active_ = new_active;
  last_clock_ = now;
}

SessionState Session::update(double now) {
  check_now(now, "update");
  advance_to(now);
  return state();
}

void Session::pause(double now) {
  check_now(now, "pause");
  advance_to(now);
  if (status_ != SessionStatus::running) return;
  status_ = SessionStatus::paused;
  pause_since_ = last_clock_;
  emit(SessionEventType::paused, last_clock_);
}

void Session::resume(double now) {
  check_now(now, "resume");
  advance_to(now);
  if (status_ != SessionStatus::paused) return;
  paused_total_ += last_clock_ - pause_since_;
  status_ = SessionStatus::running;
  suspended_ = false;
  anchor_clock_ = last_clock_;
  anchor_active_ = active_;
  emit(SessionEventType::resumed, last_clock_);
}

void Session::skip(double now) {
  check_now(now, "skip");
  advance_to(now);
  if (status_ != SessionStatus::running && status_ != SessionStatus::paused) return;
  ++skipped_;
  emit(SessionEventType::step_skipped, last_clock_);
  next_step(active_, last_clock_, false);
}

void Session::answer(double now, std::string text) {
  check_now(now, "answer");
  advance_to(now);
  if (status_ != SessionStatus::running && status_ != SessionStatus::paused) {
    detail::throw_invalid("Session::answer: the session is " + std::string(to_id(status_)) + ", not running");
  }
  const auto* p = std::get_if<PromptStep>(&current());
  if (p == nullptr) {
    detail::throw_invalid("Session::answer: step " + std::to_string(step_) +
                          " is a timed step, not a prompt");
  }
  if (detail::only_white_space(text))
    detail::throw_invalid("Session::answer: the answer is empty (nothing but white space)");
  ++answers_given_;
  responses_.push_back(text);
  emit(SessionEventType::answer_recorded, last_clock_, std::move(text));
  if (answers_given_ >= p->answers) next_step(active_, last_clock_, false);
}

void Session::abort(double now) {
  check_now(now, "abort");
  if (status_ == SessionStatus::ready) detail::throw_invalid("Session::abort: the session has not started");
  advance_to(now);
  if (status_ != SessionStatus::running && status_ != SessionStatus::paused) return;
  if (status_ == SessionStatus::paused) paused_total_ += last_clock_ - pause_since_;
  status_ = SessionStatus::aborted;
  end_clock_ = last_clock_;
  emit(SessionEventType::aborted, last_clock_);
}

std::vector<SessionEvent> Session::poll_events() {
  return std::exchange(events_, {});
}

SessionState Session::state() const {
  SessionState s;
  s.status = status_;
  s.step = step_;
  s.steps = ex_.steps.size();
  s.cycle = cycle_ + 1;
  s.cycles = cycles_;
  s.elapsed_seconds = active_;
  s.paused_seconds = paused_total_ + (status_ == SessionStatus::paused ? last_clock_ - pause_since_ : 0.0);
  s.suspended = suspended_;
  const bool done = status_ == SessionStatus::finished;
  const bool open = status_ == SessionStatus::running || status_ == SessionStatus::paused;
  if (const auto* t = std::get_if<TimedStep>(&current())) {
    s.phase = t->phase;
    s.text = t->cue;
    const double into = done ? t->seconds : std::clamp(active_ - step_start_active_, 0.0, t->seconds);
    s.seconds_left = t->seconds - into;
    s.step_progress = into / t->seconds;
  } else {
    const auto& p = std::get<PromptStep>(current());
    s.text = p.text;
    s.prompt = true;
    s.answers_needed = p.answers;
    s.answers_given = done ? p.answers : answers_given_;
    s.waiting_for_answer = open;
    s.step_progress = static_cast<double>(s.answers_given) / p.answers;
  }
  if (done) {
    s.session_progress = 1.0;
  } else if (!ex_.has_prompts()) {
    double before = 0;  // seconds of the cycle's steps before the current one
    for (std::size_t i = 0; i < step_; ++i) before += std::get<TimedStep>(ex_.steps[i]).seconds;
    const double total = cycle_seconds_ * cycles_;
    const double pos =
        cycle_ * cycle_seconds_ + before + s.step_progress * std::get<TimedStep>(current()).seconds;
    s.session_progress = std::clamp(pos / total, 0.0, 1.0);
  } else {
    const double steps_total = static_cast<double>(ex_.steps.size()) * cycles_;
    const double pos = static_cast<double>(cycle_) * static_cast<double>(ex_.steps.size()) +
                       static_cast<double>(step_) + s.step_progress;
    s.session_progress = std::clamp(pos / steps_total, 0.0, 1.0);
  }
  return s;
}

ExerciseSession Session::finish(double now, const SessionRecordInfo& info) {
  check_now(now, "finish");
  if (status_ == SessionStatus::ready) detail::throw_invalid("Session::finish: the session never started");
  // The record's own rule (validate.hpp), before the session is ended.
  if (auto bad = rules::not_empty("id", info.id)) detail::throw_record("Session::finish", std::move(*bad));
  if (status_ == SessionStatus::running || status_ == SessionStatus::paused) abort(now);
  ExerciseSession rec;
  rec.participant = info.participant;
  rec.id = info.id;
  rec.time = info.started_at;
  const double wall = std::max(0.0, end_clock_ - start_clock_);
  // The clock is bounded, but the record must still land on a real date.
  // Found by tests/fuzz/fuzz_session: clock readings 1e300 s apart overflowed
  // llround and put `end` before `time`. 253402300800 s is 10000-01-01T00:00Z.
  constexpr double end_limit_us = 253402300800e6;
  if (!(static_cast<double>(info.started_at.utc_us()) + wall * 1e6 < end_limit_us)) {
    detail::throw_invalid("Session::finish: the session lasted " + std::to_string(wall) +
                          " s of caller clock, which puts its end past the year 9999");
  }
  rec.end = info.started_at + Duration(static_cast<Duration::rep>(std::llround(wall * 1e6)));
  rec.exercise = ex_.id;
  rec.completed = status_ == SessionStatus::finished;
  rec.intensity_before = info.intensity_before;
  rec.intensity_after = info.intensity_after;
  rec.trigger = info.trigger;
  rec.responses = responses_;
  if (auto bad = validate(rec)) detail::throw_record("Session::finish", std::move(*bad));
  return rec;
}

}  // namespace calmkit
