// The Arrow bridge, in (`_core._journal_from_arrow`): any object with
// `__arrow_c_stream__` (a pyarrow Table, a polars DataFrame) or
// `__arrow_c_array__` (a record batch) per record type. Columns are read in
// place from the producer's buffers (arrow_column.hpp: no copy, no Python
// object per value, no promise of the layout trusted), each row is checked by
// the model's one rule set (validate.hpp and the bounded types) and goes into
// a JournalBuilder; an error names the table, the row and the column.
#include "arrow.hpp"
#include "arrow_c.hpp"
#include "arrow_column.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::bindings::arrow {
namespace {

/// What the tables give, per record type (RecordType's order): the records,
/// in a `JournalBuilder` of their own (so tables can be read on different
/// threads; row i of a builder is row i of its table), and the trigger link
/// of each record that has one, viewing the producer's buffers (held until
/// the journal is built) or `owned_links`, a copy of them made so that the
/// producer's buffers can go early (`ArrowImport::release`). Links are
/// checked once, after every table is read, and set on the builder by row.
struct Imported {
  std::array<JournalBuilder, table_names.size()> builders{
      JournalBuilder(detail::linked_by_row), JournalBuilder(detail::linked_by_row),
      JournalBuilder(detail::linked_by_row), JournalBuilder(detail::linked_by_row),
      JournalBuilder(detail::linked_by_row)};
  std::array<std::vector<std::string_view>, table_names.size()> links;
  /// Rows `begin .. end` of `links` whose texts all lie in `bytes` (a
  /// dictionary's values): copied once by `ArrowImport::copy_links`, not per row.
  struct SharedBytes {
    std::size_t begin, end;
    std::string_view bytes;
  };
  std::array<std::vector<SharedBytes>, table_names.size()> shared_links;
  std::array<std::string, table_names.size()> owned_links;  ///< the bytes of `links`, once copied

  template <class R>
  JournalBuilder& builder_of() {
    return builders[static_cast<std::size_t>(record_type_of<R>)];
  }
  template <class R>
  std::vector<std::string_view>& links_of() {
    return links[static_cast<std::size_t>(record_type_of<R>)];
  }
  template <class R>
  std::vector<SharedBytes>& shared_links_of() {
    return shared_links[static_cast<std::size_t>(record_type_of<R>)];
  }
};

// --- the columns of each table ------------------------------------------------

/// The columns every record has: participant, id, time and its offset, and
/// the trigger link of a type that has one (`detail::has_link`).
struct Head {
  const Column* participant;
  const Column* id;
  const Column* time;
  const Column* offset;
  const Column* trigger;  ///< the trigger link (readings, exercises, thought records)
};

/// Whether record type R needs an id (a reading's is optional).
template <class R>
constexpr bool id_required = !std::is_same_v<R, Reading>;

template <class R>
Head head_columns(const Batch& b) {
  return {b.get("participant", Want::text, false), b.get("id", Want::text, id_required<R>),
          b.get("time", Want::time, true), b.get("offset_minutes", Want::integer, false),
          detail::has_link<R> ? b.get("trigger", Want::text, false) : nullptr};
}

/// The columns of record type R's table past the `Head`: each looked up once
/// by name (`Batch::get`: what it must hold, whether it is required), for
/// the column path and the row path alike.
template <class R>
struct TableColumns;

/// A trigger's own columns.
template <>
struct TableColumns<Trigger> {
  const Column *category, *intensity, *context, *thoughts, *sensations, *urge, *acted, *after, *response,
      *tags;
  explicit TableColumns(const Batch& b)
      : category(b.get("category", Want::text, true)),
        intensity(b.get("intensity", Want::integer, true)),
        context(b.get("context", Want::text, false)),
        thoughts(b.get("thoughts", Want::text_list, false)),
        sensations(b.get("sensations", Want::text_list, false)),
        urge(b.get("urge", Want::text, false)),
        acted(b.get("acted_on_urge", Want::boolean, false)),
        after(b.get("acted_after_minutes", Want::real, false)),
        response(b.get("response", Want::text, false)),
        tags(b.get("tags", Want::text_list, false)) {}
};

/// A reading's own columns (its trigger is the `Head`'s).
template <>
struct TableColumns<Reading> {
  const Column *intensity, *note;
  explicit TableColumns(const Batch& b)
      : intensity(b.get("intensity", Want::integer, true)), note(b.get("note", Want::text, false)) {}
};

/// An exercise session's own columns.
template <>
struct TableColumns<ExerciseSession> {
  const Column *end, *end_offset, *exercise, *completed, *before, *after, *responses;
  explicit TableColumns(const Batch& b)
      : end(b.get("end", Want::time, true)),
        end_offset(b.get("end_offset_minutes", Want::integer, false)),
        exercise(b.get("exercise", Want::text, true)),
        completed(b.get("completed", Want::boolean, false)),
        before(b.get("intensity_before", Want::integer, false)),
        after(b.get("intensity_after", Want::integer, false)),
        responses(b.get("responses", Want::text_list, false)) {}
};

/// A thought record's own columns, and the fields of the emotion struct,
/// found by name.
template <>
struct TableColumns<ThoughtRecord> {
  const Column *situation, *thought, *belief_before, *emotions, *distortions, *evidence_for,
      *evidence_against, *alternatives, *friend_advice, *balanced, *belief_after;
  const Column* em_name = nullptr;    ///< the emotion struct's name (nullptr: no emotions column)
  const Column* em_before = nullptr;  ///< the emotion struct's before rating
  const Column* em_after = nullptr;   ///< the emotion struct's after rating (nullptr: none)
  std::int64_t em_offset = 0;         ///< the emotion struct's own offset
  std::vector<std::unique_ptr<Column>> em_fields;  ///< what em_name, em_before and em_after point into

  explicit TableColumns(const Batch& b)
      : situation(b.get("situation", Want::text, false)),
        thought(b.get("automatic_thought", Want::text, false)),
        belief_before(b.get("belief_before", Want::integer, true)),
        emotions(b.get("emotions", Want::emotions, false)),
        distortions(b.get("distortions", Want::text_list, false)),
        evidence_for(b.get("evidence_for", Want::text_list, false)),
        evidence_against(b.get("evidence_against", Want::text_list, false)),
        alternatives(b.get("alternatives", Want::text_list, false)),
        friend_advice(b.get("friend_advice", Want::text, false)),
        balanced(b.get("balanced_thought", Want::text, false)),
        belief_after(b.get("belief_after", Want::integer, false)) {
    (void)b.get("trigger", Want::text, false);  // checked here, as ever: before the emotion struct
    if (emotions == nullptr || !emotions->has_child() || emotions->child().kind() != Column::Kind::structure)
      return;
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
};

/// An assessment's own columns.
template <>
struct TableColumns<Assessment> {
  const Column *instrument, *answers, *note;
  explicit TableColumns(const Batch& b)
      : instrument(b.get("instrument", Want::text, true)),
        answers(b.get("answers", Want::integer_list, true)),
        note(b.get("note", Want::text, false)) {}
};

// --- row by row: any layout, the first problem named ------------------------

/// Participant codes of one batch's rows in a builder's dictionary: a
/// dictionary-encoded column (pyarrow's and calmkit's own) is remapped once
/// per dictionary entry, plain text looked up when it changes from the row
/// before (rows come grouped by participant).
class ParticipantCodes {
 public:
  ParticipantCodes(const Column* c, JournalBuilder& b) : c_(c), b_(b) {
    if (c != nullptr && c->dictionary() != nullptr) {
      remap_.assign(static_cast<std::size_t>(c->dictionary()->length()), -1);
    }
  }
  std::int32_t operator()(const RowReader& r) {
    if (r.null(c_)) return code_of_text({});
    if (remap_.empty()) return code_of_text(r.utf8(c_->label(), c_->text(r.index())));
    std::string err;
    const auto k = static_cast<std::size_t>(c_->own_integer(r.index(), &err));  // index: null() checked
    if (remap_[k] < 0) remap_[k] = b_.participant_code(r.utf8(c_->label(), c_->text(r.index())));
    return remap_[k];
  }

