// calmkit::Store's writes: each record type written to its rows, the model's
// rules (validate.hpp) checked before every write and SQLite's constraint
// failures turned back into the model's messages.
#include "store_records.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/validate.hpp>

#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace calmkit::detail {

/// The participant's key, or nullopt when they have no row yet.
std::optional<std::int64_t> find_participant(Impl& impl, std::string_view name) {
  Query q(impl, "SELECT pid FROM participants WHERE name = ?1");
  q.bind(1, name);
  if (!q.step("looking up a participant")) return std::nullopt;
  return q.int64(0);
}

namespace {

std::int64_t participant_key(Impl& impl, std::string_view name) {
  if (auto pid = find_participant(impl, name)) return *pid;
  Query q(impl, "INSERT INTO participants(name) VALUES (?1)");
  q.bind(1, name).run("adding a participant");
  return sqlite3_last_insert_rowid(impl.db);
}

/// Where a record is refused: `store 'PATH': cannot add trigger 't1' of participant 'p'`.
template <class R>
std::string place(const Impl& impl, std::string_view action, const R& r) {
  return "store '" + impl.path + "': cannot " + std::string(action) + ' ' + describe_record(r);
}

/// The model's rules (validate.hpp) before a write, with the store as the place.
template <class R>
void check_record(const Impl& impl, std::string_view action, const R& r) {
  if (auto bad = validate(r)) [[unlikely]]
    throw_record(place(impl, action, r), std::move(*bad));
  if constexpr (std::is_same_v<R, Assessment>) {
    if (auto bad = validate_answers(r)) [[unlikely]]
      throw_record(place(impl, action, r), std::move(*bad));
  }
}

/// Turns SQLite's constraint failure into the model's rule that the database
/// enforced: a duplicate id (UNIQUE) or a link to a missing trigger (FOREIGN KEY).
template <class R>
[[noreturn]] void constraint_failed(const Impl& impl, const ConstraintError& e, std::string_view action,
                                    const R& r) {
  switch (e.code()) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      throw_record(place(impl, action, r),
                   RuleViolation{"id", rules::duplicate_id(record_type_of<R>, r.participant, r.id)});
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      if constexpr (requires { r.trigger; }) {
        throw_record(place(impl, action, r),
                     RuleViolation{"trigger", rules::unknown_trigger(r.participant, r.trigger)});
      }
      break;
    default: break;
  }
  throw_record(place(impl, action, r),
               RuleViolation{"", std::string("it breaks a rule of the store (") + e.what() + ')'});
}

void write_items(Impl& impl, const std::string& sql, std::int64_t key, std::string_view field,
                 const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    Query q(impl, sql);
    q.bind(1, key).bind(2, field).bind(3, static_cast<std::int64_t>(i)).bind(4, std::string_view(values[i]));
    q.run("writing a list item");
  }
}

const std::string trigger_items_insert =
    "INSERT INTO trigger_items(tid, field, position, value) VALUES (?1, ?2, ?3, ?4)";
const std::string thought_items_insert =
    "INSERT INTO thought_record_items(xid, field, position, value) VALUES (?1, ?2, ?3, ?4)";

void write_trigger_lists(Impl& impl, std::int64_t tid, const Trigger& t) {
  write_items(impl, trigger_items_insert, tid, "thought", t.thoughts);
  write_items(impl, trigger_items_insert, tid, "sensation", t.sensations);
  write_items(impl, trigger_items_insert, tid, "tag", t.tags);
}

void write_exercise_lists(Impl& impl, std::int64_t eid, const ExerciseSession& e) {
  for (std::size_t i = 0; i < e.responses.size(); ++i) {
    Query q(impl, "INSERT INTO exercise_responses(eid, position, value) VALUES (?1, ?2, ?3)");
    q.bind(1, eid).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(e.responses[i]));
    q.run("writing an exercise response");
  }
}

