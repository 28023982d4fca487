/// @file journal_rows.hpp
/// @brief Records to rows and back (namespace `calmkit::detail`): `put`
/// copies a record's fields into the column tables, `load` makes a record
/// value from a row, `row_less` orders rows. Included by journal.hpp; not an
/// API of its own.
#pragma once

#include <calmkit/journal_tables.hpp>

namespace calmkit {

namespace detail {

/// The code of `name` in a small dictionary, appended when new (exercise ids
/// and instruments: a few dozen names, so a linear search).
inline std::int32_t small_code(std::vector<std::string>& names, std::string_view name) {
  for (std::size_t i = names.size(); i-- > 0;) {
    if (names[i] == name) return static_cast<std::int32_t>(i);
  }
  names.emplace_back(name);
  return static_cast<std::int32_t>(names.size() - 1);
}

/// The record type T is (T itself), or that a view of a record's fields
/// names as its `record` (a reader's scratch whose texts lie in its input).
template <class T>
struct record_of {
  using type = T;  ///< T itself
};
/// A view's record type.
template <class T>
requires requires {
  typename T::record;
}
struct record_of<T> {
  using type = typename T::record;  ///< the record type the view's fields are those of
};
/// `record_of<T>::type`.
template <class T>
using record_of_t = typename record_of<T>::type;

/// Whether T is record type R or a view of one: R's fields, each text as
/// something a `std::string_view` is made from.
template <class T, class R>
concept record_like = std::is_same_v<record_of_t<T>, R>;

/// Appends the fields of `r` (a record or a view of one) as a new last row
/// (participant code `p`; the trigger link column gets `link`). Exercise and
/// instrument codes come from `exercise` / `instrument`.
template <record_like<Trigger> T>
void put(Tables& s, const T& t, std::int32_t p) {
  auto& c = s.c.triggers;
  c.participant.push_back(p);
  c.time_us.push_back(t.time.utc_us());
  c.offset_minutes.push_back(static_cast<std::int16_t>(t.time.offset().minutes()));
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
template <record_like<Reading> T>
void put(Tables& s, const T& r, std::int32_t p, std::int32_t link) {
  auto& c = s.c.readings;
  c.participant.push_back(p);
  c.time_us.push_back(r.time.utc_us());
  c.offset_minutes.push_back(static_cast<std::int16_t>(r.time.offset().minutes()));
  c.intensity.push_back(static_cast<std::int8_t>(r.intensity.value()));
  c.trigger.push_back(link);
  s.re.id.push_back(r.id);
  s.re.note.push_back(r.note);
}
template <record_like<ExerciseSession> T>
void put(Tables& s, const T& e, std::int32_t p, std::int32_t link, std::int32_t exercise) {
  auto& c = s.c.exercises;
  c.participant.push_back(p);
  c.time_us.push_back(e.time.utc_us());
  c.end_us.push_back(e.end.utc_us());
  c.offset_minutes.push_back(static_cast<std::int16_t>(e.time.offset().minutes()));
  c.exercise.push_back(exercise);
  c.completed.push_back(e.completed ? 1 : 0);
  c.intensity_before.push_back(e.intensity_before ? static_cast<std::int8_t>(e.intensity_before->value())
                                                  : std::int8_t{-1});
  c.intensity_after.push_back(e.intensity_after ? static_cast<std::int8_t>(e.intensity_after->value())
                                                : std::int8_t{-1});
  c.trigger.push_back(link);
  s.ex.id.push_back(e.id);
  c.end_offset_minutes.push_back(static_cast<std::int16_t>(e.end.offset().minutes()));
  s.ex.responses.push_back(e.responses);
}
template <record_like<ThoughtRecord> T>
void put(Tables& s, const T& t, std::int32_t p, std::int32_t link) {
  auto& c = s.c.thoughts;
  c.participant.push_back(p);
  c.time_us.push_back(t.time.utc_us());
  c.offset_minutes.push_back(static_cast<std::int16_t>(t.time.offset().minutes()));
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
  c.time_us.push_back(a.time.utc_us());
  c.offset_minutes.push_back(static_cast<std::int16_t>(a.time.offset().minutes()));
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

/// Puts the thought records' distortions (compressed rows: offsets and
/// codes, not a per-row column) in the order `perm` gives.
inline void gather_distortions(Tables& s, const std::vector<std::uint32_t>& perm) {
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

/// Reorders the rows of type R: new row i is old row `perm[i]` (`perm` may
/// be shorter, to keep a subset). Every column passes through `scratch`.
template <class R>
void gather_rows(Tables& s, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  each_column<R>([&](auto& col) { gather(col, perm, scratch); }, s);
  if constexpr (std::is_same_v<R, ThoughtRecord>) gather_distortions(s, perm);
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

inline Instant instant_at(std::int64_t time_us, std::int16_t offset_minutes) {
  return Instant::from_utc_us(time_us, UtcOffset::make(offset_minutes).value_or(UtcOffset{}));
}

/// Fills `out` with row `i` of the triggers (reusing its strings' capacity).
inline void load(const Tables& s, std::size_t i, Trigger& out) {
  const auto& c = s.c.triggers;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.c.trigger_ids[i]);
  out.time = instant_at(c.time_us[i], c.offset_minutes[i]);
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
  out.time = instant_at(c.time_us[i], c.offset_minutes[i]);
  out.intensity = *Intensity::make(c.intensity[i]);
  load_link(s, c.trigger[i], out.trigger);
  out.note.assign(s.re.note[i]);
}
inline void load(const Tables& s, std::size_t i, ExerciseSession& out) {
  const auto& c = s.c.exercises;
  out.participant.assign(s.c.participants[static_cast<std::size_t>(c.participant[i])]);
  out.id.assign(s.ex.id[i]);
  out.time = instant_at(c.time_us[i], c.offset_minutes[i]);
  out.end = instant_at(c.end_us[i], s.c.exercises.end_offset_minutes[i]);
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
  out.time = instant_at(c.time_us[i], c.offset_minutes[i]);
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
  out.time = instant_at(c.time_us[i], c.offset_minutes[i]);
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

}  // namespace detail

}  // namespace calmkit