 private:
  std::int32_t code_of_text(std::string_view p) {
    if (last_ < 0 || p != last_text_) {
      last_ = b_.participant_code(p);
      last_text_ = p;
    }
    return last_;
  }
  const Column* c_;
  JournalBuilder& b_;
  std::vector<std::int32_t> remap_;
  std::int32_t last_ = -1;
  std::string_view last_text_;
};

/// The row path of every table: per row, the columns every record has, the
/// type's own fields (`fields(row, record)`, which sets every field), the
/// model's rules with the row as the place (`validate`, and
/// `validate_answers` for an assessment, as the JSON Lines reader runs it),
/// then the record's fields go to the table's `JournalBuilder` (its columns:
/// no record object is kept) with the participant as a code, and its trigger
/// link is noted. One scratch record serves every row, so its strings and
/// lists allocate only when they grow; the participant is never copied into it.
template <class R, class Fields>
void import_rows(const Batch& b, Imported& im, const Head& h, Fields fields) {
  auto& builder = im.builder_of<R>();
  ParticipantCodes participant(h.participant, builder);
  R rec;
  for (std::int64_t i = 0; i < b.length(); ++i) {
    const RowReader r(b, i);
    const std::int32_t p = participant(r);
    rec.id = r.text(h.id);  // null = ""; validate() says where an id is required
    rec.time = r.instant(h.time, h.offset, "time", "offset_minutes");
    fields(r, rec);
    check_record(rec, b.where(), b.row(i));
    if constexpr (std::is_same_v<R, Assessment>) {
      if (auto v = validate_answers(rec)) fail(b.where(), b.row(i), v->field, v->reason);
    }
    builder.push_coded(rec, p);
    if constexpr (detail::has_link<R>) im.links_of<R>().push_back(r.text(h.trigger));
  }
}

void import_by_row(const Batch& b, Imported& im, const Head& h, const TableColumns<Trigger>& c) {
  import_rows<Trigger>(b, im, h, [&](const RowReader& r, Trigger& t) {
    const auto cat = r.required_text(c.category, "category");
    const auto known = trigger_category_from_id(cat);
    if (!known) r.fail_at("category", unknown_trigger_category(cat));
    t.category = *known;
    t.intensity = r.required_bounded<Intensity>(c.intensity, "intensity");
    t.context = r.text(c.context);
    r.text_list(c.thoughts, "thoughts", t.thoughts);
    r.text_list(c.sensations, "sensations", t.sensations);
    t.urge = r.text(c.urge);
    t.acted_on_urge = r.boolean(c.acted);
    t.acted_after_minutes = r.minutes(c.after, "acted_after_minutes");
    t.response = r.text(c.response);
    r.text_list(c.tags, "tags", t.tags);
  });
}

void import_by_row(const Batch& b, Imported& im, const Head& h, const TableColumns<Reading>& c) {
  import_rows<Reading>(b, im, h, [&](const RowReader& r, Reading& x) {
    x.intensity = r.required_bounded<Intensity>(c.intensity, "intensity");
    x.trigger = r.text(h.trigger);
    x.note = r.text(c.note);
  });
}

void import_by_row(const Batch& b, Imported& im, const Head& h, const TableColumns<ExerciseSession>& c) {
  import_rows<ExerciseSession>(b, im, h, [&](const RowReader& r, ExerciseSession& e) {
    e.end = r.instant(c.end, c.end_offset, "end", "end_offset_minutes");
    e.exercise = r.text(c.exercise);
    e.completed = r.boolean(c.completed).value_or(true);
    e.intensity_before = r.bounded<Intensity>(c.before, "intensity_before");
    e.intensity_after = r.bounded<Intensity>(c.after, "intensity_after");
    e.trigger = r.text(h.trigger);
    r.text_list(c.responses, "responses", e.responses);
  });
}

void import_by_row(const Batch& b, Imported& im, const Head& h, const TableColumns<ThoughtRecord>& c) {
  import_rows<ThoughtRecord>(b, im, h, [&](const RowReader& r, ThoughtRecord& t) {
    t.situation = r.required_text(c.situation, "situation");  // required, as in the format; "" is a situation
    t.automatic_thought = r.required_text(c.thought, "automatic_thought");
    t.belief_before = r.required_bounded<Percent>(c.belief_before, "belief_before");
    t.emotions.clear();
    if (c.em_name != nullptr && !r.null(c.emotions)) {
      const auto [lo, hi] = c.emotions->range(r.index());
      for (std::int64_t k = lo; k < hi; ++k) {
        const std::string at = "emotions[" + std::to_string(k - lo) + "]";
        if (c.emotions->child().is_null(k)) r.fail_at(at, rules::not_an_emotion("null"));
        const std::int64_t e = c.em_offset + k;
        EmotionRating em;
        if (c.em_name->is_null(e)) r.fail_at(at + ".name", rules::required_missing());
        if (const char* why = c.em_name->broken(e)) r.fail_at(at + ".name", why);
        em.name = std::string(r.utf8(at + ".name", c.em_name->text(e)));
        std::string err;
        if (c.em_before->is_null(e)) r.fail_at(at + ".before", rules::required_missing());
        const long long vb = c.em_before->integer(e, &err);
        if (!err.empty())
          r.fail_at(at + ".before", detail::integer_range_reason(Percent::min, Percent::max, err));
        const auto pb = Percent::make(vb);
        if (!pb) r.fail_at(at + ".before", Percent::out_of_range_reason(vb));
        em.before = *pb;
        if (c.em_after != nullptr && !c.em_after->is_null(e)) {
          const long long va = c.em_after->integer(e, &err);
          if (!err.empty())
            r.fail_at(at + ".after", detail::integer_range_reason(Percent::min, Percent::max, err));
          const auto pa = Percent::make(va);
          if (!pa) r.fail_at(at + ".after", Percent::out_of_range_reason(va));
          em.after = *pa;
        }
        t.emotions.push_back(std::move(em));
      }
    }
    thread_local std::vector<std::string> ds;              // scratch, as the record
    r.text_list(c.distortions, "distortions", ds, false);  // ids: an unknown one is named below
    t.distortions.clear();
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const auto d = distortion_from_id(ds[k]);
      if (!d) {
        r.fail_at("distortions[" + std::to_string(k) + "]", unknown_distortion(ds[k]));
      }
      t.distortions.push_back(*d);
    }
    r.text_list(c.evidence_for, "evidence_for", t.evidence_for);
    r.text_list(c.evidence_against, "evidence_against", t.evidence_against);
    r.text_list(c.alternatives, "alternatives", t.alternatives);
    t.friend_advice = r.text(c.friend_advice);
    t.balanced_thought = r.text(c.balanced);
    t.belief_after = r.bounded<Percent>(c.belief_after, "belief_after");
    t.trigger = r.text(h.trigger);
  });
}

void import_by_row(const Batch& b, Imported& im, const Head& h, const TableColumns<Assessment>& c) {
  import_rows<Assessment>(b, im, h, [&](const RowReader& r, Assessment& a) {
    a.instrument = r.text(c.instrument);
    a.answers.clear();
    if (!r.null(c.answers)) {
      const auto [lo, hi] = c.answers->range(r.index());
      const Column& items = c.answers->child();
      for (std::int64_t k = lo; k < hi; ++k) {
        const std::string at = "answers[" + std::to_string(k - lo) + "]";
        // An answer is an int (the reader's rule: detail::integer_range_reason over int's range).
        constexpr long long least = std::numeric_limits<int>::min(), most = std::numeric_limits<int>::max();
        if (items.is_null(k)) r.fail_at(at, detail::integer_range_reason(least, most, "null"));
        std::string err;
        const long long v = items.integer(k, &err);
        if (!err.empty()) r.fail_at(at, detail::integer_range_reason(least, most, err));
        if (v < least || v > most)
          r.fail_at(at, detail::integer_range_reason(least, most, std::to_string(v)));
        a.answers.push_back(static_cast<int>(v));
      }
    }
    a.note = r.text(c.note);
  });
}

// --- column-wise: a table whose layout is the bridge's own -------------------

/// Whether `c` is an array of Arrow format `f` (not dictionary-encoded) with
/// no null.
bool no_nulls(const Column* c) {
  return c->array()->null_count == 0 || c->array()->buffers[0] == nullptr;
}
bool plain(const Column* c, std::string_view f) {
  return c != nullptr && c->array()->dictionary == nullptr && std::string_view(c->schema()->format) == f &&
         no_nulls(c);
}
/// The values of a fixed-width column from logical row `first` on.
template <class T>
const T* values_of(const Column* c, std::int64_t first) {
  return static_cast<const T*>(c->array()->buffers[1]) + c->array()->offset + first;
}

/// Whether the `n + 1` offsets `o` of `n` rows (a text or list column's)
/// start at 0 or later and never go backwards.
bool offsets_ok(const std::int32_t* o, std::int64_t n) {
  if (o[0] < 0) return false;
  for (std::int64_t k = 0; k < n; ++k) {
    if (o[k + 1] < o[k]) return false;
  }
  return true;
}

/// Whether rows `first .. first + n` of a utf8 column (absent: yes) can be
/// read as they are: offsets that do not go backwards, and the whole text
/// UTF-8 by the model's rule (`rules::utf8_text`, once over the data buffer)
/// with every value starting on a character, so each value is UTF-8 too.
/// False sends the table to the row path, which words the first problem.
bool utf8_rows(const Column* c, std::int64_t first, std::int64_t n) {
  if (c == nullptr) return true;
  const ArrowArray* a = c->array();
  if (a->dictionary != nullptr || std::string_view(c->schema()->format) != "u") return false;
  if (n == 0) return true;
  const std::int32_t* o = values_of<std::int32_t>(c, first);
  if (!offsets_ok(o, n)) return false;
  if (o[n] == o[0]) return true;
  const char* data = static_cast<const char*>(a->buffers[2]);
  if (data == nullptr) return false;
  if (rules::utf8_text(c->label(), std::string_view(data + o[0], static_cast<std::size_t>(o[n] - o[0]))))
    return false;
  for (std::int64_t k = 0; k < n; ++k) {
    if (o[k] < o[n] && (static_cast<unsigned char>(data[o[k]]) & 0xC0U) == 0x80U) return false;
  }
  return true;
}

// --- column-wise: the helpers of every record type -------------------------

/// Whether `c` is absent or a plain (not dictionary-encoded) array of Arrow
/// format `f`, nulls allowed.
bool absent_or(const Column* c, std::string_view f) {
  return c == nullptr || (c->array()->dictionary == nullptr && std::string_view(c->schema()->format) == f);
}
/// Whether logical row `i` of an optional column holds a value.
bool has_value(const Column* c, std::int64_t i) {
  return c != nullptr && !c->is_null(i);
}

/// Calls `f(T{})` with the signed integer type T of Arrow format `f` (a
/// dictionary's index type: int8, int16, int32, int64); false for any other.
template <class F>
bool with_index_type(std::string_view format, F f) {
  if (format == "c") return f(std::int8_t{});
  if (format == "s") return f(std::int16_t{});
  if (format == "i") return f(std::int32_t{});
  if (format == "l") return f(std::int64_t{});
  return false;
}

/// Whether rows `first .. first + n` of a trigger link column (absent: yes)
/// can be read as they are: plain utf8 (`utf8_rows`), or dictionary-encoded
/// (a Parquet reader's `read_dictionary`, pandas' Categorical) with int8,
/// int16, int32 or int64 indices over a utf8 dictionary that is UTF-8 as a
/// whole (`utf8_rows`, once per batch, not per row; a null entry is no
/// link) and every index of a row that is not null inside the dictionary.
/// False sends the table to the row path, which words the first problem.
bool link_rows(const Column* c, std::int64_t first, std::int64_t n) {
  if (c == nullptr || c->dictionary() == nullptr) return utf8_rows(c, first, n);
  const Column* d = c->dictionary();
  if (d->dictionary() != nullptr || !utf8_rows(d, 0, d->length())) return false;
  return with_index_type(c->schema()->format, [&](auto type) {
    using T = decltype(type);
    const T* code = values_of<T>(c, first);
    const bool nulls = !no_nulls(c);
    for (std::int64_t i = 0; i < n; ++i) {
      if ((code[i] < 0 || code[i] >= d->length()) && !(nulls && c->is_null(first + i))) return false;
    }
    return true;
  });
}

/// The dictionary codes of rows `first .. first + n` of a vocabulary column
/// (dictionary<int32, utf8>, no null, every entry UTF-8 and not null, every
/// code inside the dictionary), or nullptr when it is not such a column.
const std::int32_t* vocabulary_codes(const Column* c, std::int64_t first, std::int64_t n) {
  if (c == nullptr || !no_nulls(c)) return nullptr;
  const Column* d = c->dictionary();
  if (d == nullptr || std::string_view(c->schema()->format) != "i" || !no_nulls(d) ||
      !utf8_rows(d, 0, d->length()))
    return nullptr;
  const std::int32_t* code = values_of<std::int32_t>(c, first);
  for (std::int64_t i = 0; i < n; ++i) {
    if (code[i] < 0 || code[i] >= d->length()) return nullptr;
  }
  return code;
}

/// Whether rows `first .. first + n` of an optional text column (absent:
/// yes) can be read as they are: plain utf8 (`utf8_rows`), or
/// dictionary-encoded with int32 indices (what `read_parquet` asks pyarrow
/// for where a file's text is dictionary-coded; pandas' Categorical of few
/// values) over a plain utf8 dictionary without null entries that is UTF-8
/// as a whole (`utf8_rows`, once per batch, not per row), every index of a
/// row that is not null inside it. Other widths of index go to the row path.
/// False sends the table to the row path, which words the first problem.
bool text_rows(const Column* c, std::int64_t first, std::int64_t n) {
  if (c == nullptr || c->dictionary() == nullptr) return utf8_rows(c, first, n);
  const Column* d = c->dictionary();
  if (std::string_view(c->schema()->format) != "i" || d->dictionary() != nullptr || !no_nulls(d) ||
      !utf8_rows(d, 0, d->length()))
    return false;
  const std::int32_t* code = values_of<std::int32_t>(c, first);
  const bool nulls = !no_nulls(c);
  for (std::int64_t i = 0; i < n; ++i) {
    if ((code[i] < 0 || code[i] >= d->length()) && !(nulls && c->is_null(first + i))) return false;
  }
  return true;
}

/// The columns every record has, over rows `first .. first + n`: a
/// participant column (dictionary<int32, utf8>, as `vocabulary_codes`, or
/// utf8) without nulls, all UTF-8; ids (utf8), each non-empty when
/// `id_required` (the model's `rules::not_empty`); time timestamp[us] and
/// offset int16 without nulls, each offset a `UtcOffset` and each time in the
/// year range at it.
bool head_rows(const Head& h, std::int64_t first, std::int64_t n, bool id_required) {
  if (h.participant == nullptr || h.time == nullptr || h.offset == nullptr) return false;
  const std::string_view tf(h.time->schema()->format);
  if (h.time->array()->dictionary != nullptr || tf.substr(0, 4) != "tsu:" || !no_nulls(h.time)) return false;
  if (!plain(h.offset, "s") || !text_rows(h.id, first, n)) return false;
  if (id_required) {
    if (h.id == nullptr || !no_nulls(h.id)) return false;
    if (const Column* d = h.id->dictionary()) {  // every row's entry not empty
      const std::int32_t* code = values_of<std::int32_t>(h.id, first);
      const std::int32_t* o = values_of<std::int32_t>(d, 0);
      for (std::int64_t k = 0; k < n; ++k) {
        if (o[code[k] + 1] == o[code[k]]) return false;
      }
    } else {
      const std::int32_t* o = values_of<std::int32_t>(h.id, first);
      for (std::int64_t k = 0; k < n; ++k) {
        if (o[k + 1] == o[k]) return false;
      }
    }
  }
  if (h.participant->dictionary() != nullptr) {
    if (vocabulary_codes(h.participant, first, n) == nullptr) return false;
  } else if (!no_nulls(h.participant) || !utf8_rows(h.participant, first, n)) {
    return false;
  }
  const std::int64_t* time = values_of<std::int64_t>(h.time, first);
  const std::int16_t* offset = values_of<std::int16_t>(h.offset, first);
  for (std::int64_t i = 0; i < n; ++i) {
    if (!UtcOffset::make(offset[i]) || !detail::in_year_range(time[i], offset[i])) return false;
  }
  return true;
}

/// The builder's participant code of each row (`head_rows` has checked the
/// column): a dictionary coded once per entry, plain text when it changes.
std::vector<std::int32_t> participant_codes(const Column* p, std::int64_t first, std::int64_t n,
                                            JournalBuilder& builder) {
  const auto rows = static_cast<std::size_t>(n);
  std::vector<std::int32_t> codes(rows);
  if (const Column* dict = p->dictionary()) {
    std::vector<std::int32_t> remap(static_cast<std::size_t>(dict->length()), -1);
    const std::int32_t* code = values_of<std::int32_t>(p, first);
    for (std::size_t i = 0; i < rows; ++i) {
      auto& r = remap[static_cast<std::size_t>(code[i])];
      if (r < 0) r = builder.participant_code(dict->text(code[i]));
      codes[i] = r;
    }
    return codes;
  }
  std::string_view last;
  std::int32_t last_code = -1;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string_view t = p->text(first + static_cast<std::int64_t>(i));
    if (last_code < 0 || t != last) {
      last_code = builder.participant_code(t);
      last = t;
    }
    codes[i] = last_code;
  }
  return codes;
}

