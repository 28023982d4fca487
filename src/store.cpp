// calmkit::Store: the SQLite journal store. Schema, migrations and the
// durability settings are described in docs/store.md.
#include <calmkit/assessments.hpp>
#include <calmkit/files.hpp>
#include <calmkit/store.hpp>
#include <calmkit/validate.hpp>

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace calmkit {

namespace detail {
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

/// Offset of the first byte of `s` that does not begin a well-formed UTF-8
/// sequence, or npos when all of `s` is UTF-8. Well-formed as in the Unicode
/// standard's Table 3-7 (RFC 3629): no overlong forms, no surrogates (U+D800 to
/// U+DFFF), nothing above U+10FFFF.
std::size_t first_invalid_utf8(std::string_view s) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80;  // range of the second byte
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (n - i < len || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((b[i + k] & 0xC0U) != 0x80U) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

/// `s` made safe for a message: bytes that are not UTF-8 and control
/// characters (U+0000 to U+001F, U+007F to U+009F) shown as `\xNN`, so that a
/// message is always UTF-8 (Python can decode it) and never carries a
/// terminal escape sequence.
std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  auto escaped = [](std::string& out, unsigned char c) {
    out += "\\x";
    out += hex[c >> 4U];
    out += hex[c & 0xFU];
  };
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::size_t bad = first_invalid_utf8(s);
    const std::string_view good = s.substr(0, bad);
    for (std::size_t i = 0; i < good.size(); ++i) {
      const auto c = static_cast<unsigned char>(good[i]);
      if (c < 0x20 || c == 0x7F) {
        escaped(out, c);
      } else if (c == 0xC2 && i + 1 < good.size() && static_cast<unsigned char>(good[i + 1]) <= 0x9F) {
        escaped(out, static_cast<unsigned char>(good[++i]));  // U+0080 to U+009F (C1 controls)
      } else {
        out += good[i];
      }
    }
    if (bad == std::string_view::npos) break;
    escaped(out, static_cast<unsigned char>(s[bad]));
    s.remove_prefix(bad + 1);
  }
  return out;
}

/// `s` quoted for a message, made printable: `'caf\xe9'`.
std::string quote_printable(std::string_view s) {
  std::string out = "'";
  out += printable(s);
  out += '\'';
  return out;
}

/// A constraint failure reported by SQLite; translated by the writers into a
/// message about the record. Still a clear std::invalid_argument if it escapes.
class ConstraintError : public std::invalid_argument {
 public:
  ConstraintError(int code, const std::string& what) : std::invalid_argument(what), code_(code) {}
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  int code_;
};

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
  if (auto t = rfc3339_arg(ctx, argv[0])) sqlite3_result_int64(ctx, t->utc_micros());
}

void sql_rfc3339_offset_minutes(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (auto t = rfc3339_arg(ctx, argv[0])) sqlite3_result_int(ctx, t->offset().minutes());
}

}  // namespace
}  // namespace detail

// =============================================================================
// Connection, statements, transactions

struct Store::Impl {
  sqlite3* db = nullptr;
  std::string path;  // for messages
  bool read_only = false;
  bool fold_on_close = false;  // set once a writable open has succeeded
  mutable std::recursive_mutex mu;
  int depth = 0;  // open transactions/savepoints (guarded by mu)
  std::unordered_map<std::string, sqlite3_stmt*> stmts;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    for (auto& [sql, s] : stmts) sqlite3_finalize(s);
    if (db == nullptr) return;
    if (fold_on_close) fold_wal();
    sqlite3_close_v2(db);
  }

  /// Before a writer closes: copy every committed frame of the `-wal` into the
  /// file, then leave WAL mode if this is the only connection (SQLite refuses
  /// otherwise, and the last writer to close does it). The closed store is then
  /// one file: a copy of it alone holds every record, and a read-only open
  /// needs no `-shm` (which a read-only folder could not hold). Never waits:
  /// with other connections open it checkpoints what it can and stays in WAL.
  void fold_wal() noexcept {
    sqlite3_busy_timeout(db, 0);
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_exec(db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
  }

  /// Throws for a failed SQLite call: constraint failures as
  /// std::invalid_argument, anything else (I/O, locking, corruption) as
  /// std::runtime_error; both name the store's path.
  [[noreturn]] void fail(int rc, std::string_view doing) const {
    std::string msg = "store '" + path + "': ";
    msg += doing;
    msg += ": ";
    msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) throw detail::ConstraintError(rc, msg);
    if ((rc & 0xff) == SQLITE_NOTADB) msg += " (not a calmkit store)";
    if ((rc & 0xff) == SQLITE_CORRUPT) {
      msg +=
          " (the file is damaged or incomplete, e.g. a copy cut short: keep it and the original as they "
          "are; `calmkit backup` makes a complete copy of a store that opens)";
    }
    detail::throw_runtime(msg);
  }

  void exec(const std::string& sql, std::string_view doing) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);  // sqlite3_errmsg still holds the message
    if (rc != SQLITE_OK) fail(rc, doing);
  }

  sqlite3_stmt* prepare(const std::string& sql) {
    if (auto it = stmts.find(sql); it != stmts.end()) return it->second;
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) fail(rc, "preparing a statement");
    stmts.emplace(sql, s);
    return s;
  }

  void require_writable() const {
    if (read_only) detail::throw_invalid("store '" + path + "' is open read-only");
  }

  // Transactions: the outermost is BEGIN IMMEDIATE (take the write lock at
  // once, so that a writer never fails half-way on a lock upgrade); nested
  // ones are savepoints. The mutex is held from begin to end.
  void begin(bool write) {
    mu.lock();
    try {
      if (depth == 0) {
        exec(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", "beginning a transaction");
      } else {
        exec("SAVEPOINT calmkit", "beginning a savepoint");
      }
      ++depth;
    } catch (...) {
      mu.unlock();
      throw;
    }
  }
  void commit() {
    struct Unlock {
      std::recursive_mutex& m;
      ~Unlock() { m.unlock(); }
    } unlock{mu};
    --depth;
    if (depth == 0) {
      const int rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) {
        const std::string why = sqlite3_errmsg(db);
        if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        detail::throw_runtime("store '" + path + "': commit failed, nothing was written: " + why);
      }
    } else {
      exec("RELEASE calmkit", "releasing a savepoint");
    }
  }
  void rollback() noexcept {
    --depth;
    if (depth == 0) {
      // The transaction may already be gone (SQLite rolls back by itself after
      // some errors, e.g. a full disk); then there is nothing to undo.
      if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db, "ROLLBACK TO calmkit; RELEASE calmkit", nullptr, nullptr, nullptr);
    }
    mu.unlock();
  }
};

