// calmkit::Store's reads: each record type built from its rows, every value
// checked on the way out; a bad one is named with its record and field as an
// invalid value of the store (a file changed by another tool).
#include "store_records.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/validate.hpp>

#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace calmkit::detail {

// --- decoding rows -------------------------------------------------------------

void corrupt(const Impl& impl, const std::string& what) {
  throw_runtime("store '" + impl.path + "' holds an invalid value: " + what);
}

/// Text column `col` of a record, checked to be UTF-8. calmkit writes only
/// UTF-8 (`Store::add` refuses anything else); a store changed by another tool
/// may hold other bytes, which C++ callers could not rely on and Python could
/// not decode: such a value is an invalid value of the store, named with the
/// record and the field.
std::string text_of(const Impl& impl, const Query& q, int col, const std::string& who,
                    std::string_view field) {
  std::string s = q.text(col);
  if (auto bad = rules::utf8_text(field, s)) [[unlikely]]
    corrupt(impl, JournalFormatError::compose(who, 0, bad->field, bad->reason));
  return s;
}

namespace {

/// Reads a record's participant (column `col`) and id (`col + 1`), both
/// checked to be UTF-8, and returns the record as messages name it. `row` is
/// the record's key in `table`, for a record whose own participant or id
/// cannot be shown.
std::string identify(const Impl& impl, const Query& q, int col, std::string_view type, std::string_view table,
                     std::int64_t row, std::string& participant, std::string& id) {
  const std::string where =
      std::string(type) + " in row " + std::to_string(row) + " of table " + std::string(table);
  participant = text_of(impl, q, col, where, "participant");
  id = text_of(impl, q, col + 1, where, "id");
  return describe_record(type, participant, id);
}

/// The instant in columns `us_col` (UTC microseconds) and `offset_col` (minutes)
/// of the record's `field`, read from row `row` of `table`. The schema bounds
/// the offset but not the microseconds, so a store changed by another tool
/// can hold any int64 there: a time outside the years 1400..9999 is an invalid
/// value, as the journal reader and the Arrow bridge say it (a Journal never
/// holds one), with the number and the row it is in.
Instant instant_of(const Impl& impl, const Query& q, int us_col, int offset_col, const std::string& who,
                   const char* field, std::string_view table, std::int64_t row) {
  const std::int64_t minutes = q.int64(offset_col);
  const auto off = minutes < -UtcOffset::max_minutes || minutes > UtcOffset::max_minutes
                       ? std::nullopt
                       : UtcOffset::make(static_cast<int>(minutes));
  if (!off) corrupt(impl, JournalFormatError::compose(who, 0, field, detail::offset_out_of_range(minutes)));
  const std::int64_t us = q.int64(us_col);
  if (!detail::in_year_range(us, off->minutes())) {
    corrupt(impl, JournalFormatError::compose(who, 0, field,
                                              detail::year_out_of_range_at_offset() + ", got " +
                                                  std::to_string(us) + " microseconds at offset " +
                                                  std::to_string(minutes) + " minutes in row " +
                                                  std::to_string(row) + " of table " + std::string(table)));
  }
  return Instant::from_utc_us(us, *off);
}

/// Refuses a row of list table `table` that `who`'s record has no list for
/// (`field`): the schema's CHECK names the lists, and a program that turned
/// CHECKs off could write any text there, which must not land in another list.
[[noreturn]] void unknown_list(const Impl& impl, const std::string& who, std::string_view table,
                               std::string_view field) {
  corrupt(impl, who + ": a row of table " + std::string(table) + " is in list " + quote_printable(field) +
                    ", which the record does not have");
}

/// Refuses a read whose range holds a row of `table` (records of `type`,
/// key column `key`) whose participant row is gone: a store changed by a
/// program that left foreign keys off (the sqlite3 shell does by default).
/// The reads join each record to its participant's name, so such a row
/// would be left out without a word while `Store::size` counts it. A read of
/// one participant who has a row cannot be missing one (a row's participant
/// is a key, and theirs is there); a read of a name the store does not hold
/// (the participant whose row was deleted) is refused like a read of all.
/// The check reads the `(pid, time_us)` index only.
void refuse_orphans(Impl& impl, const Filter& f, std::string_view type, std::string_view table,
                    std::string_view key) {
  if (f.id) return;  // one record by participant and id: it has a participant
  if (f.participant && find_participant(impl, *f.participant)) return;
  Query q(impl, "SELECT x." + std::string(key) + ", x.pid FROM " + std::string(table) +
                    " x LEFT JOIN participants p ON p.pid = x.pid WHERE p.pid IS NULL AND x.time_us >= ?1 "
                    "AND x.time_us <= ?2 ORDER BY x." +
                    std::string(key) + " LIMIT 1");
  q.bind(1, f.from_us).bind(2, f.last_us);
  if (!q.step("checking participants")) return;
  corrupt(impl, std::string(type) + " in row " + std::to_string(q.int64(0)) + " of table " +
                    std::string(table) + ": participant row " + std::to_string(q.int64(1)) + " is missing");
}

template <class Bounded>
Bounded bounded_of(const Impl& impl, const Query& q, int col, const std::string& who,
                   std::string_view field) {
  auto v = Bounded::make(q.int64(col));
  if (!v)
    corrupt(impl, JournalFormatError::compose(who, 0, field, Bounded::out_of_range_reason(q.int64(col))));
  return *v;
}

template <class Bounded>
std::optional<Bounded> opt_bounded_of(const Impl& impl, const Query& q, int col, const std::string& who,
                                      std::string_view field) {
  if (q.is_null(col)) return std::nullopt;
  return bounded_of<Bounded>(impl, q, col, who, field);
}

/// Item `k` of list field `list` as every entry point names it: `thoughts[2]`,
/// `emotions[0]` (the journal reader's, the Arrow bridge's and the record
/// classes' words for the same item).
std::string item_field(std::string_view list, std::size_t k) {
  return std::string(list) + '[' + std::to_string(k) + ']';
}

/// The WHERE clause every read uses; `a` is the record table's alias.
std::string where(std::string_view a) {
  std::string w = " WHERE (?1 IS NULL OR p.name = ?1) AND ";
  w += a;
  w += ".time_us >= ?2 AND ";
  w += a;
  w += ".time_us <= ?3 AND (?4 IS NULL OR ";
  w += a;
  w += ".id = ?4) ";
  return w;
}

}  // namespace

