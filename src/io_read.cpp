// The journal format v1 (JSON Lines): the reader (calmkit/io.hpp's
// parse_journal and read_journal; the writer is src/io_write.cpp).
//
// Over 600 lines because it is one reader: its field getters, key and id
// indexes, line parser and threaded merge share private types that no
// other file needs.
//
// Reader: the input is read in windows (ReadOptions::chunk_bytes per thread)
// into one padded buffer; a window's whole lines are cut at line starts into
// one share per thread, and each line is parsed with the On-Demand parser in
// place (the bytes after a line belong to the same padded buffer, so the
// padding that simdjson needs is always there). Strings and keys without an
// escape are read where they lie in the line. Every field is checked as it
// is read, on the share's thread, into one reused record per type, which a
// sink copies (`push(const R&)`); the record's line and its hashed
// (participant, id) key and trigger reference go with it. The shares are
// then merged in line order on the calling thread, where the checks that
// need the whole file run (duplicate ids as records arrive, trigger
// references at the end, on the readers' threads) on those keys alone:
// records, line numbers, errors and the lenient report do not depend on the
// thread count. The finished record set goes into `Journal` through the
// trusted constructor, so nothing is checked twice.
#include <calmkit/assessments.hpp>
#include <calmkit/files.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include "io_error.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>
#include <variant>

namespace calmkit {
namespace detail {
namespace {

namespace od = simdjson::ondemand;

// ---------------------------------------------------------------------------
// Reader internals

/// A problem with one line; thrown inside the line parser and turned into a
/// JournalFormatError (strict) or a SkippedLine (lenient) by the line loop.
struct LineError {
  std::string field;
  std::string reason;
  bool fatal = false;  ///< stops even a lenient read (a header newer than this build)
};

/// Names a field for messages: `thoughts`, `thoughts[2]`, `emotions[0].before`.
/// Built into a string only when something is wrong.
struct FieldRef {
  std::string_view name;
  std::ptrdiff_t index = -1;
  std::string_view sub{};

  [[nodiscard]] std::string str() const {
    std::string s(name);
    if (index >= 0) {
      s += '[';
      s += std::to_string(index);
      s += ']';
    }
    if (!sub.empty()) {
      s += '.';
      s += sub;
    }
    return s;
  }
};

[[noreturn, gnu::cold, gnu::noinline]] void fail(const FieldRef& f, std::string reason) {
  throw LineError{f.str(), std::move(reason)};
}
[[noreturn, gnu::cold, gnu::noinline]] void fail_line(std::string reason) {
  throw LineError{std::string(), std::move(reason)};
}

[[gnu::cold]] std::string json_error_reason(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR: return "the line is not valid UTF-8";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: a control character inside a string must be escaped";
    case simdjson::STRING_ERROR: return "invalid JSON: bad string (escape sequence or surrogate)";
    case simdjson::UNCLOSED_STRING: return "invalid JSON: a string is not closed";
    case simdjson::DEPTH_ERROR: return "invalid JSON: nested too deeply";
    case simdjson::INCORRECT_TYPE:  // a token that looked like true/false/null but is not
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid JSON: a misspelled literal (true, false or null)";
    default: break;
  }
  return std::string("invalid JSON: ") + simdjson::error_message(e);
}

/// Any simdjson error ends the line: the JSON itself is broken.
inline void check(simdjson::error_code e) {
  if (e != simdjson::SUCCESS) [[unlikely]]
    fail_line(json_error_reason(e));
}

[[gnu::cold]] std::string type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "a list";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "true/false";
    case od::json_type::null: return "null";
  }
  return "something else";
}

/// The JSON text of a scalar, for messages (trimmed, at most 40 bytes).
[[gnu::cold]] std::string raw_text(od::value& v) {
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) {
    raw.remove_suffix(1);
  }
  if (raw.size() > 40) return std::string(raw.substr(0, 40)) + "...";
  return std::string(raw);
}

inline od::json_type type_of(od::value& v) {
  od::json_type t{};
  check(v.type().get(t));
  return t;
}

/// A string value. Without a backslash in it, the text between the quotes in
/// the line itself (no copy: stage 1 has checked its UTF-8 and that it holds
/// no unescaped control character); with one, simdjson's unescaped copy.
std::string_view get_string(od::value& v, const FieldRef& f) {
  const auto t = type_of(v);
  if (t != od::json_type::string) [[unlikely]]
    fail(f, "must be a string, got " + type_name(t));
  // The token runs from its opening quote to the next structural character,
  // so it may end in whitespace; its last quote closes the string.
  std::string_view token = v.raw_json_token();
  const auto close = token.find_last_of('"');
  if (close != std::string_view::npos && close > 0) {
    const std::string_view inner = token.substr(1, close - 1);
    if (inner.find('\\') == std::string_view::npos) [[likely]] {
      od::raw_json_string raw;
      check(v.get_raw_json_string().get(raw));  // moves past the string
      return inner;
    }
  }
  std::string_view s;
  check(v.get_string().get(s));
  return s;
}

/// A JSON integer (not 3.5, not "3", not true) within [lo, hi].
std::int64_t get_int(od::value& v, const FieldRef& f, std::int64_t lo, std::int64_t hi) {
  const auto t = type_of(v);
  auto range = [&](std::string_view got) { return detail::integer_range_reason(lo, hi, got); };
  if (t != od::json_type::number) [[unlikely]]
    fail(f, range(type_name(t)));
  od::number_type nt{};
  check(v.get_number_type().get(nt));
  if (nt == od::number_type::floating_point_number) [[unlikely]] {
    fail(f, range(raw_text(v)));
  }
  std::int64_t x = 0;
  if (nt != od::number_type::signed_integer || v.get_int64().get(x) != simdjson::SUCCESS) [[unlikely]] {
    fail(f, range(raw_text(v)));
  }
  if (x < lo || x > hi) [[unlikely]]
    fail(f, range(std::to_string(x)));
  return x;
}

bool get_bool(od::value& v, const FieldRef& f) {
  const auto t = type_of(v);
  if (t != od::json_type::boolean) [[unlikely]]
    fail(f, "must be true or false, got " + type_name(t));
  bool b = false;
  check(v.get_bool().get(b));
  return b;
}

Intensity get_intensity(od::value& v, const FieldRef& f) {
  return *Intensity::make(get_int(v, f, Intensity::min, Intensity::max));
}
Percent get_percent(od::value& v, const FieldRef& f) {
  return *Percent::make(get_int(v, f, Percent::min, Percent::max));
}

Instant get_time(od::value& v, const FieldRef& f) {
  const auto s = get_string(v, f);
  TimeParseError err;
  auto t = Instant::try_parse(s, &err);
  if (!t) [[unlikely]]
    fail(f, rules::invalid_time(s, err));
  return *t;
}

/// A non-empty id (or trigger reference).
void get_id(od::value& v, const FieldRef& f, std::string& out) {
  const auto s = get_string(v, f);
  if (s.empty()) [[unlikely]]
    fail(f, "must not be empty (leave the field out instead)");
  out.assign(s);
}

template <class Fn>
void for_each_element(od::value& v, const FieldRef& f, const char* what, Fn&& fn) {
  const auto t = type_of(v);
  if (t != od::json_type::array) [[unlikely]]
    fail(f, std::string("must be a list of ") + what + ", got " + type_name(t));
  od::array a;
  check(v.get_array().get(a));
  std::ptrdiff_t i = 0;
  for (auto er : a) {
    od::value ev;
    check(er.get(ev));
    fn(ev, FieldRef{f.name, i});
    ++i;
  }
}

void get_string_list(od::value& v, const FieldRef& f, std::vector<std::string>& out) {
  for_each_element(v, f, "strings",
                   [&out](od::value& ev, const FieldRef& ef) { out.emplace_back(get_string(ev, ef)); });
}

