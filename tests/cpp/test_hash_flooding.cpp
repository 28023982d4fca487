// Hash flooding: keys built to collide under the unkeyed hashes calmkit used
// before (every step of them invertible, so anyone could solve for the last
// word of a key that gets any wanted hash) spread over the table under the
// keyed ones (detail::hash_bytes, the JSON Lines reader's key_hash). The keys
// are built here the way an attacker would: invert the old function.
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>

#include "io_read_keys.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {
using std::uint64_t;
constexpr uint64_t K = 0x9E3779B97F4A7C15ull;
constexpr uint64_t M1 = 0x7FB5D329728EA185ull, M2 = 0x81DADEF4BC2DD44Dull;

uint64_t inverse(uint64_t a) {  // of an odd a, mod 2^64 (Newton: each step doubles the correct bits)
  uint64_t x = a;
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
uint64_t word(const std::string& s, std::size_t at) {
  uint64_t w = 0;
  std::memcpy(&w, s.data() + at, std::min<std::size_t>(8, s.size() - at));
  return w;
}
std::string bytes(uint64_t a, uint64_t b) {
  std::string s(16, '\0');
  std::memcpy(s.data(), &a, 8);
  std::memcpy(s.data() + 8, &b, 8);
  return s;
}
uint64_t step(uint64_t h, uint64_t w) {
  return std::rotl((h ^ w) * K, 29);
}
uint64_t unstep(uint64_t h_next, uint64_t h) {
  return (std::rotr(h_next, 29) * inverse(K)) ^ h;
}  // the w

// The reader's key hash before the fix (src/io_read_keys.hpp at 68fe919).
uint64_t old_mix64(uint64_t x) {
  x ^= x >> 31;
  x *= M1;
  x ^= x >> 27;
  x *= M2;
  return x ^ (x >> 33);
}
uint64_t old_unmix64(uint64_t y) {
  y ^= y >> 33;
  y *= inverse(M2);
  y ^= (y >> 27) ^ (y >> 54);
  y *= inverse(M1);
  return y ^ (y >> 31) ^ (y >> 62);
}
uint64_t old_key_hash(const std::string& p, const std::string& id) {
  uint64_t h = (static_cast<uint64_t>(p.size()) << 32 ^ id.size()) * K;
  for (const std::string* s : {&p, &id}) {
    for (std::size_t at = 0; at < s->size(); at += 8) h = step(h, word(*s, at));
  }
  return old_mix64(h);
}
// The dictionaries' hash before the fix (include/calmkit/journal_tables.hpp, seed 0).
uint64_t old_fin(uint64_t h) {
  h ^= h >> 32;
  h *= K;
  return h ^ (h >> 29);
}
uint64_t old_unfin(uint64_t y) {
  y ^= (y >> 29) ^ (y >> 58);
  y *= inverse(K);
  return y ^ (y >> 32);
}
uint64_t old_hash_bytes(const std::string& s) {
  uint64_t h = s.size() * K;
  for (std::size_t at = 0; at < s.size(); at += 8) h = step(h, word(s, at));
  return old_fin(h);
}

constexpr uint64_t target = 0x01234567;  // the low 32 bits every built key gets: one slot of any table

// 16-byte ids of participant "p" with old_key_hash's low 32 bits == target:
// a random first word, the second solved for.
std::vector<std::string> colliding_ids(std::size_t n) {
  std::mt19937_64 rng(1);
  std::vector<std::string> out;
  uint64_t h0 = step((uint64_t{1} << 32 ^ 16) * K, word("p", 0));
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t w1 = rng(), h1 = step(h0, w1);
    const uint64_t h2 = old_unmix64((rng() << 32) | target);
    out.push_back(bytes(w1, unstep(h2, h1)));
  }
  return out;
}
// 16-byte names with old_hash_bytes's low 32 bits == target.
std::vector<std::string> colliding_names(std::size_t n) {
  std::mt19937_64 rng(2);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t w1 = rng(), h1 = step(16 * K, w1);
    out.push_back(bytes(w1, unstep(old_unfin((rng() << 32) | target), h1)));
  }
  return out;
}

// How many of 2^bits slots the low bits of `hashes` fill.
template <class Hashes>
std::size_t slots_used(const Hashes& hashes, int bits) {
  std::set<uint64_t> used;
  for (const uint64_t h : hashes) used.insert(h & ((uint64_t{1} << bits) - 1));
  return used.size();
}
}  // namespace

constexpr std::size_t n = 4096;
// n keys over 2n slots: a random function fills 2n (1 - e^-1/2) = 3,223 on
// average (standard deviation about 25); all keys in one slot fill 1.
constexpr std::size_t spread_enough = 3000;

TEST_CASE("ids built to collide under the old key hash spread under the keyed one") {
  const auto ids = colliding_ids(n);
  std::vector<uint64_t> old_h, new_h;
  for (const auto& id : ids) {
    old_h.push_back(old_key_hash("p", id));
    new_h.push_back(calmkit::detail::jsonl::key_hash("p", id));
  }
  REQUIRE(slots_used(old_h, 32) == 1);  // the attack works on the old function
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == n);
  CHECK(slots_used(new_h, 13) > spread_enough);
  CHECK(slots_used(new_h, 32) >= n - 2);  // 32-bit screens: a random function collides ~0.002 times here
}