namespace detail {
namespace {

using Impl = Store::Impl;

/// A cached prepared statement in use: reset and unbound when done.
class Query {
 public:
  Query(Impl& impl, const std::string& sql) : impl_(impl), s_(impl.prepare(sql)) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  Query& bind(int i, std::string_view v) {
    // Text goes in as UTF-8 only, so that everything read back decodes (in
    // C++ and in Python); a caller's bytes that are not UTF-8 are refused.
    if (const auto at = first_invalid_utf8(v); at != std::string_view::npos) {
      throw_invalid("text " + quote_printable(v) + " is not valid UTF-8 (at byte offset " +
                    std::to_string(at) + "); a store holds UTF-8 text only");
    }
    check(sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
  }
  Query& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Query& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Query& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Query& bind(int i, double v) {
    check(sqlite3_bind_double(s_, i, v));
    return *this;
  }
  Query& bind_null(int i) {
    check(sqlite3_bind_null(s_, i));
    return *this;
  }
  /// "" -> NULL: used for the optional ids and trigger references.
  Query& bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }
  template <class T>
  Query& bind_opt(int i, const std::optional<T>& v) {
    if (!v) return bind_null(i);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, double>) {
      return bind(i, *v);
    } else {
      return bind(i, v->value());
    }
  }

  /// Steps once: true when a row is ready, false when done.
  bool step(std::string_view doing = "running a query") {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    impl_.fail(rc, doing);
  }
  /// Runs a statement that returns no rows.
  void run(std::string_view doing = "writing") {
    while (step(doing)) {
    }
  }

  [[nodiscard]] bool is_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t int64(int i) const { return sqlite3_column_int64(s_, i); }
  [[nodiscard]] double real(int i) const { return sqlite3_column_double(s_, i); }
  [[nodiscard]] std::string text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, i))};
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) impl_.fail(rc, "binding a value");
  }
  Impl& impl_;
  sqlite3_stmt* s_;
};

/// Begins on construction, rolls back on destruction unless committed.
class Tx {
 public:
  Tx(Impl& impl, bool write) : impl_(impl) {
    if (write) impl.require_writable();
    impl.begin(write);
  }
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  ~Tx() {
    if (!done_) impl_.rollback();
  }
  void commit() {
    done_ = true;
    impl_.commit();
  }

 private:
  Impl& impl_;
  bool done_ = false;
};

std::int64_t pragma_int(Impl& impl, const char* pragma) {
  Query q(impl, std::string("PRAGMA ") + pragma);
  if (!q.step(std::string("reading PRAGMA ") + pragma)) return 0;
  return q.int64(0);
}

// --- decoding rows -------------------------------------------------------------

[[noreturn]] void corrupt(const Impl& impl, const std::string& what) {
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
  if (const auto at = first_invalid_utf8(s); at != std::string_view::npos) {
    static constexpr char hex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(s[at]);
    corrupt(impl, who + ": " + std::string(field) + " is not valid UTF-8 (byte 0x" + hex[byte >> 4U] +
                      hex[byte & 0xFU] + " at offset " + std::to_string(at) + " of " + quote_printable(s) +
                      ")");
  }
  return s;
}

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

Instant instant_of(const Impl& impl, const Query& q, int us_col, int offset_col, const std::string& who) {
  const auto off = UtcOffset::make(static_cast<int>(q.int64(offset_col)));
  if (!off) corrupt(impl, who + ": UTC offset out of range");
  return Instant::from_utc_micros(q.int64(us_col), *off);
}

template <class Bounded>
Bounded bounded_of(const Impl& impl, const Query& q, int col, const std::string& who, const char* field) {
  auto v = Bounded::make(q.int64(col));
  if (!v)
    corrupt(impl, JournalFormatError::compose(who, 0, field, Bounded::out_of_range_reason(q.int64(col))));
  return *v;
}

template <class Bounded>
std::optional<Bounded> opt_bounded_of(const Impl& impl, const Query& q, int col, const std::string& who,
                                      const char* field) {
  if (q.is_null(col)) return std::nullopt;
  return bounded_of<Bounded>(impl, q, col, who, field);
}

// --- filters ----------------------------------------------------------------

/// Which records a read selects: one participant (or all) and a UTC range.
struct Filter {
  std::optional<std::string> participant;
  std::int64_t from_us = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_us = std::numeric_limits<std::int64_t>::max();  // exclusive
  std::optional<std::string> id;                                  // one record by id (then the range is open)

  void bind(Query& q) const {
    if (participant) {
      q.bind(1, std::string_view(*participant));
    } else {
      q.bind_null(1);
    }
    q.bind(2, from_us);
    q.bind(3, to_us);
    if (id) {
      q.bind(4, std::string_view(*id));
    } else {
      q.bind_null(4);
    }
  }
};