/// Reads (and so validates) any JSON value whose content calmkit ignores.
/// simdjson's skip only balances brackets; this makes `[1,,2]` or `tru` in an
/// unknown field an error too.
void consume(od::value& v, const FieldRef& f, int depth) {
  if (depth > 64) fail(f, "nested too deeply (more than 64 levels)");
  switch (type_of(v)) {
    case od::json_type::object: {
      od::object o;
      check(v.get_object().get(o));
      for (auto fr : o) {
        od::field fld;
        check(std::move(fr).get(fld));
        std::string_view key;
        check(fld.unescaped_key().get(key));
        consume(fld.value(), f, depth + 1);
      }
      break;
    }
    case od::json_type::array: {
      od::array a;
      check(v.get_array().get(a));
      for (auto er : a) {
        od::value ev;
        check(er.get(ev));
        consume(ev, f, depth + 1);
      }
      break;
    }
    case od::json_type::string: {
      std::string_view s;
      check(v.get_string().get(s));
      break;
    }
    case od::json_type::number: {
      od::number n;
      check(v.get_number().get(n));
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      check(v.get_bool().get(b));
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      check(v.is_null().get(is_null));
      if (!is_null) fail_line("invalid JSON: bad literal");
      break;
    }
  }
}

// Known field names of each object kind. The index is the bit in the `seen`
// mask, and the order is the spec tables' (the writer uses it too).
constexpr std::array<std::string_view, 14> trigger_fields{
    "type",     "participant", "id",         "time", "category",      "intensity",
    "context",  "thoughts",    "sensations", "urge", "acted_on_urge", "acted_after_minutes",
    "response", "tags"};
constexpr std::array<std::string_view, 7> reading_fields{"type",      "participant", "id",  "time",
                                                         "intensity", "trigger",     "note"};
constexpr std::array<std::string_view, 11> exercise_fields{"type",      "participant",      "id",
                                                           "time",      "exercise",         "end",
                                                           "completed", "intensity_before", "intensity_after",
                                                           "trigger",   "responses"};
constexpr std::array<std::string_view, 16> thought_fields{
    "type",          "participant",      "id",
    "time",          "situation",        "automatic_thought",
    "belief_before", "emotions",         "distortions",
    "evidence_for",  "evidence_against", "alternatives",
    "friend_advice", "balanced_thought", "belief_after",
    "trigger"};
constexpr std::array<std::string_view, 7> assessment_fields{"type",       "participant", "id",  "time",
                                                            "instrument", "answers",     "note"};
constexpr std::array<std::string_view, 3> header_fields{"type", "format", "version"};
constexpr std::array<std::string_view, 3> emotion_fields{"name", "before", "after"};

template <std::size_t N>
constexpr std::uint32_t bits(const std::array<std::string_view, N>& names,
                             std::initializer_list<std::string_view> wanted) {
  std::uint32_t m = 0;
  for (auto w : wanted) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == w) m |= 1u << i;
    }
  }
  return m;
}

constexpr std::uint32_t trigger_required =
    bits(trigger_fields, {"type", "id", "time", "category", "intensity"});
constexpr std::uint32_t reading_required = bits(reading_fields, {"type", "time", "intensity"});
constexpr std::uint32_t exercise_required = bits(exercise_fields, {"type", "id", "time", "exercise", "end"});
constexpr std::uint32_t thought_required =
    bits(thought_fields, {"type", "id", "time", "situation", "automatic_thought", "belief_before"});
constexpr std::uint32_t assessment_required =
    bits(assessment_fields, {"type", "id", "time", "instrument", "answers"});
constexpr std::uint32_t header_required = bits(header_fields, {"type", "format", "version"});
constexpr std::uint32_t emotion_required = bits(emotion_fields, {"name", "before"});

template <std::size_t N>
void require(const std::array<std::string_view, N>& names, std::uint32_t seen, std::uint32_t required,
             std::string_view parent = {}, std::ptrdiff_t index = -1) {
  const std::uint32_t missing = required & ~seen;
  if (missing == 0) [[likely]]
    return;
  const auto i = static_cast<std::size_t>(std::countr_zero(missing));
  if (parent.empty()) fail(FieldRef{names[i]}, rules::required_missing());
  fail(FieldRef{parent, index, names[i]}, rules::required_missing());
}

/// The unknown keys met so far in one object, for the duplicate-key check.
/// A short list searched linearly covers the usual handful; past that the
/// keys move to a hash set, so an object with n unknown keys costs O(n), not
/// O(n^2) (a 16 MiB line can hold over a million keys).
class KeySet {
 public:
  void clear() {
    small_.clear();
    if (!large_.empty())
      large_ = {};  // free the buckets: clear() would keep them, and every next object pays for them
  }
  /// Adds `key`; false if it was already there.
  bool insert(std::string_view key) {
    if (large_.empty()) {
      if (std::find(small_.begin(), small_.end(), key) != small_.end()) return false;
      if (small_.size() < kSmall) {
        small_.push_back(key);
        return true;
      }
      large_.reserve(4 * kSmall);
      large_.insert(small_.begin(), small_.end());
      small_.clear();
    }
    return large_.insert(key).second;
  }

 private:
  static constexpr std::size_t kSmall = 16;
  std::vector<std::string_view> small_;
  std::unordered_set<std::string_view> large_;
};

/// The key of a field: the bytes between its quotes in the line when they
/// hold no backslash (no copy), else simdjson's unescaped copy. `line_end`:
/// the end of the line (the closing quote lies before it).
std::string_view field_key(od::field& fld, const char* line_end) {
  const char* b = fld.key().raw();
  const auto* q = static_cast<const char*>(std::memchr(b, '"', static_cast<std::size_t>(line_end - b)));
  if (q != nullptr && std::memchr(b, '\\', static_cast<std::size_t>(q - b)) == nullptr) [[likely]] {
    return {b, static_cast<std::size_t>(q - b)};
  }
  std::string_view key;
  check(fld.unescaped_key().get(key));
  return key;
}

/// Calls `fn(index, value)` for each known field of an object, once each;
/// rejects duplicate keys and validates (then ignores) unknown ones.
template <std::size_t N, class Fn>
std::uint32_t for_each_field(od::object& obj, const std::array<std::string_view, N>& names, KeySet& unknown,
                             const FieldRef& parent, const char* line_end, Fn&& fn) {
  static_assert(N <= 32);
  std::uint32_t seen = 0;
  unknown.clear();
  for (auto fr : obj) {
    od::field fld;
    check(std::move(fr).get(fld));
    const std::string_view key = field_key(fld, line_end);
    std::size_t i = 0;
    while (i < N && names[i] != key) ++i;
    auto where = [&](std::string_view k) {
      return parent.name.empty() ? FieldRef{k} : FieldRef{parent.name, parent.index, k};
    };
    if (i == N) {
      if (!unknown.insert(key)) fail(where(key), "duplicate key in one object");
      consume(fld.value(), where(key), 1);
      continue;
    }
    const std::uint32_t bit = 1u << i;
    if (seen & bit) [[unlikely]]
      fail(where(names[i]), "duplicate key in one object");
    seen |= bit;
    fn(i, fld.value());
  }
  return seen;
}

/// One 64-bit word of `s` from `p` (fewer bytes at the end: the rest zero).
inline std::uint64_t load_word(const char* p, std::size_t n) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, p, std::min<std::size_t>(n, 8));
  return w;
}

/// A 64-bit finaliser (the xor-shift-multiply of splitmix64 / MurmurHash3).
inline std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ull;
  x ^= x >> 27;
  x *= 0x81DADEF4BC2DD44Dull;
  x ^= x >> 33;
  return x;
}

