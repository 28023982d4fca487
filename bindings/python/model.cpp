// The record classes (Trigger, Reading, ExerciseSession, ThoughtRecord,
// EmotionRating) and the vocabularies, as Python sees them.
//
// Conventions shared by every record class:
// - keyword-only constructors; required fields have no default;
// - attributes carry the journal format's field names and are writable;
//   scores are checked on every write (ValueError outside 0–10 / 0–100);
// - vocabularies are their string ids; an unknown id is a ValueError that
//   lists the valid ones;
// - list attributes (thoughts, tags, ...) return a copy: assign a new list
//   (`t.tags = [*t.tags, "x"]`) rather than appending in place.
#include "common.hpp"

#include <pybind11/numpy.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace calmkit::bindings {

/// A `time` or `end` argument of a record class's constructor, as given: it
/// is converted by `time_field` inside the constructor, where the record and
/// the field are known, so that a value of the wrong type is refused in the
/// rules' words instead of pybind11's "incompatible constructor arguments".
struct TimeArg {
  py::object value;  ///< The Python value passed.
};

}  // namespace calmkit::bindings

namespace pybind11::detail {

/// Takes any value as a `TimeArg` (the signature shows what a time is).
template <>
struct type_caster<calmkit::bindings::TimeArg> {
  PYBIND11_TYPE_CASTER(calmkit::bindings::TimeArg, const_name("datetime.datetime | str"));

  bool load(handle src, bool /*convert*/) {
    value.value = reinterpret_borrow<object>(src);
    return true;
  }

  static handle cast(const calmkit::bindings::TimeArg& t, return_value_policy /*policy*/, handle /*parent*/) {
    return t.value.inc_ref();
  }
};

}  // namespace pybind11::detail

namespace calmkit::bindings {
namespace {

/// Appends `, name=repr(value)` for a non-empty string.
void repr_str(std::string& out, const char* name, const std::string& v) {
  if (v.empty()) return;
  out += ", ";
  out += name;
  out += '=';
  out += quoted(v);
}

std::string repr_head(const char* type, const std::string& participant, const std::string& id, Instant time) {
  std::string out = type;
  out += "(participant=" + quoted(participant) + ", id=" + quoted(id) + ", time=" + quoted(time.to_string());
  return out;
}

/// What a Python value is, in the JSON reader's words for a value of the
/// wrong type (`a string`, `true/false`, `a list`, `an object`, `null`), or
/// its text when it is a number (`8.7`, `8.0`, `inf`): the `got` of a rule.
std::string got_text(const py::handle& v) {
  if (v.is_none()) return "null";
  if (PyBool_Check(v.ptr())) return "true/false";
  if (py::isinstance<py::str>(v)) return "a string";
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) return "a list";
  if (py::isinstance<py::dict>(v)) return "an object";
  if (py::isinstance<py::int_>(v)) return py::str(v).cast<std::string>();
  return py::repr(v).cast<std::string>();
}

/// What a Python value is, in the JSON reader's words, a number as `a number`.
std::string type_text(const py::handle& v) {
  if (!PyBool_Check(v.ptr()) && (PyFloat_Check(v.ptr()) || PyIndex_Check(v.ptr()))) return "a number";
  return got_text(v);
}

/// Raises the record class's error (`reading 'r1': field 'intensity': ...`, a ValueError).
[[noreturn]] void refuse(const std::string& record, std::string field, std::string reason) {
  detail::throw_record(record, RuleViolation{std::move(field), std::move(reason)});
}

/// `v` as a Python int when it is one (or a NumPy integer), never a bool or a float; else None.
std::optional<py::int_> exact_int(const py::handle& v) {
  if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr())) return std::nullopt;
  PyObject* i = PyNumber_Index(v.ptr());
  if (i == nullptr) {  // NumPy's bool_ has __index__ but refuses it
    PyErr_Clear();
    return std::nullopt;
  }
  return py::reinterpret_steal<py::int_>(i);
}

/// How an emotion rating is named in its refusals: `emotion 'fear'`.
std::string emotion_place(const EmotionRating& r) {
  return "emotion " + detail::quote(r.name);
}

/// A bounded score field (Intensity, Percent) of a record class: the model's
/// rule, refused as the journal reader words it for the same value
/// (`must be an integer 0..10, got true/false`), with the record and field.
template <class B>
B score_field(const std::string& record, const char* field, const py::handle& v) {
  const auto i = exact_int(v);
  if (!i) refuse(record, field, detail::integer_range_reason(B::min, B::max, got_text(v)));
  if (*i < py::int_(B::min) || *i > py::int_(B::max))  // also an int beyond a C++ integer
    refuse(record, field, detail::integer_range_reason(B::min, B::max, py::str(*i).cast<std::string>()));
  return *B::make(i->cast<long long>());
}

template <class B>
std::optional<B> optional_score_field(const std::string& record, const char* field, const py::handle& v) {
  if (v.is_none()) return std::nullopt;
  return score_field<B>(record, field, v);
}

/// A true/false field: a bool (or NumPy's bool_), never a number.
bool bool_field(const std::string& record, const char* field, const py::handle& v) {
  if (PyBool_Check(v.ptr())) return v.ptr() == Py_True;
  const py::handle type = reinterpret_cast<PyObject*>(Py_TYPE(v.ptr()));
  if (py::str(type.attr("__module__")).cast<std::string>() == "numpy" &&
      py::str(type.attr("__name__")).cast<std::string>().rfind("bool", 0) == 0)
    return PyObject_IsTrue(v.ptr()) == 1;
  refuse(record, field, rules::not_true_or_false(type_text(v)));
}

