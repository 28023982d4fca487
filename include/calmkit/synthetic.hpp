/// @file synthetic.hpp
/// @brief A deterministic generator of realistic synthetic journals, for tests,
/// examples and benchmarks.
///
/// Implemented in the compiled part `calmkit::synthetic`: src/synthetic.cpp
/// (the generator) with its private src/synthetic_rng.hpp (random numbers),
/// src/synthetic_world.hpp (zones, categories, exercises, personas) and
/// src/synthetic_phrases.hpp (the texts).
#pragma once

#include <calmkit/export.hpp>
#include <calmkit/journal.hpp>

#include <cstdint>
#include <string>

namespace calmkit {

/// Parameters of a synthetic cohort. The same options and seed always give the
/// same journal, on every platform.
struct SyntheticOptions {
  int participants = 3;    ///< >= 1
  int days = 56;           ///< >= 1; the span each participant journals over
  std::uint64_t seed = 1;  ///< PRNG seed
  /// First day (UTC midnight) of the span, as RFC 3339. The default span of
  /// 56 days crosses the EU/US spring DST change.
  std::string start = "2026-03-02T00:00:00Z";
  double triggers_per_day_start = 1.2;        ///< mean triggers/day in week 1, > 0
  double triggers_per_day_end = 0.4;          ///< mean triggers/day by the last week, > 0
  double readings_per_episode = 4.0;          ///< mean follow-up readings per trigger, >= 0
  double exercise_probability = 0.6;          ///< chance a trigger gets an exercise, [0, 1]
  double thought_record_probability = 0.3;    ///< chance a trigger gets a thought record, [0, 1]
  double unlinked_reading_probability = 0.3;  ///< chance a follow-up reading carries no trigger link
  /// Participant ids are `prefix` + zero-padded number ("p001"...).
  std::string participant_prefix = "p";
  /// Whether each participant answers the built-in self-assessments
  /// (`attachment-checkin` and `gad-7`, see assessments.hpp) about every two
  /// weeks. Off gives a journal without assessments, for consumers that cannot
  /// hold them; every other record is the same either way.
  bool assessments = true;
};

/// Builds a synthetic cohort:
/// - each participant has a home UTC offset (several time zones, some with a
///   DST rule so that their offset changes inside the span);
/// - triggers arrive as a Poisson process whose rate falls from
///   `triggers_per_day_start` to `triggers_per_day_end`, more often in the
///   evening and at night; categories follow a per-person preference;
/// - after each trigger, distress readings decay roughly exponentially, with a
///   half-life that shortens over the weeks; some episodes end censored;
/// - exercises (catalog ids) and thought records are linked to triggers, and
///   there is some daily practice not linked to any trigger;
/// - when `assessments` is on, both built-in questionnaires are answered in one
///   sitting in the first days and then about every 14 days (13–15 days on),
///   mostly in the evening; their scored totals ease over the weeks in step
///   with the person's recovery (the same persona traits that shorten their
///   episodes and weaken their urges), with sitting-to-sitting noise.
///   Reverse-keyed `attachment-checkin` items are answered in the opposite
///   direction, so their scored value eases too. Assessments come from a
///   random stream of their own: turning them on or off changes no other record.
///
/// Example
/// ```cpp
/// calmkit::SyntheticOptions o;
/// o.participants = 3;
/// o.seed = 42;
/// const calmkit::Journal j = calmkit::synthetic_journal(o);
/// // j.assessments_of("p001"): attachment-checkin and gad-7, about every 14 days
/// ```
/// @throws std::invalid_argument for out-of-range options.
[[nodiscard]] CALMKIT_EXPORT Journal synthetic_journal(const SyntheticOptions& options = {});

}  // namespace calmkit