/// The hash of a (participant, id) key: both lengths first (so ("ab", "c")
/// and ("a", "bc") differ), then the bytes a word at a time, one multiply
/// per word, and a full mix at the end. Ids and participants are a word or
/// two long, where this is several times cheaper than std::hash's byte loop;
/// equal hashes are always confirmed by comparing the bytes (KeyTable), so a
/// collision costs time, never a wrong result.
inline std::uint64_t key_hash(std::string_view participant, std::string_view id) noexcept {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = (static_cast<std::uint64_t>(participant.size()) << 32 ^ id.size()) * k;
  for (const std::string_view part : {participant, id}) {
    const char* p = part.data();
    for (std::size_t n = part.size(); n > 0; n -= std::min<std::size_t>(n, 8), p += 8) {
      h = std::rotl((h ^ load_word(p, n)) * k, 29);
    }
  }
  return mix64(h);
}

/// Appends a (participant, id) key to `bytes`: both lengths, then the bytes.
inline void put_key(std::string& bytes, std::string_view participant, std::string_view id) {
  const std::array<std::uint64_t, 2> len{participant.size(), id.size()};
  bytes.append(reinterpret_cast<const char*>(len.data()), sizeof len);
  bytes.append(participant);
  bytes.append(id);
}

/// The (participant, id) key at `at` in `bytes` (as put there by put_key).
inline std::pair<std::string_view, std::string_view> get_key(const std::string& bytes,
                                                             std::size_t at) noexcept {
  std::array<std::uint64_t, 2> len{};
  std::memcpy(len.data(), bytes.data() + at, sizeof len);
  const char* p = bytes.data() + at + sizeof len;
  const auto plen = static_cast<std::size_t>(len[0]), ilen = static_cast<std::size_t>(len[1]);
  return {std::string_view(p, plen), std::string_view(p + plen, ilen)};
}

/// The (participant, id) keys of one record type with the line each was first
/// used on: open addressing over one flat array of (hash, ordinal, position)
/// slots, the keys themselves back to back in one byte arena. A million keys
/// cost no per-key allocation, and a lookup touches one slot and one arena
/// entry. A key's ordinal is the number of keys added before it: for the
/// triggers of a strict read (every trigger has an id, none is left out) it
/// is the trigger's row in the order the records were read, which is how a
/// reference is handed to the JournalBuilder without a second lookup.
class KeyTable {
 public:
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  /// Adds the key (hash `h`) first used on `line`, unless it is there
  /// already: then returns the line it was first used on (else `none`).
  std::size_t insert(std::uint64_t h, std::string_view participant, std::string_view id, std::size_t line) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    const auto h32 = static_cast<std::uint32_t>(h);
    for (std::size_t i = h32 & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.at == 0) {
        s = Slot{h32, static_cast<std::uint32_t>(size_), arena_.size() + 1};
        const std::uint64_t l = line;
        arena_.append(reinterpret_cast<const char*>(&l), sizeof l);
        put_key(arena_, participant, id);
        ++size_;
        return none;
      }
      if (s.hash == h32 && same(s.at, participant, id)) return line_at(s.at);
    }
  }

  /// The ordinal of the key (hash `h`): how many keys were added before it;
  /// `none` when it is not there.
  [[nodiscard]] std::size_t find(std::uint64_t h, std::string_view participant, std::string_view id) const {
    if (slots_.empty()) return none;
    const std::size_t mask = slots_.size() - 1;
    const auto h32 = static_cast<std::uint32_t>(h);
    for (std::size_t i = h32 & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.at == 0) return none;
      if (s.hash == h32 && same(s.at, participant, id)) return s.ordinal;
    }
  }

 private:
  // 16 bytes. The low 32 bits of the hash place a key (tables of up to 2^32
  // slots) and screen the byte comparison; ordinals of up to 2^32 keys (a
  // journal's trigger rows are int32 anyway).
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t ordinal = 0;
    std::size_t at = 0;  ///< 1 + the entry's offset in `arena_` (line, then the key); 0 = empty
  };
  [[nodiscard]] std::size_t line_at(std::size_t at) const noexcept {
    std::uint64_t l = 0;
    std::memcpy(&l, arena_.data() + at - 1, sizeof l);
    return static_cast<std::size_t>(l);
  }
  [[nodiscard]] bool same(std::size_t at, std::string_view participant, std::string_view id) const noexcept {
    const auto [p, i] = get_key(arena_, at - 1 + sizeof(std::uint64_t));
    return p == participant && i == id;
  }
  void grow() {
    if (size_ >= std::numeric_limits<std::uint32_t>::max()) [[unlikely]]
      throw std::length_error("calmkit: more than 2^32 ids of one record type");
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : 2 * old.size(), Slot{});  // a power of two
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.at == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].at != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::string arena_;
};

/// What the checks across lines need to know of one record a share kept: its
/// line (from the share's first, 1-based) and, when it has them, its
/// (participant, id) key and its (participant, trigger) reference, hashed on
/// the share's thread, their bytes in `ShareKeys::bytes`.
struct RecordMeta {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t line = 0;
  std::size_t key = none;  ///< offset of the (participant, id) key; none: no id
  std::size_t ref = none;  ///< offset of the (participant, trigger) key; none: no trigger
  std::uint64_t key_hash = 0;
  std::uint64_t ref_hash = 0;
};

/// The RecordMeta of one record type of a share, in line order, and the key bytes.
struct ShareKeys {
  std::vector<RecordMeta> meta;
  std::string bytes;

  void clear() noexcept {
    meta.clear();
    bytes.clear();
  }
};

/// Where a lenient read's threads put the records they parse: one
/// `push(const R&)` per record type, each copying the record (the parser
/// reuses one record of each type for every line). A lenient read may have
/// to leave out a record once the whole file is known (a duplicate id, a
/// reference to a trigger that never comes), so it keeps record values; a
/// strict read never does, and fills a `JournalBuilder` instead.
struct RecordSink {
  RecordSet records;

  void push(const Trigger& r) { records.triggers.push_back(r); }
  void push(const Reading& r) { records.readings.push_back(r); }
  void push(const ExerciseSession& r) { records.exercises.push_back(r); }
  void push(const ThoughtRecord& r) { records.thought_records.push_back(r); }
  void push(const Assessment& r) { records.assessments.push_back(r); }
  void clear() noexcept {
    records.triggers.clear();
    records.readings.clear();
    records.exercises.clear();
    records.thought_records.clear();
    records.assessments.clear();
  }
};

/// The records of type R in a RecordSet.
template <class R>
std::vector<R>& records_of(RecordSet& rs) noexcept {
  if constexpr (std::is_same_v<R, Trigger>) return rs.triggers;
  if constexpr (std::is_same_v<R, Reading>) return rs.readings;
  if constexpr (std::is_same_v<R, ExerciseSession>) return rs.exercises;
  if constexpr (std::is_same_v<R, ThoughtRecord>) return rs.thought_records;
  if constexpr (std::is_same_v<R, Assessment>) return rs.assessments;
}

/// A bad line of one share, numbered from the share's first line.
struct ShareError {
  std::size_t line = 0;
  std::string field;
  std::string reason;
  bool fatal = false;
};

/// What parsing one share of the input (a run of whole lines) found.
struct ShareResult {
  bool columnar = false;           ///< records go to `builder` (strict), else to `sink` (lenient)
  JournalBuilder builder;          ///< strict: the records as columns, in line order
  RecordSink sink;                 ///< lenient: the records, by type, in line order
  std::array<ShareKeys, 5> keys;   ///< their lines and keys, by `RecordType`
  std::vector<ShareError> errors;  ///< in line order; strict: at most one, the first
  std::size_t lines = 0;           ///< lines in the share, blank ones included
  bool content = false;            ///< the share has a line that is not blank
  bool header_allowed = false;     ///< its first non-blank line was allowed to be the header
  std::optional<int> version;      ///< the header's version, when the share holds the header
  std::exception_ptr failure;      ///< anything but a bad line (out of memory, say)

  template <class R>
  [[nodiscard]] ShareKeys& keys_of() noexcept {
    return keys[static_cast<std::size_t>(record_type_of<R>)];
  }