void write_thought_lists(Impl& impl, std::int64_t xid, const ThoughtRecord& t) {
  std::vector<std::string> distortions;
  distortions.reserve(t.distortions.size());
  for (auto d : t.distortions) distortions.emplace_back(to_id(d));
  write_items(impl, thought_items_insert, xid, "distortion", distortions);
  write_items(impl, thought_items_insert, xid, "evidence_for", t.evidence_for);
  write_items(impl, thought_items_insert, xid, "evidence_against", t.evidence_against);
  write_items(impl, thought_items_insert, xid, "alternative", t.alternatives);
  for (std::size_t i = 0; i < t.emotions.size(); ++i) {
    const auto& e = t.emotions[i];
    Query q(impl,
            "INSERT INTO thought_record_emotions(xid, position, name, before, after) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
    q.bind(1, xid).bind(2, static_cast<std::int64_t>(i)).bind(3, std::string_view(e.name));
    q.bind(4, e.before.value()).bind_opt(5, e.after);
    q.run("writing a thought record emotion");
  }
}

// Each clear_*_lists deletes a record's list rows: before update writes
// its lists again, and before insert writes a new record's. Rows under a key
// SQLite has just given can only be those of a record another program deleted
// with foreign keys off (SQLite gives the largest key again once its row is
// gone): they belong to no record, and must not become the new one's.

void clear_trigger_lists(Impl& impl, std::int64_t tid) {
  Query q(impl, "DELETE FROM trigger_items WHERE tid = ?1");
  q.bind(1, tid).run("replacing trigger lists");
}

void clear_exercise_lists(Impl& impl, std::int64_t eid) {
  Query q(impl, "DELETE FROM exercise_responses WHERE eid = ?1");
  q.bind(1, eid).run("replacing exercise responses");
}

void clear_thought_lists(Impl& impl, std::int64_t xid) {
  {
    Query q(impl, "DELETE FROM thought_record_items WHERE xid = ?1");
    q.bind(1, xid).run("replacing thought record lists");
  }
  Query q(impl, "DELETE FROM thought_record_emotions WHERE xid = ?1");
  q.bind(1, xid).run("replacing thought record emotions");
}

void clear_assessment_answers(Impl& impl, std::int64_t aid) {
  Query q(impl, "DELETE FROM assessment_answers WHERE aid = ?1");
  q.bind(1, aid).run("replacing assessment answers");
}

// Column binders shared by insert and update: the record's own columns as
// ?2.. (?1 is the participant key; the id is bound by the caller).

void bind_trigger(Query& q, const Trigger& t) {
  q.bind(3, t.time.utc_us()).bind(4, t.time.offset().minutes());
  q.bind(5, to_id(t.category)).bind(6, t.intensity.value());
  q.bind(7, std::string_view(t.context)).bind(8, std::string_view(t.urge));
  q.bind_opt(9, t.acted_on_urge).bind_opt(10, t.acted_after_minutes);
  q.bind(11, std::string_view(t.response));
}

void bind_reading(Query& q, const Reading& r) {
  q.bind(3, r.time.utc_us()).bind(4, r.time.offset().minutes());
  q.bind(5, r.intensity.value()).bind_text_or_null(6, r.trigger).bind(7, std::string_view(r.note));
}

void bind_exercise(Query& q, const ExerciseSession& e) {
  q.bind(3, e.time.utc_us()).bind(4, e.time.offset().minutes());
  q.bind(5, e.end.utc_us()).bind(6, e.end.offset().minutes());
  q.bind(7, std::string_view(e.exercise)).bind(8, e.completed);
  q.bind_opt(9, e.intensity_before).bind_opt(10, e.intensity_after);
  q.bind_text_or_null(11, e.trigger);
}

void bind_thought(Query& q, const ThoughtRecord& t) {
  q.bind(3, t.time.utc_us()).bind(4, t.time.offset().minutes());
  q.bind(5, std::string_view(t.situation)).bind(6, std::string_view(t.automatic_thought));
  q.bind(7, t.belief_before.value()).bind(8, std::string_view(t.friend_advice));
  q.bind(9, std::string_view(t.balanced_thought)).bind_opt(10, t.belief_after);
  q.bind_text_or_null(11, t.trigger);
}

void bind_assessment(Query& q, const Assessment& a) {
  q.bind(3, a.time.utc_us()).bind(4, a.time.offset().minutes());
  q.bind(5, std::string_view(a.instrument)).bind(6, std::string_view(a.note));
}

void write_assessment_answers(Impl& impl, std::int64_t aid, const Assessment& a) {
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    Query q(impl, "INSERT INTO assessment_answers(aid, position, answer) VALUES (?1, ?2, ?3)");
    q.bind(1, aid).bind(2, static_cast<std::int64_t>(i)).bind(3, a.answers[i]);
    q.run("writing an assessment answer");
  }
}

}  // namespace

