/// @file journal.hpp
/// @brief `Journal`: the records of one person or of a whole cohort, ordered,
/// checked and stored as columns, with per-participant and time-range views;
/// `JournalBuilder`, which readers fill.
#pragma once

#include <calmkit/columns.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/model.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#if __has_include(<ranges>)
#include <ranges>
#endif
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace calmkit {

/// All records of a journal as values, grouped by type, in no particular
/// order. The input of `Journal`'s constructor and the output of
/// `Journal::records` / `Journal::release` (the slow path: one allocation per
/// string and list; readers fill a `JournalBuilder` instead).
struct RecordSet {
  /// Trigger records.
  std::vector<Trigger> triggers;
  /// Distress readings.
  std::vector<Reading> readings;
  /// Exercise sessions.
  std::vector<ExerciseSession> exercises;
  /// CBT thought records.
  std::vector<ThoughtRecord> thought_records;
  /// Questionnaire answers.
  std::vector<Assessment> assessments;

  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const noexcept {
    return triggers.size() + readings.size() + exercises.size() + thought_records.size() + assessments.size();
  }
};

namespace detail {
/// Tag for the trusted constructor used by readers that have already checked
/// every rule (and reported problems with line numbers).
struct trusted_t {
  explicit trusted_t() = default;
};
inline constexpr trusted_t trusted{};

template <class R>
bool record_less(const R& a, const R& b) {
  return std::tie(a.participant, a.time, a.id) < std::tie(b.participant, b.time, b.id);
}

/// Orders `v` by (participant, time, id) as `std::stable_sort` with
/// `record_less` would (ties keep their input order), without moving records
/// around while sorting: records are large and a merge sort moves each about
/// log2(n) times. Participants are ranked once, then small keys (rank, UTC
/// microseconds, offset, input position) are sorted (ids are compared only
/// where rank and time tie), and each record is moved once, in place, along
/// the cycles of the permutation.
template <class R>
void sort_records(std::vector<R>& v) {
  if (std::is_sorted(v.begin(), v.end(), record_less<R>)) return;
  const std::size_t n = v.size();
  // Participant -> rank in sorted order.
  std::unordered_map<std::string_view, std::uint32_t> code;
  std::vector<std::string_view> names;
  std::vector<std::uint32_t> of(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [it, fresh] = code.try_emplace(v[i].participant, static_cast<std::uint32_t>(names.size()));
    if (fresh) names.emplace_back(v[i].participant);
    of[i] = it->second;
  }
  std::vector<std::uint32_t> by_name(names.size());
  for (std::uint32_t c = 0; c < by_name.size(); ++c) by_name[c] = c;
  std::sort(by_name.begin(), by_name.end(),
            [&names](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
  std::vector<std::uint32_t> rank(names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;

  struct Key {
    std::int64_t utc_us;
    std::uint32_t rank;
    std::int32_t offset_min;
    std::size_t index;
  };
  std::vector<Key> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = Key{v[i].time.utc_micros(), rank[of[i]], v[i].time.offset().minutes(), i};
  }
  of = {};
  std::sort(keys.begin(), keys.end(), [&v](const Key& a, const Key& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.utc_us != b.utc_us) return a.utc_us < b.utc_us;
    if (a.offset_min != b.offset_min) return a.offset_min < b.offset_min;
    if (const int c = v[a.index].id.compare(v[b.index].id); c != 0) return c < 0;
    return a.index < b.index;  // equal keys keep their input order
  });
  // from[j]: the input position of the record that belongs at j.
  std::vector<std::size_t> from(n);
  for (std::size_t j = 0; j < n; ++j) from[j] = keys[j].index;
  keys = {};
  for (std::size_t i = 0; i < n; ++i) {
    if (from[i] == i) continue;
    R held = std::move(v[i]);
    std::size_t j = i;
    while (from[j] != i) {
      const std::size_t k = from[j];
      v[j] = std::move(v[k]);
      from[j] = j;
      j = k;
    }
    v[j] = std::move(held);
    from[j] = j;
  }
}

/// A stamp naming one state of a journal's contents: every change takes a new
/// value from one process-wide counter, so two journals share a stamp only if
/// one is a copy of the other with nothing changed since. A copy keeps the
/// stamp; the source of a move gets a new one (it is emptied).
class Revision {
 public:
  Revision() noexcept : v_(next()) {}
  Revision(const Revision&) noexcept = default;
  Revision& operator=(const Revision&) noexcept = default;
  Revision(Revision&& o) noexcept : v_(o.v_) { o.v_ = next(); }
  Revision& operator=(Revision&& o) noexcept {
    if (this != &o) {
      v_ = o.v_;
      o.v_ = next();
    }
    return *this;
  }
  ~Revision() = default;

  /// Marks a change: a stamp no state had before.
  void bump() noexcept { v_ = next(); }
  /// The current stamp, >= 1.
  [[nodiscard]] std::uint64_t value() const noexcept { return v_; }

 private:
  static std::uint64_t next() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  std::uint64_t v_;
};

/// Key for uniqueness: participant and id, separated by a byte no id holds.
inline std::string scoped_key(std::string_view participant, std::string_view id) {
  std::string k;
  k.reserve(participant.size() + id.size() + 1);
  k += participant;
  k += '\x1f';
  k += id;
  return k;
}
}  // namespace detail

namespace detail {

/// A list of texts per row: row i holds `items[start[i] .. start[i] + count[i])`.
/// Items only grow, so an inserted row moves no text.
struct TextList {
  TextColumn items;                  ///< every item, in the order added
  std::vector<std::uint64_t> start;  ///< row → first item
  std::vector<std::uint32_t> count;  ///< row → number of items

  void push_back(const std::vector<std::string>& v) {
    start.push_back(items.size());
    count.push_back(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) items.push_back(x);
  }
  void load(std::size_t row, std::vector<std::string>& out) const {
    out.resize(count[row]);
    const auto first = static_cast<std::size_t>(start[row]);
    for (std::size_t k = 0; k < out.size(); ++k) out[k].assign(items[first + k]);
  }
};

/// A list of numbers per row, laid out as `TextList`.
template <class T>
struct ListColumn {
  std::vector<T> items;              ///< every item, in the order added
  std::vector<std::uint64_t> start;  ///< row → first item
  std::vector<std::uint32_t> count;  ///< row → number of items

  template <class U>
  void push_back(const std::vector<U>& v) {
    start.push_back(items.size());
    count.push_back(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) items.push_back(static_cast<T>(x));
  }
  template <class U>
  void load(std::size_t row, std::vector<U>& out) const {
    out.resize(count[row]);
    const auto first = static_cast<std::size_t>(start[row]);
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<U>(items[first + k]);
  }
};

/// The emotions of thought records: names as a `TextList`, ratings per item.
struct EmotionList {
  TextList names;                    ///< emotion names, per row
  std::vector<std::int16_t> before;  ///< per item, 0–100 %
  std::vector<std::int16_t> after;   ///< per item, 0–100 %, `no_rating` when not re-rated
};

// Operations on one column of any kind, used through the per-type visitors:
// `rotate_in` moves the last row to `row`, `gather` reorders rows, `append`
// concatenates. Rows of texts and lists are (offset, length) pairs: only
// those move, never the bytes or items they point at.
template <class T>
void rotate_in(std::vector<T>& v, std::size_t row) {
  std::rotate(v.begin() + static_cast<std::ptrdiff_t>(row), v.end() - 1, v.end());
}
inline void rotate_in(TextColumn& c, std::size_t row) {
  rotate_in(c.offset, row);
  rotate_in(c.length, row);
}
inline void rotate_in(TextList& c, std::size_t row) {
  rotate_in(c.start, row);
  rotate_in(c.count, row);
}
template <class T>
void rotate_in(ListColumn<T>& c, std::size_t row) {
  rotate_in(c.start, row);
  rotate_in(c.count, row);
}
inline void rotate_in(EmotionList& c, std::size_t row) {
  rotate_in(c.names, row);
}

template <class T>
void gather(std::vector<T>& v, const std::vector<std::uint32_t>& perm) {
  std::vector<T> out(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) out[i] = v[perm[i]];
  v = std::move(out);
}
inline void gather(TextColumn& c, const std::vector<std::uint32_t>& perm) {
  gather(c.offset, perm);
  gather(c.length, perm);
}
inline void gather(TextList& c, const std::vector<std::uint32_t>& perm) {
  gather(c.start, perm);
  gather(c.count, perm);
}
template <class T>
void gather(ListColumn<T>& c, const std::vector<std::uint32_t>& perm) {
  gather(c.start, perm);
  gather(c.count, perm);
}
inline void gather(EmotionList& c, const std::vector<std::uint32_t>& perm) {
  gather(c.names, perm);
}

template <class T>
void append(std::vector<T>& a, std::vector<T>& b) {
  if (a.empty()) {
    a = std::move(b);
  } else {
    a.insert(a.end(), b.begin(), b.end());
  }
}
inline void append(TextColumn& a, TextColumn& b) {
  const std::uint64_t shift = a.arena.size();
  for (auto& o : b.offset) o += shift;
  append(a.offset, b.offset);
  append(a.length, b.length);
  a.arena += b.arena;
}
inline void append(TextList& a, TextList& b) {
  const std::uint64_t shift = a.items.size();
  for (auto& o : b.start) o += shift;
  append(a.start, b.start);
  append(a.count, b.count);
  append(a.items, b.items);
}
template <class T>
void append(ListColumn<T>& a, ListColumn<T>& b) {
  const std::uint64_t shift = a.items.size();
  for (auto& o : b.start) o += shift;
  append(a.start, b.start);
  append(a.count, b.count);
  append(a.items, b.items);
}
inline void append(EmotionList& a, EmotionList& b) {
  append(a.names, b.names);
  append(a.before, b.before);
  append(a.after, b.after);
}

/// The trigger fields no metric reads (id is `CohortColumns::trigger_ids`).
struct TriggerText {
  TextColumn context, urge, response;
  TextList thoughts, sensations, tags;
};
/// The reading fields no metric reads.
struct ReadingText {
  TextColumn id, note;
};
/// The exercise fields no metric reads.
struct ExerciseText {
  TextColumn id;
  TextList responses;
};
/// The thought record fields no metric reads.
struct ThoughtText {
  TextColumn id, situation, automatic_thought, friend_advice, balanced_thought;
  EmotionList emotions;
  TextList evidence_for, evidence_against, alternatives;
};
/// The assessment fields no metric reads.
struct AssessmentText {
  TextColumn id, note;
  std::vector<std::int32_t> instrument;  ///< code into `Tables::instruments`
  ListColumn<std::int32_t> answers;
};

/// Everything a journal stores: the metric columns and the rest.
struct Tables {
  CohortColumns c;
  TriggerText tr;
  ReadingText re;
  ExerciseText ex;
  ThoughtText th;
  AssessmentText as;
  std::vector<std::string> instruments;  ///< code → instrument id

  Tables() { c.thoughts.distortion_offsets = {0}; }
};

/// Calls `f` with the same per-row column of each of `s...` (one or two
/// tables), for every per-row column of record type R. The distortions of
/// thought records (compressed rows) are not per-row: callers handle them.
template <class R, class F, class... S>
void each_column(F&& f, S&... s) {
  if constexpr (std::is_same_v<R, Trigger>) {
    f(s.c.triggers.participant...);
    f(s.c.triggers.utc_us...);
    f(s.c.triggers.offset_min...);
    f(s.c.triggers.intensity...);
    f(s.c.triggers.category...);
    f(s.c.triggers.acted_on_urge...);
    f(s.c.triggers.acted_after_minutes...);
    f(s.c.trigger_ids...);
    f(s.tr.context...);
    f(s.tr.urge...);
    f(s.tr.response...);
    f(s.tr.thoughts...);
    f(s.tr.sensations...);
    f(s.tr.tags...);
  } else if constexpr (std::is_same_v<R, Reading>) {
    f(s.c.readings.participant...);
    f(s.c.readings.utc_us...);
    f(s.c.readings.offset_min...);
    f(s.c.readings.intensity...);
    f(s.c.readings.trigger...);
    f(s.re.id...);
    f(s.re.note...);
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    f(s.c.exercises.participant...);
    f(s.c.exercises.start_us...);
    f(s.c.exercises.end_us...);
    f(s.c.exercises.offset_min...);
    f(s.c.exercises.exercise...);
    f(s.c.exercises.completed...);
    f(s.c.exercises.intensity_before...);
    f(s.c.exercises.intensity_after...);
    f(s.c.exercises.trigger...);
    f(s.ex.id...);
    f(s.c.exercises.end_offset_min...);
    f(s.ex.responses...);
  } else if constexpr (std::is_same_v<R, ThoughtRecord>) {
    f(s.c.thoughts.participant...);
    f(s.c.thoughts.utc_us...);
    f(s.c.thoughts.offset_min...);
    f(s.c.thoughts.belief_before...);
    f(s.c.thoughts.belief_after...);
    f(s.c.thoughts.emotion_change...);
    f(s.c.thoughts.alternatives...);
    f(s.c.thoughts.trigger...);
    f(s.th.id...);
    f(s.th.situation...);
    f(s.th.automatic_thought...);
    f(s.th.friend_advice...);
    f(s.th.balanced_thought...);
    f(s.th.emotions...);
    f(s.th.evidence_for...);
    f(s.th.evidence_against...);
    f(s.th.alternatives...);
  } else {
    f(s.c.assessments.participant...);
    f(s.c.assessments.utc_us...);
    f(s.c.assessments.offset_min...);
    f(s.as.id...);
    f(s.as.instrument...);
    f(s.as.answers...);
    f(s.as.note...);
  }
}

/// The participant, time and trigger-link columns of record type R in `c`.
template <class R>
auto& participant_column(CohortColumns& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.participant;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.participant;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.participant;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.participant;
  else
    return c.assessments.participant;
}
template <class R>
const auto& participant_column(const CohortColumns& c) {
  return participant_column<R>(const_cast<CohortColumns&>(c));
}
template <class R>
const std::vector<std::int64_t>& utc_column(const CohortColumns& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.utc_us;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.utc_us;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.start_us;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.utc_us;
  else
    return c.assessments.utc_us;
}
template <class R>
const std::vector<std::int16_t>& offset_column(const CohortColumns& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.offset_min;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.offset_min;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.offset_min;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.offset_min;
  else
    return c.assessments.offset_min;
}
/// The id column of record type R.
template <class R>
const TextColumn& id_column(const Tables& s) {
  if constexpr (std::is_same_v<R, Trigger>)
    return s.c.trigger_ids;
  else if constexpr (std::is_same_v<R, Reading>)
    return s.re.id;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return s.ex.id;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return s.th.id;
  else
    return s.as.id;
}
/// The trigger-link column (rows into the triggers) of a linking record type.
template <class R>
std::vector<std::int32_t>& link_column(CohortColumns& c) {
  if constexpr (std::is_same_v<R, Reading>)
    return c.readings.trigger;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.trigger;
  else
    return c.thoughts.trigger;
}
template <class R>
inline constexpr bool has_link =
    std::is_same_v<R, Reading> || std::is_same_v<R, ExerciseSession> || std::is_same_v<R, ThoughtRecord>;
template <class R>
inline constexpr std::size_t type_index = std::is_same_v<R, Trigger>           ? 0
                                          : std::is_same_v<R, Reading>         ? 1
                                          : std::is_same_v<R, ExerciseSession> ? 2
                                          : std::is_same_v<R, ThoughtRecord>   ? 3
                                                                               : 4;

/// Number of rows of record type R.
template <class R>
std::size_t rows_of(const Tables& s) noexcept {
  return utc_column<R>(s.c).size();
}

/// The code of `name` in a small dictionary, appended when new (exercise ids
/// and instruments: a few dozen names, so a linear search).
inline std::int32_t small_code(std::vector<std::string>& names, std::string_view name) {
  for (std::size_t i = names.size(); i-- > 0;) {
    if (names[i] == name) return static_cast<std::int32_t>(i);
  }
  names.emplace_back(name);
  return static_cast<std::int32_t>(names.size() - 1);
}

/// Appends the fields of `r` as a new last row (participant code `p`; the
/// trigger link column gets `link`). Exercise and instrument codes come from
/// `exercise` / `instrument`.
inline void put(Tables& s, const Trigger& t, std::int32_t p) {
  auto& c = s.c.triggers;
  c.participant.push_back(p);
  c.utc_us.push_back(t.time.utc_micros());
  c.offset_min.push_back(static_cast<std::int16_t>(t.time.offset().minutes()));
  c.intensity.push_back(static_cast<std::int8_t>(t.intensity.value()));
  c.category.push_back(static_cast<std::uint8_t>(t.category));
  c.acted_on_urge.push_back(t.acted_on_urge ? static_cast<std::int8_t>(*t.acted_on_urge ? 1 : 0)
                                            : std::int8_t{-1});
  c.acted_after_minutes.push_back(t.acted_after_minutes ? t.acted_after_minutes->value()
                                                        : std::numeric_limits<double>::quiet_NaN());
  s.c.trigger_ids.push_back(t.id);
  s.tr.context.push_back(t.context);
  s.tr.urge.push_back(t.urge);
  s.tr.response.push_back(t.response);
  s.tr.thoughts.push_back(t.thoughts);
  s.tr.sensations.push_back(t.sensations);
  s.tr.tags.push_back(t.tags);
}
inline void put(Tables& s, const Reading& r, std::int32_t p, std::int32_t link) {
  auto& c = s.c.readings;
  c.participant.push_back(p);
  c.utc_us.push_back(r.time.utc_micros());
  c.offset_min.push_back(static_cast<std::int16_t>(r.time.offset().minutes()));
  c.intensity.push_back(static_cast<std::int8_t>(r.intensity.value()));
  c.trigger.push_back(link);
  s.re.id.push_back(r.id);
  s.re.note.push_back(r.note);
}
inline void put(Tables& s, const ExerciseSession& e, std::int32_t p, std::int32_t link,
                std::int32_t exercise) {
  auto& c = s.c.exercises;
  c.participant.push_back(p);
  c.start_us.push_back(e.time.utc_micros());
  c.end_us.push_back(e.end.utc_micros());
  c.offset_min.push_back(static_cast<std::int16_t>(e.time.offset().minutes()));
  c.exercise.push_back(exercise);
  c.completed.push_back(e.completed ? 1 : 0);
  c.intensity_before.push_back(e.intensity_before ? static_cast<std::int8_t>(e.intensity_before->value())
                                                  : std::int8_t{-1});
  c.intensity_after.push_back(e.intensity_after ? static_cast<std::int8_t>(e.intensity_after->value())
                                                : std::int8_t{-1});
  c.trigger.push_back(link);
  s.ex.id.push_back(e.id);
  c.end_offset_min.push_back(static_cast<std::int16_t>(e.end.offset().minutes()));
  s.ex.responses.push_back(e.responses);
}
inline void put(Tables& s, const ThoughtRecord& t, std::int32_t p, std::int32_t link) {
  auto& c = s.c.thoughts;
  c.participant.push_back(p);
  c.utc_us.push_back(t.time.utc_micros());
  c.offset_min.push_back(static_cast<std::int16_t>(t.time.offset().minutes()));
  c.belief_before.push_back(static_cast<std::int16_t>(t.belief_before.value()));
  c.belief_after.push_back(t.belief_after ? static_cast<std::int16_t>(t.belief_after->value()) : no_rating);
  double sum = 0;
  int n = 0;
  auto& em = s.th.emotions;
  em.names.start.push_back(em.names.items.size());
  em.names.count.push_back(static_cast<std::uint32_t>(t.emotions.size()));
  for (const auto& e : t.emotions) {
    em.names.items.push_back(e.name);
    em.before.push_back(static_cast<std::int16_t>(e.before.value()));
    em.after.push_back(e.after ? static_cast<std::int16_t>(e.after->value()) : no_rating);
    if (e.after) {
      sum += e.before.value() - e.after->value();
      ++n;
    }
  }
  c.emotion_change.push_back(n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN());
  c.alternatives.push_back(static_cast<std::int32_t>(t.alternatives.size()));
  for (auto d : t.distortions) c.distortions.push_back(static_cast<std::uint8_t>(d));
  c.distortion_offsets.push_back(static_cast<std::int64_t>(c.distortions.size()));
  c.trigger.push_back(link);
  s.th.id.push_back(t.id);
  s.th.situation.push_back(t.situation);
  s.th.automatic_thought.push_back(t.automatic_thought);
  s.th.friend_advice.push_back(t.friend_advice);
  s.th.balanced_thought.push_back(t.balanced_thought);
  s.th.evidence_for.push_back(t.evidence_for);
  s.th.evidence_against.push_back(t.evidence_against);
  s.th.alternatives.push_back(t.alternatives);
}
inline void put(Tables& s, const Assessment& a, std::int32_t p, std::int32_t instrument) {
  auto& c = s.c.assessments;
  c.participant.push_back(p);
  c.utc_us.push_back(a.time.utc_micros());
  c.offset_min.push_back(static_cast<std::int16_t>(a.time.offset().minutes()));
  s.as.id.push_back(a.id);
  s.as.instrument.push_back(instrument);
  s.as.answers.push_back(a.answers);
  s.as.note.push_back(a.note);
}

/// Moves the last row of type R to `row` (0 <= row < rows).
template <class R>
void move_last_to(Tables& s, std::size_t row) {
  each_column<R>([row](auto& col) { rotate_in(col, row); }, s);
  if constexpr (std::is_same_v<R, ThoughtRecord>) {
    auto& o = s.c.thoughts.distortion_offsets;
    auto& d = s.c.thoughts.distortions;
    const std::int64_t k = o.back() - o[o.size() - 2];
    o.pop_back();
    std::rotate(d.begin() + static_cast<std::ptrdiff_t>(o[row]), d.end() - static_cast<std::ptrdiff_t>(k),
                d.end());
    const std::int64_t at = o[row] + k;
    o.insert(o.begin() + static_cast<std::ptrdiff_t>(row) + 1, at);
    for (std::size_t i = row + 2; i < o.size(); ++i) o[i] += k;
  }
}

/// Reorders the rows of type R: new row i is old row `perm[i]`.
template <class R>
void gather_rows(Tables& s, const std::vector<std::uint32_t>& perm) {
  each_column<R>([&perm](auto& col) { gather(col, perm); }, s);
  if constexpr (std::is_same_v<R, ThoughtRecord>) {
    auto& o = s.c.thoughts.distortion_offsets;
    auto& d = s.c.thoughts.distortions;
    std::vector<std::int64_t> no(perm.size() + 1, 0);
    std::vector<std::uint8_t> nd;
    nd.reserve(d.size());
    for (std::size_t i = 0; i < perm.size(); ++i) {
      nd.insert(nd.end(), d.begin() + static_cast<std::ptrdiff_t>(o[perm[i]]),
                d.begin() + static_cast<std::ptrdiff_t>(o[perm[i] + 1]));
      no[i + 1] = static_cast<std::int64_t>(nd.size());
    }
    o = std::move(no);
    d = std::move(nd);
  }
}

/// Appends every row of type R of `b` to `a` (codes are left as they are).
template <class R>
void append_rows(Tables& a, Tables& b) {
  each_column<R>([](auto& x, auto& y) { append(x, y); }, a, b);
  if constexpr (std::is_same_v<R, ThoughtRecord>) {
    auto& o = a.c.thoughts.distortion_offsets;
    const std::int64_t shift = o.back();
    const auto& bo = b.c.thoughts.distortion_offsets;
    for (std::size_t i = 1; i < bo.size(); ++i) o.push_back(bo[i] + shift);
    append(a.c.thoughts.distortions, b.c.thoughts.distortions);
  }
}

inline Instant instant_at(std::int64_t utc_us, std::int16_t offset_min) {
  return Instant::from_utc_micros(utc_us, UtcOffset::make(offset_min).value_or(UtcOffset{}));
}

/// Fills `out` with row `i` of the triggers (reusing its strings' capacity).
inline void load(const Tables& s, std::size_t i, Trigger& out) {
  const auto& c = s.c.triggers;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.c.trigger_ids[i]);
  out.time = instant_at(c.utc_us[i], c.offset_min[i]);
  out.category = static_cast<TriggerCategory>(c.category[i]);
  out.intensity = *Intensity::make(c.intensity[i]);
  out.context.assign(s.tr.context[i]);
  s.tr.thoughts.load(i, out.thoughts);
  s.tr.sensations.load(i, out.sensations);
  out.urge.assign(s.tr.urge[i]);
  out.acted_on_urge = c.acted_on_urge[i] < 0 ? std::nullopt : std::optional<bool>(c.acted_on_urge[i] == 1);
  // NaN: not recorded (Minutes::make refuses it); every other value passed the rule when added.
  out.acted_after_minutes = Minutes::make(c.acted_after_minutes[i]);
  out.response.assign(s.tr.response[i]);
  s.tr.tags.load(i, out.tags);
}
inline void load_link(const Tables& s, std::int32_t link, std::string& out) {
  if (link < 0) {
    out.clear();
  } else {
    out.assign(s.c.trigger_ids[static_cast<std::size_t>(link)]);
  }
}
inline void load(const Tables& s, std::size_t i, Reading& out) {
  const auto& c = s.c.readings;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.re.id[i]);
  out.time = instant_at(c.utc_us[i], c.offset_min[i]);
  out.intensity = *Intensity::make(c.intensity[i]);
  load_link(s, c.trigger[i], out.trigger);
  out.note.assign(s.re.note[i]);
}
inline void load(const Tables& s, std::size_t i, ExerciseSession& out) {
  const auto& c = s.c.exercises;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.ex.id[i]);
  out.time = instant_at(c.start_us[i], c.offset_min[i]);
  out.end = instant_at(c.end_us[i], s.c.exercises.end_offset_min[i]);
  out.exercise.assign(s.c.exercise_names[static_cast<std::size_t>(c.exercise[i])]);
  out.completed = c.completed[i] != 0;
  out.intensity_before = c.intensity_before[i] < 0 ? std::nullopt : Intensity::make(c.intensity_before[i]);
  out.intensity_after = c.intensity_after[i] < 0 ? std::nullopt : Intensity::make(c.intensity_after[i]);
  load_link(s, c.trigger[i], out.trigger);
  s.ex.responses.load(i, out.responses);
}
inline void load(const Tables& s, std::size_t i, ThoughtRecord& out) {
  const auto& c = s.c.thoughts;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.th.id[i]);
  out.time = instant_at(c.utc_us[i], c.offset_min[i]);
  out.situation.assign(s.th.situation[i]);
  out.automatic_thought.assign(s.th.automatic_thought[i]);
  out.belief_before = *Percent::make(c.belief_before[i]);
  const auto& em = s.th.emotions;
  out.emotions.resize(em.names.count[i]);
  for (std::size_t k = 0; k < out.emotions.size(); ++k) {
    const std::size_t item = static_cast<std::size_t>(em.names.start[i]) + k;
    out.emotions[k].name.assign(em.names.items[item]);
    out.emotions[k].before = *Percent::make(em.before[item]);
    out.emotions[k].after = em.after[item] < 0 ? std::nullopt : Percent::make(em.after[item]);
  }
  out.distortions.clear();
  for (auto k = c.distortion_offsets[i]; k < c.distortion_offsets[i + 1]; ++k) {
    out.distortions.push_back(static_cast<Distortion>(c.distortions[static_cast<std::size_t>(k)]));
  }
  s.th.evidence_for.load(i, out.evidence_for);
  s.th.evidence_against.load(i, out.evidence_against);
  s.th.alternatives.load(i, out.alternatives);
  out.friend_advice.assign(s.th.friend_advice[i]);
  out.balanced_thought.assign(s.th.balanced_thought[i]);
  out.belief_after = c.belief_after[i] < 0 ? std::nullopt : Percent::make(c.belief_after[i]);
  load_link(s, c.trigger[i], out.trigger);
}
inline void load(const Tables& s, std::size_t i, Assessment& out) {
  const auto& c = s.c.assessments;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.as.id[i]);
  out.time = instant_at(c.utc_us[i], c.offset_min[i]);
  out.instrument.assign(s.instruments[static_cast<std::size_t>(s.as.instrument[i])]);
  s.as.answers.load(i, out.answers);
  out.note.assign(s.as.note[i]);
}

