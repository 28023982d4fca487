/// @file hash.hpp
/// @brief The keyed hash of calmkit's hash tables (namespace
/// `calmkit::detail`): a per-process secret, foldhash's construction over
/// it, and `KeyedHash`, the hasher of every `std::unordered_map` and
/// `std::unordered_set` whose keys come from a file or a caller. Included by
/// the headers that need it; not an API of its own.
#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

namespace calmkit::detail {

/// The secret of the hashes of calmkit's tables (`hash_bytes`, the JSON
/// Lines reader's key hash): three 64-bit words drawn once per process.
struct HashKey {
  std::uint64_t seed = 0;    ///< the initial state
  std::uint64_t expand = 0;  ///< xored into the second word of each multiply
  std::uint64_t fold = 0;    ///< xored into the second operand of the long loop and the final multiply
};

/// The high and low halves of the 128-bit product `x * y`, xored together
/// ("folded multiply", the mixing step of foldhash, wyhash and rapidhash):
/// one `mul` on x86-64, a `mul` + `umulh` on AArch64.
inline std::uint64_t folded_multiply(std::uint64_t x, std::uint64_t y) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ using u128 = unsigned __int128;  // a GCC/Clang extension, hence the marker
  const u128 full = static_cast<u128>(x) * y;
  return static_cast<std::uint64_t>(full) ^ static_cast<std::uint64_t>(full >> 64);
#else
  // Without a 64 x 64 -> 128 multiply: the four 32 x 32 products, their sum
  // carry-less (foldhash's portable form).
  const std::uint64_t lx = static_cast<std::uint32_t>(x), hx = x >> 32;
  const std::uint64_t ly = static_cast<std::uint32_t>(y), hy = y >> 32;
  return (hx * hy ^ lx * ly) ^ std::rotr(hx * ly ^ lx * hy, 32);
#endif
}

/// Draws a `HashKey` from the operating system's entropy (`std::random_device`:
/// getrandom / /dev/urandom, `crypto.getRandomValues` in WebAssembly). Should
/// that fail, a weaker key from the clock and addresses (ASLR).
inline HashKey draw_hash_key() noexcept {
  std::array<std::uint64_t, 3> w{};
  try {
    std::random_device device;
    for (auto& x : w) x = static_cast<std::uint64_t>(device()) << 32 ^ device();
  } catch (...) {
    const int local = 0;
    w = {static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()),
         static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&local)),
         static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&draw_hash_key))};
  }
  // splitmix64 over the words: every key bit depends on all the drawn bits.
  std::uint64_t state = 0x243F6A8885A308D3ULL;
  for (auto& x : w) {
    state += x + 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    x = z ^ (z >> 31);
  }
  return HashKey{w[0], w[1], w[2]};
}

/// The process's `HashKey`, drawn on first use (thread-safe). No output of
/// calmkit depends on it: the tables that use it are only searched, never
/// walked, so a journal read or written twice gives the same bytes.
inline const HashKey& hash_key() noexcept {
  static const HashKey key = draw_hash_key();
  return key;
}

/// Absorbs the bytes of `s` into the state `h` (foldhash's byte step, see
/// `hash_bytes`): up to 16 bytes one folded multiply, longer strings 16 bytes
/// from each end per pair of multiplies.
inline std::uint64_t hash_absorb(std::uint64_t h, std::string_view s, const HashKey& key) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  auto word = [](const unsigned char* q) noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, q, 8);
    return w;
  };
  // The length rotates the state: overlapping reads of "abcdefgh" and of
  // "abcdefghabcdefgh" see the same words, the rotation tells them apart.
  const auto r = static_cast<unsigned>(n & 63);  // (libc++ 14's std::rotr takes an unsigned count)
  const std::uint64_t base = r == 0 ? h : (h >> r | h << (64 - r));
  if (n <= 16) {
    std::uint64_t a = base, b = key.expand;
    if (n >= 8) {
      a ^= word(p);
      b ^= word(p + n - 8);
    } else if (n >= 4) {
      std::uint32_t lo = 0, hi = 0;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      a ^= lo;
      b ^= hi;
    } else if (n > 0) {
      a ^= p[0];
      b ^= static_cast<std::uint64_t>(p[n - 1]) << 8 | p[n / 2];
    }
    return folded_multiply(a, b);
  }
  std::uint64_t s0 = base, s1 = base + key.expand;
  const unsigned char* front = p;
  const unsigned char* back = p + n;  // the unconsumed bytes: [front, back)
  for (; front + 16 <= p + n && front < back; front += 16, back -= 16) {
    s0 = folded_multiply(word(front) ^ s0, word(back - 16) ^ key.fold);
    s1 = folded_multiply(word(front + 8) ^ s1, word(back - 8) ^ key.fold);
  }
  return s0 ^ s1;
}