/// Whether `c` is a plain list array (Arrow format "+l", not dictionary-
/// encoded, with its items) whose items are a plain array of format `item`
/// without nulls, and the offsets of its rows `first .. first + n` do not go
/// backwards nor past the items.
bool plain_lists(const Column* c, std::string_view item, std::int64_t first, std::int64_t n) {
  if (c->array()->dictionary != nullptr || std::string_view(c->schema()->format) != "+l" || !c->has_child())
    return false;
  const Column& items = c->child();
  if (items.array()->dictionary != nullptr || std::string_view(items.schema()->format) != item ||
      !no_nulls(&items))
    return false;
  const std::int32_t* o = values_of<std::int32_t>(c, first);
  return offsets_ok(o, n) && o[n] <= items.length();
}

/// Whether rows `first .. first + n` of an optional list<utf8> or
/// list<dictionary<int32, utf8>> column can be read as they are: a plain
/// list array (format "+l") whose offsets neither go backwards nor past its
/// items, items without nulls that `text_rows` takes. A null list is empty.
bool text_lists(const Column* c, std::int64_t first, std::int64_t n) {
  if (c == nullptr) return true;
  if (c->array()->dictionary != nullptr || std::string_view(c->schema()->format) != "+l" || !c->has_child())
    return false;
  const Column& items = c->child();
  if (!no_nulls(&items)) return false;
  const std::int32_t* o = values_of<std::int32_t>(c, first);
  if (!offsets_ok(o, n) || o[n] > items.length()) return false;
  return text_rows(&items, o[0], o[n] - o[0]);
}

/// Rows `first ..` of a plain utf8 column read in place (one that
/// `utf8_rows` has checked; of a list column, checked by `plain_lists`, its
/// offsets and validity): each row's text straight from Arrow's offsets,
/// data and validity bitmap, without a call per row. An absent column is
/// every row null.
class Utf8Rows {
 public:
  Utf8Rows(const Column* c, std::int64_t first) {
    if (c == nullptr) return;
    o_ = values_of<std::int32_t>(c, first);
    if (c->array()->n_buffers > 2) data_ = static_cast<const char*>(c->array()->buffers[2]);
    if (!no_nulls(c)) valid_ = static_cast<const std::uint8_t*>(c->array()->buffers[0]);
    bit_ = c->array()->offset + first;
  }
  /// Whether row `i` (from `first`) is null or the column absent.
  [[nodiscard]] bool null(std::int64_t i) const {
    if (o_ == nullptr) return true;
    if (valid_ == nullptr) return false;
    const std::int64_t k = bit_ + i;
    return (valid_[k >> 3] & (1U << (k & 7))) == 0;
  }
  /// The text of row `i`; "" when null.
  [[nodiscard]] std::string_view text(std::int64_t i) const {
    if (null(i) || o_[i + 1] == o_[i]) return {};
    return {data_ + o_[i], static_cast<std::size_t>(o_[i + 1] - o_[i])};
  }
  /// Whether every null row among the `n` has no bytes (Arrow lets a null
  /// row's offsets span bytes): then the rows' bytes are their texts,
  /// back to back.
  [[nodiscard]] bool packed(std::int64_t n) const {
    for (std::int64_t i = 0; valid_ != nullptr && i < n; ++i) {
      if (null(i) && o_[i + 1] != o_[i]) return false;
    }
    return true;
  }
  /// The offsets of the rows, from `first` on (nullptr: column absent).
  [[nodiscard]] const std::int32_t* offsets() const { return o_; }
  [[nodiscard]] const char* data() const { return data_; }