  /// Keeps a copy of `r` (the caller reuses it for the next line).
  template <class R>
  void push(const R& r) {
    if (columnar) {
      builder.push(r);
    } else {
      sink.push(r);
    }
  }

  void clear() {
    builder = JournalBuilder(detail::linked_by_row);
    sink.clear();
    for (auto& k : keys) k.clear();
    errors.clear();
    lines = 0;
    content = false;
    header_allowed = false;
    version.reset();
    failure = nullptr;
  }
};

/// Empties a record for the next line while its strings keep their capacity;
/// every field back to the value a default-constructed record has.
void reset(Trigger& t) noexcept {
  t.participant.clear();
  t.id.clear();
  t.time = Instant{};
  t.category = Trigger{}.category;
  t.intensity = Intensity{};
  t.context.clear();
  t.thoughts.clear();
  t.sensations.clear();
  t.urge.clear();
  t.acted_on_urge.reset();
  t.acted_after_minutes.reset();
  t.response.clear();
  t.tags.clear();
}
void reset(Reading& r) noexcept {
  r.participant.clear();
  r.id.clear();
  r.time = Instant{};
  r.intensity = Intensity{};
  r.trigger.clear();
  r.note.clear();
}
void reset(ExerciseSession& e) noexcept {
  e.participant.clear();
  e.id.clear();
  e.time = Instant{};
  e.end = Instant{};
  e.exercise.clear();
  e.completed = ExerciseSession{}.completed;
  e.intensity_before.reset();
  e.intensity_after.reset();
  e.trigger.clear();
  e.responses.clear();
}
void reset(ThoughtRecord& r) noexcept {
  r.participant.clear();
  r.id.clear();
  r.time = Instant{};
  r.situation.clear();
  r.automatic_thought.clear();
  r.belief_before = Percent{};
  r.emotions.clear();
  r.distortions.clear();
  r.evidence_for.clear();
  r.evidence_against.clear();
  r.alternatives.clear();
  r.friend_advice.clear();
  r.balanced_thought.clear();
  r.belief_after.reset();
  r.trigger.clear();
}
void reset(Assessment& a) noexcept {
  a.participant.clear();
  a.id.clear();
  a.time = Instant{};
  a.instrument.clear();
  a.answers.clear();
  a.note.clear();
}

