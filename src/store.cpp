// calmkit::Store: the SQLite journal store (docs/store.md). The store is in
// parts, one file each: store_sqlite.hpp (the connection, statements,
// transactions), store_schema.cpp (tables and migrations), store_open.cpp
// (Store::open), store_read.cpp and store_write.cpp (records to rows and back,
// declared in store_records.hpp); this file holds the public methods.
#include <calmkit/files.hpp>
#include <calmkit/store.hpp>
#include <calmkit/validate.hpp>

#include "store_records.hpp"
#include "store_sqlite.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace calmkit {

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

/// One record added in a transaction of its own.
template <class R>
void add_one(const std::unique_ptr<Store::Impl>& p, const R& r) {
  auto& impl = open_impl(p);
  detail::Tx tx(impl, true);
  detail::insert(impl, r);
  tx.commit();
}

/// One record removed by `sql` (`DELETE ... WHERE pid = ?1 AND id = ?2`) in a
/// transaction of its own; true when there was one.
bool remove_one(const std::unique_ptr<Store::Impl>& p, const char* sql, std::string_view participant,
                std::string_view id) {
  auto& impl = open_impl(p);
  detail::Tx tx(impl, true);
  const bool removed = detail::delete_row(impl, sql, participant, id);
  tx.commit();
  return removed;
}

/// The model's rules of a record alone (`validate`, validate.hpp) on every
/// record a read returns. The readers check each value on its way out (a
/// range, a vocabulary id, a time, UTF-8 text); the rules between a record's
/// fields (`end` not before `time`, a non-empty id) are the model's too, and
/// run here rather than being left to the schema's CHECKs, which another
/// program can turn off. `load()` runs them through `Journal`.
template <class R>
void check_read(const Store::Impl& impl, const std::vector<R>& records) {
  for (const auto& r : records)
    if (auto bad = validate(r, TextCheck::checked)) [[unlikely]]  // text_of checked every text
      detail::corrupt(impl, JournalFormatError::compose(describe_record(r), 0, bad->field, bad->reason));
}

/// The records one reader (detail::read_triggers, ...) selects, in one
/// snapshot, each checked by the model's rules.
template <class Read>
auto read_one_type(const std::unique_ptr<Store::Impl>& p, Read read, std::string_view participant,
                   std::optional<Instant> from, std::optional<Instant> to) {
  auto& impl = open_impl(p);
  detail::Tx tx(impl, false);
  auto records = read(impl, detail::make_filter(participant, from, to));
  check_read(impl, records);
  return records;
}
}  // namespace

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
  add_one(impl_, t);
}
void Store::add(const Reading& r) {
  add_one(impl_, r);
}
void Store::add(const ExerciseSession& e) {
  add_one(impl_, e);
}
void Store::add(const ThoughtRecord& t) {
  add_one(impl_, t);
}
void Store::add(const Assessment& a) {
  add_one(impl_, a);
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
  detail::update(open_impl(impl_), t);
}
void Store::update(const Reading& r) {
  detail::update(open_impl(impl_), r);
}
void Store::update(const ExerciseSession& e) {
  detail::update(open_impl(impl_), e);
}
void Store::update(const ThoughtRecord& t) {
  detail::update(open_impl(impl_), t);
}
void Store::update(const Assessment& a) {
  detail::update(open_impl(impl_), a);
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
  return remove_one(impl_, "DELETE FROM readings WHERE pid = ?1 AND id = ?2", participant, id);
}
bool Store::remove_exercise(std::string_view participant, std::string_view id) {
  return remove_one(impl_, "DELETE FROM exercises WHERE pid = ?1 AND id = ?2", participant, id);
}
bool Store::remove_thought_record(std::string_view participant, std::string_view id) {
  return remove_one(impl_, "DELETE FROM thought_records WHERE pid = ?1 AND id = ?2", participant, id);
}

bool Store::remove_assessment(std::string_view participant, std::string_view id) {
  return remove_one(impl_, "DELETE FROM assessments WHERE pid = ?1 AND id = ?2", participant, id);
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
  return read_one_type(impl_, detail::read_triggers, participant, from, to);
}
std::vector<Reading> Store::readings(std::string_view participant, std::optional<Instant> from,
                                     std::optional<Instant> to) const {
  return read_one_type(impl_, detail::read_readings, participant, from, to);
}
std::vector<ExerciseSession> Store::exercises(std::string_view participant, std::optional<Instant> from,
                                              std::optional<Instant> to) const {
  return read_one_type(impl_, detail::read_exercises, participant, from, to);
}
std::vector<ThoughtRecord> Store::thought_records(std::string_view participant, std::optional<Instant> from,
                                                  std::optional<Instant> to) const {
  return read_one_type(impl_, detail::read_thought_records, participant, from, to);
}

std::vector<Assessment> Store::assessments(std::string_view participant, std::optional<Instant> from,
                                           std::optional<Instant> to) const {
  return read_one_type(impl_, detail::read_assessments, participant, from, to);
}

std::optional<Trigger> Store::find_trigger(std::string_view participant, std::string_view id) const {
  auto& impl = open_impl(impl_);
  detail::Tx tx(impl, false);
  detail::Filter f;
  f.participant = std::string(participant);
  f.id = std::string(id);
  auto found = detail::read_triggers(impl, f);
  check_read(impl, found);
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
  try {
    return Journal(std::move(rs));
  } catch (const RecordError& e) {
    // A rule between records (the trigger a record refers to is gone) or one
    // the schema's CHECKs hold, broken by a program that turned foreign keys
    // or CHECKs off: the file's fault, not the caller's.
    detail::corrupt(impl, e.what());
  }
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
  std::string out;
  {
    detail::Query q(impl, "PRAGMA integrity_check");
    while (q.step("checking integrity")) {
      if (!out.empty()) out += '\n';
      out += q.text(0);
    }
  }
  if (out != "ok") return out;
  // A row whose participant or trigger is gone: a store changed by a tool
  // that left foreign keys off (the sqlite3 shell does by default). The
  // B-tree is sound, but load() cannot return such a row whole.
  std::string broken;
  detail::Query fk(impl, "PRAGMA foreign_key_check");
  while (fk.step("checking foreign keys")) {
    if (!broken.empty()) broken += '\n';
    broken += "row " + std::to_string(fk.int64(1)) + " of table " + fk.text(0) +
              " refers to a row of table " + fk.text(2) + " that is not there (foreign key " +
              std::to_string(fk.int64(3)) + ")";
  }
  return broken.empty() ? out : broken;
}

}  // namespace calmkit