Filter make_filter(std::optional<std::string_view> participant, std::optional<Instant> from,
                   std::optional<Instant> to) {
  Filter f;
  if (participant) f.participant = std::string(*participant);
  if (from) f.from_us = from->utc_us();
  if (to) {
    // `to` is exclusive; the filter's last microsecond is inclusive.
    if (to->utc_us() == std::numeric_limits<std::int64_t>::min()) {
      f.from_us = std::numeric_limits<std::int64_t>::max();  // nothing is before it: an empty range
      f.last_us = std::numeric_limits<std::int64_t>::min();
    } else {
      f.last_us = to->utc_us() - 1;
    }
  }
  return f;
}

// --- readers per type -------------------------------------------------------------

std::vector<Trigger> read_triggers(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT t.tid, p.name, t.id, t.time_us, t.time_offset, t.category, t.intensity, t.context, t.urge, "
      "t.acted_on_urge, t.acted_after_minutes, t.response FROM triggers t JOIN participants p ON p.pid = "
      "t.pid" +
      where("t") + "ORDER BY p.name, t.time_us, t.time_offset, t.id";
  static const std::string items_sql =
      "SELECT i.tid, i.field, i.value FROM trigger_items i JOIN triggers t ON t.tid = i.tid "
      "JOIN participants p ON p.pid = t.pid" +
      where("t") + "ORDER BY i.tid, i.field, i.position";
  refuse_orphans(impl, f, "trigger", "triggers", "tid");
  std::vector<Trigger> out;
  std::unordered_map<std::int64_t, std::size_t, detail::KeyedHash> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading triggers")) {
      Trigger t;
      const std::string who = identify(impl, q, 1, "trigger", "triggers", q.int64(0), t.participant, t.id);
      t.time = instant_of(impl, q, 3, 4, who, "time", "triggers", q.int64(0));
      const std::string cat = q.text(5);
      auto c = trigger_category_from_id(cat);
      if (!c) corrupt(impl, JournalFormatError::compose(who, 0, "category", unknown_trigger_category(cat)));
      t.category = *c;
      t.intensity = bounded_of<Intensity>(impl, q, 6, who, "intensity");
      t.context = text_of(impl, q, 7, who, "context");
      t.urge = text_of(impl, q, 8, who, "urge");
      if (!q.is_null(9)) t.acted_on_urge = q.int64(9) != 0;
      if (!q.is_null(10)) {
        t.acted_after_minutes = Minutes::make(q.real(10));
        if (!t.acted_after_minutes)
          corrupt(impl, JournalFormatError::compose(who, 0, "acted_after_minutes",
                                                    Minutes::out_of_range_reason(q.real(10))));
      }
      t.response = text_of(impl, q, 11, who, "response");
      index.emplace(q.int64(0), out.size());
      out.push_back(std::move(t));
    }
  }
  if (out.empty()) return out;
  Query q(impl, items_sql);
  f.bind(q);
  while (q.step("reading trigger lists")) {
    auto it = index.find(q.int64(0));
    if (it == index.end()) continue;
    Trigger& t = out[it->second];
    const std::string field = q.text(1);
    const std::string who = describe_record("trigger", t.participant, t.id);
    if (field != "thought" && field != "sensation" && field != "tag")
      unknown_list(impl, who, "trigger_items", field);
    auto& list = field == "thought" ? t.thoughts : field == "sensation" ? t.sensations : t.tags;
    list.push_back(text_of(impl, q, 2, who, item_field(field + "s", list.size())));
  }
  return out;
}

