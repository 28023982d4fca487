/// @file common.hpp
/// @brief Conversions shared by every file of the `calmkit._core` bindings.
///
/// - `calmkit::Instant` <-> aware `datetime.datetime` (a type caster): Python
///   gives an aware datetime (its `utcoffset()` is kept as the offset) or an
///   RFC 3339 string; C++ gives back an aware datetime whose tzinfo is a fixed
///   `datetime.timezone(timedelta(minutes=offset))`. A datetime in a zone with
///   rules (zoneinfo) whose wall time does not exist or happens twice is read
///   by calmkit's one rule for local times (calmkit.localtime) with a
///   `LocalTimeWarning`.
/// - Checked conversions for the bounded scores (0–10 intensity, 0–100 %) and
///   the vocabularies (string ids), all raising `ValueError` in Python.
/// - `record_from_py`: any of the four record objects -> `calmkit::Record`.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>
#include <calmkit/time.hpp>
#include <calmkit/validate.hpp>
#include <calmkit/vocabulary.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace calmkit::bindings {

void register_model(py::module_& m);
void register_journal(py::module_& m);
void register_io(py::module_& m);
void register_synthetic(py::module_& m);

/// Makes sure the CPython datetime C API is loaded (idempotent).
inline void ensure_datetime_api() {
  if (!PyDateTimeAPI) {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
  }
}

/// `calmkit.LocalTimeWarning` (a UserWarning), created by `register_model`.
inline PyObject*& local_time_warning() {
  static PyObject* type = nullptr;
  return type;
}

/// Warns with `calmkit.LocalTimeWarning`; a warning turned into an error raises.
inline void warn_local_time(const std::string& text) {
  PyObject* type = local_time_warning() != nullptr ? local_time_warning() : PyExc_UserWarning;
  if (PyErr_WarnEx(type, text.c_str(), 1) != 0) throw py::error_already_set();
}

/// For an aware datetime in a zone with rules (not a fixed `datetime.timezone`):
/// the same wall time read by calmkit's one rule for local times, the rule of
/// the importers and of calmkit.localtime: a time in a daylight-saving gap
/// becomes the instant at the offset before the change (shown at the offset
/// after it, Europe/Berlin 02:30 -> 03:30+02:00), with a LocalTimeWarning. A
/// time shown twice keeps the offset its tzinfo gives (zoneinfo and dateutil:
/// the first for `fold=0`, the second for `fold=1`; pytz: what `localize`
/// chose), with a LocalTimeWarning unless `fold=1` chose the second.
///
/// The offsets are asked of the zone itself (`astimezone`, a day either side),
/// never of the tzinfo's own answer for a wall time it may not hold: so
/// dateutil's and POSIX-rule zones (whose gap answer is the offset after the
/// change) follow the same rule as zoneinfo, and a tzinfo whose offset the
/// zone never uses then — pytz's zone passed as `tzinfo=`, which carries its
/// first, local-mean-time offset (Europe/Berlin +00:53) — is a ValueError
/// instead of a time 67 minutes away. Returns nullopt when no rule applied.
inline std::optional<py::object> apply_local_time_rule(py::handle src, const py::object& off) {
  py::object tz = src.attr("tzinfo");
  static PyObject* fixed_type = py::object(py::module_::import("datetime").attr("timezone")).release().ptr();
  if (tz.is_none() || PyObject_IsInstance(tz.ptr(), fixed_type) == 1) return std::nullopt;
  const py::object utc = py::reinterpret_borrow<py::object>(PyDateTime_TimeZone_UTC);
  const auto shown = [](py::handle dt) { return dt.attr("strftime")("%Y-%m-%d %H:%M").cast<std::string>(); };
  const auto zone = py::str(tz).cast<std::string>();
  try {
    const py::object day = py::reinterpret_steal<py::object>(PyDelta_FromDSU(1, 0, 0));
    const py::object wall = src.attr("replace")(py::arg("tzinfo") = py::none(), py::arg("fold") = 0);
    const py::object guess = wall - off;  // the instant the tzinfo says, as a naive UTC time
    const auto at = [&](const py::object& naive_utc) {
      return naive_utc.attr("replace")(py::arg("tzinfo") = utc).attr("astimezone")(tz);
    };
    const py::object before = at(guess - day).attr("utcoffset")();
    const py::object after = at(guess + day).attr("utcoffset")();
    const auto fits = [&](const py::object& o) {
      return at(wall - o).attr("replace")(py::arg("tzinfo") = py::none()).equal(wall);
    };
    const bool off_fits = fits(off);
    const bool before_fits = fits(before);
    const bool after_fits = !after.equal(before) && fits(after);
    if (off_fits) {
      if (before_fits && after_fits && PyDateTime_DATE_GET_FOLD(src.ptr()) == 0) {
        // The larger offset is the earlier of the two instants.
        const bool first = off.equal(before.attr("__lt__")(after).cast<bool>() ? after : before);
        warn_local_time(shown(wall) + " happened twice in " + zone + " (clocks went back); read as the " +
                        (first ? "first, " : "second, as its tzinfo gives, ") +
                        src.attr("isoformat")().cast<std::string>());
      }
      return std::nullopt;
    }
    if (!before_fits && !after_fits && (off.equal(before) || off.equal(after))) {
      const py::object real = at(wall - before);
      warn_local_time(shown(wall) + " does not exist in " + zone + " (clocks jumped forward); read as " +
                      real.attr("isoformat")().cast<std::string>());
      return real;
    }
  } catch (py::error_already_set& e) {
    // Beyond the dates Python can hold a day either side: the year check refuses it.
    if (e.matches(PyExc_OverflowError)) return std::nullopt;
    throw;
  }
  throw py::value_error(
      "datetime " + py::repr(src).cast<std::string>() + ": its tzinfo gives the UTC offset " +
      py::str(off).cast<std::string>() + ", which " + zone + " does not use at " + shown(src) +
      " (a pytz zone passed as tzinfo= or to replace() carries the zone's first, local-mean-time offset); "
      "build it with the zone's localize(), or with zoneinfo.ZoneInfo");
}