/// The WHERE clause every read uses; `a` is the record table's alias.
std::string where(std::string_view a) {
  std::string w = " WHERE (?1 IS NULL OR p.name = ?1) AND ";
  w += a;
  w += ".time_us >= ?2 AND ";
  w += a;
  w += ".time_us < ?3 AND (?4 IS NULL OR ";
  w += a;
  w += ".id = ?4) ";
  return w;
}

Filter make_filter(std::optional<std::string_view> participant, std::optional<Instant> from,
                   std::optional<Instant> to) {
  Filter f;
  if (participant) f.participant = std::string(*participant);
  if (from) f.from_us = from->utc_micros();
  if (to) f.to_us = to->utc_micros();
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
  std::vector<Trigger> out;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading triggers")) {
      Trigger t;
      const std::string who = identify(impl, q, 1, "trigger", "triggers", q.int64(0), t.participant, t.id);
      t.time = instant_of(impl, q, 3, 4, who);
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
    auto& list = field == "thought" ? t.thoughts : field == "sensation" ? t.sensations : t.tags;
    list.push_back(text_of(impl, q, 2, describe_record("trigger", t.participant, t.id), field + "s"));
  }
  return out;
}

std::vector<Reading> read_readings(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT p.name, r.id, r.time_us, r.time_offset, r.intensity, r.trigger_id, r.note, r.rid "
      "FROM readings r JOIN participants p ON p.pid = r.pid" +
      where("r") + "ORDER BY p.name, r.time_us, r.time_offset, r.id";
  std::vector<Reading> out;
  Query q(impl, sql);
  f.bind(q);
  while (q.step("reading readings")) {
    Reading r;
    const std::string who = identify(impl, q, 0, "reading", "readings", q.int64(7), r.participant, r.id);
    r.time = instant_of(impl, q, 2, 3, who);
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
  std::vector<ExerciseSession> out;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading exercises")) {
      ExerciseSession e;
      const std::string who = identify(impl, q, 1, "exercise", "exercises", q.int64(0), e.participant, e.id);
      e.time = instant_of(impl, q, 3, 4, who);
      e.end = instant_of(impl, q, 5, 6, who);
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
      e.responses.push_back(
          text_of(impl, q, 1, describe_record("exercise", e.participant, e.id), "responses"));
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
  std::vector<ThoughtRecord> out;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading thought records")) {
      ThoughtRecord t;
      const std::string who =
          identify(impl, q, 1, "thought_record", "thought_records", q.int64(0), t.participant, t.id);
      t.time = instant_of(impl, q, 3, 4, who);
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
                                                    "distortions", unknown_distortion(id)));
        t.distortions.push_back(*d);
      } else {
        auto& list = field == "evidence_for"       ? t.evidence_for
                     : field == "evidence_against" ? t.evidence_against
                                                   : t.alternatives;
        list.push_back(text_of(impl, q, 2, describe_record("thought_record", t.participant, t.id),
                               field == "alternative" ? std::string("alternatives") : field));
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
    e.name = text_of(impl, q, 1, who, "emotion name");
    e.before = bounded_of<Percent>(impl, q, 2, who, "emotion before");
    e.after = opt_bounded_of<Percent>(impl, q, 3, who, "emotion after");
    t.emotions.push_back(std::move(e));
  }
  return out;
}

/// The registered instrument of an assessment read from the store, its answers
/// checked against it.
void check_stored_answers(const Impl& impl, const Assessment& a) {
  auto bad = validate_answers(a);
  if (!bad) [[likely]]
    return;
  const std::string what = JournalFormatError::compose(describe_record(a), 0, bad->field, bad->reason);
  // An instrument not registered in this program is not damage to the file.
  if (bad->field == "instrument") throw_runtime("store '" + impl.path + "': " + what);
  corrupt(impl, what);
}