void insert(Impl& impl, const Trigger& t) {
  check_record(impl, "add", t);
  try {
    Query q(impl,
            "INSERT INTO triggers(pid, id, time_us, time_offset, category, intensity, context, urge, "
            "acted_on_urge, acted_after_minutes, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11)");
    q.bind(1, participant_key(impl, t.participant)).bind(2, std::string_view(t.id));
    bind_trigger(q, t);
    q.run("adding a trigger");
    const auto tid = sqlite3_last_insert_rowid(impl.db);
    clear_trigger_lists(impl, tid);
    write_trigger_lists(impl, tid, t);
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "add", t);
  }
}

void insert(Impl& impl, const Reading& r) {
  check_record(impl, "add", r);
  try {
    Query q(impl,
            "INSERT INTO readings(pid, id, time_us, time_offset, intensity, trigger_id, note) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.bind(1, participant_key(impl, r.participant)).bind_text_or_null(2, r.id);
    bind_reading(q, r);
    q.run("adding a reading");
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "add", r);
  }
}

void insert(Impl& impl, const ExerciseSession& e) {
  check_record(impl, "add", e);
  try {
    Query q(impl,
            "INSERT INTO exercises(pid, id, time_us, time_offset, end_us, end_offset, exercise, completed, "
            "intensity_before, intensity_after, trigger_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11)");
    q.bind(1, participant_key(impl, e.participant)).bind(2, std::string_view(e.id));
    bind_exercise(q, e);
    q.run("adding an exercise");
    const auto eid = sqlite3_last_insert_rowid(impl.db);
    clear_exercise_lists(impl, eid);
    write_exercise_lists(impl, eid, e);
  } catch (const ConstraintError& c) {
    constraint_failed(impl, c, "add", e);
  }
}

void insert(Impl& impl, const ThoughtRecord& t) {
  check_record(impl, "add", t);
  try {
    Query q(impl,
            "INSERT INTO thought_records(pid, id, time_us, time_offset, situation, automatic_thought, "
            "belief_before, friend_advice, balanced_thought, belief_after, trigger_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    q.bind(1, participant_key(impl, t.participant)).bind(2, std::string_view(t.id));
    bind_thought(q, t);
    q.run("adding a thought record");
    const auto xid = sqlite3_last_insert_rowid(impl.db);
    clear_thought_lists(impl, xid);
    write_thought_lists(impl, xid, t);
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "add", t);
  }
}

void insert(Impl& impl, const Assessment& a) {
  check_record(impl, "add", a);
  try {
    Query q(impl,
            "INSERT INTO assessments(pid, id, time_us, time_offset, instrument, note) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    q.bind(1, participant_key(impl, a.participant)).bind(2, std::string_view(a.id));
    bind_assessment(q, a);
    q.run("adding an assessment");
    const auto aid = sqlite3_last_insert_rowid(impl.db);
    clear_assessment_answers(impl, aid);
    write_assessment_answers(impl, aid, a);
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "add", a);
  }
}

