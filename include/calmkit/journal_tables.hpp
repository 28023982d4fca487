/// @file journal_tables.hpp
/// @brief The column tables behind `Journal` (namespace `calmkit::detail`):
/// per record type a struct of arrays, text and list columns in arenas, the
/// generic row operations (rotate, gather, append) and the record sort.
/// Included by journal.hpp; not an API of its own.
#pragma once

#include <calmkit/columns.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/model.hpp>
#include <calmkit/validate.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#if __has_include(<ranges>)
#include <ranges>
#endif
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace calmkit {

namespace detail {
/// Tag for the trusted constructor used by readers that have already checked
/// every rule (and reported problems with line numbers).
struct trusted_t {
  explicit trusted_t() = default;
};
inline constexpr trusted_t trusted{};

/// Tag of a `JournalBuilder` whose trigger links are given as trigger rows
/// (`JournalBuilder::link`) instead of being looked up by id at `build`: for
/// a reader that has already found each reference's trigger.
struct linked_by_row_t {
  explicit linked_by_row_t() = default;
};
inline constexpr linked_by_row_t linked_by_row{};

/// Whether `a` and `b` hold the same bytes: `a == b` for the short names and
/// ids the hash tables compare (a word or two long), with two overlapping
/// loads per side instead of a call to memcmp.
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8) {
    if (n > 16) return std::memcmp(p, q, n) == 0;
    std::uint64_t x0, x1, y0, y1;
    std::memcpy(&x0, p, 8);
    std::memcpy(&y0, q, 8);
    std::memcpy(&x1, p + n - 8, 8);
    std::memcpy(&y1, q + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  if (n >= 4) {
    std::uint32_t x0, x1, y0, y1;
    std::memcpy(&x0, p, 4);
    std::memcpy(&y0, q, 4);
    std::memcpy(&x1, p + n - 4, 4);
    std::memcpy(&y1, q + n - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

/// Open addressing over (hash, value) slots whose keys live elsewhere (a
/// dictionary's names, a column's rows): `eq(value)` says whether the key
/// stored under `value` is the one looked for. 8 bytes a slot, no allocation
/// per key; at most half full, so a lookup touches one or two slots.
/// Hashes come from `hash`, keyed by the index's copy of the process's
/// `hash_key` (the copy travels with the index, so one built in a shared
/// library and searched from another agrees with itself).
class FlatIndex {
 public:
  static constexpr std::int32_t none = -1;

  /// `hash_bytes(s, seed)` under this index's key: the hash to store `s` under or look it up by.
  [[nodiscard]] std::uint64_t hash(std::string_view s, std::uint64_t seed = 0) const noexcept {
    return hash_bytes(s, seed, key_);
  }

  /// The key `hash` hashes under.
  [[nodiscard]] const HashKey& key() const noexcept { return key_; }
  /// Room for `n` keys without a rehash.
  void reserve(std::size_t n) {
    if (2 * n > slots_.size()) rehash(std::bit_ceil(std::max<std::size_t>(2 * n, 16)));
  }
  /// The value stored with the key of hash `h` (`eq` confirms it), else `none`.
  template <class Eq>
  [[nodiscard]] std::int32_t find(std::uint64_t h, Eq&& eq) const {
    if (slots_.empty()) return none;
    const std::size_t mask = slots_.size() - 1;
    const auto h32 = static_cast<std::uint32_t>(h);
    for (std::size_t i = h32 & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value == none) return none;
      if (s.hash == h32 && eq(s.value)) return s.value;
    }
  }
  /// Asks the processor for the slot where the key of hash `h` starts its
  /// probe (a hint, for a caller that knows the next keys: nothing changes).
  void prefetch(std::uint64_t h) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::uint32_t>(h) & (slots_.size() - 1)]);
  }
  /// The value at the slot where the key of hash `h` starts its probe (the
  /// likely answer of `find`, unconfirmed; `none` when that slot is empty):
  /// what a caller may prefetch the key of.
  [[nodiscard]] std::int32_t first_candidate(std::uint64_t h) const noexcept {
    return slots_.empty() ? none : slots_[static_cast<std::uint32_t>(h) & (slots_.size() - 1)].value;
  }
  /// Removes every key, keeping the slots: a dictionary refilled share after
  /// share with about as many names does not regrow and rehash each time.
  void clear() noexcept {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    size_ = 0;
  }
  /// Adds `value` (>= 0) under a key not there yet.
  void insert_new(std::uint64_t h, std::int32_t value) {
    if (2 * (size_ + 1) > slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
    place(Slot{static_cast<std::uint32_t>(h), value});
    ++size_;
  }

 private:
  struct Slot {
    std::uint32_t hash = 0;  ///< the low 32 bits: they place the key and screen `eq`
    std::int32_t value = none;
  };
  void place(Slot s) noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = s.hash & mask;
    while (slots_[i].value != none) i = (i + 1) & mask;
    slots_[i] = s;
  }
  void rehash(std::size_t n) {  // n: a power of two
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{});
    for (const Slot& s : old) {
      if (s.value != none) place(s);
    }
  }
  HashKey key_ = hash_key();
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

template <class R>
bool record_less(const R& a, const R& b) {
  return std::tie(a.participant, a.time, a.id) < std::tie(b.participant, b.time, b.id);
}

/// Orders `v` by (participant, time, id) as `std::stable_sort` with
/// `record_less` would (ties keep their input order), without moving records
/// around while sorting: records are large and a merge sort moves each about
/// log2(n) times. Participants are ranked once, then small keys (rank, UTC
/// microseconds, offset, input position) are sorted (ids are compared only
/// where rank and time tie), and each record is moved once, in place, along
/// the cycles of the permutation.
template <class R>
void sort_records(std::vector<R>& v) {
  if (std::is_sorted(v.begin(), v.end(), record_less<R>)) return;
  const std::size_t n = v.size();
  // Participant -> rank in sorted order.
  std::unordered_map<std::string_view, std::uint32_t, KeyedHash> code;
  std::vector<std::string_view> names;
  std::vector<std::uint32_t> of(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [it, fresh] = code.try_emplace(v[i].participant, static_cast<std::uint32_t>(names.size()));
    if (fresh) names.emplace_back(v[i].participant);
    of[i] = it->second;
  }
  std::vector<std::uint32_t> by_name(names.size());
  for (std::uint32_t c = 0; c < by_name.size(); ++c) by_name[c] = c;
  std::sort(by_name.begin(), by_name.end(),
            [&names](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
  std::vector<std::uint32_t> rank(names.size());
  for (std::uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;

  struct Key {
    std::int64_t time_us;
    std::uint32_t rank;
    std::int32_t offset_minutes;
    std::size_t index;
  };
  std::vector<Key> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = Key{v[i].time.utc_us(), rank[of[i]], v[i].time.offset().minutes(), i};
  }
  of = {};
  std::sort(keys.begin(), keys.end(), [&v](const Key& a, const Key& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.time_us != b.time_us) return a.time_us < b.time_us;
    if (a.offset_minutes != b.offset_minutes) return a.offset_minutes < b.offset_minutes;
    if (const int c = v[a.index].id.compare(v[b.index].id); c != 0) return c < 0;
    return a.index < b.index;  // equal keys keep their input order
  });
  // from[j]: the input position of the record that belongs at j.
  std::vector<std::size_t> from(n);
  for (std::size_t j = 0; j < n; ++j) from[j] = keys[j].index;
  keys = {};
  for (std::size_t i = 0; i < n; ++i) {
    if (from[i] == i) continue;
    R held = std::move(v[i]);
    std::size_t j = i;
    while (from[j] != i) {
      const std::size_t k = from[j];
      v[j] = std::move(v[k]);
      from[j] = j;
      j = k;
    }
    v[j] = std::move(held);
    from[j] = j;
  }
}

/// A stamp naming one state of a journal's contents: every change takes a new
/// value from one process-wide counter, so two journals share a stamp only if
/// one is a copy of the other with nothing changed since. A copy keeps the
/// stamp; the source of a move gets a new one (it is emptied).
class Revision {
 public:
  Revision() noexcept : v_(next()) {}
  Revision(const Revision&) noexcept = default;
  Revision& operator=(const Revision&) noexcept = default;
  Revision(Revision&& o) noexcept : v_(o.v_) { o.v_ = next(); }
  Revision& operator=(Revision&& o) noexcept {
    if (this != &o) {
      v_ = o.v_;
      o.v_ = next();
    }
    return *this;
  }
  ~Revision() = default;

  /// Marks a change: a stamp no state had before.
  void bump() noexcept { v_ = next(); }
  /// The current stamp, >= 1.
  [[nodiscard]] std::uint64_t value() const noexcept { return v_; }

 private:
  static std::uint64_t next() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  std::uint64_t v_;
};

/// Key for uniqueness: the participant's length (8 bytes), the participant,
/// then the id. The length makes the key one-to-one: any byte may be in a
/// participant or an id (JSON lets U+001F or U+0000 in), so a separator
/// would let (`a` U+001F `b`, `c`) and (`a`, `b` U+001F `c`) share a key.
inline std::string scoped_key(std::string_view participant, std::string_view id) {
  const auto n = static_cast<std::uint64_t>(participant.size());
  std::string k;
  k.reserve(sizeof n + participant.size() + id.size());
  k.resize(sizeof n);
  std::memcpy(k.data(), &n, sizeof n);
  k += participant;
  k += id;
  return k;
}
}  // namespace detail

namespace detail {

/// A list of texts per row: row i holds `items[start[i] .. start[i] + count[i])`.
/// Items only grow, so an inserted row moves no text.
struct TextList {
  TextColumn items;                  ///< every item, in the order added
  std::vector<std::uint64_t> start;  ///< row → first item
  std::vector<std::uint32_t> count;  ///< row → number of items

  /// Appends a row: `v` is a vector of texts (strings, or views of them).
  template <class Texts>
  void push_back(const Texts& v) {
    start.push_back(items.size());
    count.push_back(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) items.push_back(x);
  }
  void load(std::size_t row, std::vector<std::string>& out) const {
    out.resize(count[row]);
    const auto first = static_cast<std::size_t>(start[row]);
    for (std::size_t k = 0; k < out.size(); ++k) out[k].assign(items[first + k]);
  }
};

/// A list of numbers per row, laid out as `TextList`.
template <class T>
struct ListColumn {
  std::vector<T> items;              ///< every item, in the order added
  std::vector<std::uint64_t> start;  ///< row → first item
  std::vector<std::uint32_t> count;  ///< row → number of items

  template <class U>
  void push_back(const std::vector<U>& v) {
    start.push_back(items.size());
    count.push_back(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) items.push_back(static_cast<T>(x));
  }
  template <class U>
  void load(std::size_t row, std::vector<U>& out) const {
    out.resize(count[row]);
    const auto first = static_cast<std::size_t>(start[row]);
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<U>(items[first + k]);
  }
};

/// The emotions of thought records: names as a `TextList`, ratings per item.
struct EmotionList {
  TextList names;                    ///< emotion names, per row
  std::vector<std::int16_t> before;  ///< per item, 0–100 %
  std::vector<std::int16_t> after;   ///< per item, 0–100 %, `no_rating` when not re-rated
};

// Operations on one column of any kind, used through the per-type visitors:
// `rotate_in` moves the last row to `row`, `gather` reorders rows, `append`
// concatenates. Rows of texts and lists are (offset, length) pairs: only
// those move, never the bytes or items they point at.
template <class T>
void rotate_in(std::vector<T>& v, std::size_t row) {
  std::rotate(v.begin() + static_cast<std::ptrdiff_t>(row), v.end() - 1, v.end());
}
inline void rotate_in(TextColumn& c, std::size_t row) {
  rotate_in(c.offset, row);
  rotate_in(c.length, row);
}
inline void rotate_in(TextList& c, std::size_t row) {
  rotate_in(c.start, row);
  rotate_in(c.count, row);
}
template <class T>
void rotate_in(ListColumn<T>& c, std::size_t row) {
  rotate_in(c.start, row);
  rotate_in(c.count, row);
}
inline void rotate_in(EmotionList& c, std::size_t row) {
  rotate_in(c.names, row);
}

/// Scratch memory for `gather`, reused by every column it reorders: each
/// column is gathered into the scratch and copied back into its own memory,
/// so a sort that reorders many columns touches fresh memory once (the
/// scratch), not once per column (a page fault per 4 KiB each time). It may
/// also start from memory a caller has written already and needs no more
/// (`GatherScratch(std::vector<T>&&)`): the kernel has mapped those pages
/// once, and they serve again instead of being unmapped while fresh ones
/// fault in.
class GatherScratch {
 public:
  GatherScratch() = default;
  /// Holds `v`'s memory as scratch: its elements' bytes (`v.size()` of them,
  /// the part written) are then overwritten as the scratch is used.
  template <class T>
  requires(std::is_trivially_copyable_v<T>&& std::is_trivially_destructible_v<T>) explicit GatherScratch(
      std::vector<T>&& v) {
    auto held = std::make_shared<std::vector<T>>(std::move(v));
    data_ = reinterpret_cast<unsigned char*>(held->data());
    size_ = held->size() * sizeof(T);
    owner_ = std::move(held);
  }

  /// At least `n` bytes (aligned for any scalar), valid until the next call
  /// asks for more; their contents are unspecified.
  unsigned char* bytes(std::size_t n) {
    if (n > size_) {
      owner_.reset();
      data_ = nullptr;
      size_ = 0;
      // Left uninitialised, as make_unique_for_overwrite would (which the
      // libc++ of the WebAssembly toolchain lacks).
      std::shared_ptr<unsigned char[]> fresh(new unsigned char[n]);
      data_ = fresh.get();
      size_ = n;
      owner_ = std::move(fresh);
    }
    return data_;
  }

  /// Bytes there are without allocating.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  /// Moves the first `n` bytes (at most `size()`) to a scratch of their own
  /// (the memory stays alive while either uses it); this one keeps the rest,
  /// from the next multiple of 64 bytes on.
  GatherScratch take_front(std::size_t n) {
    n = std::min(n, size_);
    GatherScratch front;
    front.owner_ = owner_;
    front.data_ = data_;
    front.size_ = n;
    const std::size_t skip = std::min(size_, (n + 63) / 64 * 64);
    data_ += skip;
    size_ -= skip;
    return front;
  }

 private:
  std::shared_ptr<void> owner_;  ///< whatever holds the memory
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Reorders `v`: new element i is old element `perm[i]` (`perm` indexes `v`;
/// it may be shorter, to keep a subset). The elements pass through `scratch`.
template <class T>
void gather(std::vector<T>& v, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::size_t n = perm.size();
  unsigned char* out = scratch.bytes(n * sizeof(T));
  const T* in = v.data();
  for (std::size_t i = 0; i < n; ++i) std::memcpy(out + i * sizeof(T), in + perm[i], sizeof(T));
  v.resize(n);
  if (n > 0) std::memcpy(v.data(), out, n * sizeof(T));
}
/// `gather` of a column of trigger links that also renumbers them, in the
/// same pass: each link l becomes `row_of[l + 1]`, where `row_of[0]` is
/// `no_trigger` (so `no_trigger`, -1, stays, and no branch on the link
/// mispredicts in the middle of the gather's random loads).
inline void gather_links(std::vector<std::int32_t>& v, const std::vector<std::uint32_t>& perm,
                         const std::vector<std::int32_t>& row_of, GatherScratch& scratch) {
  const std::size_t n = perm.size();
  auto* out = reinterpret_cast<std::int32_t*>(scratch.bytes(n * sizeof(std::int32_t)));
  static_assert(no_trigger == -1);
  for (std::size_t i = 0; i < n; ++i) out[i] = row_of[static_cast<std::size_t>(v[perm[i]]) + 1];
  v.resize(n);
  if (n > 0) std::memcpy(v.data(), out, n * sizeof(std::int32_t));
}
/// `gather` of the columns of a text or list column that holds no text or
/// item at all (a field no row has, as a reading's note often is): every
/// row is empty and starts at 0 (a row's start and size stay within the
/// text or items), so the columns read the same in any order of the rows
/// and only their length changes. True when it applied.
template <class Starts, class Sizes>
bool gather_empty(std::size_t items, Starts& start, Sizes& size, const std::vector<std::uint32_t>& perm) {
  if (items != 0) return false;
  start.resize(perm.size());
  size.resize(perm.size());
  return true;
}
inline void gather(TextColumn& c, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  if (gather_empty(c.arena.size(), c.offset, c.length, perm)) return;
  gather(c.offset, perm, scratch);
  gather(c.length, perm, scratch);
}
inline void gather(TextList& c, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  if (gather_empty(c.items.size(), c.start, c.count, perm)) return;
  gather(c.start, perm, scratch);
  gather(c.count, perm, scratch);
}
template <class T>
void gather(ListColumn<T>& c, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  if (gather_empty(c.items.size(), c.start, c.count, perm)) return;
  gather(c.start, perm, scratch);
  gather(c.count, perm, scratch);
}
inline void gather(EmotionList& c, const std::vector<std::uint32_t>& perm, GatherScratch& scratch) {
  gather(c.names, perm, scratch);
}

template <class T>
void append(std::vector<T>& a, std::vector<T>& b) {
  if (a.empty() && a.capacity() < b.size()) {  // b's memory as it is (a's room is kept when it suffices)
    a = std::move(b);
  } else {
    a.insert(a.end(), b.begin(), b.end());
  }
}
/// Appends `b`'s positions to `a`, each plus `shift`: one pass that reads
/// `b` and writes `a` (not a pass that shifts `b` in place and a copy).
inline void append_shifted(std::vector<std::uint64_t>& a, std::vector<std::uint64_t>& b,
                           std::uint64_t shift) {
  if (shift == 0) {
    append(a, b);
    return;
  }
  // An iterator over `b` plus `shift`: `insert` then writes each element
  // once (a resize would first write zeros over the room).
  struct Shifted {
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::uint64_t;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::uint64_t*;
    using reference = std::uint64_t;
    const std::uint64_t* at;
    std::uint64_t shift;
    std::uint64_t operator*() const noexcept { return *at + shift; }
    Shifted& operator++() noexcept {
      ++at;
      return *this;
    }
    Shifted operator++(int) noexcept { return {at++, shift}; }
    Shifted& operator--() noexcept {
      --at;
      return *this;
    }
    Shifted& operator+=(difference_type n) noexcept {
      at += n;
      return *this;
    }
    difference_type operator-(const Shifted& o) const noexcept { return at - o.at; }
    bool operator==(const Shifted& o) const noexcept { return at == o.at; }
  };
  const std::uint64_t* in = b.data();
  a.insert(a.end(), Shifted{in, shift}, Shifted{in + b.size(), shift});
}
inline void append(TextColumn& a, TextColumn& b) {
  // Nothing to shift: the other's bytes move as they are (unless a's room suffices).
  if (a.empty() && a.arena.capacity() < b.arena.size()) {
    a = std::move(b);
    return;
  }
  append_shifted(a.offset, b.offset, a.arena.size());
  append(a.length, b.length);
  a.arena += b.arena;
}
inline void append(TextList& a, TextList& b) {
  append_shifted(a.start, b.start, a.items.size());
  append(a.count, b.count);
  append(a.items, b.items);
}
template <class T>
void append(ListColumn<T>& a, ListColumn<T>& b) {
  append_shifted(a.start, b.start, a.items.size());
  append(a.count, b.count);
  append(a.items, b.items);
}
inline void append(EmotionList& a, EmotionList& b) {
  append(a.names, b.names);
  append(a.before, b.before);
  append(a.after, b.after);
}

// `clear_rows`: no rows left, the capacity kept.
template <class T>
void clear_rows(std::vector<T>& v) noexcept {
  v.clear();
}
inline void clear_rows(TextColumn& c) noexcept {
  c.arena.clear();
  c.offset.clear();
  c.length.clear();
}
inline void clear_rows(TextList& c) noexcept {
  clear_rows(c.items);
  c.start.clear();
  c.count.clear();
}
template <class T>
void clear_rows(ListColumn<T>& c) noexcept {
  c.items.clear();
  c.start.clear();
  c.count.clear();
}
inline void clear_rows(EmotionList& c) noexcept {
  clear_rows(c.names);
  c.before.clear();
  c.after.clear();
}

// Growing columns.
/// Moves `v` to a buffer of `capacity` elements when it has less.
template <class T>
void grow(std::vector<T>& v, std::size_t capacity) {
  if (capacity <= v.capacity()) return;
  std::vector<T> t;
  t.reserve(capacity);
  t.insert(t.end(), v.begin(), v.end());
  v.swap(t);
}
inline void grow(std::string& v, std::size_t capacity) {
  if (capacity <= v.capacity()) return;
  std::string t;
  t.reserve(capacity);
  t.append(v);
  v.swap(t);
}

// `reserve_scaled`: capacity for `factor` times the rows, items and text
// bytes there are now (never less than the capacity there is).
template <class V>
requires requires(V v) {
  v.data();
}
void reserve_scaled(V& v, double factor) {
  grow(v, static_cast<std::size_t>(static_cast<double>(v.size()) * factor));
}
inline void reserve_scaled(TextColumn& c, double factor) {
  reserve_scaled(c.arena, factor);
  reserve_scaled(c.offset, factor);
  reserve_scaled(c.length, factor);
}
inline void reserve_scaled(TextList& c, double factor) {
  reserve_scaled(c.items, factor);
  reserve_scaled(c.start, factor);
  reserve_scaled(c.count, factor);
}
template <class T>
void reserve_scaled(ListColumn<T>& c, double factor) {
  reserve_scaled(c.items, factor);
  reserve_scaled(c.start, factor);
  reserve_scaled(c.count, factor);
}
inline void reserve_scaled(EmotionList& c, double factor) {
  reserve_scaled(c.names, factor);
  reserve_scaled(c.before, factor);
  reserve_scaled(c.after, factor);
}

// `reserve_for_append`: room in `a` for the rows, items and text bytes of
// `b`; a column with too little grows to at least `growth` times its
// capacity (as the appends alone would, but before them), and to at least
// its size plus `scale` times `b`'s (a caller that expects about `scale`
// more parts like `b`).
template <class V>
requires requires(V v) {
  v.data();
}
void reserve_for_append(V& a, const V& b, double growth, double scale = 0) {
  const std::size_t need = a.size() + b.size();
  if (need > a.capacity()) {
    const auto scaled =
        static_cast<std::size_t>(static_cast<double>(a.size()) + static_cast<double>(b.size()) * scale);
    grow(a, std::max({need, static_cast<std::size_t>(static_cast<double>(a.capacity()) * growth), scaled}));
  }
}
inline void reserve_for_append(TextColumn& a, const TextColumn& b, double growth, double scale = 0) {
  reserve_for_append(a.arena, b.arena, growth, scale);
  reserve_for_append(a.offset, b.offset, growth, scale);
  reserve_for_append(a.length, b.length, growth, scale);
}
inline void reserve_for_append(TextList& a, const TextList& b, double growth, double scale = 0) {
  reserve_for_append(a.items, b.items, growth, scale);
  reserve_for_append(a.start, b.start, growth, scale);
  reserve_for_append(a.count, b.count, growth, scale);
}
template <class T>
void reserve_for_append(ListColumn<T>& a, const ListColumn<T>& b, double growth, double scale = 0) {
  reserve_for_append(a.items, b.items, growth, scale);
  reserve_for_append(a.start, b.start, growth, scale);
  reserve_for_append(a.count, b.count, growth, scale);
}
inline void reserve_for_append(EmotionList& a, const EmotionList& b, double growth, double scale = 0) {
  reserve_for_append(a.names, b.names, growth, scale);
  reserve_for_append(a.before, b.before, growth, scale);
  reserve_for_append(a.after, b.after, growth, scale);
}

/// The trigger fields no metric reads (id is `Cohort::trigger_ids`).
struct TriggerText {
  TextColumn context, urge, response;
  TextList thoughts, sensations, tags;
};
/// The reading fields no metric reads.
struct ReadingText {
  TextColumn id, note;
};
/// The exercise fields no metric reads.
struct ExerciseText {
  TextColumn id;
  TextList responses;
};
/// The thought record fields no metric reads.
struct ThoughtText {
  TextColumn id, situation, automatic_thought, friend_advice, balanced_thought;
  EmotionList emotions;
  TextList evidence_for, evidence_against, alternatives;
};
/// The assessment fields no metric reads.
struct AssessmentText {
  TextColumn id, note;
  std::vector<std::int32_t> instrument;  ///< code into `Tables::instruments`
  ListColumn<std::int32_t> answers;
};

/// Everything a journal stores: the metric columns and the rest.
struct Tables {
  Cohort c;
  TriggerText tr;
  ReadingText re;
  ExerciseText ex;
  ThoughtText th;
  AssessmentText as;
  std::vector<std::string> instruments;  ///< code → instrument id

  Tables() { c.thoughts.distortion_offsets = {0}; }
};

/// Calls `f` with the same per-row column of each of `s...` (one or two
/// tables), for every per-row column of record type R. The distortions of
/// thought records (compressed rows) are not per-row: callers handle them.
template <class R, class F, class... S>
void each_column(F&& f, S&... s) {
  if constexpr (std::is_same_v<R, Trigger>) {
    f(s.c.triggers.participant...);
    f(s.c.triggers.time_us...);
    f(s.c.triggers.offset_minutes...);
    f(s.c.triggers.intensity...);
    f(s.c.triggers.category...);
    f(s.c.triggers.acted_on_urge...);
    f(s.c.triggers.acted_after_minutes...);
    f(s.c.trigger_ids...);
    f(s.tr.context...);
    f(s.tr.urge...);
    f(s.tr.response...);
    f(s.tr.thoughts...);
    f(s.tr.sensations...);
    f(s.tr.tags...);
  } else if constexpr (std::is_same_v<R, Reading>) {
    f(s.c.readings.participant...);
    f(s.c.readings.time_us...);
    f(s.c.readings.offset_minutes...);
    f(s.c.readings.intensity...);
    f(s.c.readings.trigger...);
    f(s.re.id...);
    f(s.re.note...);
  } else if constexpr (std::is_same_v<R, ExerciseSession>) {
    f(s.c.exercises.participant...);
    f(s.c.exercises.time_us...);
    f(s.c.exercises.end_us...);
    f(s.c.exercises.offset_minutes...);
    f(s.c.exercises.exercise...);
    f(s.c.exercises.completed...);
    f(s.c.exercises.intensity_before...);
    f(s.c.exercises.intensity_after...);
    f(s.c.exercises.trigger...);
    f(s.ex.id...);
    f(s.c.exercises.end_offset_minutes...);
    f(s.ex.responses...);
  } else if constexpr (std::is_same_v<R, ThoughtRecord>) {
    f(s.c.thoughts.participant...);
    f(s.c.thoughts.time_us...);
    f(s.c.thoughts.offset_minutes...);
    f(s.c.thoughts.belief_before...);
    f(s.c.thoughts.belief_after...);
    f(s.c.thoughts.emotion_change...);
    f(s.c.thoughts.alternatives...);
    f(s.c.thoughts.trigger...);
    f(s.th.id...);
    f(s.th.situation...);
    f(s.th.automatic_thought...);
    f(s.th.friend_advice...);
    f(s.th.balanced_thought...);
    f(s.th.emotions...);
    f(s.th.evidence_for...);
    f(s.th.evidence_against...);
    f(s.th.alternatives...);
  } else {
    f(s.c.assessments.participant...);
    f(s.c.assessments.time_us...);
    f(s.c.assessments.offset_minutes...);
    f(s.as.id...);
    f(s.as.instrument...);
    f(s.as.answers...);
    f(s.as.note...);
  }
}

/// The participant, time and trigger-link columns of record type R in `c`.
template <class R>
auto& participant_column(Cohort& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.participant;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.participant;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.participant;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.participant;
  else
    return c.assessments.participant;
}
template <class R>
const auto& participant_column(const Cohort& c) {
  return participant_column<R>(const_cast<Cohort&>(c));
}
template <class R>
const std::vector<std::int64_t>& utc_column(const Cohort& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.time_us;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.time_us;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.time_us;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.time_us;
  else
    return c.assessments.time_us;
}
template <class R>
const std::vector<std::int16_t>& offset_column(const Cohort& c) {
  if constexpr (std::is_same_v<R, Trigger>)
    return c.triggers.offset_minutes;
  else if constexpr (std::is_same_v<R, Reading>)
    return c.readings.offset_minutes;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.offset_minutes;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return c.thoughts.offset_minutes;
  else
    return c.assessments.offset_minutes;
}
/// The id column of record type R.
template <class R>
const TextColumn& id_column(const Tables& s) {
  if constexpr (std::is_same_v<R, Trigger>)
    return s.c.trigger_ids;
  else if constexpr (std::is_same_v<R, Reading>)
    return s.re.id;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return s.ex.id;
  else if constexpr (std::is_same_v<R, ThoughtRecord>)
    return s.th.id;
  else
    return s.as.id;
}
/// The trigger-link column (rows into the triggers) of a linking record type.
template <class R>
std::vector<std::int32_t>& link_column(Cohort& c) {
  if constexpr (std::is_same_v<R, Reading>)
    return c.readings.trigger;
  else if constexpr (std::is_same_v<R, ExerciseSession>)
    return c.exercises.trigger;
  else
    return c.thoughts.trigger;
}
template <class R>
inline constexpr bool has_link =
    std::is_same_v<R, Reading> || std::is_same_v<R, ExerciseSession> || std::is_same_v<R, ThoughtRecord>;
template <class R>
inline constexpr std::size_t type_index = std::is_same_v<R, Trigger>           ? 0
                                          : std::is_same_v<R, Reading>         ? 1
                                          : std::is_same_v<R, ExerciseSession> ? 2
                                          : std::is_same_v<R, ThoughtRecord>   ? 3
                                                                               : 4;

/// Number of rows of record type R.
template <class R>
std::size_t rows_of(const Tables& s) noexcept {
  return utc_column<R>(s.c).size();
}

}  // namespace detail

}  // namespace calmkit
