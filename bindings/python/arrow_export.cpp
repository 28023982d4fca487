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
#include "released_read.hpp"

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

/// The struct array (a record batch) holding `columns`.
std::unique_ptr<Node> batch(std::int64_t length, std::vector<std::unique_ptr<Node>> columns) {
  auto n = make_node("+s", "", length);
  n->nullable = false;
  n->buffers.emplace_back();
  n->children = std::move(columns);
  return n;
}

/// A fixed-width column copied as it is (the journal's layout is Arrow's):
/// `format` is the Arrow format string of `T`; no nulls.
template <class T>
std::unique_ptr<Node> fixed_column(const char* format, std::string name, const std::vector<T>& v) {
  auto n = make_node(format, std::move(name), static_cast<std::int64_t>(v.size()));
  n->nullable = false;
  n->buffers.emplace_back();
  n->buffers.push_back(bytes_of(v));
  return n;
}

/// A column of `Out` from the journal's `v`, null where `absent(v[i])`
/// (the journal's sentinels: -1 for a rating not recorded, NaN for minutes).
template <class Out, class In, class Absent>
std::unique_ptr<Node> optional_column(const char* format, std::string name, const std::vector<In>& v,
                                      Absent absent) {
  FixedBuilder<Out> b;
  for (const In x : v) b.push(static_cast<Out>(x), !absent(x));
  return b.finish(format, std::move(name));
}

/// Booleans from the journal's 0/1 bytes (-1 = not recorded, null).
template <class In>
std::unique_ptr<Node> bool_column(std::string name, const std::vector<In>& v) {
  BoolBuilder b;
  for (const In x : v) b.push(x == 1, x >= 0);
  return b.finish(std::move(name));
}

/// A utf8 array (large_utf8 past 2 GiB of text) of `n` values `at(i)`,
/// null where `!valid(i)` (`at(i)` is then ""), gathered in two passes: the
/// sizes, then the bytes straight into buffers of their final size (no
/// regrowth, no second copy of the text).
template <class At, class Valid>
std::unique_ptr<Node> gather_text(std::string name, std::size_t n, At at, Valid valid) {
  std::uint64_t total = 0;
  std::int64_t nulls = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += at(i).size();
    nulls += valid(i) ? 0 : 1;
  }
  const bool large = total > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
  auto node = make_node(large ? "U" : "u", std::move(name), static_cast<std::int64_t>(n));
  node->null_count = nulls;
  std::vector<std::uint8_t> bits;
  if (nulls > 0) {
    bits.assign((n + 7) / 8, 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (valid(i)) bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1U << (i & 7)));
    }
  }
  node->buffers.push_back(std::move(bits));
  std::vector<std::uint8_t> data(static_cast<std::size_t>(total));
  auto fill = [&](auto width) {
    using O = decltype(width);
    std::vector<std::uint8_t> offsets((n + 1) * sizeof(O));
    std::uint64_t pos = 0;
    O o{};
    std::memcpy(offsets.data(), &o, sizeof(O));
    for (std::size_t i = 0; i < n; ++i) {
      const std::string_view v = at(i);
      if (!v.empty()) std::memcpy(data.data() + pos, v.data(), v.size());
      pos += v.size();
      o = static_cast<O>(pos);
      std::memcpy(offsets.data() + (i + 1) * sizeof(O), &o, sizeof(O));
    }
    node->buffers.push_back(std::move(offsets));
  };
  if (large) {
    fill(std::int64_t{});
  } else {
    fill(std::int32_t{});
  }
  node->buffers.push_back(std::move(data));
  return node;
}

/// A text column; "" is null unless `keep_empty` (the format's required
/// texts, situation and automatic_thought, may be "").
std::unique_ptr<Node> text_column(std::string name, const TextColumn& t, bool keep_empty = false) {
  return gather_text(
      std::move(name), t.size(), [&t](std::size_t i) { return t[i]; },
      [&t, keep_empty](std::size_t i) { return keep_empty || t.length[i] != 0; });
}

/// A trigger link as text: the id of the linked trigger row, null when none.
std::unique_ptr<Node> link_column(const std::vector<std::int32_t>& link, const TextColumn& trigger_ids) {
  return gather_text(
      "trigger", link.size(),
      [&](std::size_t i) {
        return link[i] == no_trigger ? std::string_view{} : trigger_ids[static_cast<std::size_t>(link[i])];
      },
      [&](std::size_t i) { return link[i] != no_trigger; });
}

/// The list offsets of a journal list column's (start, count) rows, calling
/// `item(k)` for each item k in row order.
template <class List, class Item>
ListOffsets list_rows(const List& l, Item item) {
  ListOffsets lists;
  std::int64_t count = 0;
  for (std::size_t i = 0; i < l.start.size(); ++i) {
    const auto first = static_cast<std::size_t>(l.start[i]);
    for (std::size_t k = first; k < first + l.count[i]; ++k) item(k);
    count += l.count[i];
    lists.close(count);
  }
  return lists;
}

