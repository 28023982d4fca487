// The WebAssembly core of the JavaScript package (embind). Internal: the
// public JavaScript API is bindings/js/src/index.js, which wraps this module.
//
// What crosses the boundary:
// - records and exercise definitions as their documented JSON form (journal
//   format v1, docs/journal-format.md; exercise JSON, exercises.hpp), so the
//   JavaScript side sees the same shape a journal file has and this file binds
//   only the public C++ API (include/calmkit/*.hpp);
// - metric tables as JavaScript objects of columns (typed arrays, string
//   arrays), built here without per-row C++ objects;
// - three C++ objects with a lifetime: Journal, ExerciseRegistry and Session.
//   The JavaScript wrapper frees them (delete(), Symbol.dispose, and a
//   FinalizationRegistry for forgotten ones).
// This build has no threads: the reader and the metrics are told to use one
// (a browser reports its cores, and a thread could not be started).
// Every entry point turns a C++ exception into a JavaScript Error carrying the
// kind and, for format errors, path, line and field as properties.
//
// Why one file of ~700 lines: it is the one embind module of the package, and
// its parts (the journal, the exercise catalog, the session engine) share the
// column and error helpers at its top and the one EMSCRIPTEN_BINDINGS block at
// its end. Its seam, if it grows: core_<part>.cpp files, each with its own
// EMSCRIPTEN_BINDINGS block, and a private header for the shared helpers.
#include <calmkit/exercises.hpp>
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/metrics.hpp>
#include <calmkit/session.hpp>
#include <calmkit/suggest.hpp>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace {

using emscripten::val;
namespace mx = calmkit::metrics;

val error_object(const std::string& kind, const std::string& message) {
  val e = val::global("Error").new_(val(message));
  e.set("calmkitKind", val(kind));
  return e;
}

/// Runs `f`, turning any C++ exception into a thrown JavaScript Error. The
/// Error is thrown after the catch block ends, so the C++ exception is freed.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  std::optional<val> err;
  try {
    return f();
  } catch (const calmkit::RecordError& e) {
    // A record refused by the model's rules (Journal::add, the writer): a
    // JournalFormatError with no file or line, its place the record ("cannot
    // add trigger 't1'"); JavaScript's RecordError, as C++'s and Python's.
    err = error_object("journal_format", e.what());
    err->set("path", val(std::string()));
    err->set("line", val(0.0));
    err->set("field", val(e.field()));
    err->set("reason", val(e.reason()));
    err->set("place", val(e.place()));
  } catch (const calmkit::JournalFormatError& e) {
    err = error_object("journal_format", e.what());
    err->set("path", val(e.path()));
    err->set("line", val(static_cast<double>(e.line())));
    err->set("field", val(e.field()));
    err->set("reason", val(e.reason()));
  } catch (const calmkit::ExerciseFormatError& e) {
    err = error_object("exercise_format", e.what());
    err->set("field", val(e.field()));
    err->set("reason", val(e.reason()));
  } catch (const std::out_of_range& e) {
    err = error_object("out_of_range", e.what());
  } catch (const std::invalid_argument& e) {
    err = error_object("invalid_argument", e.what());
  } catch (const std::exception& e) {
    err = error_object("runtime", e.what());
  }
  err->throw_();
}

// --- column helpers -----------------------------------------------------------

template <class T>
val typed(const char* ctor, const std::vector<T>& v) {
  // A copy into a fresh JavaScript array: the view into wasm memory must not
  // outlive this call (memory growth would detach it).
  return val::global(ctor).new_(emscripten::typed_memory_view(v.size(), v.data()));
}

val f64(const std::vector<double>& v) {
  return typed("Float64Array", v);
}

val f64(const std::vector<std::int64_t>& v) {
  std::vector<double> d(v.begin(), v.end());  // counts fit a double exactly
  return typed("Float64Array", d);
}

val strings(const std::vector<std::string>& v) {
  val a = val::array();
  for (std::size_t i = 0; i < v.size(); ++i) a.set(i, val(v[i]));
  return a;
}

val participant_names(const mx::Cohort& c, const std::vector<std::int32_t>& codes) {
  val a = val::array();
  for (std::size_t i = 0; i < codes.size(); ++i) {
    a.set(i, codes[i] < 0 ? val::null() : val(c.participants[static_cast<std::size_t>(codes[i])]));
  }
  return a;
}

