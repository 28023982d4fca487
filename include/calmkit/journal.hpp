/// @file journal.hpp
/// @brief `Journal`: the records of one person or of a whole cohort, ordered
/// and checked, with per-participant and time-range queries.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/model.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace calmkit {

/// All records of a journal, grouped by type, in no particular order.
/// The input of `Journal`'s constructor and the output of `Journal::release`.
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

/// The records of one or many participants.
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
/// Records of each type are kept ordered by (participant, time, id), so that
/// per-participant and time-range queries are binary searches.
///
/// Example
/// ```cpp
/// calmkit::Journal j;
/// j.add(calmkit::Trigger{.participant = "p1", .id = "t1",
///                        .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
///                        .category = calmkit::TriggerCategory::delayed_reply,
///                        .intensity = calmkit::Intensity(8)});
/// j.triggers_of("p1").size();  // 1
/// ```
class Journal {
 public:
  Journal() = default;

  /// Orders and checks `records`.
  /// @throws std::invalid_argument naming the first broken rule.
  explicit Journal(RecordSet records) : r_(std::move(records)) {
    sort_all();
    rebuild_keys();
    check_all();
  }

  /// For readers that already enforced every rule: orders, does not check again.
  /// The uniqueness index that `add` needs is built on the first `add`, not
  /// here: a journal that is only read and analysed never pays for it.
  Journal(RecordSet records, detail::trusted_t) : r_(std::move(records)) {
    sort_all();
    keys_ready_ = r_.size() == 0;
  }

  /// Adds one record in order. Appending in time order is amortized O(1).
  /// @throws RecordError (a std::invalid_argument) if it would break a rule:
  /// one of `calmkit::validate`'s, a duplicate id or a link to a trigger the
  /// participant does not have. The journal is left unchanged.
  void add(Trigger t) { admit(std::move(t), r_.triggers, trigger_keys_); }
  /// Adds a reading (a non-empty id must be unique; a trigger link must name
  /// one of the participant's triggers). @throws RecordError otherwise.
  void add(Reading r) { admit(std::move(r), r_.readings, reading_keys_); }
  /// Adds an exercise session (`validate`'s rules, a unique id, a valid
  /// trigger link). @throws RecordError otherwise.
  void add(ExerciseSession e) { admit(std::move(e), r_.exercises, exercise_keys_); }
  /// Adds a thought record (`validate`'s rules, a unique id, a valid trigger
  /// link). @throws RecordError otherwise.
  void add(ThoughtRecord t) { admit(std::move(t), r_.thought_records, thought_keys_); }
  /// Adds an assessment (`validate`'s rules, a unique id).
  /// @throws RecordError otherwise.
  void add(Assessment a) { admit(std::move(a), r_.assessments, assessment_keys_); }
  /// Adds a record of any type, as the matching overload does.
  void add(Record r) {
    std::visit([this](auto&& x) { add(std::forward<decltype(x)>(x)); }, std::move(r));
  }

  /// All records of a type, ordered by (participant, time, id).
  [[nodiscard]] std::span<const Trigger> triggers() const noexcept { return r_.triggers; }
  /// All readings, ordered by (participant, time, id).
  [[nodiscard]] std::span<const Reading> readings() const noexcept { return r_.readings; }
  /// All exercise sessions, ordered by (participant, time, id).
  [[nodiscard]] std::span<const ExerciseSession> exercises() const noexcept { return r_.exercises; }
  /// All thought records, ordered by (participant, time, id).
  [[nodiscard]] std::span<const ThoughtRecord> thought_records() const noexcept { return r_.thought_records; }
  /// All assessments, ordered by (participant, time, id).
  [[nodiscard]] std::span<const Assessment> assessments() const noexcept { return r_.assessments; }

  /// One participant's records, ordered by time.
  [[nodiscard]] std::span<const Trigger> triggers_of(std::string_view p) const { return of(r_.triggers, p); }
  /// Readings of participant `p`, ordered by time.
  [[nodiscard]] std::span<const Reading> readings_of(std::string_view p) const { return of(r_.readings, p); }
  /// Exercise sessions of participant `p`, ordered by time.
  [[nodiscard]] std::span<const ExerciseSession> exercises_of(std::string_view p) const {
    return of(r_.exercises, p);
  }
  /// Thought records of participant `p`, ordered by time.
  [[nodiscard]] std::span<const ThoughtRecord> thought_records_of(std::string_view p) const {
    return of(r_.thought_records, p);
  }
  /// Assessments of participant `p`, ordered by time.
  [[nodiscard]] std::span<const Assessment> assessments_of(std::string_view p) const {
    return of(r_.assessments, p);
  }

