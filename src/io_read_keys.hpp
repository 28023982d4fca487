// The keys of the JSON Lines reader's checks across lines: a record's
// (participant, id) and (participant, trigger), hashed on the thread that
// parsed the line, and the table that finds duplicate ids and references
// (private to src/io_read*.cpp).
#pragma once

#include <calmkit/journal_tables.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace calmkit::detail::jsonl {

/// The hash of a (participant, id) key: `detail::hash_bytes`'s keyed
/// construction (foldhash's folded multiplies under the process's secret
/// `hash_key`, see its documentation for the attack it stops and the
/// sources) over the participant, then the id, then a final multiply. Each
/// string's length rotates the state, so ("ab", "c") and ("a", "bc") differ.
/// Keyed because the keys come from the file: with an unkeyed, invertible
/// hash anyone could compute thousands of ids that land in one slot and make
/// a read quadratic (40,000 such triggers took 73 s instead of 0.18 s).
/// Ids and participants are a word or two long: one multiply each. Equal
/// hashes are always confirmed by comparing the bytes (KeyTable), so a
/// collision costs time, never a wrong result. KeyTable trusts it with no
/// fallback, as every other table trusts `hash_bytes`: each multiply takes a
/// secret operand, and the ids an attacker can build without the key probe
/// as random ids do (tests/cpp/test_hash_flooding.cpp). Computed on the parsing
/// threads and used by the reader's tables in the same library, so all see
/// one key.
inline std::uint64_t key_hash(std::string_view participant, std::string_view id) noexcept;

/// The state `key_hash` reaches once it has absorbed `participant` (under
/// the process's `hash_key`): what a record's keys, which all start with its
/// participant, go on from, so the participant is hashed once per record.
/// `folded_multiply(participant_state(p), hash_key().fold)` is
/// `hash_bytes(p, 0, hash_key())`, the participant's hash in a dictionary.
inline std::uint64_t participant_state(std::string_view participant) noexcept {
  const HashKey& key = hash_key();
  return hash_absorb(key.seed, participant, key);
}

/// `key_hash(participant, id)` from `participant_state(participant)`.
inline std::uint64_t key_hash_from(std::uint64_t participant_state, std::string_view id) noexcept {
  const HashKey& key = hash_key();
  return folded_multiply(hash_absorb(participant_state, id, key), key.fold);
}

inline std::uint64_t key_hash(std::string_view participant, std::string_view id) noexcept {
  return key_hash_from(participant_state(participant), id);
}

