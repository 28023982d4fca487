// The world the synthetic generator (src/synthetic.cpp) draws from: home time
// zones, when in the day triggers come, how common each trigger category is,
// the exercises people reach for (ids from the built-in catalog,
// include/calmkit/exercises.hpp) and a person's stable traits (a Persona).
#pragma once

#include "synthetic_rng.hpp"

#include <calmkit/exercises.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace calmkit::detail::synthetic {

/// Home zones and how common they are in the cohort. Two Northern DST rules
/// change inside the default span (US 2026-03-08, Europe 2026-03-29), the
/// Australian one goes back on 2026-04-05, and three fixed offsets (India,
/// Brazil/Argentina, Japan/Korea) make sure the half-hour offset and both signs
/// are exercised.
struct ZoneSpec {
  std::string_view rule;  // POSIX TZ string
  double weight;
};
inline constexpr std::array<ZoneSpec, 6> zone_specs{{
    {"CET-1CEST,M3.5.0,M10.5.0/3", 3.0},
    {"EST5EDT,M3.2.0,M11.1.0", 3.0},
    {"IST-5:30", 1.5},
    {"<-03>3", 1.0},
    {"JST-9", 1.5},
    {"AEST-10AEDT,M10.1.0,M4.1.0/3", 1.0},
}};

/// Relative likelihood of a trigger by local hour [0, 23]. The attachment alarm
/// fires most in the evening, when people are apart and waiting on messages,
/// and in the small hours (rumination in bed, 1–3 a.m.); least in working hours
/// when attention is taken, and almost never in the early morning.
inline constexpr std::array<double, 24> hour_profile{
    1.6, 1.8,  1.6, 0.9,  0.4,  0.25, 0.3, 0.6, 0.7, 0.5, 0.45, 0.5,   // 00–11
    0.7, 0.55, 0.5, 0.55, 0.75, 1.0,  1.2, 1.4, 1.6, 1.8, 1.9,  1.8};  // 12–23

/// Base weights of the 18 categories (enum order). Relationship triggers
/// dominate for anxious attachment (slow replies above all); life and inner
/// ones are rarer. Each person scales these by a log-normal factor.
inline constexpr std::array<double, 18> category_base{
    6.0,  // delayed_reply
    4.0,  // mixed_signals
    4.0,  // partner_distance
    2.5,  // routine_change
    3.0,  // conflict
    2.0,  // partner_stress
    3.0,  // lack_of_clarity
    2.5,  // plans_cancelled
    2.0,  // being_alone
    1.5,  // social_comparison
    1.0,  // family_gathering
    0.8,  // health_concern
    1.0,  // financial_stress
    0.6,  // major_decision
    1.2,  // physical_sensation
    1.5,  // negative_self_talk
    1.0,  // perfectionism
    0.5,  // other
};

/// Exercises used in the moment, with how often, how long and how much they
/// help. Durations (minutes) follow what each one takes: a physiological sigh
/// or a pause is a minute or two, paced breathing a few minutes, coherent
/// breathing and the cognitive exercise five to twelve, progressive muscle
/// relaxation walks through the whole body (10–20), a walk 10–25; cold water
/// (TIPP) works within a few minutes. `effect` is the mean drop in distress
/// (0–10 points) when completed: body-based ones (TIPP, PMR, walking) lead,
/// a bare pause helps least.
struct ExerciseSpec {
  std::string_view id;
  double weight;
  double min_minutes, max_minutes;
  double effect;
};
inline constexpr std::array<ExerciseSpec, 12> exercise_catalog{{
    {exercise_ids::breathing_extended_exhale, 1.4, 3, 6, 1.8},
    {exercise_ids::breathing_4_7_8, 1.3, 2, 5, 1.9},
    {exercise_ids::breathing_box, 1.2, 3, 6, 1.7},
    {exercise_ids::breathing_coherent, 1.0, 5, 12, 2.0},
    {exercise_ids::breathing_physiological_sigh, 1.0, 1, 3, 1.5},
    {exercise_ids::grounding_5_4_3_2_1, 1.3, 3, 8, 2.2},
    {exercise_ids::relaxation_progressive_muscle, 0.6, 10, 20, 2.5},
    {exercise_ids::tipp_temperature, 0.5, 1, 4, 2.6},
    {exercise_ids::movement_short_walk, 0.8, 10, 25, 2.3},
    {exercise_ids::mindfulness_name_it, 0.9, 2, 5, 1.4},
    {exercise_ids::pause_before_reacting, 1.0, 1, 3, 1.2},
    {exercise_ids::cognitive_three_alternatives, 0.8, 5, 12, 1.9},
}};