/// Vocabulary codes (a column of `Vocab` values as integers) as their stable ids.
template <class Vocab, class Codes>
val ids_of(const Codes& codes) {
  val a = val::array();
  for (std::size_t i = 0; i < codes.size(); ++i) {
    a.set(i, val(std::string(calmkit::to_id(static_cast<Vocab>(codes[i])))));
  }
  return a;
}

/// A day count (days since 1970-01-01) as an ISO date, "2026-03-02".
std::string iso_date(std::int64_t days) {
  constexpr std::int64_t us_per_day = 86'400'000'000LL;
  return calmkit::Instant::from_utc_us(days * us_per_day).to_string().substr(0, 10);
}

val dates(const std::vector<std::int64_t>& days) {
  val a = val::array();
  for (std::size_t i = 0; i < days.size(); ++i) a.set(i, val(iso_date(days[i])));
  return a;
}

mx::Period period_of(const std::string& p) {
  if (p == "day") return mx::Period::day;
  if (p == "week") return mx::Period::week;
  if (p == "month") return mx::Period::month;
  calmkit::detail::throw_invalid("period must be 'day', 'week' or 'month', got '" + p + "'");
}

/// IANA zones handed in by index.js from calmkit_tzdata.bin (this build has
/// no tzdata folder for TimeZone::locate to look in), by name.
std::map<std::string, calmkit::TimeZone, std::less<>>& named_zones() {
  static std::map<std::string, calmkit::TimeZone, std::less<>> zones;
  return zones;
}

void add_time_zone(const std::string& name, const std::string& tzif) {
  guarded([&] {
    named_zones().insert_or_assign(name,
                                   calmkit::TimeZone::from_tzif(tzif, name, "calmkit_tzdata.bin: " + name));
  });
}

/// Local dates from each record's own UTC offset (`tz` empty), or from the
/// time zone `tz` names, as the Python metrics' `tz=` does: a zone name read
/// from tzdata first, else a POSIX rule (TimeZone::locate).
mx::LocalCalendar calendar_of(const std::string& tz) {
  if (tz.empty()) return {};
  if (const auto it = named_zones().find(tz); it != named_zones().end()) return mx::LocalCalendar(it->second);
  return mx::LocalCalendar(calmkit::TimeZone::locate(tz));
}

mx::EpisodeOptions episode_options(int threshold, double window_hours) {
  mx::EpisodeOptions o{.threshold = threshold, .window_hours = window_hours};
  o.check();
  return o;
}

// --- the journal ----------------------------------------------------------------

/// How a record handed over by the JavaScript side is named in its errors:
/// `cannot ACTION trigger 't1' of participant 'p'` (`describe_record`), from
/// its `type`, `participant` and `id` as given ("record" for a missing type).
std::string record_place(std::string_view action, const std::string& type, const std::string& participant,
                         const std::string& id) {
  return "cannot " + std::string(action) + ' ' +
         calmkit::describe_record(type.empty() ? "record" : type, participant, id);
}

/// One record of journal format v1, parsed by the journal reader so that the
/// rules and their reasons (field names) are the reader's own; a refusal is a
/// `RecordError` whose place is `place` (`record_place`), as `Journal::add`'s
/// are. The reader resolves a `trigger` reference within the text it reads,
/// so the JavaScript side sends a reference apart (`trigger`, "" for none) and
/// it is set here; `Journal::add` then checks it against the journal's triggers.
calmkit::Record record_from_json(const std::string& json, const std::string& trigger,
                                 const std::string& place) {
  if (json.find('\n') != std::string::npos || json.find('\r') != std::string::npos) {
    // JSON.stringify never writes a raw line break; one here would split the record.
    throw calmkit::RecordError(place, "", "a record must be one line of JSON");
  }
  calmkit::RecordSet set;
  try {
    set = calmkit::parse_journal(json, {.threads = 1}, "<record>").release();
  } catch (const calmkit::JournalFormatError& e) {
    throw calmkit::RecordError(place, e.field(), e.reason());  // the rule's field and reason
  }
  if (set.size() != 1) throw calmkit::RecordError(place, "", "expected exactly one record");
  calmkit::Record r = !set.triggers.empty()          ? calmkit::Record{std::move(set.triggers.front())}
                      : !set.readings.empty()        ? calmkit::Record{std::move(set.readings.front())}
                      : !set.exercises.empty()       ? calmkit::Record{std::move(set.exercises.front())}
                      : !set.thought_records.empty() ? calmkit::Record{std::move(set.thought_records.front())}
                                                     : calmkit::Record{std::move(set.assessments.front())};
  if (!trigger.empty()) {
    std::visit(
        [&trigger](auto& rec) {
          if constexpr (requires { rec.trigger; }) rec.trigger = trigger;
        },
        r);
  }
  return r;
}

