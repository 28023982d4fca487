// The Arrow bridge: a Journal to one Arrow record batch per record type and
// back, through the Arrow C data interface (arrow_c.hpp), so no record passes
// through JSON text and nothing here links or imports Arrow or the calmkit
// Python package.
//
// Out (`_core._journal_to_arrow`): each record type becomes one struct array
// (a record batch) built here from the records, exported by the
// `__arrow_c_array__` protocol (PyCapsules); pyarrow, polars or any other
// Arrow library imports it without a copy. The schema is the one documented
// in docs/scale-out.md ("The Arrow schema"): times as timestamp[us, UTC] plus
// int16 offset minutes, small vocabularies (participant, category, exercise,
// instrument) dictionary-encoded, absent text as null.
//
// In (`_core._journal_from_arrow`): any object with `__arrow_c_stream__`
// (a pyarrow Table, a polars DataFrame) or `__arrow_c_array__` (a record
// batch) per record type. Columns are read in place from the producer's
// buffers (no copy, no Python object per value) and each row is checked by
// the model's rules; an error names the table, the row and the column.
#include "arrow_c.hpp"
#include "common.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/validate.hpp>

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

namespace calmkit::bindings {
namespace {

// ===========================================================================
// Export: records -> owned Arrow arrays -> C data interface
// ===========================================================================

/// One Arrow array and its schema node, owning its buffers.
struct Node {
  std::string format;  // Arrow format string, e.g. "u", "tsu:UTC", "+l"
  std::string name;
  bool nullable = true;
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  std::vector<std::vector<std::uint8_t>> buffers;  // as the format's layout asks (validity first)
  std::vector<std::unique_ptr<Node>> children;
  std::unique_ptr<Node> dictionary;  // values of a dictionary-encoded array (format = index type)
};

/// A validity bitmap being filled (bit set = valid).
class Validity {
 public:
  void push(bool valid) {
    if (n_ % 8 == 0) bits_.push_back(0);
    if (valid) {
      bits_.back() = static_cast<std::uint8_t>(bits_.back() | (1U << (n_ % 8)));
    } else {
      ++nulls_;
    }
    ++n_;
  }
  [[nodiscard]] std::int64_t nulls() const { return nulls_; }
  /// The bitmap, or an empty buffer when nothing is null (Arrow allows that).
  std::vector<std::uint8_t> take() { return nulls_ == 0 ? std::vector<std::uint8_t>{} : std::move(bits_); }

 private:
  std::vector<std::uint8_t> bits_;
  std::int64_t n_ = 0;
  std::int64_t nulls_ = 0;
};

template <class T>
std::vector<std::uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<std::uint8_t> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::unique_ptr<Node> make_node(std::string format, std::string name, std::int64_t length) {
  auto n = std::make_unique<Node>();
  n->format = std::move(format);
  n->name = std::move(name);
  n->length = length;
  return n;
}

/// Strings: utf8 with int32 offsets, or large_utf8 (int64) past 2 GiB of text.
/// `push_optional` writes "" as null (the model's "absent" text).
class StringBuilder {
 public:
  void push(std::string_view s, bool valid = true) {
    valid_.push(valid);
    data_.append(s);
    offsets_.push_back(static_cast<std::int64_t>(data_.size()));
  }
  void push_optional(std::string_view s) { push(s, !s.empty()); }
  std::unique_ptr<Node> finish(std::string name) {
    const bool large = data_.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
    auto n = make_node(large ? "U" : "u", std::move(name), static_cast<std::int64_t>(offsets_.size()) - 1);
    n->null_count = valid_.nulls();
    n->buffers.push_back(valid_.take());
    if (large) {
      n->buffers.push_back(bytes_of(offsets_));
    } else {
      std::vector<std::int32_t> o(offsets_.begin(), offsets_.end());
      n->buffers.push_back(bytes_of(o));
    }
    n->buffers.emplace_back(data_.begin(), data_.end());
    return n;
  }

 private:
  Validity valid_;
  std::vector<std::int64_t> offsets_{0};
  std::string data_;
};

/// Fixed-width values with an optional validity bitmap.
template <class T>
class FixedBuilder {
 public:
  void push(T v, bool valid = true) {
    valid_.push(valid);
    values_.push_back(valid ? v : T{});
  }
  template <class O>
  void push_optional(const std::optional<O>& v) {
    push(v ? static_cast<T>(*v) : T{}, v.has_value());
  }
  std::unique_ptr<Node> finish(const char* format, std::string name) {
    auto n = make_node(format, std::move(name), static_cast<std::int64_t>(values_.size()));
    n->null_count = valid_.nulls();
    n->buffers.push_back(valid_.take());
    n->buffers.push_back(bytes_of(values_));
    return n;
  }

 private:
  Validity valid_;
  std::vector<T> values_;
};

/// Booleans, bit-packed.
class BoolBuilder {
 public:
  void push(bool v, bool valid = true) {
    valid_.push(valid);
    if (n_ % 8 == 0) values_.push_back(0);
    if (valid && v) values_.back() = static_cast<std::uint8_t>(values_.back() | (1U << (n_ % 8)));
    ++n_;
  }
  void push_optional(std::optional<bool> v) { push(v.value_or(false), v.has_value()); }
  std::unique_ptr<Node> finish(std::string name) {
    auto n = make_node("b", std::move(name), n_);
    n->null_count = valid_.nulls();
    n->buffers.push_back(valid_.take());
    n->buffers.push_back(std::move(values_));
    return n;
  }

 private:
  Validity valid_;
  std::vector<std::uint8_t> values_;
  std::int64_t n_ = 0;
};

/// Dictionary-encoded strings: int32 indices into a dictionary given up front.
class DictionaryBuilder {
 public:
  explicit DictionaryBuilder(std::vector<std::string> values) : values_(std::move(values)) {}
  void push(std::int32_t index) { indices_.push(index); }
  void push_null() { indices_.push(0, false); }
  std::unique_ptr<Node> finish(std::string name) {
    auto n = indices_.finish("i", std::move(name));
    StringBuilder d;
    for (const auto& v : values_) d.push(v);
    n->dictionary = d.finish("");
    n->dictionary->nullable = false;
    return n;
  }

 private:
  std::vector<std::string> values_;
  FixedBuilder<std::int32_t> indices_;
};

/// Variable-size lists (int32 offsets) of a child built by the caller.
class ListOffsets {
 public:
  void close(std::int64_t child_length) { offsets_.push_back(static_cast<std::int32_t>(child_length)); }
  std::unique_ptr<Node> finish(std::string name, std::unique_ptr<Node> child) {
    if (child->length > std::numeric_limits<std::int32_t>::max())
      detail::throw_invalid("to_arrow: a list column has more than 2^31 elements");
    auto n = make_node("+l", std::move(name), static_cast<std::int64_t>(offsets_.size()) - 1);
    n->buffers.emplace_back();  // no nulls: an absent list is an empty list
    n->buffers.push_back(bytes_of(offsets_));
    n->children.push_back(std::move(child));
    return n;
  }

 private:
  std::vector<std::int32_t> offsets_{0};
};

/// list<string>, one row at a time.
class StringLists {
 public:
  void push(const std::vector<std::string>& row) {
    for (const auto& x : row) items_.push(x);
    count_ += static_cast<std::int64_t>(row.size());
    lists_.close(count_);
  }
  std::unique_ptr<Node> finish(std::string name) {
    auto child = items_.finish("item");
    return lists_.finish(std::move(name), std::move(child));
  }

