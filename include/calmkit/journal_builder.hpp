/// @file journal_builder.hpp
/// @brief `JournalBuilder`: collects records into columns and orders them
/// once into a `Journal` (what readers and the Arrow bridge fill). `build`
/// is defined in journal.hpp (it returns the complete `Journal`), which this
/// header includes at its end.
#pragma once

#include <calmkit/journal_rows.hpp>

#include <array>
#include <atomic>
#include <initializer_list>
#include <span>
#include <stdexcept>

namespace calmkit {

class Journal;

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
  /// A builder that resolves trigger links by id at `build`.
  JournalBuilder() = default;
  /// A builder whose trigger links are set by `link` (by row; the ids in
  /// `trigger` fields are not kept): for a reader that has already found
  /// the trigger of each reference. Builders of both kinds do not mix.
  explicit JournalBuilder(detail::linked_by_row_t) : by_row_(true) {}

  /// Appends a trigger. Amortized O(size of the record).
  void push(const Trigger& t) { push_coded(t, participant(t.participant)); }
  /// Appends a reading (its trigger link resolved at `build`, or set by `link`).
  void push(const Reading& r) { push_coded(r, participant(r.participant)); }
  /// Appends an exercise session (its trigger link resolved at `build`, or set by `link`).
  void push(const ExerciseSession& e) { push_coded(e, participant(e.participant)); }
  /// Appends a thought record (its trigger link resolved at `build`, or set by `link`).
  void push(const ThoughtRecord& t) { push_coded(t, participant(t.participant)); }

  /// Links the `row`-th record of type R pushed (a reading, an exercise
  /// session or a thought record; from 0, in push order) to the
  /// `trigger_row`-th trigger pushed. Only on a builder made with
  /// `detail::linked_by_row`; the caller vouches that the trigger is one of
  /// the record's participant. Calls for different records may run on
  /// different threads at once. O(1).
  template <class R>
  requires detail::has_link<R>
  void link(std::size_t row, std::size_t trigger_row) noexcept {
    detail::link_column<R>(s_.c)[row] = static_cast<std::int32_t>(trigger_row);
  }
  /// Appends an assessment.
  void push(const Assessment& a) { push_coded(a, participant(a.participant)); }
  /// Appends a record given as a view of its fields, as `push` of the record
  /// does: V names the record type as `V::record` and has its fields, each
  /// text as something a `std::string_view` is made from (a reader's scratch
  /// whose texts still lie in its input: nothing copied twice).
  template <class V>
  requires requires { typename V::record; }
  void push(const V& v) { push_coded(v, participant(v.participant)); }
  /// As `push(r)` of a record or a view of one, with `participant_hash` the
  /// hash of `r.participant`: `detail::hash_bytes(r.participant, 0,
  /// participant_hash_key())` (a reader that hashes the participant for keys
  /// of its own under the same key hashes it once).
  template <class R>
  void push(const R& r, std::uint64_t participant_hash) {
    push_coded(r, participant(r.participant, participant_hash));
  }
  /// Asks the processor for the dictionary slot where a participant of hash
  /// `participant_hash` (as `push` with a hash takes it) is looked up: for a
  /// reader that knows the participant a while before it pushes the record,
  /// so that the lookup then finds the slot in cache (a hint: nothing changes).
  void prefetch_participant(std::uint64_t participant_hash) const noexcept {
    participants_.prefetch(participant_hash);
  }
  /// Asks for the name the lookup of `participant_hash` will compare first
  /// (reads the slot `prefetch_participant` asked for: call it a while after).
  void prefetch_participant_name(std::uint64_t participant_hash) const noexcept {
    const std::int32_t c = participants_.first_candidate(participant_hash);
    if (c != Index::none) __builtin_prefetch(&s_.c.participants[static_cast<std::size_t>(c)]);
  }
  /// The key the participant dictionary hashes names under (see `push` with a hash).
  [[nodiscard]] const detail::HashKey& participant_hash_key() const noexcept { return participants_.key(); }
  /// Appends a record of any type.
  void push(const Record& r) {
    std::visit([this](const auto& x) { push(x); }, r);
  }