std::vector<Assessment> read_assessments(Impl& impl, const Filter& f) {
  static const std::string sql =
      "SELECT a.aid, p.name, a.id, a.time_us, a.time_offset, a.instrument, a.note "
      "FROM assessments a JOIN participants p ON p.pid = a.pid" +
      where("a") + "ORDER BY p.name, a.time_us, a.time_offset, a.id";
  static const std::string answers_sql =
      "SELECT n.aid, n.answer FROM assessment_answers n JOIN assessments a ON a.aid = n.aid "
      "JOIN participants p ON p.pid = a.pid" +
      where("a") + "ORDER BY n.aid, n.position";
  std::vector<Assessment> out;
  std::unordered_map<std::int64_t, std::size_t> index;
  {
    Query q(impl, sql);
    f.bind(q);
    while (q.step("reading assessments")) {
      Assessment a;
      const std::string who =
          identify(impl, q, 1, "assessment", "assessments", q.int64(0), a.participant, a.id);
      a.time = instant_of(impl, q, 3, 4, who);
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

// --- writers ------------------------------------------------------------------

/// The participant's key, or nullopt when they have no row yet.
std::optional<std::int64_t> find_participant(Impl& impl, std::string_view name) {
  Query q(impl, "SELECT pid FROM participants WHERE name = ?1");
  q.bind(1, name);
  if (!q.step("looking up a participant")) return std::nullopt;
  return q.int64(0);
}

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

// Column binders shared by insert and update: the record's own columns as
// ?2.. (?1 is the participant key; the id is bound by the caller).

void bind_trigger(Query& q, const Trigger& t) {
  q.bind(3, t.time.utc_micros()).bind(4, t.time.offset().minutes());
  q.bind(5, to_id(t.category)).bind(6, t.intensity.value());
  q.bind(7, std::string_view(t.context)).bind(8, std::string_view(t.urge));
  q.bind_opt(9, t.acted_on_urge).bind_opt(10, t.acted_after_minutes);
  q.bind(11, std::string_view(t.response));
}

void bind_reading(Query& q, const Reading& r) {
  q.bind(3, r.time.utc_micros()).bind(4, r.time.offset().minutes());
  q.bind(5, r.intensity.value()).bind_text_or_null(6, r.trigger).bind(7, std::string_view(r.note));
}

void bind_exercise(Query& q, const ExerciseSession& e) {
  q.bind(3, e.time.utc_micros()).bind(4, e.time.offset().minutes());
  q.bind(5, e.end.utc_micros()).bind(6, e.end.offset().minutes());
  q.bind(7, std::string_view(e.exercise)).bind(8, e.completed);
  q.bind_opt(9, e.intensity_before).bind_opt(10, e.intensity_after);
  q.bind_text_or_null(11, e.trigger);
}

void bind_thought(Query& q, const ThoughtRecord& t) {
  q.bind(3, t.time.utc_micros()).bind(4, t.time.offset().minutes());
  q.bind(5, std::string_view(t.situation)).bind(6, std::string_view(t.automatic_thought));
  q.bind(7, t.belief_before.value()).bind(8, std::string_view(t.friend_advice));
  q.bind(9, std::string_view(t.balanced_thought)).bind_opt(10, t.belief_after);
  q.bind_text_or_null(11, t.trigger);
}

void bind_assessment(Query& q, const Assessment& a) {
  q.bind(3, a.time.utc_micros()).bind(4, a.time.offset().minutes());
  q.bind(5, std::string_view(a.instrument)).bind(6, std::string_view(a.note));
}

void write_assessment_answers(Impl& impl, std::int64_t aid, const Assessment& a) {
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    Query q(impl, "INSERT INTO assessment_answers(aid, position, answer) VALUES (?1, ?2, ?3)");
    q.bind(1, aid).bind(2, static_cast<std::int64_t>(i)).bind(3, a.answers[i]);
    q.run("writing an assessment answer");
  }
}

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
    write_trigger_lists(impl, sqlite3_last_insert_rowid(impl.db), t);
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
    write_exercise_lists(impl, sqlite3_last_insert_rowid(impl.db), e);
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
    write_thought_lists(impl, sqlite3_last_insert_rowid(impl.db), t);
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
    write_assessment_answers(impl, sqlite3_last_insert_rowid(impl.db), a);
  } catch (const ConstraintError& e) {
    constraint_failed(impl, e, "add", a);
  }
}

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

/// Deletes one record by participant and id; true when there was one.
bool delete_row(Impl& impl, const std::string& sql, std::string_view participant, std::string_view id) {
  auto pid = find_participant(impl, participant);
  if (!pid || id.empty()) return false;
  Query q(impl, sql);
  q.bind(1, *pid).bind(2, id).run("removing a record");
  return sqlite3_changes(impl.db) > 0;
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

/// Checks what kind of file this is. Returns its schema version (0 = a new,
/// empty database).
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

/// Creates the schema in a new file or migrates an old one, in one
/// transaction: on any failure the file is left as it was.
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

/// Creates the file with mode 0600 before SQLite opens it, so that the journal
/// is never readable by others, not even for a moment. SQLite gives its `-wal`
/// and `-shm` files the main file's permissions.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno == EEXIST) return;  // created by someone else meanwhile: open it
  throw_runtime("store '" + path + "': cannot create the file: " + std::strerror(errno));
}

/// What the first 100 bytes of an SQLite file say: whether it is one, and
/// whether it was last written in WAL mode (header bytes 18-19 = 2).
struct FileHeader {
  bool sqlite = false;
  bool wal = false;
};
FileHeader read_header(const std::string& path) {
  FileHeader h;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return h;
  std::array<unsigned char, 100> b{};
  const ssize_t n = ::read(fd, b.data(), b.size());
  ::close(fd);
  if (n < 100 || std::memcmp(b.data(), "SQLite format 3", 16) != 0) return h;
  h.sqlite = true;
  h.wal = b[18] == 2 && b[19] == 2;
  return h;
}

/// Whether files can be created next to `path` (its folder is writable and
/// not on a read-only file system).
bool folder_writable(const std::filesystem::path& path) {
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0) return false;
  return ::access(dir.c_str(), W_OK) == 0;
}

/// `path` as an SQLite URI ("file:" + the absolute path, percent-encoded).
std::string file_uri(const std::filesystem::path& path, std::string_view query) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  std::string uri = "file:";
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const unsigned char c : abs.string()) {
    if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    }
  }
  uri += '?';
  uri += query;
  return uri;
}

/// The message for a file with no calmkit schema that is not a new, empty
/// file: it never advises anything that could overwrite a copy's data.
std::string no_schema_message(const std::string& path, bool read_only) {
  return "store '" + path + "' holds no calmkit schema: it is an empty database, or a copy made while the " +
         "store was open whose records are still in a '-wal' file that was not copied with it. " +
         (read_only ? std::string("Nothing was changed. ")
                    : std::string("It was left as it is (a writable open would make it an empty store). ")) +
         "If it is such a copy, put the original's '" + std::filesystem::path(path).filename().string() +
         "-wal' next to it, or copy the store again with `calmkit backup`.";
}

}  // namespace
}  // namespace detail

// =============================================================================
// Store