std::optional<bool> optional_bool_field(const std::string& record, const char* field, const py::handle& v) {
  if (v.is_none()) return std::nullopt;
  return bool_field(record, field, v);
}

/// acted_after_minutes: a number (int or float, never a bool), then the
/// model's `Minutes` rule (finite, >= 0), or None.
std::optional<Minutes> minutes_field(const std::string& record, const py::handle& v) {
  if (v.is_none()) return std::nullopt;
  if (PyBool_Check(v.ptr()) || !(PyFloat_Check(v.ptr()) || PyIndex_Check(v.ptr())))
    refuse(record, "acted_after_minutes", rules::not_minutes(type_text(v)));
  double m = PyFloat_AsDouble(v.ptr());
  if (m == -1.0 && PyErr_Occurred() != nullptr) {  // an int beyond a double: infinite, as the reader reads it
    PyErr_Clear();
    m = py::int_(py::reinterpret_borrow<py::object>(v)) < py::int_(0)
            ? -std::numeric_limits<double>::infinity()
            : std::numeric_limits<double>::infinity();
  }
  return minutes_from_py(record, m);
}

/// An assessment's answers: a list of ints (one per item), never bools or floats.
std::vector<int> answers_field(const std::string& record, const py::handle& v) {
  if (py::isinstance<py::str>(v) || py::isinstance<py::dict>(v) || !py::isinstance<py::sequence>(v))
    refuse(record, "answers", rules::not_a_list("integers", type_text(v)));
  constexpr long long lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  std::vector<int> out;
  std::size_t k = 0;
  for (const py::handle item : py::reinterpret_borrow<py::object>(v)) {
    const std::string field = "answers[" + std::to_string(k++) + "]";
    const auto i = exact_int(item);
    if (!i) refuse(record, field, detail::integer_range_reason(lo, hi, got_text(item)));
    if (*i < py::int_(lo) || *i > py::int_(hi))
      refuse(record, field, detail::integer_range_reason(lo, hi, py::str(*i).cast<std::string>()));
    out.push_back(i->cast<int>());
  }
  return out;
}

/// A text field of a record class: a str (else the type rule, `must be a
/// string, got a number`) that is UTF-8. A str holding a lone surrogate
/// (U+D800..U+DFFF) has no UTF-8 form: it is refused by the text rule
/// (`rules::utf8_text`) for the bytes Python's "surrogatepass" gives it, the
/// reason the reader gives for the same bytes in a line (`is not valid UTF-8
/// (byte 0xed at offset 1)`). `bytes` are taken as the text's bytes, as they
/// are: the UTF-8 rule runs on them where the record enters a journal, a file
/// or a store (`validate`), as for any record made in C++.
std::string text_field(const std::string& record, const std::string& field, const py::handle& v) {
  if (PyBytes_Check(v.ptr())) return v.cast<std::string>();
  if (!PyUnicode_Check(v.ptr())) refuse(record, field, rules::not_a_string(type_text(v)));
  Py_ssize_t n = 0;
  if (const char* p = PyUnicode_AsUTF8AndSize(v.ptr(), &n)) return {p, static_cast<std::size_t>(n)};
  PyErr_Clear();
  const auto bytes =
      py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(v.ptr(), "utf-8", "surrogatepass"));
  if (!bytes) throw py::error_already_set();
  std::string text = bytes.cast<std::string>();
  if (auto bad = rules::utf8_text(field, text)) refuse(record, std::move(bad->field), std::move(bad->reason));
  return text;  // not reached: a str that UTF-8 refuses holds a surrogate
}

/// A list-of-text field (`thoughts`, `tags`, ...): a list or tuple (else
/// `must be a list of strings, got a string`) of text items (`tags[1]`).
std::vector<std::string> text_list_field(const std::string& record, const std::string& field,
                                         const py::handle& v) {
  if (!py::isinstance<py::list>(v) && !py::isinstance<py::tuple>(v))
    refuse(record, field, rules::not_a_list("strings", type_text(v)));
  std::vector<std::string> out;
  std::size_t k = 0;
  for (const py::handle item : py::reinterpret_borrow<py::sequence>(v))
    out.push_back(text_field(record, field + '[' + std::to_string(k++) + ']', item));
  return out;
}

/// A thought record's `emotions`: a list or tuple (else `must be a list of
/// emotion objects, got ...`) of EmotionRating (else, as the reader words an
/// item that is no object: `must be an object {name, before, after}, got ...`).
std::vector<EmotionRating> emotions_field(const std::string& record, const py::handle& v) {
  if (!py::isinstance<py::list>(v) && !py::isinstance<py::tuple>(v))
    refuse(record, "emotions", rules::not_a_list("emotion objects", type_text(v)));
  std::vector<EmotionRating> out;
  std::size_t k = 0;
  for (const py::handle item : py::reinterpret_borrow<py::sequence>(v)) {
    if (!py::isinstance<EmotionRating>(item))
      refuse(record, "emotions[" + std::to_string(k) + "]", rules::not_an_emotion(type_text(item)));
    out.push_back(item.cast<const EmotionRating&>());
    ++k;
  }
  return out;
}

/// How the refusals of a record class's setters name the object: the record
/// (`trigger 't1' of participant 'p'`), an emotion rating by its name.
template <class R>
std::string place_of(const R& r) {
  return describe_record(r);
}
template <>
std::string place_of(const EmotionRating& r) {
  return emotion_place(r);
}