  /// The participant code of `name`, added to the builder's dictionary when
  /// new: a reader of a dictionary-encoded column codes each dictionary entry
  /// once (a remap) and hands each row its entry's code (`push_coded`),
  /// instead of a lookup per row. O(length of `name`).
  std::int32_t participant_code(std::string_view name) {
    return code(participants_, s_.c.participants, std::string(name));
  }
  /// Appends `r` as `push` does, with the participant given as a code from
  /// `participant_code` (`r.participant` is not read).
  template <class R>
  void push_coded(const R& r, std::int32_t participant) {
    using Rec = detail::record_of_t<R>;  // R, or the record type of a view (`push`)
    if constexpr (std::is_same_v<Rec, Trigger>) {
      detail::put(s_, r, participant);
    } else if constexpr (std::is_same_v<Rec, ExerciseSession>) {
      detail::put(s_, r, participant, no_trigger, code(exercises_, s_.c.exercise_names, r.exercise));
    } else if constexpr (std::is_same_v<Rec, Assessment>) {
      detail::put(s_, r, participant, code(instruments_, s_.instruments, r.instrument));
    } else {
      detail::put(s_, r, participant, no_trigger);
    }
    if constexpr (detail::has_link<Rec>) {
      if (!by_row_) links_[detail::type_index<Rec> - 1].push_back(r.trigger);
    }
  }
  /// Room for `n` more rows of record type R in its fixed-width columns (a
  /// reader that knows how many records come: no regrowth while pushing).
  template <class R>
  void reserve(std::size_t n) {
    detail::each_column<R>(
        [n](auto& col) {
          auto more = [n](auto& v) { v.reserve(v.size() + n); };
          if constexpr (requires { col.offset; }) {  // a text column: its rows, not its bytes
            more(col.offset);
            more(col.length);
          } else if constexpr (requires { col.start; }) {  // a list column: its rows, not its items
            more(col.start);
            more(col.count);
          } else if constexpr (requires { col.reserve(n); }) {
            more(col);
          }
        },
        s_);
  }
  /// Removes every record and name, keeping the columns' capacity (and the
  /// way links are set): a reader that fills one builder per part of its
  /// input, again and again, allocates and touches new memory only when a
  /// part outgrows the ones before.
  void clear() {
    auto empty = [](auto& col) { detail::clear_rows(col); };
    detail::each_column<Trigger>(empty, s_);
    detail::each_column<Reading>(empty, s_);
    detail::each_column<ExerciseSession>(empty, s_);
    detail::each_column<ThoughtRecord>(empty, s_);
    detail::each_column<Assessment>(empty, s_);
    s_.c.thoughts.distortions.clear();
    s_.c.thoughts.distortion_offsets.assign(1, 0);
    s_.c.participants.clear();
    s_.c.exercise_names.clear();
    s_.c.trigger_source_rows.clear();
    s_.instruments.clear();
    participants_.clear();
    exercises_.clear();
    instruments_.clear();
    last_participant_ = -1;
    for (auto& l : links_) detail::clear_rows(l);
    erased_ = false;
  }
  /// Room in every column, texts and lists included, for `factor` times
  /// what the builder holds now (a reader that has filled it from the first
  /// part of its input and knows the input's size): the columns then fill
  /// without regrowing. Capacity never filled costs address space, not memory.
  void reserve_scaled(double factor) {
    auto more = [factor](auto& col) { detail::reserve_scaled(col, factor); };
    detail::each_column<Trigger>(more, s_);
    detail::each_column<Reading>(more, s_);
    detail::each_column<ExerciseSession>(more, s_);
    detail::each_column<ThoughtRecord>(more, s_);
    detail::each_column<Assessment>(more, s_);
    detail::reserve_scaled(s_.c.thoughts.distortions, factor);
    detail::reserve_scaled(s_.c.thoughts.distortion_offsets, factor);
  }
  /// Room in every column for what `other` holds (its rows, items and text
  /// bytes), so that `append(other)` then moves no column to new memory; a
  /// column with too little room grows to at least `growth` times its
  /// capacity, and to room for `scale` times what `other` holds in it (a
  /// reader that expects about `scale` more parts like `other`: a record
  /// type that first comes late in its input, as in a journal written one
  /// type after another, then regrows once instead of again and again).
  void reserve_for_append(const JournalBuilder& other, double growth = 2.0, double scale = 0) {
    auto more = [growth, scale](auto& a, const auto& b) { detail::reserve_for_append(a, b, growth, scale); };
    const detail::Tables& o = other.s_;
    detail::each_column<Trigger>(more, s_, o);
    detail::each_column<Reading>(more, s_, o);
    detail::each_column<ExerciseSession>(more, s_, o);
    detail::each_column<ThoughtRecord>(more, s_, o);
    detail::each_column<Assessment>(more, s_, o);
    more(s_.c.thoughts.distortions, o.c.thoughts.distortions);
    more(s_.c.thoughts.distortion_offsets, o.c.thoughts.distortion_offsets);
  }
  /// The builder's columns as filled so far (participant codes index
  /// `columns().c.participants`), e.g. to check rules across records before
  /// `build`.
  [[nodiscard]] const detail::Tables& columns() const noexcept { return s_; }

