// The columnar Journal against a reference made of plain std::vector records
// sorted with std::stable_sort (the storage the journal had before it became
// columnar): the same records come back, in the same order, through `add` in
// any order, the checking constructor, the builder and concatenated builders;
// the views, find_trigger, equality and revision behave as they did; trigger
// links stay right after triggers are inserted in the middle; the metrics
// read the journal's own columns.
#include <calmkit/journal.hpp>
#include <calmkit/metrics.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <ranges>
#include <string>
#include <thread>
#include <vector>

using namespace calmkit;

static_assert(std::random_access_iterator<RecordView<Trigger>::iterator>);
static_assert(std::ranges::random_access_range<RecordView<Reading>>);
static_assert(std::ranges::view<RecordView<ThoughtRecord>>);
static_assert(std::ranges::borrowed_range<RecordView<Assessment>>);

namespace {

/// Random valid records of a few participants, with ties in time, links to
/// triggers, texts and lists.
struct RecordSample {
  RecordSet all;
  std::vector<Record> order;  // every record, in a random order
};

RecordSample random_cohort(std::mt19937& rng, int n) {
  const std::vector<std::string> people{"", "ana", "bo", "zed", "cy"};
  auto pick = [&rng](std::size_t k) { return std::uniform_int_distribution<std::size_t>(0, k - 1)(rng); };
  auto time = [&] {
    // A few distinct instants (ties are common), and a few offsets.
    const std::int64_t base = 1'772'000'000'000'000;
    const auto us = base + static_cast<std::int64_t>(pick(12)) * 3'600'000'000LL;
    const int off = std::array{0, 60, -300, 330}[pick(4)];
    return Instant::from_utc_us(us, *UtcOffset::make(off));
  };
  auto words = [&](const char* stem) {
    std::vector<std::string> v(pick(3));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = stem + std::to_string(pick(100));
    return v;
  };
  RecordSample c;
  std::vector<std::pair<std::string, std::string>> triggers;  // (participant, id)
  for (int i = 0; i < n; ++i) {
    const auto& p = people[pick(people.size())];
    const std::string id = "i" + std::to_string(i % 7 == 0 ? 0 : i);  // shared ids across types and people
    const auto link = [&]() -> std::string {
      std::vector<std::string> mine;
      for (const auto& [q, t] : triggers)
        if (q == p) mine.push_back(t);
      if (mine.empty() || pick(3) == 0) return "";
      return mine[pick(mine.size())];
    };
    switch (pick(5)) {
      case 0: {
        Trigger t;
        t.participant = p;
        t.id = "t" + std::to_string(i);
        t.time = time();
        t.category = static_cast<TriggerCategory>(pick(trigger_category_table.size()));
        t.intensity = Intensity(static_cast<int>(pick(11)));
        t.context = pick(2) ? "context " + std::to_string(i) : "";
        t.thoughts = words("thought ");
        t.sensations = words("sensation ");
        t.urge = pick(2) ? "urge" : "";
        if (pick(2)) t.acted_on_urge = pick(2) == 0;
        if (pick(2)) t.acted_after_minutes = Minutes(0.5 * static_cast<double>(pick(50)));
        t.response = pick(2) ? "walked" : "";
        t.tags = words("tag");
        triggers.emplace_back(p, t.id);
        c.all.triggers.push_back(t);
        c.order.emplace_back(t);
        break;
      }
      case 1: {
        Reading r;
        r.participant = p;
        r.id = pick(2) ? "r" + std::to_string(i) : "";
        r.time = time();
        r.intensity = Intensity(static_cast<int>(pick(11)));
        r.trigger = link();
        r.note = pick(2) ? "note " + std::to_string(i) : "";
        c.all.readings.push_back(r);
        c.order.emplace_back(r);
        break;
      }
      case 2: {
        ExerciseSession e;
        e.participant = p;
        e.id = id + "e";
        e.time = time();
        e.end = Instant::from_utc_us(e.time.utc_us() + 600'000'000, *UtcOffset::make(120));
        e.exercise = std::array{"breathing.box", "grounding.5-4-3-2-1", "custom.walk"}[pick(3)];
        e.completed = pick(2) == 0;
        if (pick(2)) e.intensity_before = Intensity(static_cast<int>(pick(11)));
        if (pick(2)) e.intensity_after = Intensity(static_cast<int>(pick(11)));
        e.trigger = link();
        e.responses = words("response ");
        c.all.exercises.push_back(e);
        c.order.emplace_back(e);
        break;
      }
      case 3: {
        ThoughtRecord t;
        t.participant = p;
        t.id = id + "th";
        t.time = time();
        t.situation = "situation " + std::to_string(i);
        t.automatic_thought = pick(2) ? "they left" : "";
        t.belief_before = Percent(static_cast<int>(pick(101)));
        for (std::size_t k = pick(3); k > 0; --k) {
          EmotionRating em;
          em.name = "anxious" + std::to_string(k);
          em.before = Percent(static_cast<int>(pick(101)));
          if (pick(2)) em.after = Percent(static_cast<int>(pick(101)));
          t.emotions.push_back(em);
        }
        for (std::size_t k = pick(3); k > 0; --k) t.distortions.push_back(static_cast<Distortion>(pick(12)));
        t.evidence_for = words("for ");
        t.evidence_against = words("against ");
        t.alternatives = words("alt ");
        t.friend_advice = pick(2) ? "be kind" : "";
        t.balanced_thought = pick(2) ? "maybe busy" : "";
        if (pick(2)) t.belief_after = Percent(static_cast<int>(pick(101)));
        t.trigger = link();
        c.all.thought_records.push_back(t);
        c.order.emplace_back(t);
        break;
      }
      default: {
        Assessment a;
        a.participant = p;
        a.id = id + "a";
        a.time = time();
        a.instrument = pick(2) ? "gad-7" : "attachment-checkin";
        for (std::size_t k = pick(8); k > 0; --k) a.answers.push_back(static_cast<int>(pick(4)));
        a.note = pick(2) ? "ok" : "";
        c.all.assessments.push_back(a);
        c.order.emplace_back(a);
        break;
      }
    }
  }
  // Ids must be unique per participant and type: drop later duplicates.
  auto unique = [](auto& v) {
    std::vector<std::pair<std::string, std::string>> seen;
    std::erase_if(v, [&seen](const auto& r) {
      if (r.id.empty()) return false;
      const auto key = std::pair{r.participant, r.id};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) return true;
      seen.push_back(key);
      return false;
    });
  };
  unique(c.all.exercises);
  unique(c.all.thought_records);
  unique(c.all.assessments);
  // The random order: every record, as generated, then shuffled.
  c.order.clear();
  for (const auto& x : c.all.triggers) c.order.emplace_back(x);
  for (const auto& x : c.all.readings) c.order.emplace_back(x);
  for (const auto& x : c.all.exercises) c.order.emplace_back(x);
  for (const auto& x : c.all.thought_records) c.order.emplace_back(x);
  for (const auto& x : c.all.assessments) c.order.emplace_back(x);
  std::shuffle(c.order.begin(), c.order.end(), rng);
  return c;
}