template <class R>
val record_array(calmkit::RecordView<R> rs) {
  std::string out = "[";
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i) out += ',';
    out += calmkit::to_json(calmkit::Record{rs[i]});
  }
  out += ']';
  return val(out);
}

class JsJournal {
 public:
  JsJournal() = default;
  explicit JsJournal(calmkit::Journal j) : j_(std::move(j)) {}

  /// `type`, `participant`, `id`: the record's own, as given, to name it
  /// in an error before it is parsed.
  void add(const std::string& json, const std::string& trigger, const std::string& type,
           const std::string& participant, const std::string& id) {
    guarded([&] { j_.add(record_from_json(json, trigger, record_place("add", type, participant, id))); });
  }
  [[nodiscard]] double size() const { return static_cast<double>(j_.size()); }
  [[nodiscard]] val participants() const { return strings(j_.participants()); }

  /// JSON text of an array of the records of one type, in journal order.
  [[nodiscard]] val records_json(const std::string& type) const {
    return guarded([&]() -> val {
      if (type == "trigger") return record_array(j_.triggers());
      if (type == "reading") return record_array(j_.readings());
      if (type == "exercise") return record_array(j_.exercises());
      if (type == "thought_record") return record_array(j_.thought_records());
      if (type == "assessment") return record_array(j_.assessments());
      calmkit::detail::throw_invalid("unknown record type '" + type + "'");
    });
  }

  [[nodiscard]] std::string to_jsonl(bool header, const std::string& generator) const {
    return guarded([&] { return calmkit::to_jsonl(j_, {.header = header, .generator = generator}); });
  }

  [[nodiscard]] JsJournal copy() const { return JsJournal(j_); }

  // Metrics: the columns are rebuilt only after the journal changed.
  [[nodiscard]] val time_to_calm(int threshold, double window_hours) {
    return guarded([&] {
      const auto& c = cols();
      const auto e = mx::time_to_calm(c, episode_options(threshold, window_hours));
      val o = val::object();
      o.set("participant", participant_names(c, c.triggers.participant));
      o.set("triggerId", strings(c.trigger_ids.strings()));
      val onset = val::array();
      val group = val::array();
      for (std::size_t i = 0; i < c.triggers.size(); ++i) {
        const auto cat = static_cast<calmkit::TriggerCategory>(c.triggers.category[i]);
        group.set(i, val(std::string(calmkit::to_id(calmkit::group_of(cat)))));
        onset.set(i, val(calmkit::Instant::from_utc_us(c.triggers.time_us[i],
                                                       calmkit::UtcOffset(c.triggers.offset_minutes[i]))
                             .to_string()));
      }
      o.set("onset", onset);
      o.set("category", ids_of<calmkit::TriggerCategory>(c.triggers.category));
      o.set("group", group);
      o.set("minutes", f64(e.minutes));
      o.set("calmed", typed("Uint8Array", e.calmed));
      o.set("onsetIntensity", typed("Int8Array", c.triggers.intensity));
      o.set("peakIntensity", typed("Int8Array", e.peak_intensity));
      o.set("observations", typed("Int32Array", e.observations));
      o.set("withExercise", typed("Uint8Array", e.with_exercise));
      return o;
    });
  }

  [[nodiscard]] val time_to_calm_summary(int threshold, double window_hours, bool by_participant,
                                         const std::string& period, bool by_category, double level,
                                         const std::string& tz) {
    return guarded([&] {
      const auto& c = cols();
      const auto e = mx::time_to_calm(c, episode_options(threshold, window_hours));
      mx::GroupBy by{.participant = by_participant, .period = std::nullopt, .category = by_category};
      if (!period.empty()) by.period = period_of(period);
      const auto s = mx::time_to_calm_summary(c, e, by, calendar_of(tz), level);
      val o = val::object();
      o.set("participant", participant_names(c, s.participant));
      if (by.period) o.set("periodStart", dates(s.period_start));
      if (by_category) o.set("category", ids_of<calmkit::TriggerCategory>(s.category));
      o.set("episodes", f64(s.episodes));
      o.set("calmed", f64(s.calmed));
      o.set("censored", f64(s.censored));
      o.set("medianMinutes", f64(s.median_minutes));
      o.set("ciLow", f64(s.ci_low));
      o.set("ciHigh", f64(s.ci_high));
      return o;
    });
  }