 private:
  const std::int32_t* o_ = nullptr;
  const char* data_ = nullptr;
  const std::uint8_t* valid_ = nullptr;  ///< nullptr: no null
  std::int64_t bit_ = 0;
};

/// Appends `n` rows from `t` (its rows' bytes back to back: `packed`) to
/// `dst`: the bytes in one copy, each row's place from the offsets; a null
/// row is "".
void append_packed(TextColumn& dst, const Utf8Rows& t, std::int64_t n) {
  const auto rows = static_cast<std::size_t>(n);
  const std::size_t at = dst.offset.size();
  const std::uint64_t base = dst.arena.size();
  dst.offset.resize(at + rows, base);
  dst.length.resize(at + rows, 0);
  const std::int32_t* o = t.offsets();
  if (o == nullptr || n == 0) return;
  if (o[n] > o[0]) dst.arena.append(t.data() + o[0], static_cast<std::size_t>(o[n] - o[0]));
  std::uint64_t* offset = dst.offset.data() + at;
  std::uint32_t* length = dst.length.data() + at;
  for (std::size_t i = 0; i < rows; ++i) {
    offset[i] = base + static_cast<std::uint64_t>(o[i] - o[0]);
    length[i] = static_cast<std::uint32_t>(o[i + 1] - o[i]);
  }
}

/// Appends rows `first .. first + n` of a dictionary-encoded text column
/// that `text_rows` has checked ("" for a null row). The rows share the
/// bytes of their dictionary's entries: they are appended once and each row
/// points at its entry (a journal's rows may share bytes: `TextColumn`), so
/// text repeated from row to row is neither copied nor faulted in again per
/// row. When the dictionary holds more bytes than the rows use (a few rows
/// picked from a large dictionary) each row's text is copied instead, so the
/// arena never grows by more than the rows' own bytes.
void append_coded(TextColumn& dst, const Column* c, std::int64_t first, std::int64_t n) {
  const Column* d = c->dictionary();
  const auto rows = static_cast<std::size_t>(n);
  const std::size_t at = dst.offset.size();
  const std::uint64_t base = dst.arena.size();
  dst.offset.resize(at + rows, base);
  dst.length.resize(at + rows, 0);
  if (d->length() == 0) return;  // every row null (`text_rows`: a row's index is inside the dictionary)
  const std::int32_t* code = values_of<std::int32_t>(c, first);
  const std::int32_t* o = values_of<std::int32_t>(d, 0);
  const char* data = static_cast<const char*>(d->array()->buffers[2]);
  const bool nulls = !no_nulls(c);
  std::uint64_t used = 0;  // the rows' own bytes
  std::uint64_t* offset = dst.offset.data() + at;
  std::uint32_t* length = dst.length.data() + at;
  for (std::size_t i = 0; i < rows; ++i) {
    if (nulls && c->is_null(first + static_cast<std::int64_t>(i))) continue;
    const std::int32_t k = code[i];
    offset[i] = base + static_cast<std::uint64_t>(o[k] - o[0]);
    length[i] = static_cast<std::uint32_t>(o[k + 1] - o[k]);
    used += length[i];
  }
  const auto entries = static_cast<std::uint64_t>(o[d->length()] - o[0]);
  if (entries == 0) return;
  if (entries <= used) {
    dst.arena.append(data + o[0], static_cast<std::size_t>(entries));
    return;
  }
  dst.arena.reserve(base + used);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::uint64_t from = offset[i] - base;
    offset[i] = dst.arena.size();
    dst.arena.append(data + o[0] + from, length[i]);
  }
}

/// Appends rows `first .. first + n` of an optional text column ("" for a
/// null or an absent column): plain utf8, or dictionary-encoded
/// (`append_coded`), as `text_rows` has checked it.
void append_text(TextColumn& dst, const Column* c, std::int64_t first, std::int64_t n) {
  if (c != nullptr && c->dictionary() != nullptr) return append_coded(dst, c, first, n);
  const Utf8Rows t(c, first);
  if (t.packed(n)) return append_packed(dst, t, n);
  const std::int32_t* o = t.offsets();
  dst.arena.reserve(dst.arena.size() + static_cast<std::size_t>(o[n] - o[0]));
  for (std::int64_t i = 0; i < n; ++i) dst.push_back(t.text(i));
}

/// Appends rows `first .. first + n` of an optional list<utf8> column (a
/// null list or an absent column is an empty list).
void append_text_list(detail::TextList& dst, const Column* c, std::int64_t first, std::int64_t n) {
  const auto rows = static_cast<std::size_t>(n);
  const Utf8Rows lists(c, first);  // a list's validity and offsets, read as a text column's
  if (c != nullptr && n > 0 && lists.packed(n)) {
    // Every null list has no items: the rows' items are back to back, one
    // text column (`text_lists` has checked the offsets and the items).
    const std::int32_t* o = lists.offsets();
    const std::size_t at = dst.start.size();
    const std::uint64_t base = dst.items.size();
    dst.start.resize(at + rows);
    dst.count.resize(at + rows);
    for (std::size_t i = 0; i < rows; ++i) {
      dst.start[at + i] = base + static_cast<std::uint64_t>(o[i] - o[0]);
      dst.count[at + i] = static_cast<std::uint32_t>(o[i + 1] - o[i]);
    }
    append_text(dst.items, &c->child(), o[0], o[n] - o[0]);
    return;
  }
  dst.start.reserve(dst.start.size() + rows);
  dst.count.reserve(dst.count.size() + rows);
  for (std::int64_t i = 0; i < n; ++i) {
    dst.start.push_back(dst.items.size());
    if (!has_value(c, first + i)) {
      dst.count.push_back(0);
      continue;
    }
    const auto [lo, hi] = c->range(first + i);
    dst.count.push_back(static_cast<std::uint32_t>(hi - lo));
    for (std::int64_t k = lo; k < hi; ++k) dst.items.push_back(c->child().text(k));
  }
}

/// An optional int8 rating (0-10) of row `i`: its value, or -1 when null or
/// absent, as the journal stores it.
std::int8_t rating_or_none(const Column* c, std::int64_t i) {
  return has_value(c, i) ? values_of<std::int8_t>(c, i)[0] : std::int8_t{-1};
}
/// Whether every value of an optional int8 column is a `B` (`Intensity`,
/// `Percent`: the model's bounded types).
template <class B>
bool bounded_rows(const Column* c, std::int64_t first, std::int64_t n) {
  if (!absent_or(c, "c")) return false;
  for (std::int64_t i = 0; c != nullptr && i < n; ++i) {
    if (has_value(c, first + i) && !B::make(values_of<std::int8_t>(c, first + i)[0])) return false;
  }
  return true;
}

/// Notes the trigger links of rows `first .. first + n` of a column that
/// `link_rows` has checked ("" for a null row, a null entry or an absent
/// column): of a dictionary-encoded column, each row views its dictionary
/// entry, and the rows are noted as sharing the dictionary's bytes.
template <class R>
void note_links(Imported& im, const Column* c, std::int64_t first, std::int64_t n) {
  auto& links = im.links_of<R>();
  const Column* d = c == nullptr ? nullptr : c->dictionary();
  if (d == nullptr) {
    const Utf8Rows rows(c, first);
    for (std::int64_t i = 0; i < n; ++i) links.push_back(rows.text(i));
    return;
  }
  const Utf8Rows entries(d, 0);
  std::vector<std::string_view> entry(static_cast<std::size_t>(d->length()));
  for (std::size_t k = 0; k < entry.size(); ++k) entry[k] = entries.text(static_cast<std::int64_t>(k));
  const std::size_t begin = links.size();
  with_index_type(c->schema()->format, [&](auto type) {
    using T = decltype(type);
    const T* code = values_of<T>(c, first);
    const bool nulls = !no_nulls(c);
    for (std::int64_t i = 0; i < n; ++i)
      links.push_back(nulls && c->is_null(first + i) ? std::string_view{}
                                                     : entry[static_cast<std::size_t>(code[i])]);
    return true;
  });
  const std::int32_t* o = values_of<std::int32_t>(d, 0);
  const std::int64_t bytes = d->length() == 0 ? 0 : o[d->length()] - o[0];
  if (bytes > 0) {
    const char* data = static_cast<const char*>(d->array()->buffers[2]) + o[0];
    im.shared_links_of<R>().push_back(
        {begin, links.size(), std::string_view(data, static_cast<std::size_t>(bytes))});
  }
}

/// A column of `s` that journal_tables.hpp hands out read-only
/// (`detail::utc_column`, `offset_column`, `id_column`): here the builder's
/// own, being appended to.
template <class T>
T& writable(const T& column) {
  return const_cast<T&>(column);
}