/// Daily practice, not tied to a trigger: longer, calmer sessions.
inline constexpr std::array<ExerciseSpec, 3> practice_catalog{{
    {exercise_ids::mindfulness_breath, 1.5, 5, 15, 0.8},
    {exercise_ids::mindfulness_body_scan, 1.0, 10, 25, 1.0},
    {exercise_ids::breathing_coherent, 1.0, 5, 12, 0.9},
}};

template <std::size_t N>
inline std::array<double, N> spec_weights(const std::array<ExerciseSpec, N>& specs) {
  std::array<double, N> w{};
  for (std::size_t i = 0; i < N; ++i) w[i] = specs[i].weight;
  return w;
}

/// One person's stable traits, drawn once from their persona stream.
struct Persona {
  std::size_t zone = 0;
  std::array<double, 18> category_weights{};
  std::array<double, 12> exercise_weights{};
  std::array<double, 3> practice_weights{};
  double rate_multiplier = 1.0;      // people differ in how often the alarm fires
  double onset_start = 7.0;          // mean onset intensity (0–10) in week 1
  double onset_drop = 1.5;           // points it falls by the end of the span
  double calm_floor = 1.0;           // resting distress (0–10) an episode decays to
  double half_life_start = 90;       // minutes, week 1
  double half_life_end = 45;         // minutes, by the end
  double act_start = 0.65;           // P(acting on the urge), week 1
  double act_end = 0.25;             // ... by the end: the urge is resisted more often
  double delay_start = 3;            // median minutes before acting, week 1
  double delay_end = 20;             // ... by the end: more uncertainty is tolerated
  double checkin_probability = 0.4;  // per day
  double practice_start = 0.2;       // share of days with practice, week 1
  double practice_end = 0.6;         // ... by the end
  bool practises_mornings = true;
  double completion = 0.88;  // P(an exercise is finished)
};

inline Persona draw_persona(Rng& rng) {
  Persona p;
  std::array<double, zone_specs.size()> zw{};
  for (std::size_t i = 0; i < zw.size(); ++i) zw[i] = zone_specs[i].weight;
  p.zone = rng.categorical(zw);
  for (std::size_t i = 0; i < 18; ++i) p.category_weights[i] = category_base[i] * rng.lognormal(1.0, 0.6);
  for (std::size_t i = 0; i < 12; ++i) {
    p.exercise_weights[i] = exercise_catalog[i].weight * rng.lognormal(1.0, 0.7);
  }
  for (std::size_t i = 0; i < 3; ++i)
    p.practice_weights[i] = practice_catalog[i].weight * rng.lognormal(1.0, 0.5);
  p.rate_multiplier = rng.lognormal(1.0, 0.25);
  p.onset_start = rng.uniform(6.3, 8.0);
  p.onset_drop = rng.uniform(1.0, 2.5);
  p.calm_floor = rng.uniform(0.3, 1.8);
  p.half_life_start = rng.uniform(60.0, 150.0);
  p.half_life_end = p.half_life_start * rng.uniform(0.35, 0.65);
  p.act_start = rng.uniform(0.5, 0.8);
  p.act_end = p.act_start * rng.uniform(0.25, 0.6);
  p.delay_start = rng.uniform(1.5, 5.0);
  p.delay_end = p.delay_start * rng.uniform(4.0, 10.0);
  p.checkin_probability = rng.uniform(0.2, 0.6);
  p.practice_start = rng.uniform(0.05, 0.3);
  p.practice_end = std::min(0.95, p.practice_start + rng.uniform(0.3, 0.6));
  p.practises_mornings = rng.bernoulli(0.55);
  p.completion = rng.uniform(0.8, 0.95);
  return p;
}

}  // namespace calmkit::detail::synthetic