/// The order `add` must produce: records in arrival order, then
/// `std::stable_sort` by (participant, time, id).
RecordSet reference(const std::vector<Record>& arrival) {
  RecordSet r;
  for (const auto& x : arrival) {
    std::visit(
        [&r](const auto& v) {
          using R = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<R, Trigger>) r.triggers.push_back(v);
          if constexpr (std::is_same_v<R, Reading>) r.readings.push_back(v);
          if constexpr (std::is_same_v<R, ExerciseSession>) r.exercises.push_back(v);
          if constexpr (std::is_same_v<R, ThoughtRecord>) r.thought_records.push_back(v);
          if constexpr (std::is_same_v<R, Assessment>) r.assessments.push_back(v);
        },
        x);
  }
  auto sort = [](auto& v) {
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return detail::record_less(a, b); });
  };
  sort(r.triggers);
  sort(r.readings);
  sort(r.exercises);
  sort(r.thought_records);
  sort(r.assessments);
  return r;
}

void check_same(const Journal& j, const RecordSet& ref) {
  CHECK(j.triggers().to_vector() == ref.triggers);
  CHECK(j.readings().to_vector() == ref.readings);
  CHECK(j.exercises().to_vector() == ref.exercises);
  CHECK(j.thought_records().to_vector() == ref.thought_records);
  CHECK(j.assessments().to_vector() == ref.assessments);
  CHECK(j.size() == ref.size());
}

/// Each link column names, by row, the trigger whose id the record holds.
void check_links(const Journal& j) {
  const auto& c = j.columns();
  auto links = [&](const auto& view, const std::vector<std::int32_t>& rows) {
    REQUIRE(rows.size() == view.size());
    for (std::size_t i = 0; i < view.size(); ++i) {
      const auto r = view[i];
      if (r.trigger.empty()) {
        CHECK(rows[i] == no_trigger);
      } else {
        REQUIRE(rows[i] >= 0);
        const auto t = j.trigger(static_cast<std::size_t>(rows[i]));
        CHECK(t.id == r.trigger);
        CHECK(t.participant == r.participant);
      }
    }
  };
  links(j.readings(), c.readings.trigger);
  links(j.exercises(), c.exercises.trigger);
  links(j.thought_records(), c.thoughts.trigger);
  // Participant codes name the record's participant, in sorted name order.
  CHECK(std::is_sorted(c.participants.begin(), c.participants.end()));
  for (std::size_t i = 0; i < c.triggers.size(); ++i) {
    CHECK(c.participants[static_cast<std::size_t>(c.triggers.participant[i])] == j.trigger(i).participant);
  }
}

}  // namespace