Store::Store(std::unique_ptr<Impl> impl, std::filesystem::path path) noexcept
    : impl_(std::move(impl)), path_(std::move(path)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

void Store::close() noexcept {
  impl_.reset();
}

namespace {
Store::Impl& open_impl(const std::unique_ptr<Store::Impl>& impl) {
  if (!impl) detail::throw_invalid("the store is closed");
  return *impl;
}
}  // namespace

Store Store::open(const std::filesystem::path& path, OpenOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path.string();
  impl->read_only = options.read_only;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists) {
    if (!options.create || options.read_only) {
      detail::throw_runtime("store '" + impl->path + "' does not exist" +
                            (options.read_only ? " (a read-only open never creates it)" : ""));
    }
    detail::create_private_file(impl->path);
  } else if (!std::filesystem::is_regular_file(path, ec)) {
    // SQLite would say "disk I/O error" for a folder and wait forever on a FIFO.
    const auto st = std::filesystem::status(path, ec);
    const char* kind = std::filesystem::is_directory(st) ? "a folder"
                       : std::filesystem::is_fifo(st)    ? "a FIFO (named pipe)"
                       : std::filesystem::is_socket(st)  ? "a socket"
                                                         : "a device or other special file";
    detail::throw_invalid("store '" + impl->path + "': it is " + kind +
                          ", not a store; give the path of the store's file (such as journal.db)");
  }
  const std::string wal_path = impl->path + "-wal";
  // An empty -wal holds nothing (a read-only connection may leave one behind).
  const bool had_wal = std::filesystem::exists(wal_path, ec) && std::filesystem::file_size(wal_path, ec) > 0;
  const detail::FileHeader header = detail::read_header(impl->path);
  if (options.read_only && header.wal && !had_wal) {
    // A file in WAL mode with nothing beside it: look before opening it for
    // real, which would create a -wal and a -shm next to it. `immutable` reads
    // without creating anything; a copy whose records stayed in the
    // original's -wal is recognised here and refused with nothing changed.
    Impl peek;
    peek.path = impl->path;
    peek.read_only = true;
    const std::string uri = detail::file_uri(path, "immutable=1");
    if (sqlite3_open_v2(uri.c_str(), &peek.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        nullptr) == SQLITE_OK) {
      sqlite3_extended_result_codes(peek.db, 1);
      if (detail::check_identity(peek) == 0)
        detail::throw_runtime(detail::no_schema_message(impl->path, true));
    }
  }
  // A read-only open of a file no one can be writing (no -wal, and no file can
  // be created in its folder: read-only media, or a folder this user cannot
  // write) opens it `immutable`: SQLite then needs no -shm, which it could not
  // create there, and takes no locks.
  const bool immutable = options.read_only && !had_wal && !detail::folder_writable(path);
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  const std::string target = immutable ? detail::file_uri(path, "immutable=1") : impl->path;
  if (immutable) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(target.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = impl->db != nullptr ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc);
    detail::throw_runtime("store '" + impl->path + "': cannot open: " + why);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, options.busy_timeout_ms);

  int version = 0;
  try {
    version = detail::check_identity(*impl);
  } catch (const std::runtime_error&) {
    const int code = sqlite3_extended_errcode(impl->db);
    if (options.read_only && had_wal &&
        ((code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_READONLY)) {
      detail::throw_runtime("store '" + impl->path +
                            "': cannot be read read-only here: its recent changes are in '" + wal_path +
                            "', and SQLite needs to create '" + impl->path +
                            "-shm' beside it to read them, which this folder does not allow (read-only media "
                            "or no write permission). Nothing was changed; copy the store together with its "
                            "'-wal' file to a writable folder and open the copy.");
    }
    throw;
  }
  if (version == 0 && exists && header.sqlite && header.wal && !had_wal) {
    // An SQLite file once written in WAL mode, with no calmkit schema in the
    // file itself and no -wal beside it: the schema and the records were in a
    // -wal that was not copied. Creating a schema would bury them for good.
    detail::throw_runtime(detail::no_schema_message(impl->path, options.read_only));
  }
  if (options.read_only) {
    if (version == 0) detail::throw_runtime(detail::no_schema_message(impl->path, true));
    if (version < store_schema_version) {
      detail::throw_runtime("store '" + impl->path + "' has schema version " + std::to_string(version) +
                            " and needs migrating to version " + std::to_string(store_schema_version) +
                            "; open it writable once to migrate it (the migration keeps every record)");
    }
  } else {
    // WAL while open: readers never block the writer nor see half a
    // transaction. (The last writer to close leaves WAL mode again.)
    detail::Query q(*impl, "PRAGMA journal_mode = WAL");
    const std::string mode = q.step("switching to WAL") ? q.text(0) : std::string();
    if (mode != "wal") {
      detail::throw_runtime("store '" + impl->path + "': cannot switch to WAL journal mode (got '" + mode +
                            "')");
    }
  }
  // FULL: the WAL is synced to disk on every commit, so a committed record
  // survives a power loss, not only a crash of the process.
  impl->exec("PRAGMA synchronous = FULL", "setting synchronous = FULL");
  impl->exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  for (auto [name, fn] : {std::pair{"calmkit_rfc3339_utc_us", &detail::sql_rfc3339_utc_us},
                          std::pair{"calmkit_rfc3339_offset_minutes", &detail::sql_rfc3339_offset_minutes}}) {
    const int frc = sqlite3_create_function_v2(impl->db, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                               fn, nullptr, nullptr, nullptr);
    if (frc != SQLITE_OK) impl->fail(frc, "registering SQL functions");
  }
  if (!options.read_only && version != store_schema_version) detail::create_or_migrate(*impl);
  impl->fold_on_close = !options.read_only;
  return Store(std::move(impl), path);
}

int Store::schema_version() const {
  auto& impl = open_impl(impl_);
  std::lock_guard lock(impl.mu);
  return static_cast<int>(detail::pragma_int(impl, "user_version"));
}

Store::TransactionScope::TransactionScope(Store& s) : s_(s) {
  auto& impl = open_impl(s.impl_);
  impl.require_writable();
  impl.begin(true);
}
Store::TransactionScope::~TransactionScope() {
  if (!done_ && s_.impl_) s_.impl_->rollback();
}
void Store::TransactionScope::commit() {
  done_ = true;
  s_.impl_->commit();
}

// --- writes ---------------------------------------------------------------------