/// Copies `n` bytes from `from` to `to` as `std::memcpy` does; the short
/// texts of a key (a word or two) with two overlapping loads and stores
/// instead of a call to memcpy. Reads and writes no byte outside the `n`.
inline void copy_short(char* to, const char* from, std::size_t n) noexcept {
  if (n >= 8 && n <= 16) {
    std::uint64_t a = 0, b = 0;
    std::memcpy(&a, from, 8);
    std::memcpy(&b, from + n - 8, 8);
    std::memcpy(to, &a, 8);
    std::memcpy(to + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t a = 0, b = 0;
    std::memcpy(&a, from, 4);
    std::memcpy(&b, from + n - 4, 4);
    std::memcpy(to, &a, 4);
    std::memcpy(to + n - 4, &b, 4);
  } else if (n > 16) {
    std::memcpy(to, from, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
  }
}

/// Asks the kernel to back the whole 2 MiB pages within `[data, data +
/// bytes)` with huge pages (Linux's transparent huge pages in `madvise`
/// mode; advice only: elsewhere, or with no huge page at hand, nothing
/// changes). For the key tables, megabytes read at random: with 4 KiB pages
/// nearly every lookup also misses the TLB, and the page walk holds up the
/// prefetches that would hide the miss. Call it before the bytes are first
/// written. The last, partly filled huge page of a buffer costs at most
/// 2 MiB more memory.
inline void advise_huge_pages([[maybe_unused]] const void* data,
                              [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
  if (bytes < 2 * huge) return;
  const auto at = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t from = (at + huge - 1) & ~(huge - 1), to = (at + bytes) & ~(huge - 1);
  if (to > from) (void)::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#endif
}

/// Bytes appended back to back (the keys of a share or of a KeyTable; the
/// bytes of a journal file that `update_journal` changes, read into room
/// added by `extend` and cut back by `truncate`): a buffer that grows like a
/// vector but leaves the bytes it adds for the caller to write
/// (`std::string::resize` writes each of them first, and costs more than
/// the copies of a key's few bytes).
class KeyBytes {
 public:
  KeyBytes() = default;
  KeyBytes(KeyBytes&&) noexcept = default;
  KeyBytes& operator=(KeyBytes&&) noexcept = default;
  KeyBytes(const KeyBytes&) = delete;
  KeyBytes& operator=(const KeyBytes&) = delete;
  ~KeyBytes() = default;

  [[nodiscard]] const char* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// The bytes it holds room for without regrowing.
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  /// Removes every byte, keeping the capacity.
  void clear() noexcept { size_ = 0; }
  /// Keeps the first `n` bytes (`n` <= `size()`), and the capacity.
  void truncate(std::size_t n) noexcept { size_ = n; }
  /// Room for `n` bytes in all without regrowing.
  void reserve(std::size_t n) {
    if (n > capacity_) regrow(n);
  }
  /// Asks for huge pages for the bytes each later regrowth allocates (see
  /// `advise_huge_pages`).
  void use_huge_pages() noexcept { huge_ = true; }
  /// Adds `n` bytes at the end and returns them, unwritten: the caller writes all of them.
  [[nodiscard]] char* extend(std::size_t n) {
    if (n > capacity_ - size_) regrow(std::max(size_ + n, 2 * capacity_ + 256));
    char* p = data_.get() + size_;
    size_ += n;
    return p;
  }

 private:
  void regrow(std::size_t n) {
    std::unique_ptr<char[]> bigger(new char[n]);  // not value-initialized: nothing written twice
    if (huge_) advise_huge_pages(bigger.get(), n);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = n;
  }
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  bool huge_ = false;
};

/// Appends `head` (words), then the bytes of `participant` and `id`, to
/// `bytes`, growing it once (a record or two per line add a key: three
/// appends, each checking the room, cost more than the copies).
template <std::size_t N>
void put_words_key(KeyBytes& bytes, const std::array<std::uint64_t, N>& head, std::string_view participant,
                   std::string_view id) {
  char* p = bytes.extend(sizeof head + participant.size() + id.size());
  std::memcpy(p, head.data(), sizeof head);
  // (An empty view may hold a null pointer: copy_short reads nothing then.)
  copy_short(p + sizeof head, participant.data(), participant.size());
  copy_short(p + sizeof head + participant.size(), id.data(), id.size());
}

/// Appends a (participant, id) key to `bytes`: both lengths, then the bytes.
inline void put_key(KeyBytes& bytes, std::string_view participant, std::string_view id) {
  put_words_key(bytes, std::array<std::uint64_t, 2>{participant.size(), id.size()}, participant, id);
}

/// The (participant, id) key at `at` in `bytes` (as put there by put_key;
/// `bytes`: the KeyBytes, or a string the key was copied into whole).
template <class Bytes>
std::pair<std::string_view, std::string_view> get_key(const Bytes& bytes, std::size_t at) noexcept {
  std::array<std::uint64_t, 2> len{};
  std::memcpy(len.data(), bytes.data() + at, sizeof len);
  const char* p = bytes.data() + at + sizeof len;
  const auto plen = static_cast<std::size_t>(len[0]), ilen = static_cast<std::size_t>(len[1]);
  return {std::string_view(p, plen), std::string_view(p + plen, ilen)};
}

/// Asks the processor for the cache line holding `address` (a hint: no
/// byte is read, and an address outside any object is harmless). An
/// instruction the compiler must keep: GCC 12 drops a `__builtin_prefetch`
/// whose address is chosen among loaded slots as dead code.
inline void prefetch_line(std::uintptr_t address) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __asm__ __volatile__("prefetcht0 (%0)" : : "r"(address));
#else
  __builtin_prefetch(reinterpret_cast<const void*>(address));
#endif
}

/// The (participant, id) keys of one record type with the line each was first
/// used on: open addressing over one flat array of (hash, ordinal, position)
/// slots, the keys themselves back to back in one byte arena. A million keys
/// cost no per-key allocation, and a lookup touches one slot and one arena
/// entry. A key's ordinal is the number of keys added before it: for the
/// triggers of a strict read (every trigger has an id, none is left out) it
/// is the trigger's row in the order the records were read, which is how a
/// reference is handed to the JournalBuilder without a second lookup.
///
/// The slots a key will touch are random in a table of megabytes, so a caller
/// that knows the hashes of the next keys (the merge, the reference check)
/// asks for them ahead with `prefetch` (the slot) and `prefetch_key` (the
/// slot's arena entry, once the slot is near), and the miss overlaps the work
/// on the keys before.
class KeyTable {
 public:
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  KeyTable() noexcept { arena_.use_huge_pages(); }

  /// Adds the key (hash `h`) first used on `line`, unless it is there
  /// already: then returns the line it was first used on (else `none`).
  std::size_t insert(std::uint64_t h, std::string_view participant, std::string_view id, std::size_t line) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow(slots_.empty() ? 1024 : 2 * slots_.size());
    const std::size_t mask = slots_.size() - 1;
    const auto h32 = static_cast<std::uint32_t>(h);
    for (std::size_t i = h32 & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.at == 0) {
        s = Slot{h32, static_cast<std::uint32_t>(size_), arena_.size() + 1};
        // The line, then the key as put_key lays it out.
        put_words_key(arena_, std::array<std::uint64_t, 3>{line, participant.size(), id.size()}, participant,
                      id);
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

  /// Asks the processor for the slots where the key of hash `h` starts its
  /// probe: the first, and the next when it is in the next cache line (a
  /// key not at its first slot is most often at the next). A hint: nothing
  /// changes, nothing is read.
  void prefetch(std::uint64_t h) const noexcept {
    if (slots_.empty()) return;
    const std::size_t i = static_cast<std::uint32_t>(h) & (slots_.size() - 1);
    __builtin_prefetch(&slots_[i]);
    __builtin_prefetch(&slots_[(i + 1) & (slots_.size() - 1)]);
  }
  /// Asks for the arena entry of the key of hash `h`: the entry of the first
  /// slot of its probe whose hash is `h`'s, where the key is unless two keys
  /// share those 32 bits, both cache lines an entry of a short key may span
  /// (reads the slots: call it once they are near). At a load of up to 3/4,
  /// a key is not at its first slot about half the time, and the first
  /// slot's entry would then be the wrong one.
  void prefetch_key(std::uint64_t h) const noexcept {
    if (slots_.empty()) return;
    const std::size_t mask = slots_.size() - 1;
    const auto h32 = static_cast<std::uint32_t>(h);
    // Three slots at most: past them the lookup pays its miss as before.
    const std::size_t i = h32 & mask;
    const auto at = [&](std::size_t j) {  // true: no need to look further
      const Slot& s = slots_[j & mask];
      if (s.at == 0) return true;  // not there: the lookup reads no entry
      if (s.hash != h32) return false;
      const auto entry = reinterpret_cast<std::uintptr_t>(arena_.data()) + s.at - 1 + sizeof(std::uint64_t);
      prefetch_line(entry);
      prefetch_line(entry + 40);  // both lengths and 24 bytes of key
      return true;
    };
    if (!at(i) && !at(i + 1)) at(i + 2);
  }

  /// Room for `keys` keys holding `bytes` bytes of participants and ids
  /// without regrowing (a caller that can estimate them from the part of the
  /// input seen so far: each regrowth rehashes every slot).
  void reserve(std::size_t keys, std::size_t bytes) {
    std::size_t n = std::max<std::size_t>(slots_.size(), 1024);
    while (4 * (keys + 1) > 3 * n) n *= 2;
    if (n > slots_.size()) grow(n);
    arena_.reserve(keys * (sizeof(std::uint64_t) * 3) + bytes);
  }

  /// Keys added so far.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Bytes of participants and ids of the keys added so far.
  [[nodiscard]] std::size_t key_bytes() const noexcept {
    return arena_.size() - size_ * sizeof(std::uint64_t) * 3;
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
    return detail::same_bytes(p, participant) && detail::same_bytes(i, id);
  }
  void grow(std::size_t n) {  // n: a power of two
    if (size_ >= std::numeric_limits<std::uint32_t>::max()) [[unlikely]]
      throw std::length_error("calmkit: more than 2^32 ids of one record type");
    std::vector<Slot> old = std::move(slots_);
    slots_.reserve(n);
    advise_huge_pages(slots_.data(), n * sizeof(Slot));
    slots_.resize(n);
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
  KeyBytes arena_;
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
  KeyBytes bytes;

  void clear() noexcept {
    meta.clear();
    bytes.clear();
  }
};
}  // namespace calmkit::detail::jsonl
