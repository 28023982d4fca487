// `Journal`, its per-type tables, and their columnar export to pandas.
//
// Tables (`journal.triggers` ...) are live views: they hold a reference to the
// journal and look the records up on every call, so adding to the journal
// never leaves a table pointing at freed memory.
//
// `_columns()` fills NumPy arrays here in C++ (times as int64 microseconds,
// offsets as int16, scores as int8 plus a mask, categories as codes); the
// Python package's `to_pandas()` (calmkit._frames, the one place that builds
// DataFrames) wraps them into pandas columns without creating a Python object
// per number or time. This module never imports the Python package.
#include "common.hpp"
#include "released_read.hpp"

#include <calmkit/io.hpp>

#include <pybind11/numpy.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calmkit::bindings {
namespace {

template <class R>
RecordView<R> rows(const Journal& j) {
  if constexpr (std::is_same_v<R, Trigger>) {
    return j.triggers();
  } else if constexpr (std::is_same_v<R, Reading>) {
    return j.readings();
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    return j.exercises();
  } else if constexpr (std::is_same_v<R, ThoughtRecord>) {
    return j.thought_records();
  } else {
    return j.assessments();
  }
}

/// A live view of one record type of a journal.
template <class R>
struct Table {
  py::object owner;  // the Python Journal, kept alive by the view
  const Journal& journal() const { return owner.cast<const Journal&>(); }
  RecordView<R> get() const { return rows<R>(journal()); }
};

// --- column builders -------------------------------------------------------

/// Collects `(name, kind, payload...)` tuples for `_frames.build_frame`, read
/// from the journal's own columns (`Journal::storage()`): fixed-width values
/// are copied into NumPy arrays, no record object is made.
class Columns {
 public:
  explicit Columns(std::size_t n) : n_(n) {}

  /// A NumPy array of `T` with `f(i)` for each row.
  template <class T, class F>
  py::array_t<T> array(F f) const {
    py::array_t<T> a(static_cast<py::ssize_t>(n_));
    T* p = a.mutable_data();
    for (std::size_t i = 0; i < n_; ++i) p[i] = static_cast<T>(f(i));
    return a;
  }
  template <class T, class F>
  void numeric(const char* name, const char* kind, F f) {
    add(name, kind, array<T>(f));
  }

  /// `time`, `offset_minutes` and (when named) `local_time`, from the UTC
  /// microseconds and the offset in minutes.
  void instant(const char* time_name, const char* offset_name, const char* local_name,
               const std::vector<std::int64_t>& us, const std::vector<std::int16_t>& off) {
    numeric<std::int64_t>(time_name, "utc_time", [&](std::size_t i) { return us[i]; });
    numeric<std::int16_t>(offset_name, "int", [&](std::size_t i) { return off[i]; });
    if (local_name != nullptr) {
      numeric<std::int64_t>(local_name, "local_time",
                            [&](std::size_t i) { return us[i] + std::int64_t{off[i]} * 60'000'000; });
    }
  }

  /// An optional value: values (0 where absent) and a mask (true = missing);
  /// `f(i)` gives a std::optional.
  template <class T, class F>
  void nullable(const char* name, const char* dtype, F f) {
    py::array_t<T> values(static_cast<py::ssize_t>(n_));
    py::array_t<bool> mask(static_cast<py::ssize_t>(n_));
    T* v = values.mutable_data();
    bool* k = mask.mutable_data();
    for (std::size_t i = 0; i < n_; ++i) {
      const auto o = f(i);
      k[i] = !o.has_value();
      v[i] = o ? static_cast<T>(*o) : T{};
    }
    cols_.append(py::make_tuple(name, "nullable", std::move(values), std::move(mask), dtype));
  }

  /// Codes into `categories`.
  template <class Codes, class F>
  void categorical(const char* name, py::list categories, F code) {
    cols_.append(py::make_tuple(name, "category", array<Codes>(code), std::move(categories)));
  }

