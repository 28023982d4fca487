/// @file metrics/episodes.hpp
/// @brief Episodes after each trigger, time-to-calm with right-censoring, and
/// the Kaplan–Meier summary per participant, period and category.
#pragma once

#include <calmkit/metrics/columns.hpp>
#include <calmkit/metrics/parallel.hpp>
#include <calmkit/metrics/survival.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace calmkit::metrics {

/// What makes an episode and when it counts as calm.
struct EpisodeOptions {
  int threshold = 3;         ///< θ on the 0–10 scale: intensity ≤ θ is calm, [0, 10]
  double window_hours = 12;  ///< unlinked readings count up to onset + window, hours >= 0

  /// Throws `std::invalid_argument` when `threshold` is outside 0–10
  /// (`threshold must be an integer 0..10, got 11`: `Intensity`'s rule) or
  /// `window_hours` is negative or not finite.
  void check() const {
    if (!Intensity::make(threshold)) {  // the distress scale's rule, in its words
      calmkit::detail::throw_invalid("threshold " + Intensity::out_of_range_reason(threshold));
    }
    if (!(window_hours >= 0) || !std::isfinite(window_hours)) {
      calmkit::detail::throw_invalid("window_hours must be a finite number of hours >= 0");
    }
  }
};

/// One row per trigger (row i is trigger row i of the cohort).
struct EpisodeTable {
  std::vector<double> minutes;              ///< time-to-calm, or time to censoring, minutes >= 0
  std::vector<std::uint8_t> calmed;         ///< 1 calmed, 0 right-censored
  std::vector<std::int8_t> peak_intensity;  ///< max of onset and observations, 0–10
  std::vector<std::int32_t> observations;   ///< observations at or after onset
  std::vector<std::uint8_t> with_exercise;  ///< 1 when an exercise session is linked

  /// Number of rows (episodes, one per trigger).
  [[nodiscard]] std::size_t size() const noexcept { return minutes.size(); }
};

/// Episodes and time-to-calm for every trigger of the cohort, in linear time.
///
/// Observations of episode i: readings linked to it; exercise ratings linked
/// to it (`intensity_before` at start, `intensity_after` at end); unlinked
/// readings of the same participant with onset ≤ t ≤ onset + window and
/// t < the next trigger's onset. Observations before the onset are ignored.
/// Time-to-calm: 0 when the onset intensity ≤ θ; else the first observation
/// with intensity ≤ θ; else right-censored at the last observation (or at the
/// onset when there is none).
///
///
/// A journal's columns (`journal.columns()`) keep the table for these
/// options until the journal changes, so the metrics that start from the
/// episodes (the summary, the curves, the trends, a second call) compute them
/// once per state: see `time_to_calm_shared`. The result is the same either way.
///
/// Example
/// ```cpp
/// auto eps = calmkit::metrics::time_to_calm(journal.columns(), {.threshold = 3, .window_hours = 12});
/// eps.minutes[0];  // minutes from the first trigger until calm (or censoring)
/// ```
[[nodiscard]] inline EpisodeTable time_to_calm(const Cohort& c, const EpisodeOptions& opt = {});