/// The column path of every table, for a batch whose columns have the
/// bridge's own layout (what `to_arrow`, Parquet and pandas give:
/// participant as dictionary<int32, utf8> or utf8, id and trigger utf8, time
/// timestamp[us], offset_minutes int16, no null where a value is required):
/// `head_rows` and the type's own `check(first, n)` test every rule over
/// whole columns (the model's own `UtcOffset::make`, `detail::in_year_range`,
/// the bounded types' `make`, `rules::utf8_text`, the vocabularies), the
/// participant dictionary is coded once per entry, and the columns go to the
/// builder in bulk: those of the `Head` here (the trigger links `no_trigger`
/// and noted, to be checked later), the type's own by `fill(tables, builder,
/// first, n)`. Returns false, having changed nothing, when the layout
/// differs or any value breaks a rule: the row path then reads the batch and
/// names the first problem by row and column.
template <class R, class Check, class Fill>
bool import_columns(const Batch& b, Imported& im, const Head& h, Check check, Fill fill) {
  const std::int64_t n = b.length();
  const std::int64_t first = b.at(0);
  if (!head_rows(h, first, n, id_required<R>) || !link_rows(h.trigger, first, n) || !check(first, n))
    return false;
  // Every rule holds: code the participants and append the columns.
  auto& builder = im.builder_of<R>();
  const std::vector<std::int32_t> codes = participant_codes(h.participant, first, n, builder);
  const auto rows = static_cast<std::size_t>(n);
  const std::int64_t* time = values_of<std::int64_t>(h.time, first);
  const std::int16_t* offset = values_of<std::int16_t>(h.offset, first);
  builder.template append_columns<R>([&](detail::Tables& s) {
    auto& participant = detail::participant_column<R>(s.c);
    auto& time_us = writable(detail::utc_column<R>(s.c));
    auto& offset_minutes = writable(detail::offset_column<R>(s.c));
    participant.insert(participant.end(), codes.begin(), codes.end());
    time_us.insert(time_us.end(), time, time + rows);
    offset_minutes.insert(offset_minutes.end(), offset, offset + rows);
    if constexpr (detail::has_link<R>) {
      auto& link = detail::link_column<R>(s.c);
      link.insert(link.end(), rows, no_trigger);
    }
    append_text(writable(detail::id_column<R>(s)), h.id, first, n);
    fill(s, builder, first, n);
  });
  if constexpr (detail::has_link<R>) note_links<R>(im, h.trigger, first, n);
  return true;
}

/// Readings in the bridge's own layout (intensity int8 without nulls, note
/// utf8), checked by `Intensity::make` over the column.
bool import_by_column(const Batch& b, Imported& im, const Head& h, const TableColumns<Reading>& c) {
  const std::int8_t* level = nullptr;
  return import_columns<Reading>(
      b, im, h,
      [&](std::int64_t first, std::int64_t n) {
        if (!plain(c.intensity, "c") || !text_rows(c.note, first, n)) return false;
        level = values_of<std::int8_t>(c.intensity, first);
        for (std::int64_t i = 0; i < n; ++i) {
          if (!Intensity::make(level[i])) return false;
        }
        return true;
      },
      [&](detail::Tables& s, JournalBuilder&, std::int64_t first, std::int64_t n) {
        auto& intensity = s.c.readings.intensity;
        intensity.insert(intensity.end(), level, level + n);
        append_text(s.re.note, c.note, first, n);
      });
}

/// Triggers in the bridge's own layout (category a dictionary<int32, utf8>
/// coded once per entry, intensity int8, acted_on_urge bool,
/// acted_after_minutes float64, texts utf8, text lists list<utf8>), checked
/// over whole columns by the model's rules (`trigger_category_from_id` per
/// dictionary entry, `Intensity::make`, `Minutes::make`, `rules::utf8_text`).
bool import_by_column(const Batch& b, Imported& im, const Head& h, const TableColumns<Trigger>& t) {
  const std::int32_t* cat = nullptr;
  const std::int8_t* level = nullptr;
  std::vector<int> category_of;  // the category of each dictionary entry used, once
  return import_columns<Trigger>(
      b, im, h,
      [&](std::int64_t first, std::int64_t n) {
        cat = vocabulary_codes(t.category, first, n);
        if (cat == nullptr || !plain(t.intensity, "c") || !absent_or(t.acted, "b") ||
            !absent_or(t.after, "g"))
          return false;
        if (!text_rows(t.context, first, n) || !text_rows(t.urge, first, n) ||
            !text_rows(t.response, first, n) || !text_lists(t.thoughts, first, n) ||
            !text_lists(t.sensations, first, n) || !text_lists(t.tags, first, n))
          return false;
        category_of.assign(static_cast<std::size_t>(t.category->dictionary()->length()), -1);
        level = values_of<std::int8_t>(t.intensity, first);
        for (std::int64_t i = 0; i < n; ++i) {
          int& c = category_of[static_cast<std::size_t>(cat[i])];
          if (c < 0) {
            const auto known = trigger_category_from_id(t.category->dictionary()->text(cat[i]));
            if (!known) return false;
            c = static_cast<int>(*known);
          }
          if (!Intensity::make(level[i])) return false;
          if (has_value(t.after, first + i) && !Minutes::make(values_of<double>(t.after, first + i)[0]))
            return false;
        }
        return true;
      },
      [&](detail::Tables& s, JournalBuilder&, std::int64_t first, std::int64_t n) {
        auto& c = s.c.triggers;
        c.intensity.insert(c.intensity.end(), level, level + n);
        for (std::int64_t i = 0; i < n; ++i) {
          c.category.push_back(static_cast<std::uint8_t>(category_of[static_cast<std::size_t>(cat[i])]));
          c.acted_on_urge.push_back(has_value(t.acted, first + i)
                                        ? static_cast<std::int8_t>(t.acted->boolean(first + i))
                                        : std::int8_t{-1});
          c.acted_after_minutes.push_back(has_value(t.after, first + i)
                                              ? values_of<double>(t.after, first + i)[0]
                                              : std::numeric_limits<double>::quiet_NaN());
        }
        append_text(s.tr.context, t.context, first, n);
        append_text(s.tr.urge, t.urge, first, n);
        append_text(s.tr.response, t.response, first, n);
        append_text_list(s.tr.thoughts, t.thoughts, first, n);
        append_text_list(s.tr.sensations, t.sensations, first, n);
        append_text_list(s.tr.tags, t.tags, first, n);
      });
}

/// Exercise sessions in the bridge's own layout (end timestamp[us] and
/// end_offset_minutes int16 without nulls, exercise a dictionary<int32,
/// utf8> coded once per entry, completed bool, ratings int8, responses
/// list<utf8>), checked over whole columns by the model's rules (as the
/// triggers, the end and its offset as the time, and end not before time).
bool import_by_column(const Batch& b, Imported& im, const Head& h, const TableColumns<ExerciseSession>& x) {
  const std::int32_t* ex = nullptr;
  return import_columns<ExerciseSession>(
      b, im, h,
      [&](std::int64_t first, std::int64_t n) {
        const Head tail{h.participant, h.id, x.end, x.end_offset, nullptr};
        if (!head_rows(tail, first, n, true)) return false;  // the end and its offset, by the same rules
        ex = vocabulary_codes(x.exercise, first, n);
        if (ex == nullptr || !absent_or(x.completed, "b") || !bounded_rows<Intensity>(x.before, first, n) ||
            !bounded_rows<Intensity>(x.after, first, n) || !text_lists(x.responses, first, n))
          return false;
        const std::int64_t* time = values_of<std::int64_t>(h.time, first);
        const std::int64_t* end_us = values_of<std::int64_t>(x.end, first);
        for (std::int64_t i = 0; i < n; ++i) {
          if (end_us[i] < time[i]) return false;                            // rules::end_not_before_time
          if (x.exercise->dictionary()->text(ex[i]).empty()) return false;  // rules::not_empty("exercise")
        }
        return true;
      },
      [&](detail::Tables& s, JournalBuilder& builder, std::int64_t first, std::int64_t n) {
        auto& c = s.c.exercises;
        const std::int64_t* end_us = values_of<std::int64_t>(x.end, first);
        const std::int16_t* end_off = values_of<std::int16_t>(x.end_offset, first);
        c.end_us.insert(c.end_us.end(), end_us, end_us + n);
        c.end_offset_minutes.insert(c.end_offset_minutes.end(), end_off, end_off + n);
        const Column* names = x.exercise->dictionary();
        std::vector<std::int32_t> exercise_of(static_cast<std::size_t>(names->length()), -1);
        for (std::int64_t i = 0; i < n; ++i) {
          auto& e = exercise_of[static_cast<std::size_t>(ex[i])];
          if (e < 0) e = builder.exercise_code(names->text(ex[i]));
          c.exercise.push_back(e);
          const bool not_completed = has_value(x.completed, first + i) && !x.completed->boolean(first + i);
          c.completed.push_back(not_completed ? 0 : 1);
          c.intensity_before.push_back(rating_or_none(x.before, first + i));
          c.intensity_after.push_back(rating_or_none(x.after, first + i));
        }
        append_text_list(s.ex.responses, x.responses, first, n);
      });
}