  /// Participants as codes into the journal's sorted participant list (the
  /// same categories in every table of a journal, so frames join cleanly).
  void participant(const std::vector<std::int32_t>& codes, const std::vector<std::string>& all) {
    categorical<std::int32_t>("participant", py::cast(all), [&](std::size_t i) { return codes[i]; });
  }

  /// Text: one Python str per row (strings cannot avoid that). The model
  /// writes an absent optional text as "" (as the journal format does); here
  /// it becomes None, so the column (pandas "string" dtype) shows <NA> like
  /// the numbers and booleans do, and `isna()` / joins see it as missing.
  /// `f(i)` gives the row's text.
  template <class F>
  void text(const char* name, F f) {
    py::list l(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const std::string_view v = f(i);
      l[i] = v.empty() ? py::object(py::none()) : py::object(py::str(v.data(), v.size()));
    }
    add(name, "str", std::move(l));
  }
  void text(const char* name, const TextColumn& t) {
    text(name, [&](std::size_t i) { return t[i]; });
  }
  /// A trigger link as the linked trigger's id.
  void link(const std::vector<std::int32_t>& rows, const TextColumn& trigger_ids) {
    text("trigger", [&](std::size_t i) {
      return rows[i] == no_trigger ? std::string_view{} : trigger_ids[static_cast<std::size_t>(rows[i])];
    });
  }

  /// Python objects (lists, lists of dicts): `f(i)` gives one per row.
  template <class F>
  void objects(const char* name, F f) {
    py::list l(n_);
    for (std::size_t i = 0; i < n_; ++i) l[i] = f(i);
    add(name, "object", std::move(l));
  }
  /// Lists of str from the journal's (start, count) rows.
  void text_lists(const char* name, const detail::TextList& t) {
    objects(name, [&](std::size_t i) {
      py::list l(t.count[i]);
      const auto first = static_cast<std::size_t>(t.start[i]);
      for (std::size_t k = 0; k < t.count[i]; ++k) {
        const std::string_view v = t.items[first + k];
        l[k] = py::str(v.data(), v.size());
      }
      return l;
    });
  }

  [[nodiscard]] py::list columns() const { return cols_; }