namespace detail {
/// The window of `opt` in microseconds, as the episodes use it.
inline std::int64_t window_us(const EpisodeOptions& opt) {
  return hours_to_us(opt.window_hours);
}

/// `time_to_calm` computed (no cache); `opt` and `c` already checked.
///
/// While the observations are gathered, `minutes[i]` holds the bits of an
/// instant (microseconds) and `calmed[i]` says which one: with 0, the latest
/// observation so far (the onset at first: the censoring time); with 1, the
/// earliest calm observation so far (the latest one no longer matters then).
/// One 8-byte slot per trigger instead of two: the first call on a journal
/// touches that much less fresh memory. The last pass turns the instant into
/// minutes from the onset.
inline EpisodeTable compute_episodes(const Cohort& c, const EpisodeOptions& opt) {
  const auto& t = c.triggers;
  const std::size_t n = t.size();
  const auto theta = static_cast<std::int8_t>(opt.threshold);
  const auto window_us = detail::window_us(opt);

  EpisodeTable out;
  out.peak_intensity = t.intensity;
  out.observations.assign(n, 0);
  out.with_exercise.assign(n, 0);
  out.calmed.assign(n, 0);
  out.minutes.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.minutes[i] = std::bit_cast<double>(t.time_us[i]);

  // Observation (us, x) of episode i when `counts` (at or after its onset,
  // checked by the caller); nothing changes without it. Without branches:
  // whether a reading counts, and whether it is calm, is as good as random
  // from one reading to the next, and a mispredicted branch per reading cost
  // more than the rest of the loop.
  auto see = [theta](std::int32_t& obs, std::int8_t& peak, double& at, std::uint8_t& calm, std::int64_t us,
                     std::int8_t x, bool counts) {
    // Masks rather than conditional choices, which the compiler branches on.
    const std::int64_t keep = -static_cast<std::int64_t>(counts);  // all ones when it counts
    obs += static_cast<std::int32_t>(counts);
    peak = std::max(peak, static_cast<std::int8_t>(((x + 128) & keep) - 128));  // -128 when it does not count
    const auto was = std::bit_cast<std::int64_t>(at);
    const bool calm_now = x <= theta;
    const bool calm_before = calm != 0;
    // Calm now: the earliest calm instant. Not calm: the latest instant while
    // none is calm, else the earliest calm one kept.
    const std::int64_t if_calm = calm_before ? std::min(was, us) : us;
    const std::int64_t if_not = calm_before ? was : std::max(was, us);
    const std::int64_t now = calm_now ? if_calm : if_not;
    at = std::bit_cast<double>(was ^ ((now ^ was) & keep));
    calm = static_cast<std::uint8_t>(calm_before || (counts && calm_now));
  };

  // Readings: linked ones go to their trigger; unlinked ones to the latest
  // trigger of the same participant with onset <= t (a merge of two sorted
  // arrays), when within the window. That trigger's successor starts after t,
  // so "before the next onset" holds and each reading has one episode at most.
  // Blocks of whole participants run on their own threads: a block touches
  // only the rows of its own triggers.
  const auto& r = c.readings;
  const std::size_t blocks = detail::block_count(r.size());
  const auto cut =
      detail::participant_cuts(r.participant, blocks, static_cast<std::int64_t>(c.participants.size()));
  detail::run_blocks(blocks, [&](std::size_t b) {
    const std::size_t t_begin = detail::first_row_of(t.participant, cut[b]);
    const std::size_t t_end = detail::first_row_of(t.participant, cut[b + 1]);
    const std::size_t r_end = detail::first_row_of(r.participant, cut[b + 1]);
    // Plain pointers held in locals: through the vectors, every store into an
    // output row would make the compiler reload every array's address.
    const std::int32_t* const tp = t.participant.data();
    const std::int64_t* const tus = t.time_us.data();
    const std::int32_t* const rp = r.participant.data();
    const std::int64_t* const rus = r.time_us.data();
    const std::int8_t* const rx = r.intensity.data();
    const std::int32_t* const rt = r.trigger.data();
    std::int32_t* const obs = out.observations.data();
    std::int8_t* const peak = out.peak_intensity.data();
    double* const at = out.minutes.data();
    std::uint8_t* const calm = out.calmed.data();
    const std::size_t r_begin = detail::first_row_of(r.participant, cut[b]);
    auto bad_link = [](std::size_t j) {
      // A cheap guard for columns edited in place after their check.
      calmkit::detail::throw_invalid("episodes: reading row " + std::to_string(j) +
                                     " links to a trigger of another participant");
    };
    if (t_begin == t_end) {  // no trigger in the block: no reading has an episode
      for (std::size_t j = r_begin; j < r_end; ++j)
        if (rt[j] != no_trigger) bad_link(j);
      return;
    }
    std::size_t k = t_begin;  // first trigger whose (participant, onset) is after the reading
    for (std::size_t j = r_begin; j < r_end; ++j) {
      const auto p = rp[j];
      const auto us = rus[j];
      // Readings are in (participant, time) order as the triggers are, so k
      // only moves forward, whether the reading is linked or not.
      while (k < t_end && (tp[k] < p || (tp[k] == p && tus[k] <= us))) ++k;
      const std::int32_t link = rt[j];
      const bool linked = link != no_trigger;
      // Linked: that trigger, at or after its onset. Unlinked: the latest
      // trigger of the same participant with onset <= t, within the window.
      const std::size_t latest = k > t_begin ? k - 1 : t_begin;
      // (Selected with masks: the compiler branches on a conditional choice.)
      const std::size_t mask = std::size_t{0} - static_cast<std::size_t>(linked);
      const std::size_t i = (static_cast<std::size_t>(link) & mask) | (latest & ~mask);
      if (i < t_begin || i >= t_end) bad_link(j);
      const std::int64_t onset = tus[i];
      auto bit = [](bool v) { return static_cast<unsigned>(v); };  // & and | evaluate every operand
      const bool counts =
          ((bit(linked) & bit(us >= onset)) |
           (bit(!linked) & bit(k > t_begin) & bit(tp[i] == p) & bit(us - onset <= window_us))) != 0;
      see(obs[i], peak[i], at[i], calm[i], us, rx[j], counts);
    }
  });

  const auto& e = c.exercises;
  for (std::size_t j = 0; j < e.size(); ++j) {
    if (e.trigger[j] == no_trigger) continue;
    const auto i = static_cast<std::size_t>(e.trigger[j]);
    if (i >= n) calmkit::detail::throw_invalid("episodes: a trigger link points past the last trigger row");
    out.with_exercise[i] = 1;
    auto observe = [&](std::int64_t us, std::int8_t x) {
      see(out.observations[i], out.peak_intensity[i], out.minutes[i], out.calmed[i], us, x,
          us >= t.time_us[i]);
    };
    if (e.intensity_before[j] >= 0) observe(e.time_us[j], e.intensity_before[j]);
    if (e.intensity_after[j] >= 0) observe(e.end_us[j], e.intensity_after[j]);
  }

  // Time-to-calm: 0 when the onset is calm already; else until the first calm
  // observation; else right-censored at the last observation (or the onset).
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t until = 0;
    if (t.intensity[i] <= theta) {
      out.calmed[i] = 1;
    } else {
      until = std::bit_cast<std::int64_t>(out.minutes[i]) - t.time_us[i];
    }
    out.minutes[i] = static_cast<double>(until) / 60'000'000.0;
  }
  return out;
}
}  // namespace detail