/// Assessments in the bridge's own layout (instrument a dictionary<int32,
/// utf8> looked up once per entry, answers list<int32> without nulls, note
/// utf8), checked over whole columns by the model's rules (a registered
/// instrument, `validate_answers` per row over the answers in place).
bool import_by_column(const Batch& b, Imported& im, const Head& h, const TableColumns<Assessment>& a) {
  const std::int32_t* in = nullptr;
  const std::int32_t* o = nullptr;
  const std::int32_t* values = nullptr;
  std::vector<const Instrument*> instrument_of;
  return import_columns<Assessment>(
      b, im, h,
      [&](std::int64_t first, std::int64_t n) {
        if (!text_rows(a.note, first, n)) return false;
        in = vocabulary_codes(a.instrument, first, n);
        if (in == nullptr || !no_nulls(a.answers) || !plain_lists(a.answers, "i", first, n)) return false;
        o = values_of<std::int32_t>(a.answers, first);
        values = values_of<std::int32_t>(&a.answers->child(), 0);
        instrument_of.assign(static_cast<std::size_t>(a.instrument->dictionary()->length()), nullptr);
        std::vector<bool> looked_up(instrument_of.size(), false);
        for (std::int64_t i = 0; i < n; ++i) {
          const auto k = static_cast<std::size_t>(in[i]);
          if (!looked_up[k]) {
            instrument_of[k] = find_instrument(a.instrument->dictionary()->text(in[i]));
            looked_up[k] = true;
          }
          if (instrument_of[k] == nullptr) return false;  // unknown (or empty): the row path names it
          const std::span<const int> given(values + o[i], static_cast<std::size_t>(o[i + 1] - o[i]));
          if (validate_answers(*instrument_of[k], given)) return false;
        }
        return true;
      },
      [&](detail::Tables& s, JournalBuilder& builder, std::int64_t first, std::int64_t n) {
        std::vector<std::int32_t> code_of(instrument_of.size(), -1);
        auto& answers = s.as.answers;
        for (std::int64_t i = 0; i < n; ++i) {
          auto& code = code_of[static_cast<std::size_t>(in[i])];
          if (code < 0) code = builder.instrument_code(a.instrument->dictionary()->text(in[i]));
          s.as.instrument.push_back(code);
          answers.start.push_back(answers.items.size());
          answers.count.push_back(static_cast<std::uint32_t>(o[i + 1] - o[i]));
          answers.items.insert(answers.items.end(), values + o[i], values + o[i + 1]);
        }
        append_text(s.as.note, a.note, first, n);
      });
}

/// Thought records in the bridge's own layout (situation and automatic
/// thought utf8 without nulls, beliefs int8, emotions
/// list<struct<name utf8, before int8, after int8>> with a name and a before
/// rating on every emotion, distortions list<utf8> of known ids, the other
/// texts utf8 and list<utf8>), checked over whole columns by the model's
/// rules (`Percent::make`, `distortion_from_id` per item, `rules::utf8_text`).
bool import_by_column(const Batch& b, Imported& im, const Head& h, const TableColumns<ThoughtRecord>& t) {
  std::vector<std::uint8_t> distortion;  // every distortion's code, in row order
  const Column* em = t.emotions;
  return import_columns<ThoughtRecord>(
      b, im, h,
      [&](std::int64_t first, std::int64_t n) {
        if (t.situation == nullptr || t.thought == nullptr || !no_nulls(t.situation) ||
            !no_nulls(t.thought) || !text_rows(t.situation, first, n) || !text_rows(t.thought, first, n))
          return false;
        if (!plain(t.belief_before, "c") || !bounded_rows<Percent>(t.belief_before, first, n) ||
            !bounded_rows<Percent>(t.belief_after, first, n))
          return false;
        if (!text_rows(t.friend_advice, first, n) || !text_rows(t.balanced, first, n) ||
            !text_lists(t.evidence_for, first, n) || !text_lists(t.evidence_against, first, n) ||
            !text_lists(t.alternatives, first, n) || !text_lists(t.distortions, first, n))
          return false;
        // Every distortion a known id.
        for (std::int64_t i = 0; i < n; ++i) {
          if (!has_value(t.distortions, first + i)) continue;
          const auto [lo, hi] = t.distortions->range(first + i);
          for (std::int64_t k = lo; k < hi; ++k) {
            const auto d = distortion_from_id(t.distortions->child().text(k));
            if (!d) return false;
            distortion.push_back(static_cast<std::uint8_t>(*d));
          }
        }
        // Emotions: a list of structs without null items, each with a name (UTF-8) and a before rating.
        if (em == nullptr) return true;
        if (t.em_name == nullptr || em->array()->dictionary != nullptr ||
            std::string_view(em->schema()->format) != "+l" || !no_nulls(&em->child()) ||
            !no_nulls(t.em_name) || !no_nulls(t.em_before) ||
            std::string_view(t.em_before->schema()->format) != "c" ||
            t.em_before->array()->dictionary != nullptr || !absent_or(t.em_after, "c"))
          return false;
        const std::int32_t* o = values_of<std::int32_t>(em, first);
        if (!offsets_ok(o, n) || o[n] > em->child().length()) return false;
        if (!utf8_rows(t.em_name, t.em_offset + o[0], o[n] - o[0])) return false;
        for (std::int64_t k = o[0]; k < o[n]; ++k) {
          const std::int64_t e = t.em_offset + k;
          if (!Percent::make(values_of<std::int8_t>(t.em_before, e)[0])) return false;
          if (has_value(t.em_after, e) && !Percent::make(values_of<std::int8_t>(t.em_after, e)[0]))
            return false;
        }
        return true;
      },
      [&](detail::Tables& s, JournalBuilder&, std::int64_t first, std::int64_t n) {
        auto& c = s.c.thoughts;
        auto& emotions = s.th.emotions;
        std::size_t next_distortion = 0;
        for (std::int64_t i = 0; i < n; ++i) {
          const std::int64_t at = first + i;
          c.belief_before.push_back(values_of<std::int8_t>(t.belief_before, at)[0]);
          c.belief_after.push_back(
              has_value(t.belief_after, at)
                  ? static_cast<std::int16_t>(values_of<std::int8_t>(t.belief_after, at)[0])
                  : no_rating);
          // The emotions, and the mean change over those rated after (as `put` computes it).
          double sum = 0;
          int rated = 0;
          emotions.names.start.push_back(emotions.names.items.size());
          const auto [lo, hi] =
              has_value(em, at) ? em->range(at) : std::pair<std::int64_t, std::int64_t>{0, 0};
          emotions.names.count.push_back(static_cast<std::uint32_t>(hi - lo));
          for (std::int64_t k = lo; k < hi; ++k) {
            const std::int64_t e = t.em_offset + k;
            const int before = values_of<std::int8_t>(t.em_before, e)[0];
            emotions.names.items.push_back(t.em_name->text(e));
            emotions.before.push_back(static_cast<std::int16_t>(before));
            if (has_value(t.em_after, e)) {
              const int after = values_of<std::int8_t>(t.em_after, e)[0];
              emotions.after.push_back(static_cast<std::int16_t>(after));
              sum += before - after;
              ++rated;
            } else {
              emotions.after.push_back(no_rating);
            }
          }
          c.emotion_change.push_back(rated > 0 ? sum / rated : std::numeric_limits<double>::quiet_NaN());
          std::int64_t alternatives = 0;
          if (has_value(t.alternatives, at)) {
            const auto [alo, ahi] = t.alternatives->range(at);
            alternatives = ahi - alo;
          }
          c.alternatives.push_back(static_cast<std::int32_t>(alternatives));
          if (has_value(t.distortions, at)) {
            const auto [dlo, dhi] = t.distortions->range(at);
            for (std::int64_t k = dlo; k < dhi; ++k) c.distortions.push_back(distortion[next_distortion++]);
          }
          c.distortion_offsets.push_back(static_cast<std::int64_t>(c.distortions.size()));
        }
        append_text(s.th.situation, t.situation, first, n);
        append_text(s.th.automatic_thought, t.thought, first, n);
        append_text(s.th.friend_advice, t.friend_advice, first, n);
        append_text(s.th.balanced_thought, t.balanced, first, n);
        append_text_list(s.th.evidence_for, t.evidence_for, first, n);
        append_text_list(s.th.evidence_against, t.evidence_against, first, n);
        append_text_list(s.th.alternatives, t.alternatives, first, n);
      });
}

/// Reads one batch of record type R: the columns found (their kinds checked:
/// a wrong one fails, naming it), then column by column when the layout is
/// the bridge's own and every value keeps the rules, else row by row, which
/// names the first problem.
template <class R>
void import_batch(const Batch& b, Imported& im) {
  // The columns are looked up in the order they always were (a thought
  // record's own before the head), so the first wrong one named stays the same.
  std::optional<TableColumns<R>> own;
  if constexpr (std::is_same_v<R, ThoughtRecord>) own.emplace(b);
  const Head h = head_columns<R>(b);
  if (!own) own.emplace(b);
  if (!import_by_column(b, im, h, *own)) import_by_row(b, im, h, *own);
}

// --- cross-record rules: unique ids, trigger links ---------------------------

/// The hashes of the next `N` rows a loop will look up, computed early so
/// that their slots can be asked for (`FlatIndex::prefetch`) before their
/// turn: row j's at j % 2N, tagged with j so that a row never noted (no key,
/// or one not worth asking for) is hashed when its turn comes.
template <std::size_t N>
class Ahead {
 public:
  void keep(std::size_t row, std::uint64_t h) noexcept { at_[row % (2 * N)] = {row + 1, h}; }
  /// Whether row `row`'s hash was kept (and not overwritten: rows are kept at most N ahead).
  [[nodiscard]] bool has(std::size_t row) const noexcept { return at_[row % (2 * N)].first == row + 1; }
  /// Row `row`'s hash, which `has(row)`.
  [[nodiscard]] std::uint64_t hash(std::size_t row) const noexcept { return at_[row % (2 * N)].second; }

 private:
  std::array<std::pair<std::size_t, std::uint64_t>, 2 * N> at_{};
};

