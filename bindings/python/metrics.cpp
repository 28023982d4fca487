// Progress metrics: `Cohort` (the columnar input) and one `metric_*` function
// per metric, each returning a dict of NumPy arrays (moved out of the C++
// vectors, no copy and no per-row Python object). python/calmkit/metrics.py
// turns them into DataFrames.
//
// Why one file of ~700 lines: it is one area's register_<area> (as every
// bindings/python file), and its two halves, the columnar input (Cohort,
// cohort_from_arrays and the per-Journal cohort cache) and the metric
// functions, share the private NumPy helpers above them (exact_array,
// to_numpy, the calendar and period arguments). Its seam, if it grows, is
// that one: a cohort.cpp with register_cohort and a private header for the
// shared helpers.
#include "common.hpp"
#include "released_read.hpp"

#include <calmkit/metrics.hpp>

#include <pybind11/numpy.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::bindings {

namespace {

namespace mx = calmkit::metrics;

/// A vector handed to NumPy without copying: the array owns it through a capsule.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        owned->data(), owner);
}

/// `h` as a 1-D array of T. An array of another dtype is converted, and the
/// conversion must be exact: NumPy's cast wraps integers that do not fit and
/// truncates fractions, which would silently change codes, links or offsets,
/// so the first value that does not survive it is an error naming `what`,
/// the field and the row.
template <class T>
py::array_t<T, py::array::c_style | py::array::forcecast> exact_array(const py::handle& h, const char* what,
                                                                      const char* field) {
  const std::string where = std::string(what) + ": '" + field + "'";
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(h);
  if (!a) throw py::type_error(where + " must be array-like of numbers");
  if (a.ndim() != 1) throw py::value_error(where + " must be 1-D");
  const auto np = py::module_::import("numpy");
  const py::object src = np.attr("asarray")(h);
  if (!py::object(src.attr("dtype")).equal(a.dtype())) {
    py::object same = np.attr("equal")(a, src);
    // NaN is a value of a floating target (e.g. "not recorded"): a float32
    // NaN that became a float64 NaN survived the conversion.
    if (std::is_floating_point_v<T> && py::object(src.attr("dtype")).attr("kind").cast<std::string>() == "f")
      same = np.attr("logical_or")(same, np.attr("logical_and")(np.attr("isnan")(a), np.attr("isnan")(src)));
    if (!np.attr("all")(same).cast<bool>()) {
      const auto row = np.attr("flatnonzero")(np.attr("logical_not")(same))[py::int_(0)].cast<std::int64_t>();
      // Elements of an object array (None, Decimal...) have no .item().
      const py::object value = src[py::int_(row)];
      throw py::value_error(
          where + " row " + std::to_string(row) + ": " +
          py::repr(py::hasattr(value, "item") ? value.attr("item")() : value).cast<std::string>() +
          " is not a value of type " + py::str(a.dtype()).cast<std::string>());
    }
  }
  return a;
}