/// `time_to_calm(c, opt)` without a copy: the table a journal's columns keep
/// for `opt` (computed on the first call after each change, then shared by
/// every call with the same threshold and window until the journal changes),
/// or a fresh one for other columns. Immutable: a later change to the journal
/// leaves a table already handed out as it was.
/// @throws std::invalid_argument as `time_to_calm`.
[[nodiscard]] inline std::shared_ptr<const EpisodeTable> time_to_calm_shared(const Cohort& c,
                                                                             const EpisodeOptions& opt = {}) {
  opt.check();
  c.ensure_checked();
  return c.derived_.episode_table(opt.threshold, detail::window_us(opt), [&c, &opt] {
    return std::make_shared<const EpisodeTable>(detail::compute_episodes(c, opt));
  });
}

inline EpisodeTable time_to_calm(const Cohort& c, const EpisodeOptions& opt) {
  return *time_to_calm_shared(c, opt);
}

/// Deprecated spelling of `time_to_calm()` (one name per concept: Python's
/// `calmkit.time_to_calm`, JavaScript's `metrics.timeToCalm`).
[[deprecated("use calmkit::metrics::time_to_calm")]] [[nodiscard]] inline auto episodes(  // deprecated
    const Cohort& c, const EpisodeOptions& opt = {}) -> EpisodeTable {
  return time_to_calm(c, opt);
}

/// How episodes are grouped for a summary. With nothing set, the whole cohort
/// is one group.
struct GroupBy {
  /// Group by participant.
  bool participant = true;
  std::optional<Period> period{};  ///< week or month (or day) of the onset's local date
  /// Group by trigger category.
  bool category = false;
};

/// One row per group, ordered by (participant, period, category).
struct TimeToCalmSummary {
  std::vector<std::int32_t> participant;  ///< code, -1 when not grouped by participant
  std::vector<std::int64_t>
      period_start;                    ///< first day (days since 1970-01-01), 0 when not grouped by period
  std::vector<std::int16_t> category;  ///< `TriggerCategory`, -1 when not grouped by category
  /// @{
  /// Episodes in the group; of them, those that calmed and those right-censored.
  std::vector<std::int64_t> episodes, calmed, censored;
  /// @}
  /// @{
  /// Kaplan–Meier median time-to-calm and its confidence interval, minutes;
  /// NaN where undefined.
  std::vector<double> median_minutes, ci_low, ci_high;
  /// @}

  /// Number of rows (groups).
  [[nodiscard]] std::size_t size() const noexcept { return episodes.size(); }
};