  /// Number of records pushed so far.
  [[nodiscard]] std::size_t size() const noexcept {
    const auto& c = s_.c;
    return c.triggers.size() + c.readings.size() + c.exercises.size() + c.thoughts.size() +
           c.assessments.size();
  }

  /// Removes the records of type R pushed at `rows` (push-order rows from 0,
  /// ascending and distinct, each below the number of R pushed), keeping the
  /// order of the rest: for a reader that learns only after a record is
  /// pushed that it must be left out (a lenient read's duplicate ids and
  /// references to triggers that never come). On a builder that links by
  /// row, removing triggers renumbers the links to the others and clears the
  /// links to the removed ones. The dictionaries then keep only the names the
  /// remaining records use, coded in the order of their first use, as if the
  /// removed records had never been pushed. O(records of type R).
  template <class R>
  void erase(const std::vector<std::size_t>& rows);

  /// Appends every record of `other` after this builder's (in `other`'s
  /// order), merging the dictionaries; `other` is left empty. O(records and
  /// text of `other`): columns are concatenated, codes renumbered.
  /// @throws std::invalid_argument when one builder links by row and the other by id.
  void append(JournalBuilder&& other);

  /// Orders the records and makes the journal. O(n log n) for unsorted input
  /// (O(n) when each type is already in order), one gather per column; links
  /// by id through one hash table over the triggers, links by row through the
  /// triggers' new order.
  /// @throws RecordError when a trigger link names no trigger of its
  /// participant (`rules::unknown_trigger`).
  [[nodiscard]] Journal build(detail::trusted_t) &&;
  /// As `build`, with each record type's sort and column gathers spread over
  /// `parts` tasks: `run(parts, fn)` calls `fn(0)` .. `fn(parts - 1)`, each
  /// once, on any threads, and returns once all have returned (rethrowing
  /// their first exception), as a reader's pool of threads does. The journal
  /// is the same for any `parts` (ties keep their input order). `spare`:
  /// memory the caller has written and needs no more (a reader's index of
  /// references, say); the sort keys and gathers use it before any fresh.
  /// `order`, when given, receives each type's permutation (by
  /// `detail::type_index`: new row i is the i-th record pushed of that type
  /// `order[type][i]`; empty when the rows were in order already).
  template <class Run>
  [[nodiscard]] Journal build(detail::trusted_t, std::size_t parts, Run&& run,
                              detail::GatherScratch spare = {},
                              std::array<std::vector<std::uint32_t>, 5>* order = nullptr) &&;

