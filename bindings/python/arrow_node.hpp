// The Arrow bridge's owned arrays: Arrow arrays built in calmkit's memory
// (`Node`: a format string, buffers, children, a dictionary), the builders
// that fill them, and their export through the Arrow C data interface
// (PyCapsules whose release callbacks free what they own). Used by
// arrow_export.cpp; nothing here knows a record type.
#pragma once

#include "arrow.hpp"
#include "arrow_c.hpp"

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
inline std::vector<std::uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<std::uint8_t> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

inline std::unique_ptr<Node> make_node(std::string format, std::string name, std::int64_t length) {
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
inline void release_exported(S* s) {
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

inline void export_array(const std::shared_ptr<const Node>& root, const Node& n, ArrowArray* out) {
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

inline void export_schema(const Node& n, ArrowSchema* out) {
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
inline void capsule_release(PyObject* capsule) {
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
}  // namespace calmkit::bindings::arrow
