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

#include <calmkit/io.hpp>

#include <pybind11/numpy.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>

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

/// Collects `(name, kind, payload...)` tuples for `_frames.build_frame`.
class Columns {
 public:
  explicit Columns(std::size_t n) : n_(n) {}

  template <class T, class R, class F>
  void numeric(const char* name, const char* kind, std::span<const R> rs, F f) {
    py::array_t<T> a(static_cast<py::ssize_t>(n_));
    T* p = a.mutable_data();
    for (std::size_t i = 0; i < n_; ++i) p[i] = static_cast<T>(f(rs[i]));
    add(name, kind, std::move(a));
  }

  /// `time`, `offset_minutes`, `local_time` (and the same for `end`).
  template <class R, class F>
  void instant(const char* time_name, const char* offset_name, const char* local_name, std::span<const R> rs,
               F f) {
    numeric<std::int64_t>(time_name, "utc_time", rs, [&](const R& r) { return f(r).utc_micros(); });
    numeric<std::int16_t>(offset_name, "int", rs, [&](const R& r) { return f(r).offset().minutes(); });
    if (local_name) {
      numeric<std::int64_t>(local_name, "local_time", rs, [&](const R& r) { return f(r).local_micros(); });
    }
  }

  /// An optional value: values (0 where absent) and a mask (true = missing).
  template <class T, class R, class F>
  void nullable(const char* name, const char* dtype, std::span<const R> rs, F f) {
    py::array_t<T> values(static_cast<py::ssize_t>(n_));
    py::array_t<bool> mask(static_cast<py::ssize_t>(n_));
    T* v = values.mutable_data();
    bool* k = mask.mutable_data();
    for (std::size_t i = 0; i < n_; ++i) {
      const auto o = f(rs[i]);
      k[i] = !o.has_value();
      v[i] = o ? static_cast<T>(*o) : T{};
    }
    cols_.append(py::make_tuple(name, "nullable", std::move(values), std::move(mask), dtype));
  }

  template <class Codes, class R, class F>
  void categorical(const char* name, std::span<const R> rs, py::list categories, F code) {
    py::array_t<Codes> a(static_cast<py::ssize_t>(n_));
    Codes* p = a.mutable_data();
    for (std::size_t i = 0; i < n_; ++i) p[i] = static_cast<Codes>(code(rs[i]));
    cols_.append(py::make_tuple(name, "category", std::move(a), std::move(categories)));
  }