 private:
  using Index = detail::FlatIndex;  // name -> code; the names are the dictionary's
  std::int32_t participant(std::string_view p) {
    if (last_participant_ >= 0 &&
        detail::same_bytes(s_.c.participants[static_cast<std::size_t>(last_participant_)], p)) {
      return last_participant_;
    }
    last_hash_ = participants_.hash(p);
    last_participant_ = code(participants_, s_.c.participants, p, last_hash_);
    return last_participant_;
  }
  /// `participant(p)` with `h` its hash (`participants_.hash(p)`): the last
  /// participant is told apart by its hash first.
  std::int32_t participant(std::string_view p, std::uint64_t h) {
    if (h == last_hash_ && last_participant_ >= 0 &&
        detail::same_bytes(s_.c.participants[static_cast<std::size_t>(last_participant_)], p)) {
      return last_participant_;
    }
    last_participant_ = code(participants_, s_.c.participants, p, h);
    last_hash_ = h;
    return last_participant_;
  }
  static std::int32_t code(Index& index, std::vector<std::string>& names, std::string_view name) {
    return code(index, names, name, index.hash(name));
  }
  /// `code` of a name whose hash (`Index::hash`) is known.
  static std::int32_t code(Index& index, std::vector<std::string>& names, std::string_view name,
                           std::uint64_t h) {
    const std::int32_t found = index.find(
        h, [&](std::int32_t c) { return detail::same_bytes(names[static_cast<std::size_t>(c)], name); });
    if (found != Index::none) return found;
    const auto c = static_cast<std::int32_t>(names.size());
    names.emplace_back(name);
    index.insert_new(h, c);
    return c;
  }
  /// The code of each of `from` (another builder's dictionary), each name
  /// added when new. The slots and names a lookup touches are random in a
  /// dictionary of thousands of names, so those of the names a few places
  /// ahead are asked for while one is looked up.
  static std::vector<std::int32_t> code_all(Index& index, std::vector<std::string>& names,
                                            const std::vector<std::string>& from) {
    const std::size_t n = from.size();
    std::vector<std::uint64_t> hash(n);
    for (std::size_t i = 0; i < n; ++i) hash[i] = index.hash(from[i]);
    constexpr std::size_t slot_ahead = 8, name_ahead = 4;
    for (std::size_t i = 0; i < std::min(n, slot_ahead); ++i) index.prefetch(hash[i]);
    std::vector<std::int32_t> to(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (i + slot_ahead < n) index.prefetch(hash[i + slot_ahead]);
      if (i + name_ahead < n) {
        const std::int32_t c = index.first_candidate(hash[i + name_ahead]);
        if (c != Index::none) __builtin_prefetch(&names[static_cast<std::size_t>(c)]);
      }
      to[i] = code(index, names, from[i], hash[i]);
    }
    return to;
  }
  template <class R, class Run>
  std::vector<std::uint32_t> sort_type(const std::vector<std::uint32_t>& rank,
                                       std::span<detail::GatherScratch> scratch, Run& run,
                                       const std::vector<std::int32_t>* row_of);
  template <class R, class Run>
  void gather_type(const std::vector<std::uint32_t>& perm, std::span<detail::GatherScratch> scratch, Run& run,
                   bool sorted_keys, const std::vector<std::int32_t>* row_of);
  void recode_names();
  template <class R>
  std::vector<std::uint32_t> runs_in_order(const std::vector<std::int32_t>& pc) const;

  detail::Tables s_;  // participants in first-seen order until build
  Index participants_, exercises_, instruments_;
  std::int32_t last_participant_ = -1;
  /// The hash of the last participant (`participants_.hash`).
  std::uint64_t last_hash_ = 0;
  bool by_row_ = false;  ///< links set by `link` (rows), not by id
  /// Trigger ids named by readings, exercises and thought records, per row (not when `by_row_`).
  std::array<TextColumn, 3> links_;
  bool erased_ = false;  ///< records were removed: `build` drops the names no record uses

 public:
  /// The exercise code of `name` (as `participant_code`: a reader of a
  /// dictionary-encoded column codes each entry once). O(length of `name`).
  std::int32_t exercise_code(std::string_view name) {
    return code(exercises_, s_.c.exercise_names, std::string(name));
  }
  /// The instrument code of `name` (as `exercise_code`).
  std::int32_t instrument_code(std::string_view name) {
    return code(instruments_, s_.instruments, std::string(name));
  }
  /// Appends records of type R given column by column, for a reader that has
  /// checked every rule of them over whole columns (the Arrow bridge):
  /// `fill(tables)` appends the same number of rows to every per-row column
  /// of R in `tables` (as `detail::each_column<R>` lists them), with
  /// participant, exercise and instrument codes from `participant_code`,
  /// `exercise_code` and `instrument_code`, values as `push` stores them, and
  /// every trigger link `no_trigger` (set later by `link`). Only on a builder
  /// made with `detail::linked_by_row`. O(what `fill` appends).
  /// @throws std::logic_error on a builder that links by id.
  template <class R, class Fill>
  void append_columns(Fill fill) {
    if (!by_row_) throw std::logic_error("JournalBuilder::append_columns needs a builder that links by row");
    fill(s_);
  }
};

