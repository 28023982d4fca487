// The deterministic synthetic journal generator (see include/calmkit/synthetic.hpp):
// one ParticipantGenerator per person, drawing from the world of
// synthetic_world.hpp (zones, hours, categories, exercises, personas), writing
// the texts of synthetic_phrases.hpp, with the random numbers of
// synthetic_rng.hpp.
//
// Determinism: every random number comes from our own xoshiro256** generator
// (seeded through splitmix64), and every distribution is written from IEEE-754
// basic operations (+ - * / sqrt floor frexp ldexp are exactly rounded or exact
// everywhere); std::exp/std::log, whose last bit may differ between C
// libraries, are replaced by det_exp/det_log (synthetic_rng.hpp, which also
// turns off fused multiply-add for this file). Times are rounded to whole
// seconds and scores to integers, so the journal is the same with libstdc++,
// libc++ and MSVC.
//
// Streams: participant k draws only from streams derived from (seed, k, purpose),
// so adding participants never changes earlier ones, and changing, say, the
// exercise probability does not move the trigger times. Self-assessments draw
// from a stream of their own (purpose 4), so turning them on or off leaves every
// other record as it was.
//
// Why one file of ~600 lines: what is left here is the generator itself,
// ParticipantGenerator (with its zone timeline), whose record writers share its streams and its
// persona; the data and the RNG are already in the headers named above.

#include "synthetic_phrases.hpp"
#include "synthetic_rng.hpp"
#include "synthetic_world.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/calendar.hpp>
#include <calmkit/synthetic.hpp>
#include <calmkit/timezone.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calmkit::detail::synthetic {
namespace {

// ---------------------------------------------------------------------------
// Time

constexpr std::int64_t us_per_second = 1'000'000;
constexpr std::int64_t us_per_minute = 60 * us_per_second;
constexpr std::int64_t us_per_hour = 60 * us_per_minute;

/// Minutes (a double) to whole seconds in microseconds.
std::int64_t minutes_us(double minutes) noexcept {
  return static_cast<std::int64_t>(std::floor(minutes * 60.0 + 0.5)) * us_per_second;
}

/// A zone's offsets over the span, precomputed from the zone's `[begin, end)`
/// intervals (the one time-zone model, timezone.hpp): asking the zone for each
/// of millions of records would be too slow, and a 56-day span holds at most a
/// couple of changes.
class OffsetTimeline {
 public:
  OffsetTimeline(const TimeZone& tz, std::int64_t from_us, std::int64_t to_us) {
    constexpr std::int64_t margin_s = 172'800;  // two days either side of the span, seconds
    const std::int64_t from_s = from_us / us_per_second - margin_s;
    const std::int64_t to_s = to_us / us_per_second + margin_s;
    ZoneInterval cur = tz.interval_at_seconds(from_s);
    first_ = UtcOffset(nearest_minutes(cur.offset_s));
    // An interval is not always the longest span of its offset: only a change
    // of offset at its end is a change.
    while (cur.end_s <= to_s) {
      const ZoneInterval next = tz.interval_at_seconds(cur.end_s);
      if (next.offset_s != cur.offset_s) {
        changes_.emplace_back(cur.end_s * us_per_second, UtcOffset(nearest_minutes(next.offset_s)));
      }
      cur = next;
    }
  }

  /// The offset the clocks show at `time_us`.
  [[nodiscard]] UtcOffset at(std::int64_t time_us) const noexcept {
    UtcOffset o = first_;
    for (const auto& [when, off] : changes_) {
      if (time_us < when) break;
      o = off;
    }
    return o;
  }
  /// The UTC instant of a local wall time (micros since the epoch, local).
  /// A wall time skipped by a spring change maps an hour on, as clocks do.
  [[nodiscard]] std::int64_t local_to_utc(std::int64_t local_us) const noexcept {
    const std::int64_t guess =
        local_us - at(local_us - first_.minutes() * us_per_minute).minutes() * us_per_minute;
    return local_us - at(guess).minutes() * us_per_minute;
  }
  [[nodiscard]] Instant instant(std::int64_t time_us) const noexcept {
    return Instant::from_utc_us(time_us, at(time_us));
  }