  /// Participants as codes into the journal's sorted participant list (the
  /// same categories in every table of a journal, so frames join cleanly).
  template <class R>
  void participant(std::span<const R> rs, const std::vector<std::string>& all) {
    py::array_t<std::int32_t> a(static_cast<py::ssize_t>(n_));
    std::int32_t* p = a.mutable_data();
    // Records are ordered by participant, so one forward walk assigns codes.
    std::size_t c = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      while (c < all.size() && all[c] != rs[i].participant) ++c;
      p[i] = static_cast<std::int32_t>(c);
    }
    cols_.append(py::make_tuple("participant", "category", std::move(a), py::cast(all)));
  }

  /// Text: one Python str per row (strings cannot avoid that). The model
  /// writes an absent optional text as "" (as the journal format does); here
  /// it becomes None, so the column (pandas "string" dtype) shows <NA> like
  /// the numbers and booleans do, and `isna()` / joins see it as missing.
  template <class R, class F>
  void text(const char* name, std::span<const R> rs, F f) {
    py::list l(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const auto& v = f(rs[i]);
      l[i] = v.empty() ? py::object(py::none()) : py::object(py::str(v));
    }
    add(name, "str", std::move(l));
  }

  /// Python objects (lists, lists of dicts): one per row.
  template <class R, class F>
  void objects(const char* name, std::span<const R> rs, F f) {
    py::list l(n_);
    for (std::size_t i = 0; i < n_; ++i) l[i] = f(rs[i]);
    add(name, "object", std::move(l));
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

py::list frame_of(const Journal& j, std::span<const Trigger> rs) {
  Columns c(rs.size());
  c.participant(rs, j.participants());
  c.text("id", rs, [](const Trigger& t) { return t.id; });
  c.instant("time", "offset_minutes", "local_time", rs, [](const Trigger& t) { return t.time; });
  c.categorical<std::int8_t>("category", rs, ids_of_categories(),
                             [](const Trigger& t) { return static_cast<int>(t.category); });
  c.categorical<std::int8_t>("group", rs, ids_of_groups(),
                             [](const Trigger& t) { return static_cast<int>(group_of(t.category)); });
  c.numeric<std::int8_t>("intensity", "int", rs, [](const Trigger& t) { return t.intensity.value(); });
  c.text("context", rs, [](const Trigger& t) { return t.context; });
  c.objects("thoughts", rs, [](const Trigger& t) { return py::cast(t.thoughts); });
  c.objects("sensations", rs, [](const Trigger& t) { return py::cast(t.sensations); });
  c.text("urge", rs, [](const Trigger& t) { return t.urge; });
  c.nullable<bool>("acted_on_urge", "boolean", rs, [](const Trigger& t) { return t.acted_on_urge; });
  c.nullable<double>("acted_after_minutes", "Float64", rs,
                     [](const Trigger& t) { return minutes_to_py(t.acted_after_minutes); });
  c.text("response", rs, [](const Trigger& t) { return t.response; });
  c.objects("tags", rs, [](const Trigger& t) { return py::cast(t.tags); });
  return c.columns();
}

py::list frame_of(const Journal& j, std::span<const Reading> rs) {
  Columns c(rs.size());
  c.participant(rs, j.participants());
  c.text("id", rs, [](const Reading& r) { return r.id; });
  c.instant("time", "offset_minutes", "local_time", rs, [](const Reading& r) { return r.time; });
  c.numeric<std::int8_t>("intensity", "int", rs, [](const Reading& r) { return r.intensity.value(); });
  c.text("trigger", rs, [](const Reading& r) { return r.trigger; });
  c.text("note", rs, [](const Reading& r) { return r.note; });
  return c.columns();
}

py::list frame_of(const Journal& j, std::span<const Assessment> rs) {
  Columns c(rs.size());
  c.participant(rs, j.participants());
  c.text("id", rs, [](const Assessment& a) { return a.id; });
  c.instant("time", "offset_minutes", "local_time", rs, [](const Assessment& a) { return a.time; });
  c.text("instrument", rs, [](const Assessment& a) { return a.instrument; });
  c.objects("answers", rs, [](const Assessment& a) { return py::cast(a.answers); });
  c.text("note", rs, [](const Assessment& a) { return a.note; });
  return c.columns();
}

py::list frame_of(const Journal& j, std::span<const ExerciseSession> rs) {
  Columns c(rs.size());
  c.participant(rs, j.participants());
  c.text("id", rs, [](const ExerciseSession& e) { return e.id; });
  c.instant("time", "offset_minutes", "local_time", rs, [](const ExerciseSession& e) { return e.time; });
  c.instant("end", "end_offset_minutes", nullptr, rs, [](const ExerciseSession& e) { return e.end; });
  c.text("exercise", rs, [](const ExerciseSession& e) { return e.exercise; });
  c.numeric<bool>("completed", "int", rs, [](const ExerciseSession& e) { return e.completed; });
  c.nullable<std::int8_t>("intensity_before", "Int8", rs,
                          [](const ExerciseSession& e) { return optional_value(e.intensity_before); });
  c.nullable<std::int8_t>("intensity_after", "Int8", rs,
                          [](const ExerciseSession& e) { return optional_value(e.intensity_after); });
  c.text("trigger", rs, [](const ExerciseSession& e) { return e.trigger; });
  c.objects("responses", rs, [](const ExerciseSession& e) { return py::cast(e.responses); });
  return c.columns();
}

py::list frame_of(const Journal& j, std::span<const ThoughtRecord> rs) {
  Columns c(rs.size());
  c.participant(rs, j.participants());
  c.text("id", rs, [](const ThoughtRecord& t) { return t.id; });
  c.instant("time", "offset_minutes", "local_time", rs, [](const ThoughtRecord& t) { return t.time; });
  c.text("situation", rs, [](const ThoughtRecord& t) { return t.situation; });
  c.text("automatic_thought", rs, [](const ThoughtRecord& t) { return t.automatic_thought; });
  c.numeric<std::int8_t>("belief_before", "int", rs,
                         [](const ThoughtRecord& t) { return t.belief_before.value(); });
  c.objects("emotions", rs, [](const ThoughtRecord& t) {
    py::list l;
    for (const auto& e : t.emotions) {
      py::dict d;
      d["name"] = e.name;
      d["before"] = e.before.value();
      d["after"] = e.after ? py::object(py::int_(e.after->value())) : py::object(py::none());
      l.append(std::move(d));
    }
    return l;
  });
  c.objects("distortions", rs,
            [](const ThoughtRecord& t) { return py::cast(distortion_ids(t.distortions)); });
  c.objects("evidence_for", rs, [](const ThoughtRecord& t) { return py::cast(t.evidence_for); });
  c.objects("evidence_against", rs, [](const ThoughtRecord& t) { return py::cast(t.evidence_against); });
  c.objects("alternatives", rs, [](const ThoughtRecord& t) { return py::cast(t.alternatives); });
  c.text("friend_advice", rs, [](const ThoughtRecord& t) { return t.friend_advice; });
  c.text("balanced_thought", rs, [](const ThoughtRecord& t) { return t.balanced_thought; });
  c.nullable<std::int8_t>("belief_after", "Int8", rs,
                          [](const ThoughtRecord& t) { return optional_value(t.belief_after); });
  c.text("trigger", rs, [](const ThoughtRecord& t) { return t.trigger; });
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
          "_columns",
          [](const Table<R>& t) {
            const std::vector<R> records = t.get().to_vector();
            return frame_of(t.journal(), std::span<const R>(records));
          },
          "The records as column descriptions (name, kind, payload...) for calmkit._frames.build_frame, "
          "which the Python package's to_pandas() calls.");
}