 private:
  ListOffsets lists_;
  StringBuilder items_;
  std::int64_t count_ = 0;
};

/// A dictionary column of the distinct values pushed, in sorted order
/// (exercise ids, instrument ids: a few dozen values); "" is null.
class SortedDictionary {
 public:
  void push(std::string_view v) {
    if (v.empty()) {
      codes_.push_back(-1);
      return;
    }
    const auto [it, fresh] = seen_.try_emplace(std::string(v), static_cast<std::int32_t>(names_.size()));
    if (fresh) names_.emplace_back(v);
    codes_.push_back(it->second);
  }
  std::unique_ptr<Node> finish(std::string name) {
    std::vector<std::int32_t> rank(names_.size());
    std::int32_t r = 0;
    for (auto& [v, code] : seen_) rank[static_cast<std::size_t>(code)] = r++;  // seen_ is sorted
    std::vector<std::string> sorted;
    sorted.reserve(seen_.size());
    for (const auto& kv : seen_) sorted.push_back(kv.first);
    DictionaryBuilder b(std::move(sorted));
    for (const auto c : codes_) {
      if (c < 0) {
        b.push_null();
      } else {
        b.push(rank[static_cast<std::size_t>(c)]);
      }
    }
    return b.finish(std::move(name));
  }

 private:
  std::map<std::string, std::int32_t, std::less<>> seen_;
  std::vector<std::string> names_;
  std::vector<std::int32_t> codes_;
};

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

// --- C data interface export ------------------------------------------------

/// What an exported ArrowArray / ArrowSchema owns: a share of the whole tree
/// (so buffers live until the consumer releases the last node), the pointer
/// tables the structs point into, and the child structs.
struct ArrayPrivate {
  std::shared_ptr<const Node> root;
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
  ArrowArray* dictionary = nullptr;
};

/// The release callback of an exported ArrowArray or ArrowSchema (`S`) whose
/// private data is `P`: releases and frees the children and the dictionary,
/// then the private data, as the C data interface asks of a producer.
template <class S, class P>
void release_exported(S* s) {
  if (s == nullptr || s->release == nullptr) return;
  auto* p = static_cast<P*>(s->private_data);
  for (S* c : p->children) {
    if (c->release != nullptr) c->release(c);
    delete c;
  }
  if (p->dictionary != nullptr) {
    if (p->dictionary->release != nullptr) p->dictionary->release(p->dictionary);
    delete p->dictionary;
  }
  delete p;
  s->release = nullptr;
}

void export_array(const std::shared_ptr<const Node>& root, const Node& n, ArrowArray* out) {
  auto* p = new ArrayPrivate{root, {}, {}, nullptr};
  for (const auto& b : n.buffers) p->buffers.push_back(b.empty() ? nullptr : b.data());
  // An empty data buffer of a string array still needs a valid pointer.
  for (std::size_t i = 0; i < p->buffers.size(); ++i) {
    static const std::uint64_t zero = 0;
    if (p->buffers[i] == nullptr && i > 0) p->buffers[i] = &zero;
  }
  for (const auto& c : n.children) {
    auto* ca = new ArrowArray{};
    export_array(root, *c, ca);
    p->children.push_back(ca);
  }
  if (n.dictionary) {
    p->dictionary = new ArrowArray{};
    export_array(root, *n.dictionary, p->dictionary);
  }
  *out = ArrowArray{n.length,
                    n.null_count,
                    0,
                    static_cast<std::int64_t>(p->buffers.size()),
                    static_cast<std::int64_t>(p->children.size()),
                    p->buffers.data(),
                    p->children.empty() ? nullptr : p->children.data(),
                    p->dictionary,
                    &release_exported<ArrowArray, ArrayPrivate>,
                    p};
}

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::vector<ArrowSchema*> children;
  ArrowSchema* dictionary = nullptr;
};

void export_schema(const Node& n, ArrowSchema* out) {
  auto* p = new SchemaPrivate{n.format, n.name, {}, nullptr};
  for (const auto& c : n.children) {
    auto* cs = new ArrowSchema{};
    export_schema(*c, cs);
    p->children.push_back(cs);
  }
  if (n.dictionary) {
    p->dictionary = new ArrowSchema{};
    export_schema(*n.dictionary, p->dictionary);
  }
  *out = ArrowSchema{p->format.c_str(),
                     p->name.c_str(),
                     nullptr,
                     n.nullable ? ARROW_FLAG_NULLABLE : 0,
                     static_cast<std::int64_t>(p->children.size()),
                     p->children.empty() ? nullptr : p->children.data(),
                     p->dictionary,
                     &release_exported<ArrowSchema, SchemaPrivate>,
                     p};
}

/// The PyCapsule names of the C data interface's structs.
template <class S>
constexpr const char* capsule_name = std::is_same_v<S, ArrowSchema> ? "arrow_schema" : "arrow_array";

/// A capsule's destructor: releases the struct unless a consumer moved it out.
template <class S>
void capsule_release(PyObject* capsule) {
  auto* s = static_cast<S*>(PyCapsule_GetPointer(capsule, capsule_name<S>));
  if (s == nullptr) {
    PyErr_Clear();
    return;
  }
  if (s->release != nullptr) s->release(s);
  delete s;
}

/// One record type's columns, exported on request (`__arrow_c_array__`).
struct ArrowBatch {
  std::shared_ptr<const Node> root;

  [[nodiscard]] py::object schema_capsule() const {
    auto* s = new ArrowSchema{};
    export_schema(*root, s);
    return py::reinterpret_steal<py::object>(
        PyCapsule_New(s, capsule_name<ArrowSchema>, &capsule_release<ArrowSchema>));
  }
  [[nodiscard]] py::tuple capsules() const {
    py::object schema = schema_capsule();
    auto* a = new ArrowArray{};
    export_array(root, *root, a);
    py::object array = py::reinterpret_steal<py::object>(
        PyCapsule_New(a, capsule_name<ArrowArray>, &capsule_release<ArrowArray>));
    return py::make_tuple(std::move(schema), std::move(array));
  }
};

// ===========================================================================
// Import: C data interface -> checked records
// ===========================================================================

/// Where a value is, for error messages: "<name>/<table>: row 12: column 'end'".
struct Where {
  const std::string* name;
  const char* table;
};

[[noreturn]] void fail(const Where& w, std::int64_t row, std::string_view column, const std::string& reason) {
  std::string place = *w.name + "/" + w.table;
  if (row >= 0) place += ": row " + std::to_string(row);
  throw RecordError(std::move(place), std::string(column), reason);
}

/// Runs the model's rules of one record (validate.hpp) with its row as the place.
template <class R>
void check_record(const R& r, const Where& w, std::int64_t row) {
  if (auto v = validate(r)) fail(w, row, v->field, v->reason);
}

/// A read-only view of one imported Arrow array (and its schema), in the
/// producer's memory. `i` is always a logical index (the array's own offset
/// is applied here).
class Column {
 public:
  enum class Kind : std::uint8_t {
    null,
    boolean,
    sint,
    uint,
    real,
    string,
    large_string,
    string_view,
    timestamp,
    list,
    large_list,
    structure,
    other
  };