/// The (participant, id) keys of one record type's rows (in a builder's
/// columns), in one open-addressing table (detail::FlatIndex: 8 bytes a slot,
/// no node per record; 1.6 million of them in a cohort), filled in row order.
template <class R>
class KeyIndex {
 public:
  /// Every row with an id, in row order. Returns (row, earlier row) of the
  /// first row whose key an earlier row has, if any (then the index holds
  /// the rows before it).
  std::optional<std::pair<std::size_t, std::size_t>> add_rows(const detail::Tables& s) {
    const auto& ids = detail::id_column<R>(s);
    const auto& pc = detail::participant_column<R>(s.c);
    // Room for the rows that have an id only: a type whose records carry
    // none (a cohort's readings) takes no table, not one of 16 bytes a row
    // that the allocator would have to clear.
    index_.reserve(static_cast<std::size_t>(
        std::count_if(ids.length.begin(), ids.length.end(), [](std::uint32_t n) { return n != 0; })));
    // Each key lands at random in a table of megabytes: the slot of the key
    // `ahead` rows on is asked for while this one is inserted (its hash kept
    // for when its turn comes).
    constexpr std::size_t ahead = 16;
    Ahead<ahead> next;
    const auto note = [&](std::size_t j) {
      if (ids[j].empty()) return;
      const std::uint64_t h = hash(pc[j], ids[j]);
      next.keep(j, h);
      index_.prefetch(h);
    };
    for (std::size_t j = 0; j < std::min(ids.size(), ahead); ++j) note(j);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i + ahead < ids.size()) note(i + ahead);
      if (ids[i].empty()) continue;
      const std::uint64_t h = next.hash(i);
      const std::int32_t seen = find(s, h, pc[i], ids[i]);
      if (seen != detail::FlatIndex::none) return std::pair{i, static_cast<std::size_t>(seen)};
      index_.insert_new(h, static_cast<std::int32_t>(i));
    }
    return std::nullopt;
  }
  /// The row of participant code `p` and `id` in `s` (the columns the rows
  /// were added from, or a builder they were moved into with the same
  /// participant codes), or `detail::FlatIndex::none`.
  [[nodiscard]] std::int32_t find(const detail::Tables& s, std::int32_t p, std::string_view id) const {
    return find(s, hash(p, id), p, id);
  }
  /// The hash `find` looks participant code `p` and `id` up by.
  [[nodiscard]] std::uint64_t hash(std::int32_t p, std::string_view id) const noexcept {
    return index_.hash(id, static_cast<std::uint32_t>(p));
  }
  /// `find` of a key whose `hash` is `h`.
  [[nodiscard]] std::int32_t find(const detail::Tables& s, std::uint64_t h, std::int32_t p,
                                  std::string_view id) const {
    const auto& ids = detail::id_column<R>(s);
    const auto& pc = detail::participant_column<R>(s.c);
    return index_.find(h, [&](std::int32_t row) {
      const auto k = static_cast<std::size_t>(row);
      return pc[k] == p && ids[k] == id;
    });
  }
  /// Asks the processor for the slot where the key of hash `h` starts its
  /// probe (a hint: nothing changes).
  void prefetch(std::uint64_t h) const noexcept { index_.prefetch(h); }
  /// Asks for the participant code and id place of the row at that slot (the
  /// likely answer, which `find` compares with the key), once the slot is
  /// near (`prefetch` a few keys earlier). A hint: nothing changes.
  void prefetch_key(const detail::Tables& s, std::uint64_t h) const noexcept {
    const std::int32_t row = index_.first_candidate(h);
    if (row == detail::FlatIndex::none) return;
    const auto k = static_cast<std::size_t>(row);
    const auto& ids = detail::id_column<R>(s);
    __builtin_prefetch(&detail::participant_column<R>(s.c)[k]);
    __builtin_prefetch(&ids.offset[k]);
    __builtin_prefetch(&ids.length[k]);
  }

 private:
  detail::FlatIndex index_;
};

/// Ids are unique per participant and type: the first repeat (in row order)
/// fails, naming the row that used it first.
template <class R>
KeyIndex<R> unique_ids(const detail::Tables& s, const std::string& name) {
  KeyIndex<R> index;
  if (const auto repeat = index.add_rows(s)) {
    const auto [row, first] = *repeat;
    const Where w{&name, table_names[static_cast<std::size_t>(record_type_of<R>)]};
    const auto& participant =
        s.c.participants[static_cast<std::size_t>(detail::participant_column<R>(s.c)[row])];
    fail(w, static_cast<std::int64_t>(row), "id",
         rules::duplicate_id(record_type_of<R>, participant, detail::id_column<R>(s)[row]) +
             " (first used in row " + std::to_string(first) + ")");
  }
  return index;
}

/// Every trigger link of rows `from .. to` of R's table names a trigger of
/// the same participant: checked once, here, and each link set on the
/// builder as the trigger's row (`all` holds the triggers first, then this
/// type's rows in table order, every participant coded in its one
/// dictionary). The first bad link of the rows, in row order, fails. Rows
/// of one table may be checked on different threads at once (each row sets
/// only its own link).
template <class R>
void check_links(Imported& im, const std::string& name, const KeyIndex<Trigger>& triggers,
                 JournalBuilder& all, std::size_t from, std::size_t to) {
  const auto& links = im.links_of<R>();
  const Where w{&name, table_names[static_cast<std::size_t>(record_type_of<R>)]};
  const auto& s = all.columns();
  const auto& pc = detail::participant_column<R>(s.c);
  // The links found lately, by where their bytes lie: the rows of a
  // dictionary-encoded column view one copy of each entry (`copy_links`), so
  // the readings of one trigger, near each other in a table sorted by
  // participant and time, find it once (on calmkit's cohorts 2 of 3
  // readings' links are repeats within a few rows). Same bytes and the same
  // participant: the same trigger, without hashing the text again.
  struct Found {
    const char* data = nullptr;
    std::size_t size = 0;
    std::int32_t participant = -1;
    std::int32_t row = 0;
  };
  std::array<Found, 64> recent{};
  // A link not found above lands at random in the triggers' table of
  // megabytes: the slot of the link `slot_ahead` rows on, and the key at the
  // slot of the one `key_ahead` on (whose slot is near by then), are asked
  // for while this one is looked up, as the JSON reader does. A link with the
  // bytes and participant of the row before it is left out: it is found above.
  constexpr std::size_t slot_ahead = 16, key_ahead = 8;
  const std::size_t end = std::min(to, links.size());
  Ahead<slot_ahead> next;
  const auto note = [&](std::size_t j) {
    const std::string_view l = links[j];
    if (l.empty() || (j > from && l.data() == links[j - 1].data() && l.size() == links[j - 1].size() &&
                      pc[j] == pc[j - 1]))
      return;
    const std::uint64_t h = triggers.hash(pc[j], l);
    next.keep(j, h);
    triggers.prefetch(h);
  };
  for (std::size_t j = from; j < std::min(end, from + slot_ahead); ++j) note(j);
  for (std::size_t i = from; i < end; ++i) {
    if (i + slot_ahead < end) note(i + slot_ahead);
    if (i + key_ahead < end && next.has(i + key_ahead)) triggers.prefetch_key(s, next.hash(i + key_ahead));
    const std::string_view l = links[i];
    if (l.empty()) continue;
    // 64 slots: the top 6 bits of the address's Fibonacci hash.
    const auto at = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(l.data()));
    Found& slot = recent[(at * 0x9E3779B97F4A7C15ULL) >> 58U];
    if (slot.data == l.data() && slot.size == l.size() && slot.participant == pc[i]) {
      all.link<R>(i, static_cast<std::size_t>(slot.row));
      continue;
    }
    const std::int32_t row = triggers.find(s, next.has(i) ? next.hash(i) : triggers.hash(pc[i], l), pc[i], l);
    if (row == detail::FlatIndex::none) {
      fail(w, static_cast<std::int64_t>(i), "trigger",
           rules::unknown_trigger(s.c.participants[static_cast<std::size_t>(pc[i])], l));
    }
    slot = {l.data(), l.size(), pc[i], row};
    all.link<R>(i, static_cast<std::size_t>(row));
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

/// Calls `f(std::type_identity<R>{})` with the record type of `table`.
template <class F>
void for_table(std::string_view table, F f) {
  if (table == "triggers") f(std::type_identity<Trigger>{});
  if (table == "readings") f(std::type_identity<Reading>{});
  if (table == "exercises") f(std::type_identity<ExerciseSession>{});
  if (table == "thought_records") f(std::type_identity<ThoughtRecord>{});
  if (table == "assessments") f(std::type_identity<Assessment>{});
}

/// Reads every batch of one table into `im` (its own vectors only, so tables
/// can be read on different threads).
void import_table(std::string_view table, const std::vector<HeldBatch>& batches, const Where& w,
                  Imported& im) {
  // Room for every row of the table at once: no column regrows while it is read.
  std::size_t rows = 0;
  for (const auto& hb : batches)
    rows += static_cast<std::size_t>(std::max<std::int64_t>(hb.array->length, 0));
  for_table(table, [&](auto tag) {
    using R = typename decltype(tag)::type;
    im.builder_of<R>().template reserve<R>(rows);
    if constexpr (detail::has_link<R>) im.links_of<R>().reserve(rows);
  });
  std::int64_t first_row = 0;
  for (const auto& hb : batches) {
    const ArrowArray* a = hb.array.get();
    if (a->length == 0) continue;  // no rows: no records, whatever the columns
    const Batch b(hb.schema.get(), a, w, first_row);
    for_table(table, [&](auto tag) { import_batch<typename decltype(tag)::type>(b, im); });
    if (first_row == 0 && static_cast<std::size_t>(a->length) < rows) {
      // Room for the text and list items of every batch, scaled from the
      // first's (a little more: capacity never filled is address space, not
      // memory): the columns then fill without moving to fresh memory.
      const double scale = 1.05 * static_cast<double>(rows) / static_cast<double>(a->length);
      for_table(table,
                [&](auto tag) { im.builder_of<typename decltype(tag)::type>().reserve_scaled(scale); });
    }
    first_row += a->length;
  }
}

/// Calls `f(std::type_identity<R>{})` with the record type of table `t`
/// (an index into `table_names`).
template <class F>
void for_index(std::size_t t, F f) {
  for_table(table_names[t], f);
}

/// Errors kept per table (an index into `table_names`), to be raised in
/// table order whichever thread met them first.
using TableErrors = std::array<std::exception_ptr, table_names.size()>;

/// Runs `fn(t)` for each table `t` of `order`, each once, on the calling
/// thread and, when the machine has a second core, one more: each thread
/// takes the next table of `order` when it is done with its last (the tables
/// differ in cost, so the larger go first). The exception of each table is
/// kept in `errors[t]`.
template <class Errors, class Fn>
void run_on_two(std::span<const std::size_t> order, Errors& errors, Fn fn) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < order.size(); i = next++) {
      try {
        fn(order[i]);
      } catch (...) {
        errors[order[i]] = std::current_exception();
      }
    }
  };
  std::thread second;
  if (std::thread::hardware_concurrency() > 1 && order.size() > 1) second = std::thread(work);
  work();
  if (second.joinable()) second.join();
}