 private:
  UtcOffset first_;
  std::vector<std::pair<std::int64_t, UtcOffset>> changes_;
};

std::string numbered(std::string_view prefix, std::size_t n, int width) {
  std::string digits = std::to_string(n);
  std::string out(prefix);
  if (static_cast<int>(digits.size()) < width)
    out.append(static_cast<std::size_t>(width) - digits.size(), '0');
  return out + digits;
}

// ---------------------------------------------------------------------------
// One participant

/// Distress (0–10, continuous) along an episode: exponential decay from the
/// onset toward the person's calm floor, with a step down when an exercise ends.
struct Course {
  double onset = 7;
  double floor = 1;
  double half_life = 60;     // minutes
  double exercise_end = -1;  // minutes after onset; < 0 = no exercise
  double level_after = 0;    // level right after the exercise

  [[nodiscard]] double natural(double t) const noexcept {
    return floor + (onset - floor) * det_exp(-0.69314718055994531 * t / half_life);
  }
  [[nodiscard]] double at(double t) const noexcept {
    if (exercise_end < 0 || t < exercise_end) return natural(t);
    const double f = std::min(floor, level_after);  // settles, never climbs back up
    return f + (level_after - f) * det_exp(-0.69314718055994531 * (t - exercise_end) / half_life);
  }
};

class ParticipantGenerator {
 public:
  ParticipantGenerator(const SyntheticOptions& o, std::uint64_t index, std::string participant,
                       std::int64_t start_us, std::int64_t end_us,
                       const std::vector<OffsetTimeline>& timelines)
      : o_(o),
        who_(std::move(participant)),
        start_(start_us),
        end_(end_us),
        persona_rng_(stream_seed(o.seed, index, 0)),
        times_rng_(stream_seed(o.seed, index, 1)),
        episode_rng_(stream_seed(o.seed, index, 2)),
        daily_rng_(stream_seed(o.seed, index, 3)),
        assessment_rng_(stream_seed(o.seed, index, 4)),
        p_(draw_persona(persona_rng_)),
        tz_(timelines[p_.zone]) {}

  void run(RecordSet& out) {
    const auto times = trigger_times();
    for (std::size_t i = 0; i < times.size(); ++i) {
      const std::int64_t next = i + 1 < times.size() ? times[i + 1] : end_;
      episode(times[i], std::min(next, end_), i + 1);
    }
    daily();
    if (o_.assessments) self_assessments();
    finish(out);
  }

 private:
  /// Progress through the span, [0, 1).
  [[nodiscard]] double progress(std::int64_t time_us) const noexcept {
    return static_cast<double>(time_us - start_) / static_cast<double>(end_ - start_);
  }
  [[nodiscard]] int local_hour(std::int64_t time_us) const noexcept {
    const std::int64_t local = time_us + tz_.at(time_us).minutes() * us_per_minute;
    return static_cast<int>(floor_div(local, us_per_hour) - floor_div(local, us_per_day) * 24);
  }