namespace {

[[noreturn]] void not_found(std::string_view type, std::string_view participant, std::string_view id) {
  throw_invalid("cannot update " + describe_record(type, participant, id) + ": the store has no such record");
}

/// Runs an `UPDATE ... WHERE pid = ?1 AND id = ?2 RETURNING key` and returns the key.
template <class R, class Bind>
std::int64_t update_row(Impl& impl, const std::string& sql, const R& r, std::string_view type, Bind bind) {
  auto pid = find_participant(impl, r.participant);
  if (!pid) not_found(type, r.participant, r.id);
  std::int64_t key = 0;
  bool found = false;
  try {
    Query q(impl, sql);
    q.bind(1, *pid).bind(2, std::string_view(r.id));
    bind(q, r);
    if (q.step("updating a record")) {
      key = q.int64(0);
      found = true;
      q.run("updating a record");
    }
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "update", r);
  }
  if (!found) not_found(type, r.participant, r.id);
  return key;
}

}  // namespace

void update(Impl& impl, const Trigger& t) {
  check_record(impl, "update", t);
  Tx tx(impl, true);
  static const std::string sql =
      "UPDATE triggers SET time_us = ?3, time_offset = ?4, category = ?5, intensity = ?6, context = ?7, "
      "urge = ?8, acted_on_urge = ?9, acted_after_minutes = ?10, response = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING tid";
  const auto tid = update_row(impl, sql, t, "trigger", bind_trigger);
  clear_trigger_lists(impl, tid);
  write_trigger_lists(impl, tid, t);
  tx.commit();
}

void update(Impl& impl, const Reading& r) {
  check_record(impl, "update", r);
  // The store finds the reading to update by its id (optional in the model).
  if (auto bad = rules::not_empty("id", r.id)) throw_record(place(impl, "update", r), *bad);
  Tx tx(impl, true);
  static const std::string sql =
      "UPDATE readings SET time_us = ?3, time_offset = ?4, intensity = ?5, trigger_id = ?6, note = ?7 "
      "WHERE pid = ?1 AND id = ?2 RETURNING rid";
  (void)update_row(impl, sql, r, "reading", bind_reading);
  tx.commit();
}

void update(Impl& impl, const ExerciseSession& e) {
  check_record(impl, "update", e);
  Tx tx(impl, true);
  static const std::string sql =
      "UPDATE exercises SET time_us = ?3, time_offset = ?4, end_us = ?5, end_offset = ?6, exercise = ?7, "
      "completed = ?8, intensity_before = ?9, intensity_after = ?10, trigger_id = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING eid";
  const auto eid = update_row(impl, sql, e, "exercise", bind_exercise);
  clear_exercise_lists(impl, eid);
  write_exercise_lists(impl, eid, e);
  tx.commit();
}

void update(Impl& impl, const ThoughtRecord& t) {
  check_record(impl, "update", t);
  Tx tx(impl, true);
  static const std::string sql =
      "UPDATE thought_records SET time_us = ?3, time_offset = ?4, situation = ?5, automatic_thought = ?6, "
      "belief_before = ?7, friend_advice = ?8, balanced_thought = ?9, belief_after = ?10, trigger_id = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING xid";
  const auto xid = update_row(impl, sql, t, "thought_record", bind_thought);
  clear_thought_lists(impl, xid);
  write_thought_lists(impl, xid, t);
  tx.commit();
}

void update(Impl& impl, const Assessment& a) {
  check_record(impl, "update", a);
  Tx tx(impl, true);
  static const std::string sql =
      "UPDATE assessments SET time_us = ?3, time_offset = ?4, instrument = ?5, note = ?6 "
      "WHERE pid = ?1 AND id = ?2 RETURNING aid";
  const auto aid = update_row(impl, sql, a, "assessment", bind_assessment);
  clear_assessment_answers(impl, aid);
  write_assessment_answers(impl, aid, a);
  tx.commit();
}

/// Deletes one record by participant and id; true when there was one.
bool delete_row(Impl& impl, const std::string& sql, std::string_view participant, std::string_view id) {
  auto pid = find_participant(impl, participant);
  if (!pid || id.empty()) return false;
  Query q(impl, sql);
  q.bind(1, *pid).bind(2, id).run("removing a record");
  return sqlite3_changes(impl.db) > 0;
}

}  // namespace calmkit::detail