/// `r` with its trigger link cleared when the linked trigger is not among `kept`
/// (keys from `detail::scoped_key`).
template <class R>
R keep_link(R r, const std::unordered_set<std::string>& kept) {
  if (!r.trigger.empty() && !kept.contains(detail::scoped_key(r.participant, r.trigger))) r.trigger.clear();
  return r;
}

Journal subset(const Journal& j, const std::vector<std::string>& participants, Instant from, Instant to,
               bool all_time) {
  RecordSet out;
  std::unordered_set<std::string> kept;
  for (const auto& p : participants) {
    for (const auto& t : all_time ? j.triggers_of(p) : j.triggers_between(p, from, to)) {
      kept.insert(detail::scoped_key(t.participant, t.id));
      out.triggers.push_back(t);
    }
  }
  for (const auto& p : participants) {
    for (const auto& r : all_time ? j.readings_of(p) : j.readings_between(p, from, to)) {
      out.readings.push_back(keep_link(r, kept));
    }
    for (const auto& e : all_time ? j.exercises_of(p) : j.exercises_between(p, from, to)) {
      out.exercises.push_back(keep_link(e, kept));
    }
    for (const auto& t : all_time ? j.thought_records_of(p) : j.thought_records_between(p, from, to)) {
      out.thought_records.push_back(keep_link(t, kept));
    }
    for (const auto& a : all_time ? j.assessments_of(p) : j.assessments_between(p, from, to)) {
      out.assessments.push_back(a);  // no trigger link to keep
    }
  }
  // Drawn from a valid journal and with every dangling link cleared: still valid.
  return Journal(std::move(out), detail::trusted);
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
          "add", [](Journal& j, py::handle record) { j.add(record_from_py(record)); }, py::arg("record"),
          "Adds one record; ValueError (journal unchanged) if it would break a rule.")
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
          "participant", [](const Journal& j, const std::string& p) { return subset(j, {p}, {}, {}, true); },
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
              py::gil_scoped_release release;
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
            return parse_journal(text, ReadOptions{}, "<pickle>").journal;
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