/// An aware datetime -> Instant. Throws `py::value_error` for a naive one, an
/// offset that is not a whole number of minutes, or a year outside 1400..9999.
inline Instant instant_from_datetime(py::handle src) {
  ensure_datetime_api();
  py::object off = src.attr("utcoffset")();
  if (off.is_none()) {
    throw py::value_error("naive datetime " + py::repr(src).cast<std::string>() +
                          " needs a UTC offset: give it a tzinfo (for example "
                          "datetime.timezone.utc) or pass an RFC 3339 string with an offset");
  }
  if (!PyDateTime_CheckExact(src.ptr()) && PyObject_HasAttrString(src.ptr(), "nanosecond") == 1) {
    // A pandas Timestamp: digits past the microsecond would be dropped without a word.
    const auto ns = src.attr("nanosecond").cast<long long>();
    if (ns != 0) {
      throw py::value_error(py::repr(src).cast<std::string>() + " has " + std::to_string(ns) +
                            " nanosecond(s) past the microsecond; calmkit keeps times to the microsecond "
                            "(round it first, e.g. .floor('us'))");
    }
  }
  if (auto resolved = apply_local_time_rule(src, off)) return instant_from_datetime(*resolved);
  if (!PyDelta_Check(off.ptr())) throw py::type_error("utcoffset() did not return a timedelta");
  const long long off_seconds = static_cast<long long>(PyDateTime_DELTA_GET_DAYS(off.ptr())) * 86400 +
                                PyDateTime_DELTA_GET_SECONDS(off.ptr());
  if (PyDateTime_DELTA_GET_MICROSECONDS(off.ptr()) != 0 || off_seconds % 60 != 0) {
    throw py::value_error("UTC offset " + py::str(off).cast<std::string>() +
                          " is not a whole number of minutes");
  }
  const auto offset = UtcOffset::make(static_cast<int>(off_seconds / 60));
  if (!offset) throw py::value_error(detail::offset_out_of_range(off_seconds / 60));
  const int year = PyDateTime_GET_YEAR(src.ptr());
  if (year < detail::min_year || year > detail::max_year) {
    throw py::value_error(detail::year_out_of_range(year));
  }
  const boost::gregorian::date d(static_cast<unsigned short>(year),
                                 static_cast<unsigned short>(PyDateTime_GET_MONTH(src.ptr())),
                                 static_cast<unsigned short>(PyDateTime_GET_DAY(src.ptr())));
  const std::int64_t seconds_in_day = (static_cast<std::int64_t>(PyDateTime_DATE_GET_HOUR(src.ptr())) * 60 +
                                       PyDateTime_DATE_GET_MINUTE(src.ptr())) *
                                          60 +
                                      PyDateTime_DATE_GET_SECOND(src.ptr());
  const std::int64_t local_us = Instant::date_to_day(d) * detail::us_per_day + seconds_in_day * 1'000'000LL +
                                PyDateTime_DATE_GET_MICROSECOND(src.ptr());
  return Instant::from_utc_us(local_us - static_cast<std::int64_t>(offset->minutes()) * 60'000'000LL,
                              *offset);
}