/// (participant code, UTC microseconds, offset minutes, id) of row `i`: the
/// order of every record type.
template <class R>
bool row_less(const Tables& s, std::size_t a, std::size_t b) {
  const auto& p = participant_column<R>(s.c);
  if (p[a] != p[b]) return p[a] < p[b];
  const auto& us = utc_column<R>(s.c);
  if (us[a] != us[b]) return us[a] < us[b];
  const auto& off = offset_column<R>(s.c);
  if (off[a] != off[b]) return off[a] < off[b];
  const auto& id = id_column<R>(s);
  return id[a] < id[b];
}

/// Hash of (participant code, trigger id), for resolving trigger links.
struct LinkKeyHash {
  std::size_t operator()(const std::pair<std::int32_t, std::string_view>& k) const noexcept {
    return std::hash<std::string_view>{}(k.second) * 31U + static_cast<std::size_t>(k.first);
  }
};

}  // namespace detail

class JournalBuilder;
class Journal;

/// A random-access range of one record type's rows in a `Journal`: what
/// `Journal::triggers()`, `triggers_of(p)`, `triggers_between(p, from, to)`
/// (and the same for every type) return.
///
/// Reading an element materializes one record *value* from the journal's
/// columns (O(size of the record)); the view holds no records itself, only the
/// journal's address and a row range [`first_row()`, `end_row()`), so it is
/// cheap to copy and is invalidated by any change to the journal (as a
/// `std::span` over a vector would be). Its iterator is a C++20
/// `std::random_access_iterator` whose reference is the value type, so
/// `std::ranges` and range-v3 algorithms and views work on it; code that reads
/// one field of many rows is faster on `Journal::columns()` over the same rows.
///
/// Example
/// ```cpp
/// auto ts = journal.triggers_of("p1");
/// for (const calmkit::Trigger& t : ts) std::cout << t.id << '\n';
/// ts.front().intensity;                 // the participant's first trigger
/// journal.columns().triggers.intensity[ts.first_row()];  // the same, no copy
/// ```
template <class R>
class RecordView {
 public:
  /// Iterates the view's rows; dereferencing yields a record value.
  class iterator {
   public:
    using iterator_concept = std::random_access_iterator_tag;  ///< C++20 category
    using iterator_category = std::input_iterator_tag;         ///< C++17 category (a value reference)
    using value_type = R;                                      ///< the record type
    using difference_type = std::ptrdiff_t;                    ///< row distance
    using reference = R;                                       ///< a materialized value
    using pointer = void;                                      ///< none: elements are values

