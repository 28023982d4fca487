// The Arrow bridge's checks: one producer's Arrow array read in place
// without trusting it. The C data interface hands buffers over without their
// sizes, so every promise of the layout (children, dictionary, buffers, a
// dictionary index inside its dictionary, offsets that neither go backwards
// nor past their data) is checked before it is followed, and each failure
// names the table, the row and the column (`fail`). Used by arrow_import.cpp.
#pragma once

#include "arrow.hpp"
#include "arrow_c.hpp"

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
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calmkit::bindings::arrow {

/// Where a value is, for error messages: "<name>/<table>: row 12: column 'end'".
struct Where {
  const std::string* name;
  const char* table;
};

[[noreturn]] inline void fail(const Where& w, std::int64_t row, std::string_view column,
                              const std::string& reason) {
  std::string place = *w.name + "/" + w.table;
  if (row >= 0) place += ": row " + std::to_string(row);
  throw RecordError(std::move(place), std::string(column), reason);
}

/// Runs the model's rules of one record (validate.hpp) with its row as the
/// place. Its text is not scanned again (`TextCheck::checked`): every text
/// field was checked as UTF-8 when it was read (`RowReader::text`, `utf8`,
/// `text_list`, the participant codes), naming the same field the model's
/// `rules::utf8_fields` names.
template <class R>
void check_record(const R& r, const Where& w, std::int64_t row) {
  if (auto v = validate(r, TextCheck::checked)) fail(w, row, v->field, v->reason);
}

/// The name pyarrow gives the Arrow type of schema `s` (`str(array.type)`:
/// `string`, `list<item: int64>`, `timestamp[us, tz=UTC]`, `decimal128(5, 0)`,
/// `dictionary<values=string, indices=int32, ordered=0>`), from its format
/// string in the Arrow C data interface
/// (https://arrow.apache.org/docs/format/CDataInterface.html, "Data type
/// description -- format strings"), for error messages: a user knows the
/// types by those names, not by the codes `u`, `+l`, `tsu:UTC`. A format
/// this does not know is given as it is.
inline std::string arrow_type_name(const ArrowSchema* s, int depth = 0) {
  if (s == nullptr || s->format == nullptr) return "?";
  const std::string_view f = s->format;
  auto child = [&](std::int64_t i) -> const ArrowSchema* {
    return s->children != nullptr && i < s->n_children ? s->children[i] : nullptr;
  };
  auto named = [&](std::int64_t i) {
    const ArrowSchema* c = child(i);
    return std::string(c != nullptr && c->name != nullptr ? c->name : "") + ": " +
           arrow_type_name(c, depth + 1);
  };
  if (depth > 8) return "...";  // deep nesting: enough to see what it is
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 32> simple{{
      {"n", "null"},
      {"b", "bool"},
      {"c", "int8"},
      {"C", "uint8"},
      {"s", "int16"},
      {"S", "uint16"},
      {"i", "int32"},
      {"I", "uint32"},
      {"l", "int64"},
      {"L", "uint64"},
      {"e", "halffloat"},
      {"f", "float"},
      {"g", "double"},
      {"z", "binary"},
      {"Z", "large_binary"},
      {"vz", "binary_view"},
      {"u", "string"},
      {"U", "large_string"},
      {"vu", "string_view"},
      {"tdD", "date32[day]"},
      {"tdm", "date64[ms]"},
      {"tts", "time32[s]"},
      {"ttm", "time32[ms]"},
      {"ttu", "time64[us]"},
      {"ttn", "time64[ns]"},
      {"tDs", "duration[s]"},
      {"tDm", "duration[ms]"},
      {"tDu", "duration[us]"},
      {"tDn", "duration[ns]"},
      {"tiM", "month_interval"},
      {"tiD", "day_time_interval"},
      {"tin", "month_day_nano_interval"},
  }};
  const auto* known = std::find_if(simple.begin(), simple.end(), [f](const auto& e) { return e.first == f; });
  if (s->dictionary != nullptr) {  // the format is the indices' type
    return "dictionary<values=" + arrow_type_name(s->dictionary, depth + 1) +
           ", indices=" + std::string(known != simple.end() ? known->second : f) +
           ", ordered=" + ((s->flags & 1) != 0 ? "1" : "0") + ">";
  }
  if (known != simple.end()) return std::string(known->second);
  if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':') {  // tsu:UTC
    std::string r = "timestamp[" + std::string(f[2] == 's'   ? "s"
                                               : f[2] == 'm' ? "ms"
                                               : f[2] == 'u' ? "us"
                                                             : "ns");
    if (f.size() > 4) r += ", tz=" + std::string(f.substr(4));
    return r + "]";
  }
  if (f.starts_with("d:")) {  // d:precision,scale[,bitwidth]
    const std::string_view rest = f.substr(2);
    const auto comma = rest.find(',');
    const auto second = comma == std::string_view::npos ? comma : rest.find(',', comma + 1);
    const std::string bits = second == std::string_view::npos ? "128" : std::string(rest.substr(second + 1));
    const std::string_view ps = rest.substr(0, second);
    const auto c = ps.find(',');
    return "decimal" + bits + "(" + std::string(ps.substr(0, c)) +
           (c == std::string_view::npos ? "" : ", " + std::string(ps.substr(c + 1))) + ")";
  }
  if (f.starts_with("w:")) return "fixed_size_binary[" + std::string(f.substr(2)) + "]";
  if (f == "+l" || f == "+L" || f == "+vl" || f == "+vL") {
    const char* kind = f == "+l"    ? "list"
                       : f == "+L"  ? "large_list"
                       : f == "+vl" ? "list_view"
                                    : "large_list_view";
    return std::string(kind) + "<" + named(0) + ">";
  }
  if (f.starts_with("+w:")) return "fixed_size_list<" + named(0) + ">[" + std::string(f.substr(3)) + "]";
  if (f == "+s") {
    std::string r = "struct<";
    for (std::int64_t i = 0; i < s->n_children; ++i) r += (i > 0 ? ", " : "") + named(i);
    return r + ">";
  }
  if (f == "+m") {  // a map's one child is a struct of key and value
    const ArrowSchema* entries = child(0);
    if (entries != nullptr && entries->n_children == 2 && entries->children != nullptr) {
      return "map<" + arrow_type_name(entries->children[0], depth + 1) + ", " +
             arrow_type_name(entries->children[1], depth + 1) + ">";
    }
    return "map";
  }
  if (f.starts_with("+ud:") || f.starts_with("+us:")) {  // +ud:0,1: the children's type codes
    std::string r = f[2] == 'd' ? "dense_union<" : "sparse_union<";
    std::string_view codes = f.substr(4);
    for (std::int64_t i = 0; i < s->n_children; ++i) {
      const auto comma = codes.find(',');
      r += (i > 0 ? ", " : "") + named(i) + "=" + std::string(codes.substr(0, comma));
      codes = comma == std::string_view::npos ? std::string_view() : codes.substr(comma + 1);
    }
    return r + ">";
  }
  if (f == "+r") return "run_end_encoded<" + named(0) + ", " + named(1) + ">";
  return std::string(f);
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
    // Only the layouts calmkit reads are checked: a column of another type
    // (a union, a fixed-size list) is refused by its type where it is needed,
    // and left alone where it is not (unions have no validity buffer).
    const std::int64_t want = kind_ == Kind::null || kind_ == Kind::other ? 0
                              : kind_ == Kind::structure                  ? 1
                                                                          : 2;
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
      const long long index = own_integer(i, &err);
      if (!err.empty() || index < 0 || index >= dict_->length()) {
        return "has a dictionary index outside its dictionary (not a valid Arrow array)";
      }
      return dict_->broken(index);
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
  /// The dictionary of a dictionary-encoded column (whose values are then
  /// indices into it, `integer`), else nullptr.
  [[nodiscard]] const Column* dictionary() const { return dict_.get(); }
  [[nodiscard]] std::string_view format() const { return dict_ ? dict_->s_->format : s_->format; }
  [[nodiscard]] std::int64_t length() const { return a_->length; }
  [[nodiscard]] const Column& child() const { return *child_; }
  [[nodiscard]] bool has_child() const { return child_ != nullptr; }
  [[nodiscard]] std::string_view time_zone() const { return dict_ ? dict_->tz_ : tz_; }
  [[nodiscard]] const ArrowSchema* schema() const { return s_; }
  [[nodiscard]] const ArrowArray* array() const { return a_; }
  [[nodiscard]] const std::string& label() const { return label_; }

  [[nodiscard]] bool is_null(std::int64_t i) const {
    if (kind_ == Kind::null) return true;
    if (a_->null_count == 0 || a_->buffers[0] == nullptr) return false;
    const std::int64_t k = a_->offset + i;
    return (static_cast<const std::uint8_t*>(a_->buffers[0])[k >> 3] & (1U << (k & 7))) == 0;
  }

  /// An integer-like value (ints, integral floats; of a dictionary-encoded
  /// column, its dictionary's value, as pandas' Categorical of numbers gives
  /// it). For a value that is no integer, `got` is set to what it is in the
  /// JSON reader's words (`8.5`, `true/false`), for the caller's integer rule
  /// (`detail::integer_range_reason` with its range).
  [[nodiscard]] long long integer(std::int64_t i, std::string* got) const {
    if (dict_) {
      const auto k = code(i, got);
      return k ? dict_->integer(*k, got) : 0;
    }
    return own_integer(i, got);
  }

  /// The dictionary index of row `i` of a dictionary-encoded column when it
  /// points at a value; else `got` says what it is and nullopt (the row
  /// reader has refused such a row already: this keeps every read in bounds).
  [[nodiscard]] std::optional<std::int64_t> code(std::int64_t i, std::string* got) const {
    std::string err;
    const long long k = own_integer(i, &err);
    if (!err.empty() || k < 0 || k >= dict_->length()) {
      *got = "a dictionary index outside its dictionary";
      return std::nullopt;
    }
    if (dict_->is_null(k)) {
      *got = "null";
      return std::nullopt;
    }
    return k;
  }

  /// The integer in the array's own buffer (of a dictionary-encoded column:
  /// the index), as `integer` describes it.
  [[nodiscard]] long long own_integer(std::int64_t i, std::string* got) const {
    std::string* err = got;
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
          *err = std::to_string(u);
          return 0;
        }
        return static_cast<long long>(u);
      }
      case Kind::real: {
        const double d = real(i);
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) {
          *err = number_text(d);
          return 0;
        }
        return static_cast<long long>(d);
      }
      case Kind::boolean:     // as the reader refuses JSON's true and false
        *err = "true/false";  // as the reader words JSON's true and false
        return 0;
      default: *err = "a value that is no number"; return 0;
    }
  }

  [[nodiscard]] double real(std::int64_t i) const {
    if (dict_) {
      std::string err;
      const auto c = code(i, &err);
      return c ? dict_->real(*c) : 0.0;
    }
    const std::int64_t k = a_->offset + i;
    if (kind_ == Kind::real) {
      return width_ == 4 ? static_cast<double>(static_cast<const float*>(a_->buffers[1])[k])
                         : static_cast<const double*>(a_->buffers[1])[k];
    }
    std::string err;
    return static_cast<double>(integer(i, &err));
  }

  [[nodiscard]] bool boolean(std::int64_t i) const {
    if (dict_) {
      std::string err;
      const auto c = code(i, &err);
      return c && dict_->boolean(*c);
    }
    const std::int64_t k = a_->offset + i;
    return (static_cast<const std::uint8_t*>(a_->buffers[1])[k >> 3] & (1U << (k & 7))) != 0;
  }

  /// A string value (through the dictionary when encoded).
  [[nodiscard]] std::string_view text(std::int64_t i) const {
    if (dict_) {
      std::string err;
      return dict_->text(own_integer(i, &err));
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
    return dict_->is_null(own_integer(i, &err));
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
    if (dict_) {
      const auto c = code(i, err);
      return c ? dict_->micros(*c, err) : 0;
    }
    const std::int64_t v = static_cast<const std::int64_t*>(a_->buffers[1])[a_->offset + i];
    if (unit_ == 1) return v;
    if (unit_ < 0) {
      if (v % 1000 != 0) *err = "has digits below the microsecond (calmkit keeps times to the microsecond)";
      return v / 1000;
    }
    if (v > std::numeric_limits<std::int64_t>::max() / unit_ ||
        v < std::numeric_limits<std::int64_t>::min() / unit_) {
      *err = std::string(detail::year_rule);
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

inline const char* describe(Want w) {
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

inline bool is_text(Column::Kind k) {
  return k == Column::Kind::string || k == Column::Kind::large_string || k == Column::Kind::string_view;
}
inline bool is_number(Column::Kind k) {
  return k == Column::Kind::sint || k == Column::Kind::uint || k == Column::Kind::real;
}

/// The columns of one record batch of one table, looked up by name.
class Batch {
 public:
  Batch(const ArrowSchema* s, const ArrowArray* a, Where w, std::int64_t first_row)
      : w_(w), first_row_(first_row), length_(a->length) {
    if (std::string_view(s->format) != "+s") {
      fail(w, -1, "*",
           "expected a table (a struct array / record batch), got Arrow type " + arrow_type_name(s));
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
      if (const auto [it, fresh] = cols_.emplace(name, std::move(col)); !fresh) {
        twice_.try_emplace(name, first_index_[name], c);
      }
      first_index_.try_emplace(name, c);
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
    if (const auto t = twice_.find(name); t != twice_.end()) {
      // Which of two columns of one name a producer meant is not for calmkit to guess.
      fail(w_, -1, name,
           "appears more than once in the table (columns " + std::to_string(t->second.first) + " and " +
               std::to_string(t->second.second) + ", from 0); drop or rename all but one");
    }
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
      fail(w_, -1, name, "is Arrow type '" + arrow_type_name(c.schema()) + "', expected " + describe(want));
    }
    return &c;
  }

 private:
  Where w_;
  std::int64_t first_row_;
  std::int64_t length_;
  std::int64_t offset_ = 0;
  std::map<std::string, std::unique_ptr<Column>, std::less<>> cols_;
  std::map<std::string, std::int64_t, std::less<>> first_index_;  ///< name -> its first column
  /// A name given to two or more columns -> its first two columns (refused when read).
  std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> twice_;
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
    return utf8(c->label(), c->text(i_));
  }
  [[nodiscard]] std::string_view required_text(const Column* c, const char* name) const {
    if (null(c)) fail_at(name, rules::required_missing());
    return utf8(name, c->text(i_));  // "" goes on to the model's rule for the field
  }
  /// `t`, when it is UTF-8 (an Arrow producer can hand over any bytes).
  [[nodiscard]] std::string_view utf8(std::string_view column, std::string_view t) const {
    if (auto v = rules::utf8_text(column, t)) fail_at(column, v->reason);
    return t;
  }
  /// The integer of column `c` (None when null); a value that is no integer
  /// is refused with `reason(got)`, the caller's rule.
  template <class Reason>
  [[nodiscard]] std::optional<long long> integer(const Column* c, const char* name, Reason&& reason) const {
    if (null(c)) return std::nullopt;
    std::string got;
    const long long v = c->integer(i_, &got);
    if (!got.empty()) fail_at(name, reason(got));
    return v;
  }
  template <class B>
  [[nodiscard]] std::optional<B> bounded(const Column* c, const char* name) const {
    const auto v = integer(
        c, name, [](std::string_view got) { return detail::integer_range_reason(B::min, B::max, got); });
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
    const auto minutes = integer(off, off_name, [](std::string_view got) {
                           return detail::offset_out_of_range(got);
                         }).value_or(0);
    const auto o = UtcOffset::make(static_cast<int>(std::clamp<long long>(minutes, -100000, 100000)));
    if (!o) fail_at(off_name, detail::offset_out_of_range(minutes));
    if (!detail::in_year_range(us, o->minutes())) fail_at(name, detail::year_out_of_range_at_offset());
    return Instant::from_utc_us(us, *o);
  }

  /// A list<string> into `out` (replaced; its strings keep their capacity);
  /// null is an empty list, a null item is an error, and so is an item that
  /// is not UTF-8 (named `name[k]`, as `rules::utf8_fields` names it) unless
  /// `utf8` is false (a list of ids the caller looks up in a vocabulary).
  void text_list(const Column* c, const char* name, std::vector<std::string>& out, bool utf8 = true) const {
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
        fail_at(std::string(name) + "[" + std::to_string(k - lo) + "]", rules::not_a_string("null"));
      }
      const std::string_view t = items.text(k);
      if (utf8 && detail::first_invalid_utf8(t) != std::string_view::npos) [[unlikely]] {
        (void)this->utf8(std::string(name) + "[" + std::to_string(k - lo) + "]", t);
      }
      out[static_cast<std::size_t>(k - lo)].assign(t);
    }
  }

  [[nodiscard]] std::int64_t index() const { return i_; }

 private:
  const Batch& b_;
  std::int64_t i_;
  std::int64_t row_;
};

}  // namespace calmkit::bindings::arrow