void Store::add(const Trigger& t) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  detail::insert(impl, t);
  tx.commit();
}
void Store::add(const Reading& r) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  detail::insert(impl, r);
  tx.commit();
}
void Store::add(const ExerciseSession& e) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  detail::insert(impl, e);
  tx.commit();
}
void Store::add(const ThoughtRecord& t) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  detail::insert(impl, t);
  tx.commit();
}
void Store::add(const Assessment& a) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  detail::insert(impl, a);
  tx.commit();
}
void Store::add(const Record& r) {
  std::visit([this](const auto& x) { add(x); }, r);
}

void Store::add_all(const Journal& journal) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  // Triggers first: the other records refer to them.
  for (const auto& t : journal.triggers()) detail::insert(impl, t);
  for (const auto& r : journal.readings()) detail::insert(impl, r);
  for (const auto& e : journal.exercises()) detail::insert(impl, e);
  for (const auto& t : journal.thought_records()) detail::insert(impl, t);
  for (const auto& a : journal.assessments()) detail::insert(impl, a);
  tx.commit();
}

void Store::update(const Trigger& t) {
  auto& impl = open_impl(impl_);
  detail::check_record(impl, "update", t);
  detail::Tx tx(impl, true);
  static const std::string sql =
      "UPDATE triggers SET time_us = ?3, time_offset = ?4, category = ?5, intensity = ?6, context = ?7, "
      "urge = ?8, acted_on_urge = ?9, acted_after_minutes = ?10, response = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING tid";
  const auto tid = detail::update_row(impl, sql, t, "trigger", detail::bind_trigger);
  {
    detail::Query q(impl, "DELETE FROM trigger_items WHERE tid = ?1");
    q.bind(1, tid).run("replacing trigger lists");
  }
  detail::write_trigger_lists(impl, tid, t);
  tx.commit();
}

void Store::update(const Reading& r) {
  auto& impl = open_impl(impl_);
  detail::check_record(impl, "update", r);
  // The store finds the reading to update by its id (optional in the model).
  if (auto bad = rules::not_empty("id", r.id)) detail::throw_record(detail::place(impl, "update", r), *bad);
  detail::Tx tx(impl, true);
  static const std::string sql =
      "UPDATE readings SET time_us = ?3, time_offset = ?4, intensity = ?5, trigger_id = ?6, note = ?7 "
      "WHERE pid = ?1 AND id = ?2 RETURNING rid";
  (void)detail::update_row(impl, sql, r, "reading", detail::bind_reading);
  tx.commit();
}

void Store::update(const ExerciseSession& e) {
  auto& impl = open_impl(impl_);
  detail::check_record(impl, "update", e);
  detail::Tx tx(impl, true);
  static const std::string sql =
      "UPDATE exercises SET time_us = ?3, time_offset = ?4, end_us = ?5, end_offset = ?6, exercise = ?7, "
      "completed = ?8, intensity_before = ?9, intensity_after = ?10, trigger_id = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING eid";
  const auto eid = detail::update_row(impl, sql, e, "exercise", detail::bind_exercise);
  {
    detail::Query q(impl, "DELETE FROM exercise_responses WHERE eid = ?1");
    q.bind(1, eid).run("replacing exercise responses");
  }
  detail::write_exercise_lists(impl, eid, e);
  tx.commit();
}

void Store::update(const ThoughtRecord& t) {
  auto& impl = open_impl(impl_);
  detail::check_record(impl, "update", t);
  detail::Tx tx(impl, true);
  static const std::string sql =
      "UPDATE thought_records SET time_us = ?3, time_offset = ?4, situation = ?5, automatic_thought = ?6, "
      "belief_before = ?7, friend_advice = ?8, balanced_thought = ?9, belief_after = ?10, trigger_id = ?11 "
      "WHERE pid = ?1 AND id = ?2 RETURNING xid";
  const auto xid = detail::update_row(impl, sql, t, "thought_record", detail::bind_thought);
  {
    detail::Query q(impl, "DELETE FROM thought_record_items WHERE xid = ?1");
    q.bind(1, xid).run("replacing thought record lists");
  }
  {
    detail::Query q(impl, "DELETE FROM thought_record_emotions WHERE xid = ?1");
    q.bind(1, xid).run("replacing thought record emotions");
  }
  detail::write_thought_lists(impl, xid, t);
  tx.commit();
}

void Store::update(const Assessment& a) {
  auto& impl = open_impl(impl_);
  detail::check_record(impl, "update", a);
  detail::Tx tx(impl, true);
  static const std::string sql =
      "UPDATE assessments SET time_us = ?3, time_offset = ?4, instrument = ?5, note = ?6 "
      "WHERE pid = ?1 AND id = ?2 RETURNING aid";
  const auto aid = detail::update_row(impl, sql, a, "assessment", detail::bind_assessment);
  {
    detail::Query q(impl, "DELETE FROM assessment_answers WHERE aid = ?1");
    q.bind(1, aid).run("replacing assessment answers");
  }
  detail::write_assessment_answers(impl, aid, a);
  tx.commit();
}