    iterator() = default;
    /// The record at this row.
    R operator*() const;
    /// Holds the record that `->` reads fields of.
    struct arrow {
      R record;  ///< the materialized record
      /// The held record's address.
      const R* operator->() const noexcept { return &record; }
    };
    /// `it->field`: the field of the record at this row (materialized).
    arrow operator->() const { return arrow{**this}; }
    /// The record `n` rows away.
    R operator[](difference_type n) const { return *(*this + n); }
    /// Moves one row on.
    iterator& operator++() noexcept {
      ++row_;
      return *this;
    }
    /// Moves one row on, returning the old position.
    iterator operator++(int) noexcept {
      auto old = *this;
      ++row_;
      return old;
    }
    /// Moves one row back.
    iterator& operator--() noexcept {
      --row_;
      return *this;
    }
    /// Moves one row back, returning the old position.
    iterator operator--(int) noexcept {
      auto old = *this;
      --row_;
      return old;
    }
    /// Moves `n` rows.
    iterator& operator+=(difference_type n) noexcept {
      row_ = static_cast<std::size_t>(static_cast<difference_type>(row_) + n);
      return *this;
    }
    /// Moves `-n` rows.
    iterator& operator-=(difference_type n) noexcept { return *this += -n; }
    /// `it` moved `n` rows.
    friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
    /// `it` moved `n` rows.
    friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
    /// `it` moved `-n` rows.
    friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
    /// Rows between two iterators of the same view.
    friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
      return static_cast<difference_type>(a.row_) - static_cast<difference_type>(b.row_);
    }
    /// Same position.
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.row_ == b.row_; }
    /// Ordered by row.
    friend std::strong_ordering operator<=>(const iterator& a, const iterator& b) noexcept {
      return a.row_ <=> b.row_;
    }
    /// The journal row this iterator stands at.
    [[nodiscard]] std::size_t row() const noexcept { return row_; }

   private:
    friend class RecordView;
    iterator(const Journal* j, std::size_t row) noexcept : j_(j), row_(row) {}
    const Journal* j_ = nullptr;
    std::size_t row_ = 0;
  };
  /// Same as `iterator`: a view is read-only.
  using const_iterator = iterator;
  /// The record type.
  using value_type = R;
  /// Row count type.
  using size_type = std::size_t;

  RecordView() = default;
  /// Rows [`first`, `end`) of journal `j`.
  RecordView(const Journal& j, std::size_t first, std::size_t end) noexcept
      : j_(&j), first_(first), end_(end) {}

  /// Number of records.
  [[nodiscard]] std::size_t size() const noexcept { return end_ - first_; }
  /// Whether there are none.
  [[nodiscard]] bool empty() const noexcept { return end_ == first_; }
  /// The `i`-th record of the view (no bounds check; `i < size()`).
  [[nodiscard]] R operator[](std::size_t i) const;
  /// The first record (the view must not be empty).
  [[nodiscard]] R front() const { return (*this)[0]; }
  /// The last record (the view must not be empty).
  [[nodiscard]] R back() const { return (*this)[size() - 1]; }
  /// First position.
  [[nodiscard]] iterator begin() const noexcept { return {j_, first_}; }
  /// One past the last position.
  [[nodiscard]] iterator end() const noexcept { return {j_, end_}; }
  /// The journal row of the view's first record: `columns()` arrays of this
  /// type are indexed by `first_row() + i`.
  [[nodiscard]] std::size_t first_row() const noexcept { return first_; }
  /// One past the journal row of the view's last record.
  [[nodiscard]] std::size_t end_row() const noexcept { return end_; }
  /// Every record of the view as a vector (a copy).
  [[nodiscard]] std::vector<R> to_vector() const { return std::vector<R>(begin(), end()); }

 private:
  const Journal* j_ = nullptr;
  std::size_t first_ = 0;
  std::size_t end_ = 0;
};