/// The docstring of every record class's `participant` attribute.
constexpr const char* participant_doc =
    "Participant id (str, UTF-8; \"\" for none): whose record this is. Assigning a non-str or a str that is "
    "not UTF-8 (a lone surrogate) raises RecordError naming the field.";

/// A text attribute `name` of record class `cls`, checked on every write (`text_field`).
template <class R, class C>
void text_attr(C& cls, const char* name, std::string R::*member, const char* doc = "") {
  cls.def_property(
      name, [member](const R& r) { return r.*member; },
      [member, name](R& r, const py::object& v) { r.*member = text_field(place_of(r), name, v); }, doc);
}

/// A list-of-text attribute of a record class, checked on every write (`text_list_field`).
template <class R, class C>
void text_list_attr(C& cls, const char* name, std::vector<std::string> R::*member, const char* doc = "") {
  cls.def_property(
      name, [member](const R& r) { return r.*member; },
      [member, name](R& r, const py::object& v) { r.*member = text_list_field(place_of(r), name, v); }, doc);
}

/// A time field of a record class (`time`, `end`): an aware datetime (a
/// pandas Timestamp too) or an RFC 3339 string with an offset, taken where the
/// record and field are known so that a refusal names them, as every other
/// field's does (`trigger 't1': field 'time': ...`):
/// - a string that is no time: the reader's rule for the same text
///   (`rules::invalid_time`: `invalid time 'yesterday': ...`);
/// - a naive datetime, an offset of seconds, a year outside 1400..9999: the
///   datetime conversion's reason (common.hpp, `instant_from_datetime`);
/// - any other type: `must be an aware datetime or an RFC 3339 string, got
///   a number` (`got` in the reader's words, `type_text`; the reader's own
///   rule for a JSON time is `rules::not_a_string`, and Python takes a
///   datetime as well, so the reason says both).
Instant time_field(const std::string& record, const char* field, const py::handle& v) {
  ensure_datetime_api();
  if (PyUnicode_Check(v.ptr())) {
    const std::string text = text_field(record, field, v);
    TimeParseError why;
    if (auto t = Instant::try_parse(text, &why)) return *t;
    refuse(record, field, rules::invalid_time(text, why));
  }
  if (!PyDateTime_Check(v.ptr()))
    refuse(record, field, "must be an aware datetime or an RFC 3339 string, got " + type_text(v));
  try {
    return instant_from_datetime(v);
  } catch (const py::value_error& e) {
    refuse(record, field, e.what());
  }
}

/// A time attribute `name` of record class `cls`, checked on every write
/// (`time_field`); its docstring is `doc` and what setting it takes.
template <class R, class C>
void time_attr(C& cls, const char* name, Instant R::*member, const char* doc) {
  const std::string text = std::string(doc) +
                           " Set: an aware datetime or an RFC 3339 string with an offset "
                           "(docs/journal-format.md); anything else raises RecordError (a ValueError).";
  cls.def_property(  // pybind11 copies the docstring
      name, [member](const R& r) { return r.*member; },
      [member, name](R& r, const py::object& v) { r.*member = time_field(place_of(r), name, v); },
      text.c_str());
}

/// The participant and id of a new record of `type`, as text fields: the
/// participant's refusal names the record by its type, the id's by its
/// participant too.
template <class R>
void name_fields(R& r, const py::handle& participant, const py::handle& id) {
  const std::string type(to_id(record_type_of<R>));
  r.participant = text_field(type, "participant", participant);
  r.id = text_field(describe_record(type, r.participant, ""), "id", id);
}