/// Parses the lines of one share into a ShareResult. Every per-line rule is
/// checked here; the rules across lines (unique ids, trigger references) are
/// the Reader's, which sees the shares in line order. One per thread: it
/// holds the simdjson parser and its buffers, reused from share to share.
class LineParser {
 public:
  /// Parses the lines of `[p, end)`; bytes up to `buffer_end` are readable.
  /// `end` is a line start (or the end of the input: an unterminated last
  /// line is a line too). `header_allowed`: the first non-blank line may be
  /// the header. `max_line_bytes` (0: no limit): a longer line is a fatal
  /// error. Strict: stops at the first bad line; lenient: at the first fatal one.
  void run(const char* p, const char* const end, const char* const buffer_end, bool header_allowed,
           bool lenient, std::size_t max_line_bytes, ShareResult& out) noexcept {
    out.clear();
    out.header_allowed = header_allowed;
    out_ = &out;
    try {
      while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char* le = nl ? nl : end;
        ++out.lines;
        if (max_line_bytes > 0 && static_cast<std::size_t>(le - p) > max_line_bytes) [[unlikely]] {
          out.errors.push_back(ShareError{out.lines, "", line_too_long(max_line_bytes), true});
          return;
        }
        const char* b = p;
        const char* e = le;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\r')) ++b;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) --e;
        p = nl ? nl + 1 : end;
        if (b == e) continue;  // blank line
        const bool first = header_allowed && !out.content;
        out.content = true;
        try {
          parse_line(b, static_cast<std::size_t>(e - b), static_cast<std::size_t>(buffer_end - b), out.lines,
                     first);
        } catch (LineError& err) {
          out.errors.push_back(ShareError{out.lines, std::move(err.field), std::move(err.reason), err.fatal});
          if (!lenient || err.fatal) return;
        }
      }
    } catch (...) {
      out.failure = std::current_exception();
    }
  }

  /// The reason given for a line longer than `max_line_bytes`.
  [[gnu::cold]] static std::string line_too_long(std::size_t max_line_bytes) {
    return "the line is longer than " + std::to_string(max_line_bytes) +
           " bytes without a line break (ReadOptions::max_line_bytes; a journal line is one record); is this "
           "a "
           "journal at all?";
  }

 private:
  void parse_line(const char* text, std::size_t len, std::size_t capacity, std::size_t line_no, bool first) {
    // Keys may be unescaped twice (see find_type), so keep the string buffer
    // at least twice the line.
    if (parser_.capacity() < 2 * len + 64) {
      check(parser_.allocate(std::max(2 * len + 64, 2 * parser_.capacity())));
    }
    end_ = text + len;
    od::document doc;
    check(parser_.iterate(text, len, capacity).get(doc));
    od::json_type root{};
    check(doc.type().get(root));
    if (root != od::json_type::object)
      fail_line("the line is not a JSON object (it is " + type_name(root) + ")");
    od::object obj;
    check(doc.get_object().get(obj));

    const std::string_view type = find_type(obj);
    bool rewound = false;
    check(obj.reset().get(rewound));
    // Each record is built first and kept only once the whole line is known
    // to be good (nothing half-read survives a bad line).
    auto at_end = [&doc] {
      // The iterator reports OUT_OF_BOUNDS once every token has been used.
      if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
        fail_line("unexpected content after the JSON object");
      }
    };
    if (type == "trigger") {
      const auto& t = parse_trigger(obj);
      at_end();
      keep(t, line_no);
    } else if (type == "reading") {
      const auto& r = parse_reading(obj);
      at_end();
      keep(r, line_no);
    } else if (type == "exercise") {
      const auto& e = parse_exercise(obj);
      at_end();
      keep(e, line_no);
    } else if (type == "thought_record") {
      const auto& r = parse_thought(obj);
      at_end();
      keep(r, line_no);
    } else if (type == "header") {
      if (!first) fail(FieldRef{"type"}, "a header is only allowed as the first line of the file");
      const int version = parse_header(obj);
      at_end();
      out_->version = version;
    } else if (type == "assessment") {
      const auto& a = parse_assessment(obj);
      at_end();
      keep(a, line_no);
    } else {
      fail(FieldRef{"type"}, "unknown record type " + quote(type) +
                                 " (expected trigger, reading, exercise, thought_record or assessment)");
    }
  }

  /// The value of `type`. Fast path: the raw key "type" (the writer puts it
  /// first). Slow path: walk the unescaped keys, for files that escape it.
  std::string_view find_type(od::object& obj) {
    od::value v;
    const auto e = obj.find_field_unordered("type").get(v);
    if (e == simdjson::SUCCESS) return get_string(v, FieldRef{"type"});
    if (e != simdjson::NO_SUCH_FIELD) check(e);
    bool rewound = false;
    check(obj.reset().get(rewound));
    for (auto fr : obj) {
      od::field fld;
      check(std::move(fr).get(fld));
      std::string_view key;
      check(fld.unescaped_key().get(key));
      if (key == "type") return get_string(fld.value(), FieldRef{"type"});
    }
    fail(FieldRef{"type"}, rules::required_missing());
  }

  /// Fields 1..3 of every record: participant, id, time. True when handled.
  /// An optional id (a reading's) may not be written empty (the format leaves
  /// it out instead); a required one is the model's rule, run by `validate`.
  static bool common(std::size_t i, od::value& v, std::string& participant, std::string& id, Instant& time,
                     bool id_required = true) {
    switch (i) {
      case 0: return true;  // type: already read
      case 1: participant.assign(get_string(v, FieldRef{"participant"})); return true;
      case 2:
        if (id_required)
          id.assign(get_string(v, FieldRef{"id"}));
        else
          get_id(v, FieldRef{"id"}, id);
        return true;
      case 3: time = get_time(v, FieldRef{"time"}); return true;
      default: return false;
    }
  }

  int parse_header(od::object& obj) {
    std::int64_t version = 1;
    const auto seen =
        for_each_field(obj, header_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (i == 1) {
            const auto f = get_string(v, FieldRef{"format"});
            if (f != "calmkit-journal")
              fail(FieldRef{"format"}, "must be \"calmkit-journal\", got " + quote(f));
          } else if (i == 2) {
            version = get_int(v, FieldRef{"version"}, 1, std::numeric_limits<int>::max());
          }
        });
    require(header_fields, seen, header_required);
    if (version > journal_format_version) {
      throw LineError{"version",
                      "journal format version " + std::to_string(version) +
                          " is newer than this calmkit reads (up to version " +
                          std::to_string(journal_format_version) + "); upgrade calmkit",
                      true};
    }
    return static_cast<int>(version);
  }

  const Trigger& parse_trigger(od::object& obj) {
    Trigger& t = trigger_;
    reset(t);
    const auto seen =
        for_each_field(obj, trigger_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, t.participant, t.id, t.time)) return;
          const FieldRef f{trigger_fields[i]};
          switch (i) {
            case 4: {
              const auto s = get_string(v, f);
              auto c = trigger_category_from_id(s);
              if (!c) fail(f, unknown_trigger_category(s));
              t.category = *c;
              break;
            }
            case 5: t.intensity = get_intensity(v, f); break;
            case 6: t.context.assign(get_string(v, f)); break;
            case 7: get_string_list(v, f, t.thoughts); break;
            case 8: get_string_list(v, f, t.sensations); break;
            case 9: t.urge.assign(get_string(v, f)); break;
            case 10: t.acted_on_urge = get_bool(v, f); break;
            case 11: {
              // A number here; its value is the model's rule (the type Minutes).
              const auto ty = type_of(v);
              if (ty != od::json_type::number) fail(f, "must be a number (of minutes), got " + type_name(ty));
              double m = 0;
              if (v.get_double().get(m) != simdjson::SUCCESS) {  // beyond a double: infinite
                m = std::numeric_limits<double>::infinity();
              }
              t.acted_after_minutes = Minutes::make(m);
              if (!t.acted_after_minutes) [[unlikely]]
                fail(f, Minutes::out_of_range_reason(m));
              break;
            }
            case 12: t.response.assign(get_string(v, f)); break;
            case 13: get_string_list(v, f, t.tags); break;
            default: break;
          }
        });
    require(trigger_fields, seen, trigger_required);
    return t;
  }

  const Reading& parse_reading(od::object& obj) {
    Reading& r = reading_;
    reset(r);
    const auto seen =
        for_each_field(obj, reading_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, r.participant, r.id, r.time, false)) return;
          const FieldRef f{reading_fields[i]};
          switch (i) {
            case 4: r.intensity = get_intensity(v, f); break;
            case 5: get_id(v, f, r.trigger); break;
            case 6: r.note.assign(get_string(v, f)); break;
            default: break;
          }
        });
    require(reading_fields, seen, reading_required);
    return r;
  }

  const ExerciseSession& parse_exercise(od::object& obj) {
    ExerciseSession& e = exercise_;
    reset(e);
    const auto seen =
        for_each_field(obj, exercise_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, e.participant, e.id, e.time)) return;
          const FieldRef f{exercise_fields[i]};
          switch (i) {
            case 4: e.exercise.assign(get_string(v, f)); break;
            case 5: e.end = get_time(v, f); break;
            case 6: e.completed = get_bool(v, f); break;
            case 7: e.intensity_before = get_intensity(v, f); break;
            case 8: e.intensity_after = get_intensity(v, f); break;
            case 9: get_id(v, f, e.trigger); break;
            case 10: get_string_list(v, f, e.responses); break;
            default: break;
          }
        });
    require(exercise_fields, seen, exercise_required);
    return e;
  }

  void parse_emotion(od::value& v, const FieldRef& f, std::vector<EmotionRating>& out) {
    const auto t = type_of(v);
    if (t != od::json_type::object) fail(f, "must be an object {name, before, after}, got " + type_name(t));
    od::object o;
    check(v.get_object().get(o));
    EmotionRating em;
    const auto seen =
        for_each_field(o, emotion_fields, unknown_nested_, f, end_, [&](std::size_t i, od::value& ev) {
          const FieldRef ef{f.name, f.index, emotion_fields[i]};
          switch (i) {
            case 0: em.name.assign(get_string(ev, ef)); break;
            case 1: em.before = get_percent(ev, ef); break;
            case 2: em.after = get_percent(ev, ef); break;
            default: break;
          }
        });
    require(emotion_fields, seen, emotion_required, f.name, f.index);
    out.push_back(std::move(em));
  }

  const ThoughtRecord& parse_thought(od::object& obj) {
    ThoughtRecord& r = thought_;
    reset(r);
    const auto seen =
        for_each_field(obj, thought_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, r.participant, r.id, r.time)) return;
          const FieldRef f{thought_fields[i]};
          switch (i) {
            case 4: r.situation.assign(get_string(v, f)); break;
            case 5: r.automatic_thought.assign(get_string(v, f)); break;
            case 6: r.belief_before = get_percent(v, f); break;
            case 7:
              for_each_element(v, f, "emotion objects",
                               [&](od::value& ev, const FieldRef& ef) { parse_emotion(ev, ef, r.emotions); });
              break;
            case 8:
              for_each_element(v, f, "distortion ids", [&](od::value& ev, const FieldRef& ef) {
                const auto s = get_string(ev, ef);
                auto d = distortion_from_id(s);
                if (!d) fail(ef, unknown_distortion(s));
                r.distortions.push_back(*d);
              });
              break;
            case 9: get_string_list(v, f, r.evidence_for); break;
            case 10: get_string_list(v, f, r.evidence_against); break;
            case 11: get_string_list(v, f, r.alternatives); break;
            case 12: r.friend_advice.assign(get_string(v, f)); break;
            case 13: r.balanced_thought.assign(get_string(v, f)); break;
            case 14: r.belief_after = get_percent(v, f); break;
            case 15: get_id(v, f, r.trigger); break;
            default: break;
          }
        });
    require(thought_fields, seen, thought_required);
    return r;
  }

  /// An assessment; its instrument and answers are checked by `keep` once the
  /// whole object is read, since `answers` may come before `instrument`.
  const Assessment& parse_assessment(od::object& obj) {
    Assessment& a = assessment_;
    reset(a);
    const auto seen =
        for_each_field(obj, assessment_fields, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, a.participant, a.id, a.time)) return;
          const FieldRef f{assessment_fields[i]};
          switch (i) {
            case 4: a.instrument.assign(get_string(v, f)); break;
            case 5:
              for_each_element(v, f, "integers", [&](od::value& ev, const FieldRef& ef) {
                a.answers.push_back(static_cast<int>(
                    get_int(ev, ef, std::numeric_limits<int>::min(), std::numeric_limits<int>::max())));
              });
              break;
            case 6: a.note.assign(get_string(v, f)); break;
            default: break;
          }
        });
    require(assessment_fields, seen, assessment_required);
    return a;
  }

  /// Keeps a record that passed every per-line check: a copy goes to the
  /// share's sink, its line and keys to the checks across lines (unique ids,
  /// trigger references), which are the Reader's.
  template <class R>
  void keep(const R& rec, std::size_t line_no) {
    // The model's rules (validate.hpp), with this line as the place.
    if (auto bad = validate(rec)) [[unlikely]]
      throw LineError{std::move(bad->field), std::move(bad->reason)};
    if constexpr (std::is_same_v<R, Assessment>) {
      if (auto bad = validate_answers(rec)) [[unlikely]]
        throw LineError{std::move(bad->field), std::move(bad->reason)};
    }
    ShareKeys& k = out_->keys_of<R>();
    RecordMeta m;
    m.line = line_no;
    if (!rec.id.empty()) {
      m.key = k.bytes.size();
      m.key_hash = key_hash(rec.participant, rec.id);
      put_key(k.bytes, rec.participant, rec.id);
    }
    if constexpr (requires { rec.trigger; }) {
      if (!rec.trigger.empty()) {
        m.ref = k.bytes.size();
        m.ref_hash = key_hash(rec.participant, rec.trigger);
        put_key(k.bytes, rec.participant, rec.trigger);
      }
    }
    out_->push(rec);
    k.meta.push_back(m);
  }

  ShareResult* out_ = nullptr;
  const char* end_ = nullptr;  ///< the end of the line being parsed
  od::parser parser_;
  KeySet unknown_, unknown_nested_;
  // One record of each type, reused line after line (strings keep their capacity).
  Trigger trigger_;
  Reading reading_;
  ExerciseSession exercise_;
  ThoughtRecord thought_;
  Assessment assessment_;
};