/// The records of one or many participants, stored as columns.
///
/// Invariants, checked on construction and on every `add` (the rules of
/// validate.hpp, the one copy every entry point runs):
/// - each record passes `calmkit::validate` (non-empty ids of triggers,
///   exercises, thought records and assessments, an exercise's `end` not
///   before its `time`, `acted_after_minutes` finite and >= 0, ...);
/// - ids are unique per participant and type; reading ids, when given, too;
/// - every `trigger` reference names a trigger of the same participant.
/// The answers of an assessment are *not* checked against the instrument here
/// (the journal does not depend on the instrument registry): the JSONL reader,
/// the writer and the store run `calmkit::validate_answers`, and
/// `calmkit::score` checks them again.
///
/// Storage: per record type a struct of arrays (`columns()`): times as UTC
/// microseconds plus the offset in minutes, participants as codes into one
/// sorted dictionary (`columns().participants`), trigger categories as their
/// enum byte, exercise ids and instruments as codes into small dictionaries,
/// trigger links as trigger rows (`no_trigger` = none), free text and lists in
/// arenas. The metrics read these arrays directly: a metric on a journal
/// converts nothing.
///
/// Rows of each type are ordered by (participant, time, id), so per-participant
/// and time-range queries are binary searches. Records are read as values
/// (`trigger(i)`, the views of `triggers()` ...), made on demand.
///
/// Example
/// ```cpp
/// calmkit::Journal j;
/// j.add(calmkit::Trigger{.participant = "p1", .id = "t1",
///                        .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
///                        .category = calmkit::TriggerCategory::delayed_reply,
///                        .intensity = calmkit::Intensity(8)});
/// j.triggers_of("p1").size();  // 1
/// j.trigger(0).id;             // "t1"
/// ```
class Journal {
 public:
  Journal() { restamp(); }
  /// A copy of every record (same revision).
  Journal(const Journal& o) : s_(o.s_), keys_(o.keys_), revision_(o.revision_) { restamp(); }
  /// Takes `o`'s records; `o` is left empty.
  Journal(Journal&& o) noexcept
      : s_(std::exchange(o.s_, detail::Tables{})),
        keys_(std::exchange(o.keys_, Keys{})),
        revision_(std::move(o.revision_)) {
    restamp();
    o.restamp();
  }
  /// Copies `o`'s records (and revision).
  Journal& operator=(const Journal& o) {
    if (this != &o) {
      s_ = o.s_;
      keys_ = o.keys_;
      revision_ = o.revision_;
      restamp();
    }
    return *this;
  }
  /// Takes `o`'s records; `o` is left empty.
  Journal& operator=(Journal&& o) noexcept {
    if (this != &o) {
      s_ = std::exchange(o.s_, detail::Tables{});
      keys_ = std::exchange(o.keys_, Keys{});
      revision_ = std::move(o.revision_);
      restamp();
      o.restamp();
    }
    return *this;
  }
  ~Journal() = default;