void bind_trigger(py::module_& m) {
  py::class_<Trigger> cls(m, "Trigger",
                          "A moment the attachment alarm fired (journal record type 'trigger').");
  cls.def(py::init([](const py::object& id, const TimeArg& time, const py::object& category,
                      const py::object& intensity, const py::object& participant, const py::object& context,
                      const py::object& thoughts, const py::object& sensations, const py::object& urge,
                      const py::object& acted_on_urge, const py::object& acted_after_minutes,
                      const py::object& response, const py::object& tags) {
            Trigger t;
            name_fields(t, participant, id);
            const auto record = describe_record(t);
            t.time = time_field(record, "time", time.value);
            t.category = parse_trigger_category(text_field(record, "category", category));
            t.intensity = score_field<Intensity>(record, "intensity", intensity);
            t.context = text_field(record, "context", context);
            t.thoughts = text_list_field(record, "thoughts", thoughts);
            t.sensations = text_list_field(record, "sensations", sensations);
            t.urge = text_field(record, "urge", urge);
            t.acted_on_urge = optional_bool_field(record, "acted_on_urge", acted_on_urge);
            t.acted_after_minutes = minutes_field(record, acted_after_minutes);
            t.response = text_field(record, "response", response);
            t.tags = text_list_field(record, "tags", tags);
            return t;
          }),
          py::kw_only(), py::arg("id"), py::arg("time"), py::arg("category"), py::arg("intensity"),
          py::arg("participant") = "", py::arg("context") = "", py::arg("thoughts") = py::list(),
          py::arg("sensations") = py::list(), py::arg("urge") = "", py::arg("acted_on_urge") = py::none(),
          py::arg("acted_after_minutes") = py::none(), py::arg("response") = "", py::arg("tags") = py::list(),
          "Distress `intensity` is 0–10; `category` is a trigger category id; "
          "`acted_after_minutes` is minutes from onset, >= 0.");
  text_attr(cls, "participant", &Trigger::participant, participant_doc);
  text_attr(cls, "id", &Trigger::id,
            "The trigger's id (str, UTF-8): non-empty, unique per participant among the journal's triggers "
            "(docs/journal-format.md). RecordError for a str that is not UTF-8.");
  text_attr(cls, "context", &Trigger::context,
            "Free text: where and with whom it happened (str, \"\" when not given).");
  text_list_attr(cls, "thoughts", &Trigger::thoughts,
                 "The automatic thoughts that came with it (list of str, in the order given; empty when "
                 "none). Assigning checks each item (RecordError naming the field and index).");
  text_list_attr(cls, "sensations", &Trigger::sensations,
                 "Body sensations noticed (list of str, e.g. 'tight chest'; empty when none). Assigning "
                 "checks each item.");
  text_attr(cls, "urge", &Trigger::urge,
            "What the person felt driven to do (str, e.g. 'text them again'; \"\" when not given); see "
            "acted_on_urge.");
  text_attr(cls, "response", &Trigger::response, "What the person actually did (str, \"\" when not given).");
  text_list_attr(cls, "tags", &Trigger::tags,
                 "Free tags (list of str; empty when none), for the person's own grouping.");
  time_attr(cls, "time", &Trigger::time, "Onset, an aware datetime (the person's own UTC offset).");
  cls.def_property(
         "category", [](const Trigger& t) { return std::string(to_id(t.category)); },
         [](Trigger& t, const py::object& id) {
           t.category = parse_trigger_category(text_field(describe_record(t), "category", id));
         },
         "Trigger category id.")
      .def_property_readonly(
          "group", [](const Trigger& t) { return std::string(to_id(group_of(t.category))); },
          "The category's group id: 'relationship', 'life' or 'internal'.")
      .def_property(
          "intensity", [](const Trigger& t) { return t.intensity.value(); },
          [](Trigger& t, const py::object& v) {
            t.intensity = score_field<Intensity>(describe_record(t), "intensity", v);
          },
          "Distress at onset, 0–10.")
      .def_property(
          "acted_on_urge", [](const Trigger& t) { return t.acted_on_urge; },
          [](Trigger& t, const py::object& v) {
            t.acted_on_urge = optional_bool_field(describe_record(t), "acted_on_urge", v);
          },
          "Whether the person acted on the urge (True/False), or None.")
      .def_property(
          "acted_after_minutes", [](const Trigger& t) { return minutes_to_py(t.acted_after_minutes); },
          [](Trigger& t, const py::object& v) {
            t.acted_after_minutes = minutes_field(describe_record(t), v);
          },
          "Minutes from onset until acting on the urge, >= 0, or None.")
      .def("__eq__", &equal<Trigger>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const Trigger& t) {
        std::string out = repr_head("Trigger", t.participant, t.id, t.time);
        out += ", category=" + quoted(std::string(to_id(t.category))) +
               ", intensity=" + std::to_string(t.intensity.value());
        repr_str(out, "context", t.context);
        return out + ")";
      });
}

void bind_reading(py::module_& m) {
  py::class_<Reading> cls(m, "Reading", "A distress check-in (journal record type 'reading').");
  cls.def(py::init([](const TimeArg& time, const py::object& intensity, const py::object& participant,
                      const py::object& id, const py::object& trigger, const py::object& note) {
            Reading r;
            name_fields(r, participant, id);
            const auto record = describe_record(r);
            r.time = time_field(record, "time", time.value);
            r.intensity = score_field<Intensity>(record, "intensity", intensity);
            r.trigger = text_field(record, "trigger", trigger);
            r.note = text_field(record, "note", note);
            return r;
          }),
          py::kw_only(), py::arg("time"), py::arg("intensity"), py::arg("participant") = "",
          py::arg("id") = "", py::arg("trigger") = "", py::arg("note") = "",
          "Distress `intensity` now, 0–10; `trigger` links it to a trigger's episode.");
  text_attr(cls, "participant", &Reading::participant, participant_doc);
  text_attr(cls, "id", &Reading::id,
            "The reading's id (str, UTF-8): non-empty when given, unique per participant among the journal's "
            "readings (docs/journal-format.md). RecordError for a str that is not UTF-8.");
  text_attr(cls, "trigger", &Reading::trigger,
            "Id of the trigger this record belongs to (str; \"\" for none): when given, the journal must "
            "hold a trigger of the same participant with that id (docs/journal-format.md).");
  text_attr(cls, "note", &Reading::note,
            "Free text about the moment of the reading (str, \"\" when not given).");
  time_attr(cls, "time", &Reading::time,
            "When the reading was taken, an aware datetime (the person's own UTC offset).");
  cls.def_property(
         "intensity", [](const Reading& r) { return r.intensity.value(); },
         [](Reading& r, const py::object& v) {
           r.intensity = score_field<Intensity>(describe_record(r), "intensity", v);
         },
         "Distress now, 0–10.")
      .def("__eq__", &equal<Reading>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const Reading& r) {
        std::string out = repr_head("Reading", r.participant, r.id, r.time);
        out += ", intensity=" + std::to_string(r.intensity.value());
        repr_str(out, "trigger", r.trigger);
        return out + ")";
      });
}

