// `synthetic_journal(...)`: every SyntheticOptions field as a keyword.
#include "common.hpp"

#include <calmkit/synthetic.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace calmkit::bindings {

void register_synthetic(py::module_& m) {
  const SyntheticOptions d;  // the C++ defaults are the Python defaults
  m.def(
      "synthetic_journal",
      [](int participants, int days, std::uint64_t seed, Utf8Arg<"start"> start,
         double triggers_per_day_start, double triggers_per_day_end, double readings_per_episode,
         double exercise_probability, double thought_record_probability, double unlinked_reading_probability,
         Utf8Arg<"participant_prefix"> participant_prefix, bool assessments) {
        SyntheticOptions o;
        o.participants = participants;
        o.days = days;
        o.seed = seed;
        o.start = std::move(start);
        o.triggers_per_day_start = triggers_per_day_start;
        o.triggers_per_day_end = triggers_per_day_end;
        o.readings_per_episode = readings_per_episode;
        o.exercise_probability = exercise_probability;
        o.thought_record_probability = thought_record_probability;
        o.unlinked_reading_probability = unlinked_reading_probability;
        o.participant_prefix = std::move(participant_prefix);
        o.assessments = assessments;
        py::gil_scoped_release release;
        return synthetic_journal(o);
      },
      py::arg("participants") = d.participants, py::arg("days") = d.days, py::arg("seed") = d.seed,
      py::kw_only(), py::arg("start") = d.start, py::arg("triggers_per_day_start") = d.triggers_per_day_start,
      py::arg("triggers_per_day_end") = d.triggers_per_day_end,
      py::arg("readings_per_episode") = d.readings_per_episode,
      py::arg("exercise_probability") = d.exercise_probability,
      py::arg("thought_record_probability") = d.thought_record_probability,
      py::arg("unlinked_reading_probability") = d.unlinked_reading_probability,
      py::arg("participant_prefix") = d.participant_prefix, py::arg("assessments") = d.assessments,
      "A deterministic synthetic cohort: the same arguments give the same journal on every platform.\n\n"
      "participants >= 1; days >= 1 (the span each participant journals over); start is the first day "
      "as RFC 3339; triggers_per_day_start/_end are mean triggers per day in the first and last week "
      "(> 0); readings_per_episode is the mean number of follow-up readings per trigger (>= 0); the "
      "``*_probability`` arguments are in [0, 1]; assessments=False leaves out the self-assessments "
      "(attachment-checkin and gad-7 about every 14 days, scores easing over the weeks) and changes no "
      "other record. ValueError for out-of-range options, and for a cohort expected to hold more than "
      "20 million records (about 3 GB as a journal file), refused "
      "before any memory is taken.");
}

}  // namespace calmkit::bindings