/// The fields of each episode that a summary groups by, as parallel arrays
/// (row i is episode i). Views: the arrays must outlive the call.
struct EpisodeKeys {
  std::span<const std::int32_t> participant;     ///< participant code, >= 0
  std::span<const std::int64_t> onset_us;        ///< onset, microseconds since 1970-01-01T00:00Z
  std::span<const std::int16_t> offset_minutes;  ///< UTC offset at onset, minutes [-1439, 1439]
  std::span<const std::uint8_t> category;        ///< `TriggerCategory` value, [0, 17]

  /// The keys of a cohort's triggers (episode i is trigger row i).
  [[nodiscard]] static EpisodeKeys of(const Cohort& c) noexcept {
    return {c.triggers.participant, c.triggers.time_us, c.triggers.offset_minutes, c.triggers.category};
  }
};

namespace detail {
/// Sorted group keys of the episodes, with the row indices of each group in order.
struct Groups {
  std::vector<std::tuple<std::int32_t, std::int64_t, std::int16_t>> keys;
  std::vector<std::size_t> start;  ///< keys.size() + 1 offsets into `rows`
  /// Episode rows, group after group; empty when the episodes were already in
  /// key order (then group k is rows start[k] .. start[k+1] themselves).
  std::vector<std::size_t> rows;

  /// The episode row at position j (of `start`'s numbering).
  [[nodiscard]] std::size_t row(std::size_t j) const noexcept { return rows.empty() ? j : rows[j]; }
};
inline Groups group_episodes(const EpisodeKeys& k, const GroupBy& by, const LocalCalendar& cal) {
  using Key = std::tuple<std::int32_t, std::int64_t, std::int16_t>;
  const std::size_t n = k.participant.size();
  auto key_of = [&](std::size_t i) -> Key {
    const std::int32_t p = by.participant ? k.participant[i] : -1;
    std::int64_t d = 0;
    if (by.period)
      d = period_first_day(period_index(cal.local_day(k.onset_us[i], k.offset_minutes[i]), *by.period),
                           *by.period);
    const std::int16_t cat = by.category ? static_cast<std::int16_t>(k.category[i]) : std::int16_t{-1};
    return {p, d, cat};
  };
  Groups g;
  // A cohort's episodes are ordered by participant and time, so grouping by
  // participant (and period) usually finds the keys in order already: one
  // pass collects the groups, and only out-of-order keys need a sort.
  bool in_order = true;
  const bool codes_only = by.participant && !by.period && !by.category;
  if (codes_only) {
    // The summary per participant (the README's): only the code varies, so
    // the pass compares codes rather than whole keys.
    const std::int32_t* const p = k.participant.data();
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0 && p[i] == p[i - 1]) continue;
      if (i > 0 && p[i] < p[i - 1]) {
        in_order = false;
        break;
      }
      g.keys.emplace_back(p[i], 0, std::int16_t{-1});
      g.start.push_back(i);
    }
  }
  for (std::size_t i = 0; i < n && in_order && !codes_only; ++i) {
    const Key key = key_of(i);
    if (g.keys.empty() || g.keys.back() < key) {
      g.keys.push_back(key);
      g.start.push_back(i);
    } else if (key < g.keys.back()) {
      in_order = false;
    }
  }
  if (!in_order) {
    g.keys.clear();
    g.start.clear();
    // (key, row) pairs sort with good locality; the row breaks ties, so the
    // order within a group stays the input order.
    std::vector<std::pair<Key, std::size_t>> keyed(n);
    for (std::size_t i = 0; i < n; ++i) keyed[i] = {key_of(i), i};
    std::sort(keyed.begin(), keyed.end());
    g.rows.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      g.rows[i] = keyed[i].second;
      if (i == 0 || keyed[i].first != keyed[i - 1].first) {
        g.keys.push_back(keyed[i].first);
        g.start.push_back(i);
      }
    }
  }
  g.start.push_back(n);
  return g;
}

/// The error for a bad value of episode arrays, naming the row and field.
[[noreturn]] inline void bad_episode(std::size_t row, const char* field, const std::string& why) {
  calmkit::detail::throw_invalid("episodes row " + std::to_string(row) + ", field '" + field + "': " + why);
}