void bind_exercise(py::module_& m) {
  py::class_<ExerciseSession> cls(m, "ExerciseSession",
                                  "One practice session of an exercise (journal record type 'exercise').");
  cls.def(py::init([](const py::object& id, const TimeArg& time, const TimeArg& end,
                      const py::object& exercise, const py::object& participant, const py::object& completed,
                      const py::object& intensity_before, const py::object& intensity_after,
                      const py::object& trigger, const py::object& responses) {
            ExerciseSession e;
            name_fields(e, participant, id);
            const auto record = describe_record(e);
            e.time = time_field(record, "time", time.value);
            e.end = time_field(record, "end", end.value);
            e.exercise = text_field(record, "exercise", exercise);
            e.completed = bool_field(record, "completed", completed);
            e.intensity_before =
                optional_score_field<Intensity>(record, "intensity_before", intensity_before);
            e.intensity_after = optional_score_field<Intensity>(record, "intensity_after", intensity_after);
            e.trigger = text_field(record, "trigger", trigger);
            e.responses = text_list_field(record, "responses", responses);
            raise_rule(record, rules::end_not_before_time(e.time, e.end));
            return e;
          }),
          py::kw_only(), py::arg("id"), py::arg("time"), py::arg("end"), py::arg("exercise"),
          py::arg("participant") = "", py::arg("completed") = true, py::arg("intensity_before") = py::none(),
          py::arg("intensity_after") = py::none(), py::arg("trigger") = "", py::arg("responses") = py::list(),
          "`time` is the start and `end` (>= time) the end; intensities are 0–10 or None.");
  text_attr(cls, "participant", &ExerciseSession::participant, participant_doc);
  text_attr(cls, "id", &ExerciseSession::id,
            "The session's id (str, UTF-8): non-empty, unique per participant among the journal's sessions "
            "(docs/journal-format.md). RecordError for a str that is not UTF-8.");
  text_attr(cls, "exercise", &ExerciseSession::exercise, "Exercise id, e.g. 'breathing.4-7-8'.");
  text_attr(cls, "trigger", &ExerciseSession::trigger,
            "Id of the trigger this record belongs to (str; \"\" for none): when given, the journal must "
            "hold a trigger of the same participant with that id (docs/journal-format.md).");
  text_list_attr(cls, "responses", &ExerciseSession::responses,
                 "The answers given to the exercise's prompt steps, in step order (list of str; empty for an "
                 "exercise without prompts).");
  time_attr(cls, "time", &ExerciseSession::time, "Start, an aware datetime (the person's own UTC offset).");
  time_attr(cls, "end", &ExerciseSession::end,
            "End, an aware datetime, not before `time` (compared as instants).");
  cls.def_property(
         "completed", [](const ExerciseSession& e) { return e.completed; },
         [](ExerciseSession& e, const py::object& v) {
           e.completed = bool_field(describe_record(e), "completed", v);
         },
         "Whether the session was done to its end (True/False).")
      .def_property(
          "intensity_before", [](const ExerciseSession& e) { return optional_value(e.intensity_before); },
          [](ExerciseSession& e, const py::object& v) {
            e.intensity_before = optional_score_field<Intensity>(describe_record(e), "intensity_before", v);
          },
          "Distress at `time`, 0–10, or None.")
      .def_property(
          "intensity_after", [](const ExerciseSession& e) { return optional_value(e.intensity_after); },
          [](ExerciseSession& e, const py::object& v) {
            e.intensity_after = optional_score_field<Intensity>(describe_record(e), "intensity_after", v);
          },
          "Distress at `end`, 0–10, or None.")
      .def("__eq__", &equal<ExerciseSession>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const ExerciseSession& e) {
        std::string out = repr_head("ExerciseSession", e.participant, e.id, e.time);
        out += ", end=" + quoted(e.end.to_string()) + ", exercise=" + quoted(e.exercise);
        if (!e.completed) out += ", completed=False";
        repr_str(out, "trigger", e.trigger);
        return out + ")";
      });
}

void bind_emotion(py::module_& m) {
  py::class_<EmotionRating> cls(m, "EmotionRating",
                                "One emotion rated in a thought record, in percent 0–100.");
  cls.def(py::init([](const py::object& name, const py::object& before, const py::object& after) {
            EmotionRating r;
            r.name = text_field("emotion", "name", name);
            r.before = score_field<Percent>(emotion_place(r), "before", before);
            r.after = optional_score_field<Percent>(emotion_place(r), "after", after);
            return r;
          }),
          py::kw_only(), py::arg("name"), py::arg("before"), py::arg("after") = py::none());
  text_attr(cls, "name", &EmotionRating::name,
            "The emotion's name (str, e.g. 'fear'); its ratings are before and after.");
  cls.def_property(
         "before", [](const EmotionRating& r) { return r.before.value(); },
         [](EmotionRating& r, const py::object& v) {
           r.before = score_field<Percent>(emotion_place(r), "before", v);
         },
         "Strength before the work, 0–100 %.")
      .def_property(
          "after", [](const EmotionRating& r) { return optional_value(r.after); },
          [](EmotionRating& r, const py::object& v) {
            r.after = optional_score_field<Percent>(emotion_place(r), "after", v);
          },
          "Strength after the work, 0–100 %, or None.")
      .def("__eq__", &equal<EmotionRating>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const EmotionRating& r) {
        std::string out =
            "EmotionRating(name=" + quoted(r.name) + ", before=" + std::to_string(r.before.value());
        if (r.after) out += ", after=" + std::to_string(r.after->value());
        return out + ")";
      });
}