template <class R>
void JournalBuilder::erase(const std::vector<std::size_t>& rows) {
  if (rows.empty()) return;
  const std::size_t n = detail::participant_column<R>(s_.c).size();
  std::vector<std::uint32_t> keep;
  keep.reserve(n - std::min(n, rows.size()));
  for (std::size_t i = 0, next = 0; i < n; ++i) {
    if (next < rows.size() && rows[next] == i) {
      ++next;
    } else {
      keep.push_back(static_cast<std::uint32_t>(i));
    }
  }
  detail::GatherScratch scratch;
  detail::gather_rows<R>(s_, keep, scratch);
  if constexpr (detail::has_link<R>) {
    if (!by_row_) detail::gather(links_[detail::type_index<R> - 1], keep, scratch);
  }
  if constexpr (std::is_same_v<R, Trigger>) {
    if (by_row_) {
      std::vector<std::int32_t> row_of(n, no_trigger);
      for (std::size_t i = 0; i < keep.size(); ++i) row_of[keep[i]] = static_cast<std::int32_t>(i);
      for (auto* links : {&s_.c.readings.trigger, &s_.c.exercises.trigger, &s_.c.thoughts.trigger}) {
        for (auto& l : *links) l = l == no_trigger ? no_trigger : row_of[static_cast<std::size_t>(l)];
      }
    }
  }
  erased_ = true;
}

/// Recodes each dictionary by first use in row order (triggers, readings,
/// exercise sessions, thought records, assessments), dropping the names no
/// record uses: the dictionaries a builder fed only the remaining records has.
inline void JournalBuilder::recode_names() {
  auto recode = [](std::vector<std::string>& names,
                   std::initializer_list<std::vector<std::int32_t>*> columns) {
    std::vector<std::int32_t> to(names.size(), -1);
    std::vector<std::string> used;
    for (auto* column : columns) {
      for (auto& code : *column) {
        auto& t = to[static_cast<std::size_t>(code)];
        if (t < 0) {
          t = static_cast<std::int32_t>(used.size());
          used.push_back(std::move(names[static_cast<std::size_t>(code)]));
        }
        code = t;
      }
    }
    names = std::move(used);
  };
  auto& c = s_.c;
  recode(c.participants, {&c.triggers.participant, &c.readings.participant, &c.exercises.participant,
                          &c.thoughts.participant, &c.assessments.participant});
  recode(c.exercise_names, {&c.exercises.exercise});
  recode(s_.instruments, {&s_.as.instrument});
  participants_ = {};
  exercises_ = {};
  instruments_ = {};
  for (std::size_t i = 0; i < c.participants.size(); ++i)
    participants_.insert_new(participants_.hash(c.participants[i]), static_cast<std::int32_t>(i));
  for (std::size_t i = 0; i < c.exercise_names.size(); ++i)
    exercises_.insert_new(exercises_.hash(c.exercise_names[i]), static_cast<std::int32_t>(i));
  for (std::size_t i = 0; i < s_.instruments.size(); ++i)
    instruments_.insert_new(instruments_.hash(s_.instruments[i]), static_cast<std::int32_t>(i));
  last_participant_ = -1;
  erased_ = false;
}