std::size_t Store::remove_trigger(std::string_view participant, std::string_view id, bool cascade) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  const auto pid = detail::find_participant(impl, participant);
  if (!pid || id.empty()) {
    tx.commit();
    return 0;
  }
  static const char* const linked_tables[] = {"readings", "exercises", "thought_records"};
  std::int64_t linked[3] = {0, 0, 0};
  for (std::size_t i = 0; i < 3; ++i) {
    detail::Query q(impl, std::string("SELECT count(*) FROM ") + linked_tables[i] +
                              " WHERE pid = ?1 AND trigger_id = ?2");
    q.bind(1, *pid).bind(2, id);
    q.step("counting linked records");
    linked[i] = q.int64(0);
  }
  const std::int64_t total_linked = linked[0] + linked[1] + linked[2];
  if (total_linked > 0 && !cascade) {
    detail::throw_invalid("cannot remove " + describe_record("trigger", participant, id) + ": " +
                          std::to_string(linked[0]) + " reading(s), " + std::to_string(linked[1]) +
                          " exercise(s) and " + std::to_string(linked[2]) +
                          " thought record(s) refer to it; remove them first or remove with cascade");
  }
  if (cascade) {
    for (const char* table : linked_tables) {
      detail::Query q(impl, std::string("DELETE FROM ") + table + " WHERE pid = ?1 AND trigger_id = ?2");
      q.bind(1, *pid).bind(2, id).run("removing linked records");
    }
  }
  detail::Query q(impl, "DELETE FROM triggers WHERE pid = ?1 AND id = ?2");
  q.bind(1, *pid).bind(2, id).run("removing a trigger");
  const bool removed = sqlite3_changes(impl.db) > 0;
  tx.commit();
  return removed ? static_cast<std::size_t>(1 + (cascade ? total_linked : 0)) : 0;
}

bool Store::remove_reading(std::string_view participant, std::string_view id) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  const bool removed =
      detail::delete_row(impl, "DELETE FROM readings WHERE pid = ?1 AND id = ?2", participant, id);
  tx.commit();
  return removed;
}
bool Store::remove_exercise(std::string_view participant, std::string_view id) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  const bool removed =
      detail::delete_row(impl, "DELETE FROM exercises WHERE pid = ?1 AND id = ?2", participant, id);
  tx.commit();
  return removed;
}
bool Store::remove_thought_record(std::string_view participant, std::string_view id) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  const bool removed =
      detail::delete_row(impl, "DELETE FROM thought_records WHERE pid = ?1 AND id = ?2", participant, id);
  tx.commit();
  return removed;
}

bool Store::remove_assessment(std::string_view participant, std::string_view id) {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, true);
  const bool removed =
      detail::delete_row(impl, "DELETE FROM assessments WHERE pid = ?1 AND id = ?2", participant, id);
  tx.commit();
  return removed;
}

// --- reads -----------------------------------------------------------------------

std::vector<std::string> Store::participants() const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  detail::Query q(impl,
                  "SELECT name FROM participants p WHERE "
                  "EXISTS (SELECT 1 FROM triggers t WHERE t.pid = p.pid) OR "
                  "EXISTS (SELECT 1 FROM readings r WHERE r.pid = p.pid) OR "
                  "EXISTS (SELECT 1 FROM exercises e WHERE e.pid = p.pid) OR "
                  "EXISTS (SELECT 1 FROM thought_records x WHERE x.pid = p.pid) OR "
                  "EXISTS (SELECT 1 FROM assessments a WHERE a.pid = p.pid) ORDER BY name");
  std::vector<std::string> out;
  while (q.step("listing participants")) out.push_back(detail::text_of(impl, q, 0, "a participant", "name"));
  return out;
}

std::size_t Store::count(RecordType type) const {
  auto& impl = open_impl(impl_);
  std::lock_guard lock(impl.mu);
  const char* table = "triggers";
  switch (type) {
    case RecordType::trigger: table = "triggers"; break;
    case RecordType::reading: table = "readings"; break;
    case RecordType::exercise: table = "exercises"; break;
    case RecordType::thought_record: table = "thought_records"; break;
    case RecordType::assessment: table = "assessments"; break;
  }
  detail::Query q(impl, std::string("SELECT count(*) FROM ") + table);
  q.step("counting records");
  return static_cast<std::size_t>(q.int64(0));
}

std::size_t Store::size() const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);  // one snapshot for the five counts
  return count(RecordType::trigger) + count(RecordType::reading) + count(RecordType::exercise) +
         count(RecordType::thought_record) + count(RecordType::assessment);
}

std::vector<Trigger> Store::triggers(std::string_view participant, std::optional<Instant> from,
                                     std::optional<Instant> to) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  return detail::read_triggers(impl, detail::make_filter(participant, from, to));
}
std::vector<Reading> Store::readings(std::string_view participant, std::optional<Instant> from,
                                     std::optional<Instant> to) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  return detail::read_readings(impl, detail::make_filter(participant, from, to));
}
std::vector<ExerciseSession> Store::exercises(std::string_view participant, std::optional<Instant> from,
                                              std::optional<Instant> to) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  return detail::read_exercises(impl, detail::make_filter(participant, from, to));
}
std::vector<ThoughtRecord> Store::thought_records(std::string_view participant, std::optional<Instant> from,
                                                  std::optional<Instant> to) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  return detail::read_thought_records(impl, detail::make_filter(participant, from, to));
}

std::vector<Assessment> Store::assessments(std::string_view participant, std::optional<Instant> from,
                                           std::optional<Instant> to) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  return detail::read_assessments(impl, detail::make_filter(participant, from, to));
}

std::optional<Trigger> Store::find_trigger(std::string_view participant, std::string_view id) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  detail::Filter f;
  f.participant = std::string(participant);
  f.id = std::string(id);
  auto found = detail::read_triggers(impl, f);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