void bind_thought_record(py::module_& m) {
  py::class_<ThoughtRecord> cls(m, "ThoughtRecord",
                                "A CBT thought record (journal record type 'thought_record').");
  cls.def(py::init([](const py::object& id, const TimeArg& time, const py::object& situation,
                      const py::object& automatic_thought, const py::object& belief_before,
                      const py::object& participant, const py::object& emotions,
                      const py::object& distortions, const py::object& evidence_for,
                      const py::object& evidence_against, const py::object& alternatives,
                      const py::object& friend_advice, const py::object& balanced_thought,
                      const py::object& belief_after, const py::object& trigger) {
            ThoughtRecord t;
            name_fields(t, participant, id);
            const auto record = describe_record(t);
            t.time = time_field(record, "time", time.value);
            t.situation = text_field(record, "situation", situation);
            t.automatic_thought = text_field(record, "automatic_thought", automatic_thought);
            t.belief_before = score_field<Percent>(record, "belief_before", belief_before);
            t.emotions = emotions_field(record, emotions);
            t.distortions = distortions_from_ids(text_list_field(record, "distortions", distortions));
            t.evidence_for = text_list_field(record, "evidence_for", evidence_for);
            t.evidence_against = text_list_field(record, "evidence_against", evidence_against);
            t.alternatives = text_list_field(record, "alternatives", alternatives);
            t.friend_advice = text_field(record, "friend_advice", friend_advice);
            t.balanced_thought = text_field(record, "balanced_thought", balanced_thought);
            t.belief_after = optional_score_field<Percent>(record, "belief_after", belief_after);
            t.trigger = text_field(record, "trigger", trigger);
            return t;
          }),
          py::kw_only(), py::arg("id"), py::arg("time"), py::arg("situation"), py::arg("automatic_thought"),
          py::arg("belief_before"), py::arg("participant") = "", py::arg("emotions") = py::list(),
          py::arg("distortions") = py::list(), py::arg("evidence_for") = py::list(),
          py::arg("evidence_against") = py::list(), py::arg("alternatives") = py::list(),
          py::arg("friend_advice") = "", py::arg("balanced_thought") = "",
          py::arg("belief_after") = py::none(), py::arg("trigger") = "",
          "Beliefs are 0–100 %; `distortions` are distortion ids.");
  text_attr(cls, "participant", &ThoughtRecord::participant, participant_doc);
  text_attr(cls, "id", &ThoughtRecord::id,
            "The thought record's id (str, UTF-8): non-empty, unique per participant among the journal's "
            "thought records (docs/journal-format.md). RecordError for a str that is not UTF-8.");
  text_attr(cls, "situation", &ThoughtRecord::situation,
            "The situation (str): who, what, where, when; the thought record's first column.");
  text_attr(cls, "automatic_thought", &ThoughtRecord::automatic_thought,
            "The automatic thought (str), believed belief_before percent at the start.");
  text_list_attr(cls, "evidence_for", &ThoughtRecord::evidence_for,
                 "Evidence that supports the automatic thought (list of str; empty when none).");
  text_list_attr(cls, "evidence_against", &ThoughtRecord::evidence_against,
                 "Evidence that does not support the automatic thought (list of str; empty when none).");
  text_list_attr(cls, "alternatives", &ThoughtRecord::alternatives,
                 "Other explanations of the situation (list of str; empty when none).");
  text_attr(cls, "friend_advice", &ThoughtRecord::friend_advice,
            "What one would tell a friend in the same situation (str, \"\" when not given).");
  text_attr(
      cls, "balanced_thought", &ThoughtRecord::balanced_thought,
      "The balanced thought written at the end (str, \"\" when not given), believed belief_after percent.");
  text_attr(cls, "trigger", &ThoughtRecord::trigger,
            "Id of the trigger this record belongs to (str; \"\" for none): when given, the journal must "
            "hold a trigger of the same participant with that id (docs/journal-format.md).");
  time_attr(cls, "time", &ThoughtRecord::time,
            "When the record was written, an aware datetime (the person's own UTC offset).");
  cls.def_property(
         "belief_before", [](const ThoughtRecord& t) { return t.belief_before.value(); },
         [](ThoughtRecord& t, const py::object& v) {
           t.belief_before = score_field<Percent>(describe_record(t), "belief_before", v);
         },
         "How much the automatic thought was believed, 0–100 %.")
      .def_property(
          "emotions", [](const ThoughtRecord& t) { return t.emotions; },
          [](ThoughtRecord& t, const py::object& v) { t.emotions = emotions_field(describe_record(t), v); },
          "The emotions rated (EmotionRating), in order.")
      .def_property(
          "distortions", [](const ThoughtRecord& t) { return distortion_ids(t.distortions); },
          [](ThoughtRecord& t, const py::object& ids) {
            t.distortions = distortions_from_ids(text_list_field(describe_record(t), "distortions", ids));
          },
          "Distortion ids.")
      .def_property(
          "belief_after", [](const ThoughtRecord& t) { return optional_value(t.belief_after); },
          [](ThoughtRecord& t, const py::object& v) {
            t.belief_after = optional_score_field<Percent>(describe_record(t), "belief_after", v);
          },
          "Re-rated belief after the work, 0–100 %, or None.")
      .def("__eq__", &equal<ThoughtRecord>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const ThoughtRecord& t) {
        std::string out = repr_head("ThoughtRecord", t.participant, t.id, t.time);
        out += ", automatic_thought=" + quoted(t.automatic_thought) +
               ", belief_before=" + std::to_string(t.belief_before.value());
        repr_str(out, "trigger", t.trigger);
        return out + ")";
      });
}