std::vector<Reading> read_readings(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT p.name, r.id, r.time_us, r.time_offset, r.intensity, r.trigger_id, r.note, r.rid "
      "FROM readings r JOIN participants p ON p.pid = r.pid" +
      where("r") + "ORDER BY p.name, r.time_us, r.time_offset, r.id";
  refuse_orphans(impl, f, "reading", "readings", "rid");
  std::vector<Reading> out;
  Query q(impl, sql);
  f.bind(q);
  while (q.step("reading readings")) {
    Reading r;
    const std::string who = identify(impl, q, 0, "reading", "readings", q.int64(7), r.participant, r.id);
    r.time = instant_of(impl, q, 2, 3, who, "time", "readings", q.int64(7));
    r.intensity = bounded_of<Intensity>(impl, q, 4, who, "intensity");
    r.trigger = text_of(impl, q, 5, who, "trigger");
    r.note = text_of(impl, q, 6, who, "note");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ExerciseSession> read_exercises(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT e.eid, p.name, e.id, e.time_us, e.time_offset, e.end_us, e.end_offset, e.exercise, "
      "e.completed, e.intensity_before, e.intensity_after, e.trigger_id "
      "FROM exercises e JOIN participants p ON p.pid = e.pid" +
      where("e") + "ORDER BY p.name, e.time_us, e.time_offset, e.id";
  static const std::string items_sql =
      "SELECT i.eid, i.value FROM exercise_responses i JOIN exercises e ON e.eid = i.eid "
      "JOIN participants p ON p.pid = e.pid" +
      where("e") + "ORDER BY i.eid, i.position";
  refuse_orphans(impl, f, "exercise", "exercises", "eid");
  std::vector<ExerciseSession> out;
  std::unordered_map<std::int64_t, std::size_t, detail::KeyedHash> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading exercises")) {
      ExerciseSession e;
      const std::string who = identify(impl, q, 1, "exercise", "exercises", q.int64(0), e.participant, e.id);
      e.time = instant_of(impl, q, 3, 4, who, "time", "exercises", q.int64(0));
      e.end = instant_of(impl, q, 5, 6, who, "end", "exercises", q.int64(0));
      e.exercise = text_of(impl, q, 7, who, "exercise");
      e.completed = q.int64(8) != 0;
      e.intensity_before = opt_bounded_of<Intensity>(impl, q, 9, who, "intensity_before");
      e.intensity_after = opt_bounded_of<Intensity>(impl, q, 10, who, "intensity_after");
      e.trigger = text_of(impl, q, 11, who, "trigger");
      index.emplace(q.int64(0), out.size());
      out.push_back(std::move(e));
    }
  }
  if (out.empty()) return out;
  Query q(impl, items_sql);
  f.bind(q);
  while (q.step("reading exercise responses")) {
    if (auto it = index.find(q.int64(0)); it != index.end()) {
      ExerciseSession& e = out[it->second];
      e.responses.push_back(text_of(impl, q, 1, describe_record("exercise", e.participant, e.id),
                                    item_field("responses", e.responses.size())));
    }
  }
  return out;
}