TEST_CASE("names built to collide under the old dictionary hash spread under the keyed one") {
  const auto names = colliding_names(n);
  std::vector<uint64_t> old_h, new_h;
  calmkit::detail::FlatIndex index;
  for (const auto& name : names) {
    old_h.push_back(old_hash_bytes(name));
    new_h.push_back(index.hash(name));
  }
  REQUIRE(slots_used(old_h, 32) == 1);
  CHECK(slots_used(new_h, 13) > spread_enough);
  // The same ids under the participant codes as seeds (the trigger-id index of build, from_arrow).
  std::vector<uint64_t> seeded;
  for (std::size_t i = 0; i < names.size(); ++i) seeded.push_back(index.hash(names[i], i % 7));
  CHECK(slots_used(seeded, 13) > spread_enough);
  // Each name is found again under its own hash, and only there.
  for (std::size_t i = 0; i < names.size(); ++i) index.insert_new(new_h[i], static_cast<std::int32_t>(i));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto found = index.find(
        index.hash(names[i]), [&](std::int32_t v) { return names[static_cast<std::size_t>(v)] == names[i]; });
    REQUIRE(found == static_cast<std::int32_t>(i));
  }
}

TEST_CASE("the keyed hash depends on the key, the bytes, their length and the split of a key") {
  using calmkit::detail::hash_bytes;
  using calmkit::detail::HashKey;
  const HashKey a{1, 2, 3}, b{1, 2, 4}, c{5, 2, 3};
  CHECK(hash_bytes("participant-7", 0, a) == hash_bytes("participant-7", 0, a));
  CHECK(hash_bytes("participant-7", 0, a) != hash_bytes("participant-7", 0, b));
  CHECK(hash_bytes("participant-7", 0, a) != hash_bytes("participant-7", 0, c));
  CHECK(hash_bytes("participant-7", 0, a) != hash_bytes("participant-7", 1, a));
  // Overlapping reads see the same words in these; the length tells them apart.
  CHECK(hash_bytes("abcdefgh", 0, a) != hash_bytes("abcdefghabcdefgh", 0, a));
  CHECK(hash_bytes("abcd", 0, a) != hash_bytes("abcdabcd", 0, a));
  CHECK(hash_bytes("", 0, a) != hash_bytes(std::string_view("\0", 1), 0, a));
  // Every byte of a long key counts.
  std::string longer(100, 'x');
  const auto whole = hash_bytes(longer, 0, a);
  for (std::size_t i = 0; i < longer.size(); ++i) {
    std::string changed = longer;
    changed[i] = 'y';
    CHECK(hash_bytes(changed, 0, a) != whole);
  }
  using calmkit::detail::jsonl::key_hash;
  CHECK(key_hash("ab", "c") != key_hash("a", "bc"));
  CHECK(key_hash("p", "") != key_hash("", "p"));
  // The process's key is drawn, not left at zero.
  const HashKey& k = calmkit::detail::hash_key();
  CHECK((k.seed | k.expand | k.fold) != 0);
}

TEST_CASE("a journal of ids built to collide under the old hash reads right") {
  // 2,000 triggers of one participant whose ids all had the same old hash,
  // and a reading referring to each; the old reader compared each key with
  // every earlier one (quadratic), the keyed one finds each in a slot or two.
  // Ids as JSON strings: printable bytes, so solve until every byte is.
  std::mt19937_64 rng(3);
  std::vector<std::string> ids;
  const uint64_t h0 = step((uint64_t{1} << 32 ^ 16) * K, word("p", 0));
  while (ids.size() < 2000) {
    uint64_t w1 = 0;
    for (int b = 0; b < 8; ++b)
      w1 |= (0x21 + rng() % 0x5a) << (8 * b);  // '!'..'z'; '"' and '\\' are filtered below
    const uint64_t w2 = unstep(old_unmix64((rng() << 32) | target), step(h0, w1));
    const std::string id = bytes(w1, w2);
    bool printable = true;
    for (const char ch : id) printable = printable && ch >= 0x21 && ch < 0x7f && ch != '"' && ch != '\\';
    if (printable) ids.push_back(id);
  }
  std::string text;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    text += R"({"type":"trigger","participant":"p","id":")" + ids[i] + R"(","time":"2026-03-02T10:)" +
            (i / 60 % 60 < 10 ? "0" : "") + std::to_string(i / 60 % 60) + ":" + (i % 60 < 10 ? "0" : "") +
            std::to_string(i % 60) + R"(Z","category":"delayed_reply","intensity":5})" + "\n";
  }
  for (const auto& id : ids) {
    text += R"({"type":"reading","participant":"p","trigger":")" + id +
            R"(","time":"2026-03-03T10:00:00Z","intensity":3})" + "\n";
  }
  REQUIRE(slots_used(std::vector<uint64_t>{old_key_hash("p", ids[0]), old_key_hash("p", ids[1999])}, 32) ==
          1);
  const calmkit::Journal j = calmkit::parse_journal(text);
  REQUIRE(j.triggers().size() == 2000);
  REQUIRE(j.readings().size() == 2000);
  std::set<std::string> linked;
  for (std::size_t i = 0; i < j.readings().size(); ++i) linked.insert(j.reading(i).trigger);
  CHECK(linked == std::set<std::string>(ids.begin(), ids.end()));  // each reading found its own trigger
}