/// The number of threads `ReadOptions::threads` asks for (0: one per hardware thread).
std::size_t thread_count(unsigned requested) {
  constexpr unsigned most = 256;  // a sanity cap; shares smaller than a line help nobody
  unsigned n = requested == 0 ? std::thread::hardware_concurrency() : requested;
  return std::clamp(n, 1u, most);
}

/// Reads a journal window by window. Each window (whole lines) is cut at line
/// starts into one share per thread; the shares are parsed at the same time
/// and then merged in line order, where the rules across lines are checked
/// (unique ids; trigger references at the end). Records, their order, line
/// numbers, errors and the lenient report are so the same for any number of
/// threads, and the same as a read of the whole input in one piece.
class Reader {
 public:
  /// `max_line_bytes`: 0 for no limit (the in-memory text of `parse_journal`).
  Reader(std::string_view name, ReadOptions options, std::size_t max_line_bytes)
      : name_(name),
        options_(options),
        max_line_bytes_(max_line_bytes),
        threads_(thread_count(options.threads)),
        chunk_bytes_(std::max<std::size_t>(options.chunk_bytes, 1024)) {
    parsers_.resize(threads_);
    shares_.resize(threads_);
    for (auto& s : shares_) {
      s.columnar = columnar_;
      s.builder = JournalBuilder(detail::linked_by_row);
    }
  }

  /// Bytes to read per window: `chunk_bytes` per thread (at least 1 KiB each).
  [[nodiscard]] std::size_t window_bytes() const noexcept { return chunk_bytes_ * threads_; }

  /// The input's size in bytes, when known: a guess of how many records are
  /// still to come, so the record vectors grow once instead of doubling.
  void expect_bytes(std::uint64_t total) noexcept { expected_bytes_ = total; }

  /// Parses the whole lines of `[p, end)` (and, when `last`, the unterminated
  /// rest too); bytes up to `buffer_end` are readable. Returns where the
  /// unparsed rest starts. Called again with the text that follows, the line
  /// count carries on.
  const char* window(const char* p, const char* const end, const char* const buffer_end, bool last) {
    const char* stop = end;
    if (!last) {
      const void* nl = ::memrchr(p, '\n', static_cast<std::size_t>(end - p));
      stop = nl ? static_cast<const char*>(nl) + 1 : p;  // after the last line break
    }
    if (stop == p) return p;
    const auto len = static_cast<std::size_t>(stop - p);
    // Shares of at least 64 KiB (or one chunk, when chunks are smaller): a
    // thread for a few lines costs more than it saves.
    const std::size_t min_share = std::min<std::size_t>(std::size_t{64} << 10, chunk_bytes_);
    const std::size_t n = std::clamp<std::size_t>(len / min_share, 1, threads_);
    bounds_.assign(n + 1, stop);
    bounds_[0] = p;
    for (std::size_t i = 1; i < n; ++i) {
      const char* target = std::max(p + len / n * i, bounds_[i - 1]);
      const auto* nl =
          static_cast<const char*>(std::memchr(target, '\n', static_cast<std::size_t>(stop - target)));
      bounds_[i] = nl ? nl + 1 : stop;
    }
    const bool header_allowed = !seen_content_;
    parse_shares(n, buffer_end, header_allowed);
    for (std::size_t i = 0; i < n; ++i) {
      ShareResult& s = shares_[i];
      if (s.failure) std::rethrow_exception(s.failure);
      if (!seen_content_ && s.content && !s.header_allowed) {
        // Every share before this one was blank: its first line may be the header.
        parsers_[0].run(bounds_[i], bounds_[i + 1], buffer_end, true, options_.lenient, max_line_bytes_, s);
        if (s.failure) std::rethrow_exception(s.failure);
      }
      merge(s);
    }
    bytes_done_ += len;
    return stop;
  }

  /// The number of lines parsed so far.
  [[nodiscard]] std::size_t line_count() const noexcept { return line_no_; }

  /// Ends the read: cross-record checks and the result.
  ReadResult finish() {
    ReadReport report = std::move(report_);
    report.path = std::string(name_);
    report.lines = line_no_;
    resolve_references();
    release_indexes();
    std::sort(skipped_.begin(), skipped_.end(),
              [](const SkippedLine& a, const SkippedLine& b) { return a.line < b.line; });
    report.skipped = std::move(skipped_);
    if (columnar_) {
      report.records = all_.size();
      // Sorted through a key permutation, one gather per column; the links
      // resolved to trigger rows (every reference is known to be good).
      return ReadResult{std::move(all_).build(detail::trusted), std::move(report)};
    }
    report.records = rs_.size();
    return ReadResult{Journal(rs_, detail::trusted), std::move(report)};
  }