/// A list<string> column from the journal's (start, count) rows: the items
/// gathered in row order into one utf8 child.
std::unique_ptr<Node> text_list_column(std::string name, const detail::TextList& l) {
  std::vector<std::uint64_t> item;  // the items' positions in `l.items`, in row order
  ListOffsets lists;
  std::uint64_t count = 0;
  for (std::size_t i = 0; i < l.start.size(); ++i) count += l.count[i];
  item.reserve(static_cast<std::size_t>(count));
  count = 0;
  for (std::size_t i = 0; i < l.start.size(); ++i) {
    for (std::uint64_t k = l.start[i]; k < l.start[i] + l.count[i]; ++k) item.push_back(k);
    count += l.count[i];
    lists.close(static_cast<std::int64_t>(count));
  }
  auto items = gather_text(
      "item", item.size(), [&](std::size_t k) { return l.items[static_cast<std::size_t>(item[k])]; },
      [](std::size_t) { return true; });
  return lists.finish(std::move(name), std::move(items));
}

/// A dictionary column of codes into `names`, the dictionary being the
/// distinct names used, sorted (exercise ids, instrument ids: a few dozen).
std::unique_ptr<Node> used_names_column(std::string name, const std::vector<std::int32_t>& codes,
                                        const std::vector<std::string>& names) {
  std::vector<char> used(names.size(), 0);
  for (const auto c : codes) used[static_cast<std::size_t>(c)] = 1;
  std::vector<std::int32_t> order;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (used[c] != 0) order.push_back(static_cast<std::int32_t>(c));
  }
  std::sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
    return names[static_cast<std::size_t>(x)] < names[static_cast<std::size_t>(y)];
  });
  std::vector<std::int32_t> rank(names.size(), 0);
  std::vector<std::string> sorted;
  for (std::size_t r = 0; r < order.size(); ++r) {
    rank[static_cast<std::size_t>(order[r])] = static_cast<std::int32_t>(r);
    sorted.push_back(names[static_cast<std::size_t>(order[r])]);
  }
  DictionaryBuilder b(std::move(sorted));
  for (const auto c : codes) b.push(rank[static_cast<std::size_t>(c)]);
  auto n = b.finish(std::move(name));
  n->nullable = false;
  return n;
}

/// The columns every table starts with (participant, id, time,
/// offset_minutes), from record type R's columns; each table adds its own
/// fields after them and ends with `batch`.
template <class R>
std::vector<std::unique_ptr<Node>> head(const detail::Tables& s) {
  std::vector<std::unique_ptr<Node>> c;
  c.push_back(participant_column(detail::participant_column<R>(s.c), s.c.participants));
  c.push_back(text_column("id", detail::id_column<R>(s)));
  c.push_back(fixed_column("tsu:UTC", "time", detail::utc_column<R>(s.c)));
  c.push_back(fixed_column("s", "offset_minutes", detail::offset_column<R>(s.c)));
  return c;
}

/// The record batch of record type R: `head<R>`'s columns, then the ones
/// `fields(c)` appends.
template <class R, class Fields>
std::unique_ptr<Node> table(const detail::Tables& s, Fields fields) {
  auto c = head<R>(s);
  fields(c);
  return batch(static_cast<std::int64_t>(detail::rows_of<R>(s)), std::move(c));
}

constexpr auto not_rated = [](auto x) { return x < 0; };

// Each table is built from the journal's columns (detail::Tables), never from
// record objects: fixed-width columns are copied as they are, texts and
// lists gathered once in row order, links read as the linked trigger's id.

std::unique_ptr<Node> trigger_batch(const detail::Tables& s) {
  return table<Trigger>(s, [&s](auto& c) {
    const auto& t = s.c.triggers;
    std::vector<std::string> ids;
    for (const auto& e : trigger_category_table) ids.emplace_back(e.id);
    DictionaryBuilder category(std::move(ids));
    for (const auto x : t.category) category.push(static_cast<std::int32_t>(x));
    c.push_back(category.finish("category"));
    c.back()->nullable = false;
    c.push_back(fixed_column("c", "intensity", t.intensity));
    c.push_back(text_column("context", s.tr.context));
    c.push_back(text_list_column("thoughts", s.tr.thoughts));
    c.push_back(text_list_column("sensations", s.tr.sensations));
    c.push_back(text_column("urge", s.tr.urge));
    c.push_back(bool_column("acted_on_urge", t.acted_on_urge));
    c.push_back(optional_column<double>("g", "acted_after_minutes", t.acted_after_minutes,
                                        [](double m) { return std::isnan(m); }));
    c.push_back(text_column("response", s.tr.response));
    c.push_back(text_list_column("tags", s.tr.tags));
  });
}