  Column(const ArrowSchema* s, const ArrowArray* a, std::string label)
      : s_(s), a_(a), label_(std::move(label)) {
    const std::string_view f = s->format;
    // The array must have what its schema promises before anything is read.
    if (a->length < 0 || a->offset < 0 || a->n_children != s->n_children ||
        (s->dictionary != nullptr) != (a->dictionary != nullptr)) {
      layout_error_ =
          "is not a valid Arrow array (its children, dictionary or length do not match its schema)";
      return;
    }
    if (s->dictionary != nullptr) {
      dict_ = std::make_unique<Column>(s->dictionary, a->dictionary, label_);
      if (!dict_->layout_error_.empty()) layout_error_ = dict_->layout_error_;
    }
    if (f == "n") {
      kind_ = Kind::null;
    } else if (f == "b") {
      kind_ = Kind::boolean;
    } else if (f == "c" || f == "s" || f == "i" || f == "l") {
      kind_ = Kind::sint;
      width_ = f == "c" ? 1 : f == "s" ? 2 : f == "i" ? 4 : 8;
    } else if (f == "C" || f == "S" || f == "I" || f == "L") {
      kind_ = Kind::uint;
      width_ = f == "C" ? 1 : f == "S" ? 2 : f == "I" ? 4 : 8;
    } else if (f == "f" || f == "g") {
      kind_ = Kind::real;
      width_ = f == "f" ? 4 : 8;
    } else if (f == "u") {
      kind_ = Kind::string;
    } else if (f == "U") {
      kind_ = Kind::large_string;
    } else if (f == "vu") {
      kind_ = Kind::string_view;  // polars' strings
    } else if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':') {
      kind_ = Kind::timestamp;
      switch (f[2]) {
        case 's': unit_ = 1'000'000; break;
        case 'm': unit_ = 1'000; break;
        case 'u': unit_ = 1; break;
        case 'n': unit_ = -1'000; break;  // nanoseconds: divide
        default: kind_ = Kind::other;
      }
      tz_ = f.substr(4);
    } else if (f == "+l") {
      kind_ = Kind::list;
    } else if (f == "+L") {
      kind_ = Kind::large_list;
    } else if (f == "+s") {
      kind_ = Kind::structure;
    }
    if ((kind_ == Kind::list || kind_ == Kind::large_list) && s->n_children == 1) {
      child_ = std::make_unique<Column>(s->children[0], a->children[0], label_);
      if (!child_->layout_error_.empty()) layout_error_ = child_->layout_error_;
    }
    const std::int64_t want = kind_ == Kind::null ? 0 : kind_ == Kind::structure ? 1 : 2;
    if (layout_error_.empty() && a->n_buffers < want) {
      layout_error_ = "is not a valid Arrow array (fewer buffers than its type has)";
    }
  }

  /// Why the array as a whole cannot be read (its children, dictionary or
  /// buffers do not match its schema), or "".
  [[nodiscard]] const std::string& layout_error() const { return layout_error_; }

  /// Why the value at row `i` cannot be read, or nullptr. The C data
  /// interface hands buffers over without their sizes, so calmkit checks the
  /// promises of the layout it is about to follow: a dictionary index inside
  /// its dictionary, offsets that neither go below zero nor backwards nor
  /// past a list's child, a string view's buffer among the array's buffers.
  [[nodiscard]] const char* broken(std::int64_t i) const {
    const std::int64_t k = a_->offset + i;
    if (dict_) {
      std::string err;
      const long long code = integer(i, &err);
      if (!err.empty() || code < 0 || code >= dict_->length()) {
        return "has a dictionary index outside its dictionary (not a valid Arrow array)";
      }
      return dict_->broken(code);
    }
    auto bad_offsets = [](auto lo, auto hi) { return lo < 0 || hi < lo; };
    switch (kind_) {
      case Kind::string: {
        const auto* o = static_cast<const std::int32_t*>(a_->buffers[1]);
        if (bad_offsets(o[k], o[k + 1]))
          return "has string offsets that go backwards (not a valid Arrow array)";
        return nullptr;
      }
      case Kind::large_string: {
        const auto* o = static_cast<const std::int64_t*>(a_->buffers[1]);
        if (bad_offsets(o[k], o[k + 1]))
          return "has string offsets that go backwards (not a valid Arrow array)";
        return nullptr;
      }
      case Kind::string_view: {
        const auto* view = static_cast<const std::uint8_t*>(a_->buffers[1]) + k * 16;
        std::int32_t len = 0;
        std::memcpy(&len, view, 4);
        if (len < 0) return "has a string view of negative length (not a valid Arrow array)";
        if (len <= 12) return nullptr;
        std::int32_t buf = 0;
        std::int32_t off = 0;
        std::memcpy(&buf, view + 8, 4);
        std::memcpy(&off, view + 12, 4);
        // buffers: validity, views, the data buffers, then their sizes.
        if (buf < 0 || off < 0 || 2 + static_cast<std::int64_t>(buf) >= a_->n_buffers - 1) {
          return "has a string view into a buffer it does not have (not a valid Arrow array)";
        }
        return nullptr;
      }
      case Kind::list:
      case Kind::large_list: {
        const auto [lo, hi] = range(i);
        if (bad_offsets(lo, hi) || child_ == nullptr || hi > child_->length()) {
          return "has list offsets that go backwards or past its items (not a valid Arrow array)";
        }
        return nullptr;
      }
      default: return nullptr;
    }
  }

  [[nodiscard]] Kind kind() const { return dict_ ? dict_->kind_ : kind_; }
  [[nodiscard]] std::string_view format() const { return dict_ ? dict_->s_->format : s_->format; }
  [[nodiscard]] std::int64_t length() const { return a_->length; }
  [[nodiscard]] const Column& child() const { return *child_; }
  [[nodiscard]] bool has_child() const { return child_ != nullptr; }
  [[nodiscard]] std::string_view time_zone() const { return tz_; }
  [[nodiscard]] const ArrowSchema* schema() const { return s_; }
  [[nodiscard]] const ArrowArray* array() const { return a_; }
  [[nodiscard]] const std::string& label() const { return label_; }

  [[nodiscard]] bool is_null(std::int64_t i) const {
    if (kind_ == Kind::null) return true;
    if (a_->null_count == 0 || a_->buffers[0] == nullptr) return false;
    const std::int64_t k = a_->offset + i;
    return (static_cast<const std::uint8_t*>(a_->buffers[0])[k >> 3] & (1U << (k & 7))) == 0;
  }