 private:
  /// Calls `fn(0)` .. `fn(n - 1)`: `fn(0)` on this thread, the others on
  /// threads of their own (or here too, when no thread can be started). The
  /// first exception, by index, is rethrown once all calls have ended.
  template <class Fn>
  static void run_parallel(std::size_t n, Fn&& fn) {
    std::vector<std::exception_ptr> failure(n);
    auto guarded = [&](std::size_t i) noexcept {
      try {
        fn(i);
      } catch (...) {
        failure[i] = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    std::size_t started = 1;
    if (n > 1) {
      try {
        pool.reserve(n - 1);
        for (; started < n; ++started) pool.emplace_back(guarded, started);
      } catch (const std::system_error&) {
        // Out of threads: the rest run here.
      } catch (const std::bad_alloc&) {
      }
    }
    guarded(0);
    for (std::size_t i = started; i < n; ++i) guarded(i);
    for (auto& t : pool) t.join();
    for (const auto& f : failure) {
      if (f) std::rethrow_exception(f);
    }
  }

  /// Parses shares 0..n-1 (between `bounds_`), share 0 on this thread.
  void parse_shares(std::size_t n, const char* buffer_end, bool header_allowed) {
    run_parallel(n, [&](std::size_t i) {
      parsers_[i].run(bounds_[i], bounds_[i + 1], buffer_end, i == 0 && header_allowed, options_.lenient,
                      max_line_bytes_, shares_[i]);
    });
  }

  /// Frees what only the checks across lines needed, before the records are
  /// sorted (the sort's own scratch memory then takes its place).
  void release_indexes() noexcept {
    ids_ = {};
    refs_ = {};
    ref_keys_ = {};
    std::vector<ShareResult>().swap(shares_);
    std::vector<LineParser>().swap(parsers_);
  }

  /// Room for `extra` more elements: once, from the share of the input read
  /// so far, rather than by doubling.
  template <class T>
  void grow(std::vector<T>& v, std::size_t extra) const {
    const std::size_t need = v.size() + extra;
    if (need <= v.capacity()) return;
    std::size_t want = need;
    if (expected_bytes_ > bytes_done_ && bytes_done_ > 0) {
      const double scale = static_cast<double>(expected_bytes_) / static_cast<double>(bytes_done_);
      want = std::max(want, static_cast<std::size_t>(static_cast<double>(need) * scale * 1.02) + 16);
    }
    want = std::max(want, v.capacity() + v.capacity() / 2);
    v.reserve(want);
  }

  /// Moves one share's records of one type into the journal, in line order,
  /// refusing an id already used by a kept record of the same participant
  /// and type (strict: the first such line is reported through
  /// `first_error`), and notes the trigger reference of each record kept for
  /// the check at the end (the trigger may come later in the file).
  template <class R, class FirstError>
  void merge_type(ShareResult& s, std::size_t base, FirstError&& first_error) {
    constexpr auto type = static_cast<std::size_t>(record_type_of<R>);
    ShareKeys& k = s.keys[type];
    std::vector<R>& src = records_of<R>(s.sink.records);
    std::vector<R>& dest = records_of<R>(rs_);
    KeyTable& ids = ids_[type];
    const std::size_t n = k.meta.size();
    std::size_t dropped = 0;
    drop_.clear();
    for (std::size_t j = 0; j < n; ++j) {
      const RecordMeta& m = k.meta[j];
      const std::size_t line = base + m.line;
      if (m.key != RecordMeta::none) {
        const auto [participant, id] = get_key(k.bytes, m.key);
        const std::size_t first = ids.insert(m.key_hash, participant, id, line);
        if (first != KeyTable::none) [[unlikely]] {
          std::string reason = rules::duplicate_id(record_type_of<R>, participant, id) +
                               " (first used on line " + std::to_string(first) + ")";
          if (!options_.lenient) {
            first_error(line, "id", std::move(reason));
            return;  // the read fails at this line or an earlier one
          }
          skip(line, "id", std::move(reason));
          drop_.push_back(j);
          ++dropped;
          continue;
        }
      }
      if (m.ref != RecordMeta::none) {
        const auto [participant, trigger] = get_key(k.bytes, m.ref);
        const std::size_t index = (columnar_ ? columnar_rows_[type] : dest.size()) + j - dropped;
        refs_.push_back(PendingRef{m.ref_hash, line, index, ref_keys_.size(), record_type_of<R>});
        put_key(ref_keys_, participant, trigger);
      }
    }
    if (columnar_) {  // the records are in the share's builder, all of them kept
      columnar_rows_[type] += n;
      return;
    }
    grow(dest, n - dropped);
    std::size_t next_drop = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (next_drop < drop_.size() && drop_[next_drop] == j) {
        ++next_drop;
        continue;
      }
      dest.push_back(std::move(src[j]));
    }
  }

  /// Adds one share, the next in line order, to the journal and the report.
  void merge(ShareResult& s) {
    const std::size_t base = line_no_;
    std::size_t worst_line = std::numeric_limits<std::size_t>::max();
    std::string worst_field, worst_reason;
    auto first_error = [&](std::size_t line, std::string field, std::string reason) {
      if (line >= worst_line) return;
      worst_line = line;
      worst_field = std::move(field);
      worst_reason = std::move(reason);
    };
    merge_type<Trigger>(s, base, first_error);
    merge_type<Reading>(s, base, first_error);
    merge_type<ExerciseSession>(s, base, first_error);
    merge_type<ThoughtRecord>(s, base, first_error);
    merge_type<Assessment>(s, base, first_error);
    for (ShareError& e : s.errors) {
      const std::size_t line = base + e.line;
      if (!options_.lenient) {
        first_error(line, std::move(e.field), std::move(e.reason));
      } else if (e.fatal) {
        throw JournalFormatError(std::string(name_), line, std::move(e.field), std::move(e.reason));
      } else {
        skip(line, std::move(e.field), std::move(e.reason));
      }
    }
    if (worst_line != std::numeric_limits<std::size_t>::max()) {
      throw JournalFormatError(std::string(name_), worst_line, std::move(worst_field),
                               std::move(worst_reason));
    }
    if (columnar_) all_.append(std::move(s.builder));
    if (s.version) report_.version = *s.version;
    seen_content_ = seen_content_ || s.content;
    line_no_ += s.lines;
  }

  void skip(std::size_t line, std::string field, std::string reason) {
    SkippedLine s;
    s.line = line;
    s.message = JournalFormatError::compose(name_, line, field, reason);
    s.field = std::move(field);
    s.reason = std::move(reason);
    skipped_.push_back(std::move(s));
  }

  /// Every `trigger` reference must name a trigger of the same participant.
  /// Strict: the lowest such line throws. Lenient: those records are dropped
  /// and reported (a reference to a skipped trigger fails here too). The
  /// lookups run in ranges on the reader's threads; the few that fail are
  /// then handled here, in order.
  void resolve_references() {
    const KeyTable& triggers = ids_[static_cast<std::size_t>(RecordType::trigger)];
    const std::size_t n = refs_.size();
    const std::size_t parts = std::clamp<std::size_t>(n / 65536, 1, threads_);
    std::vector<std::vector<std::size_t>> found(parts);
    run_parallel(parts, [&](std::size_t k) {
      for (std::size_t i = n * k / parts; i < n * (k + 1) / parts; ++i) {
        const PendingRef& r = refs_[i];
        const auto [participant, trigger] = get_key(ref_keys_, r.at);
        const std::size_t row = triggers.find(r.hash, participant, trigger);
        if (row == KeyTable::none) [[unlikely]] {
          found[k].push_back(i);
        } else if (columnar_) {
          // A strict read keeps every trigger, each with an id, in read
          // order: the key's ordinal is the trigger's row in the builder.
          // Each reference sets its own record's link (no two threads write
          // the same element).
          switch (r.type) {
            case RecordType::reading: all_.link<Reading>(r.index, row); break;
            case RecordType::exercise: all_.link<ExerciseSession>(r.index, row); break;
            default: all_.link<ThoughtRecord>(r.index, row); break;
          }
        }
      }
    });
    std::size_t worst_line = std::numeric_limits<std::size_t>::max();
    std::string worst_reason;
    std::array<std::vector<std::size_t>, 5> bad;  // by type: indices into the journal's records, ascending
    for (const auto& indices : found) {
      for (const std::size_t i : indices) {
        const PendingRef& r = refs_[i];
        const auto [participant, trigger] = get_key(ref_keys_, r.at);
        std::string reason = rules::unknown_trigger(participant, trigger);
        if (!options_.lenient) {
          if (r.line < worst_line) {
            worst_line = r.line;
            worst_reason = std::move(reason);
          }
          continue;
        }
        skip(r.line, "trigger", std::move(reason));
        bad[static_cast<std::size_t>(r.type)].push_back(r.index);
      }
    }
    if (worst_line != std::numeric_limits<std::size_t>::max()) {
      throw JournalFormatError(std::string(name_), worst_line, "trigger", std::move(worst_reason));
    }
    erase_at(rs_.readings, bad[static_cast<std::size_t>(RecordType::reading)]);
    erase_at(rs_.exercises, bad[static_cast<std::size_t>(RecordType::exercise)]);
    erase_at(rs_.thought_records, bad[static_cast<std::size_t>(RecordType::thought_record)]);
  }

  /// Removes the records at `indices` (ascending) from `records`, keeping the order of the rest.
  template <class R>
  static void erase_at(std::vector<R>& records, const std::vector<std::size_t>& indices) {
    if (indices.empty()) return;
    std::size_t out = 0, next = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (next < indices.size() && indices[next] == i) {
        ++next;
        continue;
      }
      if (out != i) records[out] = std::move(records[i]);
      ++out;
    }
    records.erase(records.begin() + static_cast<std::ptrdiff_t>(out), records.end());
  }

  /// A trigger reference of a kept record, checked once every trigger is known.
  struct PendingRef {
    std::uint64_t hash = 0;
    std::size_t line = 0;
    std::size_t index = 0;  ///< the record's position in the journal's records of its type
    std::size_t at = 0;     ///< its (participant, trigger) key in `ref_keys_`
    RecordType type = RecordType::reading;
  };

