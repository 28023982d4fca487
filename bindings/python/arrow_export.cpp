// The Arrow bridge, out (`_core._journal_to_arrow`): each record type of a
// Journal becomes one struct array (a record batch) built here from the
// journal's columns, exported by the `__arrow_c_array__` protocol
// (PyCapsules of the Arrow C data interface, arrow_c.hpp); pyarrow, polars or
// any other Arrow library imports it without a copy, and nothing here links
// or imports Arrow or the calmkit Python package. The schema is the one
// documented in docs/scale-out.md ("The Arrow schema"): times as
// timestamp[us, UTC] plus int16 offset minutes, small vocabularies
// (participant, category, exercise, instrument) dictionary-encoded, absent
// text as null.
#include "arrow.hpp"
#include "arrow_c.hpp"
#include "arrow_node.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::bindings::arrow {
namespace {

/// The participant column of a record type: the journal's participant codes
/// are already indices into its sorted participants (the dictionary shared
/// by every table), so they are copied as they are.
std::unique_ptr<Node> participant_column(const std::vector<std::int32_t>& codes,
                                         const std::vector<std::string>& participants) {
  auto n = make_node("i", "participant", static_cast<std::int64_t>(codes.size()));
  n->buffers.emplace_back();
  n->buffers.push_back(bytes_of(codes));
  StringBuilder d;
  for (const auto& v : participants) d.push(v);
  n->dictionary = d.finish("");
  n->dictionary->nullable = false;
  return n;
}

/// An instant as `time` (timestamp[us, UTC]) and its offset column (int16 minutes).
class InstantColumns {
 public:
  void push(const Instant& i) {
    t_.push(i.utc_micros());
    o_.push(static_cast<std::int16_t>(i.offset().minutes()));
  }
  void finish(std::vector<std::unique_ptr<Node>>& out, const char* time_name, const char* offset_name) {
    out.push_back(t_.finish("tsu:UTC", time_name));
    out.back()->nullable = false;
    out.push_back(o_.finish("s", offset_name));
    out.back()->nullable = false;
  }