/// Asks Linux to back a large fresh buffer with 2 MiB pages before it is first
/// written: a copy of hundreds of megabytes then takes hundreds of page faults
/// instead of tens of thousands. Only a hint (ignored where unsupported).
inline void prefer_huge_pages(void* data, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21U;
  if (bytes < 4 * huge) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

/// The copies of NumPy arrays into cohort columns: `add` takes each array
/// (converting one of another dtype) with the GIL held, `run` copies them all
/// without touching Python, the largest first, on up to `mx::threads()` threads.
class ColumnCopies {
 public:
  template <class T>
  void add(std::vector<T>& dst, const py::handle& h, const char* field) {
    auto a = exact_array<T>(h, "cohort_from_arrays", field);
    const T* src = a.data();
    const auto n = static_cast<std::size_t>(a.size());
    jobs_.push_back({n * sizeof(T), [&dst, src, n] {
                       dst.reserve(n);
                       prefer_huge_pages(dst.data(), n * sizeof(T));
                       dst.assign(src, src + n);
                     }});
    keep_.push_back(std::move(a));
  }

  void run() {
    std::sort(jobs_.begin(), jobs_.end(), [](const Job& a, const Job& b) { return a.bytes > b.bytes; });
    std::size_t total = 0;
    for (const auto& j : jobs_) total += j.bytes;
    const std::size_t blocks = std::min(mx::detail::block_count(total / 8), jobs_.size());
    std::atomic<std::size_t> next{0};
    mx::detail::run_blocks(blocks, [&](std::size_t) {
      for (std::size_t i = next++; i < jobs_.size(); i = next++) jobs_[i].copy();
    });
  }

 private:
  struct Job {
    std::size_t bytes;
    std::function<void()> copy;
  };
  std::vector<Job> jobs_;
  std::vector<py::array> keep_;  // the (converted) arrays stay alive until run()
};

mx::LocalCalendar calendar(const std::optional<Utf8Arg<"tz">>& tz) {
  if (!tz) return {};
  return mx::LocalCalendar(TimeZone::locate(*tz));
}

/// The id of each period, in Period's order (`period=` and `by=` take them).
constexpr std::array<std::pair<std::string_view, mx::Period>, 3> period_ids{{
    {"day", mx::Period::day},
    {"week", mx::Period::week},
    {"month", mx::Period::month},
}};

std::optional<mx::Period> period_from(const std::optional<Utf8Arg<"period">>& p) {
  if (!p) return std::nullopt;
  for (const auto& [id, period] : period_ids)
    if (*p == id) return period;
  detail::throw_invalid("period must be 'day', 'week' or 'month', got '" + *p + "'");
}

mx::EpisodeOptions episode_options(int threshold, double window_hours) {
  mx::EpisodeOptions o{threshold, window_hours};
  o.check();
  return o;
}

/// A 1-D NumPy array of exactly T, or a converted copy of one of another dtype.
template <class T>
py::array_t<T, py::array::c_style | py::array::forcecast> numpy_view(const py::handle& h, const char* field) {
  return exact_array<T>(h, "episodes", field);
}

/// The rows of a text column as UTF-8 bytes laid end to end and the offset of
/// each row's first byte (`offset.size()` = rows + 1, the last one the total):
/// Arrow's `large_string` layout, copied in one pass (the journal's arena also
/// holds the bytes of rows replaced since).
struct Utf8Rows {
  std::vector<std::int64_t> offset;
  std::vector<std::uint8_t> bytes;

  static Utf8Rows of(const TextColumn& col) {
    Utf8Rows out;
    std::size_t total = 0;
    for (const auto l : col.length) total += l;
    out.offset.resize(col.size() + 1);
    // Room for one short copy past the end (cut off below).
    constexpr std::size_t short_copy = 16;
    out.bytes.resize(total + short_copy);
    std::size_t at = 0;
    const char* const arena = col.arena.data();
    const std::size_t arena_size = col.arena.size();
    auto* const dst = out.bytes.data();
    // A journal read from a shuffled file keeps its ids' bytes in file order
    // while its rows are sorted: the rows' bytes are fetched ahead.
    constexpr std::size_t ahead = 16;
    for (std::size_t i = 0; i < col.size(); ++i) {
      if (i + ahead < col.size()) __builtin_prefetch(arena + col.offset[i + ahead]);
      const std::size_t from = col.offset[i], size = col.length[i];
      out.offset[i] = static_cast<std::int64_t>(at);
      // An id is short: 16 bytes copied at once (a fixed size, no call),
      // the bytes past its end overwritten by the next one or cut off.
      if (size <= short_copy && from + short_copy <= arena_size) {
        std::memcpy(dst + at, arena + from, short_copy);
      } else {
        std::memcpy(dst + at, arena + from, size);
      }
      at += size;
    }
    out.offset[col.size()] = static_cast<std::int64_t>(at);
    out.bytes.resize(total);
    return out;
  }

  /// One Python `str` per row, in a 1-D NumPy object array (pandas wraps it
  /// as its "string" dtype without converting each value again): the form
  /// for a Python without pyarrow.
  [[nodiscard]] py::array str_objects() const {
    const auto n = static_cast<py::ssize_t>(offset.size() - 1);
    // NumPy fills a new object array with NULL (read as None) first.
    py::array out(py::dtype("O"), std::vector<py::ssize_t>{n});
    auto** p = static_cast<PyObject**>(out.mutable_data());
    const char* data = reinterpret_cast<const char*>(bytes.data());
    for (py::ssize_t i = 0; i < n; ++i) {
      const auto b = offset[static_cast<std::size_t>(i)], e = offset[static_cast<std::size_t>(i) + 1];
      PyObject* s = PyUnicode_FromStringAndSize(data + b, static_cast<py::ssize_t>(e - b));
      if (s == nullptr) throw py::error_already_set();
      p[i] = s;  // the array owns the reference
    }
    return out;
  }
};

/// Runs `compute()` (which reads `c`) in one registered read of `c` with the
/// GIL released, and returns its result with the participant names its codes
/// refer to, copied in that same read: a `Journal.add` on another Python
/// thread right after the read renumbers the participants, so names read in
/// a later call could belong to another state of the journal.
template <class Compute>
auto read_with_names(const mx::Cohort& c, Compute&& compute) {
  std::pair<decltype(compute()), std::vector<std::string>> out;
  {
    const ReleasedRead release(c);
    out.first = compute();
    out.second = c.participants;
  }
  return out;
}

/// `d` with the participant names that its "participant" codes index (list of str).
void put_names(py::dict& d, std::vector<std::string>&& participants) {
  d["participants"] = py::cast(std::move(participants));
}

template <class T>
std::span<const T> span_of(const py::array_t<T, py::array::c_style | py::array::forcecast>& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}

/// Runs `compute(calendar, curves)` without the GIL (it returns the summary or
/// the curves) and packs the result into a dict of NumPy arrays.
template <class Compute>
py::dict summary_dict(Compute&& compute, const mx::LocalCalendar& cal, bool curves,
                      const mx::Cohort* reads = nullptr) {
  py::dict d;
  auto keys = [&d](mx::TimeToCalmSummary& s, const char* prefix) {
    const std::string p(prefix);
    d[(p + "participant").c_str()] = to_numpy(std::move(s.participant));
    d[(p + "period_start").c_str()] = to_numpy(std::move(s.period_start));
    d[(p + "category").c_str()] = to_numpy(std::move(s.category));
    d[(p + "episodes").c_str()] = to_numpy(std::move(s.episodes));
    d[(p + "calmed").c_str()] = to_numpy(std::move(s.calmed));
    d[(p + "censored").c_str()] = to_numpy(std::move(s.censored));
    d[(p + "median_minutes").c_str()] = to_numpy(std::move(s.median_minutes));
    d[(p + "ci_low").c_str()] = to_numpy(std::move(s.ci_low));
    d[(p + "ci_high").c_str()] = to_numpy(std::move(s.ci_high));
  };
  std::pair<mx::TimeToCalmSummary, mx::GroupedCurves> r;
  {
    const ReleasedRead release(reads);
    r = compute(cal, curves);
  }
  if (!curves) {
    keys(r.first, "");
    return d;
  }
  auto& g = r.second;
  keys(g.groups, "group_");
  d["group"] = to_numpy(std::move(g.group));
  d["minutes"] = to_numpy(std::move(g.steps.time));
  d["at_risk"] = to_numpy(std::move(g.steps.at_risk));
  d["events"] = to_numpy(std::move(g.steps.events));
  d["censored"] = to_numpy(std::move(g.steps.censored));
  d["survival"] = to_numpy(std::move(g.steps.survival));
  d["ci_low"] = to_numpy(std::move(g.steps.low));
  d["ci_high"] = to_numpy(std::move(g.steps.high));
  return d;
}

/// `journal`'s columns, as a `Cohort` that refers to them (no copy, no
/// conversion: a `Journal` stores its records as these columns). The Cohort
/// keeps the journal alive, and sees every later `add`.
py::object cohort_of(const py::object& journal) {
  if (!py::isinstance<Journal>(journal)) {
    throw py::type_error("expected a calmkit.Journal, got " +
                         py::str(py::type::of(journal).attr("__name__")).cast<std::string>());
  }
  const auto& j = journal.cast<const Journal&>();
  return py::cast(&j.columns(), py::return_value_policy::reference_internal, journal);
}

}  // namespace