namespace {
Journal load_filtered(Store::Impl& impl, const detail::Filter& f) {
  detail::Tx tx(impl, false);  // one consistent snapshot for all the reads
  RecordSet rs;
  rs.triggers = detail::read_triggers(impl, f);
  rs.readings = detail::read_readings(impl, f);
  rs.exercises = detail::read_exercises(impl, f);
  rs.thought_records = detail::read_thought_records(impl, f);
  rs.assessments = detail::read_assessments(impl, f);
  // Triggers outside the range that records inside it refer to.
  std::set<std::pair<std::string, std::string>> have, missing;
  for (const auto& t : rs.triggers) have.emplace(t.participant, t.id);
  auto want = [&](const std::string& p, const std::string& trigger) {
    if (!trigger.empty() && !have.contains({p, trigger})) missing.emplace(p, trigger);
  };
  for (const auto& r : rs.readings) want(r.participant, r.trigger);
  for (const auto& e : rs.exercises) want(e.participant, e.trigger);
  for (const auto& t : rs.thought_records) want(t.participant, t.trigger);
  for (const auto& [p, id] : missing) {
    detail::Filter one;
    one.participant = p;
    one.id = id;
    for (auto& t : detail::read_triggers(impl, one)) rs.triggers.push_back(std::move(t));
  }
  tx.commit();
  return Journal(std::move(rs));
}
}  // namespace

Journal Store::load() const {
  return load_filtered(open_impl(impl_), detail::Filter{});
}

Journal Store::load(std::string_view participant) const {
  return load_filtered(open_impl(impl_), detail::make_filter(participant, std::nullopt, std::nullopt));
}

Journal Store::load(std::string_view participant, std::optional<Instant> from,
                    std::optional<Instant> to) const {
  return load_filtered(open_impl(impl_), detail::make_filter(participant, from, to));
}

Journal Store::load_between(std::optional<Instant> from, std::optional<Instant> to) const {
  return load_filtered(open_impl(impl_), detail::make_filter(std::nullopt, from, to));
}

void Store::backup(const std::filesystem::path& destination, bool replace) const {
  namespace fs = std::filesystem;
  auto& impl = open_impl(impl_);
  const std::string to = "backup to '" + destination.string() + "': ";
  // Where the copy goes, through calmkit's one safe write (files.hpp): a
  // symbolic link is followed on purpose, also to a file not made yet (the
  // first backup into a synced folder), and the link stays; only a regular
  // file is ever replaced, keeping its mode and owner (a new copy is 0600).
  fs::path target;
  try {
    target = resolve_write_target(destination);
  } catch (const FileError& e) {
    // A folder, FIFO, device or socket, or a loop of links: the caller named
    // something that is not a file to write.
    std::string why = e.what();
    const std::string prefix = "cannot write '" + destination.string() + "': ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    if (e.error() == EISDIR) why = "it is a folder";
    if (e.error() == ELOOP) why = "too many symbolic links (a loop?)";
    if (e.error() == EISDIR || e.error() == EINVAL || e.error() == ELOOP || e.error() == ENOTDIR) {
      detail::throw_invalid(to + why + "; give the path of a file to write");
    }
    throw;
  }
  // The store's own file and the files SQLite keeps beside it: writing over
  // its -wal or -journal would lose the entries not yet folded into the store.
  std::error_code ec;
  const fs::path own = fs::weakly_canonical(path_, ec);
  const fs::path dest = fs::weakly_canonical(target, ec);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    if (dest == fs::path(own.string() + suffix)) {
      detail::throw_invalid(to + "that is the store's own " +
                            (*suffix == '\0' ? std::string("file") : std::string(suffix + 1) + " file"));
    }
  }
  if (fs::exists(target, ec)) {
    if (fs::equivalent(target, path_, ec)) detail::throw_invalid(to + "that is the store's own file");
    if (!replace)
      detail::throw_invalid(to + "the file exists (pass replace=true, or --force, to replace it)");
  }
  std::lock_guard lock(impl.mu);
  write_file_by_name(
      target,
      [&](const fs::path& copy) {
        sqlite3* out = nullptr;
        struct CloseOut {
          sqlite3*& db;
          const fs::path& copy;
          bool ok = false;
          ~CloseOut() {
            if (db != nullptr) sqlite3_close_v2(db);
            if (!ok) {  // what SQLite may have made beside the copy; the copy itself is removed by the caller
              for (const char* suffix : {"-journal", "-wal", "-shm"})
                ::unlink((copy.string() + suffix).c_str());
            }
          }
        } close_out{out, copy};
        auto fail_out = [&](std::string_view doing) {
          detail::throw_runtime(to + std::string(doing) + ": " +
                                (out != nullptr ? sqlite3_errmsg(out) : "out of memory"));
        };
        if (sqlite3_open_v2(copy.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
            SQLITE_OK) {
          fail_out("opening the copy");
        }
        sqlite3_backup* b = sqlite3_backup_init(out, "main", impl.db, "main");
        if (b == nullptr) fail_out("starting the backup");
        // All pages in one step; a step that meets a lock is retried (the
        // source's busy timeout bounds the wait in each step).
        int rc = SQLITE_OK;
        for (int attempt = 0; attempt < 200; ++attempt) {
          rc = sqlite3_backup_step(b, -1);
          if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE) detail::throw_runtime(to + "copying the pages: " + sqlite3_errstr(rc));
        // The copy carries the source's WAL flag in its header: make it one
        // self-contained file in rollback-journal mode, then check it.
        if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr) != SQLITE_OK) {
          fail_out("leaving WAL mode in the copy");
        }
        sqlite3_stmt* q = nullptr;
        std::string check;
        if (sqlite3_prepare_v2(out, "PRAGMA quick_check", -1, &q, nullptr) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
          check = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
        }
        sqlite3_finalize(q);
        if (check != "ok") detail::throw_runtime(to + "the copy failed its check: " + check);
        if (sqlite3_close_v2(out) != SQLITE_OK) fail_out("closing the copy");
        out = nullptr;
        close_out.ok = true;
      },
      {.replace = replace});
}

std::string Store::integrity_check() const {
  auto& impl = open_impl(impl_);
  std::lock_guard lock(impl.mu);
  detail::Query q(impl, "PRAGMA integrity_check");
  std::string out;
  while (q.step("checking integrity")) {
    if (!out.empty()) out += '\n';
    out += q.text(0);
  }
  return out;
}

}  // namespace calmkit