  /// Orders and checks `records`.
  /// @throws RecordError (a std::invalid_argument) naming the first broken rule.
  explicit Journal(RecordSet records);

  /// For readers that already enforced every rule: orders (O(n log n), ties
  /// keep their input order), does not check again. The uniqueness index that
  /// `add` needs is built on the first `add`, not here: a journal that is only
  /// read and analysed never pays for it. Materializes nothing: the records
  /// are copied into columns. (Readers should fill a `JournalBuilder`.)
  /// @throws RecordError if a trigger link names no trigger of its participant.
  Journal(const RecordSet& records, detail::trusted_t);

  /// Adds one record in order. Appending in time order is amortized O(1); a
  /// record that belongs before others moves the rows after it (O(rows) of
  /// its type; a trigger also renumbers the links after it, and a new
  /// participant renumbers the participant codes after its name).
  /// @throws RecordError (a std::invalid_argument) if it would break a rule:
  /// one of `calmkit::validate`'s, a duplicate id or a link to a trigger the
  /// participant does not have. The journal is left unchanged.
  void add(const Trigger& t) { admit(t); }
  /// Adds a reading (a non-empty id must be unique; a trigger link must name
  /// one of the participant's triggers). @throws RecordError otherwise.
  void add(const Reading& r) { admit(r); }
  /// Adds an exercise session (`validate`'s rules, a unique id, a valid
  /// trigger link). @throws RecordError otherwise.
  void add(const ExerciseSession& e) { admit(e); }
  /// Adds a thought record (`validate`'s rules, a unique id, a valid trigger
  /// link). @throws RecordError otherwise.
  void add(const ThoughtRecord& t) { admit(t); }
  /// Adds an assessment (`validate`'s rules, a unique id).
  /// @throws RecordError otherwise.
  void add(const Assessment& a) { admit(a); }
  /// Adds a record of any type, as the matching overload does.
  void add(const Record& r) {
    std::visit([this](const auto& x) { add(x); }, r);
  }

  /// All triggers, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Trigger> triggers() const noexcept { return all<Trigger>(); }
  /// All readings, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Reading> readings() const noexcept { return all<Reading>(); }
  /// All exercise sessions, ordered by (participant, time, id).
  [[nodiscard]] RecordView<ExerciseSession> exercises() const noexcept { return all<ExerciseSession>(); }
  /// All thought records, ordered by (participant, time, id).
  [[nodiscard]] RecordView<ThoughtRecord> thought_records() const noexcept { return all<ThoughtRecord>(); }
  /// All assessments, ordered by (participant, time, id).
  [[nodiscard]] RecordView<Assessment> assessments() const noexcept { return all<Assessment>(); }

  /// Triggers of participant `p`, ordered by time (O(log n)).
  [[nodiscard]] RecordView<Trigger> triggers_of(std::string_view p) const { return of<Trigger>(p); }
  /// Readings of participant `p`, ordered by time.
  [[nodiscard]] RecordView<Reading> readings_of(std::string_view p) const { return of<Reading>(p); }
  /// Exercise sessions of participant `p`, ordered by time.
  [[nodiscard]] RecordView<ExerciseSession> exercises_of(std::string_view p) const {
    return of<ExerciseSession>(p);
  }
  /// Thought records of participant `p`, ordered by time.
  [[nodiscard]] RecordView<ThoughtRecord> thought_records_of(std::string_view p) const {
    return of<ThoughtRecord>(p);
  }
  /// Assessments of participant `p`, ordered by time.
  [[nodiscard]] RecordView<Assessment> assessments_of(std::string_view p) const { return of<Assessment>(p); }