  /// An integer-like value (ints, dictionary codes' values, integral floats).
  /// `err` is set for a non-integral or non-numeric value.
  [[nodiscard]] long long integer(std::int64_t i, std::string* err) const {
    const std::int64_t k = a_->offset + i;
    const void* v = a_->buffers[1];
    switch (kind_) {
      case Kind::sint:
        switch (width_) {
          case 1: return static_cast<const std::int8_t*>(v)[k];
          case 2: return static_cast<const std::int16_t*>(v)[k];
          case 4: return static_cast<const std::int32_t*>(v)[k];
          default: return static_cast<const std::int64_t*>(v)[k];
        }
      case Kind::uint: {
        std::uint64_t u = 0;
        switch (width_) {
          case 1: u = static_cast<const std::uint8_t*>(v)[k]; break;
          case 2: u = static_cast<const std::uint16_t*>(v)[k]; break;
          case 4: u = static_cast<const std::uint32_t*>(v)[k]; break;
          default: u = static_cast<const std::uint64_t*>(v)[k];
        }
        if (u > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) {
          *err = "must be an integer, got " + std::to_string(u);
          return 0;
        }
        return static_cast<long long>(u);
      }
      case Kind::real: {
        const double d = real(i);
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) {
          *err = "must be an integer, got " + number_text(d);
          return 0;
        }
        return static_cast<long long>(d);
      }
      case Kind::boolean: return boolean(i) ? 1 : 0;
      default: *err = "must be an integer"; return 0;
    }
  }

  [[nodiscard]] double real(std::int64_t i) const {
    const std::int64_t k = a_->offset + i;
    if (kind_ == Kind::real) {
      return width_ == 4 ? static_cast<double>(static_cast<const float*>(a_->buffers[1])[k])
                         : static_cast<const double*>(a_->buffers[1])[k];
    }
    std::string err;
    return static_cast<double>(integer(i, &err));
  }

  [[nodiscard]] bool boolean(std::int64_t i) const {
    const std::int64_t k = a_->offset + i;
    return (static_cast<const std::uint8_t*>(a_->buffers[1])[k >> 3] & (1U << (k & 7))) != 0;
  }

  /// A string value (through the dictionary when encoded).
  [[nodiscard]] std::string_view text(std::int64_t i) const {
    if (dict_) {
      std::string err;
      return dict_->text(integer(i, &err));
    }
    const std::int64_t k = a_->offset + i;
    if (kind_ == Kind::string_view) {
      // 16-byte views: int32 length, then the string itself when it fits in
      // 12 bytes, else a 4-byte prefix, the data buffer's index and offset.
      const auto* view = static_cast<const std::uint8_t*>(a_->buffers[1]) + k * 16;
      std::int32_t len = 0;
      std::memcpy(&len, view, 4);
      if (len <= 12) return {reinterpret_cast<const char*>(view + 4), static_cast<std::size_t>(len)};
      std::int32_t buf = 0;
      std::int32_t off = 0;
      std::memcpy(&buf, view + 8, 4);
      std::memcpy(&off, view + 12, 4);
      return {static_cast<const char*>(a_->buffers[2 + buf]) + off, static_cast<std::size_t>(len)};
    }
    const char* data = static_cast<const char*>(a_->buffers[2]);
    if (kind_ == Kind::large_string) {
      const auto* o = static_cast<const std::int64_t*>(a_->buffers[1]);
      return {data + o[k], static_cast<std::size_t>(o[k + 1] - o[k])};
    }
    const auto* o = static_cast<const std::int32_t*>(a_->buffers[1]);
    return {data + o[k], static_cast<std::size_t>(o[k + 1] - o[k])};
  }

  /// Whether the dictionary (when any) has this value null.
  [[nodiscard]] bool dict_null(std::int64_t i) const {
    if (!dict_) return false;
    std::string err;
    return dict_->is_null(integer(i, &err));
  }

  /// [begin, end) of list `i` in the child's logical positions.
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> range(std::int64_t i) const {
    const std::int64_t k = a_->offset + i;
    if (kind_ == Kind::large_list) {
      const auto* o = static_cast<const std::int64_t*>(a_->buffers[1]);
      return {o[k], o[k + 1]};
    }
    const auto* o = static_cast<const std::int32_t*>(a_->buffers[1]);
    return {o[k], o[k + 1]};
  }

  /// Microseconds of a timestamp; `err` set for nanoseconds that are not whole
  /// microseconds and for values past the int64 range in microseconds.
  [[nodiscard]] std::int64_t micros(std::int64_t i, std::string* err) const {
    const std::int64_t v = static_cast<const std::int64_t*>(a_->buffers[1])[a_->offset + i];
    if (unit_ == 1) return v;
    if (unit_ < 0) {
      if (v % 1000 != 0) *err = "has digits below the microsecond (calmkit keeps times to the microsecond)";
      return v / 1000;
    }
    if (v > std::numeric_limits<std::int64_t>::max() / unit_ ||
        v < std::numeric_limits<std::int64_t>::min() / unit_) {
      *err = "is outside the years 1400..9999";
      return 0;
    }
    return v * unit_;
  }

  static std::string number_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    std::string s = std::to_string(d);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

 private:
  const ArrowSchema* s_;
  const ArrowArray* a_;
  std::string label_;
  Kind kind_ = Kind::other;
  int width_ = 0;
  std::int64_t unit_ = 1;
  std::string tz_;
  std::unique_ptr<Column> dict_;
  std::unique_ptr<Column> child_;
  std::string layout_error_;
};

/// What a column must hold, for the type check and its message.
enum class Want : std::uint8_t { text, integer, real, boolean, time, text_list, integer_list, emotions };

const char* describe(Want w) {
  switch (w) {
    case Want::text: return "string (or dictionary<string>)";
    case Want::integer: return "integer";
    case Want::real: return "float64 (or an integer type)";
    case Want::boolean: return "bool";
    case Want::time: return "timestamp with a time zone (timestamp[us, UTC]) or RFC 3339 text";
    case Want::text_list: return "list<string>";
    case Want::integer_list: return "list<int32>";
    case Want::emotions: return "list<struct<name: string, before: int8, after: int8>>";
  }
  return "?";
}

bool is_text(Column::Kind k) {
  return k == Column::Kind::string || k == Column::Kind::large_string || k == Column::Kind::string_view;
}
bool is_number(Column::Kind k) {
  return k == Column::Kind::sint || k == Column::Kind::uint || k == Column::Kind::real;
}

/// The columns of one record batch of one table, looked up by name.
class Batch {
 public:
  Batch(const ArrowSchema* s, const ArrowArray* a, Where w, std::int64_t first_row)
      : w_(w), first_row_(first_row), length_(a->length) {
    if (std::string_view(s->format) != "+s") {
      fail(w, -1, "*",
           "expected a table (a struct array / record batch), got Arrow type " + std::string(s->format));
    }
    if (a->n_children != s->n_children || a->offset < 0 || a->length < 0) {
      fail(w, -1, "*", "is not a valid Arrow table (its columns do not match its schema)");
    }
    for (std::int64_t c = 0; c < s->n_children; ++c) {
      const std::string name = s->children[c]->name != nullptr ? s->children[c]->name : "";
      auto col = std::make_unique<Column>(s->children[c], a->children[c], name);
      if (!col->layout_error().empty()) fail(w, -1, name, col->layout_error());
      // A struct's rows are its children's rows offset + i: each child must have them all.
      if (col->length() < a->offset + a->length) {
        fail(w, -1, name, "has fewer rows than its table (not a valid Arrow array)");
      }
      cols_.emplace(name, std::move(col));
    }
    // A struct's offset applies to its children: folded into the row index.
    offset_ = a->offset;
  }

  [[nodiscard]] std::int64_t length() const { return length_; }
  [[nodiscard]] std::int64_t row(std::int64_t i) const { return first_row_ + i; }
  [[nodiscard]] const Where& where() const { return w_; }
  [[nodiscard]] std::int64_t at(std::int64_t i) const { return offset_ + i; }