 private:
  FixedBuilder<std::int64_t> t_;
  FixedBuilder<std::int16_t> o_;
};

/// The struct array (a record batch) holding `columns`.
std::unique_ptr<Node> batch(std::int64_t length, std::vector<std::unique_ptr<Node>> columns) {
  auto n = make_node("+s", "", length);
  n->nullable = false;
  n->buffers.emplace_back();
  n->children = std::move(columns);
  return n;
}

/// Calls `f(record)` for each record of type R in journal order, each loaded
/// from the journal's columns into one scratch record (`Journal::load`: its
/// strings and lists keep their capacity, so almost nothing is allocated).
template <class R, class F>
void each_record(const Journal& j, std::size_t n, F f) {
  R rec;
  for (std::size_t i = 0; i < n; ++i) {
    j.load(i, rec);
    f(rec);
  }
}

/// The columns every record type starts with: participant, id, time, offset_minutes.
struct HeadColumns {
  StringBuilder id;
  InstantColumns time;
  template <class R>
  void push(const R& r) {
    id.push_optional(r.id);
    time.push(r.time);
  }
  void finish(std::vector<std::unique_ptr<Node>>& c, const std::vector<std::int32_t>& codes,
              const CohortColumns& cols) {
    c.push_back(participant_column(codes, cols.participants));
    c.push_back(id.finish("id"));
    time.finish(c, "time", "offset_minutes");
  }
};

std::unique_ptr<Node> trigger_batch(const Journal& j) {
  const auto& cols = j.columns();
  const std::size_t n = cols.triggers.size();
  HeadColumns head;
  std::vector<std::string> ids;
  for (const auto& e : trigger_category_table) ids.emplace_back(e.id);
  DictionaryBuilder category(std::move(ids));
  FixedBuilder<std::int8_t> intensity;
  StringBuilder context;
  StringBuilder urge;
  StringBuilder response;
  StringLists thoughts;
  StringLists sensations;
  StringLists tags;
  BoolBuilder acted;
  FixedBuilder<double> after;
  each_record<Trigger>(j, n, [&](const Trigger& t) {
    head.push(t);
    category.push(static_cast<std::int32_t>(t.category));
    intensity.push(static_cast<std::int8_t>(t.intensity.value()));
    context.push_optional(t.context);
    thoughts.push(t.thoughts);
    sensations.push(t.sensations);
    urge.push_optional(t.urge);
    acted.push_optional(t.acted_on_urge);
    after.push_optional(minutes_to_py(t.acted_after_minutes));
    response.push_optional(t.response);
    tags.push(t.tags);
  });
  std::vector<std::unique_ptr<Node>> c;
  head.finish(c, cols.triggers.participant, cols);
  c.push_back(category.finish("category"));
  c.back()->nullable = false;
  c.push_back(intensity.finish("c", "intensity"));
  c.back()->nullable = false;
  c.push_back(context.finish("context"));
  c.push_back(thoughts.finish("thoughts"));
  c.push_back(sensations.finish("sensations"));
  c.push_back(urge.finish("urge"));
  c.push_back(acted.finish("acted_on_urge"));
  c.push_back(after.finish("g", "acted_after_minutes"));
  c.push_back(response.finish("response"));
  c.push_back(tags.finish("tags"));
  return batch(static_cast<std::int64_t>(n), std::move(c));
}

std::unique_ptr<Node> reading_batch(const Journal& j) {
  const auto& cols = j.columns();
  const std::size_t n = cols.readings.size();
  HeadColumns head;
  FixedBuilder<std::int8_t> intensity;
  StringBuilder trigger;
  StringBuilder note;
  each_record<Reading>(j, n, [&](const Reading& r) {
    head.push(r);
    intensity.push(static_cast<std::int8_t>(r.intensity.value()));
    trigger.push_optional(r.trigger);
    note.push_optional(r.note);
  });
  std::vector<std::unique_ptr<Node>> c;
  head.finish(c, cols.readings.participant, cols);
  c.push_back(intensity.finish("c", "intensity"));
  c.back()->nullable = false;
  c.push_back(trigger.finish("trigger"));
  c.push_back(note.finish("note"));
  return batch(static_cast<std::int64_t>(n), std::move(c));
}

std::unique_ptr<Node> exercise_batch(const Journal& j) {
  const auto& cols = j.columns();
  const std::size_t n = cols.exercises.size();
  HeadColumns head;
  InstantColumns end;
  SortedDictionary exercise;
  BoolBuilder completed;
  FixedBuilder<std::int8_t> before;
  FixedBuilder<std::int8_t> after;
  StringBuilder trigger;
  StringLists responses;
  each_record<ExerciseSession>(j, n, [&](const ExerciseSession& e) {
    head.push(e);
    end.push(e.end);
    exercise.push(e.exercise);
    completed.push(e.completed);
    before.push_optional(optional_value(e.intensity_before));
    after.push_optional(optional_value(e.intensity_after));
    trigger.push_optional(e.trigger);
    responses.push(e.responses);
  });
  std::vector<std::unique_ptr<Node>> c;
  head.finish(c, cols.exercises.participant, cols);
  end.finish(c, "end", "end_offset_minutes");
  c.push_back(exercise.finish("exercise"));
  c.back()->nullable = false;
  c.push_back(completed.finish("completed"));
  c.back()->nullable = false;
  c.push_back(before.finish("c", "intensity_before"));
  c.push_back(after.finish("c", "intensity_after"));
  c.push_back(trigger.finish("trigger"));
  c.push_back(responses.finish("responses"));
  return batch(static_cast<std::int64_t>(n), std::move(c));
}

std::unique_ptr<Node> thought_batch(const Journal& j) {
  const auto& cols = j.columns();
  const std::size_t n = cols.thoughts.size();
  HeadColumns head;
  // situation and automatic_thought are required by the format, but may be "".
  StringBuilder situation;
  StringBuilder thought;
  FixedBuilder<std::int8_t> belief_before;
  ListOffsets emotion_lists;
  StringBuilder names;
  FixedBuilder<std::int8_t> em_before;
  FixedBuilder<std::int8_t> em_after;
  std::int64_t emotions = 0;
  ListOffsets distortion_lists;
  StringBuilder distortion_ids;
  std::int64_t distortions = 0;
  StringLists evidence_for;
  StringLists evidence_against;
  StringLists alternatives;
  StringBuilder friend_advice;
  StringBuilder balanced;
  FixedBuilder<std::int8_t> belief_after;
  StringBuilder trigger;
  each_record<ThoughtRecord>(j, n, [&](const ThoughtRecord& t) {
    head.push(t);
    situation.push(t.situation);
    thought.push(t.automatic_thought);
    belief_before.push(static_cast<std::int8_t>(t.belief_before.value()));
    for (const auto& e : t.emotions) {
      names.push(e.name);
      em_before.push(static_cast<std::int8_t>(e.before.value()));
      em_after.push_optional(optional_value(e.after));
    }
    emotions += static_cast<std::int64_t>(t.emotions.size());
    emotion_lists.close(emotions);
    for (auto d : t.distortions) distortion_ids.push(to_id(d));
    distortions += static_cast<std::int64_t>(t.distortions.size());
    distortion_lists.close(distortions);
    evidence_for.push(t.evidence_for);
    evidence_against.push(t.evidence_against);
    alternatives.push(t.alternatives);
    friend_advice.push_optional(t.friend_advice);
    balanced.push_optional(t.balanced_thought);
    belief_after.push_optional(optional_value(t.belief_after));
    trigger.push_optional(t.trigger);
  });
  std::vector<std::unique_ptr<Node>> c;
  head.finish(c, cols.thoughts.participant, cols);
  c.push_back(situation.finish("situation"));
  c.push_back(thought.finish("automatic_thought"));
  c.push_back(belief_before.finish("c", "belief_before"));
  c.back()->nullable = false;
  {
    std::vector<std::unique_ptr<Node>> fields;
    fields.push_back(names.finish("name"));
    fields.push_back(em_before.finish("c", "before"));
    fields.push_back(em_after.finish("c", "after"));
    auto item = batch(emotions, std::move(fields));
    item->name = "item";
    item->nullable = true;
    c.push_back(emotion_lists.finish("emotions", std::move(item)));
  }
  {
    auto child = distortion_ids.finish("item");
    c.push_back(distortion_lists.finish("distortions", std::move(child)));
  }
  c.push_back(evidence_for.finish("evidence_for"));
  c.push_back(evidence_against.finish("evidence_against"));
  c.push_back(alternatives.finish("alternatives"));
  c.push_back(friend_advice.finish("friend_advice"));
  c.push_back(balanced.finish("balanced_thought"));
  c.push_back(belief_after.finish("c", "belief_after"));
  c.push_back(trigger.finish("trigger"));
  return batch(static_cast<std::int64_t>(n), std::move(c));
}

std::unique_ptr<Node> assessment_batch(const Journal& j) {
  const auto& cols = j.columns();
  const std::size_t n = cols.assessments.size();
  HeadColumns head;
  SortedDictionary instrument;
  ListOffsets answer_lists;
  FixedBuilder<std::int32_t> answers;
  std::int64_t count = 0;
  StringBuilder note;
  each_record<Assessment>(j, n, [&](const Assessment& a) {
    head.push(a);
    instrument.push(a.instrument);
    for (int v : a.answers) answers.push(v);
    count += static_cast<std::int64_t>(a.answers.size());
    answer_lists.close(count);
    note.push_optional(a.note);
  });
  std::vector<std::unique_ptr<Node>> c;
  head.finish(c, cols.assessments.participant, cols);
  c.push_back(instrument.finish("instrument"));
  c.back()->nullable = false;
  {
    auto child = answers.finish("i", "item");
    c.push_back(answer_lists.finish("answers", std::move(child)));
  }
  c.push_back(note.finish("note"));
  return batch(static_cast<std::int64_t>(n), std::move(c));
}

}  // namespace