  /// Triggers of participant `p` with `from <= time < to` (compared as UTC instants; O(log n)).
  [[nodiscard]] RecordView<Trigger> triggers_between(std::string_view p, Instant from, Instant to) const {
    return between<Trigger>(p, from, to);
  }
  /// Readings of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<Reading> readings_between(std::string_view p, Instant from, Instant to) const {
    return between<Reading>(p, from, to);
  }
  /// Exercise sessions of participant `p` starting at `from <= time < to`.
  [[nodiscard]] RecordView<ExerciseSession> exercises_between(std::string_view p, Instant from,
                                                              Instant to) const {
    return between<ExerciseSession>(p, from, to);
  }
  /// Thought records of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<ThoughtRecord> thought_records_between(std::string_view p, Instant from,
                                                                  Instant to) const {
    return between<ThoughtRecord>(p, from, to);
  }
  /// Assessments of participant `p` with `from <= time < to`.
  [[nodiscard]] RecordView<Assessment> assessments_between(std::string_view p, Instant from,
                                                           Instant to) const {
    return between<Assessment>(p, from, to);
  }

  /// The trigger at `row` (`row < triggers().size()`), as a value.
  [[nodiscard]] Trigger trigger(std::size_t row) const { return record<Trigger>(row); }
  /// The reading at `row`, as a value.
  [[nodiscard]] Reading reading(std::size_t row) const { return record<Reading>(row); }
  /// The exercise session at `row`, as a value.
  [[nodiscard]] ExerciseSession exercise(std::size_t row) const { return record<ExerciseSession>(row); }
  /// The thought record at `row`, as a value.
  [[nodiscard]] ThoughtRecord thought_record(std::size_t row) const { return record<ThoughtRecord>(row); }
  /// The assessment at `row`, as a value.
  [[nodiscard]] Assessment assessment(std::size_t row) const { return record<Assessment>(row); }
  /// The record of type R at `row` (`row < ` the number of R), as a value.
  template <class R>
  [[nodiscard]] R record(std::size_t row) const {
    R out;
    load(row, out);
    return out;
  }
  /// Fills `out` with the record at `row`, reusing its strings' and lists'
  /// capacity: a loop over many rows with one scratch record allocates
  /// (almost) nothing. `row` must be below the number of records of that type.
  template <class R>
  void load(std::size_t row, R& out) const {
    detail::load(s_, row, out);
  }

  /// The trigger with this id, as a value; `std::nullopt` when the
  /// participant has none (O(triggers of the participant)).
  [[nodiscard]] std::optional<Trigger> find_trigger(std::string_view participant, std::string_view id) const {
    if (const auto row = trigger_row(participant, id)) return trigger(*row);
    return std::nullopt;
  }
  /// The row of the trigger with this id; `std::nullopt` when there is none.
  [[nodiscard]] std::optional<std::size_t> trigger_row(std::string_view participant,
                                                       std::string_view id) const {
    const auto v = triggers_of(participant);
    for (std::size_t r = v.first_row(); r < v.end_row(); ++r) {
      if (s_.c.trigger_ids[r] == id) return r;
    }
    return std::nullopt;
  }

  /// Every participant with at least one record, sorted (a copy of
  /// `columns().participants`).
  [[nodiscard]] std::vector<std::string> participants() const { return s_.c.participants; }

  /// The earliest and latest record time of a participant (any type; an
  /// exercise counts with its `end`); `std::nullopt` when they have none.
  [[nodiscard]] std::optional<std::pair<Instant, Instant>> span_of(std::string_view p) const;

  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const noexcept {
    return s_.c.triggers.size() + s_.c.readings.size() + s_.c.exercises.size() + s_.c.thoughts.size() +
           s_.c.assessments.size();
  }
  /// Whether the journal holds no records.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /// The journal's columns: what every metric reads (`calmkit::metrics::*`
  /// take them directly). The reference stays valid, at the same address, for
  /// the journal's life (a move hands the storage to the new journal); its
  /// contents change with `add`. Row i of `columns().triggers` is `trigger(i)`,
  /// and so on for every type; links are trigger rows.
  [[nodiscard]] const CohortColumns& columns() const noexcept { return s_.c; }
  /// Instrument ids, indexed by the instrument codes of the assessments.
  [[nodiscard]] const std::vector<std::string>& instruments() const noexcept { return s_.instruments; }

  /// Every record, as values, grouped by type in journal order. The slow
  /// path (one allocation per string and list): prefer the views or `columns()`.
  [[nodiscard]] RecordSet records() const;
  /// Moves the records out as values (the slow path, as `records()`),
  /// leaving the journal empty.
  [[nodiscard]] RecordSet release() &&;

  /// A stamp of the current contents: it changes with every `add`, `release`
  /// and assignment, and two journals share it only when one is an unchanged
  /// copy of the other. Lets a derived form be cached and rebuilt only after
  /// a change.
  [[nodiscard]] std::uint64_t revision() const noexcept { return revision_.value(); }

  /// Equal when both hold the same records (compared type by type, in order).
  friend bool operator==(const Journal& a, const Journal& b) {
    return a.same<Trigger>(b) && a.same<Reading>(b) && a.same<ExerciseSession>(b) &&
           a.same<ThoughtRecord>(b) && a.same<Assessment>(b);
  }

 private:
  friend class JournalBuilder;

  /// Uniqueness and link indexes, built on the first `add` (keys from
  /// `detail::scoped_key`; for triggers, the trigger's row).
  struct Keys {
    std::unordered_map<std::string, std::int32_t> triggers;
    std::array<std::unordered_set<std::string>, 5> ids;  // by detail::type_index; [0] unused
    bool ready = true;
  };

  explicit Journal(detail::Tables s) : s_(std::move(s)) {
    keys_.ready = size() == 0;
    restamp();
  }

  /// Marks the columns as valid: a journal's rules keep them so.
  void restamp() noexcept { s_.c.checked_stamp_ = s_.c.stamp(); }

  template <class R>
  [[nodiscard]] RecordView<R> all() const noexcept {
    return {*this, 0, detail::rows_of<R>(s_)};
  }
  /// The participant's code, or -1 when they have no record.
  [[nodiscard]] std::int32_t code_of(std::string_view p) const noexcept {
    const auto& ps = s_.c.participants;
    const auto it = std::lower_bound(ps.begin(), ps.end(), p);
    if (it == ps.end() || *it != p) return -1;
    return static_cast<std::int32_t>(it - ps.begin());
  }
  template <class R>
  [[nodiscard]] std::pair<std::size_t, std::size_t> range_of(std::int32_t code) const noexcept {
    const auto& pc = detail::participant_column<R>(s_.c);
    const auto lo = std::lower_bound(pc.begin(), pc.end(), code);
    const auto hi = std::upper_bound(lo, pc.end(), code);
    return {static_cast<std::size_t>(lo - pc.begin()), static_cast<std::size_t>(hi - pc.begin())};
  }
  template <class R>
  [[nodiscard]] RecordView<R> of(std::string_view p) const {
    const auto code = code_of(p);
    if (code < 0) return {*this, 0, 0};
    const auto [lo, hi] = range_of<R>(code);
    return {*this, lo, hi};
  }
  template <class R>
  [[nodiscard]] RecordView<R> between(std::string_view p, Instant from, Instant to) const {
    const auto v = of<R>(p);
    const auto& us = detail::utc_column<R>(s_.c);
    const auto b = us.begin();
    const auto lo = std::lower_bound(b + static_cast<std::ptrdiff_t>(v.first_row()),
                                     b + static_cast<std::ptrdiff_t>(v.end_row()), from.utc_micros());
    const auto hi = std::lower_bound(lo, b + static_cast<std::ptrdiff_t>(v.end_row()), to.utc_micros());
    if (lo >= hi) return {*this, static_cast<std::size_t>(lo - b), static_cast<std::size_t>(lo - b)};
    return {*this, static_cast<std::size_t>(lo - b), static_cast<std::size_t>(hi - b)};
  }
  template <class R>
  [[nodiscard]] bool same(const Journal& o) const {
    const std::size_t n = detail::rows_of<R>(s_);
    if (n != detail::rows_of<R>(o.s_)) return false;
    R a, b;
    for (std::size_t i = 0; i < n; ++i) {
      load(i, a);
      o.load(i, b);
      if (!(a == b)) return false;
    }
    return true;
  }

  /// Checks `r` against every rule (its own, then its trigger link, then its
  /// id's uniqueness); `adding` names the place `cannot add ...`.
  template <class R>
  void check_record(const R& r, const std::unordered_set<std::string>& ids,
                    const std::unordered_map<std::string, std::int32_t>& trigger_keys, bool adding) const {
    const auto refuse = [&](const RuleViolation& v) {
      detail::throw_record((adding ? "cannot add " : "") + describe_record(r), v);
    };
    if (auto v = validate(r)) refuse(*v);
    if constexpr (requires { r.trigger; }) {
      if (!r.trigger.empty() && !trigger_keys.contains(detail::scoped_key(r.participant, r.trigger))) {
        refuse(RuleViolation{"trigger", rules::unknown_trigger(r.participant, r.trigger)});
      }
    }
    const bool seen = std::is_same_v<R, Trigger>
                          ? trigger_keys.contains(detail::scoped_key(r.participant, r.id))
                          : ids.contains(detail::scoped_key(r.participant, r.id));
    if (!r.id.empty() && seen) {
      refuse(RuleViolation{"id", rules::duplicate_id(record_type_of<R>, r.participant, r.id)});
    }
  }

  /// Checks and inserts one record.
  template <class R>
  void admit(const R& r);

  /// Builds the uniqueness and link indexes from the columns.
  void build_keys();

  detail::Tables s_;
  Keys keys_;
  detail::Revision revision_;
};