void bind_vocabulary(py::module_& m) {
  m.def(
      "trigger_categories",
      [] {
        py::list out;
        for (const auto& e : trigger_category_table) {
          out.append(py::make_tuple(std::string(e.id), std::string(e.label), std::string(to_id(e.group))));
        }
        return out;
      },
      "Every trigger category as (id, label, group id), in the vocabulary's order.");
  m.def(
      "trigger_groups",
      [] {
        py::list out;
        for (const auto& e : trigger_group_table)
          out.append(py::make_tuple(std::string(e.id), std::string(e.label)));
        return out;
      },
      "The trigger groups as (id, label).");
  m.def(
      "distortions",
      [] {
        py::list out;
        for (const auto& e : distortion_table)
          out.append(py::make_tuple(std::string(e.id), std::string(e.label), std::string(e.description)));
        return out;
      },
      "Every cognitive distortion as (id, label, plain-language description), in the vocabulary's order.");
  m.def(
      "_record_types",
      [] {
        py::list out;
        for (std::size_t i = 0; i < std::variant_size_v<Record>; ++i)
          out.append(std::string(to_id(static_cast<RecordType>(i))));
        return out;
      },
      "The journal format's record types (RecordType's ids), in enum order.");
  m.def(
      "_time_text", [](Instant t) { return t.to_string(); }, py::arg("time"),
      "A time as the journal writer writes it (RFC 3339 with the time's own offset, Z for UTC, "
      "microseconds without trailing zeros), for the Python formats that write times as text (CSV).");
}

/// The reason `v` is no distress intensity (an int 0..10), or None: the
/// model's rule (`Intensity`), for code that checks such a value before any
/// record exists (an importer's mood table). The caller adds where it is.
std::optional<std::string> intensity_reason(const py::handle& v) {
  if (py::isinstance<py::bool_>(v) || !py::isinstance<py::int_>(v))
    return detail::integer_range_reason(Intensity::min, Intensity::max, py::repr(v).cast<std::string>());
  if (v < py::int_(Intensity::min) || v > py::int_(Intensity::max))  // also an int beyond a C++ integer
    return detail::integer_range_reason(Intensity::min, Intensity::max, py::str(v).cast<std::string>());
  return std::nullopt;
}

/// The reason `v` breaks the integer rule of `scale` ("intensity": the
/// model's Intensity, "percent": Percent, "answer": an assessment answer, any
/// int), or None: the text the JSON reader gives for the same value, for the
/// Python entry points that take records as plain values.
std::optional<std::string> integer_reason(std::string_view scale, const py::handle& v) {
  long long lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  if (scale == "intensity") {
    lo = Intensity::min, hi = Intensity::max;
  } else if (scale == "percent") {
    lo = Percent::min, hi = Percent::max;
  } else if (scale != "answer") {
    detail::throw_invalid("unknown integer scale '" + std::string(scale) + "'");
  }
  if (!py::isinstance<py::bool_>(v) && py::isinstance<py::int_>(v) && v >= py::int_(lo) && v <= py::int_(hi))
    return std::nullopt;
  return detail::integer_range_reason(lo, hi, got_text(v));
}

/// The reason of a rule of validate.hpp that is not about a number's range,
/// for the Python entry points that take records as plain values (the Arrow
/// bridge's dict rows): `rule` is "string", "bool", "minutes", "emotion",
/// "list" (of `items`) — a value of the wrong type, worded as the reader words
/// the same JSON value — or "missing" (a required field left out).
std::string rule_reason(std::string_view rule, const py::handle& value, std::string_view items) {
  if (rule == "missing") return rules::required_missing();
  const std::string got = type_text(value);
  if (rule == "string") return rules::not_a_string(got);
  if (rule == "bool") return rules::not_true_or_false(got);
  if (rule == "minutes") return rules::not_minutes(got);
  if (rule == "emotion") return rules::not_an_emotion(got);
  if (rule == "list") return rules::not_a_list(items, got);
  detail::throw_invalid("unknown rule '" + std::string(rule) + "'");
}

/// The reason `text` is no time (`Instant::invalid_reason`), or None: for a
/// Python reader of text times, so that its refusal reads as every other one.
std::optional<std::string> time_reason(std::string_view text) {
  TimeParseError why;
  if (Instant::try_parse(text, &why)) return std::nullopt;
  return rules::invalid_time(text, why);
}

/// `v` as a long long, saturated (a Python int beyond it is out of every range).
long long saturated(const py::int_& v) {
  int overflow = 0;
  const long long n = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow != 0)
    return overflow > 0 ? std::numeric_limits<long long>::max() : std::numeric_limits<long long>::min();
  return n;
}

/// The model's reason `year` is outside the years a journal holds, or None:
/// for a Python reader of dates (the importers), in the model's words.
std::optional<std::string> year_reason(const py::int_& year) {
  const long long y = saturated(year);
  if (y >= detail::min_year && y <= detail::max_year) return std::nullopt;
  return detail::year_out_of_range(y);
}

/// The first of `minutes` that the model's rule of a duration in minutes
/// (`Minutes`: finite and >= 0) refuses, as (its position, the rule's
/// reason), or None when it takes them all: for a user's column of minutes
/// (calmkit.stats' episode frames), checked in one pass by the one rule.
std::optional<std::pair<py::ssize_t, std::string>> first_bad_minutes(
    const py::array_t<double, py::array::c_style | py::array::forcecast>& minutes) {
  if (minutes.ndim() != 1) detail::throw_invalid("minutes must be one-dimensional");
  const auto v = minutes.unchecked<1>();
  for (py::ssize_t i = 0; i < v.shape(0); ++i)
    if (!Minutes::make(v(i))) [[unlikely]]
      return std::pair{i, Minutes::out_of_range_reason(v(i))};
  return std::nullopt;
}