  [[nodiscard]] val trigger_frequency(const std::string& period, const std::string& split,
                                      const std::string& tz) {
    return guarded([&] {
      const auto& c = cols();
      mx::Split sp = mx::Split::none;
      if (split == "category") {
        sp = mx::Split::category;
      } else if (split == "group") {
        sp = mx::Split::group;
      } else if (!split.empty()) {
        calmkit::detail::throw_invalid("split must be 'category', 'group' or none, got '" + split + "'");
      }
      const auto f = mx::trigger_frequency(c, period_of(period), sp, calendar_of(tz));
      val o = val::object();
      o.set("participant", participant_names(c, f.participant));
      o.set("periodStart", dates(f.period_start));
      if (sp == mx::Split::category) o.set("category", ids_of<calmkit::TriggerCategory>(f.split));
      if (sp == mx::Split::group) o.set("group", ids_of<calmkit::TriggerGroup>(f.split));
      o.set("count", f64(f.count));
      return o;
    });
  }

  [[nodiscard]] val trigger_trend(int k, double level, const std::string& tz) {
    return guarded([&] {
      const auto& c = cols();
      const auto t = mx::trigger_trend(c, k, calendar_of(tz), level);
      val o = val::object();
      o.set("participant", participant_names(c, t.participant));
      o.set("weeks", f64(t.weeks));
      o.set("lastKCount", f64(t.last_k_count));
      o.set("prevKCount", f64(t.prev_k_count));
      o.set("rateRatio", f64(t.rate_ratio));
      o.set("rrCiLow", f64(t.rr_ci_low));
      o.set("rrCiHigh", f64(t.rr_ci_high));
      o.set("rrDispersion", f64(t.rr_dispersion));
      o.set("slopePerWeek", f64(t.slope_per_week));
      o.set("slopeSe", f64(t.slope_se));
      o.set("slopeCiLow", f64(t.slope_ci_low));
      o.set("slopeCiHigh", f64(t.slope_ci_high));
      o.set("dispersion", f64(t.dispersion));
      o.set("weeklyChangePct", f64(t.weekly_change_pct));
      return o;
    });
  }

  [[nodiscard]] val practice_consistency(const std::string& tz) {
    return guarded([&] {
      const auto& c = cols();
      const auto p = mx::practice_consistency(c, calendar_of(tz));
      val o = val::object();
      o.set("participant", participant_names(c, p.participant));
      o.set("periodStart", dates(p.period_start));
      o.set("practiceDays", f64(p.practice_days));
      o.set("sessions", f64(p.sessions));
      return o;
    });
  }

  [[nodiscard]] val exercise_effectiveness(int threshold, double window_hours, bool by_participant) {
    return guarded([&] {
      const auto& c = cols();
      const auto e = mx::time_to_calm(c, episode_options(threshold, window_hours));
      const auto t = mx::exercise_effectiveness(c, e, by_participant);
      val o = val::object();
      o.set("participant", participant_names(c, t.participant));
      val ex = val::array();
      for (std::size_t i = 0; i < t.size(); ++i) {
        ex.set(i, val(c.exercise_names[static_cast<std::size_t>(t.exercise[i])]));
      }
      o.set("exercise", ex);
      o.set("sessions", f64(t.sessions));
      o.set("rated", f64(t.rated));
      o.set("meanChange", f64(t.mean_change));
      o.set("medianChange", f64(t.median_change));
      o.set("episodesWith", f64(t.episodes_with));
      o.set("medianMinutesWith", f64(t.median_minutes_with));
      o.set("episodesWithout", f64(t.episodes_without));
      o.set("medianMinutesWithout", f64(t.median_minutes_without));
      return o;
    });
  }

  [[nodiscard]] const calmkit::Journal& journal() const noexcept { return j_; }

 private:
  // The journal's own columns: nothing is converted.
  [[nodiscard]] const mx::Cohort& cols() const noexcept { return j_.columns(); }

  calmkit::Journal j_;
};