namespace {
// The longest run of occupied slots, and the most slots one insert probed,
// when `hashes` go into a table laid out as the reader's KeyTable: linear
// probing on the low 32 bits, 1,024 slots at first, doubled before it is
// more than 3/4 full.
struct Runs {
  std::size_t longest_run = 0;
  std::size_t most_probes = 0;
};
Runs key_table_runs(const std::vector<uint64_t>& hashes) {
  std::size_t slots = 1024;
  while (4 * (hashes.size() + 1) > 3 * slots)
    slots *= 2;  // (the final size: growing on the way moves nothing)
  std::vector<bool> used(slots);
  Runs r;
  for (const uint64_t h : hashes) {
    std::size_t i = static_cast<uint32_t>(h) & (slots - 1), probes = 1;
    for (; used[i]; i = (i + 1) & (slots - 1)) ++probes;
    used[i] = true;
    r.most_probes = std::max(r.most_probes, probes);
  }
  std::size_t empty = 0;
  while (used[empty]) ++empty;
  for (std::size_t k = 1, run = 0; k <= slots; ++k) {
    run = used[(empty + k) & (slots - 1)] ? run + 1 : 0;
    r.longest_run = std::max(r.longest_run, run);
  }
  return r;
}

// 16-byte ids of participant "p" that all hash alike under key_hash with the
// key `known` (which this attacker has): the first word cancels the state it
// is xored into, so the first multiply is by zero, whatever the second word.
std::vector<std::string> colliding_under_known_key(const calmkit::detail::HashKey& known, std::size_t n) {
  using namespace calmkit::detail;
  const uint64_t after_p = hash_absorb(known.seed, "p", known);
  const uint64_t w1 = std::rotr(after_p, 16);  // the state the id's first word meets (rotated by its length)
  std::mt19937_64 rng(4);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(bytes(w1, rng()));
  return out;
}
}  // namespace

// The reader's key table has no fallback past its keyed hash. What an attacker
// without the process's secret can build, each in its own family, probes as
// random keys do. With n keys in a table at most 3/4 full, a run of k slots
// has a chance below exp(-k (a - 1 - ln a)) per slot (load a): at a = 3/4,
// about 1e-17 for k = 1,024; at the loads here (1/2 to 0.61) the bound 256
// below is missed with a chance under 1e-6 per test.
TEST_CASE("keys an attacker can build without the secret make short runs in the reader's key table") {
  using calmkit::detail::jsonl::key_hash;
  std::vector<std::pair<std::string, std::vector<std::string>>> families;
  families.emplace_back("colliding under the old unkeyed hash", colliding_ids(n));
  calmkit::detail::HashKey guess{0x0123456789abcdefull, 0x1111111111111111ull, 0x2222222222222222ull};
  families.emplace_back("colliding under a known key", colliding_under_known_key(guess, n));
  families.emplace_back("colliding under the zero key", colliding_under_known_key({}, n));
  std::vector<std::string> counted, one_byte, lengths;
  for (std::size_t i = 0; i < 40000; ++i) counted.push_back("t" + std::to_string(i));
  for (std::size_t i = 0; i < 256; ++i) one_byte.push_back(std::string(15, 'x') + static_cast<char>(i));
  for (std::size_t i = 1; i <= 2000; ++i) lengths.push_back(std::string(i, 'a'));
  families.emplace_back("counted", counted);
  families.emplace_back("one byte apart", one_byte);
  families.emplace_back("one byte repeated, every length", lengths);
  for (const auto& [name, ids] : families) {
    INFO(name << ", " << ids.size() << " ids");
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
    std::vector<uint64_t> hashes;
    for (const auto& id : ids) hashes.push_back(key_hash("p", id));
    const Runs r = key_table_runs(hashes);
    CHECK(r.longest_run < 256);
    CHECK(r.most_probes < 256);
  }
  // The attacks work where their premise holds: under the old hash, and under
  // the key the attacker knows.
  std::vector<uint64_t> old_h, known_h;
  for (const auto& id : colliding_ids(n)) old_h.push_back(old_key_hash("p", id));
  for (const auto& id : colliding_under_known_key(guess, n)) {
    known_h.push_back(calmkit::detail::folded_multiply(
        calmkit::detail::hash_absorb(calmkit::detail::hash_absorb(guess.seed, "p", guess), id, guess),
        guess.fold));
  }
  CHECK(key_table_runs(old_h).most_probes == n);
  CHECK(key_table_runs(known_h).most_probes == n);
}
