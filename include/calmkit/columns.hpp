/// @file columns.hpp
/// @brief The columnar form of records: one array per field, one row per
/// record, participants and trigger links as integer codes. A `Journal` keeps
/// its records in these arrays, and every metric reads them.
///
/// These are plain data at the model level (no metric is defined here): the
/// checks, the sort for arrays filled by hand (`prepare`) and the metrics live
/// in `calmkit/metrics/columns.hpp` and above, which re-export these names in
/// `calmkit::metrics`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace calmkit {

class Journal;

namespace detail {
/// What the metrics derive from a journal's columns and share between calls
/// (the episode table, which time-to-calm, its summary, the curves and the
/// trends all start from), kept until the journal changes. The model layer
/// keeps the results without knowing their type: the metrics layer names it
/// (`make()`'s result), so nothing here depends on a header above the model.
///
/// The journal keys it to its revision on every change (`key`), which drops
/// every kept result; columns that are no journal's (a `Cohort` filled by the
/// caller, a copy of a journal's columns) are never keyed and keep nothing, so
/// a change the cache cannot see never meets a stale result. A copy or a move
/// starts empty and unkeyed. Safe for concurrent readers (one mutex); a change
/// to the journal must not overlap a read, as for its columns themselves.
class DerivedCache {
 public:
  /// Empty and unkeyed: keeps nothing until keyed.
  DerivedCache() = default;
  /// Empty and unkeyed (the copied columns may be changed by their new owner).
  DerivedCache(const DerivedCache& /*unused*/) noexcept {}
  /// Empty and unkeyed, as a copy.
  DerivedCache(DerivedCache&& /*unused*/) noexcept {}
  /// Drops everything kept and unkeys (the columns were replaced).
  DerivedCache& operator=(const DerivedCache& o) noexcept {
    if (this != &o) key(0);
    return *this;
  }
  /// Drops everything kept and unkeys, as a copy assignment.
  DerivedCache& operator=(DerivedCache&& o) noexcept {
    if (this != &o) key(0);
    return *this;
  }
  /// Frees what is kept (tables already handed out live on with their holders).
  ~DerivedCache() = default;

  /// Keys the cache to one state of the columns (a journal's revision, >= 1),
  /// dropping every result kept for another; 0 keeps nothing from now on.
  void key(std::uint64_t state) noexcept {
    const std::lock_guard lock(mutex_);
    if (state == state_) return;
    state_ = state;
    episodes_.clear();
  }

  /// The episode table for (`threshold`, `window_us`): the kept one, else
  /// `make()`'s (a `std::shared_ptr<const T>`), kept while the columns stay in
  /// this state. Concurrent callers with the same parameters wait for one
  /// `make()`.
  template <class Make>
  auto episode_table(int threshold, std::int64_t window_us, Make&& make) -> decltype(make()) {
    using Table = typename decltype(make())::element_type;
    std::unique_lock lock(mutex_);
    if (state_ == 0) {
      lock.unlock();
      return make();
    }
    for (const auto& e : episodes_)
      if (e.threshold == threshold && e.window_us == window_us)
        return std::static_pointer_cast<Table>(e.table);
    auto table = make();
    if (episodes_.size() == max_kept) episodes_.erase(episodes_.begin());
    episodes_.push_back({threshold, window_us, table});
    return table;
  }

 private:
  /// Parameter sets kept at once (the oldest goes first).
  static constexpr std::size_t max_kept = 4;
  struct Entry {
    int threshold;
    std::int64_t window_us;
    std::shared_ptr<const void> table;  // the one type the metrics layer keeps here
  };
  std::mutex mutex_;
  std::uint64_t state_ = 0;  ///< the journal revision the results belong to; 0: keep none
  std::vector<Entry> episodes_;
};
}  // namespace detail

/// Trigger link meaning "not linked to any trigger".
inline constexpr std::int32_t no_trigger = -1;
/// Rating meaning "not recorded" (intensities 0–10, percentages 0–100).
inline constexpr std::int16_t no_rating = -1;

/// A column of text: row i is `arena[offset[i], offset[i] + length[i])`.
///
/// The arena only grows: a row inserted in the middle appends its bytes and
/// inserts only its (offset, length), so the bytes already stored never move.
/// An empty string is length 0 (absent optional text is stored as "").
///
/// Example
/// ```cpp
/// calmkit::TextColumn ids;
/// ids.push_back("t1");
/// ids[0];  // "t1" (a std::string_view into the arena)
/// ```
struct TextColumn {
  std::string arena;                  ///< the bytes of every row, in the order they were added
  std::vector<std::uint64_t> offset;  ///< row → first byte in `arena`
  std::vector<std::uint32_t> length;  ///< row → number of bytes

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return offset.size(); }
  /// Whether there are no rows.
  [[nodiscard]] bool empty() const noexcept { return offset.empty(); }
  /// The text of row `i` (`i < size()`), valid until the next change.
  [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
    return {arena.data() + offset[i], length[i]};
  }
  /// Appends a row. Amortized O(length of `s`).
  void push_back(std::string_view s) {
    offset.push_back(arena.size());
    length.push_back(static_cast<std::uint32_t>(s.size()));
    // Most optional texts are absent (""): no call into the string for them.
    if (!s.empty()) arena.append(s);
  }
  /// Every row as a `std::string`, in row order (a copy).
  [[nodiscard]] std::vector<std::string> strings() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
    return out;
  }
  /// Removes every row.
  void clear() noexcept {
    arena.clear();
    offset.clear();
    length.clear();
  }
  /// Two columns are equal when their rows hold the same text (the arenas may differ).
  friend bool operator==(const TextColumn& a, const TextColumn& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
};