/// Checks the values of episodes: finite minutes >= 0 and 0/1 flags.
inline void check_episode_values(std::span<const double> minutes, std::span<const std::uint8_t> calmed) {
  for (std::size_t i = 0; i < minutes.size(); ++i) {
    if (!Minutes::make(minutes[i]))  // the model's rule of a number of minutes, in its words
      bad_episode(i, "minutes", Minutes::out_of_range_reason(minutes[i]));
    if (calmed[i] > 1) bad_episode(i, "calmed", "must be 0 or 1");
  }
}

/// Checks episode arrays given from outside a cohort: equal lengths, codes,
/// offsets, finite minutes >= 0 and 0/1 flags, naming the row and field.
inline void check_episode_arrays(const EpisodeKeys& k, std::span<const double> minutes,
                                 std::span<const std::uint8_t> calmed) {
  const std::size_t n = minutes.size();
  const auto bad = bad_episode;
  if (k.participant.size() != n || k.onset_us.size() != n || k.offset_minutes.size() != n ||
      k.category.size() != n || calmed.size() != n) {
    calmkit::detail::throw_invalid(
        "episodes: participant, onset, offset, category, minutes and calmed differ "
        "in length");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (k.participant[i] < 0)
      bad(i, "participant", "missing (code " + std::to_string(k.participant[i]) + ")");
    if (k.offset_minutes[i] < -UtcOffset::max_minutes || k.offset_minutes[i] > UtcOffset::max_minutes)
      bad(i, "offset_minutes", calmkit::detail::offset_out_of_range(k.offset_minutes[i]));
    if (!calmkit::detail::in_year_range(k.onset_us[i], k.offset_minutes[i]))
      bad(i, "onset_us", calmkit::detail::year_out_of_range_at_offset());
    if (k.category[i] >= trigger_category_table.size())
      bad(i, "category", "code " + std::to_string(k.category[i]) + " is not a category");
  }
  check_episode_values(minutes, calmed);
}

/// The (minutes, calmed) values of group k: views of the inputs when groups
/// are contiguous, otherwise gathered into `tm` / `ev`.
inline std::pair<std::span<const double>, std::span<const std::uint8_t>> group_values(
    const Groups& g, std::size_t k, std::span<const double> minutes, std::span<const std::uint8_t> calmed,
    std::vector<double>& tm, std::vector<std::uint8_t>& ev) {
  const std::size_t begin = g.start[k], size = g.start[k + 1] - g.start[k];
  if (g.rows.empty()) return {minutes.subspan(begin, size), calmed.subspan(begin, size)};
  tm.clear();
  ev.clear();
  for (std::size_t j = begin; j < begin + size; ++j) {
    tm.push_back(minutes[g.rows[j]]);
    ev.push_back(calmed[g.rows[j]]);
  }
  return {tm, ev};
}

/// Fills row k of a summary (sized beforehand) for group key `key`.
inline void set_summary_row(TimeToCalmSummary& s, std::size_t k,
                            const std::tuple<std::int32_t, std::int64_t, std::int16_t>& key,
                            std::span<const std::uint8_t> calmed, const MedianEstimate& m) {
  std::int64_t n_calmed = 0;
  for (const auto x : calmed) n_calmed += x;
  s.participant[k] = std::get<0>(key);
  s.period_start[k] = std::get<1>(key);
  s.category[k] = std::get<2>(key);
  s.episodes[k] = static_cast<std::int64_t>(calmed.size());
  s.calmed[k] = n_calmed;
  s.censored[k] = static_cast<std::int64_t>(calmed.size()) - n_calmed;
  s.median_minutes[k] = m.median;
  s.ci_low[k] = m.low;
  s.ci_high[k] = m.high;
}

/// A summary with `n` rows, every column sized.
inline TimeToCalmSummary sized_summary(std::size_t n) {
  TimeToCalmSummary s;
  s.participant.resize(n);
  s.period_start.resize(n);
  s.category.resize(n);
  for (auto* v : {&s.episodes, &s.calmed, &s.censored}) v->resize(n);
  for (auto* v : {&s.median_minutes, &s.ci_low, &s.ci_high}) v->resize(n);
  return s;
}