  /// One participant's records with `from <= time < to`.
  [[nodiscard]] std::span<const Trigger> triggers_between(std::string_view p, Instant from,
                                                          Instant to) const {
    return between(of(r_.triggers, p), from, to);
  }
  /// Readings of participant `p` with `from <= time < to`.
  [[nodiscard]] std::span<const Reading> readings_between(std::string_view p, Instant from,
                                                          Instant to) const {
    return between(of(r_.readings, p), from, to);
  }
  /// Exercise sessions of participant `p` starting at `from <= time < to`.
  [[nodiscard]] std::span<const ExerciseSession> exercises_between(std::string_view p, Instant from,
                                                                   Instant to) const {
    return between(of(r_.exercises, p), from, to);
  }
  /// Thought records of participant `p` with `from <= time < to`.
  [[nodiscard]] std::span<const ThoughtRecord> thought_records_between(std::string_view p, Instant from,
                                                                       Instant to) const {
    return between(of(r_.thought_records, p), from, to);
  }
  /// Assessments of participant `p` with `from <= time < to`.
  [[nodiscard]] std::span<const Assessment> assessments_between(std::string_view p, Instant from,
                                                                Instant to) const {
    return between(of(r_.assessments, p), from, to);
  }

  /// The trigger with this id, or nullptr.
  [[nodiscard]] const Trigger* find_trigger(std::string_view participant, std::string_view id) const {
    for (const auto& t : triggers_of(participant)) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }

  /// Every participant with at least one record, sorted.
  [[nodiscard]] std::vector<std::string> participants() const {
    std::vector<std::string> out;
    auto collect = [&out](const auto& v) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i == 0 || v[i].participant != v[i - 1].participant) out.push_back(v[i].participant);
      }
    };
    collect(r_.triggers);
    collect(r_.readings);
    collect(r_.exercises);
    collect(r_.thought_records);
    collect(r_.assessments);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  /// The earliest and latest record time of a participant (any type);
  /// `std::nullopt` when they have none.
  [[nodiscard]] std::optional<std::pair<Instant, Instant>> span_of(std::string_view p) const {
    std::optional<std::pair<Instant, Instant>> out;
    auto widen = [&out](Instant a, Instant b) {
      if (!out) {
        out.emplace(a, b);
      } else {
        out->first = std::min(out->first, a);
        out->second = std::max(out->second, b);
      }
    };
    auto scan = [&](auto s) {
      if (!s.empty()) widen(s.front().time, s.back().time);
    };
    scan(triggers_of(p));
    scan(readings_of(p));
    scan(thought_records_of(p));
    scan(assessments_of(p));
    for (const auto& e : exercises_of(p)) widen(e.time, e.end);
    return out;
  }

  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const noexcept { return r_.size(); }
  /// Whether the journal holds no records.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /// Read-only view of everything.
  [[nodiscard]] const RecordSet& records() const noexcept { return r_; }
  /// Moves the records out, leaving the journal empty.
  [[nodiscard]] RecordSet release() && {
    clear_keys();
    keys_ready_ = true;
    revision_.bump();
    return std::exchange(r_, RecordSet{});
  }

  /// A stamp of the current contents: it changes with every `add`, `release`
  /// and assignment, and two journals share it only when one is an unchanged
  /// copy of the other. Lets a derived form (the columnar `Cohort` of the
  /// Python metrics) be cached and rebuilt only after a change.
  [[nodiscard]] std::uint64_t revision() const noexcept { return revision_.value(); }

  /// Equal when both hold the same records (compared type by type, in order).
  friend bool operator==(const Journal& a, const Journal& b) {
    return a.r_.triggers == b.r_.triggers && a.r_.readings == b.r_.readings &&
           a.r_.exercises == b.r_.exercises && a.r_.thought_records == b.r_.thought_records &&
           a.r_.assessments == b.r_.assessments;
  }

 private:
  template <class R>
  static std::span<const R> of(const std::vector<R>& v, std::string_view p) {
    auto lo = std::lower_bound(v.begin(), v.end(), p,
                               [](const R& r, std::string_view key) { return r.participant < key; });
    auto hi = std::upper_bound(lo, v.end(), p,
                               [](std::string_view key, const R& r) { return key < r.participant; });
    // (pointer, count) rather than (iterator, iterator): the WebAssembly
    // build's libc++ 13 has only the former.
    return {v.data() + (lo - v.begin()), static_cast<std::size_t>(hi - lo)};
  }
  template <class R>
  static std::span<const R> between(std::span<const R> s, Instant from, Instant to) {
    auto before = [](const R& r, Instant t) { return r.time.utc_micros() < t.utc_micros(); };
    auto lo = std::lower_bound(s.begin(), s.end(), from, before);
    auto hi = std::lower_bound(lo, s.end(), to, before);
    return s.subspan(static_cast<std::size_t>(lo - s.begin()), static_cast<std::size_t>(hi - lo));
  }
  template <class R>
  static void insert_sorted(std::vector<R>& v, R r) {
    if (v.empty() || !detail::record_less(r, v.back())) {
      v.push_back(std::move(r));
    } else {
      v.insert(std::upper_bound(v.begin(), v.end(), r, detail::record_less<R>), std::move(r));
    }
  }
  /// Checks `r` against every rule (its own, then its trigger link, then its
  /// id's uniqueness among `keys`); `adding` names the place `cannot add ...`.
  template <class R>
  void check_record(const R& r, const std::unordered_set<std::string>& keys, bool adding) const {
    const auto refuse = [&](const RuleViolation& v) {
      detail::throw_record((adding ? "cannot add " : "") + describe_record(r), v);
    };
    if (auto v = validate(r)) refuse(*v);
    if constexpr (requires { r.trigger; }) {
      if (!r.trigger.empty() && !trigger_keys_.contains(detail::scoped_key(r.participant, r.trigger))) {
        refuse(RuleViolation{"trigger", rules::unknown_trigger(r.participant, r.trigger)});
      }
    }
    if (!r.id.empty() && keys.contains(detail::scoped_key(r.participant, r.id))) {
      refuse(RuleViolation{"id", rules::duplicate_id(record_type_of<R>, r.participant, r.id)});
    }
  }
  template <class R>
  void admit(R r, std::vector<R>& v, std::unordered_set<std::string>& keys) {
    ensure_keys();
    check_record(r, keys, true);
    if (!r.id.empty()) keys.insert(detail::scoped_key(r.participant, r.id));
    insert_sorted(v, std::move(r));
    revision_.bump();
  }
  void sort_all() {
    auto s = [](auto& v) { detail::sort_records(v); };
    s(r_.triggers);
    s(r_.readings);
    s(r_.exercises);
    s(r_.thought_records);
    s(r_.assessments);
  }
  void ensure_keys() {
    if (!keys_ready_) rebuild_keys();
  }
  void rebuild_keys() {
    clear_keys();
    keys_ready_ = true;
    trigger_keys_.reserve(r_.triggers.size());
    for (const auto& t : r_.triggers) trigger_keys_.insert(detail::scoped_key(t.participant, t.id));
    for (const auto& r : r_.readings) {
      if (!r.id.empty()) reading_keys_.insert(detail::scoped_key(r.participant, r.id));
    }
    exercise_keys_.reserve(r_.exercises.size());
    for (const auto& e : r_.exercises) exercise_keys_.insert(detail::scoped_key(e.participant, e.id));
    thought_keys_.reserve(r_.thought_records.size());
    for (const auto& t : r_.thought_records) {
      thought_keys_.insert(detail::scoped_key(t.participant, t.id));
    }
    assessment_keys_.reserve(r_.assessments.size());
    for (const auto& a : r_.assessments) assessment_keys_.insert(detail::scoped_key(a.participant, a.id));
  }
  void clear_keys() {
    trigger_keys_.clear();
    reading_keys_.clear();
    exercise_keys_.clear();
    thought_keys_.clear();
    assessment_keys_.clear();
  }
  /// Checks every rule on the whole record set, each record as `add` would
  /// (only the trigger keys are needed first: links may point forward).
  void check_all() const {
    auto each = [this](const auto& v) {
      std::unordered_set<std::string> seen;
      seen.reserve(v.size());
      for (const auto& r : v) {
        check_record(r, seen, false);
        if (!r.id.empty()) seen.insert(detail::scoped_key(r.participant, r.id));
      }
    };
    each(r_.triggers);
    each(r_.readings);
    each(r_.exercises);
    each(r_.thought_records);
    each(r_.assessments);
  }

  RecordSet r_;
  std::unordered_set<std::string> trigger_keys_, reading_keys_, exercise_keys_, thought_keys_,
      assessment_keys_;
  /// Whether the key sets above index every record (false after the trusted
  /// constructor until the first `add`).
  bool keys_ready_ = true;
  detail::Revision revision_;
};

}  // namespace calmkit