 private:
  void add(const char* name, const char* kind, py::object payload) {
    cols_.append(py::make_tuple(name, kind, std::move(payload)));
  }
  std::size_t n_;
  py::list cols_;
};

py::list ids_of_categories() {
  py::list l;
  for (const auto& e : trigger_category_table) l.append(std::string(e.id));
  return l;
}
py::list ids_of_groups() {
  py::list l;
  for (const auto& e : trigger_group_table) l.append(std::string(e.id));
  return l;
}

/// A rating column's value (-1 = not recorded) as an optional.
template <class T>
std::optional<int> rated(T v) {
  return v < 0 ? std::nullopt : std::optional<int>(v);
}

// One frame per record type, read from the journal's columns.

/// The columns every frame starts with (participant, id, time,
/// offset_minutes, local_time), from record type R's columns; each
/// `frame_of<R>` adds the type's own fields after them.
template <class R>
Columns head(const detail::Tables& s) {
  Columns c(detail::rows_of<R>(s));
  c.participant(detail::participant_column<R>(s.c), s.c.participants);
  c.text("id", detail::id_column<R>(s));
  c.instant("time", "offset_minutes", "local_time", detail::utc_column<R>(s.c),
            detail::offset_column<R>(s.c));
  return c;
}

template <class R>
py::list frame_of(const Journal& j);

template <>
py::list frame_of<Trigger>(const Journal& j) {
  const auto& s = j.storage();
  const auto& t = s.c.triggers;
  Columns c = head<Trigger>(s);
  c.categorical<std::int8_t>("category", ids_of_categories(), [&](std::size_t i) { return t.category[i]; });
  c.categorical<std::int8_t>("group", ids_of_groups(), [&](std::size_t i) {
    return static_cast<int>(group_of(static_cast<TriggerCategory>(t.category[i])));
  });
  c.numeric<std::int8_t>("intensity", "int", [&](std::size_t i) { return t.intensity[i]; });
  c.text("context", s.tr.context);
  c.text_lists("thoughts", s.tr.thoughts);
  c.text_lists("sensations", s.tr.sensations);
  c.text("urge", s.tr.urge);
  c.nullable<bool>("acted_on_urge", "boolean", [&](std::size_t i) {
    return t.acted_on_urge[i] < 0 ? std::nullopt : std::optional<bool>(t.acted_on_urge[i] == 1);
  });
  c.nullable<double>("acted_after_minutes", "Float64", [&](std::size_t i) {
    const double m = t.acted_after_minutes[i];
    return std::isnan(m) ? std::nullopt : std::optional<double>(m);
  });
  c.text("response", s.tr.response);
  c.text_lists("tags", s.tr.tags);
  return c.columns();
}

template <>
py::list frame_of<Reading>(const Journal& j) {
  const auto& s = j.storage();
  const auto& r = s.c.readings;
  Columns c = head<Reading>(s);
  c.numeric<std::int8_t>("intensity", "int", [&](std::size_t i) { return r.intensity[i]; });
  c.link(r.trigger, s.c.trigger_ids);
  c.text("note", s.re.note);
  return c.columns();
}

template <>
py::list frame_of<Assessment>(const Journal& j) {
  const auto& s = j.storage();
  Columns c = head<Assessment>(s);
  c.text("instrument", [&](std::size_t i) {
    return std::string_view(s.instruments[static_cast<std::size_t>(s.as.instrument[i])]);
  });
  c.objects("answers", [&](std::size_t i) {
    const auto& l = s.as.answers;
    py::list out(l.count[i]);
    const auto first = static_cast<std::size_t>(l.start[i]);
    for (std::size_t k = 0; k < l.count[i]; ++k) out[k] = py::int_(l.items[first + k]);
    return out;
  });
  c.text("note", s.as.note);
  return c.columns();
}

template <>
py::list frame_of<ExerciseSession>(const Journal& j) {
  const auto& s = j.storage();
  const auto& e = s.c.exercises;
  Columns c = head<ExerciseSession>(s);
  c.instant("end", "end_offset_minutes", nullptr, e.end_us,
            e.end_offset_minutes.empty() ? e.offset_minutes : e.end_offset_minutes);
  c.text("exercise", [&](std::size_t i) {
    return std::string_view(s.c.exercise_names[static_cast<std::size_t>(e.exercise[i])]);
  });
  c.numeric<bool>("completed", "int", [&](std::size_t i) { return e.completed[i] != 0; });
  c.nullable<std::int8_t>("intensity_before", "Int8",
                          [&](std::size_t i) { return rated(e.intensity_before[i]); });
  c.nullable<std::int8_t>("intensity_after", "Int8",
                          [&](std::size_t i) { return rated(e.intensity_after[i]); });
  c.link(e.trigger, s.c.trigger_ids);
  c.text_lists("responses", s.ex.responses);
  return c.columns();
}

template <>
py::list frame_of<ThoughtRecord>(const Journal& j) {
  const auto& s = j.storage();
  const auto& t = s.c.thoughts;
  Columns c = head<ThoughtRecord>(s);
  c.text("situation", s.th.situation);
  c.text("automatic_thought", s.th.automatic_thought);
  c.numeric<std::int8_t>("belief_before", "int", [&](std::size_t i) { return t.belief_before[i]; });
  c.objects("emotions", [&](std::size_t i) {
    const auto& em = s.th.emotions;
    py::list l(em.names.count[i]);
    const auto first = static_cast<std::size_t>(em.names.start[i]);
    for (std::size_t k = 0; k < em.names.count[i]; ++k) {
      const std::size_t x = first + k;
      py::dict d;
      const std::string_view name = em.names.items[x];
      d["name"] = py::str(name.data(), name.size());
      d["before"] = py::int_(em.before[x]);
      d["after"] = em.after[x] == no_rating ? py::object(py::none()) : py::object(py::int_(em.after[x]));
      l[k] = std::move(d);
    }
    return l;
  });
  c.objects("distortions", [&](std::size_t i) {
    py::list l;
    for (auto k = t.distortion_offsets[i]; k < t.distortion_offsets[i + 1]; ++k) {
      const std::string_view id = to_id(static_cast<Distortion>(t.distortions[static_cast<std::size_t>(k)]));
      l.append(py::str(id.data(), id.size()));
    }
    return l;
  });
  c.text_lists("evidence_for", s.th.evidence_for);
  c.text_lists("evidence_against", s.th.evidence_against);
  c.text_lists("alternatives", s.th.alternatives);
  c.text("friend_advice", s.th.friend_advice);
  c.text("balanced_thought", s.th.balanced_thought);
  c.nullable<std::int8_t>("belief_after", "Int8", [&](std::size_t i) { return rated(t.belief_after[i]); });
  c.link(t.trigger, s.c.trigger_ids);
  return c.columns();
}

template <class R>
void bind_table(py::module_& m, const char* name, const char* doc) {
  py::class_<Table<R>>(m, name, doc)
      .def("__len__", [](const Table<R>& t) { return t.get().size(); })
      .def(
          "__getitem__",
          [](const Table<R>& t, py::ssize_t i) {
            const auto s = t.get();
            const auto n = static_cast<py::ssize_t>(s.size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw py::index_error("record index out of range");
            return s[static_cast<std::size_t>(i)];  // a copy: editing it does not edit the journal
          },
          py::arg("index"))
      .def("__iter__",
           [](const Table<R>& t) {
             // A snapshot, so that adding to the journal while iterating is safe.
             py::list l;
             for (const auto& r : t.get()) l.append(py::cast(r));
             return py::iter(l);
           })
      .def("__repr__",
           [name](const Table<R>& t) {
             return std::string("<") + name + ": " + std::to_string(t.get().size()) + " rows>";
           })
      .def(
          "_columns", [](const Table<R>& t) { return frame_of<R>(t.journal()); },
          "The records as column descriptions (name, kind, payload...) for calmkit._frames.build_frame, "
          "which the Python package's to_pandas() calls.");
}

// --- subsets: Journal.participant and Journal.between ------------------------

/// The rows of one record type a subset keeps: runs [first, end) of the
/// source journal's rows, in row order (one run per participant).
struct Runs {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t rows = 0;  ///< the rows of every run

  void add(std::size_t first, std::size_t end) {
    if (first >= end) return;
    runs.emplace_back(first, end);
    rows += end - first;
  }
  template <class F>
  void each(F&& f) const {
    for (const auto& [first, end] : runs) {
      for (std::size_t i = first; i < end; ++i) f(i);
    }
  }
};

// `take(to, from, runs)`: appends the rows `runs` names of a source column to
// a column of the subset, after one pass that counts what they hold (rows,
// list items, text bytes) and reserves exactly that: the subset's columns are
// as large as its records, with no room left over by growth by doubling.
template <class T>
void take(std::vector<T>& to, const std::vector<T>& from, const Runs& r) {
  to.reserve(to.size() + r.rows);
  for (const auto& [first, end] : r.runs) {
    to.insert(to.end(), from.begin() + static_cast<std::ptrdiff_t>(first),
              from.begin() + static_cast<std::ptrdiff_t>(end));
  }
}
void take(TextColumn& to, const TextColumn& from, const Runs& r) {
  std::size_t bytes = 0;
  r.each([&](std::size_t i) { bytes += from.length[i]; });
  to.arena.reserve(to.arena.size() + bytes);
  to.offset.reserve(to.offset.size() + r.rows);
  to.length.reserve(to.length.size() + r.rows);
  r.each([&](std::size_t i) { to.push_back(from[i]); });
}
/// The items of `from` that `runs` name: count, and the range of each row.
template <class List>
std::size_t items_of(const List& from, const Runs& r) {
  std::size_t n = 0;
  r.each([&](std::size_t i) { n += from.count[i]; });
  return n;
}
template <class List>
void take_starts(List& to, const List& from, const Runs& r) {
  to.start.reserve(to.start.size() + r.rows);
  to.count.reserve(to.count.size() + r.rows);
  std::uint64_t at = to.items.size();
  r.each([&](std::size_t i) {
    to.start.push_back(at);
    to.count.push_back(from.count[i]);
    at += from.count[i];
  });
}
void take(detail::TextList& to, const detail::TextList& from, const Runs& r) {
  const std::size_t items = items_of(from, r);
  std::size_t bytes = 0;
  r.each([&](std::size_t i) {
    for (std::size_t k = 0; k < from.count[i]; ++k) bytes += from.items.length[from.start[i] + k];
  });
  take_starts(to, from, r);
  to.items.arena.reserve(to.items.arena.size() + bytes);
  to.items.offset.reserve(to.items.offset.size() + items);
  to.items.length.reserve(to.items.length.size() + items);
  r.each([&](std::size_t i) {
    for (std::size_t k = 0; k < from.count[i]; ++k) to.items.push_back(from.items[from.start[i] + k]);
  });
}
template <class T>
void take(detail::ListColumn<T>& to, const detail::ListColumn<T>& from, const Runs& r) {
  take_starts(to, from, r);
  to.items.reserve(to.items.size() + items_of(from, r));
  r.each([&](std::size_t i) {
    const auto first = from.items.begin() + static_cast<std::ptrdiff_t>(from.start[i]);
    to.items.insert(to.items.end(), first, first + from.count[i]);
  });
}
void take(detail::EmotionList& to, const detail::EmotionList& from, const Runs& r) {
  take(to.names, from.names, r);  // the ratings are per item, as the names
  const std::size_t items = items_of(from.names, r);
  for (auto [t, f] : {std::pair{&to.before, &from.before}, std::pair{&to.after, &from.after}}) {
    t->reserve(t->size() + items);
    r.each([&, t = t, f = f](std::size_t i) {
      const auto first = f->begin() + static_cast<std::ptrdiff_t>(from.names.start[i]);
      t->insert(t->end(), first, first + from.names.count[i]);
    });
  }
}

/// Appends the rows `r` names of record type R of `j` to `b`, column by
/// column (no record value is made): codes into `b`'s dictionaries, trigger
/// links through `trigger_row` (source trigger row -> subset row, or
/// `no_trigger` for a trigger the subset leaves out: the link is dropped).
template <class R>
void take_rows(JournalBuilder& b, const Journal& j, const Runs& r,
               const std::vector<std::int32_t>& trigger_row) {
  if (r.rows == 0) return;
  const detail::Tables& from = j.storage();
  // The builder's codes of the source's participants (and exercises and
  // instruments) these rows use, looked up before its columns are filled.
  std::vector<std::int32_t> participant(from.c.participants.size(), -1);
  for (const auto& [first, end] : r.runs) {
    (void)end;
    const auto p = static_cast<std::size_t>(detail::participant_column<R>(from.c)[first]);
    if (participant[p] < 0) participant[p] = b.participant_code(from.c.participants[p]);
  }
  auto names_of = [&r](const std::vector<std::int32_t>& codes, const std::vector<std::string>& names,
                       auto&& code_of) {
    std::vector<std::int32_t> map(names.size(), -1);
    r.each([&](std::size_t i) {
      auto& m = map[static_cast<std::size_t>(codes[i])];
      if (m < 0) m = code_of(names[static_cast<std::size_t>(codes[i])]);
    });
    return map;
  };
  std::vector<std::int32_t> names;
  if constexpr (std::is_same_v<R, ExerciseSession>) {
    names = names_of(from.c.exercises.exercise, from.c.exercise_names,
                     [&b](std::string_view n) { return b.exercise_code(n); });
  } else if constexpr (std::is_same_v<R, Assessment>) {
    names = names_of(from.as.instrument, from.instruments,
                     [&b](std::string_view n) { return b.instrument_code(n); });
  }
  b.append_columns<R>([&](detail::Tables& s) {
    const std::size_t first = detail::rows_of<R>(s);
    detail::each_column<R>([&r](auto& to, const auto& src) { take(to, src, r); }, s, from);
    auto recode = [first](std::vector<std::int32_t>& column, const std::vector<std::int32_t>& map) {
      for (std::size_t i = first; i < column.size(); ++i)
        column[i] = map[static_cast<std::size_t>(column[i])];
    };
    recode(detail::participant_column<R>(s.c), participant);
    if constexpr (std::is_same_v<R, ExerciseSession>) recode(s.c.exercises.exercise, names);
    if constexpr (std::is_same_v<R, Assessment>) recode(s.as.instrument, names);
    if constexpr (detail::has_link<R>) {
      auto& link = detail::link_column<R>(s.c);
      for (std::size_t i = first; i < link.size(); ++i) {
        if (link[i] != no_trigger) link[i] = trigger_row[static_cast<std::size_t>(link[i])];
      }
    }
    if constexpr (std::is_same_v<R, ThoughtRecord>) {
      // The distortions: compressed rows (offsets and codes), not a per-row column.
      const auto& fo = from.c.thoughts.distortion_offsets;
      auto& to = s.c.thoughts;
      std::size_t n = 0;
      r.each([&](std::size_t i) { n += static_cast<std::size_t>(fo[i + 1] - fo[i]); });
      to.distortions.reserve(to.distortions.size() + n);
      to.distortion_offsets.reserve(to.distortion_offsets.size() + r.rows);
      r.each([&](std::size_t i) {
        const auto d = from.c.thoughts.distortions.begin();
        to.distortions.insert(to.distortions.end(), d + fo[i], d + fo[i + 1]);
        to.distortion_offsets.push_back(static_cast<std::int64_t>(to.distortions.size()));
      });
    }
  });
}

/// The journal of `participants`' records (all of them, or those whose time
/// is in [from, to)): a record linked to a trigger left out loses the link.
/// Copied column by column from `j`'s storage into columns sized exactly (B217:
/// it made a value of every record kept first, each text a string of its own,
/// and a set of the kept triggers' keys: a subset of 990k records of a 1.08M
/// line journal took the process from 335 to 820 MiB).
Journal subset(const Journal& j, const std::vector<std::string>& participants, Instant from, Instant to,
               bool all_time) {
  std::array<Runs, 5> runs;
  for (const auto& p : participants) {
    auto range = [&](auto view) { return std::pair{view.first_row(), view.end_row()}; };
    const std::pair<std::size_t, std::size_t> ranges[] = {
        range(all_time ? j.triggers_of(p) : j.triggers_between(p, from, to)),
        range(all_time ? j.readings_of(p) : j.readings_between(p, from, to)),
        range(all_time ? j.exercises_of(p) : j.exercises_between(p, from, to)),
        range(all_time ? j.thought_records_of(p) : j.thought_records_between(p, from, to)),
        range(all_time ? j.assessments_of(p) : j.assessments_between(p, from, to))};
    for (std::size_t t = 0; t < runs.size(); ++t) runs[t].add(ranges[t].first, ranges[t].second);
  }
  // Source trigger row -> the subset's row (`no_trigger`: left out).
  std::vector<std::int32_t> trigger_row(j.columns().triggers.size(), no_trigger);
  std::int32_t next = 0;
  runs[0].each([&](std::size_t i) { trigger_row[i] = next++; });
  JournalBuilder b(detail::linked_by_row);
  take_rows<Trigger>(b, j, runs[0], trigger_row);
  take_rows<Reading>(b, j, runs[1], trigger_row);
  take_rows<ExerciseSession>(b, j, runs[2], trigger_row);
  take_rows<ThoughtRecord>(b, j, runs[3], trigger_row);
  take_rows<Assessment>(b, j, runs[4], trigger_row);
  trigger_row = {};
  // The rows are in the journal's order already: the build sorts nothing.
  return std::move(b).build(detail::trusted);
}

void bind_journal(py::module_& m) {
  py::class_<Journal>(
      m, "Journal",
      "The records of one person or a cohort, ordered by (participant, time, id) and checked: "
      "ids unique per participant and type, trigger links resolve, exercise end >= time.")
      .def(py::init([](const py::iterable& records) {
             RecordSet rs;
             for (py::handle h : records) {
               std::visit(
                   [&rs](auto&& r) {
                     using R = std::decay_t<decltype(r)>;
                     if constexpr (std::is_same_v<R, Trigger>)
                       rs.triggers.push_back(std::move(r));
                     else if constexpr (std::is_same_v<R, Reading>)
                       rs.readings.push_back(std::move(r));
                     else if constexpr (std::is_same_v<R, ExerciseSession>)
                       rs.exercises.push_back(std::move(r));
                     else if constexpr (std::is_same_v<R, ThoughtRecord>)
                       rs.thought_records.push_back(std::move(r));
                     else
                       rs.assessments.push_back(std::move(r));
                   },
                   record_from_py(h));
             }
             return Journal(std::move(rs));
           }),
           py::arg("records") = py::tuple(),
           "A journal of the given records (any order, any mix of types). Raises ValueError for a broken "
           "rule (duplicate id, dangling trigger link, end before time).")
      .def(
          "add",
          [](Journal& j, py::handle record) {
            const Record r = record_from_py(record);
            wait_for_readers(j.columns());  // a metric or a write on another thread reads the columns
            j.add(r);
          },
          py::arg("record"), "Adds one record; ValueError (journal unchanged) if it would break a rule.")
      .def("__len__", &Journal::size)
      .def("__eq__", &equal<Journal>, py::is_operator(), py::arg("other"))
      .def("__repr__",
           [](const Journal& j) {
             return "Journal(participants=" + std::to_string(j.participants().size()) +
                    ", triggers=" + std::to_string(j.triggers().size()) +
                    ", readings=" + std::to_string(j.readings().size()) +
                    ", exercises=" + std::to_string(j.exercises().size()) +
                    ", thought_records=" + std::to_string(j.thought_records().size()) +
                    ", assessments=" + std::to_string(j.assessments().size()) + ")";
           })
      .def("participants", &Journal::participants, "Every participant with at least one record, sorted.")
      .def(
          "participant",
          [](const Journal& j, const Utf8Arg<"participant">& participant) {
            return subset(j, {participant}, {}, {}, true);
          },
          py::arg("participant"), "A new journal with only this participant's records (empty if unknown).")
      .def(
          "between",
          [](const Journal& j, Instant start, Instant end) {
            return subset(j, j.participants(), start, end, false);
          },
          py::arg("start"), py::arg("end"),
          "A new journal with the records whose `time` is in [start, end) (exercises by their start). "
          "A record linked to a trigger outside the range loses the link, so the result stays a valid "
          "journal that writes and reads back.")
      .def(py::pickle(
          // The journal format v1 text (header included) as UTF-8 bytes: about
          // as large as the .jsonl file, and read back by the checked reader.
          [](const Journal& j) {
            std::string text;
            {
              const ReleasedRead release(j.columns());
              text = to_jsonl(j);
            }
            return py::make_tuple(py::bytes(text));
          },
          [](const py::tuple& state) {
            if (state.size() != 1 || !py::isinstance<py::bytes>(state[0])) {
              throw py::value_error("Journal pickle state must be a 1-tuple of bytes (JSON Lines v1)");
            }
            const std::string text = state[0].cast<std::string>();
            py::gil_scoped_release release;
            return parse_journal(text, ReadOptions{}, "<pickle>");
          }))
      .def_property_readonly(
          "triggers", [](py::object self) { return Table<Trigger>{std::move(self)}; },
          "The triggers (a live view).")
      .def_property_readonly(
          "readings", [](py::object self) { return Table<Reading>{std::move(self)}; },
          "The readings (a live view).")
      .def_property_readonly(
          "exercises", [](py::object self) { return Table<ExerciseSession>{std::move(self)}; },
          "The exercise sessions (a live view).")
      .def_property_readonly(
          "thought_records", [](py::object self) { return Table<ThoughtRecord>{std::move(self)}; },
          "The thought records (a live view).")
      .def_property_readonly(
          "assessments", [](py::object self) { return Table<Assessment>{std::move(self)}; },
          "The assessments (a live view).");
}

/// Pickling of a record class (defined in model.cpp): `__reduce__` gives
/// `(_core._rebuild_record, (cls, {field: value}))`, rebuilt through the
/// class's own keyword constructor, so unpickling checks every field again.
template <std::size_t N>
void add_record_pickling(py::module_& m, const char* cls_name, const std::array<const char*, N>& fields) {
  py::object cls = m.attr(cls_name);
  py::object rebuild = m.attr("_rebuild_record");
  cls.attr("__reduce__") = py::cpp_function(
      [fields, rebuild](py::object self) {
        py::dict kwargs;
        for (const char* f : fields) kwargs[f] = self.attr(f);
        return py::make_tuple(rebuild, py::make_tuple(py::type::of(self), std::move(kwargs)));
      },
      py::is_method(cls), py::name("__reduce__"), "Pickle support: the fields, rebuilt by the constructor.");
}

void bind_record_pickling(py::module_& m) {
  m.def(
      "_rebuild_record", [](const py::object& cls, const py::dict& kwargs) { return cls(**kwargs); },
      py::arg("cls"), py::arg("kwargs"), "Unpickles a record: cls(**kwargs).");
  add_record_pickling<13>(m, "Trigger",
                          {"id", "time", "category", "intensity", "participant", "context", "thoughts",
                           "sensations", "urge", "acted_on_urge", "acted_after_minutes", "response", "tags"});
  add_record_pickling<6>(m, "Reading", {"time", "intensity", "participant", "id", "trigger", "note"});
  add_record_pickling<10>(m, "ExerciseSession",
                          {"id", "time", "end", "exercise", "participant", "completed", "intensity_before",
                           "intensity_after", "trigger", "responses"});
  add_record_pickling<3>(m, "EmotionRating", {"name", "before", "after"});
  add_record_pickling<15>(m, "ThoughtRecord",
                          {"id", "time", "situation", "automatic_thought", "belief_before", "participant",
                           "emotions", "distortions", "evidence_for", "evidence_against", "alternatives",
                           "friend_advice", "balanced_thought", "belief_after", "trigger"});
  add_record_pickling<6>(m, "Assessment", {"id", "time", "instrument", "answers", "participant", "note"});
}

}  // namespace

void register_journal(py::module_& m) {
  bind_record_pickling(m);
  bind_table<Trigger>(m, "TriggerTable",
                      "The triggers of a journal: len(), indexing, iteration, to_pandas().");
  bind_table<Reading>(m, "ReadingTable",
                      "The readings of a journal: len(), indexing, iteration, to_pandas().");
  bind_table<ExerciseSession>(m, "ExerciseTable",
                              "The exercise sessions of a journal: len(), indexing, iteration, to_pandas().");
  bind_table<ThoughtRecord>(m, "ThoughtRecordTable",
                            "The thought records of a journal: len(), indexing, iteration, to_pandas().");
  bind_table<Assessment>(m, "AssessmentTable",
                         "The assessments of a journal: len(), indexing, iteration, to_pandas().");
  bind_journal(m);
}

}  // namespace calmkit::bindings