TEST_CASE("random records added in random order read back as a sorted std::vector would hold them",
          "[journal][columns]") {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    const auto c = random_cohort(rng, 160);
    // `add` one by one; a record linked to a trigger not yet added waits for it.
    Journal j;
    std::vector<Record> arrival, waiting;
    auto try_add = [&](const Record& r) {
      const bool ready = std::visit(
          [&j](const auto& v) {
            if constexpr (requires { v.trigger; }) {
              return v.trigger.empty() || j.find_trigger(v.participant, v.trigger).has_value();
            }
            return true;
          },
          r);
      if (!ready) return false;
      j.add(r);
      arrival.push_back(r);
      return true;
    };
    for (const auto& r : c.order) {
      if (!try_add(r)) {
        waiting.push_back(r);
        continue;
      }
      std::erase_if(waiting, try_add);
    }
    REQUIRE(waiting.empty());
    const auto ref = reference(arrival);
    check_same(j, ref);
    check_links(j);

    // The checking constructor and the builder, from the same arrival order.
    RecordSet set = reference({});
    for (const auto& r : arrival) {
      std::visit(
          [&set](const auto& v) {
            using R = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<R, Trigger>) set.triggers.push_back(v);
            if constexpr (std::is_same_v<R, Reading>) set.readings.push_back(v);
            if constexpr (std::is_same_v<R, ExerciseSession>) set.exercises.push_back(v);
            if constexpr (std::is_same_v<R, ThoughtRecord>) set.thought_records.push_back(v);
            if constexpr (std::is_same_v<R, Assessment>) set.assessments.push_back(v);
          },
          r);
    }
    const Journal checked(set);
    check_same(checked, ref);
    CHECK(checked == j);
    check_links(checked);
    // Three builders filled with consecutive thirds, joined in order.
    JournalBuilder parts[3];
    for (std::size_t i = 0; i < arrival.size(); ++i) parts[i * 3 / arrival.size()].push(arrival[i]);
    parts[0].append(std::move(parts[1]));
    parts[0].append(std::move(parts[2]));
    CHECK(parts[1].size() == 0);
    const Journal built = std::move(parts[0]).build(detail::trusted);
    check_same(built, ref);
    CHECK(built == j);
    check_links(built);
    // One builder used again and again, cleared by each append (its columns'
    // capacity kept, as the reader reuses a share's), after holding other
    // records first; the total sized ahead once: the same journal.
    {
      JournalBuilder spare, total;
      for (std::size_t i = 0; i < c.order.size(); i += 2) spare.push(c.order[i]);
      spare.clear();
      CHECK(spare.size() == 0);
      for (std::size_t i = 0; i < arrival.size(); ++i) {
        spare.push(arrival[i]);
        if (i % 50 == 49 || i + 1 == arrival.size()) {
          total.append(std::move(spare));
          CHECK(spare.size() == 0);
          if (i == 49) total.reserve_scaled(2.5);
        }
      }
      const Journal again = std::move(total).build(detail::trusted);
      check_same(again, ref);
      CHECK(again == j);
      check_links(again);
    }
    // The reader's way: sized ahead, then room made before each append, so
    // the append itself moves no column; the same journal.
    {
      JournalBuilder spare, total;
      for (std::size_t i = 0; i < arrival.size(); ++i) {
        spare.push(arrival[i]);
        if (i % 37 == 36 || i + 1 == arrival.size()) {
          if (i > 36) total.reserve_for_append(spare, 1.5);
          const auto* times = total.columns().c.readings.time_us.data();
          const auto* notes = total.columns().re.note.arena.data();
          const bool room = i > 36 && total.columns().c.readings.time_us.capacity() > 0;
          total.append(std::move(spare));
          if (room) {
            CHECK(total.columns().c.readings.time_us.data() == times);
            CHECK(total.columns().re.note.arena.data() == notes);
          }
          if (i == 36) total.reserve_scaled(1.2);
        }
      }
      const Journal again = std::move(total).build(detail::trusted);
      check_same(again, ref);
      CHECK(again == j);
      check_links(again);
    }
    // Builders linked by row (as the reader fills them): the records in the
    // cohort's own random order (links point forward and back), three
    // builders joined, then each link set to the push-order index of its
    // trigger, found here with a std::map.
    {
      std::map<std::pair<std::string, std::string>, std::size_t> trigger_at;
      std::array<std::size_t, 5> pushed{};
      for (const auto& r : c.order) {
        if (const auto* t = std::get_if<Trigger>(&r)) trigger_at[{t->participant, t->id}] = pushed[0];
        ++pushed[r.index()];
      }
      JournalBuilder by_row[3]{JournalBuilder(detail::linked_by_row), JournalBuilder(detail::linked_by_row),
                               JournalBuilder(detail::linked_by_row)};
      for (std::size_t i = 0; i < c.order.size(); ++i) by_row[i * 3 / c.order.size()].push(c.order[i]);
      by_row[0].append(std::move(by_row[1]));
      by_row[0].append(std::move(by_row[2]));
      std::array<std::size_t, 5> row{};
      for (const auto& r : c.order) {
        std::visit(
            [&](const auto& v) {
              using R = std::decay_t<decltype(v)>;
              if constexpr (detail::has_link<R>) {
                if (!v.trigger.empty())
                  by_row[0].link<R>(row[r.index()], trigger_at.at({v.participant, v.trigger}));
              }
            },
            r);
        ++row[r.index()];
      }
      const Journal linked = std::move(by_row[0]).build(detail::trusted);
      // Ties keep the input order (here c.order): the same records through a
      // builder that links by id, in the same order.
      JournalBuilder by_id;
      for (const auto& r : c.order) by_id.push(r);
      CHECK(linked == std::move(by_id).build(detail::trusted));
      check_links(linked);
    }
    CHECK(j.records().triggers == ref.triggers);

    // Per-participant and time-range views against a filter of the reference.
    for (const auto& p : std::vector<std::string>{"", "ana", "bo", "cy", "zed", "nobody"}) {
      auto of = [&p](const auto& v) {
        std::remove_cvref_t<decltype(v)> out;
        std::copy_if(v.begin(), v.end(), std::back_inserter(out),
                     [&p](const auto& r) { return r.participant == p; });
        return out;
      };
      CHECK(j.triggers_of(p).to_vector() == of(ref.triggers));
      CHECK(j.readings_of(p).to_vector() == of(ref.readings));
      CHECK(j.exercises_of(p).to_vector() == of(ref.exercises));
      CHECK(j.thought_records_of(p).to_vector() == of(ref.thought_records));
      CHECK(j.assessments_of(p).to_vector() == of(ref.assessments));
      const auto from = Instant::from_utc_us(1'772'000'000'000'000 + 3 * 3'600'000'000LL);
      const auto to = Instant::from_utc_us(1'772'000'000'000'000 + 8 * 3'600'000'000LL);
      auto between = [&](const auto& v) {
        auto out = of(v);
        std::erase_if(out, [&](const auto& r) {
          return r.time.utc_us() < from.utc_us() || r.time.utc_us() >= to.utc_us();
        });
        return out;
      };
      CHECK(j.triggers_between(p, from, to).to_vector() == between(ref.triggers));
      CHECK(j.readings_between(p, from, to).to_vector() == between(ref.readings));
      CHECK(j.exercises_between(p, from, to).to_vector() == between(ref.exercises));
      CHECK(j.thought_records_between(p, from, to).to_vector() == between(ref.thought_records));
      CHECK(j.assessments_between(p, from, to).to_vector() == between(ref.assessments));
      // find_trigger finds each of the participant's triggers and nothing else.
      for (const auto& t : of(ref.triggers)) {
        const auto found = j.find_trigger(p, t.id);
        REQUIRE(found.has_value());
        CHECK(*found == t);
      }
      CHECK_FALSE(j.find_trigger(p, "no-such-trigger").has_value());
    }

    // Equality and revision: a copy is equal and keeps the revision; a change differs.
    Journal copy = j;
    CHECK(copy == j);
    CHECK(copy.revision() == j.revision());
    const auto before = copy.revision();
    Reading extra;
    extra.participant = "ana";
    extra.time = Instant::from_utc_us(1'772'000'000'000'000);
    extra.intensity = Intensity(3);
    extra.note = "one more";
    copy.add(extra);
    CHECK(copy.revision() != before);
    CHECK_FALSE(copy == j);
  }
}

