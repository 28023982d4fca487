// calmkit::Store's schema: the tables of version 3 (docs/store.md), the
// migrations 1 -> 2 -> 3 and the check of what kind of file a store is.
#include "store_schema.hpp"

#include <calmkit/time.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace calmkit::detail {

namespace {

/// `PRAGMA application_id` of a calmkit store: the bytes "Calm".
constexpr std::int32_t store_application_id = 0x43616C6D;

// ---------------------------------------------------------------------------
// Schema version 3 (the current one) is version 2 plus the two assessment
// tables: a new file is created as version 2 and then migrated 2 -> 3, so that
// new and migrated files have the very same schema. Each table's DDL names
// itself `{table}` so that a migration can build it under a temporary name and
// rename it; the foreign keys always name the final tables.

struct TableDef {
  const char* name;
  const char* ddl;
};

constexpr TableDef schema_v2_tables[] = {
    {"participants", R"sql(
CREATE TABLE {table} (
  pid  INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT)sql"},
    {"triggers", R"sql(
CREATE TABLE {table} (
  tid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT trigger_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  category  TEXT NOT NULL,
  intensity INTEGER NOT NULL CONSTRAINT intensity_0_to_10 CHECK (intensity BETWEEN 0 AND 10),
  context TEXT NOT NULL DEFAULT '',
  urge    TEXT NOT NULL DEFAULT '',
  acted_on_urge INTEGER CONSTRAINT acted_on_urge_is_bool CHECK (acted_on_urge IN (0, 1)),
  acted_after_minutes REAL CONSTRAINT acted_after_minutes_not_negative CHECK (acted_after_minutes >= 0),
  response TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id)
) STRICT)sql"},
    {"trigger_items", R"sql(
CREATE TABLE {table} (
  tid      INTEGER NOT NULL REFERENCES triggers(tid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('thought', 'sensation', 'tag')),
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (tid, field, position)
) STRICT, WITHOUT ROWID)sql"},
    {"readings", R"sql(
CREATE TABLE {table} (
  rid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT CONSTRAINT reading_id_null_or_not_empty CHECK (id IS NULL OR length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  intensity INTEGER NOT NULL CONSTRAINT intensity_0_to_10 CHECK (intensity BETWEEN 0 AND 10),
  trigger_id TEXT,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT)sql"},
    {"exercises", R"sql(
CREATE TABLE {table} (
  eid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT exercise_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  end_us      INTEGER NOT NULL,
  end_offset  INTEGER NOT NULL CONSTRAINT end_offset_within_23_59 CHECK (end_offset BETWEEN -1439 AND 1439),
  exercise  TEXT NOT NULL CONSTRAINT exercise_name_not_empty CHECK (length(exercise) > 0),
  completed INTEGER NOT NULL CONSTRAINT completed_is_bool CHECK (completed IN (0, 1)),
  intensity_before INTEGER CONSTRAINT intensity_before_0_to_10 CHECK (intensity_before BETWEEN 0 AND 10),
  intensity_after  INTEGER CONSTRAINT intensity_after_0_to_10 CHECK (intensity_after BETWEEN 0 AND 10),
  trigger_id TEXT,
  CONSTRAINT end_not_before_time CHECK (end_us >= time_us),
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT)sql"},
    {"exercise_responses", R"sql(
CREATE TABLE {table} (
  eid      INTEGER NOT NULL REFERENCES exercises(eid) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (eid, position)
) STRICT, WITHOUT ROWID)sql"},
    {"thought_records", R"sql(
CREATE TABLE {table} (
  xid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT thought_record_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  situation         TEXT NOT NULL,
  automatic_thought TEXT NOT NULL,
  belief_before INTEGER NOT NULL CONSTRAINT belief_before_0_to_100 CHECK (belief_before BETWEEN 0 AND 100),
  friend_advice    TEXT NOT NULL DEFAULT '',
  balanced_thought TEXT NOT NULL DEFAULT '',
  belief_after INTEGER CONSTRAINT belief_after_0_to_100 CHECK (belief_after BETWEEN 0 AND 100),
  trigger_id TEXT,
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT)sql"},
    {"thought_record_items", R"sql(
CREATE TABLE {table} (
  xid      INTEGER NOT NULL REFERENCES thought_records(xid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('distortion', 'evidence_for', 'evidence_against', 'alternative')),
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (xid, field, position)
) STRICT, WITHOUT ROWID)sql"},
    {"thought_record_emotions", R"sql(
CREATE TABLE {table} (
  xid      INTEGER NOT NULL REFERENCES thought_records(xid) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  name     TEXT NOT NULL,
  before   INTEGER NOT NULL CONSTRAINT emotion_before_0_to_100 CHECK (before BETWEEN 0 AND 100),
  after    INTEGER CONSTRAINT emotion_after_0_to_100 CHECK (after BETWEEN 0 AND 100),
  PRIMARY KEY (xid, position)
) STRICT, WITHOUT ROWID)sql"},
};

/// Indexes: time-range queries per participant, and the child keys of the
/// trigger references (SQLite scans the child table on every parent delete
/// without them).
constexpr const char* schema_v2_indexes[] = {
    "CREATE INDEX triggers_by_time ON triggers(pid, time_us)",
    "CREATE INDEX readings_by_time ON readings(pid, time_us)",
    "CREATE INDEX readings_by_trigger ON readings(pid, trigger_id)",
    "CREATE INDEX exercises_by_time ON exercises(pid, time_us)",
    "CREATE INDEX exercises_by_trigger ON exercises(pid, trigger_id)",
    "CREATE INDEX thought_records_by_time ON thought_records(pid, time_us)",
    "CREATE INDEX thought_records_by_trigger ON thought_records(pid, trigger_id)",
};

/// The tables version 3 adds. An assessment's answers are rows of
/// `assessment_answers`, one per item in item order (`position` 0, 1, ...), as
/// the other list fields are kept. Whether the answers fit the instrument (one
/// per item, each inside its scale) depends on the instrument registry, which
/// the database does not know: the store checks that on every write and read.
constexpr TableDef schema_v3_added_tables[] = {
    {"assessments", R"sql(
CREATE TABLE {table} (
  aid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT assessment_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  instrument TEXT NOT NULL CONSTRAINT instrument_not_empty CHECK (length(instrument) > 0),
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id)
) STRICT)sql"},
    {"assessment_answers", R"sql(
CREATE TABLE {table} (
  aid      INTEGER NOT NULL REFERENCES assessments(aid) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  answer   INTEGER NOT NULL,
  PRIMARY KEY (aid, position)
) STRICT, WITHOUT ROWID)sql"},
};

/// Indexes version 3 adds: time-range queries per participant.
constexpr const char* schema_v3_added_indexes[] = {
    "CREATE INDEX assessments_by_time ON assessments(pid, time_us)",
};

/// Migration 1 -> 2, one INSERT ... SELECT per table into `<table>_v2`.
/// Version 1 kept times as RFC 3339 TEXT (`time`, `end_time`) and a thought
/// record's emotions as a JSON array in `thought_records.emotions`.
constexpr TableDef migrate_1_to_2_copies[] = {
    {"participants", "INSERT INTO participants_v2(pid, name) SELECT pid, name FROM participants"},
    {"triggers",
     "INSERT INTO triggers_v2(tid, pid, id, time_us, time_offset, category, intensity, context, urge, "
     "acted_on_urge, acted_after_minutes, response) "
     "SELECT tid, pid, id, calmkit_rfc3339_utc_us(time), calmkit_rfc3339_offset_minutes(time), category, "
     "intensity, context, urge, acted_on_urge, acted_after_minutes, response FROM triggers"},
    {"trigger_items",
     "INSERT INTO trigger_items_v2(tid, field, position, value) "
     "SELECT tid, field, position, value FROM trigger_items"},
    {"readings",
     "INSERT INTO readings_v2(rid, pid, id, time_us, time_offset, intensity, trigger_id, note) "
     "SELECT rid, pid, id, calmkit_rfc3339_utc_us(time), calmkit_rfc3339_offset_minutes(time), intensity, "
     "trigger_id, note FROM readings"},
    {"exercises",
     "INSERT INTO exercises_v2(eid, pid, id, time_us, time_offset, end_us, end_offset, exercise, completed, "
     "intensity_before, intensity_after, trigger_id) "
     "SELECT eid, pid, id, calmkit_rfc3339_utc_us(time), calmkit_rfc3339_offset_minutes(time), "
     "calmkit_rfc3339_utc_us(end_time), calmkit_rfc3339_offset_minutes(end_time), exercise, completed, "
     "intensity_before, intensity_after, trigger_id FROM exercises"},
    {"exercise_responses",
     "INSERT INTO exercise_responses_v2(eid, position, value) "
     "SELECT eid, position, value FROM exercise_responses"},
    {"thought_records",
     "INSERT INTO thought_records_v2(xid, pid, id, time_us, time_offset, situation, automatic_thought, "
     "belief_before, friend_advice, balanced_thought, belief_after, trigger_id) "
     "SELECT xid, pid, id, calmkit_rfc3339_utc_us(time), calmkit_rfc3339_offset_minutes(time), situation, "
     "automatic_thought, belief_before, friend_advice, balanced_thought, belief_after, trigger_id "
     "FROM thought_records"},
    {"thought_record_items",
     "INSERT INTO thought_record_items_v2(xid, field, position, value) "
     "SELECT xid, field, position, value FROM thought_record_items"},
    {"thought_record_emotions",
     "INSERT INTO thought_record_emotions_v2(xid, position, name, before, after) "
     "SELECT x.xid, CAST(e.key AS INTEGER), json_extract(e.value, '$.name'), "
     "json_extract(e.value, '$.before'), json_extract(e.value, '$.after') "
     "FROM thought_records AS x, json_each(x.emotions) AS e"},
};

/// The tables of version 1, children first (the order to drop them in).
constexpr const char* schema_v1_tables_children_first[] = {
    "thought_record_items", "thought_records", "exercise_responses", "exercises", "readings",
    "trigger_items",        "triggers",        "participants",
};

std::string table_ddl(const TableDef& t, std::string_view name) {
  std::string ddl = t.ddl;
  const std::string_view placeholder = "{table}";
  ddl.replace(ddl.find(placeholder), placeholder.size(), name);
  return ddl;
}

// --- SQL functions used by the 1 -> 2 migration ------------------------------

std::optional<Instant> rfc3339_arg(sqlite3_context* ctx, sqlite3_value* v) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) {
    sqlite3_result_error(ctx, "schema version 1 time is not RFC 3339 text (NULL or a number)", -1);
    return std::nullopt;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  const std::string_view text(p, static_cast<std::size_t>(sqlite3_value_bytes(v)));
  TimeParseError err;
  auto t = Instant::try_parse(text, &err);
  if (!t) {
    const std::string msg = Instant::invalid_reason(text, err);
    sqlite3_result_error(ctx, msg.c_str(), static_cast<int>(msg.size()));
  }
  return t;
}

void sql_rfc3339_utc_us(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (auto t = rfc3339_arg(ctx, argv[0])) sqlite3_result_int64(ctx, t->utc_us());
}

void sql_rfc3339_offset_minutes(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (auto t = rfc3339_arg(ctx, argv[0])) sqlite3_result_int(ctx, t->offset().minutes());
}

// --- opening and migrating ---------------------------------------------------------

void create_schema_v2(Impl& impl) {
  for (const auto& t : schema_v2_tables) impl.exec(table_ddl(t, t.name), "creating the schema");
  for (const char* ix : schema_v2_indexes) impl.exec(ix, "creating the schema");
}

/// Migration 2 -> 3: the assessment tables and their index are added; no
/// existing table changes. Runs inside the caller's transaction.
void migrate_2_to_3(Impl& impl) {
  for (const auto& t : schema_v3_added_tables) {
    impl.exec(table_ddl(t, t.name), "migrating 2 -> 3: creating the assessment tables");
  }
  for (const char* ix : schema_v3_added_indexes) impl.exec(ix, "migrating 2 -> 3: creating indexes");
}

/// Migration 1 -> 2: every table rebuilt under `<name>_v2`, filled from the
/// old one, the old one dropped and the new one renamed (SQLite's documented
/// way to change a table's columns). Runs inside the caller's transaction with
/// foreign keys off; the caller checks them before committing.
void migrate_1_to_2(Impl& impl) {
  for (const auto& t : schema_v2_tables) {
    impl.exec(table_ddl(t, std::string(t.name) + "_v2"), "migrating 1 -> 2: creating tables");
  }
  for (const auto& c : migrate_1_to_2_copies) {
    impl.exec(c.ddl, std::string("migrating 1 -> 2: copying ") + c.name);
  }
  for (const char* t : schema_v1_tables_children_first) {
    impl.exec(std::string("DROP TABLE ") + t, "migrating 1 -> 2: dropping old tables");
  }
  for (const auto& t : schema_v2_tables) {
    impl.exec(std::string("ALTER TABLE ") + t.name + "_v2 RENAME TO " + t.name,
              "migrating 1 -> 2: renaming tables");
  }
  for (const char* ix : schema_v2_indexes) impl.exec(ix, "migrating 1 -> 2: creating indexes");
}

void check_foreign_keys(Impl& impl, std::string_view doing) {
  Query q(impl, "PRAGMA foreign_key_check");
  if (q.step(doing)) {
    throw_runtime("store '" + impl.path + "': " + std::string(doing) + ": row " + std::to_string(q.int64(1)) +
                  " of table " + q.text(0) + " refers to a missing row of table " + q.text(2));
  }
}

std::int64_t table_count(Impl& impl) {
  Query q(impl, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
  q.step("reading the schema");
  return q.int64(0);
}

}  // namespace

int check_identity(Impl& impl) {
  const auto app = pragma_int(impl, "application_id");  // first read: fails on a non-database
  const auto version = pragma_int(impl, "user_version");
  if (app == 0 && version == 0) {
    if (table_count(impl) != 0) {
      throw_runtime("store '" + impl.path +
                    "' is an SQLite database but not a calmkit store (it has tables of "
                    "its own and no calmkit application id)");
    }
    return 0;
  }
  if (app != store_application_id) {
    throw_runtime("store '" + impl.path + "' is an SQLite database of another application (application_id " +
                  std::to_string(app) + "), not a calmkit store");
  }
  if (version < 1)
    throw_runtime("store '" + impl.path + "' has an invalid schema version " + std::to_string(version));
  if (version > store_schema_version) {
    throw_runtime("store '" + impl.path + "' has schema version " + std::to_string(version) +
                  ", newer than version " + std::to_string(store_schema_version) +
                  ", the newest this calmkit reads; open it with a newer calmkit");
  }
  return static_cast<int>(version);
}

void create_or_migrate(Impl& impl) {
  // Foreign keys can only be switched outside a transaction, and must be off
  // while tables are rebuilt (SQLite's rule for schema changes).
  impl.exec("PRAGMA foreign_keys = OFF", "preparing the schema");
  struct KeysBackOn {
    Impl& impl;
    ~KeysBackOn() { sqlite3_exec(impl.db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr); }
  } keys_back_on{impl};
  Tx tx(impl, true);
  const int version = check_identity(impl);  // again, under the write lock
  if (version == store_schema_version) {
    tx.commit();
    return;
  }
  if (version == 0) {
    create_schema_v2(impl);
    migrate_2_to_3(impl);
    impl.exec("PRAGMA application_id = " + std::to_string(store_application_id), "creating the schema");
  } else {
    // Each step from the file's version on; all in this one transaction.
    try {
      if (version < 2) {
        migrate_1_to_2(impl);
        check_foreign_keys(impl, "migrating 1 -> 2");
      }
      migrate_2_to_3(impl);
      check_foreign_keys(impl, "migrating 2 -> 3");
    } catch (const std::exception& e) {
      throw_runtime("store '" + impl.path + "': migration from schema version " + std::to_string(version) +
                    " to " + std::to_string(store_schema_version) +
                    " failed, the file is left as it was: " + e.what());
    }
  }
  impl.exec("PRAGMA user_version = " + std::to_string(store_schema_version), "setting the schema version");
  tx.commit();
}

void register_migration_functions(Impl& impl) {
  for (auto [name, fn] : {std::pair{"calmkit_rfc3339_utc_us", &sql_rfc3339_utc_us},
                          std::pair{"calmkit_rfc3339_offset_minutes", &sql_rfc3339_offset_minutes}}) {
    const int frc = sqlite3_create_function_v2(impl.db, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                               fn, nullptr, nullptr, nullptr);
    if (frc != SQLITE_OK) impl.fail(frc, "registering SQL functions");
  }
}

}  // namespace calmkit::detail