std::unique_ptr<Node> reading_batch(const detail::Tables& s) {
  return table<Reading>(s, [&s](auto& c) {
    const auto& r = s.c.readings;
    c.push_back(fixed_column("c", "intensity", r.intensity));
    c.push_back(link_column(r.trigger, s.c.trigger_ids));
    c.push_back(text_column("note", s.re.note));
  });
}

std::unique_ptr<Node> exercise_batch(const detail::Tables& s) {
  return table<ExerciseSession>(s, [&s](auto& c) {
    const auto& e = s.c.exercises;
    c.push_back(fixed_column("tsu:UTC", "end", e.end_us));
    // An empty end_offset_minutes means the start's offset for every row.
    c.push_back(fixed_column("s", "end_offset_minutes",
                             e.end_offset_minutes.empty() ? e.offset_minutes : e.end_offset_minutes));
    c.push_back(used_names_column("exercise", e.exercise, s.c.exercise_names));
    c.push_back(bool_column("completed", e.completed));
    c.back()->nullable = false;
    c.push_back(optional_column<std::int8_t>("c", "intensity_before", e.intensity_before, not_rated));
    c.push_back(optional_column<std::int8_t>("c", "intensity_after", e.intensity_after, not_rated));
    c.push_back(link_column(e.trigger, s.c.trigger_ids));
    c.push_back(text_list_column("responses", s.ex.responses));
  });
}

std::unique_ptr<Node> thought_batch(const detail::Tables& s) {
  return table<ThoughtRecord>(s, [&s](auto& c) {
    const auto& t = s.c.thoughts;
    c.push_back(text_column("situation", s.th.situation, true));
    c.push_back(text_column("automatic_thought", s.th.automatic_thought, true));
    c.push_back(
        optional_column<std::int8_t>("c", "belief_before", t.belief_before, [](auto) { return false; }));
    c.back()->nullable = false;
    {
      // list<struct<name, before, after>>: the emotions' names are a TextList
      // whose items index the per-item ratings.
      const auto& em = s.th.emotions;
      StringBuilder names;
      FixedBuilder<std::int8_t> before;
      FixedBuilder<std::int8_t> after;
      std::int64_t count = 0;
      auto lists = list_rows(em.names, [&](std::size_t k) {
        names.push(em.names.items[k]);
        before.push(static_cast<std::int8_t>(em.before[k]));
        after.push(static_cast<std::int8_t>(em.after[k]), em.after[k] != no_rating);
        ++count;
      });
      std::vector<std::unique_ptr<Node>> fields;
      fields.push_back(names.finish("name"));
      fields.push_back(before.finish("c", "before"));
      fields.push_back(after.finish("c", "after"));
      auto item = batch(count, std::move(fields));
      item->name = "item";
      item->nullable = true;
      c.push_back(lists.finish("emotions", std::move(item)));
    }
    {
      ListOffsets lists;
      StringBuilder ids;
      for (std::size_t i = 0; i < t.size(); ++i) {
        for (auto k = t.distortion_offsets[i]; k < t.distortion_offsets[i + 1]; ++k) {
          ids.push(to_id(static_cast<Distortion>(t.distortions[static_cast<std::size_t>(k)])));
        }
        lists.close(t.distortion_offsets[i + 1]);
      }
      c.push_back(lists.finish("distortions", ids.finish("item")));
    }
    c.push_back(text_list_column("evidence_for", s.th.evidence_for));
    c.push_back(text_list_column("evidence_against", s.th.evidence_against));
    c.push_back(text_list_column("alternatives", s.th.alternatives));
    c.push_back(text_column("friend_advice", s.th.friend_advice));
    c.push_back(text_column("balanced_thought", s.th.balanced_thought));
    c.push_back(optional_column<std::int8_t>("c", "belief_after", t.belief_after, not_rated));
    c.push_back(link_column(t.trigger, s.c.trigger_ids));
  });
}

std::unique_ptr<Node> assessment_batch(const detail::Tables& s) {
  return table<Assessment>(s, [&s](auto& c) {
    c.push_back(used_names_column("instrument", s.as.instrument, s.instruments));
    const auto& l = s.as.answers;
    FixedBuilder<std::int32_t> answers;
    auto lists = list_rows(l, [&](std::size_t k) { answers.push(l.items[k]); });
    c.push_back(lists.finish("answers", answers.finish("i", "item")));
    c.push_back(text_column("note", s.as.note));
  });
}

}  // namespace

py::dict journal_to_arrow(const Journal& j) {
  std::shared_ptr<const Node> batches[5];
  {
    const ReleasedRead release(j.columns());  // Journal.add on another thread waits
    const detail::Tables& s = j.storage();
    batches[0] = trigger_batch(s);
    batches[1] = reading_batch(s);
    batches[2] = exercise_batch(s);
    batches[3] = thought_batch(s);
    batches[4] = assessment_batch(s);
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