/// A `datetime.timezone` with a fixed offset (`datetime.timezone.utc` for 0).
inline py::object fixed_timezone(UtcOffset offset) {
  ensure_datetime_api();
  if (offset.minutes() == 0) return py::reinterpret_borrow<py::object>(PyDateTime_TimeZone_UTC);
  auto delta = py::reinterpret_steal<py::object>(PyDelta_FromDSU(0, offset.minutes() * 60, 0));
  if (!delta) throw py::error_already_set();
  auto tz = py::reinterpret_steal<py::object>(PyTimeZone_FromOffset(delta.ptr()));
  if (!tz) throw py::error_already_set();
  return tz;
}

/// Instant -> aware datetime with the instant's own offset.
inline py::object datetime_from_instant(Instant t) {
  ensure_datetime_api();
  const std::int64_t local = t.local_us();
  const std::int64_t day = detail::floor_div(local, detail::us_per_day);
  const std::int64_t in_day = local - day * detail::us_per_day;  // [0, 86399999999] µs
  const auto ymd = Instant::day_to_date(day).year_month_day();
  const std::int64_t secs = in_day / 1'000'000LL;
  py::object tz = fixed_timezone(t.offset());
  auto dt = py::reinterpret_steal<py::object>(PyDateTimeAPI->DateTime_FromDateAndTime(
      static_cast<int>(ymd.year), static_cast<int>(ymd.month), static_cast<int>(ymd.day),
      static_cast<int>(secs / 3600), static_cast<int>((secs / 60) % 60), static_cast<int>(secs % 60),
      static_cast<int>(in_day % 1'000'000LL), tz.ptr(), PyDateTimeAPI->DateTimeType));
  if (!dt) throw py::error_already_set();
  return dt;
}

/// Formats a list of ids as `a, b, c` for error messages.
template <class Table>
std::string list_ids(const Table& table) {
  std::string out;
  for (const auto& e : table) {
    if (!out.empty()) out += ", ";
    out += e.id;
  }
  return out;
}

inline std::vector<Distortion> distortions_from_ids(const std::vector<std::string>& ids) {
  std::vector<Distortion> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(parse_distortion(id));  // ValueError listing the valid ids
  return out;
}

inline std::vector<std::string> distortion_ids(const std::vector<Distortion>& ds) {
  std::vector<std::string> out;
  out.reserve(ds.size());
  for (auto d : ds) out.emplace_back(to_id(d));
  return out;
}

/// A Python int -> a bounded score. Out of range is a `ValueError` in Python
/// (std::invalid_argument), not the IndexError the C++ `std::out_of_range`
/// would map to: a bad score is a bad value, and every other validation error
/// of the record classes is a ValueError too.
template <class B>
B bounded_from_int(long long v, std::string_view field) {
  if (auto b = B::make(v)) return *b;
  detail::throw_invalid(std::string(field) + ' ' + B::out_of_range_reason(v));
}

template <class B>
std::optional<B> optional_bounded(const std::optional<long long>& v, std::string_view field) {
  if (!v) return std::nullopt;
  return bounded_from_int<B>(*v, field);
}

template <class B>
std::optional<int> optional_value(const std::optional<B>& b) {
  if (!b) return std::nullopt;
  return b->value();
}