/// Triggers, sorted by (participant, time_us). Row i is episode i.
struct TriggerColumns {
  std::vector<std::int32_t> participant;     ///< code into `Cohort::participants`
  std::vector<std::int64_t> time_us;         ///< onset, microseconds since 1970-01-01T00:00Z
  std::vector<std::int16_t> offset_minutes;  ///< UTC offset at onset, minutes [-1439, 1439]
  std::vector<std::int8_t> intensity;        ///< distress at onset, 0–10
  std::vector<std::uint8_t> category;        ///< `TriggerCategory` value, [0, 17]
  std::vector<std::int8_t> acted_on_urge;    ///< 1 acted, 0 did not, -1 not recorded
  std::vector<double> acted_after_minutes;   ///< minutes onset → acting (>= 0), NaN when not recorded

  /// Number of rows (triggers).
  [[nodiscard]] std::size_t size() const noexcept { return time_us.size(); }
};

/// Distress readings, sorted by (participant, time_us).
struct ReadingColumns {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  /// Reading time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> time_us;
  /// UTC offset at the reading, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_minutes;
  std::vector<std::int8_t> intensity;  ///< 0–10
  std::vector<std::int32_t> trigger;   ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (readings).
  [[nodiscard]] std::size_t size() const noexcept { return time_us.size(); }
};

/// Exercise sessions (a journal's are sorted by (participant, start); filled
/// by hand they may be in any order).
struct ExerciseColumns {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  std::vector<std::int64_t> time_us;         ///< `time`
  std::vector<std::int64_t> end_us;          ///< `end`, >= start
  std::vector<std::int16_t> offset_minutes;  ///< offset at start, minutes [-1439, 1439]
  /// Offset at `end`, minutes [-1439, 1439]: the end's local date is read in
  /// it (a session across a midnight DST change, or a flight, ends on a wall
  /// clock of its own). Empty: `offset_minutes` for every row.
  std::vector<std::int16_t> end_offset_minutes;
  std::vector<std::int32_t> exercise;         ///< code into `Cohort::exercise_names`
  std::vector<std::uint8_t> completed;        ///< 1 completed, 0 not
  std::vector<std::int8_t> intensity_before;  ///< 0–10 at start, -1 not recorded
  std::vector<std::int8_t> intensity_after;   ///< 0–10 at end, -1 not recorded
  std::vector<std::int32_t> trigger;          ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (sessions).
  [[nodiscard]] std::size_t size() const noexcept { return time_us.size(); }
};

/// Thought records (a journal's sorted by (participant, time); filled by hand
/// in any order). Distortions are stored compressed-row: record i names
/// `distortions[distortion_offsets[i] .. distortion_offsets[i+1])`.
struct ThoughtColumns {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  /// Record time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> time_us;
  /// UTC offset at the record, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_minutes;
  std::vector<std::int16_t> belief_before;  ///< 0–100 %
  std::vector<std::int16_t> belief_after;   ///< 0–100 %, -1 not recorded
  std::vector<double>
      emotion_change;  ///< mean of (before − after) over emotions rated after, in %-points; NaN if none
  std::vector<std::int32_t> alternatives;        ///< number of alternative thoughts, >= 0
  std::vector<std::int64_t> distortion_offsets;  ///< size() + 1 entries, starts at 0, non-decreasing
  std::vector<std::uint8_t> distortions;         ///< `Distortion` values, [0, 11]
  std::vector<std::int32_t> trigger;             ///< row in `TriggerColumns`, or `no_trigger`

  /// Number of rows (thought records).
  [[nodiscard]] std::size_t size() const noexcept { return time_us.size(); }
};

/// Self-assessments (check-ins, GAD-7, ...). No metric reads their answers;
/// their times belong to the participant's span (the first and last record of
/// any type), over which every per-period table is zero-filled.
struct AssessmentColumns {
  /// Code into `Cohort::participants`.
  std::vector<std::int32_t> participant;
  /// Assessment time, microseconds since 1970-01-01T00:00Z.
  std::vector<std::int64_t> time_us;
  /// UTC offset at the assessment, minutes [-1439, 1439].
  std::vector<std::int16_t> offset_minutes;

  /// Number of rows (assessments).
  [[nodiscard]] std::size_t size() const noexcept { return time_us.size(); }
};

