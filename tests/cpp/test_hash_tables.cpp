// Hash flooding of the standard hash tables: every std::unordered_map and
// std::unordered_set whose keys come from a file or a caller hashes them with
// detail::KeyedHash, not std::hash. std::hash is unkeyed: libstdc++'s hash of
// a string is MurmurHash64A with a fixed seed, every step invertible, and its
// hash of an integer is the integer. The keys here are built the way an
// attacker would (solve for the last word of a key that gets a wanted hash,
// or take multiples of the table's bucket count); under std::hash they all
// land in one bucket, so a table of n of them costs n^2 / 2 comparisons.
//
// Probes are counted, not timed: `probes` counts the keys an insert shares a
// bucket with. Then each table is fed such keys through the public API (a
// journal's id and link checks and its sort, a JSON object's unknown keys,
// exercise ids from JSON and a registry, the history of `suggest`, a store's
// row ids) and must give the right answer.
#include "temp_dir.hpp"

#include <calmkit/exercises.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/store.hpp>
#include <calmkit/suggest.hpp>

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {
using u64 = std::uint64_t;
using calmkit::detail::KeyedHash;

constexpr u64 mul = 0xc6a4a7935bd1e995ull;  // MurmurHash64A's multiplier
constexpr u64 std_seed = 0xc70f6907ull;     // libstdc++'s seed of std::hash<std::string>

u64 inverse(u64 a) {  // of an odd a, mod 2^64 (Newton: each step doubles the correct bits)
  u64 x = a;
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
u64 shift_mix(u64 v) {
  return v ^ (v >> 47);
}  // its own inverse (47 >= 32)
u64 load8(const char* p) {
  u64 w = 0;
  std::memcpy(&w, p, 8);
  return w;
}
u64 block(u64 w) {
  return shift_mix(w * mul) * mul;
}  // what a word adds to the state
u64 unblock(u64 d) {
  return shift_mix(d * inverse(mul)) * inverse(mul);
}

// libstdc++'s std::hash of a string on 64-bit targets (libsupc++/hash_bytes.cc).
u64 libstdcxx_hash(std::string_view s) {
  const std::size_t len = s.size(), aligned = len & ~std::size_t{7};
  u64 h = std_seed ^ (len * mul);
  for (std::size_t i = 0; i < aligned; i += 8) h = (h ^ block(load8(s.data() + i))) * mul;
  if (len & 7) {
    u64 tail = 0;
    for (std::size_t i = len; i-- > aligned;) tail = (tail << 8) + static_cast<unsigned char>(s[i]);
    h = (h ^ tail) * mul;
  }
  return shift_mix(shift_mix(h) * mul);
}

bool allowed(char c) {
  return c >= 0x21 && c < 0x7f && c != '"' && c != '\\';
}  // JSON-safe, no space

// `n` distinct strings s, 16 - prefix.size() bytes of allowed() characters
// (24 - prefix.size() for a prefix of 8 bytes or more), for which
// libstdc++_hash(prefix + s) is one and the same value: random words, the
// last solved for, until every byte is allowed.
std::vector<std::string> colliding(std::string_view prefix, std::size_t n, u64 rng_seed) {
  REQUIRE(prefix.size() < 16);
  const std::size_t total = prefix.size() < 8 ? 16 : 24;
  const std::size_t last = total - 8;  // the solved word's offset
  std::mt19937_64 rng(rng_seed);
  const u64 h0 = std_seed ^ (total * mul);
  const u64 want = 0x0123456789abcdefull * inverse(mul);  // the state before the last multiply
  std::set<std::string> seen;
  std::vector<std::string> out;
  std::string key(total, '\0');
  std::memcpy(key.data(), prefix.data(), prefix.size());
  while (out.size() < n) {
    for (std::size_t i = prefix.size(); i < last; ++i) key[i] = static_cast<char>(0x21 + rng() % 0x5e);
    if (!std::all_of(key.begin() + static_cast<std::ptrdiff_t>(prefix.size()),
                     key.begin() + static_cast<std::ptrdiff_t>(last), allowed))
      continue;
    u64 h = h0;
    for (std::size_t i = 0; i < last; i += 8) h = (h ^ block(load8(key.data() + i))) * mul;
    const u64 w = unblock(h ^ want);
    std::memcpy(key.data() + last, &w, 8);
    if (!std::all_of(key.begin() + static_cast<std::ptrdiff_t>(last), key.end(), allowed)) continue;
    std::string s = key.substr(prefix.size());
    if (seen.insert(s).second) out.push_back(std::move(s));
  }
  return out;
}

// The keys each insert of `keys`, in order, finds in its bucket: the
// comparisons a chained table makes (a lookup of each costs about as much).
template <class Key, class Hash, class Keys>
std::size_t probes(const Keys& keys) {
  std::unordered_set<Key, Hash> set;
  std::size_t n = 0;
  for (const auto& k : keys) {
    if (set.bucket_count() > 0) n += set.bucket_size(set.bucket(k));
    set.insert(k);
  }
  return n;
}

constexpr std::size_t n = 2000;
// A random hash: each insert meets about load / 2 <= 1/2 keys on average.
constexpr std::size_t few = 2 * n;
constexpr std::size_t all_pairs = n * (n - 1) / 2;

calmkit::Instant minute(std::size_t i) {
  return calmkit::Instant::parse("2026-03-02T00:00:00Z") + std::chrono::minutes(static_cast<std::int64_t>(i));
}
}  // namespace

TEST_CASE("keys built to share one std::hash spread under KeyedHash") {
  const auto ids =
      colliding(calmkit::detail::scoped_key("p", ""), n, 1);  // ids of participant "p", in its keys
  const auto names = colliding("", n, 2);  // names, exercise ids, JSON keys: hashed as they are
  std::vector<std::string> scoped;
  for (const auto& id : ids) scoped.push_back(calmkit::detail::scoped_key("p", id));
  for (const auto& s : scoped) REQUIRE(libstdcxx_hash(s) == libstdcxx_hash(scoped[0]));
  for (const auto& s : names) REQUIRE(libstdcxx_hash(s) == libstdcxx_hash(names[0]));
#if defined(__GLIBCXX__) && UINTPTR_MAX == UINT64_MAX
  // The attack works on the standard library the tables were built with.
  CHECK(std::hash<std::string>{}(scoped[1]) == std::hash<std::string>{}(scoped[0]));
  CHECK(probes<std::string, std::hash<std::string>>(scoped) == all_pairs);
  CHECK(probes<std::string, std::hash<std::string>>(names) == all_pairs);
#endif
  CHECK(probes<std::string, KeyedHash>(scoped) < few);
  CHECK(probes<std::string, KeyedHash>(names) < few);
  std::vector<std::string_view> views(names.begin(), names.end());
  CHECK(probes<std::string_view, KeyedHash>(views) < few);

  // Integers (a store's row ids): multiples of the bucket count a table of n
  // keys ends with (libstdc++: a prime; other libraries: maybe a power of two).
  std::unordered_set<std::int64_t> sized;
  for (std::size_t i = 0; i < n; ++i) sized.insert(static_cast<std::int64_t>(i));
  for (const std::int64_t step : {static_cast<std::int64_t>(sized.bucket_count()), std::int64_t{1} << 32}) {
    std::vector<std::int64_t> rows;
    for (std::size_t i = 1; i <= n; ++i) rows.push_back(static_cast<std::int64_t>(i) * step);
    CHECK(probes<std::int64_t, KeyedHash>(rows) < few);
  }
#if defined(__GLIBCXX__)
  std::vector<std::int64_t> rows;
  for (std::size_t i = 1; i <= n; ++i) rows.push_back(static_cast<std::int64_t>(i * sized.bucket_count()));
  CHECK(probes<std::int64_t, std::hash<std::int64_t>>(rows) > all_pairs / 8);
#endif
}

TEST_CASE("KeyedHash: one table's key, transparent lookups") {
  const KeyedHash a, b;
  CHECK(a("participant-7") == b("participant-7"));  // one process, one key
  CHECK(a("participant-7") != a("participant-8"));
  CHECK(a(std::int64_t{1}) != a(std::int64_t{2}));
  KeyedHash other;
  other.key = calmkit::detail::HashKey{1, 2, 3};
  CHECK(other("participant-7") != a("participant-7"));
  std::unordered_set<std::string, KeyedHash, std::equal_to<>> set{"abc"};
  CHECK(set.contains(std::string_view("abc")));
  CHECK_FALSE(set.contains(std::string_view("abd")));
}

TEST_CASE("a journal of colliding ids: add, the record-set constructor and its sort") {
  using namespace calmkit;
  const auto ids = colliding(calmkit::detail::scoped_key("p", ""), n, 3);
  Journal j;
  for (std::size_t i = 0; i < n; ++i) {
    j.add(Trigger{.participant = "p", .id = ids[i], .time = minute(i), .intensity = Intensity(5)});
  }
  for (std::size_t i = 0; i < n; ++i) {
    j.add(Reading{.participant = "p", .time = minute(n + i), .intensity = Intensity(3), .trigger = ids[i]});
  }
  REQUIRE(j.triggers().size() == n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(j.reading(i).trigger == ids[i]);
  CHECK_THROWS_WITH(j.add(Trigger{.participant = "p", .id = ids[n / 2], .time = minute(0)}),
                    Catch::Contains("duplicate trigger id"));
  CHECK_THROWS_WITH(j.add(Reading{.participant = "p", .time = minute(0), .trigger = ids[0] + "x"}),
                    Catch::Contains("does not have"));

  // Participants with colliding names, given out of order: the sort ranks them
  // in one table, the checks key (participant, id) in others.
  const auto names = colliding("", n, 4);
  RecordSet rs;
  for (std::size_t i = n; i-- > 0;) {
    rs.triggers.push_back(Trigger{.participant = names[i], .id = ids[i], .time = minute(i)});
    rs.readings.push_back(Reading{.participant = names[i], .time = minute(i + 1), .trigger = ids[i]});
  }
  const Journal k(rs);
  const auto participants = k.participants();
  CHECK(participants.size() == n);
  CHECK(std::is_sorted(participants.begin(), participants.end()));
  for (std::size_t i = 0; i < n; ++i) REQUIRE(k.reading(i).trigger == k.trigger(i).id);
  rs.readings.push_back(Reading{.participant = names[0], .time = minute(0), .trigger = ids[1]});
  CHECK_THROWS_WITH(Journal(rs), Catch::Contains("does not have"));
}

TEST_CASE("a JSON object with thousands of colliding unknown keys") {
  const auto keys = colliding("", n, 5);
  std::string line = R"({"type":"trigger","participant":"p","id":"t","time":"2026-03-02T10:00:00Z",)"
                     R"("category":"conflict","intensity":5)";
  for (const auto& k : keys) line += ",\"" + k + "\":1";
  const calmkit::Journal j = calmkit::parse_journal(line + "}\n");
  CHECK(j.triggers().size() == 1);
  CHECK_THROWS_WITH(calmkit::parse_journal(line + ",\"" + keys[n / 2] + "\":2}\n"),
                    Catch::Contains("duplicate key in one object"));
}

TEST_CASE("exercises with colliding ids: from JSON, in a registry, in suggest's history") {
  using namespace calmkit;
  const auto ids = colliding("", n, 6);
  std::vector<Exercise> defs;
  for (const auto& id : ids) {
    Exercise e = catalog().front();
    e.id = id;
    defs.push_back(std::move(e));
  }
  const std::string json = to_json(defs);
  REQUIRE(exercises_from_json(json).size() == n);
  defs.push_back(defs[n / 2]);
  CHECK_THROWS_WITH(exercises_from_json(to_json(defs)), Catch::Contains("duplicate exercise id"));
  defs.pop_back();

  ExerciseRegistry reg;
  for (const auto& e : defs) reg.add(e);
  for (const auto& id : ids) REQUIRE(reg.get(id).id == id);
  CHECK(reg.find(ids[0] + "x") == nullptr);
  CHECK_THROWS(reg.add(defs[7]));

  Journal j;
  for (std::size_t i = 0; i < n; ++i) {
    j.add(ExerciseSession{.participant = "p",
                          .id = "s" + std::to_string(i),
                          .time = minute(i),
                          .end = minute(i + 1),
                          .exercise = ids[i],
                          .intensity_before = Intensity(7),
                          .intensity_after = Intensity(static_cast<int>(i % 7))});
  }
  const auto out = suggest(Intensity(5), j, "p", defs, {.min_sessions = 1, .limit = n});
  REQUIRE(out.size() == n);
  for (const auto& s : out) REQUIRE(s.rated_sessions == 1);
}

TEST_CASE("a store whose row ids are multiples of the bucket count") {
  using namespace calmkit;
  const fixtures::TempDir dir("hash-tables");
  const auto db = dir.path() / "j.db";
  {
    RecordSet rs;
    for (std::size_t i = 0; i < n; ++i) {
      rs.triggers.push_back(Trigger{.participant = "p",
                                    .id = "t" + std::to_string(i),
                                    .time = minute(i),
                                    .thoughts = {"thought " + std::to_string(i)}});
    }
    Store::open(db).add_all(Journal(rs));
  }
  std::unordered_set<std::int64_t> sized;
  for (std::size_t i = 0; i < n; ++i) sized.insert(static_cast<std::int64_t>(i));
  const std::string step = std::to_string(sized.bucket_count());
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &raw) == SQLITE_OK);
  const std::string sql = "PRAGMA foreign_keys = OFF; BEGIN; UPDATE triggers SET tid = tid * " + step +
                          "; UPDATE trigger_items SET tid = tid * " + step + "; COMMIT;";
  CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  const Journal j = Store::open(db).load();
  REQUIRE(j.triggers().size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    const Trigger t = j.trigger(i);
    REQUIRE(t.thoughts == std::vector<std::string>{"thought " + t.id.substr(1)});
  }
}
