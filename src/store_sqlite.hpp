// Private to the store (src/store*.cpp), not installed: the SQLite layer of
// calmkit::Store. Store::Impl is the connection (statement cache, errors that
// name the store's path, nested transactions); Query is one cached statement
// in use, Tx a transaction; text goes in and comes out as UTF-8 only.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/store.hpp>
#include <calmkit/validate.hpp>

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace calmkit {

namespace detail {

/// `s` made safe for a message: bytes that are not UTF-8 and control
/// characters (U+0000 to U+001F, U+007F to U+009F) shown as `\xNN`, so that a
/// message is always UTF-8 (Python can decode it) and never carries a
/// terminal escape sequence.
inline std::string printable(std::string_view s) {
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
inline std::string quote_printable(std::string_view s) {
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

}  // namespace detail

struct Store::Impl {
  sqlite3* db = nullptr;
  std::string path;  // for messages
  bool read_only = false;
  bool fold_on_close = false;  // set once a writable open has succeeded
  mutable std::recursive_mutex mu;
  int depth = 0;  // open transactions/savepoints (guarded by mu)
  std::unordered_map<std::string, sqlite3_stmt*, detail::KeyedHash>
      stmts;  // SQL text -> its prepared statement

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
    // (A record's fields have been checked by `validate` with the record
    // named; this is for every other text a store is handed.)
    if (auto bad = rules::utf8_text("", v)) [[unlikely]]
      throw_invalid("text " + quote_printable(v) + ' ' + bad->reason + "; a store holds UTF-8 text only");
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

inline std::int64_t pragma_int(Impl& impl, const char* pragma) {
  Query q(impl, std::string("PRAGMA ") + pragma);
  if (!q.step(std::string("reading PRAGMA ") + pragma)) return 0;
  return q.int64(0);
}

}  // namespace detail

}  // namespace calmkit