/// Parses journal text; returns {journal, report} with the report as an object.
val parse_journal(const std::string& text, bool lenient, const std::string& name) {
  return guarded([&] {
    auto r = calmkit::parse_journal_with_report(text, {.lenient = lenient, .threads = 1}, name);
    val report = val::object();
    report.set("path", val(r.report.path));
    report.set("lines", val(static_cast<double>(r.report.lines)));
    report.set("records", val(static_cast<double>(r.report.records)));
    report.set("version", val(r.report.version));
    val skipped = val::array();
    for (std::size_t i = 0; i < r.report.skipped.size(); ++i) {
      const auto& s = r.report.skipped[i];
      val o = val::object();
      o.set("line", val(static_cast<double>(s.line)));
      o.set("field", val(s.field));
      o.set("reason", val(s.reason));
      o.set("message", val(s.message));
      skipped.set(i, o);
    }
    report.set("skipped", skipped);
    val out = val::object();
    out.set("journal", val(JsJournal(std::move(r.journal))));
    out.set("report", report);
    return out;
  });
}

std::string record_to_json(const std::string& json, const std::string& trigger, const std::string& type,
                           const std::string& participant, const std::string& id) {
  return guarded([&] {
    return calmkit::to_json(
        record_from_json(json, trigger, record_place("normalize", type, participant, id)));
  });
}

/// Throws the `RecordError` of a record the JavaScript side refuses before it
/// has any JSON (a value JSON has no form for: a BigInt, a Symbol, a function,
/// an object holding itself), its place named as the reader's refusals are.
void refuse_record(const std::string& action, const std::string& type, const std::string& participant,
                   const std::string& id, const std::string& field, const std::string& reason) {
  guarded([&] { throw calmkit::RecordError(record_place(action, type, participant, id), field, reason); });
}

// --- exercises ------------------------------------------------------------------

std::string catalog_json() {
  return guarded([] { return calmkit::to_json(calmkit::catalog()); });
}

/// One catalog exercise as JSON; an unknown id throws catalog_exercise()'s
/// out_of_range (the id and the closest ids), the one message for it.
std::string exercise_json(const std::string& id) {
  return guarded([&] { return calmkit::to_json(calmkit::catalog_exercise(id)); });
}

std::string exercise_normalized(const std::string& json) {
  return guarded([&] { return calmkit::to_json(calmkit::exercise_from_json(json)); });
}

std::string breathing_pattern_json(const std::string& id, const std::string& name, double inhale,
                                   double hold_in, double exhale, double hold_out, int times,
                                   double total_seconds) {
  return guarded([&] {
    const auto r =
        total_seconds > 0 ? calmkit::Repeat::for_seconds(total_seconds) : calmkit::Repeat::times(times);
    return calmkit::to_json(calmkit::breathing_pattern(id, name, inhale, hold_in, exhale, hold_out, r));
  });
}

double exercise_cycles(const std::string& json) {
  return guarded([&] { return static_cast<double>(calmkit::exercise_from_json(json).cycles()); });
}

class JsRegistry {
 public:
  JsRegistry() = default;
  static JsRegistry with_catalog() {
    JsRegistry r;
    r.reg_ = calmkit::ExerciseRegistry::with_catalog();
    return r;
  }
  void add(const std::string& json) {
    guarded([&] { reg_.add(calmkit::exercise_from_json(json)); });
  }
  [[nodiscard]] bool has(const std::string& id) const { return reg_.find(id) != nullptr; }
  [[nodiscard]] std::string get(const std::string& id) const {
    return guarded([&] { return calmkit::to_json(reg_.get(id)); });
  }
  [[nodiscard]] std::string all() const {
    return guarded([&] { return calmkit::to_json(reg_.all()); });
  }
  [[nodiscard]] double size() const { return static_cast<double>(reg_.size()); }
  [[nodiscard]] const calmkit::ExerciseRegistry& registry() const noexcept { return reg_; }

 private:
  calmkit::ExerciseRegistry reg_;
};

val suggestion_array(const std::vector<calmkit::Suggestion>& s) {
  val a = val::array();
  for (std::size_t i = 0; i < s.size(); ++i) {
    val o = val::object();
    o.set("exercise", val(s[i].exercise));
    o.set("name", val(s[i].name));
    o.set("kind", val(std::string(calmkit::to_id(s[i].kind))));
    o.set("score", val(s[i].score));
    o.set("base", val(s[i].base));
    o.set("suitsBonus", val(s[i].suits_bonus));
    o.set("ratedSessions", val(s[i].rated_sessions));
    o.set("meanDrop", s[i].mean_drop ? val(*s[i].mean_drop) : val::null());
    o.set("reason", val(s[i].reason));
    a.set(i, o);
  }
  return a;
}