void register_metrics(py::module_& m) {
  m.def(
      "_periods",
      [] {
        py::list out;
        for (const auto& [id, period] : period_ids) out.append(std::string(id));
        return out;
      },
      "The calendar periods' ids (metrics::Period), in enum order.");
  py::class_<mx::Cohort> cohort(
      m, "Cohort",
      "A cohort as columns: the input of every metric. Build it once from a Journal "
      "(or from NumPy arrays) and pass it to many metrics.");
  cohort.def(py::init([](const Journal& j) { return mx::Cohort::from_journal(j); }), py::arg("journal"),
             "One pass over a Journal.");
  m.def("_cohort_of", &cohort_of, py::arg("journal"),
        "The Cohort of a Journal: the journal's own columns, without a copy (what every metric on a "
        "Journal uses).");
  m.def(
      "cohort_from_arrays",
      [](const std::vector<TextArg>& participants, const py::handle& trigger_participant,
         const py::handle& trigger_time_us, const py::handle& trigger_offset_minutes,
         const py::handle& trigger_intensity, const py::handle& trigger_category,
         const py::handle& reading_participant, const py::handle& reading_time_us,
         const py::handle& reading_offset_minutes, const py::handle& reading_intensity,
         const py::handle& reading_trigger, const py::object& trigger_acted_on_urge,
         const py::object& trigger_acted_after_minutes) {
        mx::Cohort c;
        // Checked with the columns, naming the row (a str holding a lone surrogate as its bytes).
        c.participants.reserve(participants.size());
        for (const auto& p : participants) c.participants.push_back(p.bytes);
        auto& t = c.triggers;
        auto& r = c.readings;
        // The arrays are taken (converted where their dtype differs) with the
        // GIL held, then copied into the columns without it, in parallel.
        ColumnCopies copies;
        copies.add(t.participant, trigger_participant, "trigger_participant");
        copies.add(t.time_us, trigger_time_us, "trigger_time_us");
        copies.add(t.offset_minutes, trigger_offset_minutes, "trigger_offset_minutes");
        copies.add(t.intensity, trigger_intensity, "trigger_intensity");
        copies.add(t.category, trigger_category, "trigger_category");
        if (!trigger_acted_on_urge.is_none())
          copies.add(t.acted_on_urge, trigger_acted_on_urge, "trigger_acted_on_urge");
        if (!trigger_acted_after_minutes.is_none())
          copies.add(t.acted_after_minutes, trigger_acted_after_minutes, "trigger_acted_after_minutes");
        copies.add(r.participant, reading_participant, "reading_participant");
        copies.add(r.time_us, reading_time_us, "reading_time_us");
        copies.add(r.offset_minutes, reading_offset_minutes, "reading_offset_minutes");
        copies.add(r.intensity, reading_intensity, "reading_intensity");
        copies.add(r.trigger, reading_trigger, "reading_trigger");
        {
          py::gil_scoped_release release;
          copies.run();
          if (trigger_acted_on_urge.is_none()) t.acted_on_urge.assign(t.size(), -1);
          if (trigger_acted_after_minutes.is_none()) t.acted_after_minutes.assign(t.size(), mx::nan_value);
        }
        c.thoughts.distortion_offsets = {0};
        {
          py::gil_scoped_release release;
          c.prepare();
        }
        return c;
      },
      py::arg("participants"), py::arg("trigger_participant"), py::arg("trigger_time_us"),
      py::arg("trigger_offset_minutes"), py::arg("trigger_intensity"), py::arg("trigger_category"),
      py::arg("reading_participant"), py::arg("reading_time_us"), py::arg("reading_offset_minutes"),
      py::arg("reading_intensity"), py::arg("reading_trigger"), py::kw_only(),
      py::arg("trigger_acted_on_urge") = py::none(), py::arg("trigger_acted_after_minutes") = py::none(),
      "Triggers and readings straight from NumPy arrays (one copy each, no per-row objects). Participant "
      "codes index `participants`; times are UTC microseconds; offsets minutes; categories the index in "
      "trigger_categories(); reading_trigger is a trigger row or -1. Rows need not be sorted. "
      "ValueError names the table, row and field of bad input.");
  cohort
      .def_property_readonly(
          "participants", [](const mx::Cohort& c) { return c.participants; },
          "The participant ids (list of str), indexed by participant code; a journal's are sorted.")
      .def_property_readonly(
          "trigger_ids", [](const mx::Cohort& c) { return c.trigger_ids.strings(); },
          "The trigger ids (list of str, one per trigger row, in row order); empty for a cohort made from "
          "arrays without ids.")
      .def_property_readonly(
          "exercise_names", [](const mx::Cohort& c) { return c.exercise_names; },
          "The exercise ids (list of str, e.g. 'breathing.box'), indexed by exercise code.")
      .def_property_readonly(
          "n_triggers", [](const mx::Cohort& c) { return c.triggers.size(); },
          "Number of trigger rows (int).")
      .def_property_readonly(
          "n_readings", [](const mx::Cohort& c) { return c.readings.size(); },
          "Number of reading rows (int).")
      .def("__repr__", [](const mx::Cohort& c) {
        return "Cohort(participants=" + std::to_string(c.participants.size()) +
               ", triggers=" + std::to_string(c.triggers.size()) +
               ", readings=" + std::to_string(c.readings.size()) + ")";
      });

  m.def(
      "set_threads",
      [](int n) {
        if (n < 0) detail::throw_invalid("set_threads: n must be >= 1, or 0 for every hardware thread");
        mx::set_threads(n);
      },
      py::arg("n"),
      "How many threads the cohort metrics may use: n >= 1, or 0 for every hardware thread (the default). "
      "Results are the same for any number.");
  m.def("threads", &mx::threads, "The number of threads the cohort metrics use (>= 1).");

  m.def(
      "_metric_episodes",
      [](const mx::Cohort& c, int threshold, double window_hours, bool utf8_ids) {
        const auto o = episode_options(threshold, window_hours);
        // Everything the frame shows is copied in the one read that computed
        // the episodes; the Python objects are made afterwards, from these
        // copies only (making them can let another thread's add run).
        std::shared_ptr<const mx::EpisodeTable> e;
        TriggerColumns t;
        // The participant codes in the integer type pandas keeps for that
        // many categories (int16 below 32,767), so that the Categorical takes
        // them without another copy.
        std::vector<std::int16_t> participant16;
        std::vector<std::string> names;
        std::vector<std::int64_t> source_rows;
        Utf8Rows ids;
        {
          const ReleasedRead release(c);
          e = mx::time_to_calm_shared(c, o);
          if (c.participants.size() < 32767)
            participant16.assign(c.triggers.participant.begin(), c.triggers.participant.end());
          else
            t.participant = c.triggers.participant;
          t.time_us = c.triggers.time_us;
          t.offset_minutes = c.triggers.offset_minutes;
          t.category = c.triggers.category;
          t.intensity = c.triggers.intensity;
          names = c.participants;
          if (!c.trigger_source_rows.empty())
            source_rows = c.trigger_source_rows;
          else
            ids = Utf8Rows::of(c.trigger_ids);
        }
        py::dict d;
        if (names.size() < 32767)
          d["participant"] = to_numpy(std::move(participant16));
        else
          d["participant"] = to_numpy(std::move(t.participant));
        d["onset_us"] = to_numpy(std::move(t.time_us));
        d["offset_minutes"] = to_numpy(std::move(t.offset_minutes));
        d["category"] = to_numpy(std::move(t.category));
        d["onset_intensity"] = to_numpy(std::move(t.intensity));
        // The shared table stays the journal's: the frame gets copies.
        d["peak_intensity"] = to_numpy(std::vector(e->peak_intensity));
        d["observations"] = to_numpy(std::vector(e->observations));
        d["minutes"] = to_numpy(std::vector(e->minutes));
        d["calmed"] = to_numpy(std::vector(e->calmed));
        d["with_exercise"] = to_numpy(std::vector(e->with_exercise));
        if (!source_rows.empty()) {
          d["source_row"] = to_numpy(std::move(source_rows));
        } else if (utf8_ids) {
          d["trigger_id_offsets"] = to_numpy(std::move(ids.offset));
          d["trigger_id_bytes"] = to_numpy(std::move(ids.bytes));
        } else {
          d["trigger_id"] = ids.str_objects();
        }
        put_names(d, std::move(names));
        return d;
      },
      py::arg("cohort"), py::arg("threshold"), py::arg("window_hours"), py::arg("utf8_ids") = false,
      "Episodes and time-to-calm, one entry per trigger row, with the participant names the codes index "
      "('participants'), all from one state of the cohort: dict of NumPy arrays. The trigger ids are one "
      "str per row ('trigger_id'), or with utf8_ids=True their UTF-8 bytes end to end ('trigger_id_bytes', "
      "uint8) and the int64 offset of each row's first byte plus the total ('trigger_id_offsets'), Arrow's "
      "large_string layout; a cohort from arrays gives 'source_row' instead.");

  m.def(
      "_metric_time_to_calm_summary",
      [](const mx::Cohort& c, int threshold, double window_hours, bool by_participant,
         std::optional<Utf8Arg<"period">> period, bool by_category, std::optional<Utf8Arg<"tz">> tz,
         double confidence, bool curves) {
        const auto o = episode_options(threshold, window_hours);
        const mx::GroupBy by{by_participant, period_from(period), by_category};
        std::vector<std::string> names;
        auto d = summary_dict(
            [&](const mx::LocalCalendar& cal, bool want_curves) {
              const auto eps = mx::time_to_calm_shared(c, o);  // computed once per state of a journal
              names = c.participants;
              return want_curves
                         ? std::pair{mx::TimeToCalmSummary{}, mx::km_curves(c, *eps, by, cal, confidence)}
                         : std::pair{mx::time_to_calm_summary(c, *eps, by, cal, confidence),
                                     mx::GroupedCurves{}};
            },
            calendar(tz), curves, &c);
        put_names(d, std::move(names));
        return d;
      },
      py::arg("cohort"), py::arg("threshold"), py::arg("window_hours"), py::arg("by_participant"),
      py::arg("period"), py::arg("by_category"), py::arg("tz"), py::arg("confidence"), py::arg("curves"),
      "Kaplan-Meier summary per group (or the stacked curves when curves=True): dict of NumPy arrays.");

  m.def(
      "_metric_summary_of_episodes",
      [](const py::handle& participant, const py::handle& onset_us, const py::handle& offset_minutes,
         const py::handle& category, const py::handle& minutes, const py::handle& calmed, bool by_participant,
         std::optional<Utf8Arg<"period">> period, bool by_category, std::optional<Utf8Arg<"tz">> tz,
         double confidence, bool curves) {
        const mx::GroupBy by{by_participant, period_from(period), by_category};
        const auto p = numpy_view<std::int32_t>(participant, "participant");
        const auto on = numpy_view<std::int64_t>(onset_us, "onset");
        const auto off = numpy_view<std::int16_t>(offset_minutes, "offset_minutes");
        const auto cat = numpy_view<std::uint8_t>(category, "category");
        const auto mins = numpy_view<double>(minutes, "minutes");
        const auto cal_ = numpy_view<std::uint8_t>(calmed, "calmed");
        const mx::EpisodeKeys keys{span_of(p), span_of(on), span_of(off), span_of(cat)};
        return summary_dict(
            [&](const mx::LocalCalendar& cal, bool want_curves) {
              return want_curves
                         ? std::pair{mx::TimeToCalmSummary{},
                                     mx::km_curves(keys, span_of(mins), span_of(cal_), by, cal, confidence)}
                         : std::pair{mx::time_to_calm_summary(keys, span_of(mins), span_of(cal_), by, cal,
                                                              confidence),
                                     mx::GroupedCurves{}};
            },
            calendar(tz), curves);
      },
      py::arg("participant"), py::arg("onset_us"), py::arg("offset_minutes"), py::arg("category"),
      py::arg("minutes"), py::arg("calmed"), py::arg("by_participant"), py::arg("period"),
      py::arg("by_category"), py::arg("tz"), py::arg("confidence"), py::arg("curves"),
      "The summary (or curves) of episode arrays, e.g. a filtered time_to_calm frame: dict of NumPy arrays.");

  m.def(
      "_metric_km_quantiles",
      [](const py::dict& curves, const std::vector<double>& p) {
        mx::GroupedCurves g;
        auto take = [&curves](auto& dst, const char* name) {
          using T = typename std::decay_t<decltype(dst)>::value_type;
          const auto a = exact_array<T>(curves[name], "km curves", name);
          dst.assign(a.data(), a.data() + a.size());
        };
        take(g.group, "group");
        take(g.steps.time, "minutes");
        take(g.steps.at_risk, "at_risk");
        take(g.steps.events, "events");
        take(g.steps.censored, "censored");
        take(g.steps.survival, "survival");
        take(g.steps.low, "ci_low");
        take(g.steps.high, "ci_high");
        auto t = mx::km_quantiles(g, p);
        py::dict d;
        d["group"] = to_numpy(std::move(t.group));
        d["p"] = to_numpy(std::move(t.p));
        d["minutes"] = to_numpy(std::move(t.minutes));
        d["ci_low"] = to_numpy(std::move(t.low));
        d["ci_high"] = to_numpy(std::move(t.high));
        return d;
      },
      py::arg("curves"), py::arg("p"),
      "km_quantiles of stacked curves (the dict of _metric_*_summary with curves=True): dict of NumPy "
      "arrays.");

  m.def(
      "_metric_trigger_frequency",
      [](const mx::Cohort& c, const Utf8Arg<"period">& period, const Utf8Arg<"split">& split,
         std::optional<Utf8Arg<"tz">> tz) {
        const auto cal = calendar(tz);
        const auto p = *period_from(period);
        mx::Split s = mx::Split::none;
        if (split == "category")
          s = mx::Split::category;
        else if (split == "group")
          s = mx::Split::group;
        else if (split != "none")
          detail::throw_invalid("split must be 'none', 'category' or 'group'");
        auto [f, names] = read_with_names(c, [&] { return mx::trigger_frequency(c, p, s, cal); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(f.participant));
        d["period_start"] = to_numpy(std::move(f.period_start));
        d["split"] = to_numpy(std::move(f.split));
        d["count"] = to_numpy(std::move(f.count));
        d["mean_intensity"] = to_numpy(std::move(f.mean_intensity));
        return d;
      },
      py::arg("cohort"), py::arg("period"), py::arg("split"), py::arg("tz"),
      "Zero-filled trigger counts per participant and period: dict of NumPy arrays.");

  m.def(
      "_metric_trigger_trend",
      [](const mx::Cohort& c, int k, std::optional<Utf8Arg<"tz">> tz, double confidence, bool pooled) {
        const auto cal = calendar(tz);
        auto [t, names] = read_with_names(c, [&] {
          return pooled ? mx::trigger_trend_pooled(c, k, cal, confidence)
                        : mx::trigger_trend(c, k, cal, confidence);
        });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["last_k_count"] = to_numpy(std::move(t.last_k_count));
        d["prev_k_count"] = to_numpy(std::move(t.prev_k_count));
        d["last_k_days"] = to_numpy(std::move(t.last_k_days));
        d["prev_k_days"] = to_numpy(std::move(t.prev_k_days));
        d["rate_ratio"] = to_numpy(std::move(t.rate_ratio));
        d["rr_ci_low"] = to_numpy(std::move(t.rr_ci_low));
        d["rr_ci_high"] = to_numpy(std::move(t.rr_ci_high));
        d["rr_dispersion"] = to_numpy(std::move(t.rr_dispersion));
        d["slope_per_week"] = to_numpy(std::move(t.slope_per_week));
        d["slope_se"] = to_numpy(std::move(t.slope_se));
        d["slope_ci_low"] = to_numpy(std::move(t.slope_ci_low));
        d["slope_ci_high"] = to_numpy(std::move(t.slope_ci_high));
        d["dispersion"] = to_numpy(std::move(t.dispersion));
        d["weekly_change_pct"] = to_numpy(std::move(t.weekly_change_pct));
        d["fitted_first"] = to_numpy(std::move(t.fitted_first));
        d["fitted_last"] = to_numpy(std::move(t.fitted_last));
        d["weeks"] = to_numpy(std::move(t.weeks));
        return d;
      },
      py::arg("cohort"), py::arg("k"), py::arg("tz"), py::arg("confidence"), py::arg("pooled") = false,
      "Exposure-weighted rate ratio of the last k weeks to the k before, and the quasi-Poisson slope "
      "(calmkit::metrics::trigger_trend, or trigger_trend_pooled with pooled=True): dict of NumPy arrays.");

  m.def(
      "_metric_trigger_trend_weeks",
      [](const mx::Cohort& c, std::optional<Utf8Arg<"tz">> tz, double confidence, bool pooled) {
        const auto cal = calendar(tz);
        auto [w, names] = read_with_names(c, [&] {
          mx::TrendWeeks weeks;
          (void)(pooled ? mx::trigger_trend_pooled(c, 1, cal, confidence, &weeks)
                        : mx::trigger_trend(c, 1, cal, confidence, &weeks));
          return weeks;
        });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(w.participant));
        d["period_start"] = to_numpy(std::move(w.period_start));
        d["count"] = to_numpy(std::move(w.count));
        d["days"] = to_numpy(std::move(w.days));
        d["fitted"] = to_numpy(std::move(w.fitted));
        d["fitted_ci_low"] = to_numpy(std::move(w.fitted_ci_low));
        d["fitted_ci_high"] = to_numpy(std::move(w.fitted_ci_high));
        return d;
      },
      py::arg("cohort"), py::arg("tz"), py::arg("confidence"), py::arg("pooled") = false,
      "trigger_trend's weekly series with the fitted rate and its band week by week "
      "(calmkit::metrics::TrendWeeks): dict of NumPy arrays.");

  m.def(
      "_metric_peak_trend",
      [](const mx::Cohort& c, int threshold, double window_hours, double confidence) {
        const auto o = episode_options(threshold, window_hours);
        auto [t, names] =
            read_with_names(c, [&] { return mx::peak_trend(c, *mx::time_to_calm_shared(c, o), confidence); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["episodes"] = to_numpy(std::move(t.episodes));
        d["mean_peak"] = to_numpy(std::move(t.mean_peak));
        d["slope_per_week"] = to_numpy(std::move(t.slope_per_week));
        d["slope_se"] = to_numpy(std::move(t.slope_se));
        d["slope_ci_low"] = to_numpy(std::move(t.slope_ci_low));
        d["slope_ci_high"] = to_numpy(std::move(t.slope_ci_high));
        d["intercept"] = to_numpy(std::move(t.intercept));
        d["span_weeks"] = to_numpy(std::move(t.span_weeks));
        return d;
      },
      py::arg("cohort"), py::arg("threshold"), py::arg("window_hours"), py::arg("confidence"),
      "Least-squares trend of peak intensity per week: dict of NumPy arrays.");

  m.def(
      "_metric_exercise_effectiveness",
      [](const mx::Cohort& c, int threshold, double window_hours, bool by_participant) {
        const auto o = episode_options(threshold, window_hours);
        std::vector<std::string> exercises;
        auto [t, names] = read_with_names(c, [&] {
          exercises = c.exercise_names;
          return mx::exercise_effectiveness(c, *mx::time_to_calm_shared(c, o), by_participant);
        });
        py::dict d;
        put_names(d, std::move(names));
        d["exercise_names"] = py::cast(std::move(exercises));
        d["participant"] = to_numpy(std::move(t.participant));
        d["exercise"] = to_numpy(std::move(t.exercise));
        d["sessions"] = to_numpy(std::move(t.sessions));
        d["rated"] = to_numpy(std::move(t.rated));
        d["mean_change"] = to_numpy(std::move(t.mean_change));
        d["median_change"] = to_numpy(std::move(t.median_change));
        d["episodes_with"] = to_numpy(std::move(t.episodes_with));
        d["median_minutes_with"] = to_numpy(std::move(t.median_minutes_with));
        d["episodes_without"] = to_numpy(std::move(t.episodes_without));
        d["median_minutes_without"] = to_numpy(std::move(t.median_minutes_without));
        return d;
      },
      py::arg("cohort"), py::arg("threshold"), py::arg("window_hours"), py::arg("by_participant"),
      "Exercise effectiveness per exercise id: dict of NumPy arrays.");

  m.def(
      "_metric_thought_record_summary",
      [](const mx::Cohort& c, int min_alternatives, bool by_participant) {
        auto [t, names] = read_with_names(
            c, [&] { return mx::thought_record_summary(c, min_alternatives, by_participant); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["records"] = to_numpy(std::move(t.records));
        d["belief_rated"] = to_numpy(std::move(t.belief_rated));
        d["mean_belief_before"] = to_numpy(std::move(t.mean_belief_before));
        d["mean_belief_after"] = to_numpy(std::move(t.mean_belief_after));
        d["mean_belief_change"] = to_numpy(std::move(t.mean_belief_change));
        d["median_belief_change"] = to_numpy(std::move(t.median_belief_change));
        d["emotion_rated"] = to_numpy(std::move(t.emotion_rated));
        d["mean_emotion_change"] = to_numpy(std::move(t.mean_emotion_change));
        d["share_min_alternatives"] = to_numpy(std::move(t.share_min_alternatives));
        return d;
      },
      py::arg("cohort"), py::arg("min_alternatives"), py::arg("by_participant") = true,
      "Thought-record changes per participant (or pooled): dict of NumPy arrays.");

  m.def(
      "_metric_distortion_frequency",
      [](const mx::Cohort& c) {
        auto [t, names] = read_with_names(c, [&] { return mx::distortion_frequency(c); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["distortion"] = to_numpy(std::move(t.distortion));
        d["count"] = to_numpy(std::move(t.count));
        d["share"] = to_numpy(std::move(t.share));
        return d;
      },
      py::arg("cohort"), "Distortion counts per participant (all 12, zero-filled): dict of NumPy arrays.");

  m.def(
      "_metric_window_of_uncertainty",
      [](const mx::Cohort& c, bool by_week, std::optional<Utf8Arg<"tz">> tz, bool pooled,
         std::optional<int> first_and_latest_weeks) {
        const auto cal = calendar(tz);
        py::dict d;
        auto put = [&d](mx::UncertaintyTable& t) {
          d["participant"] = to_numpy(std::move(t.participant));
          d["period_start"] = to_numpy(std::move(t.period_start));
          d["triggers"] = to_numpy(std::move(t.triggers));
          d["urge_recorded"] = to_numpy(std::move(t.urge_recorded));
          d["not_acted"] = to_numpy(std::move(t.not_acted));
          d["share_not_acted"] = to_numpy(std::move(t.share_not_acted));
          d["minutes_n"] = to_numpy(std::move(t.minutes_n));
          d["minutes_median"] = to_numpy(std::move(t.minutes_median));
          d["minutes_q1"] = to_numpy(std::move(t.minutes_q1));
          d["minutes_q3"] = to_numpy(std::move(t.minutes_q3));
        };
        if (first_and_latest_weeks) {
          auto [t, names] = read_with_names(c, [&] {
            return mx::window_of_uncertainty_first_and_latest(c, *first_and_latest_weeks, cal, pooled);
          });
          d["window"] = to_numpy(std::move(t.window));
          d["weeks"] = to_numpy(std::move(t.weeks));
          put(t);
          put_names(d, std::move(names));
          return d;
        }
        auto [t, names] =
            read_with_names(c, [&] { return mx::window_of_uncertainty(c, by_week, cal, pooled); });
        put(t);
        put_names(d, std::move(names));
        return d;
      },
      py::arg("cohort"), py::arg("by_week"), py::arg("tz"), py::arg("pooled") = false,
      py::arg("first_and_latest_weeks") = py::none(),
      "Window of uncertainty per participant, per ISO week or over the first and latest weeks, "
      "per participant or pooled: dict of NumPy arrays.");

  m.def(
      "_metric_practice_consistency",
      [](const mx::Cohort& c, std::optional<Utf8Arg<"tz">> tz) {
        const auto cal = calendar(tz);
        auto [t, names] = read_with_names(c, [&] { return mx::practice_consistency(c, cal); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["period_start"] = to_numpy(std::move(t.period_start));
        d["practice_days"] = to_numpy(std::move(t.practice_days));
        d["sessions"] = to_numpy(std::move(t.sessions));
        return d;
      },
      py::arg("cohort"), py::arg("tz"), "Practice days per ISO week: dict of NumPy arrays.");

  m.def(
      "_metric_practice_streaks",
      [](const mx::Cohort& c, std::optional<Utf8Arg<"tz">> tz) {
        const auto cal = calendar(tz);
        auto [t, names] = read_with_names(c, [&] { return mx::practice_streaks(c, cal); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["practice_days"] = to_numpy(std::move(t.practice_days));
        d["longest_streak"] = to_numpy(std::move(t.longest_streak));
        d["current_streak"] = to_numpy(std::move(t.current_streak));
        d["last_record_day"] = to_numpy(std::move(t.last_record_day));
        return d;
      },
      py::arg("cohort"), py::arg("tz"), "Longest and current practice streaks: dict of NumPy arrays.");

  m.def(
      "_metric_affect_dynamics",
      [](const mx::Cohort& c, int acute_change, std::optional<double> max_gap_hours,
         std::optional<Utf8Arg<"tz">> tz) {
        mx::DynamicsOptions o;
        o.acute_change = acute_change;
        o.max_gap_hours = max_gap_hours ? *max_gap_hours : mx::nan_value;
        const auto cal = calendar(tz);
        auto [t, names] = read_with_names(c, [&] { return mx::affect_dynamics(c, o, cal); });
        py::dict d;
        put_names(d, std::move(names));
        d["participant"] = to_numpy(std::move(t.participant));
        d["observations"] = to_numpy(std::move(t.observations));
        d["pairs"] = to_numpy(std::move(t.pairs));
        d["mssd"] = to_numpy(std::move(t.mssd));
        d["rmssd"] = to_numpy(std::move(t.rmssd));
        d["inertia"] = to_numpy(std::move(t.inertia));
        d["pac"] = to_numpy(std::move(t.pac));
        return d;
      },
      py::arg("cohort"), py::arg("acute_change"), py::arg("max_gap_hours"), py::arg("tz"),
      "MSSD, RMSSD, inertia and PAC per participant: dict of NumPy arrays.");

  // The statistics of the pooled forms in calmkit.metrics: peak_trend(by=None)
  // fits the within-person slope over the episodes time_to_calm returns.
  auto slope_dict = [](const mx::Slope& s) {
    py::dict d;
    d["slope"] = s.slope;
    d["se"] = s.se;
    d["low"] = s.low;
    d["high"] = s.high;
    d["intercept"] = s.intercept;
    return d;
  };
  m.def(
      "_stats_within_ols_slope",
      [slope_dict](const py::handle& x, const py::handle& y, const py::handle& group, double confidence) {
        const auto xa = numpy_view<double>(x, "x");
        const auto ya = numpy_view<double>(y, "y");
        const auto ga = numpy_view<std::int32_t>(group, "group");
        return slope_dict(mx::within_ols_slope(span_of(xa), span_of(ya), span_of(ga), confidence));
      },
      py::arg("x"), py::arg("y"), py::arg("group"), py::arg("confidence"),
      "Within-person least-squares slope with participant-clustered errors "
      "(calmkit::metrics::within_ols_slope): dict.");
}

}  // namespace calmkit::bindings
