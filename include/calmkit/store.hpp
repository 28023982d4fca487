/// @file store.hpp
/// @brief `Store`: a journal kept in an embedded SQLite database.
///
/// The store is the place a front end keeps a journal between sessions. It is
/// one SQLite file created with owner-only permissions (0600). While a writer
/// has it open it is in WAL mode (with SQLite's `-wal` and `-shm` companions)
/// with `synchronous=FULL`, so that a record whose `add` returned survives a
/// crash or a power loss; the last writer to close folds the `-wal` back into
/// the file, so a closed store is one self-contained file. The schema is
/// versioned (`PRAGMA user_version`) and older files are migrated on open.
/// The schema, the durability guarantees and the concurrency rules are
/// described in `docs/store.md`.
///
/// Implemented in the compiled part `calmkit::store` (src/store*.cpp, SQLite 3).
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/export.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace calmkit {

/// The schema version this build writes. Files of every earlier version are
/// migrated on open; a file of a later version is refused.
///
/// Versions: 1 kept times as RFC 3339 text; 2 keeps them as UTC microseconds
/// plus the offset in minutes; 3 adds the assessment tables (`assessments`,
/// `assessment_answers`). See `docs/store.md`.
inline constexpr int store_schema_version = 3;

/// How to open a store.
struct OpenOptions {
  /// Create the file (mode 0600) when it does not exist. When false, a missing
  /// file is an error.
  bool create = true;
  /// Open without writing anything: no schema creation, no migration, and every
  /// write throws. An older schema version is then an error. A closed store
  /// opens read-only on read-only media and leaves no `-wal`/`-shm` behind.
  bool read_only = false;
  /// How long a write waits for another connection's write lock, milliseconds.
  int busy_timeout_ms = 5000;
};

/// A journal in an SQLite database.
///
/// Every write runs in a transaction: a single `add` is atomic on its own, and
/// `transaction(fn)` or `add_all` make many writes atomic together. Records
/// keep the journal's rules (unique ids per participant and type, trigger
/// references to a trigger of the same participant, exercise end not before
/// its start, assessment answers that fit a registered instrument); a write that would break one throws
/// `std::invalid_argument` naming the record and the rule, and leaves the store unchanged.
///
/// One `Store` is one SQLite connection. Its member functions may be called
/// from several threads (calls are serialized), and any number of other
/// connections or processes may read while one writes (WAL).
///
/// Example
/// ```cpp
/// auto store = calmkit::Store::open("journal.db");
/// store.add(calmkit::Trigger{.participant = "p1", .id = "t1",
///                            .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
///                            .category = calmkit::TriggerCategory::delayed_reply,
///                            .intensity = calmkit::Intensity(8)});
/// calmkit::Journal j = store.load("p1");
/// ```
class CALMKIT_EXPORT Store {
 public:
  /// Opens (and by default creates) the store at `path`, migrating an older
  /// schema in one transaction.
  /// @throws std::runtime_error naming the path when the file cannot be
  ///         created or opened, is not a calmkit store, has a newer schema
  ///         version than this build knows (naming both), or fails to migrate
  ///         (the file is then left as it was).
  [[nodiscard]] static Store open(const std::filesystem::path& path, OpenOptions options = {});

  /// A warning for the store file at `path` when it may be a copy made while
  /// the store was open, else an empty optional. Said when the file's header
  /// says it was last written in WAL mode (bytes 18-19 = 2) and no `-wal` lies
  /// with content beside it, and no connection has it open: a store calmkit
  /// closed has left WAL mode. It takes the file's EXCLUSIVE lock for a few
  /// microseconds to know that no connection is open, as SQLite's own close
  /// does, waiting up to about a second for another's lock, and looks twice,
  /// 50 ms apart, so a store half way through its close or its open elsewhere
  /// is not taken for a copy. A copy made with `cp` or a sync client
  /// while a writer was open lacks what was in the original's `-wal`
  /// (https://www.sqlite.org/howtocorrupt.html, section 1.2); a store closed by
  /// a calmkit from before the checkpoint-on-close looks the same and misses
  /// nothing, so this is a note, not a refusal (docs/store.md). Call it before
  /// `open`, which creates a `-wal`. Never throws; a path that is not a regular
  /// file, or cannot be read, gives no note. Reads the file only through
  /// SQLite, so it never drops the locks of a Store open on it in this process.
  [[nodiscard]] static std::optional<std::string> copy_note(const std::filesystem::path& path);

  /// Takes over the connection; the moved-from store is closed.
  Store(Store&&) noexcept;
  /// Closes this store's connection, then takes over `other`'s.
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  /// Closes the connection now (the destructor does it otherwise). Any further
  /// call other than `is_open`, `close` and `path` throws std::invalid_argument.
  /// A writable store checkpoints its `-wal` into the file first and, when no
  /// other connection has the file open, leaves WAL mode: the closed store is
  /// then one file that can be copied, synced or read on read-only media.
  void close() noexcept;
  /// Whether the connection is still open.
  [[nodiscard]] bool is_open() const noexcept { return impl_ != nullptr; }
  /// The file this store was opened from.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The schema version of the open file (always `store_schema_version` once open).
  [[nodiscard]] int schema_version() const;

  // --- writes -------------------------------------------------------------

  /// Adds one record.
  /// @throws RecordError (a std::invalid_argument) naming the store, the record
  ///         and the broken rule of validate.hpp (an empty required id, an
  ///         exercise ending before it starts, a negative or non-finite
  ///         `acted_after_minutes`, ...), a duplicate id or a missing trigger,
  ///         as `store 'PATH': cannot add trigger 't1' of participant 'p': field 'id': REASON`;
  ///         std::invalid_argument for a read-only store.
  void add(const Trigger& t);
  /// Adds one reading (same rules as `add(const Trigger&)`).
  void add(const Reading& r);
  /// Adds one exercise session (same rules as `add(const Trigger&)`).
  void add(const ExerciseSession& e);
  /// Adds one thought record (same rules as `add(const Trigger&)`).
  void add(const ThoughtRecord& t);
  /// Adds one assessment: its answers (one per item, in item order, each
  /// inside the instrument's scale) and the time with its UTC offset.
  /// @throws std::invalid_argument for an empty or duplicate id, an empty or
  ///         unregistered instrument id (register custom instruments first with
  ///         `register_instrument`), a wrong number of answers or an answer
  ///         outside the scale (naming the item), or a read-only store.
  ///
  /// Example
  /// ```cpp
  /// store.add(calmkit::Assessment{.participant = "p1", .id = "a1",
  ///                               .time = calmkit::Instant::parse("2026-03-02T21:14:00+01:00"),
  ///                               .instrument = "gad-7", .answers = {1, 1, 2, 0, 1, 1, 0}});
  /// ```
  void add(const Assessment& a);
  /// Adds one record of any type.
  void add(const Record& r);

  /// Adds every record of `journal` in one transaction (all or nothing).
  void add_all(const Journal& journal);

  /// Replaces the record with the same participant and id (readings need an id
  /// to be updated). Every field is replaced, list fields included.
  /// @throws std::invalid_argument when there is no such record, or the new
  ///         values break a rule.
  void update(const Trigger& t);
  /// Replaces a reading, found by participant and its (required) id.
  void update(const Reading& r);
  /// Replaces an exercise session, found by participant and id.
  void update(const ExerciseSession& e);
  /// Replaces a thought record, found by participant and id.
  void update(const ThoughtRecord& t);
  /// Replaces an assessment, found by participant and id, answers included
  /// (checked as by `add(const Assessment&)`).
  void update(const Assessment& a);

  /// Removes a trigger. Readings, exercises and thought records that refer to
  /// it keep it from being removed (std::invalid_argument saying how many)
  /// unless `cascade` is true, in which case they are removed with it.
  /// @return the number of records removed (0 when there was no such trigger).
  std::size_t remove_trigger(std::string_view participant, std::string_view id, bool cascade = false);
  /// Removes one record; returns false when there was none with that id.
  bool remove_reading(std::string_view participant, std::string_view id);
  /// Removes one exercise session; returns false when there was none with that id.
  bool remove_exercise(std::string_view participant, std::string_view id);
  /// Removes one thought record; returns false when there was none with that id.
  bool remove_thought_record(std::string_view participant, std::string_view id);
  /// Removes one assessment and its answers; returns false when there was none with that id.
  bool remove_assessment(std::string_view participant, std::string_view id);

  /// Runs `fn` in one transaction: committed when `fn` returns, rolled back
  /// when it throws (the exception then propagates). `fn` takes no argument or
  /// a `Store&`. Nested calls become savepoints, so an inner failure that the
  /// outer `fn` catches undoes only the inner part.
  ///
  /// Example
  /// ```cpp
  /// store.transaction([&] {
  ///   store.add(trigger);
  ///   for (const auto& r : readings) store.add(r);
  /// });  // all of them, or none
  /// ```
  template <class Fn>
  decltype(auto) transaction(Fn&& fn) {
    TransactionScope scope(*this);
    if constexpr (std::is_invocable_v<Fn&, Store&>) {
      if constexpr (std::is_void_v<std::invoke_result_t<Fn&, Store&>>) {
        fn(*this);
        scope.commit();
      } else {
        decltype(auto) result = fn(*this);
        scope.commit();
        return result;
      }
    } else {
      if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
        fn();
        scope.commit();
      } else {
        decltype(auto) result = fn();
        scope.commit();
        return result;
      }
    }
  }

  // --- reads --------------------------------------------------------------

  /// Every participant with at least one record, sorted.
  [[nodiscard]] std::vector<std::string> participants() const;

  /// Number of records of one type in the whole store.
  [[nodiscard]] std::size_t count(RecordType type) const;
  /// Number of records of all types.
  [[nodiscard]] std::size_t size() const;

  /// One participant's records with `from <= time < to` (UTC instants; an
  /// absent bound is open), ordered by time then id.
  [[nodiscard]] std::vector<Trigger> triggers(std::string_view participant, std::optional<Instant> from = {},
                                              std::optional<Instant> to = {}) const;
  /// Readings of `participant` in the range, ordered by time then id.
  [[nodiscard]] std::vector<Reading> readings(std::string_view participant, std::optional<Instant> from = {},
                                              std::optional<Instant> to = {}) const;
  /// Exercise sessions of `participant` starting in the range, ordered by time then id.
  [[nodiscard]] std::vector<ExerciseSession> exercises(std::string_view participant,
                                                       std::optional<Instant> from = {},
                                                       std::optional<Instant> to = {}) const;
  /// Thought records of `participant` in the range, ordered by time then id.
  [[nodiscard]] std::vector<ThoughtRecord> thought_records(std::string_view participant,
                                                           std::optional<Instant> from = {},
                                                           std::optional<Instant> to = {}) const;

  /// Assessments of `participant` in the range, ordered by time then id.
  /// @throws std::runtime_error naming the record when one uses an instrument
  ///         that is not registered in this process (register custom
  ///         instruments before reading), or holds answers that do not fit it.
  [[nodiscard]] std::vector<Assessment> assessments(std::string_view participant,
                                                    std::optional<Instant> from = {},
                                                    std::optional<Instant> to = {}) const;

  /// The trigger with this participant and id, if any.
  [[nodiscard]] std::optional<Trigger> find_trigger(std::string_view participant, std::string_view id) const;

  /// Everything, as a journal (assessments checked as by `assessments`).
  [[nodiscard]] Journal load() const;
  /// One participant's records, as a journal.
  [[nodiscard]] Journal load(std::string_view participant) const;
  /// One participant's records with `from <= time < to`, plus the triggers
  /// outside the range that records inside it refer to (so that every episode
  /// that reaches into the range is whole, and the journal keeps its rules).
  [[nodiscard]] Journal load(std::string_view participant, std::optional<Instant> from,
                             std::optional<Instant> to) const;
  /// Every participant's records with `from <= time < to`, plus the triggers
  /// they refer to, as for `load(participant, from, to)`.
  [[nodiscard]] Journal load_between(std::optional<Instant> from, std::optional<Instant> to) const;

  /// The result of SQLite's `PRAGMA integrity_check`: "ok" when the file is
  /// sound; when it is, each row `PRAGMA foreign_key_check` finds (a record
  /// whose participant or trigger was deleted by a tool with foreign keys
  /// off) is a line instead, so "ok" means every record can be loaded.
  [[nodiscard]] std::string integrity_check() const;

  /// Writes a consistent copy of the store to `destination` with SQLite's online
  /// backup API: safe while this or other connections write (the copy is one
  /// committed state, recent `-wal` contents included). The copy is one
  /// self-contained file (not in WAL mode), checked with `PRAGMA quick_check`,
  /// written to a temporary file (mode 0600) in the destination's folder,
  /// synced and renamed into place, so `destination` is never half-written.
  /// A symbolic link as `destination` is followed: its target is replaced.
  /// @throws std::invalid_argument when `destination` exists and `replace` is
  ///         false, is not a regular file, or is this store's own file.
  /// @throws std::runtime_error naming the path for an I/O error (nothing is
  ///         left behind: the temporary file is removed).
  ///
  /// Example
  /// ```cpp
  /// store.backup("journal-2026-03-02.db");
  /// ```
  void backup(const std::filesystem::path& destination, bool replace = false) const;

  struct Impl;  ///< internal (src/store_sqlite.hpp)

 private:
  Store(std::unique_ptr<Impl> impl, std::filesystem::path path) noexcept;

  /// Begins a transaction (or a savepoint inside one); rolls back on
  /// destruction unless committed.
  class TransactionScope {
   public:
    explicit TransactionScope(Store& s);
    TransactionScope(const TransactionScope&) = delete;
    TransactionScope& operator=(const TransactionScope&) = delete;
    ~TransactionScope();
    void commit();

   private:
    Store& s_;
    bool done_ = false;
  };

  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
};

}  // namespace calmkit
