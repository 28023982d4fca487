// Small builders shared by the metrics tests.
#pragma once

#include <calmkit/journal.hpp>

#include <optional>
#include <string>

namespace fixtures {

inline calmkit::Instant at(const char* rfc3339) {
  return calmkit::Instant::parse(rfc3339);
}

inline calmkit::Trigger trigger(const char* p, const char* id, const char* time, int intensity,
                                calmkit::TriggerCategory cat = calmkit::TriggerCategory::delayed_reply) {
  calmkit::Trigger t;
  t.participant = p;
  t.id = id;
  t.time = at(time);
  t.intensity = calmkit::Intensity(intensity);
  t.category = cat;
  return t;
}

inline calmkit::Reading reading(const char* p, const char* time, int intensity, const char* trig = "") {
  calmkit::Reading r;
  r.participant = p;
  r.time = at(time);
  r.intensity = calmkit::Intensity(intensity);
  r.trigger = trig;
  return r;
}

inline calmkit::ExerciseSession exercise(const char* p, const char* id, const char* start, const char* end,
                                         const char* ex, std::optional<int> before, std::optional<int> after,
                                         const char* trig = "", bool completed = true) {
  calmkit::ExerciseSession e;
  e.participant = p;
  e.id = id;
  e.time = at(start);
  e.end = at(end);
  e.exercise = ex;
  e.completed = completed;
  if (before) e.intensity_before = calmkit::Intensity(*before);
  if (after) e.intensity_after = calmkit::Intensity(*after);
  e.trigger = trig;
  return e;
}

}  // namespace fixtures