/// Rethrows the first error of `errors` in table order, if any.
void rethrow_first(const TableErrors& errors) {
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

/// The tables by their cost to import on calmkit's own cohort (the most
/// text first), the order `run_on_two` hands them out in.
constexpr std::array<std::size_t, table_names.size()> import_order{0, 3, 1, 2, 4};

/// One journal's import from Arrow tables, a table at a time: `add` reads
/// one record type's table (any thread, any order, the tables on different
/// threads at once: each has its own builder) and indexes its ids; `finish`
/// checks the trigger links and builds the journal. The producer's batches
/// are held until the object is destroyed (the links view them), which must
/// happen with the GIL held when the producer is Python's.
class ArrowImport {
 public:
  /// An import whose errors name `name` (the source: a folder, "<arrow>").
  explicit ArrowImport(std::string name) : name_(std::move(name)) {}

  /// The source the errors name.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

  /// Reads table `t` (an index into `table_names`) from `batches`, its rows
  /// numbered from 0 across them, every row checked by the model's rules,
  /// then indexes its ids. A row that breaks a rule throws (naming the
  /// table, row and column); a repeated id is kept for `finish`, which
  /// raises the rules across records in their order. Each table once.
  void add(std::size_t t, std::vector<HeldBatch> batches) {
    if (added_[t].exchange(true)) throw std::logic_error(std::string(table_names[t]) + " imported twice");
    held_[t] = std::move(batches);
    try {
      import_table(table_names[t], held_[t], Where{&name_, table_names[t]}, im_);
    } catch (...) {
      failed_ = true;
      throw;
    }
    for_index(t, [&](auto tag) {
      using R = typename decltype(tag)::type;
      try {
        auto index = unique_ids<R>(im_.builder_of<R>().columns(), name_);
        if constexpr (std::is_same_v<R, Trigger>) triggers_ = std::move(index);
      } catch (...) {
        id_errors_[t] = std::current_exception();
      }
    });
  }

  /// Copies the trigger links of table `t` (after `add(t)`) out of the
  /// producer's buffers, so that `release(t)` may let them go.
  /// The rows that share a dictionary's bytes (`Imported::shared_links`)
  /// take one copy of them, each row its place in it.
  void copy_links(std::size_t t) {
    auto& links = im_.links[t];
    const auto& shared = im_.shared_links[t];
    std::size_t bytes = 0;
    for (std::size_t i = 0, s = 0; i < links.size();) {
      if (s < shared.size() && shared[s].begin == i) {
        bytes += shared[s].bytes.size();
        i = shared[s++].end;
      } else {
        bytes += links[i++].size();
      }
    }
    auto& own = im_.owned_links[t];
    own.reserve(bytes);  // no reallocation below: the views taken stay valid
    for (std::size_t i = 0, s = 0; i < links.size();) {
      const std::size_t at = own.size();
      if (s < shared.size() && shared[s].begin == i) {
        const std::string_view from = shared[s].bytes;
        own.append(from);
        for (; i < shared[s].end; ++i) {
          auto& l = links[i];
          if (!l.empty())
            l = std::string_view(own).substr(at + static_cast<std::size_t>(l.data() - from.data()), l.size());
        }
        ++s;
      } else {
        auto& l = links[i++];
        own.append(l);
        l = std::string_view(own).substr(at, l.size());
      }
    }
    im_.shared_links[t].clear();
  }
  /// Lets the producer's batches of table `t` go (with the GIL held when the
  /// producer is Python's; after `copy_links(t)`): their memory is then free
  /// for the tables still to be read.
  void release(std::size_t t) { held_[t].clear(); }

  /// The journal of the tables added (a table never added has no records),
  /// after the rules across records, raised in the order the bridge always
  /// checked them: the triggers' ids, then per type its ids and its trigger
  /// links. The links of the three types that have them are checked on two
  /// threads. Once.
  Journal finish() {
    if (finished_.exchange(true)) throw std::logic_error("the import is finished already");
    if (failed_) throw std::logic_error("a table of the import failed");
    if (!added_[0]) triggers_ = unique_ids<Trigger>(im_.builders[0].columns(), name_);  // none: empty
    if (id_errors_[0]) std::rethrow_exception(id_errors_[0]);
    // The triggers' builder becomes the journal's and takes the other
    // tables' columns (moved: it has none of their rows); the links are then
    // checked and set by row, each type's on its own columns.
    JournalBuilder all = std::move(im_.builders[0]);
    for (std::size_t t = 1; t < table_names.size(); ++t) all.append(std::move(im_.builders[t]));
    // Each linked type's rows in two halves (task 2 * (t - 1) + half): the
    // largest table no longer sets the time alone. A half's error is kept
    // in its place, so the first bad link in row order is the one raised.
    constexpr std::size_t halves = 2;
    constexpr std::array<std::size_t, 3 * halves> tasks{0, 1, 2, 3, 4, 5};
    std::array<std::exception_ptr, 3 * halves> link_errors;
    run_on_two(tasks, link_errors, [&](std::size_t k) {
      const std::size_t t = 1 + k / halves;
      for_index(t, [&](auto tag) {
        using R = typename decltype(tag)::type;
        if constexpr (detail::has_link<R>) {
          const std::size_t n = im_.links_of<R>().size();
          const std::size_t half = k % halves;
          if (!id_errors_[t])
            check_links<R>(im_, name_, *triggers_, all, n * half / halves, n * (half + 1) / halves);
        }
      });
    });
    for (std::size_t t = 1; t < table_names.size(); ++t) {
      if (id_errors_[t]) std::rethrow_exception(id_errors_[t]);
      for (std::size_t half = 0; t <= 3 && half < halves; ++half) {
        if (link_errors[(t - 1) * halves + half])
          std::rethrow_exception(link_errors[(t - 1) * halves + half]);
      }
    }
    return std::move(all).build(detail::trusted);
  }

 private:
  std::string name_;
  Imported im_;
  std::array<std::vector<HeldBatch>, table_names.size()> held_;
  std::array<std::atomic<bool>, table_names.size()> added_{};
  std::atomic<bool> finished_{false};
  std::atomic<bool> failed_{false};
  TableErrors id_errors_;
  std::optional<KeyIndex<Trigger>> triggers_;
};

}  // namespace

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
  ArrowImport im(name);  // holds the batches: released with the GIL held
  std::optional<Journal> out;
  {
    py::gil_scoped_release release;
    // The tables on two threads when there is a second core; errors are
    // raised in table order either way.
    TableErrors errors;
    run_on_two(import_order, errors, [&](std::size_t t) {
      if (!held[t].empty()) im.add(t, std::move(held[t]));
    });
    rethrow_first(errors);
    out.emplace(im.finish());
  }
  return std::move(*out);
}

/// `_core._ArrowImport`: `ArrowImport` for Python, a table at a time, so a
/// caller can read the next table (pyarrow, without the GIL) while this one
/// is imported.
void register_import(py::module_& m) {
  py::class_<ArrowImport>(m, "_ArrowImport",
                          "One journal's import from Arrow tables, a table at a time (calmkit.parquet reads "
                          "the next table while one is imported); errors name `name`.")
      .def(py::init<std::string>(), py::arg("name") = "<arrow>")
      .def(
          "add",
          [](ArrowImport& self, const std::string& table, const py::object& obj) {
            const auto* at = std::find_if(table_names.begin(), table_names.end(),
                                          [&](const char* t) { return table == t; });
            if (at == table_names.end()) {
              detail::throw_invalid("unknown table '" + table +
                                    "'; expected any of triggers, readings, exercises, thought_records, "
                                    "assessments");
            }
            const auto t = static_cast<std::size_t>(at - table_names.begin());
            std::vector<HeldBatch> batches = take_batches(obj, self.name() + "/" + table);
            {
              py::gil_scoped_release release;
              self.add(t, std::move(batches));
              self.copy_links(t);
            }
            self.release(t);  // the GIL held: the producer's release callbacks may need it
          },
          py::arg("table"), py::arg("data"),
          "Reads one table (an object with __arrow_c_stream__ or __arrow_c_array__) without the GIL, every "
          "row checked by the model's rules (ValueError naming the table, row and column), and indexes its "
          "ids; the table's buffers are then let go (its trigger links copied). Each table once.")
      .def(
          "finish",
          [](ArrowImport& self) {
            py::gil_scoped_release release;
            return self.finish();
          },
          "The Journal of the tables added, after the unique ids and trigger links (ValueError naming the "
          "table, row and column). Once.");
}

}  // namespace calmkit::bindings::arrow