  /// The column `name` checked to be of kind `want`; nullptr when absent
  /// (then `required` makes it an error).
  const Column* get(const char* name, Want want, bool required) const {
    auto it = cols_.find(name);
    if (it == cols_.end()) {
      if (required)
        fail(w_, -1, name, "missing (a required column of the " + std::string(w_.table) + " table)");
      return nullptr;
    }
    const Column& c = *it->second;
    if (c.kind() == Column::Kind::null) return &c;  // all null: checked row by row
    bool ok = false;
    switch (want) {
      case Want::text: ok = is_text(c.kind()); break;
      case Want::integer: ok = is_number(c.kind()) || c.kind() == Column::Kind::boolean; break;
      case Want::real: ok = is_number(c.kind()); break;
      case Want::boolean: ok = c.kind() == Column::Kind::boolean; break;
      case Want::time: {
        if (is_text(c.kind())) {  // RFC 3339 text with its own offset, read by Instant's one parser
          ok = true;
          break;
        }
        if (c.kind() != Column::Kind::timestamp) break;
        if (c.time_zone().empty()) {
          fail(w_, -1, name,
               "holds timestamps without a time zone; calmkit does not guess where they were written "
               "(give them one, e.g. UTC, or read them with tz=...)");
        }
        ok = true;
        break;
      }
      case Want::text_list:
      case Want::integer_list:
      case Want::emotions: {
        if ((c.kind() != Column::Kind::list && c.kind() != Column::Kind::large_list) || !c.has_child()) break;
        const auto k = c.child().kind();
        if (want == Want::text_list) ok = is_text(k) || k == Column::Kind::null;
        if (want == Want::integer_list) ok = is_number(k) || k == Column::Kind::null;
        if (want == Want::emotions) ok = k == Column::Kind::structure || k == Column::Kind::null;
        break;
      }
    }
    if (!ok) {
      fail(w_, -1, name, "is Arrow type '" + std::string(c.format()) + "', expected " + describe(want));
    }
    return &c;
  }

 private:
  Where w_;
  std::int64_t first_row_;
  std::int64_t length_;
  std::int64_t offset_ = 0;
  std::map<std::string, std::unique_ptr<Column>, std::less<>> cols_;
};

/// Reads one row's values, failing with the row and column.
class RowReader {
 public:
  RowReader(const Batch& b, std::int64_t i) : b_(b), i_(b.at(i)), row_(b.row(i)) {}

  [[noreturn]] void fail_at(std::string_view column, const std::string& reason) const {
    fail(b_.where(), row_, column, reason);
  }
  [[nodiscard]] bool null(const Column* c) const {
    if (c == nullptr || c->is_null(i_)) return true;
    if (const char* why = c->broken(i_)) fail_at(c->label(), why);
    return c->dict_null(i_);
  }

  /// Text, viewing the producer's buffer (valid while the batch is held);
  /// null and absent are "".
  [[nodiscard]] std::string_view text(const Column* c) const {
    if (null(c)) return {};
    return c->text(i_);
  }
  [[nodiscard]] std::string_view required_text(const Column* c, const char* name) const {
    if (null(c)) fail_at(name, rules::required_missing());
    return c->text(i_);  // "" goes on to the model's rule for the field
  }
  [[nodiscard]] std::optional<long long> integer(const Column* c, const char* name) const {
    if (null(c)) return std::nullopt;
    std::string err;
    const long long v = c->integer(i_, &err);
    if (!err.empty()) fail_at(name, err);
    return v;
  }
  template <class B>
  [[nodiscard]] std::optional<B> bounded(const Column* c, const char* name) const {
    const auto v = integer(c, name);
    if (!v) return std::nullopt;
    if (auto b = B::make(*v)) return b;
    fail_at(name, B::out_of_range_reason(*v));
  }
  template <class B>
  [[nodiscard]] B required_bounded(const Column* c, const char* name) const {
    auto b = bounded<B>(c, name);
    if (!b) fail_at(name, rules::required_missing());
    return *b;
  }
  [[nodiscard]] std::optional<bool> boolean(const Column* c) const {
    if (null(c)) return std::nullopt;
    return c->boolean(i_);
  }
  [[nodiscard]] std::optional<double> real(const Column* c) const {
    if (null(c)) return std::nullopt;
    return c->real(i_);
  }
  /// Minutes from a float column (null = absent), the model's `Minutes` rule.
  [[nodiscard]] std::optional<Minutes> minutes(const Column* c, const char* name) const {
    const auto v = real(c);
    if (!v) return std::nullopt;
    if (auto m = Minutes::make(*v)) return m;
    fail_at(name, Minutes::out_of_range_reason(*v));
  }

  /// An instant from a timestamp column and its offset column (null or
  /// absent offset = UTC, +00:00). Years outside 1400..9999 are refused, as
  /// the journal format does.
  [[nodiscard]] Instant instant(const Column* t, const Column* off, const char* name,
                                const char* off_name) const {
    if (null(t)) fail_at(name, rules::required_missing());
    if (is_text(t->kind())) {
      // RFC 3339 text carries its own offset: the offset column is not read.
      const std::string_view text = t->text(i_);
      TimeParseError why;
      auto at = Instant::try_parse(text, &why);
      if (!at) fail_at(name, rules::invalid_time(text, why));
      return *at;
    }
    std::string err;
    const std::int64_t us = t->micros(i_, &err);
    if (!err.empty()) fail_at(name, err);
    const auto minutes = integer(off, off_name).value_or(0);
    const auto o = UtcOffset::make(static_cast<int>(std::clamp<long long>(minutes, -100000, 100000)));
    if (!o) {
      fail_at(off_name, "must be a UTC offset in minutes within -1439..1439 (-23:59..+23:59), got " +
                            std::to_string(minutes));
    }
    const Instant at = Instant::from_utc_micros(us, *o);
    static const std::int64_t lo =
        Instant::date_to_day(boost::gregorian::date(detail::min_year, 1, 1)) * detail::us_per_day;
    static const std::int64_t hi =
        (Instant::date_to_day(boost::gregorian::date(detail::max_year, 12, 31)) + 1) * detail::us_per_day;
    if (at.local_micros() < lo || at.local_micros() >= hi) {
      fail_at(name, "is outside the years 1400..9999 (at its UTC offset)");
    }
    return at;
  }

  /// A list<string> into `out` (replaced; its strings keep their capacity);
  /// null is an empty list, a null item is an error.
  void text_list(const Column* c, const char* name, std::vector<std::string>& out) const {
    if (null(c)) {
      out.clear();
      return;
    }
    const auto [lo, hi] = c->range(i_);
    const Column& items = c->child();
    out.resize(static_cast<std::size_t>(hi - lo));
    for (std::int64_t k = lo; k < hi; ++k) {
      if (!items.is_null(k)) {
        if (const char* why = items.broken(k))
          fail_at(std::string(name) + "[" + std::to_string(k - lo) + "]", why);
      }
      if (items.is_null(k) || items.dict_null(k)) {
        fail_at(std::string(name) + "[" + std::to_string(k - lo) + "]", "must be a string, got null");
      }
      out[static_cast<std::size_t>(k - lo)].assign(items.text(k));
    }
  }

  [[nodiscard]] std::int64_t index() const { return i_; }

 private:
  const Batch& b_;
  std::int64_t i_;
  std::int64_t row_;
};

// --- per record type ----------------------------------------------------------

/// The tables of a journal, in RecordType's order.
constexpr std::array<const char*, 5> table_names{"triggers", "readings", "exercises", "thought_records",
                                                 "assessments"};

/// What the tables give, per record type (RecordType's order): the records,
/// in a `JournalBuilder` of their own (so tables can be read on different
/// threads), and each row's keys for the rules across records.
struct Imported {
  /// (participant, id, trigger link) of each record and its table row. The
  /// texts view the producer's buffers, which are held until the journal is
  /// built: no copy per record.
  struct Keys {
    std::vector<std::string_view> participant;
    std::vector<std::string_view> id;
    std::vector<std::string_view> trigger;  ///< empty for a type without links
    std::vector<std::int64_t> row;
    [[nodiscard]] std::size_t size() const noexcept { return row.size(); }
  };
  std::array<JournalBuilder, table_names.size()> builders;
  std::array<Keys, table_names.size()> keys;

  template <class R>
  JournalBuilder& builder_of() {
    return builders[static_cast<std::size_t>(record_type_of<R>)];
  }
  template <class R>
  Keys& keys_of() {
    return keys[static_cast<std::size_t>(record_type_of<R>)];
  }
};