/// Raises the record's first broken field rule (validate.hpp) as a ValueError
/// (`RecordError`) whose place is the record, e.g.
/// `trigger 't1': field 'acted_after_minutes': must be ...`.
inline void raise_rule(const std::string& record, std::optional<RuleViolation> broken) {
  if (broken) [[unlikely]]
    detail::throw_record(record, std::move(*broken));
}

/// A Python float (or None) as `Minutes`: the `acted_after_minutes` rule
/// raised as a `RecordError` whose place is `record`.
inline std::optional<Minutes> minutes_from_py(const std::string& record, std::optional<double> v) {
  raise_rule(record, rules::acted_after_minutes(v));
  if (!v) return std::nullopt;
  return Minutes::make(*v);
}

/// `Minutes` as Python sees them: a float, or None.
inline std::optional<double> minutes_to_py(const std::optional<Minutes>& m) {
  if (!m) return std::nullopt;
  return m->value();
}

/// The record classes, as the TypeErrors of functions taking a record name them.
inline constexpr std::string_view record_types =
    "a Trigger, Reading, ExerciseSession, ThoughtRecord or Assessment";

/// The class name of `h`'s type, for a TypeError.
inline std::string type_name_of(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

/// Whether `h` is one of the record classes (`record_types`).
inline bool is_record(py::handle h) {
  return py::isinstance<Trigger>(h) || py::isinstance<Reading>(h) || py::isinstance<ExerciseSession>(h) ||
         py::isinstance<ThoughtRecord>(h) || py::isinstance<Assessment>(h);
}

/// Any record object -> the C++ variant; TypeError for anything else.
inline Record record_from_py(py::handle h) {
  if (py::isinstance<Trigger>(h)) return h.cast<const Trigger&>();
  if (py::isinstance<Reading>(h)) return h.cast<const Reading&>();
  if (py::isinstance<ExerciseSession>(h)) return h.cast<const ExerciseSession&>();
  if (py::isinstance<ThoughtRecord>(h)) return h.cast<const ThoughtRecord&>();
  if (py::isinstance<Assessment>(h)) return h.cast<const Assessment&>();
  throw py::type_error("expected " + std::string(record_types) + ", got " + type_name_of(h));
}

/// `__eq__` for a bound value type (bound with `py::is_operator()`, so that
/// comparing with another type gives NotImplemented, then False).
template <class T>
bool equal(const T& a, const T& b) {
  return a == b;
}

/// A file name from the library as Python reads names (`os.fsdecode`): its
/// bytes as UTF-8, a byte that is not UTF-8 as a surrogate escape. A POSIX
/// file name is bytes, not text; decoded this way `open(name)` finds the file
/// again. Use it for every `path` attribute.
inline py::str fs_text(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

/// A message from the library for people to read: UTF-8, a byte that is not
/// (from a file name or a broken file) shown as `\xNN`, so the text can be
/// printed to any terminal or log. Use it for every message and reason.
inline py::str display_text(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "backslashreplace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

/// `display_text` as UTF-8 bytes again, for C APIs that take `const char*`.
inline std::string display_utf8(const std::string& s) {
  return display_text(s).cast<std::string>();
}

/// `repr()` of a string, for __repr__ methods (a byte that is not UTF-8 shows as its
/// surrogate escape, as Python shows such a file name).
inline std::string quoted(const std::string& s) {
  return py::repr(fs_text(s)).cast<std::string>();
}

/// Text given from Python: a `str` as its UTF-8 bytes, a `bytes` object as
/// its bytes (pybind11's std::string caster takes both). A str holding a lone
/// surrogate (U+D800..U+DFFF) has no UTF-8 form; pybind11 refuses it with a
/// TypeError naming no argument. Here it gives the bytes Python's
/// "surrogatepass" gives it (U+D800 as ED A0 80), which calmkit's text rule
/// (`rules::utf8_text`) refuses with its own words where the text is read, as
/// the record classes' text fields do. Nothing for any other object.
inline std::optional<std::string> utf8_bytes(py::handle v) {
  char* p = nullptr;
  Py_ssize_t n = 0;
  if (PyBytes_Check(v.ptr())) {
    if (PyBytes_AsStringAndSize(v.ptr(), &p, &n) != 0) throw py::error_already_set();
    return std::string(p, static_cast<std::size_t>(n));
  }
  if (!PyUnicode_Check(v.ptr())) return std::nullopt;
  if (const char* u = PyUnicode_AsUTF8AndSize(v.ptr(), &n))
    return std::string(u, static_cast<std::size_t>(n));
  PyErr_Clear();
  const auto bytes =
      py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(v.ptr(), "utf-8", "surrogatepass"));
  if (!bytes || PyBytes_AsStringAndSize(bytes.ptr(), &p, &n) != 0) throw py::error_already_set();
  return std::string(p, static_cast<std::size_t>(n));
}

/// A text argument (`str` or `bytes`, see `utf8_bytes`) handed on as it is:
/// a journal's text or an exercise definition's JSON, whose reader refuses
/// bytes that are not UTF-8 with its own error (the line and the field). A
/// name, an id or any other text is a `Utf8Arg`.
struct TextArg {
  std::string bytes;  ///< the text's bytes, UTF-8 unless a str held a lone surrogate
};

/// The name of a parameter or attribute as a template argument (a string
/// literal: `Utf8Arg<"participant">`), so that its caster can name it.
template <std::size_t N>
struct ArgName {
  char text[N]{};
  consteval ArgName(const char (&s)[N]) {  // NOLINT(google-explicit-constructor): a literal is the point
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  [[nodiscard]] constexpr std::string_view view() const { return {text, N - 1}; }
};

/// Whether a caster's name is a function's parameter or an object's attribute
/// (a property's setter): the first word of its error message.
enum class ArgRole { argument, attribute };

/// A name, an id or any other text from Python (`str` or `bytes`, as
/// pybind11's std::string takes them): the std::string of its UTF-8 bytes.
/// Its caster is calmkit's one rule for such text: bytes that are not UTF-8,
/// or a str holding a lone surrogate (U+D800..U+DFFF, which has no UTF-8 form;
/// pybind11 refuses it with a TypeError that lists signatures and names no
/// argument), raise ValueError `argument 'participant': is not valid UTF-8
/// (byte 0xed at offset 0)`, the reason of the text rule (`rules::utf8_text`)
/// for the bytes Python's "surrogatepass" gives the str (U+D800 as ED A0 80),
/// the words the reader uses for the same bytes in a file. Any other object
/// is pybind11's TypeError, as for std::string. Shown as `str` in signatures.
template <ArgName Name, ArgRole Role = ArgRole::argument>
struct Utf8Arg : std::string {};

/// An attribute's new value (a property's setter), checked as `Utf8Arg`:
/// `attribute 'name': is not valid UTF-8 (...)`.
template <ArgName Name>
using Utf8Attr = Utf8Arg<Name, ArgRole::attribute>;

/// A file name from Python (`str`, `bytes` or `os.PathLike`): the bytes
/// `os.fsencode` gives it, as `open()` takes it. A str's lone surrogates
/// U+DC80..U+DCFF are the escapes of the bytes 0x80..0xFF that Python's
/// `os.fsdecode` makes of a file name that is not UTF-8 (a file another
/// program named): they become those bytes again, and the file opens. Any
/// other lone surrogate has no bytes, and a NUL byte ends a POSIX name: both
/// are a ValueError naming the parameter with the words `open()` uses
/// (`argument 'path': 'utf-8' codec can't encode character '\ud800' in
/// position 3: surrogates not allowed`, `argument 'path': embedded null
/// byte`), from Python's own error (its `__cause__`), instead of pybind11's
/// TypeError. Any other object is pybind11's TypeError.
template <ArgName Name>
struct PathArg : std::filesystem::path {};

/// The first words of a message about parameter or attribute `name`.
inline std::string arg_place(std::string_view name, ArgRole role) {
  return std::string(role == ArgRole::argument ? "argument '" : "attribute '") + std::string(name) + "': ";
}

/// The rule of `Utf8Arg`: the bytes, once they are UTF-8; else ValueError.
inline std::string utf8_argument(std::string bytes, std::string_view name, ArgRole role) {
  if (auto bad = rules::utf8_text(name, bytes))
    detail::throw_invalid(arg_place(bad->field, role) + bad->reason);
  return bytes;
}

/// The rule of `PathArg`: `os.fsencode`'s bytes of a str, bytes or
/// os.PathLike; nullopt for any other object; else ValueError.
inline std::optional<std::string> fs_bytes(py::handle v, std::string_view name) {
  PyObject* fspath = PyOS_FSPath(v.ptr());
  if (fspath == nullptr) {
    PyErr_Clear();
    return std::nullopt;
  }
  const auto owned = py::reinterpret_steal<py::object>(fspath);
  PyObject* encoded = nullptr;
  if (PyUnicode_FSConverter(owned.ptr(), &encoded) == 0) {
    // Python's own error (UnicodeEncodeError, or ValueError for a NUL) becomes the cause.
    py::error_already_set cause;
    const std::string message =
        arg_place(name, ArgRole::argument) + py::str(cause.value()).cast<std::string>();
    cause.restore();
    py::raise_from(PyExc_ValueError, message.c_str());
    throw py::error_already_set();
  }
  const auto bytes = py::reinterpret_steal<py::object>(encoded);
  char* p = nullptr;
  Py_ssize_t n = 0;
  if (PyBytes_AsStringAndSize(bytes.ptr(), &p, &n) != 0) throw py::error_already_set();
  return std::string(p, static_cast<std::size_t>(n));
}

}  // namespace calmkit::bindings

namespace pybind11::detail {

/// `calmkit::bindings::TextArg` from a `str` or `bytes` (`utf8_bytes`); shown as `str`.
template <>
struct type_caster<calmkit::bindings::TextArg> {
  PYBIND11_TYPE_CASTER(calmkit::bindings::TextArg, const_name("str"));

  bool load(handle src, bool /*convert*/) {
    auto bytes = calmkit::bindings::utf8_bytes(src);
    if (!bytes) return false;
    value.bytes = std::move(*bytes);
    return true;
  }
};

/// `calmkit::bindings::Utf8Arg`: text checked by `utf8_argument`, naming the
/// parameter or attribute; shown as `str`.
template <calmkit::bindings::ArgName Name, calmkit::bindings::ArgRole Role>
struct type_caster<calmkit::bindings::Utf8Arg<Name, Role>> {
  using Text = calmkit::bindings::Utf8Arg<Name, Role>;
  PYBIND11_TYPE_CASTER(Text, const_name("str"));

  bool load(handle src, bool /*convert*/) {
    auto bytes = calmkit::bindings::utf8_bytes(src);
    if (!bytes) return false;
    static_cast<std::string&>(value) = calmkit::bindings::utf8_argument(std::move(*bytes), Name.view(), Role);
    return true;
  }
};

/// `calmkit::bindings::PathArg`: a file name by `fs_bytes`, naming the
/// parameter; shown as pybind11 shows std::filesystem::path.
template <calmkit::bindings::ArgName Name>
struct type_caster<calmkit::bindings::PathArg<Name>> {
  PYBIND11_TYPE_CASTER(calmkit::bindings::PathArg<Name>,
                       io_name("os.PathLike | str | bytes", "pathlib.Path"));

  bool load(handle src, bool /*convert*/) {
    auto bytes = calmkit::bindings::fs_bytes(src, Name.view());
    if (!bytes) return false;
    static_cast<std::filesystem::path&>(value) = std::move(*bytes);
    return true;
  }
};

/// `calmkit::Instant` <-> `datetime.datetime` (aware). Accepts an RFC 3339
/// string too. A naive datetime raises ValueError rather than guessing a zone.
template <>
struct type_caster<calmkit::Instant> {
  PYBIND11_TYPE_CASTER(calmkit::Instant, io_name("datetime.datetime | str", "datetime.datetime"));

  bool load(handle src, bool /*convert*/) {
    calmkit::bindings::ensure_datetime_api();
    if (PyUnicode_Check(src.ptr())) {
      // invalid_argument -> ValueError; a lone surrogate is a byte of no time either
      value = calmkit::Instant::parse(*calmkit::bindings::utf8_bytes(src));
      return true;
    }
    if (PyDateTime_Check(src.ptr())) {
      value = calmkit::bindings::instant_from_datetime(src);
      return true;
    }
    return false;
  }

  static handle cast(const calmkit::Instant& t, return_value_policy /*policy*/, handle /*parent*/) {
    return calmkit::bindings::datetime_from_instant(t).release();
  }
};

}  // namespace pybind11::detail