inline void JournalBuilder::append(JournalBuilder&& other) {
  if (&other == this) return;
  if (other.by_row_ != by_row_) {
    throw std::invalid_argument("JournalBuilder::append: one builder links by row, the other by id");
  }
  auto& o = other.s_;
  if (by_row_) {  // the other's trigger rows come after this builder's
    const auto shift = static_cast<std::int32_t>(s_.c.triggers.size());
    for (auto* links : {&o.c.readings.trigger, &o.c.exercises.trigger, &o.c.thoughts.trigger}) {
      for (auto& l : *links) l += l == no_trigger ? 0 : shift;
    }
  }
  // The other builder's codes in this one's dictionaries.
  const auto pmap = code_all(participants_, s_.c.participants, o.c.participants);
  const auto emap = code_all(exercises_, s_.c.exercise_names, o.c.exercise_names);
  const auto imap = code_all(instruments_, s_.instruments, o.instruments);
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
  erased_ = erased_ || other.erased_;
  other.clear();  // its capacity kept for whatever it is filled with next
}

/// When each participant's rows (`pc`: participant ranks) are in order and
/// together in one run, as in a dataset read a file or a shard at a time, the
/// order is the runs in rank order: that permutation, found in O(n) without a
/// sort. Empty when some participant's rows are out of order or in two runs.
template <class R>
std::vector<std::uint32_t> JournalBuilder::runs_in_order(const std::vector<std::int32_t>& pc) const {
  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> begin(s_.c.participants.size(), none);
  std::vector<std::uint32_t> end(s_.c.participants.size(), none);
  for (std::size_t i = 0; i < pc.size();) {
    std::size_t j = i + 1;
    for (; j < pc.size() && pc[j] == pc[i]; ++j) {
      if (detail::row_less<R>(s_, j, j - 1)) return {};
    }
    const auto r = static_cast<std::size_t>(pc[i]);
    if (begin[r] != none) return {};
    begin[r] = static_cast<std::uint32_t>(i);
    end[r] = static_cast<std::uint32_t>(j);
    i = j;
  }
  std::vector<std::uint32_t> perm;
  perm.reserve(pc.size());
  for (std::size_t r = 0; r < begin.size(); ++r) {
    for (auto k = begin[r]; k < end[r] && begin[r] != none; ++k) perm.push_back(k);
  }
  return perm;
}

namespace detail {
/// Sorts `keys[0, n)` by `less`, a total order whose first criterion is the
/// keys' `time_us` member (ascending), as `std::sort` with `less` would: one
/// participant's rows, spread by time into about n buckets (`tmp` and
/// `count`: the caller's, reused from call to call), each bucket then sorted
/// by `less` (rows of equal time share a bucket). The times of one
/// participant's records spread over days, so a bucket holds a row or two
/// and the sort is a few linear passes, where a comparison sort of random
/// order mispredicts a branch at every other comparison. Few rows, or more
/// than a bucket count kept in cache: `std::sort` as it is.
template <class Key, class Less>
void sort_by_time(Key* keys, std::size_t n, std::vector<Key>& tmp, std::vector<std::uint32_t>& count,
                  Less less) {
  if (n < 64 || n > (std::size_t{1} << 16)) {
    std::sort(keys, keys + n, less);
    return;
  }
  const auto [lo_key, hi_key] =
      std::minmax_element(keys, keys + n, [](const Key& a, const Key& b) { return a.time_us < b.time_us; });
  const auto lo = static_cast<std::uint64_t>(lo_key->time_us);
  const std::uint64_t range = static_cast<std::uint64_t>(hi_key->time_us) - lo;  // no overflow: unsigned
  if (range == 0) {
    std::sort(keys, keys + n, less);
    return;
  }
  // Buckets of 2^shift microseconds: at most 2^bit_width(n) of them, at least half used.
  const int shift =
      std::max(0, static_cast<int>(std::bit_width(range)) - static_cast<int>(std::bit_width(n)));
  const std::size_t buckets = static_cast<std::size_t>(range >> shift) + 1;
  count.assign(buckets + 1, 0);
  auto bucket = [&](const Key& k) {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(k.time_us) - lo) >> shift);
  };
  for (std::size_t i = 0; i < n; ++i) ++count[bucket(keys[i]) + 1];
  for (std::size_t b = 1; b <= buckets; ++b) count[b] += count[b - 1];
  tmp.resize(n);
  for (std::size_t i = 0; i < n; ++i) tmp[count[bucket(keys[i])]++] = keys[i];  // stable
  // Now count[b] is where bucket b ends (and b + 1 starts).
  for (std::size_t b = 0, from = 0; b < buckets; ++b) {
    const std::size_t to = count[b];
    if (to - from > 1)
      std::sort(tmp.begin() + static_cast<std::ptrdiff_t>(from),
                tmp.begin() + static_cast<std::ptrdiff_t>(to), less);
    from = to;
  }
  std::copy(tmp.begin(), tmp.end(), keys);
}
}  // namespace detail