/// A whole cohort as columns: what every metric reads.
///
/// A `Journal` keeps these arrays as its own storage (`Journal::columns()`,
/// no conversion); they can also be filled directly from other columnar data
/// (the Python bindings fill them from NumPy arrays without per-row objects)
/// and then ordered and checked with `prepare()` (calmkit/metrics/columns.hpp).
///
/// Example
/// ```cpp
/// const calmkit::Cohort& cols = journal.columns();
/// auto eps = calmkit::metrics::time_to_calm(cols);   // one row per trigger
/// ```
struct Cohort {
  std::vector<std::string> participants;  ///< code → participant id (a journal's are sorted)
  TextColumn trigger_ids;                 ///< trigger row → trigger id (may be empty: then unnamed)
  /// trigger row → its row in the caller's arrays before `prepare()` sorted
  /// them (filled by `prepare()` when `trigger_ids` is empty, so that results
  /// can be joined back to the input; empty otherwise).
  std::vector<std::int64_t> trigger_source_rows;
  std::vector<std::string> exercise_names;  ///< code → exercise id
  /// Trigger columns; row i is trigger (and episode) i.
  TriggerColumns triggers;
  /// Distress reading columns.
  ReadingColumns readings;
  /// Exercise session columns.
  ExerciseColumns exercises;
  /// Thought record columns.
  ThoughtColumns thoughts;
  /// Self-assessment times (they widen the span only).
  AssessmentColumns assessments;

  /// A copy of `journal.columns()`, for code that wants its own cohort;
  /// metrics take `journal.columns()` directly, without this copy.
  /// Defined in calmkit/metrics/columns.hpp.
  [[nodiscard]] static Cohort from_journal(const Journal& journal);

  /// Sorts triggers and readings by (participant, time_us) when they are not
  /// already (stable, remapping every trigger link), then `check()`s.
  /// Defined in calmkit/metrics/columns.hpp.
  void prepare();

  /// Checks lengths, ranges, trigger links (same participant) and the order
  /// of triggers and readings, and remembers that these arrays passed.
  /// Defined in calmkit/metrics/columns.hpp.
  /// @throws std::invalid_argument naming the table, the row and the field.
  void check() const;

  /// What every metric calls first: `check()` unless these very arrays (same
  /// sizes and buffers) already passed it, so that repeated metrics on a
  /// prepared cohort cost nothing extra and broken columns never index out of
  /// bounds. (Values changed in place after a check are the caller's to
  /// re-check.) A journal's columns count as checked after every change: its
  /// own rules keep them valid.
  void ensure_checked() const {
    if (checked_stamp_ == 0 || checked_stamp_ != stamp()) check();
  }

  /// Sizes and buffer addresses of every array, hashed (internal).
  [[nodiscard]] std::size_t stamp() const noexcept;

  mutable std::size_t checked_stamp_ = 0;  ///< internal: `stamp()` at the last passed `check()`
  /// internal: results derived from these columns, kept by a journal between
  /// its changes (empty in every other cohort and in a copy).
  mutable detail::DerivedCache derived_;
};

inline std::size_t Cohort::stamp() const noexcept {
  // FNV-1a over 64 bits on every target (size_t is 32 bits in wasm32), folded
  // into size_t at the end so the upper half still counts there.
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](const auto& v) {
    h = (h ^ v.size()) * 1099511628211ULL;
    h = (h ^ reinterpret_cast<std::uintptr_t>(v.data())) * 1099511628211ULL;
  };
  mix(participants);
  mix(trigger_ids.offset);
  mix(trigger_ids.length);
  mix(trigger_source_rows);
  mix(exercise_names);
  const auto& t = triggers;
  mix(t.participant), mix(t.time_us), mix(t.offset_minutes), mix(t.intensity), mix(t.category),
      mix(t.acted_on_urge), mix(t.acted_after_minutes);
  const auto& r = readings;
  mix(r.participant), mix(r.time_us), mix(r.offset_minutes), mix(r.intensity), mix(r.trigger);
  const auto& e = exercises;
  mix(e.participant), mix(e.time_us), mix(e.end_us), mix(e.offset_minutes), mix(e.end_offset_minutes),
      mix(e.exercise), mix(e.completed), mix(e.intensity_before), mix(e.intensity_after), mix(e.trigger);
  const auto& th = thoughts;
  mix(th.participant), mix(th.time_us), mix(th.offset_minutes), mix(th.belief_before), mix(th.belief_after),
      mix(th.emotion_change), mix(th.alternatives), mix(th.distortion_offsets), mix(th.distortions),
      mix(th.trigger);
  mix(assessments.participant), mix(assessments.time_us), mix(assessments.offset_minutes);
  const auto folded = static_cast<std::size_t>(h ^ (h >> 32U));
  return folded == 0 ? 1 : folded;
}

/// Deprecated spelling of `Cohort` (one name per concept: Python's `calmkit.Cohort`).
using CohortColumns [[deprecated("use calmkit::Cohort")]] = Cohort;

}  // namespace calmkit