TEST_CASE("a builder's sorts and gathers spread over threads give the journal of one", "[journal][builder]") {
  // Enough records of each type that the sorts are split among the tasks;
  // ties are common (a few instants and offsets), and must keep input order.
  std::mt19937 rng(15);
  const auto c = random_cohort(rng, 30000);
  const auto ref = reference(c.order);
  for (const std::size_t parts : {2, 3, 8}) {
    INFO("parts " << parts);
    JournalBuilder one, many;
    for (const auto& r : c.order) {
      one.push(r);
      many.push(r);
    }
    std::size_t calls = 0;
    auto threads = [&calls](std::size_t n, auto&& fn) {
      ++calls;
      std::vector<std::thread> pool;
      for (std::size_t k = 1; k < n; ++k) pool.emplace_back([&fn, k] { fn(k); });
      fn(0);
      for (auto& t : pool) t.join();
    };
    const Journal spread = std::move(many).build(detail::trusted, parts, threads);
    CHECK(calls >= 5);
    check_same(spread, ref);
    check_links(spread);
    CHECK(spread == std::move(one).build(detail::trusted));
  }
}

TEST_CASE("text and list columns that hold nothing keep one empty row per record through sorts and erasures",
          "[journal][builder]") {
  // Every optional text and list left empty (as a journal of readings
  // without ids or notes has them): those columns hold no byte or item, and
  // the sort and the erasure only change their row counts.
  std::mt19937 rng(17);
  auto c = random_cohort(rng, 20000);
  for (auto& x : c.order) {
    std::visit(
        [](auto& r) {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, Trigger>) {
            r.context = r.urge = r.response = "";
            r.thoughts.clear();
            r.sensations.clear();
            r.tags.clear();
          } else if constexpr (std::is_same_v<R, Reading>) {
            r.id = r.note = "";
          } else if constexpr (std::is_same_v<R, ExerciseSession>) {
            r.responses.clear();
          } else if constexpr (std::is_same_v<R, ThoughtRecord>) {
            r.automatic_thought = r.friend_advice = r.balanced_thought = "";
            r.emotions.clear();
            r.evidence_for.clear();
            r.evidence_against.clear();
            r.alternatives.clear();
          } else if constexpr (std::is_same_v<R, Assessment>) {
            r.note = "";
            r.answers.clear();
          }
        },
        x);
  }
  auto threads = [](std::size_t n, auto&& fn) {
    std::vector<std::thread> pool;
    for (std::size_t k = 1; k < n; ++k) pool.emplace_back([&fn, k] { fn(k); });
    fn(0);
    for (auto& t : pool) t.join();
  };
  auto empty_rows = [](const Journal& j) {
    const auto& t = j.storage();
    CHECK(t.re.note.arena.empty());
    CHECK(t.re.note.size() == j.readings().size());
    CHECK(std::ranges::all_of(t.re.note.offset, [](std::uint64_t o) { return o == 0; }));
    CHECK(std::ranges::all_of(t.re.note.length, [](std::uint32_t n) { return n == 0; }));
    CHECK(t.tr.tags.start.size() == j.triggers().size());
    CHECK(std::ranges::all_of(t.tr.tags.count, [](std::uint32_t n) { return n == 0; }));
  };
  const auto ref = reference(c.order);
  for (const std::size_t parts : {1, 3}) {
    INFO("parts " << parts);
    JournalBuilder b;
    for (const auto& r : c.order) b.push(r);
    const Journal j = std::move(b).build(detail::trusted, parts, threads);
    check_same(j, ref);
    check_links(j);
    empty_rows(j);
  }
  // Erased rows (the builder's, in push order) leave the same records as never pushing them.
  const std::vector<std::size_t> gone_readings{0, 5, 6, 100}, gone_assessments{1, 2};
  std::vector<Record> kept;
  std::size_t reading = 0, assessment = 0;
  JournalBuilder b;
  for (const auto& r : c.order) {
    b.push(r);
    if (std::holds_alternative<Reading>(r) &&
        std::ranges::find(gone_readings, reading++) != gone_readings.end())
      continue;
    if (std::holds_alternative<Assessment>(r) &&
        std::ranges::find(gone_assessments, assessment++) != gone_assessments.end())
      continue;
    kept.push_back(r);
  }
  b.erase<Reading>(gone_readings);
  b.erase<Assessment>(gone_assessments);
  const Journal j = std::move(b).build(detail::trusted, 3, threads);
  check_same(j, reference(kept));
  check_links(j);
  empty_rows(j);
}