/// The model's reason `minutes` is no UTC offset (`UtcOffset`), or None.
std::optional<std::string> offset_reason(const py::int_& minutes) {
  const long long m = saturated(minutes);
  if (m >= std::numeric_limits<int>::min() && m <= std::numeric_limits<int>::max() &&
      UtcOffset::make(static_cast<int>(m)))
    return std::nullopt;
  return detail::offset_out_of_range(m);
}

}  // namespace

void bind_assessment(py::module_& m) {
  py::class_<Assessment> cls(m, "Assessment",
                             "A questionnaire answered at one time (journal record type 'assessment').");
  cls.def(py::init([](const py::object& id, const TimeArg& time, const py::object& instrument,
                      const py::object& answers, const py::object& participant, const py::object& note) {
            Assessment a;
            name_fields(a, participant, id);
            const auto record = describe_record(a);
            a.time = time_field(record, "time", time.value);
            a.instrument = text_field(record, "instrument", instrument);
            a.answers = answers_field(record, answers);
            a.note = text_field(record, "note", note);
            return a;
          }),
          py::kw_only(), py::arg("id"), py::arg("time"), py::arg("instrument"), py::arg("answers"),
          py::arg("participant") = "", py::arg("note") = "",
          "`answers`: one integer per item of `instrument`, in item order (checked against the "
          "instrument when scored, written or stored).");
  text_attr(cls, "participant", &Assessment::participant, participant_doc);
  text_attr(cls, "id", &Assessment::id,
            "The assessment's id (str, UTF-8): non-empty, unique per participant among the journal's "
            "assessments (docs/journal-format.md). RecordError for a str that is not UTF-8.");
  text_attr(cls, "instrument", &Assessment::instrument,
            "Id of the instrument answered (str, e.g. 'gad-7'): a built-in one or one registered with "
            "calmkit.instrument().");
  text_attr(cls, "note", &Assessment::note, "Free text about the assessment (str, \"\" when not given).");
  time_attr(cls, "time", &Assessment::time,
            "When the questionnaire was answered, an aware datetime (the person's own UTC offset).");
  cls.def_property(
         "answers", [](const Assessment& a) { return a.answers; },
         [](Assessment& a, const py::object& v) { a.answers = answers_field(describe_record(a), v); },
         "One integer per item of `instrument`, in item order.")
      .def("__eq__", &equal<Assessment>, py::is_operator(), py::arg("other"))
      .def("__repr__", [](const Assessment& a) {
        std::string out = repr_head("Assessment", a.participant, a.id, a.time);
        repr_str(out, "instrument", a.instrument);
        out += ", answers=" + py::repr(py::cast(a.answers)).cast<std::string>();
        return out + ")";
      });
}

void register_model(py::module_& m) {
  // Reported by the datetime conversion (common.hpp) and by calmkit.localtime.
  local_time_warning() = PyErr_NewExceptionWithDoc("calmkit._core.LocalTimeWarning",
                                                   "A local time did not exist or happened twice on a "
                                                   "daylight-saving day; the message says how it was read.",
                                                   PyExc_UserWarning, nullptr);
  if (local_time_warning() == nullptr) throw py::error_already_set();
  m.add_object("LocalTimeWarning", py::handle(local_time_warning()));
  m.def("_intensity_reason", &intensity_reason, py::arg("value"),
        "The model's reason `value` is no distress intensity (an int 0..10), or None.");
  m.def("_integer_reason", &integer_reason, py::arg("scale"), py::arg("value"),
        "The model's reason `value` breaks the integer rule of `scale` ('intensity', 'percent' or "
        "'answer'), worded as the journal reader words it for the same JSON value, or None.");
  m.def("_got_text", &got_text, py::arg("value"),
        "What `value` is in the journal reader's words (`a string`, `true/false`, ...), or its number.");
  m.def("_rule_reason", &rule_reason, py::arg("rule"), py::arg("value") = py::none(), py::arg("items") = "",
        "The reason of a type rule ('string', 'bool', 'minutes', 'emotion', 'list' of `items`) for `value`, "
        "or of 'missing' (a required field left out), in the journal reader's words.");
  m.def("_time_reason", &time_reason, py::arg("text"),
        "The model's reason `text` is no RFC 3339 time with an offset, or None.");
  m.def("_year_reason", &year_reason, py::arg("year"),
        "The model's reason `year` is outside the years a journal holds (1400..9999), or None.");
  m.def("_offset_reason", &offset_reason, py::arg("minutes"),
        "The model's reason `minutes` east of UTC is no UTC offset (-23:59..+23:59), or None.");
  m.def("_first_bad_minutes", &first_bad_minutes, py::arg("minutes"),
        "The first of `minutes` (a 1-D array of floats) that the model's rule of a duration in minutes "
        "(finite, >= 0) refuses, as (position, reason), or None.");
  // The score scales of the model's strong types (`Intensity`, `Percent`),
  // for code that asks for a score or draws one (the guided commands'
  // prompts, the charts): the model's numbers, never a copy of them.
  m.attr("INTENSITY_MIN") = Intensity::min;
  m.attr("INTENSITY_MAX") = Intensity::max;
  m.attr("PERCENT_MIN") = Percent::min;
  m.attr("PERCENT_MAX") = Percent::max;
  bind_vocabulary(m);
  bind_trigger(m);
  bind_reading(m);
  bind_exercise(m);
  bind_emotion(m);  // before ThoughtRecord, whose signature names it
  bind_thought_record(m);
  bind_assessment(m);
}

}  // namespace calmkit::bindings