/// Whether a record type links to a trigger.
template <class R>
constexpr bool links_trigger = requires(const R& r) {
  r.trigger;
};

struct Head {
  const Column* participant;
  const Column* id;
  const Column* time;
  const Column* offset;
  const Column* trigger;  ///< the trigger link (readings, exercises, thought records)
};

Head head_columns(const Batch& b, bool id_required, bool linked) {
  return {b.get("participant", Want::text, false), b.get("id", Want::text, id_required),
          b.get("time", Want::time, true), b.get("offset_minutes", Want::integer, false),
          linked ? b.get("trigger", Want::text, false) : nullptr};
}

/// The one path of every table: per row, the columns every record has, the
/// type's own fields (`fields(row, record)`, which sets every field), the
/// model's rules with the row as the place (`validate`, and
/// `validate_answers` for an assessment, as the JSON Lines reader runs it),
/// then the record goes to the table's `JournalBuilder` (its columns: no
/// record object is kept) and its keys are noted. One scratch record serves
/// every row, so its strings and lists allocate only when they grow.
template <class R, class Fields>
void import_rows(const Batch& b, Imported& im, Fields fields) {
  const Head h =
      head_columns(b, !std::is_same_v<R, Reading>, links_trigger<R>);  // a reading's id is optional
  auto& builder = im.builder_of<R>();
  auto& keys = im.keys_of<R>();
  keys.participant.reserve(keys.size() + static_cast<std::size_t>(b.length()));
  keys.id.reserve(keys.size() + static_cast<std::size_t>(b.length()));
  keys.row.reserve(keys.size() + static_cast<std::size_t>(b.length()));
  R rec;
  for (std::int64_t i = 0; i < b.length(); ++i) {
    const RowReader r(b, i);
    const std::string_view participant = r.text(h.participant);
    const std::string_view id = r.text(h.id);  // null = ""; validate() says where an id is required
    rec.participant = participant;
    rec.id = id;
    rec.time = r.instant(h.time, h.offset, "time", "offset_minutes");
    fields(r, rec);
    check_record(rec, b.where(), b.row(i));
    if constexpr (std::is_same_v<R, Assessment>) {
      if (auto v = validate_answers(rec)) fail(b.where(), b.row(i), v->field, v->reason);
    }
    builder.push(rec);
    keys.participant.push_back(participant);
    keys.id.push_back(id);
    if constexpr (links_trigger<R>) keys.trigger.push_back(r.text(h.trigger));
    keys.row.push_back(b.row(i));
  }
}

void import_triggers(const Batch& b, Imported& im) {
  const Column* category = b.get("category", Want::text, true);
  const Column* intensity = b.get("intensity", Want::integer, true);
  const Column* context = b.get("context", Want::text, false);
  const Column* thoughts = b.get("thoughts", Want::text_list, false);
  const Column* sensations = b.get("sensations", Want::text_list, false);
  const Column* urge = b.get("urge", Want::text, false);
  const Column* acted = b.get("acted_on_urge", Want::boolean, false);
  const Column* after = b.get("acted_after_minutes", Want::real, false);
  const Column* response = b.get("response", Want::text, false);
  const Column* tags = b.get("tags", Want::text_list, false);
  import_rows<Trigger>(b, im, [&](const RowReader& r, Trigger& t) {
    const auto cat = r.required_text(category, "category");
    const auto c = trigger_category_from_id(cat);
    if (!c) r.fail_at("category", unknown_trigger_category(cat));
    t.category = *c;
    t.intensity = r.required_bounded<Intensity>(intensity, "intensity");
    t.context = r.text(context);
    r.text_list(thoughts, "thoughts", t.thoughts);
    r.text_list(sensations, "sensations", t.sensations);
    t.urge = r.text(urge);
    t.acted_on_urge = r.boolean(acted);
    t.acted_after_minutes = r.minutes(after, "acted_after_minutes");
    t.response = r.text(response);
    r.text_list(tags, "tags", t.tags);
  });
}

void import_readings(const Batch& b, Imported& im) {
  const Column* intensity = b.get("intensity", Want::integer, true);
  const Column* trigger = b.get("trigger", Want::text, false);
  const Column* note = b.get("note", Want::text, false);
  import_rows<Reading>(b, im, [&](const RowReader& r, Reading& x) {
    x.intensity = r.required_bounded<Intensity>(intensity, "intensity");
    x.trigger = r.text(trigger);
    x.note = r.text(note);
  });
}

void import_exercises(const Batch& b, Imported& im) {
  const Column* end = b.get("end", Want::time, true);
  const Column* end_offset = b.get("end_offset_minutes", Want::integer, false);
  const Column* exercise = b.get("exercise", Want::text, true);
  const Column* completed = b.get("completed", Want::boolean, false);
  const Column* before = b.get("intensity_before", Want::integer, false);
  const Column* after = b.get("intensity_after", Want::integer, false);
  const Column* trigger = b.get("trigger", Want::text, false);
  const Column* responses = b.get("responses", Want::text_list, false);
  import_rows<ExerciseSession>(b, im, [&](const RowReader& r, ExerciseSession& e) {
    e.end = r.instant(end, end_offset, "end", "end_offset_minutes");
    e.exercise = r.text(exercise);
    e.completed = r.boolean(completed).value_or(true);
    e.intensity_before = r.bounded<Intensity>(before, "intensity_before");
    e.intensity_after = r.bounded<Intensity>(after, "intensity_after");
    e.trigger = r.text(trigger);
    r.text_list(responses, "responses", e.responses);
  });
}