TEST_CASE("a builder's sorts may use memory the caller hands over, whatever its size", "[journal][builder]") {
  std::mt19937 rng(16);
  const auto c = random_cohort(rng, 30000);
  const auto ref = reference(c.order);
  auto threads = [](std::size_t n, auto&& fn) {
    std::vector<std::thread> pool;
    for (std::size_t k = 1; k < n; ++k) pool.emplace_back([&fn, k] { fn(k); });
    fn(0);
    for (auto& t : pool) t.join();
  };
  // None, too little for the keys, enough for the keys only, enough for every task.
  for (const std::size_t words : {0, 1000, 60000, 1000000}) {
    INFO("spare words " << words);
    JournalBuilder b;
    for (const auto& r : c.order) b.push(r);
    std::vector<std::uint64_t> spare(words, 7);
    const Journal j =
        std::move(b).build(detail::trusted, 3, threads, detail::GatherScratch(std::move(spare)));
    check_same(j, ref);
    check_links(j);
  }
  // The scratch hands out the memory it holds, then its own.
  std::vector<std::uint64_t> held(1000, 1);
  const auto* at = reinterpret_cast<unsigned char*>(held.data());
  detail::GatherScratch s(std::move(held));
  CHECK(s.size() == 8000);
  detail::GatherScratch front = s.take_front(100);
  CHECK(front.size() == 100);
  CHECK(front.bytes(100) == at);
  CHECK(s.size() == 8000 - 128);
  CHECK(s.bytes(10) == at + 128);
  CHECK(s.bytes(10000) != nullptr);
  CHECK(s.size() == 10000);
}