std::vector<ThoughtRecord> read_thought_records(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT x.xid, p.name, x.id, x.time_us, x.time_offset, x.situation, x.automatic_thought, "
      "x.belief_before, x.friend_advice, x.balanced_thought, x.belief_after, x.trigger_id "
      "FROM thought_records x JOIN participants p ON p.pid = x.pid" +
      where("x") + "ORDER BY p.name, x.time_us, x.time_offset, x.id";
  static const std::string items_sql =
      "SELECT i.xid, i.field, i.value FROM thought_record_items i JOIN thought_records x ON x.xid = i.xid "
      "JOIN participants p ON p.pid = x.pid" +
      where("x") + "ORDER BY i.xid, i.field, i.position";
  static const std::string emotions_sql =
      "SELECT m.xid, m.name, m.before, m.after FROM thought_record_emotions m "
      "JOIN thought_records x ON x.xid = m.xid JOIN participants p ON p.pid = x.pid" +
      where("x") + "ORDER BY m.xid, m.position";
  refuse_orphans(impl, f, "thought_record", "thought_records", "xid");
  std::vector<ThoughtRecord> out;
  std::unordered_map<std::int64_t, std::size_t, detail::KeyedHash> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading thought records")) {
      ThoughtRecord t;
      const std::string who =
          identify(impl, q, 1, "thought_record", "thought_records", q.int64(0), t.participant, t.id);
      t.time = instant_of(impl, q, 3, 4, who, "time", "thought_records", q.int64(0));
      t.situation = text_of(impl, q, 5, who, "situation");
      t.automatic_thought = text_of(impl, q, 6, who, "automatic_thought");
      t.belief_before = bounded_of<Percent>(impl, q, 7, who, "belief_before");
      t.friend_advice = text_of(impl, q, 8, who, "friend_advice");
      t.balanced_thought = text_of(impl, q, 9, who, "balanced_thought");
      t.belief_after = opt_bounded_of<Percent>(impl, q, 10, who, "belief_after");
      t.trigger = text_of(impl, q, 11, who, "trigger");
      index.emplace(q.int64(0), out.size());
      out.push_back(std::move(t));
    }
  }
  if (out.empty()) return out;
  {
    Query q(impl, items_sql);
    f.bind(q);
    while (q.step("reading thought record lists")) {
      auto it = index.find(q.int64(0));
      if (it == index.end()) continue;
      ThoughtRecord& t = out[it->second];
      const std::string field = q.text(1);
      if (field == "distortion") {
        const std::string id = q.text(2);
        auto d = distortion_from_id(id);
        if (!d)
          corrupt(impl, JournalFormatError::compose(describe_record("thought_record", t.participant, t.id), 0,
                                                    item_field("distortions", t.distortions.size()),
                                                    unknown_distortion(id)));
        t.distortions.push_back(*d);
      } else {
        if (field != "evidence_for" && field != "evidence_against" && field != "alternative")
          unknown_list(impl, describe_record("thought_record", t.participant, t.id), "thought_record_items",
                       field);
        auto& list = field == "evidence_for"       ? t.evidence_for
                     : field == "evidence_against" ? t.evidence_against
                                                   : t.alternatives;
        list.push_back(
            text_of(impl, q, 2, describe_record("thought_record", t.participant, t.id),
                    item_field(field == "alternative" ? std::string("alternatives") : field, list.size())));
      }
    }
  }
  Query q(impl, emotions_sql);
  f.bind(q);
  while (q.step("reading thought record emotions")) {
    auto it = index.find(q.int64(0));
    if (it == index.end()) continue;
    ThoughtRecord& t = out[it->second];
    const std::string who = describe_record("thought_record", t.participant, t.id);
    EmotionRating e;
    const std::string at = item_field("emotions", t.emotions.size());
    e.name = text_of(impl, q, 1, who, at + ".name");
    e.before = bounded_of<Percent>(impl, q, 2, who, at + ".before");
    e.after = opt_bounded_of<Percent>(impl, q, 3, who, at + ".after");
    t.emotions.push_back(std::move(e));
  }
  return out;
}