py::dict journal_to_arrow(const Journal& j) {
  std::shared_ptr<const Node> batches[5];
  {
    py::gil_scoped_release release;
    batches[0] = trigger_batch(j);
    batches[1] = reading_batch(j);
    batches[2] = exercise_batch(j);
    batches[3] = thought_batch(j);
    batches[4] = assessment_batch(j);
  }
  py::dict out;
  for (std::size_t k = 0; k < table_names.size(); ++k) out[table_names[k]] = py::cast(ArrowBatch{batches[k]});
  return out;
}

void register_batch(py::module_& m) {
  py::class_<ArrowBatch>(m, "_ArrowBatch",
                         "One record type of a journal as Arrow columns, for any Arrow library through the "
                         "Arrow PyCapsule interface (pyarrow.record_batch(x), polars.DataFrame(x)).")
      .def(
          "__arrow_c_array__",
          [](const ArrowBatch& b, const py::object& requested_schema) {
            (void)requested_schema;  // the one schema documented in docs/scale-out.md
            return b.capsules();
          },
          py::arg("requested_schema") = py::none(),
          "The (schema, array) PyCapsules of the Arrow C data interface.")
      .def(
          "__arrow_c_schema__", [](const ArrowBatch& b) { return b.schema_capsule(); },
          "The schema PyCapsule of the Arrow C data interface.")
      .def_property_readonly("num_rows", [](const ArrowBatch& b) { return b.root->length; });
}

}  // namespace calmkit::bindings::arrow