/// `time_to_calm_summary` of episode arrays already checked (a cohort's own
/// columns and its episode table, which its rules keep valid).
[[nodiscard]] inline TimeToCalmSummary summary_of_checked(const EpisodeKeys& keys,
                                                          std::span<const double> minutes,
                                                          std::span<const std::uint8_t> calmed,
                                                          const GroupBy& by, const LocalCalendar& cal,
                                                          double level) {
  const auto g = detail::group_episodes(keys, by, cal);
  const std::size_t ng = g.keys.size();
  auto s = detail::sized_summary(ng);
  // Groups are independent: blocks of groups (about equal numbers of
  // episodes) run on their own threads, each filling its own rows.
  const std::size_t blocks = std::min(detail::block_count(minutes.size()), std::max<std::size_t>(ng, 1));
  std::vector<std::size_t> first_group(blocks + 1, ng);
  first_group[0] = 0;
  for (std::size_t b = 1; b < blocks; ++b) {
    const auto at = std::lower_bound(g.start.begin(), g.start.end() - 1, b * minutes.size() / blocks);
    first_group[b] = std::max(first_group[b - 1], static_cast<std::size_t>(at - g.start.begin()));
  }
  detail::run_blocks(blocks, [&](std::size_t b) {
    std::vector<double> tm;
    std::vector<std::uint8_t> ev;
    std::vector<std::uint64_t> scratch;
    for (std::size_t k = first_group[b]; k < first_group[b + 1]; ++k) {
      const auto [gm, gc] = detail::group_values(g, k, minutes, calmed, tm, ev);
      detail::set_summary_row(s, k, g.keys[k], gc, km_median(gm, gc, level, scratch));
    }
  });
  return s;
}
}  // namespace detail

/// Kaplan–Meier summary of time-to-calm per group from episode arrays (for
/// instance a filtered subset of `episodes`): counts, the median and its
/// Brookmeyer–Crowley interval (see `km_median`).
///
/// Example
/// ```cpp
/// auto eps = calmkit::metrics::time_to_calm(cols);
/// auto s = calmkit::metrics::time_to_calm_summary(calmkit::metrics::EpisodeKeys::of(cols), eps.minutes,
///                                                 eps.calmed, {.participant = true});
/// ```
/// @throws std::invalid_argument naming the row and field of a bad value.
[[nodiscard]] inline TimeToCalmSummary time_to_calm_summary(
    const EpisodeKeys& keys, std::span<const double> minutes, std::span<const std::uint8_t> calmed,
    const GroupBy& by = {}, const LocalCalendar& cal = {}, double level = 0.95) {
  detail::check_episode_arrays(keys, minutes, calmed);
  return detail::summary_of_checked(keys, minutes, calmed, by, cal, level);
}

/// Kaplan–Meier summary of time-to-calm per group of a cohort's episodes:
/// counts, the median and its Brookmeyer–Crowley interval (see `km_median`).
[[nodiscard]] inline TimeToCalmSummary time_to_calm_summary(const Cohort& c, const EpisodeTable& eps,
                                                            const GroupBy& by = {},
                                                            const LocalCalendar& cal = {},
                                                            double level = 0.95) {
  c.ensure_checked();
  if (eps.size() != c.triggers.size())
    calmkit::detail::throw_invalid("time_to_calm_summary: episode table does not match the cohort");
  // The cohort's columns passed its check: only the table's values are
  // checked (the keys' calendar checks cost more than the medians).
  detail::check_episode_values(eps.minutes, eps.calmed);
  return detail::summary_of_checked(EpisodeKeys::of(c), eps.minutes, eps.calmed, by, cal, level);
}

/// Kaplan–Meier curves per group, stacked: `group[i]` is the summary row
/// (same grouping as `time_to_calm_summary`) each step belongs to.
struct GroupedCurves {
  TimeToCalmSummary groups;  ///< one row per group: keys, counts, median and its interval
  /// Row in `groups` that each step of `steps` belongs to.
  std::vector<std::int64_t> group;
  /// The Kaplan–Meier steps of every group, stacked group after group.
  KaplanMeier steps;
};