namespace {

/// An assessment read from the store, checked by the model's rules of the
/// record (`validate`: a non-empty id and instrument id) and then its answers
/// against the registered instrument.
void check_stored_answers(const Impl& impl, const Assessment& a) {
  if (auto broken = validate(a, TextCheck::checked)) [[unlikely]]  // text_of checked every text
    corrupt(impl, JournalFormatError::compose(describe_record(a), 0, broken->field, broken->reason));
  auto bad = validate_answers(a);
  if (!bad) [[likely]]
    return;
  const std::string what = JournalFormatError::compose(describe_record(a), 0, bad->field, bad->reason);
  // An instrument not registered in this program is not damage to the file.
  if (bad->field == "instrument") throw_runtime("store '" + impl.path + "': " + what);
  corrupt(impl, what);
}

}  // namespace

std::vector<Assessment> read_assessments(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT a.aid, p.name, a.id, a.time_us, a.time_offset, a.instrument, a.note "
      "FROM assessments a JOIN participants p ON p.pid = a.pid" +
      where("a") + "ORDER BY p.name, a.time_us, a.time_offset, a.id";
  static const std::string answers_sql =
      "SELECT n.aid, n.answer FROM assessment_answers n JOIN assessments a ON a.aid = n.aid "
      "JOIN participants p ON p.pid = a.pid" +
      where("a") + "ORDER BY n.aid, n.position";
  refuse_orphans(impl, f, "assessment", "assessments", "aid");
  std::vector<Assessment> out;
  std::unordered_map<std::int64_t, std::size_t, detail::KeyedHash> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading assessments")) {
      Assessment a;
      const std::string who =
          identify(impl, q, 1, "assessment", "assessments", q.int64(0), a.participant, a.id);
      a.time = instant_of(impl, q, 3, 4, who, "time", "assessments", q.int64(0));
      a.instrument = text_of(impl, q, 5, who, "instrument");
      a.note = text_of(impl, q, 6, who, "note");
      index.emplace(q.int64(0), out.size());
      out.push_back(std::move(a));
    }
  }
  if (out.empty()) return out;
  {
    Query q(impl, answers_sql);
    f.bind(q);
    while (q.step("reading assessment answers")) {
      auto it = index.find(q.int64(0));
      if (it == index.end()) continue;
      Assessment& a = out[it->second];
      const std::int64_t v = q.int64(1);
      if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
        corrupt(impl, describe_record("assessment", a.participant, a.id) + ": answer " + std::to_string(v) +
                          " is not an int");
      }
      a.answers.push_back(static_cast<int>(v));
    }
  }
  for (const auto& a : out) check_stored_answers(impl, a);
  return out;
}

}  // namespace calmkit::detail