TEST_CASE("a trigger inserted before others moves the links to the rows after it", "[journal][columns]") {
  auto trig = [](std::string p, std::string id, std::int64_t hour) {
    Trigger t;
    t.participant = std::move(p);
    t.id = std::move(id);
    t.time = Instant::from_utc_us(hour * 3'600'000'000LL);
    t.intensity = Intensity(6);
    return t;
  };
  auto read = [](std::string p, std::string trigger, std::int64_t hour) {
    Reading r;
    r.participant = std::move(p);
    r.time = Instant::from_utc_us(hour * 3'600'000'000LL);
    r.intensity = Intensity(2);
    r.trigger = std::move(trigger);
    return r;
  };
  Journal j;
  j.add(trig("p", "late", 10));
  j.add(read("p", "late", 11));
  j.add(trig("q", "q1", 1));
  j.add(read("q", "q1", 2));
  // Rows now: triggers (p late, q q1); readings (p → row 0, q → row 1).
  CHECK(j.columns().readings.trigger == std::vector<std::int32_t>{0, 1});
  j.add(trig("p", "early", 5));  // goes to row 0: every link moves on by one
  CHECK(j.columns().readings.trigger == std::vector<std::int32_t>{1, 2});
  j.add(read("p", "early", 6));
  CHECK(j.columns().readings.trigger == std::vector<std::int32_t>{0, 1, 2});
  CHECK(j.reading(0).trigger == "early");
  CHECK(j.reading(1).trigger == "late");
  CHECK(j.reading(2).trigger == "q1");
  // A link to a trigger the participant does not have is still refused, and
  // the journal is unchanged.
  const auto rev = j.revision();
  CHECK_THROWS_WITH(j.add(read("q", "early", 3)),
                    Catch::Contains("refers to trigger 'early', which participant 'q' does not have"));
  CHECK(j.revision() == rev);
  CHECK(j.readings().size() == 3);
}

TEST_CASE("a new participant renumbers the codes after its name", "[journal][columns]") {
  auto read = [](std::string p, std::int64_t hour) {
    Reading r;
    r.participant = std::move(p);
    r.time = Instant::from_utc_us(hour * 3'600'000'000LL);
    r.intensity = Intensity(4);
    return r;
  };
  Journal j;
  j.add(read("mia", 1));
  j.add(read("zoe", 2));
  CHECK(j.columns().participants == std::vector<std::string>{"mia", "zoe"});
  CHECK(j.columns().readings.participant == std::vector<std::int32_t>{0, 1});
  j.add(read("ana", 3));  // sorts first: mia and zoe become 1 and 2
  CHECK(j.columns().participants == std::vector<std::string>{"ana", "mia", "zoe"});
  CHECK(j.columns().readings.participant == std::vector<std::int32_t>{0, 1, 2});
  CHECK(j.reading(0).participant == "ana");
  CHECK(j.reading(2).participant == "zoe");
  CHECK(j.readings_of("mia").first_row() == 1);
  CHECK(j.participants() == std::vector<std::string>{"ana", "mia", "zoe"});
}

TEST_CASE("builders joined in order keep ties in input order", "[journal][builder]") {
  auto read = [](std::string p, std::string note) {
    Reading r;
    r.participant = std::move(p);
    r.time = Instant::from_utc_us(1'000'000);  // every reading at the same instant
    r.intensity = Intensity(1);
    r.note = std::move(note);
    return r;
  };
  JournalBuilder a, b, c;
  a.push(read("y", "1"));
  a.push(read("x", "2"));
  b.push(read("y", "3"));
  c.push(read("x", "4"));
  c.push(read("z", "5"));
  a.append(std::move(b));
  a.append(std::move(c));
  CHECK(a.size() == 5);
  const Journal j = std::move(a).build(detail::trusted);
  std::vector<std::string> notes;
  for (const auto& r : j.readings()) notes.push_back(r.participant + r.note);
  // Sorted by participant; within one, ties keep the order of the joined input.
  CHECK(notes == std::vector<std::string>{"x2", "x4", "y1", "y3", "z5"});
  // A link to a trigger the participant lacks is refused at build.
  JournalBuilder bad;
  auto r = read("x", "");
  r.trigger = "missing";
  bad.push(r);
  CHECK_THROWS_WITH(std::move(bad).build(detail::trusted), Catch::Contains("missing"));
}

TEST_CASE("pushes that hand over the participant's hash code participants as pushes without",
          "[journal][builder]") {
  auto read = [](std::string p, std::int64_t us) {
    Reading r;
    r.participant = std::move(p);
    r.time = Instant::from_utc_us(us);
    r.intensity = Intensity(1);
    return r;
  };
  const std::vector<std::string> names{"b", "a", "b", "b", "c", "a", "participant-0000001", "a"};
  JournalBuilder plain, hashed;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Reading r = read(names[i], static_cast<std::int64_t>(i));
    plain.push(r);
    if (i % 3 == 2) {
      hashed.push(r);  // mixed: the last participant is still told apart
    } else {
      hashed.push(r, detail::hash_bytes(r.participant, 0, hashed.participant_hash_key()));
    }
  }
  CHECK(hashed.columns().c.participants == plain.columns().c.participants);
  CHECK(hashed.columns().c.readings.participant == plain.columns().c.readings.participant);
  CHECK(std::move(hashed).build(detail::trusted) == std::move(plain).build(detail::trusted));
}

TEST_CASE("builders linked by row: links follow their triggers through append and sort",
          "[journal][builder]") {
  auto trigger = [](std::string p, std::string id, std::int64_t hour) {
    Trigger t;
    t.participant = std::move(p);
    t.id = std::move(id);
    t.time = Instant::from_utc_us(1'772'000'000'000'000 + hour * 3'600'000'000LL);
    t.intensity = Intensity(5);
    return t;
  };
  auto reading = [](std::string p, std::string to, std::int64_t hour) {
    Reading r;
    r.participant = std::move(p);
    r.trigger = std::move(to);
    r.time = Instant::from_utc_us(1'772'000'000'000'000 + hour * 3'600'000'000LL);
    r.intensity = Intensity(2);
    return r;
  };
  JournalBuilder a(detail::linked_by_row), b(detail::linked_by_row);
  a.push(trigger("zoe", "t1", 5));
  a.push(trigger("ana", "t1", 9));  // same id, another participant
  a.push(reading("ana", "t1", 10));
  a.link<Reading>(0, 1);  // a's second trigger
  b.push(trigger("ana", "t0", 1));
  b.push(reading("zoe", "t9", 2));  // its trigger text is not kept: the link says which
  b.push(reading("ana", "t0", 3));
  b.link<Reading>(1, 0);  // b's own first trigger: after the append, row 2 of the pushed triggers
  a.append(std::move(b));
  a.link<Reading>(1, 0);  // the second reading (b's first) to zoe's t1, by row
  const Journal j = std::move(a).build(detail::trusted);
  // Sorted: triggers ana/t0 (1 h), ana/t1 (9 h), zoe/t1 (5 h); readings ana 3 h, ana 10 h, zoe 2 h.
  REQUIRE(j.readings().size() == 3);
  CHECK(j.readings()[0].trigger == "t0");
  CHECK(j.readings()[1].trigger == "t1");
  CHECK(j.readings()[2].trigger == "t1");
  CHECK(j.columns().readings.trigger == std::vector<std::int32_t>{0, 1, 2});
  // The two kinds do not mix.
  JournalBuilder by_id, by_row(detail::linked_by_row);
  CHECK_THROWS_AS(by_id.append(std::move(by_row)), std::invalid_argument);
}

TEST_CASE("builders erase records as if they had never been pushed", "[journal][builder]") {
  auto at = [](std::int64_t hour) {
    return Instant::from_utc_us(1'772'000'000'000'000 + hour * 3'600'000'000LL);
  };
  auto trigger = [&](std::string p, std::string id, std::int64_t hour) {
    Trigger t;
    t.participant = std::move(p);
    t.id = std::move(id);
    t.time = at(hour);
    t.intensity = Intensity(5);
    return t;
  };
  auto exercise = [&](std::string p, std::string name, std::string to, std::int64_t hour) {
    ExerciseSession e;
    e.participant = std::move(p);
    e.exercise = std::move(name);
    e.trigger = std::move(to);
    e.time = at(hour);
    e.end = at(hour + 1);
    return e;
  };
  // What the same records give when only the kept ones are pushed.
  auto expected = [&] {
    JournalBuilder b;
    b.push(trigger("ana", "t1", 1));
    b.push(trigger("bo", "t3", 3));
    b.push(exercise("ana", "custom.walk", "t1", 4));
    b.push(exercise("bo", "breathing.4-7-8", "t3", 6));
    return std::move(b).build(detail::trusted);
  }();

  SECTION("linked by row: links to the triggers after an erased one are renumbered") {
    JournalBuilder b(detail::linked_by_row);
    b.push(trigger("ana", "t1", 1));
    b.push(trigger("ghost", "t2", 2));  // erased: its participant leaves the dictionary
    b.push(trigger("bo", "t3", 3));
    b.push(exercise("ana", "custom.walk", "t1", 4));
    b.push(exercise("ghost", "custom.never", "t2", 5));  // erased: its exercise name leaves too
    b.push(exercise("bo", "breathing.4-7-8", "t3", 6));
    b.link<ExerciseSession>(0, 0);
    b.link<ExerciseSession>(2, 2);
    b.erase<Trigger>({1});
    b.erase<ExerciseSession>({1});
    CHECK(b.size() == 4);
    const Journal j = std::move(b).build(detail::trusted);
    CHECK(j == expected);
    CHECK(j.participants() == std::vector<std::string>{"ana", "bo"});
    CHECK(j.columns().exercise_names == std::vector<std::string>{"custom.walk", "breathing.4-7-8"});
    CHECK(j.exercises()[1].trigger == "t3");
  }
  SECTION("linked by id, and erased in builders joined later") {
    JournalBuilder a, b;
    a.push(exercise("ghost", "custom.never", "t2", 5));  // erased: the first name of the dictionary goes
    a.push(trigger("ana", "t1", 1));
    a.push(exercise("ana", "custom.walk", "t1", 4));
    a.erase<ExerciseSession>({0});
    b.push(trigger("bo", "t3", 3));
    b.push(exercise("bo", "breathing.4-7-8", "t3", 6));
    b.push(exercise("bo", "custom.walk", "t9", 7));  // erased: a link that would fail at build
    b.erase<ExerciseSession>({1});
    b.erase<Trigger>({});  // nothing
    a.append(std::move(b));
    const Journal j = std::move(a).build(detail::trusted);
    CHECK(j == expected);
    CHECK(j.participants() == std::vector<std::string>{"ana", "bo"});
    CHECK(j.columns().exercise_names == std::vector<std::string>{"custom.walk", "breathing.4-7-8"});
  }
}

TEST_CASE("metrics read the journal's own columns: no cohort is built", "[journal][columns][metrics]") {
  std::mt19937 rng(7);
  const auto c = random_cohort(rng, 200);
  Journal j(c.all);
  const Cohort* before = &j.columns();
  // The columns count as checked: a metric does not check (or copy) them again.
  CHECK(j.columns().checked_stamp_ == j.columns().stamp());
  const auto eps = metrics::time_to_calm(j.columns());
  CHECK(eps.size() == j.triggers().size());
  Reading extra;
  extra.participant = "ana";
  extra.time = Instant::from_utc_us(1'772'000'000'000'000);
  extra.intensity = Intensity(3);
  j.add(extra);
  CHECK(&j.columns() == before);
  CHECK(j.columns().checked_stamp_ == j.columns().stamp());
  // The columns hold what the records hold.
  const auto& cols = j.columns();
  for (std::size_t i = 0; i < j.triggers().size(); ++i) {
    const auto t = j.trigger(i);
    CHECK(cols.triggers.time_us[i] == t.time.utc_us());
    CHECK(cols.triggers.intensity[i] == t.intensity.value());
    CHECK(cols.trigger_ids[i] == t.id);
  }
  // The old conversion is a copy now, equal to the columns.
  const auto copy = Cohort::from_journal(j);
  CHECK(copy.triggers.time_us == cols.triggers.time_us);
  CHECK(copy.readings.trigger == cols.readings.trigger);
  CHECK(copy.thoughts.distortion_offsets == cols.thoughts.distortion_offsets);
}

TEST_CASE("views are random-access ranges of record values", "[journal][columns]") {
  Journal j;
  for (int h = 5; h >= 1; --h) {
    Reading r;
    r.participant = "p";
    r.time = Instant::from_utc_us(h * 3'600'000'000LL);
    r.intensity = Intensity(h);
    j.add(r);
  }
  const auto v = j.readings_of("p");
  REQUIRE(v.size() == 5);
  CHECK(v.front().intensity.value() == 1);
  CHECK(v.back().intensity.value() == 5);
  CHECK(v[2].intensity.value() == 3);
  CHECK((v.end() - v.begin()) == 5);
  CHECK(v.begin()->intensity.value() == 1);
  CHECK(std::ranges::count_if(v, [](const Reading& r) { return r.intensity.value() >= 3; }) == 3);
  auto high = v | std::views::filter([](const Reading& r) { return r.intensity.value() > 3; });
  CHECK(std::ranges::distance(high) == 2);
  CHECK(std::ranges::is_sorted(v, {}, [](const Reading& r) { return r.time; }));
  CHECK(j.readings_of("nobody").empty());
  Reading scratch;
  j.load(3, scratch);
  CHECK(scratch.intensity.value() == 4);
}