/// Reorders every column of type R by `perm` (new row i = old row
/// perm[i]), the columns spread over `scratch.size()` tasks of `run`, each
/// with a scratch of its own: each task takes the next column no task has
/// taken yet, so the tasks end together however the columns' costs differ
/// (a link renumbered through `row_of` costs more than a column of bytes),
/// and a task that starts late finds fewer columns left. `sorted_keys`: the participant, time and
/// offset columns are in their new order already (`sort_type` wrote them
/// from its sorted keys), so only the others move. `row_of` (when given,
/// for a type that links to triggers): `no_trigger`, then the triggers' new
/// rows by old row, which the links take as they move.
template <class R, class Run>
void JournalBuilder::gather_type(const std::vector<std::uint32_t>& perm,
                                 std::span<detail::GatherScratch> scratch, Run& run, bool sorted_keys,
                                 const std::vector<std::int32_t>* row_of) {
  const std::size_t parts = perm.size() < 4096 ? 1 : scratch.size();  // a few rows: not worth a thread
  const void* const skip[] = {&detail::participant_column<R>(s_.c), &detail::utc_column<R>(s_.c),
                              &detail::offset_column<R>(s_.c)};
  std::atomic<std::size_t> taken{0};  // columns taken by the tasks so far
  run(parts, [&](std::size_t k) {
    std::size_t column = 0;                                            // the columns before this one
    std::size_t next = taken.fetch_add(1, std::memory_order_relaxed);  // the next column of this task
    auto mine = [&](auto& col) {
      if (sorted_keys &&
          std::find(std::begin(skip), std::end(skip), static_cast<const void*>(&col)) != std::end(skip)) {
        return;
      }
      if (column++ != next) return;
      bool done = false;
      if constexpr (detail::has_link<R> &&
                    std::is_same_v<std::remove_cvref_t<decltype(col)>, std::vector<std::int32_t>>) {
        if (row_of != nullptr && &col == &detail::link_column<R>(s_.c)) {
          detail::gather_links(col, perm, *row_of, scratch[k]);
          done = true;
        }
      }
      if (!done) detail::gather(col, perm, scratch[k]);
      next = taken.fetch_add(1, std::memory_order_relaxed);
    };
    detail::each_column<R>(mine, s_);
    if constexpr (detail::has_link<R>) {
      if (!by_row_) mine(links_[detail::type_index<R> - 1]);
    }
    if constexpr (std::is_same_v<R, ThoughtRecord>) {
      if (k == 0) detail::gather_distortions(s_, perm);
    }
  });
}