/// Collects records into columns, then orders them once into a `Journal`:
/// what readers (and anything else that makes a journal from many records)
/// fill.
///
/// `push` copies a record's fields into the builder's columns (texts and lists
/// into arenas), so a caller that reuses one scratch record allocates nothing
/// per record beyond the columns' own amortized growth. Builders filled on
/// several threads are joined in order with `append`. `build` sorts each
/// record type by (participant, time, id) through a permutation of small keys
/// (ties keep their input order, as `detail::sort_records` does), gathers each
/// column once and resolves trigger links to trigger rows.
///
/// The builder does not check the rules (trusted input: the reader has
/// checked each record and reported problems with line numbers); it only
/// refuses a trigger link that names no trigger of its participant.
///
/// Example
/// ```cpp
/// calmkit::JournalBuilder b;
/// calmkit::Reading scratch;
/// for (...) { fill(scratch); b.push(scratch); }
/// calmkit::Journal j = std::move(b).build(calmkit::detail::trusted);
/// ```
class JournalBuilder {
 public:
  JournalBuilder() = default;

  /// Appends a trigger. Amortized O(size of the record).
  void push(const Trigger& t) { detail::put(s_, t, participant(t.participant)); }
  /// Appends a reading (its trigger link resolved at `build`).
  void push(const Reading& r) {
    detail::put(s_, r, participant(r.participant), no_trigger);
    links_[0].push_back(r.trigger);
  }
  /// Appends an exercise session (its trigger link resolved at `build`).
  void push(const ExerciseSession& e) {
    detail::put(s_, e, participant(e.participant), no_trigger,
                code(exercises_, s_.c.exercise_names, e.exercise));
    links_[1].push_back(e.trigger);
  }
  /// Appends a thought record (its trigger link resolved at `build`).
  void push(const ThoughtRecord& t) {
    detail::put(s_, t, participant(t.participant), no_trigger);
    links_[2].push_back(t.trigger);
  }
  /// Appends an assessment.
  void push(const Assessment& a) {
    detail::put(s_, a, participant(a.participant), code(instruments_, s_.instruments, a.instrument));
  }
  /// Appends a record of any type.
  void push(const Record& r) {
    std::visit([this](const auto& x) { push(x); }, r);
  }

  /// Number of records pushed so far.
  [[nodiscard]] std::size_t size() const noexcept {
    const auto& c = s_.c;
    return c.triggers.size() + c.readings.size() + c.exercises.size() + c.thoughts.size() +
           c.assessments.size();
  }

  /// Appends every record of `other` after this builder's (in `other`'s
  /// order), merging the dictionaries; `other` is left empty. O(records and
  /// text of `other`): columns are concatenated, codes renumbered.
  void append(JournalBuilder&& other);

  /// Orders the records and makes the journal. O(n log n) for unsorted input
  /// (O(n) when each type is already in order), one gather per column.
  /// @throws RecordError when a trigger link names no trigger of its
  /// participant (`rules::unknown_trigger`).
  [[nodiscard]] Journal build(detail::trusted_t) &&;

 private:
  using Index = std::unordered_map<std::string, std::int32_t>;
  std::int32_t participant(const std::string& p) {
    if (last_participant_ >= 0 && s_.c.participants[static_cast<std::size_t>(last_participant_)] == p) {
      return last_participant_;
    }
    last_participant_ = code(participants_, s_.c.participants, p);
    return last_participant_;
  }
  static std::int32_t code(Index& index, std::vector<std::string>& names, const std::string& name) {
    const auto [it, fresh] = index.try_emplace(name, static_cast<std::int32_t>(names.size()));
    if (fresh) names.push_back(name);
    return it->second;
  }
  template <class R>
  void sort_type(const std::vector<std::uint32_t>& rank);

  detail::Tables s_;  // participants in first-seen order until build
  Index participants_, exercises_, instruments_;
  std::int32_t last_participant_ = -1;
  /// Trigger ids named by readings, exercises and thought records, per row.
  std::array<TextColumn, 3> links_;
};

// ---------------------------------------------------------------------------
// Implementation

}  // namespace calmkit

#if defined(__cpp_lib_ranges)
/// A `RecordView` refers to its journal's rows: its iterators outlive it, and
/// copying it is O(1), so it is a borrowed range and a view.
template <class R>
inline constexpr bool std::ranges::enable_borrowed_range<calmkit::RecordView<R>> = true;
/// A `RecordView` is a view (cheap to copy, refers to rows it does not own).
template <class R>
inline constexpr bool std::ranges::enable_view<calmkit::RecordView<R>> = true;
#endif