void import_thought_records(const Batch& b, Imported& im) {
  const Column* situation = b.get("situation", Want::text, false);
  const Column* thought = b.get("automatic_thought", Want::text, false);
  const Column* belief_before = b.get("belief_before", Want::integer, true);
  const Column* emotions = b.get("emotions", Want::emotions, false);
  const Column* distortions = b.get("distortions", Want::text_list, false);
  const Column* evidence_for = b.get("evidence_for", Want::text_list, false);
  const Column* evidence_against = b.get("evidence_against", Want::text_list, false);
  const Column* alternatives = b.get("alternatives", Want::text_list, false);
  const Column* friend_advice = b.get("friend_advice", Want::text, false);
  const Column* balanced = b.get("balanced_thought", Want::text, false);
  const Column* belief_after = b.get("belief_after", Want::integer, false);
  const Column* trigger = b.get("trigger", Want::text, false);
  // The emotion struct's fields, found by name.
  const Column* em_name = nullptr;
  const Column* em_before = nullptr;
  const Column* em_after = nullptr;
  std::vector<std::unique_ptr<Column>> em_fields;
  std::int64_t em_offset = 0;
  if (emotions != nullptr && emotions->has_child() && emotions->child().kind() == Column::Kind::structure) {
    const Column& st = emotions->child();
    em_offset = st.array()->offset;
    for (std::int64_t k = 0; k < st.schema()->n_children; ++k) {
      const std::string n = st.schema()->children[k]->name != nullptr ? st.schema()->children[k]->name : "";
      em_fields.push_back(std::make_unique<Column>(st.schema()->children[k], st.array()->children[k], n));
      const Column* f = em_fields.back().get();
      if (!f->layout_error().empty()) fail(b.where(), -1, "emotions." + n, f->layout_error());
      if (f->length() < st.array()->offset + st.length()) {
        fail(b.where(), -1, "emotions." + n, "has fewer items than its list (not a valid Arrow array)");
      }
      if (n == "name" && is_text(f->kind())) em_name = f;
      if (n == "before" && (is_number(f->kind()) || f->kind() == Column::Kind::null)) em_before = f;
      if (n == "after" && (is_number(f->kind()) || f->kind() == Column::Kind::null)) em_after = f;
    }
    if (em_name == nullptr || em_before == nullptr) {
      fail(b.where(), -1, "emotions", "expected " + std::string(describe(Want::emotions)));
    }
  }
  import_rows<ThoughtRecord>(b, im, [&](const RowReader& r, ThoughtRecord& t) {
    t.situation = r.text(situation);
    t.automatic_thought = r.text(thought);
    t.belief_before = r.required_bounded<Percent>(belief_before, "belief_before");
    t.emotions.clear();
    if (em_name != nullptr && !r.null(emotions)) {
      const auto [lo, hi] = emotions->range(r.index());
      for (std::int64_t k = lo; k < hi; ++k) {
        const std::string at = "emotions[" + std::to_string(k - lo) + "]";
        if (emotions->child().is_null(k)) r.fail_at(at, "must be an object {name, before, after}, got null");
        const std::int64_t e = em_offset + k;
        EmotionRating em;
        if (em_name->is_null(e)) r.fail_at(at + ".name", rules::required_missing());
        if (const char* why = em_name->broken(e)) r.fail_at(at + ".name", why);
        em.name = std::string(em_name->text(e));
        std::string err;
        if (em_before->is_null(e)) r.fail_at(at + ".before", rules::required_missing());
        const long long vb = em_before->integer(e, &err);
        if (!err.empty()) r.fail_at(at + ".before", err);
        const auto pb = Percent::make(vb);
        if (!pb) r.fail_at(at + ".before", Percent::out_of_range_reason(vb));
        em.before = *pb;
        if (em_after != nullptr && !em_after->is_null(e)) {
          const long long va = em_after->integer(e, &err);
          if (!err.empty()) r.fail_at(at + ".after", err);
          const auto pa = Percent::make(va);
          if (!pa) r.fail_at(at + ".after", Percent::out_of_range_reason(va));
          em.after = *pa;
        }
        t.emotions.push_back(std::move(em));
      }
    }
    thread_local std::vector<std::string> ds;  // scratch, as the record
    r.text_list(distortions, "distortions", ds);
    t.distortions.clear();
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const auto d = distortion_from_id(ds[k]);
      if (!d) {
        r.fail_at("distortions[" + std::to_string(k) + "]", unknown_distortion(ds[k]));
      }
      t.distortions.push_back(*d);
    }
    r.text_list(evidence_for, "evidence_for", t.evidence_for);
    r.text_list(evidence_against, "evidence_against", t.evidence_against);
    r.text_list(alternatives, "alternatives", t.alternatives);
    t.friend_advice = r.text(friend_advice);
    t.balanced_thought = r.text(balanced);
    t.belief_after = r.bounded<Percent>(belief_after, "belief_after");
    t.trigger = r.text(trigger);
  });
}

void import_assessments(const Batch& b, Imported& im) {
  const Column* instrument = b.get("instrument", Want::text, true);
  const Column* answers = b.get("answers", Want::integer_list, true);
  const Column* note = b.get("note", Want::text, false);
  import_rows<Assessment>(b, im, [&](const RowReader& r, Assessment& a) {
    a.instrument = r.text(instrument);
    a.answers.clear();
    if (!r.null(answers)) {
      const auto [lo, hi] = answers->range(r.index());
      const Column& items = answers->child();
      for (std::int64_t k = lo; k < hi; ++k) {
        const std::string at = "answers[" + std::to_string(k - lo) + "]";
        if (items.is_null(k)) r.fail_at(at, "must be an integer, got null");
        std::string err;
        const long long v = items.integer(k, &err);
        if (!err.empty()) r.fail_at(at, err);
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
          r.fail_at(at, "must be a 32-bit integer, got " + std::to_string(v));
        }
        a.answers.push_back(static_cast<int>(v));
      }
    }
    a.note = r.text(note);
  });
}

// --- cross-record rules: unique ids, trigger links ---------------------------

/// (participant, id) keys of one table, hashed and sorted, so that the
/// checks below need no hash-table node per record (1.6 million of them in a
/// cohort): equal keys are neighbours, a link is a binary search.
class KeyIndex {
 public:
  explicit KeyIndex(const Imported::Keys& k) {
    keys_.reserve(k.size());
    for (std::size_t i = 0; i < k.size(); ++i) {
      if (!k.id[i].empty()) keys_.push_back({hash(k.participant[i], k.id[i]), i});
    }
    std::sort(keys_.begin(), keys_.end());
  }
  static std::uint64_t hash(std::string_view participant, std::string_view id) noexcept {
    const std::size_t a = std::hash<std::string_view>{}(participant);
    return a ^ (std::hash<std::string_view>{}(id) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
  struct Key {
    std::uint64_t hash;
    std::size_t index;
    friend bool operator<(const Key& x, const Key& y) {
      return x.hash != y.hash ? x.hash < y.hash : x.index < y.index;
    }
  };
  [[nodiscard]] const std::vector<Key>& keys() const { return keys_; }

 private:
  std::vector<Key> keys_;
};

/// Ids are unique per participant and type: the first repeat (in row order)
/// fails, naming the row that used it first.
template <class R>
KeyIndex unique_ids(Imported& im, const std::string& name) {
  const auto& v = im.keys_of<R>();
  const Where w{&name, table_names[static_cast<std::size_t>(record_type_of<R>)]};
  KeyIndex index(v);
  const auto& k = index.keys();
  std::size_t worst = v.size();  // the repeat with the lowest row
  std::size_t first_of_worst = 0;
  for (std::size_t a = 0; a < k.size();) {
    std::size_t b = a + 1;
    while (b < k.size() && k[b].hash == k[a].hash) ++b;
    for (std::size_t x = a; x < b; ++x) {  // equal hashes: compare the keys themselves
      for (std::size_t y = x + 1; y < b; ++y) {
        const std::size_t rx = k[x].index;
        const std::size_t ry = k[y].index;
        if (v.id[rx] == v.id[ry] && v.participant[rx] == v.participant[ry] &&
            (worst == v.size() || v.row[ry] < v.row[worst])) {
          worst = ry;
          first_of_worst = rx;
        }
      }
    }
    a = b;
  }
  if (worst != v.size()) {
    fail(w, v.row[worst], "id",
         rules::duplicate_id(record_type_of<R>, v.participant[worst], v.id[worst]) + " (first used in row " +
             std::to_string(v.row[first_of_worst]) + ")");
  }
  return index;
}

/// Every trigger link names a trigger of the same participant.
template <class R>
void check_links(Imported& im, const std::string& name, const KeyIndex& index) {
  const auto& v = im.keys_of<R>();
  const auto& triggers = im.keys_of<Trigger>();
  const Where w{&name, table_names[static_cast<std::size_t>(record_type_of<R>)]};
  const auto& k = index.keys();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v.trigger[i].empty()) continue;
    const std::uint64_t h = KeyIndex::hash(v.participant[i], v.trigger[i]);
    auto it = std::lower_bound(k.begin(), k.end(), KeyIndex::Key{h, 0});
    bool found = false;
    for (; it != k.end() && it->hash == h && !found; ++it) {
      found = triggers.id[it->index] == v.trigger[i] && triggers.participant[it->index] == v.participant[i];
    }
    if (found) continue;
    fail(w, v.row[i], "trigger", rules::unknown_trigger(v.participant[i], v.trigger[i]));
  }
}