/// Returns the permutation applied (new row i = old row perm[i]); empty when
/// the rows were in order already. The sorts of the participants' rows and
/// the gathers run as `scratch.size()` tasks of `run`. `row_of`: see
/// `gather_type` (the links of rows in order already are left as they are).
template <class R, class Run>
std::vector<std::uint32_t> JournalBuilder::sort_type(const std::vector<std::uint32_t>& rank,
                                                     std::span<detail::GatherScratch> scratch, Run& run,
                                                     const std::vector<std::int32_t>* row_of) {
  auto& pc = detail::participant_column<R>(s_.c);
  for (auto& p : pc) p = static_cast<std::int32_t>(rank[static_cast<std::size_t>(p)]);
  const std::size_t n = pc.size();
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i) sorted = !detail::row_less<R>(s_, i, i - 1);
  if (sorted) return {};
  std::vector<std::uint32_t> perm = runs_in_order<R>(pc);
  if (!perm.empty()) {
    gather_type<R>(perm, scratch, run, false, row_of);
    return perm;
  }
  struct Key {
    std::int64_t time_us;
    std::int16_t offset_minutes;
    std::uint32_t index;
  };
  // Written in place from the sorted keys below (the rest of R's columns are gathered).
  auto& us = const_cast<std::vector<std::int64_t>&>(detail::utc_column<R>(s_.c));
  auto& off = const_cast<std::vector<std::int16_t>&>(detail::offset_column<R>(s_.c));
  // By participant first, with a counting sort (linear, stable), then each
  // participant's rows by time, offset, id and input order: the order one
  // sort by the whole key gives (that key is total), but each sort is one
  // participant's rows, which fit in cache, instead of every row at once;
  // and the participants' sorts are independent (spread over the tasks).
  const std::size_t participants = rank.size();
  const std::size_t parts = n < 4096 ? 1 : scratch.size();
  // The rows of part k of the input are [n k / parts, n (k + 1) / parts):
  // each part's rows of each participant counted, then placed by a task of
  // its own after the same participant's rows of the parts before.
  std::vector<std::uint32_t> next(parts * participants, 0);  // [k * participants + p]
  for (std::size_t k = 0; k < parts; ++k) {
    std::uint32_t* const count = next.data() + k * participants;
    for (std::size_t i = n * k / parts; i < n * (k + 1) / parts; ++i)
      ++count[static_cast<std::size_t>(pc[i])];
  }
  std::vector<std::size_t> start(participants + 1, 0);
  for (std::size_t p = 0; p < participants; ++p) {
    std::size_t at = start[p];
    for (std::size_t k = 0; k < parts; ++k) {
      const std::uint32_t c = next[k * participants + p];
      next[k * participants + p] = static_cast<std::uint32_t>(at);
      at += c;
    }
    start[p + 1] = at;
  }
  // The keys live in the first scratch, which the columns are gathered
  // through next (no memory of their own to touch).
  static_assert(std::is_trivially_copyable_v<Key> && std::is_trivially_destructible_v<Key>);
  Key* const keys = reinterpret_cast<Key*>(scratch[0].bytes(n * sizeof(Key)));
  run(parts, [&](std::size_t k) {
    std::uint32_t* const at = next.data() + k * participants;
    for (std::size_t i = n * k / parts; i < n * (k + 1) / parts; ++i) {
      ::new (static_cast<void*>(keys + at[static_cast<std::size_t>(pc[i])]++))
          Key{us[i], off[i], static_cast<std::uint32_t>(i)};
    }
  });
  next = {};
  const auto& ids = detail::id_column<R>(s_);
  perm.resize(n);
  // Task k sorts the participants whose rows start in [n k / parts, n (k + 1) / parts)
  // and writes their rows' permutation, participant, time and offset.
  run(parts, [&](std::size_t k) {
    const std::size_t from = n * k / parts, to = n * (k + 1) / parts;
    auto p = static_cast<std::size_t>(std::lower_bound(start.begin(), start.end() - 1, from) - start.begin());
    const std::size_t first_row = start[p];
    std::vector<Key> tmp;
    std::vector<std::uint32_t> count;
    for (; p < participants && start[p] < to; ++p) {
      const std::size_t b = start[p], e = start[p + 1];
      detail::sort_by_time(keys + b, e - b, tmp, count, [&ids](const Key& x, const Key& y) {
        if (x.time_us != y.time_us) return x.time_us < y.time_us;
        if (x.offset_minutes != y.offset_minutes) return x.offset_minutes < y.offset_minutes;
        if (const int c = ids[x.index].compare(ids[y.index]); c != 0) return c < 0;
        return x.index < y.index;  // equal keys keep their input order
      });
      std::fill(pc.begin() + static_cast<std::ptrdiff_t>(b), pc.begin() + static_cast<std::ptrdiff_t>(e),
                static_cast<std::int32_t>(p));
    }
    for (std::size_t i = first_row; i < start[p]; ++i) {
      perm[i] = keys[i].index;
      us[i] = keys[i].time_us;
      off[i] = keys[i].offset_minutes;
    }
  });
  gather_type<R>(perm, scratch, run, true, row_of);  // the keys' bytes are the first scratch's again
  return perm;
}

}  // namespace calmkit

#include <calmkit/journal.hpp>