  /// Onsets by thinning (Lewis–Shedler): candidates at the peak rate, each kept
  /// with probability rate(t)/peak. rate(t) = personal multiplier × log-linear
  /// trend from triggers_per_day_start to _end × the local-hour profile.
  std::vector<std::int64_t> trigger_times() {
    double profile_sum = 0.0, profile_max = 0.0;
    for (double h : hour_profile) {
      profile_sum += h;
      profile_max = std::max(profile_max, h);
    }
    const double profile_mean = profile_sum / 24.0;
    const double peak_per_day = std::max(o_.triggers_per_day_start, o_.triggers_per_day_end) *
                                p_.rate_multiplier * profile_max / profile_mean;
    std::vector<std::int64_t> out;
    double t_days = 0.0;
    const double span_days = static_cast<double>(end_ - start_) / static_cast<double>(us_per_day);
    for (;;) {
      t_days += times_rng_.exponential(peak_per_day);
      if (t_days >= span_days) break;
      const std::int64_t t =
          start_ + static_cast<std::int64_t>(std::floor(t_days * 86'400.0)) * us_per_second;
      const double rate = loglinear(o_.triggers_per_day_start, o_.triggers_per_day_end, progress(t)) *
                          p_.rate_multiplier * hour_profile[static_cast<std::size_t>(local_hour(t))] /
                          profile_mean;
      if (times_rng_.uniform() * peak_per_day < rate && (out.empty() || t > out.back())) out.push_back(t);
    }
    return out;
  }

  /// One trigger and everything that follows it, up to `horizon` (the next
  /// trigger, 12 hours later, or the end of the span, whichever comes first).
  void episode(std::int64_t t0, std::int64_t next_trigger, std::size_t number) {
    Rng& rng = episode_rng_;
    const double w = progress(t0);
    Trigger tr;
    tr.participant = who_;
    tr.id = numbered("t", number, 4);
    tr.time = tz_.instant(t0);
    const auto cat = rng.categorical(p_.category_weights);
    tr.category = static_cast<TriggerCategory>(cat);
    // Onset 4–10: below 4 is not an alarm worth logging; the mean drifts down
    // by `onset_drop` points over the span.
    tr.intensity = Intensity(clamp_round(rng.normal(p_.onset_start - p_.onset_drop * w, 1.3), 4, 10));
    if (rng.bernoulli(0.85))
      tr.context = std::string(contexts[cat][static_cast<std::size_t>(rng.uniform_int(0, 1))]);
    // Thoughts and sensations: usually one or two noticed, sometimes none.
    constexpr std::array<double, 4> how_many{0.15, 0.45, 0.3, 0.1};
    tr.thoughts = pick_distinct(rng, thoughts, rng.categorical(how_many));
    tr.sensations = pick_distinct(rng, sensations, rng.categorical(how_many));
    bool acted = false;
    if (rng.bernoulli(0.8)) {
      tr.urge = pick(rng, urges);
      // Acting on the urge gets rarer over the weeks; when it happens, the wait
      // before it (the uncertainty tolerated) grows.
      if (rng.bernoulli(0.9)) {
        acted = rng.bernoulli(linear(p_.act_start, p_.act_end, w));
        tr.acted_on_urge = acted;
        if (acted && rng.bernoulli(0.85)) {
          tr.acted_after_minutes =
              Minutes{std::floor(rng.lognormal(loglinear(p_.delay_start, p_.delay_end, w), 0.6) + 0.5)};
        }
      }
    }
    if (acted) {
      if (rng.bernoulli(0.3)) tr.response = pick(rng, responses_after_acting);
    } else if (rng.bernoulli(0.7)) {
      tr.response = pick(rng, responses);
    }
    const int hour = local_hour(t0);
    if ((hour >= 23 || hour < 5) && rng.bernoulli(0.7)) tr.tags.emplace_back("late-night");
    const int dow = calendar::weekday(floor_div(t0 + tz_.at(t0).minutes() * us_per_minute, us_per_day));
    if ((dow == 0 || dow == 6) && rng.bernoulli(0.5)) tr.tags.emplace_back("weekend");
    if (rng.bernoulli(0.25)) tr.tags.push_back(pick(rng, extra_tags));

    Course course;
    course.onset = tr.intensity.value();
    course.floor = std::min(2.0, std::max(0.0, rng.normal(p_.calm_floor, 0.3)));
    course.half_life = rng.lognormal(loglinear(p_.half_life_start, p_.half_life_end, w), 0.25);

    const std::int64_t horizon = std::min({t0 + 12 * us_per_hour, next_trigger, end_});
    if (rng.bernoulli(o_.exercise_probability)) linked_exercise(rng, tr, t0, course);
    follow_ups(rng, tr, t0, horizon, course);
    if (rng.bernoulli(o_.thought_record_probability)) thought_record(rng, tr, t0, w);
    triggers_.push_back(std::move(tr));
  }

  void linked_exercise(Rng& rng, const Trigger& tr, std::int64_t t0, Course& course) {
    const auto k = rng.categorical(p_.exercise_weights);
    const ExerciseSpec& spec = exercise_catalog[k];
    const double start_min = rng.uniform(2.0, 15.0);  // a few minutes to notice and choose
    const bool completed = rng.bernoulli(p_.completion);
    double minutes = rng.uniform(spec.min_minutes, spec.max_minutes);
    if (!completed) minutes *= rng.uniform(0.3, 0.7);  // stopped early
    double effect = std::max(0.0, rng.normal(spec.effect, 0.35 * spec.effect));
    if (!completed) effect *= 0.4;
    const std::int64_t ts = t0 + minutes_us(start_min);
    const std::int64_t te = ts + minutes_us(minutes);
    if (ts >= end_) return;

    const double end_min = start_min + minutes;
    const double before_level = course.natural(start_min);
    course.exercise_end = end_min;
    course.level_after = std::max(0.0, course.natural(end_min) - effect);

    ExerciseSession e;
    e.participant = who_;
    e.time = tz_.instant(ts);
    e.end = tz_.instant(te);
    e.exercise = std::string(spec.id);
    e.completed = completed;
    const int before = clamp_round(rng.normal(before_level, 0.5), 0, 10);
    e.intensity_before = Intensity(before);
    e.intensity_after = Intensity(clamp_round(rng.normal(course.level_after, 0.5), 0, before));
    e.trigger = tr.id;
    if (spec.id == exercise_ids::grounding_5_4_3_2_1) {
      e.responses =
          pick_distinct(rng, things_seen, completed ? 5 : static_cast<std::size_t>(rng.uniform_int(1, 4)));
    } else if (spec.id == exercise_ids::cognitive_three_alternatives) {
      e.responses = pick_distinct(rng, alternative_explanations,
                                  completed ? 3 : static_cast<std::size_t>(rng.uniform_int(1, 2)));
    } else if (spec.id == exercise_ids::mindfulness_name_it) {
      e.responses.push_back(pick(rng, names_for_feeling));
    }
    exercises_.push_back(std::move(e));
  }

  /// Follow-up readings: a Poisson number planned, at growing gaps (10–90
  /// minutes), stopping at the horizon (censored) or, often, once calm.
  void follow_ups(Rng& rng, const Trigger& tr, std::int64_t t0, std::int64_t horizon, const Course& course) {
    const int planned = rng.poisson(o_.readings_per_episode);
    double t_min = 0.0;
    for (int j = 0; j < planned; ++j) {
      double gap = rng.uniform(10.0, 30.0);
      for (int g = 0; g < j && gap < 90.0; ++g) gap *= 1.45;
      t_min += std::min(90.0, gap);
      const std::int64_t t = t0 + minutes_us(t_min);
      if (t >= horizon) break;  // the next trigger, 12 h, or the span's end cuts the episode
      const double expected = course.at(t_min);
      // Once distress has eased, a follow-up due between 01:00 and 07:00 local
      // is slept through: the episode ends unobserved (censored).
      const int hour = local_hour(t);
      if (j > 0 && hour >= 1 && hour < 7 && expected <= 5.0) break;
      const int level = clamp_round(rng.normal(expected, 0.6), 0, 10);
      Reading r;
      r.participant = who_;
      r.time = tz_.instant(t);
      r.intensity = Intensity(level);
      if (!rng.bernoulli(o_.unlinked_reading_probability)) r.trigger = tr.id;
      if (rng.bernoulli(0.15)) r.id = "?";  // numbered in time order at the end
      if (rng.bernoulli(0.12)) {
        r.note = level >= 6   ? pick(rng, notes_high)
                 : level >= 3 ? pick(rng, notes_mid)
                              : pick(rng, notes_low);
      }
      readings_.push_back(std::move(r));
      if (level <= 2 && rng.bernoulli(0.6)) break;  // calm again: people stop logging
    }
  }

  void thought_record(Rng& rng, const Trigger& tr, std::int64_t t0, double w) {
    // Written once the peak has passed, a quarter of an hour to a few hours in.
    const std::int64_t t = t0 + minutes_us(rng.uniform(15.0, 180.0));
    ThoughtRecord r;
    r.participant = who_;
    r.time = tz_.instant(t);
    const auto group = static_cast<std::size_t>(group_of(tr.category));
    r.situation =
        tr.context.empty() ? std::string(contexts[static_cast<std::size_t>(tr.category)][0]) : tr.context;
    r.automatic_thought =
        std::string(automatic_thoughts[group][static_cast<std::size_t>(rng.uniform_int(0, 3))]);
    r.belief_before = Percent(rng.uniform_int(60, 100));
    const auto n_emotions = static_cast<std::size_t>(rng.uniform_int(1, 3));
    for (std::size_t k : rng.distinct(emotion_weights, n_emotions)) {
      EmotionRating e;
      e.name = std::string(emotion_names[k]);
      const int before = rng.uniform_int(50, 100);
      e.before = Percent(before);
      if (rng.bernoulli(0.9)) e.after = Percent(std::max(0, before - rng.uniform_int(10, 45)));
      r.emotions.push_back(std::move(e));
    }
    for (std::size_t k : rng.distinct(distortion_weights, static_cast<std::size_t>(rng.uniform_int(1, 3)))) {
      r.distortions.push_back(static_cast<Distortion>(k));
    }
    r.evidence_for = pick_distinct(rng, evidence_for, static_cast<std::size_t>(rng.uniform_int(1, 2)));
    r.evidence_against =
        pick_distinct(rng, evidence_against, static_cast<std::size_t>(rng.uniform_int(1, 3)));
    // The exercise asks for three other explanations; most manage it.
    constexpr std::array<double, 3> n_alt{0.15, 0.2, 0.65};
    r.alternatives = pick_distinct(rng, alternative_explanations, rng.categorical(n_alt) + 1);
    if (rng.bernoulli(0.8)) r.friend_advice = pick(rng, friend_advice);
    if (rng.bernoulli(0.9)) r.balanced_thought = pick(rng, balanced_thoughts);
    if (rng.bernoulli(0.9)) {
      // Re-rating drops more as the skill grows over the weeks.
      const double drop = rng.uniform(15.0, 45.0) * (0.7 + 0.6 * w);
      r.belief_after = Percent(clamp_round(r.belief_before.value() - drop, 0, 100));
    }
    r.trigger = tr.id;
    if (t < end_) thoughts_.push_back(std::move(r));
  }

  /// Per local day: a spontaneous check-in, and practice on a growing share of days.
  void daily() {
    Rng& rng = daily_rng_;
    const std::int64_t first_day = floor_div(start_ + tz_.at(start_).minutes() * us_per_minute, us_per_day);
    const std::int64_t last_day =
        floor_div(end_ - 1 + tz_.at(end_ - 1).minutes() * us_per_minute, us_per_day);
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      const std::int64_t midnight = d * us_per_day;  // local micros
      if (rng.bernoulli(p_.checkin_probability)) {
        const std::int64_t t = tz_.local_to_utc(midnight + minutes_us(rng.uniform(8 * 60.0, 22 * 60.0)));
        const double w = progress(std::clamp(t, start_, end_ - 1));
        Reading r;
        r.participant = who_;
        r.time = tz_.instant(t);
        // Background distress on a day without an episode: a little above the
        // calm floor, easing as the weeks go by.
        r.intensity = Intensity(clamp_round(rng.normal(p_.calm_floor + 0.5 + 1.5 * (1.0 - w), 1.1), 0, 10));
        if (rng.bernoulli(0.15)) r.id = "?";
        if (rng.bernoulli(0.3)) r.note = pick(rng, notes_checkin);
        if (t >= start_ && t < end_) readings_.push_back(std::move(r));
      }
      const double w_day =
          progress(std::clamp(tz_.local_to_utc(midnight + 12 * us_per_hour), start_, end_ - 1));
      if (rng.bernoulli(linear(p_.practice_start, p_.practice_end, w_day))) {
        const auto k = rng.categorical(p_.practice_weights);
        const ExerciseSpec& spec = practice_catalog[k];
        const bool morning = rng.bernoulli(p_.practises_mornings ? 0.8 : 0.2);
        const double at_min = morning ? rng.uniform(6.5 * 60, 9.5 * 60) : rng.uniform(20.5 * 60, 23 * 60);
        const bool completed = rng.bernoulli(0.93);
        double minutes = rng.uniform(spec.min_minutes, spec.max_minutes);
        if (!completed) minutes *= rng.uniform(0.3, 0.7);
        const std::int64_t ts = tz_.local_to_utc(midnight + minutes_us(at_min));
        ExerciseSession e;
        e.participant = who_;
        e.time = tz_.instant(ts);
        e.end = tz_.instant(ts + minutes_us(minutes));
        e.exercise = std::string(spec.id);
        e.completed = completed;
        if (rng.bernoulli(0.6)) {
          const int before = clamp_round(rng.normal(p_.calm_floor + 0.5 + 1.5 * (1.0 - w_day), 1.0), 0, 10);
          e.intensity_before = Intensity(before);
          e.intensity_after = Intensity(clamp_round(before - rng.normal(spec.effect, 0.6), 0, before));
        }
        if (ts >= start_ && ts < end_) exercises_.push_back(std::move(e));
      }
    }
  }

  /// The built-in questionnaires, both answered in one sitting (the check-in,
  /// then GAD-7 2–6 minutes later): the first sitting on local day 0–2 of the
  /// span (or the first day on which that time is inside the span), then each
  /// 13–15 local days after the one before, at 19:00–22:30 local (70 %) or
  /// 09:00–12:00.
  ///
  /// Answers come from a latent level that eases with progress w in step with
  /// the person's recovery: `level = 1 - recovery * w`, where `recovery` (about
  /// 0.35–0.7) is how much this persona's episode half-life and urge-acting
  /// chance fall over the span. Scored (keyed) answers centre on
  /// `floor + (start - floor) * level` plus a fixed personal bias per area or
  /// item, a shared "how was this fortnight" shift per sitting and item noise,
  /// rounded and clamped into the scale. A reverse-keyed item's raw answer is
  /// `min + max - keyed`, so it rises while the scored value falls.
  void self_assessments() {
    Rng& rng = assessment_rng_;
    const Instrument& checkin = instrument("attachment-checkin");
    const Instrument& gad = instrument("gad-7");
    const double recovery =
        0.5 * ((1.0 - p_.half_life_end / p_.half_life_start) + (1.0 - p_.act_end / p_.act_start));
    // Week-1 levels: a mean keyed check-in answer of 3–4 (anxious patterns in
    // most areas) and GAD-7 items averaging 1.3–2.2 (a total of about 9–15).
    const double checkin_start = rng.uniform(3.0, 4.0);
    const double gad_start = rng.uniform(1.3, 2.2);
    std::vector<double> area_bias(checkin.areas.size());
    for (double& b : area_bias) b = rng.normal(0.0, 0.35);
    std::vector<double> checkin_bias(checkin.items.size(), 0.0);
    for (std::size_t a = 0; a < checkin.areas.size(); ++a) {
      for (std::size_t i : checkin.areas[a].items) checkin_bias[i] = area_bias[a];
    }
    std::vector<double> gad_bias(gad.items.size());
    for (double& b : gad_bias) b = rng.normal(0.0, 0.3);

    const std::int64_t first_day = floor_div(start_ + tz_.at(start_).minutes() * us_per_minute, us_per_day);
    const std::int64_t last_day =
        floor_div(end_ - 1 + tz_.at(end_ - 1).minutes() * us_per_minute, us_per_day);
    std::int64_t day = first_day + rng.uniform_int(0, 2);
    while (day <= last_day) {
      const double at_min =
          rng.bernoulli(0.7) ? rng.uniform(19 * 60.0, 22.5 * 60) : rng.uniform(9 * 60.0, 12 * 60.0);
      std::int64_t t = tz_.local_to_utc(day * us_per_day + minutes_us(at_min));
      // A first sitting before the span starts (a partial first local day,
      // as west of UTC) moves on a day at a time.
      while (t < start_) t = tz_.local_to_utc(++day * us_per_day + minutes_us(at_min));
      const std::int64_t t_gad = t + minutes_us(rng.uniform(2.0, 6.0));
      const double level = 1.0 - recovery * progress(std::min(t, end_ - 1));
      const double shift = rng.normal(0.0, 0.25);  // a better or worse fortnight than the trend
      Assessment a =
          answered(rng, checkin, t, 1.0 + (checkin_start - 1.0) * level + shift, checkin_bias, 0.7);
      Assessment g = answered(rng, gad, t_gad, gad_start * level + 0.8 * shift, gad_bias, 0.6);
      if (t_gad < end_) {
        assessments_.push_back(std::move(a));
        assessments_.push_back(std::move(g));
      }
      day += 14 + rng.uniform_int(-1, 1);
    }
  }

  /// One questionnaire at `t`: keyed answers around `centre + bias[i]` with
  /// normal noise `sd`, rounded into the scale, reverse-keyed items flipped.
  Assessment answered(Rng& rng, const Instrument& in, std::int64_t t, double centre,
                      const std::vector<double>& bias, double sd) {
    std::vector<bool> reverse(in.items.size(), false);
    for (std::size_t i : in.reverse_keyed) reverse[i] = true;
    Assessment a;
    a.participant = who_;
    a.time = tz_.instant(t);
    a.instrument = in.id;
    a.answers.reserve(in.items.size());
    for (std::size_t i = 0; i < in.items.size(); ++i) {
      const int keyed = clamp_round(rng.normal(centre + bias[i], sd), in.scale_min, in.scale_max);
      a.answers.push_back(reverse[i] ? in.scale_min + in.scale_max - keyed : keyed);
    }
    if (rng.bernoulli(0.2)) a.note = pick(rng, notes_assessment);
    return a;
  }

  /// Orders each type by time and numbers ids in that order.
  void finish(RecordSet& out) {
    auto by_time = [](const auto& a, const auto& b) { return a.time.utc_us() < b.time.utc_us(); };
    std::stable_sort(readings_.begin(), readings_.end(), by_time);
    std::stable_sort(exercises_.begin(), exercises_.end(), by_time);
    std::stable_sort(thoughts_.begin(), thoughts_.end(), by_time);
    std::stable_sort(assessments_.begin(), assessments_.end(), by_time);
    std::size_t n = 0;
    for (auto& r : readings_) {
      if (!r.id.empty()) r.id = numbered("r", ++n, 4);
    }
    n = 0;
    for (auto& e : exercises_) e.id = numbered("e", ++n, 4);
    n = 0;
    for (auto& t : thoughts_) t.id = numbered("c", ++n, 4);
    n = 0;
    for (auto& a : assessments_) a.id = numbered("a", ++n, 4);
    auto append = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    };
    append(out.triggers, triggers_);
    append(out.readings, readings_);
    append(out.exercises, exercises_);
    append(out.thought_records, thoughts_);
    append(out.assessments, assessments_);
  }

