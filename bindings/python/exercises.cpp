// Exercises, the guided-session engine and suggestions for Python.
//
// Vocabularies cross as their string ids ("breathing", "acute", "inhale",
// "running"), like the record classes' categories. Steps are TimedStep or
// PromptStep objects; the catalog is also available as a pandas DataFrame.
#include "common.hpp"
#include "exception_class.hpp"

#include <calmkit/exercises.hpp>
#include <calmkit/session.hpp>
#include <calmkit/suggest.hpp>

#include <pybind11/numpy.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace calmkit::bindings {

/// A Python number of seconds (int, float, NumPy's scalars, whatever has
/// `__float__` or `__index__`) as a double; an int beyond a double is
/// infinity (out of range for a clock reading, "never" for a gap). nullopt
/// for a bool, a str, bytes, None or any other object.
inline std::optional<double> number_of_seconds(py::handle src) {
  if (PyBool_Check(src.ptr()) || PyUnicode_Check(src.ptr()) || PyBytes_Check(src.ptr())) return std::nullopt;
  const double v = PyFloat_AsDouble(src.ptr());
  if (v == -1.0 && PyErr_Occurred()) {
    const bool overflow = PyErr_ExceptionMatches(PyExc_OverflowError) != 0;
    PyErr_Clear();
    if (!overflow) return std::nullopt;
    return std::numeric_limits<double>::infinity();
  }
  return v;
}

/// How an object that is not a number is named in a message: `None`, `a str`.
inline std::string what_it_is(py::handle src) {
  return src.is_none() ? std::string("None") : std::string("a ") + Py_TYPE(src.ptr())->tp_name;
}

/// A reading of the caller's clock handed to a Session method (`Method`, such
/// as "update"): any Python number (int, float, NumPy's scalars, whatever
/// has `__float__` or `__index__`). A bool, a str, None or any other object
/// is a TypeError naming the method and `now`, in the words the JavaScript
/// package uses, instead of pybind11's list of signatures (a str) or a
/// silent 1.0 (True). Shown as `float` in signatures.
template <ArgName Method>
struct ClockArg {
  double seconds = 0;  ///< the reading, checked for range by the Session itself
};

}  // namespace calmkit::bindings

namespace pybind11::detail {

template <calmkit::bindings::ArgName Method>
struct type_caster<calmkit::bindings::ClockArg<Method>> {
  PYBIND11_TYPE_CASTER(calmkit::bindings::ClockArg<Method>, const_name("float"));

  bool load(handle src, bool /*convert*/) {
    const auto v = calmkit::bindings::number_of_seconds(src);
    if (!v) {
      throw type_error("Session::" + std::string(Method.view()) + ": now must be a number of seconds, got " +
                       calmkit::bindings::what_it_is(src));
    }
    value.seconds = *v;
    return true;
  }
};

}  // namespace pybind11::detail