namespace calmkit {

template <class R>
R RecordView<R>::iterator::operator*() const {
  return j_->template record<R>(row_);
}
template <class R>
R RecordView<R>::operator[](std::size_t i) const {
  return j_->template record<R>(first_ + i);
}

inline Journal::Journal(RecordSet records) {
  detail::sort_records(records.triggers);
  detail::sort_records(records.readings);
  detail::sort_records(records.exercises);
  detail::sort_records(records.thought_records);
  detail::sort_records(records.assessments);
  // Every rule on the whole record set, each record as `add` would (the
  // trigger keys first: links may point forward).
  std::unordered_map<std::string, std::int32_t> trigger_keys;
  trigger_keys.reserve(records.triggers.size());
  const std::unordered_set<std::string> none;
  for (const auto& t : records.triggers) {
    check_record(t, none, trigger_keys, false);
    trigger_keys.emplace(detail::scoped_key(t.participant, t.id), 0);
  }
  auto each = [&](const auto& v) {
    std::unordered_set<std::string> seen;
    seen.reserve(v.size());
    for (const auto& r : v) {
      check_record(r, seen, trigger_keys, false);
      if (!r.id.empty()) seen.insert(detail::scoped_key(r.participant, r.id));
    }
  };
  each(records.readings);
  each(records.exercises);
  each(records.thought_records);
  each(records.assessments);
  *this = Journal(records, detail::trusted);
}

inline Journal::Journal(const RecordSet& records, detail::trusted_t) {
  JournalBuilder b;
  for (const auto& x : records.triggers) b.push(x);
  for (const auto& x : records.readings) b.push(x);
  for (const auto& x : records.exercises) b.push(x);
  for (const auto& x : records.thought_records) b.push(x);
  for (const auto& x : records.assessments) b.push(x);
  *this = std::move(b).build(detail::trusted);
}

inline std::optional<std::pair<Instant, Instant>> Journal::span_of(std::string_view p) const {
  std::optional<std::pair<Instant, Instant>> out;
  const auto code = code_of(p);
  if (code < 0) return out;
  auto widen = [&out](Instant a, Instant b) {
    if (!out) {
      out.emplace(a, b);
    } else {
      out->first = std::min(out->first, a);
      out->second = std::max(out->second, b);
    }
  };
  auto scan = [&](auto tag) {
    using R = typename decltype(tag)::type;
    const auto [lo, hi] = range_of<R>(code);
    if (lo == hi) return;
    const auto& us = detail::utc_column<R>(s_.c);
    const auto& off = detail::offset_column<R>(s_.c);
    widen(detail::instant_at(us[lo], off[lo]), detail::instant_at(us[hi - 1], off[hi - 1]));
  };
  scan(std::type_identity<Trigger>{});
  scan(std::type_identity<Reading>{});
  scan(std::type_identity<ThoughtRecord>{});
  scan(std::type_identity<Assessment>{});
  const auto [lo, hi] = range_of<ExerciseSession>(code);
  const auto& e = s_.c.exercises;
  for (std::size_t i = lo; i < hi; ++i) {
    widen(detail::instant_at(e.start_us[i], e.offset_min[i]),
          detail::instant_at(e.end_us[i], e.end_offset_min[i]));
  }
  return out;
}

inline RecordSet Journal::records() const {
  RecordSet out;
  out.triggers = triggers().to_vector();
  out.readings = readings().to_vector();
  out.exercises = exercises().to_vector();
  out.thought_records = thought_records().to_vector();
  out.assessments = assessments().to_vector();
  return out;
}

inline RecordSet Journal::release() && {
  RecordSet out = records();
  s_ = detail::Tables{};
  keys_ = Keys{};
  revision_.bump();
  restamp();
  return out;
}

inline void Journal::build_keys() {
  keys_ = Keys{};
  const auto& c = s_.c;
  keys_.triggers.reserve(c.triggers.size());
  for (std::size_t i = 0; i < c.triggers.size(); ++i) {
    keys_.triggers.emplace(
        detail::scoped_key(c.participants[static_cast<std::size_t>(c.triggers.participant[i])],
                           c.trigger_ids[i]),
        static_cast<std::int32_t>(i));
  }
  auto index = [&](auto tag) {
    using R = typename decltype(tag)::type;
    auto& set = keys_.ids[detail::type_index<R>];
    const auto& pc = detail::participant_column<R>(c);
    const auto& ids = detail::id_column<R>(s_);
    set.reserve(pc.size());
    for (std::size_t i = 0; i < pc.size(); ++i) {
      if (ids.length[i] != 0)
        set.insert(detail::scoped_key(c.participants[static_cast<std::size_t>(pc[i])], ids[i]));
    }
  };
  index(std::type_identity<Reading>{});
  index(std::type_identity<ExerciseSession>{});
  index(std::type_identity<ThoughtRecord>{});
  index(std::type_identity<Assessment>{});
  keys_.ready = true;
}

template <class R>
void Journal::admit(const R& r) {
  if (!keys_.ready) build_keys();
  check_record(r, keys_.ids[detail::type_index<R>], keys_.triggers, true);
  // Everything that can throw (allocations aside) is done: from here on the
  // record goes in.
  auto& c = s_.c;
  std::string key = detail::scoped_key(r.participant, r.id);
  // The participant's code, renumbering the codes after a new name.
  auto& ps = c.participants;
  const auto at = std::lower_bound(ps.begin(), ps.end(), r.participant);
  const auto code = static_cast<std::int32_t>(at - ps.begin());
  if (at == ps.end() || *at != r.participant) {
    ps.insert(at, r.participant);
    auto renumber = [code](std::vector<std::int32_t>& pc) {
      for (auto it = std::lower_bound(pc.begin(), pc.end(), code); it != pc.end(); ++it) ++*it;
    };
    renumber(c.triggers.participant);
    renumber(c.readings.participant);
    renumber(c.exercises.participant);
    renumber(c.thoughts.participant);
    renumber(c.assessments.participant);
  }
  if constexpr (std::is_same_v<R, Trigger>) {
    detail::put(s_, r, code);
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    const auto link =
        r.trigger.empty() ? no_trigger : keys_.triggers.at(detail::scoped_key(r.participant, r.trigger));
    detail::put(s_, r, code, link, detail::small_code(c.exercise_names, r.exercise));
  } else if constexpr (std::is_same_v<R, Assessment>) {
    detail::put(s_, r, code, detail::small_code(s_.instruments, r.instrument));
  } else {
    const auto link =
        r.trigger.empty() ? no_trigger : keys_.triggers.at(detail::scoped_key(r.participant, r.trigger));
    detail::put(s_, r, code, link);
  }
  // The new last row goes after every row that is not greater (ties keep
  // the order of arrival).
  const std::size_t last = detail::rows_of<R>(s_) - 1;
  std::size_t row = last;
  if (last > 0 && detail::row_less<R>(s_, last, last - 1)) {
    std::size_t lo = 0, hi = last;  // first row greater than the new one, in [lo, hi]
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (detail::row_less<R>(s_, last, mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    row = lo;
    detail::move_last_to<R>(s_, row);
    if constexpr (std::is_same_v<R, Trigger>) {
      // Links to the rows after it move on by one.
      const auto k = static_cast<std::int32_t>(row);
      auto bump = [k](std::vector<std::int32_t>& links) {
        for (auto& l : links) l += (l >= k) ? 1 : 0;
      };
      bump(c.readings.trigger);
      bump(c.exercises.trigger);
      bump(c.thoughts.trigger);
      for (auto& [name, t] : keys_.triggers) t += (t >= k) ? 1 : 0;
    }
  }
  if constexpr (std::is_same_v<R, Trigger>) {
    keys_.triggers.emplace(std::move(key), static_cast<std::int32_t>(row));
  } else {
    if (!r.id.empty()) keys_.ids[detail::type_index<R>].insert(std::move(key));
  }
  revision_.bump();
  restamp();
}

inline void JournalBuilder::append(JournalBuilder&& other) {
  if (&other == this) return;
  auto& o = other.s_;
  // The other builder's codes in this one's dictionaries.
  auto recode = [](Index& index, std::vector<std::string>& names, const std::vector<std::string>& from) {
    std::vector<std::int32_t> to(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) to[i] = code(index, names, from[i]);
    return to;
  };
  const auto pmap = recode(participants_, s_.c.participants, o.c.participants);
  const auto emap = recode(exercises_, s_.c.exercise_names, o.c.exercise_names);
  const auto imap = recode(instruments_, s_.instruments, o.instruments);
  auto apply = [](std::vector<std::int32_t>& v, const std::vector<std::int32_t>& map) {
    for (auto& x : v) x = map[static_cast<std::size_t>(x)];
  };
  apply(o.c.triggers.participant, pmap);
  apply(o.c.readings.participant, pmap);
  apply(o.c.exercises.participant, pmap);
  apply(o.c.thoughts.participant, pmap);
  apply(o.c.assessments.participant, pmap);
  apply(o.c.exercises.exercise, emap);
  apply(o.as.instrument, imap);
  detail::append_rows<Trigger>(s_, o);
  detail::append_rows<Reading>(s_, o);
  detail::append_rows<ExerciseSession>(s_, o);
  detail::append_rows<ThoughtRecord>(s_, o);
  detail::append_rows<Assessment>(s_, o);
  for (std::size_t k = 0; k < links_.size(); ++k) detail::append(links_[k], other.links_[k]);
  other = JournalBuilder{};
}

template <class R>
void JournalBuilder::sort_type(const std::vector<std::uint32_t>& rank) {
  auto& pc = detail::participant_column<R>(s_.c);
  for (auto& p : pc) p = static_cast<std::int32_t>(rank[static_cast<std::size_t>(p)]);
  const std::size_t n = pc.size();
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i) sorted = !detail::row_less<R>(s_, i, i - 1);
  if (sorted) return;
  struct Key {
    std::int64_t utc_us;
    std::int32_t participant;
    std::int16_t offset_min;
    std::uint32_t index;
  };
  const auto& us = detail::utc_column<R>(s_.c);
  const auto& off = detail::offset_column<R>(s_.c);
  std::vector<Key> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = Key{us[i], pc[i], off[i], static_cast<std::uint32_t>(i)};
  const auto& ids = detail::id_column<R>(s_);
  std::sort(keys.begin(), keys.end(), [&ids](const Key& a, const Key& b) {
    if (a.participant != b.participant) return a.participant < b.participant;
    if (a.utc_us != b.utc_us) return a.utc_us < b.utc_us;
    if (a.offset_min != b.offset_min) return a.offset_min < b.offset_min;
    if (const int c = ids[a.index].compare(ids[b.index]); c != 0) return c < 0;
    return a.index < b.index;  // equal keys keep their input order
  });
  std::vector<std::uint32_t> perm(n);
  for (std::size_t i = 0; i < n; ++i) perm[i] = keys[i].index;
  keys = {};
  detail::gather_rows<R>(s_, perm);
  if constexpr (detail::has_link<R>) detail::gather(links_[detail::type_index<R> - 1], perm);
}

inline Journal JournalBuilder::build(detail::trusted_t) && {
  // Participants in name order: codes become ranks.
  auto& names = s_.c.participants;
  std::vector<std::uint32_t> by_name(names.size());
  for (std::uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&names](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
  std::vector<std::uint32_t> rank(names.size());
  std::vector<std::string> sorted(names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) {
    rank[by_name[r]] = r;
    sorted[r] = std::move(names[by_name[r]]);
  }
  names = std::move(sorted);
  sort_type<Trigger>(rank);
  sort_type<Reading>(rank);
  sort_type<ExerciseSession>(rank);
  sort_type<ThoughtRecord>(rank);
  sort_type<Assessment>(rank);
  // Trigger links to rows.
  const auto& c = s_.c;
  std::unordered_map<std::pair<std::int32_t, std::string_view>, std::int32_t, detail::LinkKeyHash> rows;
  rows.reserve(c.triggers.size());
  for (std::size_t i = 0; i < c.triggers.size(); ++i) {
    rows.emplace(std::pair{c.triggers.participant[i], c.trigger_ids[i]}, static_cast<std::int32_t>(i));
  }
  auto resolve = [&](auto tag) {
    using R = typename decltype(tag)::type;
    const auto& text = links_[detail::type_index<R> - 1];
    auto& link = detail::link_column<R>(s_.c);
    const auto& pc = detail::participant_column<R>(s_.c);
    for (std::size_t i = 0; i < link.size(); ++i) {
      const auto id = text[i];
      if (id.empty()) continue;
      const auto it = rows.find(std::pair{pc[i], id});
      if (it == rows.end()) {
        const auto& p = names[static_cast<std::size_t>(pc[i])];
        detail::throw_record(describe_record(to_id(record_type_of<R>), p, detail::id_column<R>(s_)[i]),
                             RuleViolation{"trigger", rules::unknown_trigger(p, id)});
      }
      link[i] = it->second;
    }
  };
  resolve(std::type_identity<Reading>{});
  resolve(std::type_identity<ExerciseSession>{});
  resolve(std::type_identity<ThoughtRecord>{});
  return Journal(std::move(s_));
}

}  // namespace calmkit