val suggest(int intensity, const JsJournal& journal, const std::string& participant,
            const JsRegistry* registry, int min_sessions, double history_weight, double limit) {
  return guarded([&] {
    const calmkit::SuggestOptions o{.min_sessions = min_sessions,
                                    .history_weight = history_weight,
                                    .limit = static_cast<std::size_t>(limit)};
    const auto ex = registry ? registry->registry().all() : calmkit::catalog();
    return suggestion_array(
        calmkit::suggest(calmkit::Intensity(intensity), journal.journal(), participant, ex, o));
  });
}

// --- the session engine -------------------------------------------------------------

val state_object(const calmkit::SessionState& s) {
  val o = val::object();
  o.set("status", val(std::string(calmkit::to_id(s.status))));
  o.set("step", val(static_cast<double>(s.step)));
  o.set("steps", val(static_cast<double>(s.steps)));
  o.set("cycle", val(s.cycle));
  o.set("cycles", val(s.cycles));
  o.set("phase", val(std::string(calmkit::to_id(s.phase))));
  o.set("text", val(s.text));
  o.set("prompt", val(s.prompt));
  o.set("waitingForAnswer", val(s.waiting_for_answer));
  o.set("answersGiven", val(s.answers_given));
  o.set("answersNeeded", val(s.answers_needed));
  o.set("secondsLeft", val(s.seconds_left));
  o.set("stepProgress", val(s.step_progress));
  o.set("sessionProgress", val(s.session_progress));
  o.set("elapsedSeconds", val(s.elapsed_seconds));
  o.set("pausedSeconds", val(s.paused_seconds));
  o.set("suspended", val(s.suspended));
  return o;
}

std::optional<calmkit::Intensity> rating(int v) {
  if (v < 0) return std::nullopt;  // -1 from JavaScript: not rated
  return calmkit::Intensity(v);
}

class JsSession {
 public:
  JsSession(const std::string& exercise_json, double max_gap_seconds)
      : s_(guarded([&] {
          calmkit::SessionOptions o;
          o.max_gap_seconds = std::isnan(max_gap_seconds) ? o.max_gap_seconds : max_gap_seconds;
          return calmkit::Session(calmkit::exercise_from_json(exercise_json), o);
        })) {}

  void start(double now) {
    guarded([&] { s_.start(now); });
  }
  val update(double now) {
    return guarded([&] { return state_object(s_.update(now)); });
  }
  [[nodiscard]] val state() const { return state_object(s_.state()); }
  void pause(double now) {
    guarded([&] { s_.pause(now); });
  }
  void resume(double now) {
    guarded([&] { s_.resume(now); });
  }
  void skip(double now) {
    guarded([&] { s_.skip(now); });
  }
  void answer(double now, const std::string& text) {
    guarded([&] { s_.answer(now, text); });
  }
  void abort(double now) {
    guarded([&] { s_.abort(now); });
  }
  val poll_events() {
    return guarded([&] {
      const auto ev = s_.poll_events();
      val a = val::array();
      for (std::size_t i = 0; i < ev.size(); ++i) {
        val o = val::object();
        o.set("type", val(std::string(calmkit::to_id(ev[i].type))));
        o.set("at", val(ev[i].at));
        o.set("step", val(static_cast<double>(ev[i].step)));
        o.set("cycle", val(ev[i].cycle));
        o.set("phase", val(std::string(calmkit::to_id(ev[i].phase))));
        o.set("text", val(ev[i].text));
        a.set(i, o);
      }
      return a;
    });
  }
  /// The exercise record as journal JSON.
  std::string finish(double now, const std::string& participant, const std::string& id,
                     const std::string& started_at, int before, int after, const std::string& trigger) {
    return guarded([&] {
      calmkit::SessionRecordInfo info;
      info.participant = participant;
      info.id = id;
      info.started_at = calmkit::Instant::parse(started_at);
      info.intensity_before = rating(before);
      info.intensity_after = rating(after);
      info.trigger = trigger;
      return calmkit::to_json(calmkit::Record{s_.finish(now, info)});
    });
  }
  [[nodiscard]] std::string status() const { return std::string(calmkit::to_id(s_.status())); }
  [[nodiscard]] std::string exercise_json() const {
    return guarded([&] { return calmkit::to_json(s_.exercise()); });
  }
  [[nodiscard]] val responses() const { return strings(s_.responses()); }
  [[nodiscard]] int skipped_steps() const { return s_.skipped_steps(); }