// --- reading the producer's objects ------------------------------------------

template <class T>
T* capsule_pointer(const py::handle& capsule, const char* name) {
  void* p = PyCapsule_GetPointer(capsule.ptr(), name);
  if (p == nullptr) throw py::error_already_set();
  return static_cast<T*>(p);
}

/// One imported batch, moved out of the producer's capsule or stream (the C
/// data interface lets a consumer move the structs), so that it can be read
/// without the GIL; released by the destructor.
struct HeldBatch {
  std::shared_ptr<ArrowSchema> schema;
  std::unique_ptr<ArrowArray> array;
  HeldBatch(std::shared_ptr<ArrowSchema> s, const ArrowArray* a)
      : schema(std::move(s)), array(std::make_unique<ArrowArray>(*a)) {}
  HeldBatch(HeldBatch&&) noexcept = default;
  HeldBatch& operator=(HeldBatch&&) noexcept = default;
  HeldBatch(const HeldBatch&) = delete;
  HeldBatch& operator=(const HeldBatch&) = delete;
  ~HeldBatch() {
    if (array && array->release != nullptr) array->release(array.get());
  }
};

std::shared_ptr<ArrowSchema> hold_schema(ArrowSchema* s) {
  auto out = std::shared_ptr<ArrowSchema>(new ArrowSchema(*s), [](ArrowSchema* x) {
    if (x->release != nullptr) x->release(x);
    delete x;
  });
  s->release = nullptr;  // moved
  return out;
}

/// The batches of one table's object, moved into calmkit's hands (GIL held).
std::vector<HeldBatch> take_batches(const py::handle& obj, const std::string& where) {
  std::vector<HeldBatch> out;
  if (py::hasattr(obj, "__arrow_c_stream__")) {
    py::object cap = obj.attr("__arrow_c_stream__")();
    auto* stream = capsule_pointer<ArrowArrayStream>(cap, "arrow_array_stream");
    ArrowArrayStream owned = *stream;  // moved: the capsule's destructor finds it released
    stream->release = nullptr;
    struct StreamGuard {
      ArrowArrayStream* s;
      ~StreamGuard() {
        if (s->release != nullptr) s->release(s);
      }
    } guard{&owned};
    ArrowSchema schema{};
    if (owned.get_schema(&owned, &schema) != 0) {
      const char* e = owned.get_last_error(&owned);
      detail::throw_invalid(where + ": cannot read the Arrow stream's schema: " + (e ? e : "unknown error"));
    }
    auto held = hold_schema(&schema);
    for (;;) {
      ArrowArray array{};
      if (owned.get_next(&owned, &array) != 0) {
        const char* e = owned.get_last_error(&owned);
        detail::throw_invalid(where + ": cannot read the Arrow stream: " + (e ? e : "unknown error"));
      }
      if (array.release == nullptr) break;  // end of stream
      out.emplace_back(held, &array);
    }
    return out;
  }
  if (py::hasattr(obj, "__arrow_c_array__")) {
    py::tuple caps = obj.attr("__arrow_c_array__")();
    auto* s = capsule_pointer<ArrowSchema>(caps[0], "arrow_schema");
    auto* a = capsule_pointer<ArrowArray>(caps[1], "arrow_array");
    auto held = hold_schema(s);
    out.emplace_back(held, a);
    a->release = nullptr;  // moved
    return out;
  }
  throw py::type_error(where +
                       ": expected an Arrow table or record batch (an object with __arrow_c_stream__ "
                       "or __arrow_c_array__, e.g. a pyarrow.Table), got " +
                       py::str(py::type::of(obj).attr("__name__")).cast<std::string>());
}

/// Reads every batch of one table into `im` (its own vectors only, so tables
/// can be read on different threads).
void import_table(std::string_view table, const std::vector<HeldBatch>& batches, const Where& w,
                  Imported& im) {
  std::int64_t first_row = 0;
  for (const auto& hb : batches) {
    const ArrowArray* a = hb.array.get();
    if (a->length == 0) continue;  // no rows: no records, whatever the columns
    const Batch b(hb.schema.get(), a, w, first_row);
    if (table == "triggers") import_triggers(b, im);
    if (table == "readings") import_readings(b, im);
    if (table == "exercises") import_exercises(b, im);
    if (table == "thought_records") import_thought_records(b, im);
    if (table == "assessments") import_assessments(b, im);
    first_row += a->length;
  }
}

Journal journal_from_arrow(const py::dict& tables, const std::string& name) {
  for (const auto& [k, v] : tables) {
    const auto key = py::str(k).cast<std::string>();
    if (std::find_if(table_names.begin(), table_names.end(), [&](const char* t) { return key == t; }) ==
        table_names.end()) {
      detail::throw_invalid(name + ": unknown table '" + key +
                            "'; expected any of triggers, readings, exercises, thought_records, assessments");
    }
  }
  std::array<std::vector<HeldBatch>, table_names.size()> held;
  for (std::size_t t = 0; t < table_names.size(); ++t) {
    if (!tables.contains(table_names[t])) continue;
    const py::object obj = tables[table_names[t]];
    if (!obj.is_none()) held[t] = take_batches(obj, name + "/" + table_names[t]);
  }
  py::gil_scoped_release release;
  Imported im;
  // The readings (usually the largest table) on a second thread when there
  // is a second core; errors are reported in table order either way.
  std::array<std::exception_ptr, table_names.size()> errors;
  auto run = [&](std::size_t t) {
    try {
      import_table(table_names[t], held[t], Where{&name, table_names[t]}, im);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  constexpr std::size_t readings = 1;
  const bool two = std::thread::hardware_concurrency() > 1 && !held[readings].empty();
  std::thread second;
  if (two) second = std::thread(run, readings);
  for (std::size_t t = 0; t < table_names.size(); ++t) {
    if (t != readings || !two) run(t);
  }
  if (second.joinable()) second.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  // The rules across records, per type: unique ids, then trigger links.
  const KeyIndex triggers = unique_ids<Trigger>(im, name);
  (void)unique_ids<Reading>(im, name);
  check_links<Reading>(im, name, triggers);
  (void)unique_ids<ExerciseSession>(im, name);
  check_links<ExerciseSession>(im, name, triggers);
  (void)unique_ids<ThoughtRecord>(im, name);
  check_links<ThoughtRecord>(im, name, triggers);
  (void)unique_ids<Assessment>(im, name);  // an assessment has no trigger link
  // Every rule has passed: the builders' columns make the journal (ordered
  // once, links resolved to trigger rows), while the producer's buffers the
  // keys view are still held.
  JournalBuilder all = std::move(im.builders[0]);
  for (std::size_t t = 1; t < im.builders.size(); ++t) all.append(std::move(im.builders[t]));
  return std::move(all).build(detail::trusted);
}

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

}  // namespace

void register_arrow(py::module_& m) {
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
  m.def("_journal_to_arrow", &journal_to_arrow, py::arg("journal"),
        "One _ArrowBatch per record type (keys triggers, readings, exercises, thought_records, assessments), "
        "in journal order; the schema is documented in docs/scale-out.md.");
  m.def(
      "_journal_from_arrow",
      [](const py::dict& tables, const std::string& name) { return journal_from_arrow(tables, name); },
      py::arg("tables"), py::arg("name") = "<arrow>",
      "A Journal from one Arrow table per record type (objects with __arrow_c_stream__ or "
      "__arrow_c_array__), every row checked by the model's rules; ValueError naming the table, row and "
      "column.");
}

}  // namespace calmkit::bindings