namespace calmkit::bindings {

void register_exercises(py::module_& m);

namespace {

ExerciseKind kind_from_id(std::string_view id) {
  if (auto k = exercise_kind_from_id(id)) return *k;
  detail::throw_invalid("unknown exercise kind '" + std::string(id) +
                        "'; valid ids: " + list_ids(exercise_kind_table));
}
Suits suits_from_id_checked(std::string_view id) {
  if (auto s = suits_from_id(id)) return *s;
  detail::throw_invalid("unknown suits value '" + std::string(id) + "'; valid ids: " + list_ids(suits_table));
}
BreathPhase phase_from_id(std::string_view id) {
  if (auto p = breath_phase_from_id(id)) return *p;
  detail::throw_invalid("unknown breathing phase '" + std::string(id) +
                        "'; valid ids: " + list_ids(breath_phase_table));
}

Repeat make_repeat(std::optional<int> repeats, std::optional<double> total_seconds, int default_count) {
  if (repeats && total_seconds) detail::throw_invalid("give either repeats or total_seconds, not both");
  if (total_seconds) return Repeat::for_seconds(*total_seconds);
  return Repeat::times(repeats.value_or(default_count));
}

std::string fmt(double v) {
  return py::repr(py::float_(v)).cast<std::string>();
}

std::string step_repr(const Step& s) {
  if (const auto* t = std::get_if<TimedStep>(&s)) {
    std::string r = "TimedStep(" + fmt(t->seconds);
    if (t->phase != BreathPhase::none) r += ", phase=" + quoted(std::string(to_id(t->phase)));
    if (!t->cue.empty()) r += ", cue=" + quoted(t->cue);
    return r + ")";
  }
  const auto& p = std::get<PromptStep>(s);
  return "PromptStep(" + quoted(p.text) + ", answers=" + std::to_string(p.answers) + ")";
}

/// `get()`'s exercise, or calmkit.UnknownExerciseError with the library's
/// message for the std::out_of_range of an unknown id.
template <typename Get>
Exercise known_exercise(Get get) {
  try {
    return get();
  } catch (const std::out_of_range& e) {
    PyErr_SetObject(py::module_::import("calmkit._core").attr("UnknownExerciseError").ptr(),
                    display_text(e.what()).ptr());
    throw py::error_already_set();
  }
}

}  // namespace

void register_exercises(py::module_& m) {
  // py::exception + a translator of our own (not py::register_exception): the
  // message may hold a file name's bytes that are not UTF-8 (display_text).
  static py::exception<ExerciseFormatError> error(m, "ExerciseFormatError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ExerciseFormatError& e) {
      PyErr_SetObject(error.ptr(), display_text(e.what()).ptr());
    }
  });
  error.attr("__doc__") =
      "A bad exercise definition (its JSON or its fields), a ValueError. The message names the field by "
      "its JSON path: \"exercise JSON: field 'steps[1].seconds': ...\".";
  // An id that names no exercise: a missing key (KeyError) whose message is
  // words, not the repr of the key KeyError would show, and still an
  // IndexError, which it was before.
  {
    py::object builtins = py::module_::import("builtins");
    py::object cls = new_exception_class(
        m, "UnknownExerciseError",
        "An exercise id that names no exercise of the catalog (or registry): a KeyError (and an "
        "IndexError), whose message names the id and the closest known ids.",
        py::make_tuple(builtins.attr("KeyError"), builtins.attr("IndexError")));
    cls.attr("__str__") = builtins.attr("BaseException").attr("__str__");
    m.attr("UnknownExerciseError") = cls;
  }

  m.def(
      "exercise_kinds",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& e : exercise_kind_table) out.emplace_back(std::string(e.id), std::string(e.label));
        return out;
      },
      "Every exercise kind as (id, label).");

  m.def(
      "_suits",
      [] {
        py::list out;
        for (const auto& e : suits_table) out.append(py::make_tuple(std::string(e.id), std::string(e.label)));
        return out;
      },
      "When an exercise suits, as (id, label), in Suits's order (Exercise.suits).");
  m.def(
      "_breath_phases",
      [] {
        py::list out;
        for (const auto& e : breath_phase_table)
          out.append(py::make_tuple(std::string(e.id), std::string(e.label)));
        return out;
      },
      "Every breathing phase as (id, label), in BreathPhase's order (TimedStep.phase; none has no label).");

  m.def(
      "_session_statuses",
      [] {
        py::list out;
        for (const auto& e : session_status_table)
          out.append(py::make_tuple(std::string(e.id), std::string(e.label)));
        return out;
      },
      "Every session status as (id, label), in SessionStatus's order.");
  m.def(
      "_session_event_types",
      [] {
        py::list out;
        for (const auto& e : session_event_table)
          out.append(py::make_tuple(std::string(e.id), std::string(e.label)));
        return out;
      },
      "Every session event type as (id, label), in SessionEventType's order.");

  py::class_<TimedStep>(m, "TimedStep", "A step that lasts `seconds` (> 0), optionally a breathing phase.")
      .def(py::init([](double seconds, const Utf8Arg<"phase">& phase, Utf8Arg<"cue"> cue) {
             return TimedStep{seconds, phase_from_id(phase), std::move(cue)};
           }),
           py::arg("seconds"), py::arg("phase") = "none", py::arg("cue") = "")
      .def_readwrite("seconds", &TimedStep::seconds, "Duration in seconds, > 0.")
      .def_property(
          "phase", [](const TimedStep& t) { return std::string(to_id(t.phase)); },
          [](TimedStep& t, const Utf8Attr<"phase">& p) { t.phase = phase_from_id(p); },
          "'none', 'inhale', 'hold_in', 'exhale' or 'hold_out'.")
      .def_property(
          "cue", [](const TimedStep& t) { return t.cue; },
          [](TimedStep& t, Utf8Attr<"cue"> cue) { t.cue = std::move(cue); },
          "Text shown during the step (str, e.g. 'Breathe in'; \"\" for none).")
      .def(
          "__eq__", [](const TimedStep& a, const TimedStep& b) { return a == b; }, py::is_operator(),
          py::arg("other"))
      .def("__repr__", [](const TimedStep& t) { return step_repr(t); });

  py::class_<PromptStep>(m, "PromptStep", "A question the person answers `answers` times (>= 1).")
      .def(py::init([](Utf8Arg<"text"> text, int answers) {
             return PromptStep{std::move(text), answers};
           }),
           py::arg("text"), py::arg("answers") = 1)
      .def_property(
          "text", [](const PromptStep& p) { return p.text; },
          [](PromptStep& p, Utf8Attr<"text"> text) { p.text = std::move(text); }, "The question asked (str).")
      .def_readwrite("answers", &PromptStep::answers, "How many answers the question asks for (int, >= 1).")
      .def(
          "__eq__", [](const PromptStep& a, const PromptStep& b) { return a == b; }, py::is_operator(),
          py::arg("other"))
      .def("__repr__", [](const PromptStep& p) { return step_repr(p); });

  py::class_<Exercise>(m, "Exercise",
                       "A self-soothing exercise: one cycle of steps, repeated `repeats` times or until "
                       "`total_seconds` (rounded up to whole cycles). Validated on construction.")
      .def(py::init([](Utf8Arg<"id"> id, Utf8Arg<"name"> name, const Utf8Arg<"kind">& kind,
                       std::vector<Step> steps, const Utf8Arg<"suits">& suits,
                       Utf8Arg<"instructions"> instructions, const std::vector<Utf8Arg<"sources">>& sources,
                       std::optional<int> repeats, std::optional<double> total_seconds) {
             Exercise e{std::move(id),           std::move(name),
                        kind_from_id(kind),      suits_from_id_checked(suits),
                        std::move(instructions), {sources.begin(), sources.end()},
                        std::move(steps),        make_repeat(repeats, total_seconds, 1)};
             validate(e);
             return e;
           }),
           py::kw_only(), py::arg("id"), py::arg("name"), py::arg("kind"), py::arg("steps"),
           py::arg("suits") = "both", py::arg("instructions") = "",
           py::arg("sources") = std::vector<std::string>{}, py::arg("repeats") = py::none(),
           py::arg("total_seconds") = py::none())
      .def_property(
          "id", [](const Exercise& e) { return e.id; },
          [](Exercise& e, Utf8Attr<"id"> id) { e.id = std::move(id); },
          "The exercise's id (str, e.g. 'breathing.box'), as exercise sessions name it.")
      .def_property(
          "name", [](const Exercise& e) { return e.name; },
          [](Exercise& e, Utf8Attr<"name"> name) { e.name = std::move(name); },
          "The exercise's name for people (str, e.g. 'Box breathing').")
      .def_property(
          "kind", [](const Exercise& e) { return std::string(to_id(e.kind)); },
          [](Exercise& e, const Utf8Attr<"kind">& k) { e.kind = kind_from_id(k); },
          "The kind of exercise (str): one of the ids of exercise_kinds(), e.g. 'breathing' or 'grounding'.")
      .def_property(
          "suits", [](const Exercise& e) { return std::string(to_id(e.suits)); },
          [](Exercise& e, const Utf8Attr<"suits">& s) { e.suits = suits_from_id_checked(s); },
          "'acute', 'daily' or 'both'.")
      .def_property(
          "instructions", [](const Exercise& e) { return e.instructions; },
          [](Exercise& e, Utf8Attr<"instructions"> text) { e.instructions = std::move(text); },
          "How to do the exercise, in words (str; \"\" for none).")
      .def_property(
          "sources", [](const Exercise& e) { return e.sources; },
          [](Exercise& e, const std::vector<Utf8Attr<"sources">>& sources) {
            e.sources.assign(sources.begin(), sources.end());
          },
          "Seed files describing it.")
      .def_readwrite("steps", &Exercise::steps, "One cycle: TimedStep and PromptStep objects.")
      .def_property(
          "repeats",
          [](const Exercise& e) -> std::optional<int> {
            if (e.repeat.total_seconds) return std::nullopt;
            return e.repeat.count;
          },
          [](Exercise& e, int n) { e.repeat = Repeat::times(n); },
          "Cycles, or None when total_seconds is set.")
      .def_property(
          "total_seconds", [](const Exercise& e) { return e.repeat.total_seconds; },
          [](Exercise& e, std::optional<double> s) {
            e.repeat = s ? Repeat::for_seconds(*s) : Repeat::times(1);
          },
          "Total duration in seconds, or None when repeats is set.")
      .def("cycles", &Exercise::cycles, "Cycles a session runs (a total rounds up to whole cycles).")
      .def("cycle_seconds", &Exercise::cycle_seconds, "Seconds of one cycle's timed steps.")
      .def("duration_seconds", &Exercise::duration_seconds, "Seconds of a session, or None with prompts.")
      .def("has_prompts", &Exercise::has_prompts,
           "True when a cycle has at least one prompt step (a session then has no fixed duration).")
      .def(
          "validate", [](const Exercise& e) { validate(e); }, "Raises ValueError naming the broken field.")
      .def(
          "to_json", [](const Exercise& e) { return to_json(e); },
          "The exercise as one JSON object (str), in the custom-exercise format of docs/exercises.md that "
          "calmkit.exercise_from_json reads back.")
      .def(
          "__eq__", [](const Exercise& a, const Exercise& b) { return a == b; }, py::is_operator(),
          py::arg("other"))
      .def("__repr__", [](const Exercise& e) {
        return "Exercise(" + quoted(e.id) + ", " + quoted(e.name) +
               ", kind=" + quoted(std::string(to_id(e.kind))) + ", steps=" + std::to_string(e.steps.size()) +
               ", cycles=" + std::to_string(e.cycles()) + ")";
      });

  m.def(
      "catalog", [] { return std::vector<Exercise>(catalog().begin(), catalog().end()); },
      "The built-in exercises, in catalog order.");
  m.def(
      "find_exercise",
      [](const Utf8Arg<"id">& id) -> std::optional<Exercise> {
        if (const auto* e = find_exercise(id)) return *e;
        return std::nullopt;
      },
      py::arg("id"), "A catalog exercise by id, or None.");
  m.def(
      "catalog_exercise",
      [](const Utf8Arg<"id">& id) { return known_exercise([&] { return catalog_exercise(id); }); },
      py::arg("id"),
      "A catalog exercise by id; UnknownExerciseError (a KeyError) naming the id and the closest catalog ids "
      "when unknown.");
  m.def(
      "breathing_pattern",
      [](Utf8Arg<"id"> id, Utf8Arg<"name"> name, double inhale, double hold_in, double exhale,
         double hold_out, std::optional<int> repeats, std::optional<double> total_seconds) {
        return breathing_pattern(std::move(id), std::move(name), inhale, hold_in, exhale, hold_out,
                                 make_repeat(repeats, total_seconds, 4));
      },
      py::arg("id"), py::arg("name"), py::arg("inhale"), py::arg("hold_in"), py::arg("exhale"),
      py::arg("hold_out"), py::arg("repeats") = py::none(), py::arg("total_seconds") = py::none(),
      "A breathing exercise from counts in seconds (0 leaves a phase out); 4 cycles unless told.");
  m.def(
      "exercises_to_json",
      [](const std::vector<Exercise>& v) { return to_json(std::span<const Exercise>(v)); },
      py::arg("exercises"), "A JSON array of definitions.");
  m.def(
      "exercise_from_json", [](const TextArg& text) { return exercise_from_json(text.bytes); },
      py::arg("text"), "Parses one definition; raises ExerciseFormatError naming the field.");
  m.def(
      "exercises_from_json", [](const TextArg& text) { return exercises_from_json(text.bytes); },
      py::arg("text"), "Parses a JSON array of definitions; raises ExerciseFormatError naming the field.");
  m.def(
      "_exercise_catalog_columns",
      [] {
        const auto& all = catalog();
        const auto n = static_cast<py::ssize_t>(all.size());
        py::list id, name, kind, suits, sources, instructions;
        py::array_t<std::int64_t> steps(n);
        py::array_t<std::int64_t> cycles(n);
        py::array_t<double> duration(n);
        py::array_t<bool> prompts(n);
        auto st = steps.mutable_unchecked<1>();
        auto cy = cycles.mutable_unchecked<1>();
        auto du = duration.mutable_unchecked<1>();
        auto pr = prompts.mutable_unchecked<1>();
        for (py::ssize_t i = 0; i < n; ++i) {
          const auto& e = all[static_cast<std::size_t>(i)];
          id.append(e.id);
          name.append(e.name);
          kind.append(std::string(to_id(e.kind)));
          suits.append(std::string(to_id(e.suits)));
          st(i) = static_cast<std::int64_t>(e.steps.size());
          cy(i) = e.cycles();
          const auto d = e.duration_seconds();
          du(i) = d ? *d : std::numeric_limits<double>::quiet_NaN();  // NaN: no fixed length (prompts)
          pr(i) = e.has_prompts();
          std::string s;
          for (const auto& src : e.sources) s += (s.empty() ? "" : ",") + src;
          sources.append(s);
          instructions.append(e.instructions);
        }
        // Column descriptions (name, kind, payload) for calmkit._frames.build_frame.
        py::list cols;
        cols.append(py::make_tuple("id", "str", id));
        cols.append(py::make_tuple("name", "str", name));
        cols.append(py::make_tuple("kind", "str", kind));
        cols.append(py::make_tuple("suits", "str", suits));
        cols.append(py::make_tuple("steps", "int", steps));
        cols.append(py::make_tuple("cycles", "int", cycles));
        cols.append(py::make_tuple("duration_seconds", "int", duration));
        cols.append(py::make_tuple("has_prompts", "int", prompts));
        cols.append(py::make_tuple("sources", "str", sources));
        cols.append(py::make_tuple("instructions", "str", instructions));
        return cols;
      },
      "The catalog as column descriptions (name, kind, payload...), one row per exercise, for "
      "calmkit._frames.build_frame (calmkit.exercise_catalog_frame): the compiled module never imports "
      "pandas.");

  py::class_<ExerciseRegistry>(m, "ExerciseRegistry", "The catalog plus custom exercises, ids unique.")
      .def(py::init([](bool with_catalog) {
             return with_catalog ? ExerciseRegistry::with_catalog() : ExerciseRegistry();
           }),
           py::arg("with_catalog") = true, "Starts with the built-in catalog unless with_catalog is False.")
      .def("add", &ExerciseRegistry::add, py::arg("exercise"),
           "Validates and adds; ValueError on a taken id.")
      .def(
          "find",
          [](const ExerciseRegistry& r, const Utf8Arg<"id">& id) -> std::optional<Exercise> {
            if (const auto* e = r.find(id)) return *e;
            return std::nullopt;
          },
          py::arg("id"), "The exercise with this id (str), or None when there is none.")
      .def(
          "get",
          [](const ExerciseRegistry& r, const Utf8Arg<"id">& id) {
            return known_exercise([&] { return r.get(id); });
          },
          py::arg("id"),
          "The exercise with this id; UnknownExerciseError (a KeyError) naming the id and the closest ids "
          "when "
          "unknown.")
      .def(
          "all",
          [](const ExerciseRegistry& r) { return std::vector<Exercise>(r.all().begin(), r.all().end()); },
          "Every exercise (list of Exercise, copies): the catalog's in catalog order, then those added, in "
          "the "
          "order added.")
      .def("__len__", &ExerciseRegistry::size)
      .def(
          "__contains__",
          [](const ExerciseRegistry& r, const Utf8Arg<"id">& id) { return r.find(id) != nullptr; },
          py::arg("id"));

  // --- the engine ---------------------------------------------------------
  py::class_<SessionState>(m, "SessionState", "A snapshot of a session to draw.")
      .def_property_readonly(
          "status", [](const SessionState& s) { return std::string(to_id(s.status)); },
          "Where the session is: 'ready', 'running', 'paused', 'finished' or 'aborted'.")
      .def_readonly("step", &SessionState::step,
                    "Index of the current step within the cycle (int, 0 to steps - 1).")
      .def_readonly("steps", &SessionState::steps, "Steps in one cycle (int).")
      .def_readonly("cycle", &SessionState::cycle, "The current cycle (int, 1-based, 1 to cycles).")
      .def_readonly("cycles", &SessionState::cycles, "Cycles in the session (int, >= 1).")
      .def_property_readonly(
          "phase", [](const SessionState& s) { return std::string(to_id(s.phase)); },
          "The current step's breathing phase (str): one of 'none', 'inhale', 'hold_in', 'exhale', "
          "'hold_out' (calmkit.BreathPhase's values); 'none' for a step that is no breath.")
      .def_readonly("text", &SessionState::text,
                    "The current step's cue (a timed step) or question (a prompt), str.")
      .def_readonly("prompt", &SessionState::prompt,
                    "True when the current step is a prompt (it waits for answers, not time).")
      .def_readonly("waiting_for_answer", &SessionState::waiting_for_answer,
                    "True while a prompt is open and needs more answers (Session.answer).")
      .def_readonly("answers_given", &SessionState::answers_given,
                    "Answers given to the current prompt so far (int).")
      .def_readonly("answers_needed", &SessionState::answers_needed,
                    "Answers the current prompt collects (int; 0 for a timed step).")
      .def_readonly("seconds_left", &SessionState::seconds_left,
                    "Seconds left in the current timed step (float; 0 for a prompt).")
      .def_readonly(
          "step_progress", &SessionState::step_progress,
          "How far through the current step, 0 to 1 (float; answers given over needed for a prompt): "
          "what a pacer animates.")
      .def_readonly(
          "session_progress", &SessionState::session_progress,
          "How far through the session, 0 to 1 (float): by time when every step is timed, else by steps.")
      .def_readonly("elapsed_seconds", &SessionState::elapsed_seconds,
                    "Active seconds since start, pauses excluded (float).")
      .def_readonly("paused_seconds", &SessionState::paused_seconds,
                    "Seconds spent paused, suspends included (float).")
      .def_readonly("suspended", &SessionState::suspended,
                    "True when the session paused itself because the clock jumped forward more than "
                    "max_gap_seconds (an app put in the background); resume() continues it.")
      .def("__repr__", [](const SessionState& s) {
        return "SessionState(" + std::string(to_id(s.status)) + ", step " + std::to_string(s.step) +
               ", cycle " + std::to_string(s.cycle) + "/" + std::to_string(s.cycles) + ", " +
               std::string(to_id(s.phase)) + ", " + fmt(s.seconds_left) + " s left)";
      });

  py::class_<SessionEvent>(m, "SessionEvent", "Something that happened, stamped with its clock time.")
      .def_property_readonly(
          "type", [](const SessionEvent& e) { return std::string(to_id(e.type)); },
          "What happened (str): a calmkit.SessionEventType value, e.g. 'step_started', "
          "'answer_recorded', 'suspended', 'finished'.")
      .def_readonly(
          "at", &SessionEvent::at,
          "When it happened, in seconds of the clock given to the Session (float): a step boundary's "
          "exact time, not the time of the update() that noticed it.")
      .def_readonly("step", &SessionEvent::step, "Index of the step within its cycle (int, 0-based).")
      .def_readonly("cycle", &SessionEvent::cycle, "The cycle it happened in (int, 1-based).")
      .def_property_readonly(
          "phase", [](const SessionEvent& e) { return std::string(to_id(e.phase)); },
          "The step's breathing phase for step events (str), one of 'none', 'inhale', 'hold_in', 'exhale', "
          "'hold_out' (calmkit.BreathPhase's values).")
      .def_readonly(
          "text", &SessionEvent::text,
          "The cue or question for 'step_started', the answer for 'answer_recorded', else '' (str).")
      .def("__repr__", [](const SessionEvent& e) {
        return "SessionEvent(" + std::string(to_id(e.type)) + ", at=" + fmt(e.at) +
               ", step=" + std::to_string(e.step) + ", cycle=" + std::to_string(e.cycle) + ")";
      });

  py::class_<Session>(m, "Session",
                      "A guided session driven by your monotonic clock in seconds (e.g. time.monotonic()). "
                      "No threads, no sleeps: call update(now) as often as you redraw.")
      .def(py::init([](const Exercise& e, const py::object& max_gap_seconds) {
             // A number, as in JavaScript: True is not 1 s, and a str gets a message naming the option.
             const auto gap = number_of_seconds(max_gap_seconds);
             if (!gap) {
               throw py::type_error("Session: max_gap_seconds must be a number of seconds, got " +
                                    what_it_is(max_gap_seconds));
             }
             return Session(e, SessionOptions{*gap});
           }),
           py::arg("exercise"), py::arg("max_gap_seconds") = 5.0)
      .def(
          "start", [](Session& s, ClockArg<"start"> now) { return s.start(now.seconds); }, py::arg("now"),
          "Starts the first step at `now` (seconds of your monotonic clock, float). ValueError when already "
          "started or for a `now` that is not finite or beyond 1e12 s, as every method that takes `now`.")
      .def(
          "update", [](Session& s, ClockArg<"update"> now) { return s.update(now.seconds); }, py::arg("now"),
          "Advances the session to `now` (seconds) and returns its SessionState to draw; call it once per "
          "frame, at any frame rate. A forward jump over max_gap_seconds during a timed step suspends the "
          "session instead of fast-forwarding it.")
      .def_property_readonly("state", &Session::state,
                             "The SessionState as of the latest clock reading (no time passes).")
      .def(
          "pause", [](Session& s, ClockArg<"pause"> now) { return s.pause(now.seconds); }, py::arg("now"),
          "Stops the session's clock at `now` (seconds); nothing happens unless it is running.")
      .def(
          "resume", [](Session& s, ClockArg<"resume"> now) { return s.resume(now.seconds); }, py::arg("now"),
          "Restarts the clock at `now` (seconds) after a pause or a suspend; nothing happens unless paused.")
      .def(
          "skip", [](Session& s, ClockArg<"skip"> now) { return s.skip(now.seconds); }, py::arg("now"),
          "Ends the current step at `now` (seconds) and moves to the next; skipping the last step finishes "
          "the session. Counted in skipped_steps.")
      .def(
          "answer",
          [](Session& s, ClockArg<"answer"> now, Utf8Arg<"text"> text) {
            s.answer(now.seconds, std::move(text));
          },
          py::arg("now"), py::arg("text"),
          "Stores one answer (str, non-empty) to the current prompt at `now` (seconds); the last answer the "
          "prompt needs moves on. ValueError when the step is not a prompt, the session is neither running "
          "nor paused, or `text` is empty or only white space (any of Unicode's White_Space characters: "
          "spaces, tabs, line breaks, U+00A0, U+3000 ...).")
      .def(
          "abort", [](Session& s, ClockArg<"abort"> now) { return s.abort(now.seconds); }, py::arg("now"),
          "Ends the session early at `now` (seconds): status 'aborted', and the journal record's completed "
          "is false. Nothing happens once finished or aborted.")
      .def("poll_events", &Session::poll_events,
           "Takes the events queued since the last call (list of SessionEvent, oldest first), each stamped "
           "with the clock time it happened at: play a cue per 'step_started'.")
      .def(
          "finish",
          [](Session& s, ClockArg<"finish"> now, Utf8Arg<"id"> id, Instant started_at,
             Utf8Arg<"participant"> participant, std::optional<long long> intensity_before,
             std::optional<long long> intensity_after, Utf8Arg<"trigger"> trigger) {
            SessionRecordInfo info;
            info.participant = std::move(participant);
            info.id = std::move(id);
            info.started_at = started_at;
            info.intensity_before = optional_bounded<Intensity>(intensity_before, "intensity_before");
            info.intensity_after = optional_bounded<Intensity>(intensity_after, "intensity_after");
            info.trigger = std::move(trigger);
            return s.finish(now.seconds, info);
          },
          py::arg("now"), py::arg("id"), py::arg("started_at"), py::arg("participant") = "",
          py::arg("intensity_before") = py::none(), py::arg("intensity_after") = py::none(),
          py::arg("trigger") = "",
          "The journal's ExerciseSession record; a running session is aborted at `now` first.")
      .def_property_readonly("exercise", &Session::exercise, "The Exercise being guided.")
      .def_property_readonly(
          "status", [](const Session& s) { return std::string(to_id(s.status())); },
          "The status as of the latest call (str): 'ready', 'running', 'paused', 'finished' or 'aborted'.")
      .def_property_readonly("responses", &Session::responses,
                             "Every answer given so far (list of str, in the order given).")
      .def_property_readonly("skipped_steps", &Session::skipped_steps, "Steps left early by skip() (int).");

  // --- suggestions ----------------------------------------------------------
  py::class_<Suggestion>(m, "Suggestion", "One ranked exercise and why.")
      .def_readonly("exercise", &Suggestion::exercise, "The exercise's id (str).")
      .def_readonly("name", &Suggestion::name, "The exercise's display name (str).")
      .def_property_readonly(
          "kind", [](const Suggestion& s) { return std::string(to_id(s.kind)); },
          "The exercise's kind (str, a calmkit.ExerciseKind value such as 'breathing' or 'grounding').")
      .def_readonly("score", &Suggestion::score,
                    "The rank's score (float): base + suits_bonus + the weight of this person's history; "
                    "higher ranks first (docs/exercises.md).")
      .def_readonly("base", &Suggestion::base,
                    "The kind's weight for the distress band of the intensity asked about (float; the rule's "
                    "step 2 in docs/exercises.md).")
      .def_readonly(
          "suits_bonus", &Suggestion::suits_bonus,
          "-0.5, 0 or +0.5 (float): whether the exercise says it suits that distress (the rule's step 3).")
      .def_readonly("rated_sessions", &Suggestion::rated_sessions,
                    "This person's sessions of the exercise with distress rated before and after (int).")
      .def_readonly("mean_drop", &Suggestion::mean_drop,
                    "Their mean distress before minus after, in points of the 0-10 scale (float), or None "
                    "when rated_sessions is below suggest()'s min_sessions.")
      .def_readonly("reason", &Suggestion::reason, "Why it is suggested, in plain words (str).")
      .def("__repr__", [](const Suggestion& s) {
        return "Suggestion(" + quoted(s.exercise) + ", score=" + fmt(s.score) + ")";
      });

  m.def(
      "suggest",
      [](long long intensity, const Journal& journal, const Utf8Arg<"participant">& participant,
         std::optional<std::vector<Exercise>> exercises, int min_sessions, double history_weight,
         std::size_t limit) {
        const auto now = bounded_from_int<Intensity>(intensity, "intensity");
        const SuggestOptions opt{min_sessions, history_weight, limit};
        if (exercises) return suggest(now, journal, participant, std::span<const Exercise>(*exercises), opt);
        return suggest(now, journal, participant, catalog(), opt);
      },
      py::arg("intensity"), py::arg("journal"), py::arg("participant") = "",
      py::arg("exercises") = py::none(), py::arg("min_sessions") = 3, py::arg("history_weight") = 1.0,
      py::arg("limit") = 0,
      "Exercises ranked for distress `intensity` (0-10) and this person's history (see docs/exercises.md).");
}

}  // namespace calmkit::bindings