 private:
  calmkit::Session s_;
};

/// The vocabularies a front end lists: trigger categories (with group and
/// description) and cognitive distortions, in table order.
val trigger_categories() {
  val a = val::array();
  for (std::size_t i = 0; i < calmkit::trigger_category_table.size(); ++i) {
    const auto& e = calmkit::trigger_category_table[i];
    val o = val::object();
    o.set("id", val(std::string(e.id)));
    o.set("label", val(std::string(e.label)));
    o.set("group", val(std::string(calmkit::to_id(e.group))));
    o.set("description", val(std::string(e.description)));
    a.set(i, o);
  }
  return a;
}

val distortions() {
  val a = val::array();
  for (std::size_t i = 0; i < calmkit::distortion_table.size(); ++i) {
    const auto& e = calmkit::distortion_table[i];
    val o = val::object();
    o.set("id", val(std::string(e.id)));
    o.set("label", val(std::string(e.label)));
    o.set("description", val(std::string(e.description)));
    a.set(i, o);
  }
  return a;
}

JsJournal empty_journal() {
  return JsJournal();
}

std::string version() {
  return CALMKIT_VERSION;
}

}  // namespace

EMSCRIPTEN_BINDINGS(calmkit_core) {
  using namespace emscripten;
  // No threads in this build: the metrics run on the calling thread.
  mx::set_threads(1);

  function("version", &version);
  function("addTimeZone", &add_time_zone);
  function(
      "formatVersion", +[] { return calmkit::journal_format_version; });

  class_<JsJournal>("Journal")
      .constructor<>()
      .function("add", &JsJournal::add)
      .function("size", &JsJournal::size)
      .function("participants", &JsJournal::participants)
      .function("recordsJson", &JsJournal::records_json)
      .function("toJsonl", &JsJournal::to_jsonl)
      .function("copy", &JsJournal::copy)
      .function("timeToCalm", &JsJournal::time_to_calm)
      .function("timeToCalmSummary", &JsJournal::time_to_calm_summary)
      .function("triggerFrequency", &JsJournal::trigger_frequency)
      .function("triggerTrend", &JsJournal::trigger_trend)
      .function("practiceConsistency", &JsJournal::practice_consistency)
      .function("exerciseEffectiveness", &JsJournal::exercise_effectiveness);
  function("emptyJournal", &empty_journal);
  function("parseJournal", &parse_journal);
  function("triggerCategories", &trigger_categories);
  function("distortions", &distortions);
  function("recordToJson", &record_to_json);

  function("refuseRecord", &refuse_record);
  function("catalogJson", &catalog_json);
  function("exerciseJson", &exercise_json);
  function("exerciseNormalized", &exercise_normalized);
  function("breathingPatternJson", &breathing_pattern_json);
  function("exerciseCycles", &exercise_cycles);

  class_<JsRegistry>("ExerciseRegistry")
      .constructor<>()
      .class_function("withCatalog", &JsRegistry::with_catalog)
      .function("add", &JsRegistry::add)
      .function("has", &JsRegistry::has)
      .function("get", &JsRegistry::get)
      .function("all", &JsRegistry::all)
      .function("size", &JsRegistry::size);
  function("suggest", &suggest, allow_raw_pointers());

  class_<JsSession>("Session")
      .constructor<std::string, double>()
      .function("start", &JsSession::start)
      .function("update", &JsSession::update)
      .function("state", &JsSession::state)
      .function("pause", &JsSession::pause)
      .function("resume", &JsSession::resume)
      .function("skip", &JsSession::skip)
      .function("answer", &JsSession::answer)
      .function("abort", &JsSession::abort)
      .function("pollEvents", &JsSession::poll_events)
      .function("finish", &JsSession::finish)
      .function("status", &JsSession::status)
      .function("exerciseJson", &JsSession::exercise_json)
      .function("responses", &JsSession::responses)
      .function("skippedSteps", &JsSession::skipped_steps);
}