  const SyntheticOptions& o_;
  std::string who_;
  std::int64_t start_, end_;  // UTC micros, [start, end)
  Rng persona_rng_, times_rng_, episode_rng_, daily_rng_, assessment_rng_;
  Persona p_;
  const OffsetTimeline& tz_;
  std::vector<Trigger> triggers_;
  std::vector<Reading> readings_;
  std::vector<ExerciseSession> exercises_;
  std::vector<ThoughtRecord> thoughts_;
  std::vector<Assessment> assessments_;
};

// ---------------------------------------------------------------------------
// Options

[[noreturn]] void bad_option(std::string_view name, const std::string& why) {
  throw_invalid("SyntheticOptions." + std::string(name) + ": " + why);
}

void check_rate(std::string_view name, double v) {
  // An upper bound keeps a typo from turning into an endless run.
  if (!(v > 0.0) || !(v <= 1000.0))
    bad_option(name, "must be > 0 and <= 1000 per day, got " + std::to_string(v));
}

/// The most records a synthetic journal may be expected to hold (about 3 GB
/// as a journal file): options whose estimate (`estimated_records`) is above
/// it are refused before any memory is taken.
constexpr std::uint64_t synthetic_record_limit = 20'000'000;

/// The records `o` is expected to give at most: per participant and day, the
/// triggers at the higher of the two rates, each with its follow-up readings,
/// an exercise and a thought record at their chances, plus a check-in and a
/// practice session; the two questionnaires every 13 days or more.
double estimated_records(const SyntheticOptions& o) {
  const double rate = std::max(o.triggers_per_day_start, o.triggers_per_day_end);
  const double per_day =
      rate * (1.0 + o.readings_per_episode + o.exercise_probability + o.thought_record_probability) + 2.0;
  const double days = static_cast<double>(o.days);
  const double sittings = o.assessments ? 2.0 * (days / 13.0 + 1.0) : 0.0;
  return static_cast<double>(o.participants) * (days * per_day + sittings);
}

void check_probability(std::string_view name, double v) {
  if (!(v >= 0.0 && v <= 1.0)) bad_option(name, "must be a probability in [0, 1], got " + std::to_string(v));
}

Instant check_options(const SyntheticOptions& o) {
  if (o.participants < 1) bad_option("participants", "must be >= 1, got " + std::to_string(o.participants));
  if (o.days < 1) bad_option("days", "must be >= 1, got " + std::to_string(o.days));
  TimeParseError err;
  const auto start = Instant::try_parse(o.start, &err);
  if (!start) bad_option("start", "'" + o.start + "' is not an RFC 3339 time: " + err.reason);
  // The span must end inside the years calmkit's calendar handles (.. 9999).
  const std::int64_t last_us = Instant::parse("9999-12-31T00:00:00Z").utc_us();
  if (o.days > (last_us - start->utc_us()) / us_per_day - 2) {
    bad_option("days", std::to_string(o.days) + " days from " + o.start + " run past the year 9999");
  }
  check_rate("triggers_per_day_start", o.triggers_per_day_start);
  check_rate("triggers_per_day_end", o.triggers_per_day_end);
  if (!(o.readings_per_episode >= 0.0 && o.readings_per_episode <= 100.0)) {
    bad_option("readings_per_episode",
               "must be within [0, 100], got " + std::to_string(o.readings_per_episode));
  }
  check_probability("exercise_probability", o.exercise_probability);
  check_probability("thought_record_probability", o.thought_record_probability);
  check_probability("unlinked_reading_probability", o.unlinked_reading_probability);
  // A cohort too large to hold is refused before any memory is taken (not a
  // std::bad_alloc part way, or hours of work): the records expected at most.
  const double records = estimated_records(o);
  if (records > static_cast<double>(synthetic_record_limit)) {
    bad_option("participants",
               std::to_string(o.participants) + " participants over " + std::to_string(o.days) +
                   " days are about " + std::to_string(static_cast<std::uint64_t>(records / 1e6)) +
                   " million records (about " +
                   std::to_string(static_cast<std::uint64_t>(records * 150 / 1e9)) +
                   " GB as a journal file), more than the limit of " +
                   std::to_string(synthetic_record_limit / 1'000'000) +
                   " million records per synthetic journal; make several journals (participant_prefix= and "
                   "seed= tell them apart) or fewer participants or days");
  }
  return *start;
}

}  // namespace
}  // namespace calmkit::detail::synthetic

namespace calmkit {

Journal synthetic_journal(const SyntheticOptions& options) {
  using namespace detail::synthetic;
  const Instant start = check_options(options);
  const std::int64_t start_us = start.utc_us();
  const std::int64_t end_us = start_us + static_cast<std::int64_t>(options.days) * detail::us_per_day;

  std::vector<OffsetTimeline> timelines;
  timelines.reserve(zone_specs.size());
  for (const auto& z : zone_specs) timelines.emplace_back(TimeZone(PosixTimeZone(z.rule)), start_us, end_us);

  RecordSet records;
  const auto n = static_cast<std::size_t>(options.participants);
  // Roughly 5 records per participant-day at the defaults (measured).
  const auto per_type = n * static_cast<std::size_t>(options.days);
  records.readings.reserve(per_type * 3);
  records.triggers.reserve(per_type);
  for (std::size_t k = 0; k < n; ++k) {
    ParticipantGenerator gen(options, k, numbered(options.participant_prefix, k + 1, 3), start_us, end_us,
                             timelines);
    gen.run(records);
  }
  // The checking constructor: any generator bug surfaces here as an exception.
  return Journal(std::move(records));
}

}  // namespace calmkit