  std::string_view name_;
  ReadOptions options_;
  std::size_t max_line_bytes_ = 0;
  std::size_t threads_ = 1;      // [1, 256]
  std::size_t chunk_bytes_ = 0;  // bytes per thread and window, >= 1024
  std::vector<LineParser> parsers_;
  std::vector<ShareResult> shares_;
  std::vector<const char*> bounds_;
  std::uint64_t expected_bytes_ = 0;
  std::uint64_t bytes_done_ = 0;
  ReadReport report_;
  std::size_t line_no_ = 0;
  bool seen_content_ = false;
  bool columnar_ = !options_.lenient;  ///< strict: records as columns (all_), lenient: as values (rs_)
  JournalBuilder all_{detail::linked_by_row};   ///< strict: every share's records, in line order
  std::array<std::size_t, 5> columnar_rows_{};  ///< strict: records of each type merged into all_
  RecordSet rs_;                                ///< lenient: every record kept, by type, in line order
  std::array<KeyTable, 5> ids_;                 ///< ids used so far, by `RecordType`
  std::vector<PendingRef> refs_;                ///< every trigger reference kept, in merge order
  std::string ref_keys_;                        ///< their (participant, trigger) keys
  std::vector<std::size_t> drop_;               ///< scratch of merge_type: records of a share left out
  std::vector<SkippedLine> skipped_;
};

/// Refuses text that is no journal at all before any line is read: a
/// compressed file, an archive, a database or UTF-16/32 text would otherwise
/// fail as "invalid JSON" at line 1 with a reason about strings. `head` is
/// the start of the file (at least its first 4 bytes when it has them).
void refuse_foreign_start(std::string_view name, std::string_view head) {
  struct Magic {
    std::string_view bytes;
    const char* what;
    const char* todo;
  };
  static constexpr std::array<Magic, 11> known{{
      {std::string_view("\x1f\x8b", 2), "gzip-compressed (a .gz file)", "unpack it first (gunzip)"},
      {"BZh", "bzip2-compressed (a .bz2 file)", "unpack it first (bunzip2)"},
      {std::string_view("\xfd"
                        "7zXZ\0",
                        6),
       "xz-compressed (an .xz file)", "unpack it first (unxz)"},
      {std::string_view("(\xb5/\xfd", 4), "zstd-compressed (a .zst file)", "unpack it first (unzstd)"},
      {std::string_view("7z\xbc\xaf\x27\x1c", 6), "a 7-Zip archive", "unpack it first"},
      {std::string_view("PK\x03\x04", 4), "a zip archive", "unpack it first"},
      {std::string_view("SQLite format 3\0", 16), "an SQLite database",
       "open it with calmkit.open_store (a .db journal store), not as JSON Lines"},
      {std::string_view("\0\0\xfe\xff", 4), "UTF-32 text (big-endian, with a byte-order mark)", ""},
      {std::string_view("\xff\xfe\0\0", 4), "UTF-32 text (little-endian, with a byte-order mark)", ""},
      {std::string_view("\xfe\xff", 2), "UTF-16 text (big-endian, with a byte-order mark)", ""},
      {std::string_view("\xff\xfe", 2), "UTF-16 text (little-endian, with a byte-order mark)", ""},
  }};
  const char* what = nullptr;
  const char* todo = "";
  for (const auto& m : known) {
    if (head.starts_with(m.bytes)) {
      what = m.what;
      todo = m.todo;
      break;
    }
  }
  // UTF-16 without a byte-order mark: a record's '{"' with a zero byte beside each.
  if (what == nullptr && head.starts_with(std::string_view("{\0\"\0", 4))) {
    what = "UTF-16 text (little-endian, without a byte-order mark)";
  }
  if (what == nullptr && head.starts_with(std::string_view("\0{\0\"", 4))) {
    what = "UTF-16 text (big-endian, without a byte-order mark)";
  }
  if (what == nullptr) return;
  const std::string advice = *todo != '\0' ? todo : "save it as UTF-8, the encoding of a journal";
  throw JournalFormatError(std::string(name), 1, "",
                           std::string("the file is ") + what + ", not JSON Lines text: " + advice);
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------
// Public API

ReadResult parse_journal_with_report(std::string_view text, ReadOptions options, std::string_view name) {
  const simdjson::padded_string buffer(text.data(), text.size());
  detail::Reader reader(name, options, 0);
  const char* p = buffer.data();
  const char* const end = buffer.data() + buffer.size();
  const char* const buffer_end = end + simdjson::SIMDJSON_PADDING;
  detail::refuse_foreign_start(name, text.substr(0, 16));
  if (buffer.size() >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;  // UTF-8 byte order mark
  reader.expect_bytes(static_cast<std::uint64_t>(end - p));
  // The same windows as a file read, so memory for the parts in flight stays small.
  const std::size_t window = reader.window_bytes();
  while (p < end) {
    const char* q = end;
    if (static_cast<std::size_t>(end - p) > window) {
      const auto* nl = static_cast<const char*>(
          std::memchr(p + window - 1, '\n', static_cast<std::size_t>(end - (p + window - 1))));
      q = nl ? nl + 1 : end;
    }
    p = reader.window(p, q, buffer_end, q == end);
  }
  return reader.finish();
}

ReadResult read_journal_with_report(const std::filesystem::path& path, ReadOptions options) {
  const std::string name = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) detail::io_error("cannot open journal", path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) detail::io_error("cannot read journal", path, errno);
  if (S_ISDIR(st.st_mode)) detail::io_error("cannot read journal", path, EISDIR);
  // O_NONBLOCK only kept open() from waiting for a FIFO's writer; reads block.
  (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const auto limit = static_cast<std::uint64_t>(options.max_bytes);
  auto too_big = [&](const std::string& what) {
    detail::io_error("cannot read journal", path, EFBIG,
                     what + " more than the limit of " + std::to_string(limit) +
                         " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
  };
  if (limit > 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > limit) {
    too_big("the file holds " + std::to_string(st.st_size) + " bytes,");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (S_ISREG(st.st_mode)) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  // Streamed in windows of `chunk_bytes` per thread: memory holds the records
  // kept plus one window and the line being read, whatever the file's size
  // (a pipe or device included).
  detail::Reader reader(name, options, options.max_line_bytes);
  if (S_ISREG(st.st_mode)) reader.expect_bytes(static_cast<std::uint64_t>(st.st_size));
  const std::size_t chunk = reader.window_bytes();  // bytes per window
  std::string buf;
  std::size_t have = 0;     // bytes in buf not parsed yet (an incomplete line)
  std::uint64_t total = 0;  // bytes read so far
  bool start = true;
  for (bool last = false; !last;) {
    buf.resize(have + chunk + simdjson::SIMDJSON_PADDING);
    std::size_t got = 0;
    while (got < chunk) {
      const ssize_t n = ::read(fd, buf.data() + have + got, chunk - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        detail::io_error("cannot read journal", path, errno);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    last = got < chunk;
    total += got;
    if (limit > 0 && total > limit) {
      too_big(std::string("it is ") +
              (S_ISREG(st.st_mode) ? "a file that grew to" : "not a regular file and gave"));
    }
    have += got;
    const char* begin = buf.data();
    if (start && (have >= 16 || last)) {
      detail::refuse_foreign_start(name, std::string_view(begin, std::min<std::size_t>(have, 16)));
      if (have >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) begin += 3;  // UTF-8 byte order mark
      start = false;
    }
    const char* rest = reader.window(begin, buf.data() + have, buf.data() + buf.size(), last);
    const auto consumed = static_cast<std::size_t>(rest - buf.data());
    std::memmove(buf.data(), rest, have - consumed);
    have -= consumed;
    if (!last && options.max_line_bytes > 0 && have > options.max_line_bytes) {
      throw JournalFormatError(name, reader.line_count() + 1, "",
                               detail::LineParser::line_too_long(options.max_line_bytes));
    }
  }
  return reader.finish();
}

}  // namespace calmkit