/// The hash of a short byte string (a participant, exercise or instrument
/// name; a trigger id with its participant's code as `seed`), keyed by the
/// process's `hash_key`.
///
/// What it protects against: hash flooding, a denial of service where an
/// attacker who knows an unkeyed hash computes many keys with equal hashes,
/// so every insert probes one long cluster and a table of n keys costs n^2
/// comparisons (Crosby & Wallach, "Denial of Service via Algorithmic
/// Complexity Attacks", USENIX Security 2003; Klink & Waelde, 28C3, 2011).
/// Every multiply here takes a secret operand, so without the key no one can
/// aim keys at a slot; the key is random per process and never leaves it.
/// This is foldhash's construction (Orson Peters, https://github.com/orlp/foldhash:
/// a folded 64 x 64 -> 128-bit multiply per 16 bytes, the length rotating
/// the state, then a final multiply by a secret), "minimally DoS resistant":
/// not a cryptographic PRF like SipHash (Aumasson & Bernstein, INDOCRYPT
/// 2012), which Python and Rust's std use, at a few times the cost per key.
/// It defends against keys chosen in advance; an attacker who can time many
/// lookups of their own keys in one long-running process is out of scope.
/// Every use confirms equal hashes by comparing the keys, so a collision
/// costs time, never a wrong result.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed, const HashKey& key) noexcept {
  return folded_multiply(hash_absorb(key.seed, s, key) ^ seed, key.fold);
}

/// The hasher of calmkit's `std::unordered_map`s and `std::unordered_set`s
/// whose keys come from a file or a caller (ids, names, a store's row ids),
/// in place of `std::hash`: `hash_bytes` of the key's bytes under the
/// table's copy of the process's `hash_key`. `std::hash` is unkeyed
/// (libstdc++'s hash of a string is MurmurHash64A with a fixed seed, every
/// step of it invertible; its hash of an integer is the integer itself), so
/// anyone can compute keys that all land in one bucket, and then each insert
/// or lookup compares the key with every one before it (a table of n keys
/// costs n^2 / 2 comparisons). Under `KeyedHash` such keys spread like any
/// others. Transparent: with `std::equal_to<>`, a table of `std::string`
/// is searched by `std::string_view` without a copy.
struct KeyedHash {
  using is_transparent = void;  ///< lookups by any key type the call operators take
  /// The table's copy of the process's key, taken when the table is made: a
  /// table made in one shared library and searched from another (each with
  /// its own `hash_key`) agrees with itself.
  HashKey key = hash_key();

  /// The hash of a string key.
  [[nodiscard]] std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(hash_bytes(s, 0, key));
  }
  /// The hash of an integer key (its 8 bytes, as a string of them would hash).
  [[nodiscard]] std::size_t operator()(std::int64_t v) const noexcept {
    std::array<char, sizeof v> bytes{};
    std::memcpy(bytes.data(), &v, sizeof v);
    return static_cast<std::size_t>(hash_bytes(std::string_view(bytes.data(), bytes.size()), 0, key));
  }
};
}  // namespace calmkit::detail