/// Kaplan–Meier time-to-calm curves for each group of episodes given as
/// arrays (grouped as in `time_to_calm_summary`), with pointwise bands at
/// confidence `level` (0–1).
/// @throws std::invalid_argument naming the row and field of a bad value.
[[nodiscard]] inline GroupedCurves km_curves(const EpisodeKeys& keys, std::span<const double> minutes,
                                             std::span<const std::uint8_t> calmed, const GroupBy& by = {},
                                             const LocalCalendar& cal = {}, double level = 0.95) {
  detail::check_episode_arrays(keys, minutes, calmed);
  const auto g = detail::group_episodes(keys, by, cal);
  GroupedCurves out;
  out.groups = detail::sized_summary(g.keys.size());
  std::vector<double> tm;
  std::vector<std::uint8_t> ev;
  for (std::size_t k = 0; k < g.keys.size(); ++k) {
    const auto [gm, gc] = detail::group_values(g, k, minutes, calmed, tm, ev);
    const auto km = kaplan_meier(gm, gc, level);
    detail::set_summary_row(out.groups, k, g.keys[k], gc, km_median(km));
    auto append = [](auto& dst, const auto& src) { dst.insert(dst.end(), src.begin(), src.end()); };
    out.group.insert(out.group.end(), km.size(), static_cast<std::int64_t>(k));
    append(out.steps.time, km.time);
    append(out.steps.at_risk, km.at_risk);
    append(out.steps.events, km.events);
    append(out.steps.censored, km.censored);
    append(out.steps.survival, km.survival);
    append(out.steps.low, km.low);
    append(out.steps.high, km.high);
  }
  return out;
}

/// Kaplan–Meier time-to-calm curves for each group of a cohort's episodes
/// (grouped as in `time_to_calm_summary`), with pointwise bands at
/// confidence `level` (0–1).
/// Throws `std::invalid_argument` when `eps` does not match the cohort.
[[nodiscard]] inline GroupedCurves km_curves(const Cohort& c, const EpisodeTable& eps, const GroupBy& by = {},
                                             const LocalCalendar& cal = {}, double level = 0.95) {
  c.ensure_checked();
  if (eps.size() != c.triggers.size())
    calmkit::detail::throw_invalid("km_curves: episode table does not match the cohort");
  return km_curves(EpisodeKeys::of(c), eps.minutes, eps.calmed, by, cal, level);
}

/// Quantiles of time-to-calm per group: one row per (group, p), groups in the
/// order of `GroupedCurves::groups` and the probabilities in the order given.
struct QuantileTable {
  std::vector<std::int64_t> group;  ///< row in `GroupedCurves::groups`
  std::vector<double> p;            ///< probability of calm by then, (0, 1)
  /// @{
  /// The quantile (the smallest minutes with S ≤ 1 − p) and its interval
  /// (minutes); NaN where undefined, as in `km_quantile`.
  std::vector<double> minutes, low, high;  ///< minutes
  /// @}

  /// Number of rows (groups × probabilities).
  [[nodiscard]] std::size_t size() const noexcept { return group.size(); }
};

/// `km_quantile` of every group's curve at each probability in `p` (each in
/// (0, 1)): the quartiles of time-to-calm with the interval of each, decided
/// exactly as the median is. The interval's level is the one the curves were
/// computed with. p = 0.5 gives the summary's median and interval.
///
/// Example
/// ```cpp
/// auto curves = calmkit::metrics::km_curves(cohort, episodes);
/// std::vector<double> quartiles{0.25, 0.5, 0.75};
/// auto q = calmkit::metrics::km_quantiles(curves, quartiles);  // 3 rows per group
/// ```
/// @throws std::invalid_argument unless every p is in (0, 1).
[[nodiscard]] inline QuantileTable km_quantiles(const GroupedCurves& curves, std::span<const double> p) {
  for (const double x : p) {
    if (!(x > 0.0 && x < 1.0))
      calmkit::detail::throw_invalid("km_quantiles: every p must be in (0, 1), got " + std::to_string(x));
  }
  QuantileTable out;
  const auto& st = curves.steps;
  KaplanMeier km;
  for (std::size_t begin = 0; begin < curves.group.size();) {
    std::size_t end = begin;
    while (end < curves.group.size() && curves.group[end] == curves.group[begin]) ++end;
    auto slice = [begin, end](auto& dst, const auto& src) {
      dst.assign(src.begin() + static_cast<std::ptrdiff_t>(begin),
                 src.begin() + static_cast<std::ptrdiff_t>(end));
    };
    slice(km.time, st.time);
    slice(km.at_risk, st.at_risk);
    slice(km.events, st.events);
    slice(km.censored, st.censored);
    slice(km.survival, st.survival);
    slice(km.low, st.low);
    slice(km.high, st.high);
    for (const double x : p) {
      const auto q = km_quantile(km, x);
      out.group.push_back(curves.group[begin]);
      out.p.push_back(x);
      out.minutes.push_back(q.median);
      out.low.push_back(q.low);
      out.high.push_back(q.high);
    }
    begin = end;
  }
  return out;
}

}  // namespace calmkit::metrics
