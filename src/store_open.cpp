// calmkit::Store::open: what kind of file a path is (a store, a new file, a
// copy whose records stayed in a '-wal', something else), then SQLite opened
// on it with the durability settings of docs/store.md and the schema created
// or migrated.
#include <calmkit/files.hpp>
#include <calmkit/store.hpp>

#include "io_error.hpp"
#include "store_schema.hpp"
#include "store_sqlite.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace calmkit {

namespace detail {
namespace {

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

/// The name to give `sqlite3_open_v2` (without SQLITE_OPEN_URI) for the file
/// `path`, so that SQLite opens that file and nothing else: a relative name
/// `:memory:` is SQLite's private in-memory database, and a relative name
/// starting with `file:` is read as a URI whose query (`mode=`, `nolock=`,
/// `vfs=`) changes how it opens when SQLite is built with SQLITE_USE_URI=1
/// (Debian's is); "./" in front names the same file and is neither
/// (https://www.sqlite.org/c3ref/open.html, https://www.sqlite.org/inmemorydb.html).
std::string sqlite_file_name(const std::string& path) {
  if (!path.empty() && path.front() != '/' && (path == ":memory:" || path.rfind("file:", 0) == 0))
    return "./" + path;
  return path;
}

/// Runs `use` on `path` opened through SQLite's own file layer (read-only,
/// or read-write when `writable` and the file allows it; `use` learns which),
/// never with ::open/::close: closing a descriptor drops every POSIX lock this
/// process holds on the file, including those of another Store open on it,
/// which SQLite's layer alone knows to defer ("How To Corrupt An SQLite
/// Database File", https://www.sqlite.org/howtocorrupt.html, section 2.2).
/// Opening creates nothing beside the file. Returns false when the file cannot
/// be opened.
bool with_sqlite_file(const std::string& path, bool writable,
                      const std::function<void(sqlite3_file&, bool writable)>& use) {
  for (const bool rw : {true, false}) {
    if (rw && !writable) continue;
    sqlite3* db = nullptr;
    const int flags = (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
    sqlite3_file* file = nullptr;
    const bool opened = sqlite3_open_v2(sqlite_file_name(path).c_str(), &db, flags, nullptr) == SQLITE_OK &&
                        sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK &&
                        file != nullptr && file->pMethods != nullptr;
    if (opened) use(*file, rw);
    sqlite3_close(db);
    if (opened) return true;
  }
  return false;
}

/// The header of the file `file` (read through SQLite, see with_sqlite_file).
FileHeader header_of(sqlite3_file& file) {
  FileHeader h;
  std::array<unsigned char, 100> b{};
  // A file shorter than 100 bytes reads as SQLITE_IOERR_SHORT_READ.
  if (file.pMethods->xRead(&file, b.data(), static_cast<int>(b.size()), 0) == SQLITE_OK &&
      std::memcmp(b.data(), "SQLite format 3", 16) == 0) {
    h.sqlite = true;
    h.wal = b[18] == 2 && b[19] == 2;
  }
  return h;
}

FileHeader read_header(const std::string& path) {
  FileHeader h;
  with_sqlite_file(path, false, [&](sqlite3_file& file, bool) { h = header_of(file); });
  return h;
}

/// Whether `path` looks like a copy made while the store was open, looked at
/// once: no connection is open on it, it says WAL mode, and no `-wal` with
/// content lies beside it. Every connection to a file in WAL mode holds a
/// SHARED lock on it while open, and the last one to close takes EXCLUSIVE
/// before it deletes the `-wal` and rewrites the header; so this takes
/// EXCLUSIVE as SQLite's own close does to know it is alone (waiting up to
/// about a second for a writer's lock), and looks only then. The lock is held
/// for the few microseconds of two reads. A file this user cannot write
/// (EXCLUSIVE needs a descriptor open for writing) is looked at under SHARED
/// alone.
bool looks_like_copy_once(const std::string& path) {
  bool copy = false;
  with_sqlite_file(path, true, [&](sqlite3_file& file, bool writable) {
    const sqlite3_io_methods& io = *file.pMethods;
    bool shared = false;
    for (int tries = 0; !shared && tries < 200; ++tries) {
      shared = io.xLock(&file, SQLITE_LOCK_SHARED) == SQLITE_OK;
      if (!shared) sqlite3_sleep(5);
    }
    if (!shared) return;
    // Without EXCLUSIVE someone has it open: not a copy.
    if (!writable || io.xLock(&file, SQLITE_LOCK_EXCLUSIVE) == SQLITE_OK) {
      const FileHeader h = header_of(file);
      std::error_code ec;
      const std::string wal = path + "-wal";
      const bool wal_content = std::filesystem::exists(wal, ec) && std::filesystem::file_size(wal, ec) > 0;
      copy = h.sqlite && h.wal && !wal_content;
    }
    io.xUnlock(&file, SQLITE_LOCK_NONE);
  });
  return copy;
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

Store Store::open(const std::filesystem::path& path, OpenOptions options) {
  detail::refuse_nul_in_path("cannot open store", path);
  auto impl = std::make_unique<Impl>();
  impl->path = path.string();
  impl->read_only = options.read_only;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists) {
    // A dangling symbolic link (or a chain of them) leads to where the store
    // is made, as every writer of calmkit follows links (files.hpp); SQLite
    // then opens the link and follows it too.
    const bool link = std::filesystem::is_symlink(path, ec);
    const std::filesystem::path target = link ? resolve_write_target(path) : path;
    if (!options.create || options.read_only) {
      detail::throw_runtime(
          "store '" + impl->path + "' does not exist" +
          (link ? ": it is a symbolic link to '" + target.string() + "', which does not exist"
                : std::string()) +
          (options.read_only ? " (a read-only open never creates it)" : ""));
    }
    detail::create_private_file(target.string());
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
  const std::string target =
      immutable ? detail::file_uri(path, "immutable=1") : detail::sqlite_file_name(impl->path);
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
    // A connection in WAL mode holds SQLite's SHARED lock on the file from
    // its first read until it closes; that lock tells a writer closing
    // elsewhere that it is not the last (else it leaves WAL mode under this
    // store, and a writer in rollback mode then waits on this one's lock until
    // "database is locked"), and tells Store::copy_note that the store is in
    // use. Until that first read it holds nothing, so read at once and check
    // that the file is still in WAL mode: a writer elsewhere may have left it
    // in between (then switch again).
    for (int tries = 0;; ++tries) {
      {
        detail::Query q(*impl, "PRAGMA journal_mode = WAL");
        const std::string mode = q.step("switching to WAL") ? q.text(0) : std::string();
        if (mode != "wal") {
          detail::throw_runtime("store '" + impl->path + "': cannot switch to WAL journal mode (got '" +
                                mode + "')");
        }
      }
      impl->exec("SELECT count(*) FROM sqlite_master",
                 "reading the schema");  // the first read: takes the lock
      detail::Query now(*impl, "PRAGMA journal_mode");
      if ((now.step("reading the journal mode") ? now.text(0) : std::string()) == "wal") break;
      if (tries == 20) detail::throw_runtime("store '" + impl->path + "': cannot stay in WAL journal mode");
    }
  }
  // FULL: the WAL is synced to disk on every commit, so a committed record
  // survives a power loss, not only a crash of the process.
  impl->exec("PRAGMA synchronous = FULL", "setting synchronous = FULL");
  impl->exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  detail::register_migration_functions(*impl);
  if (!options.read_only && version != store_schema_version) detail::create_or_migrate(*impl);
  impl->fold_on_close = !options.read_only;
  return Store(std::move(impl), path);
}

std::optional<std::string> Store::copy_note(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;  // a FIFO would block the read
  const std::string p = path.string();
  // Looked at twice, 50 ms apart: a store being opened elsewhere says WAL mode
  // in its header a moment before it creates its `-wal`, holding no lock in
  // between; a copy stays as it is.
  // First without any lock (the common case: a closed store says rollback
  // mode, an open one has a `-wal` with content), so a store in use is not
  // disturbed at all.
  const detail::FileHeader h = detail::read_header(p);
  const bool wal_content =
      std::filesystem::exists(p + "-wal", ec) && std::filesystem::file_size(p + "-wal", ec) > 0;
  if (!h.sqlite || !h.wal || wal_content) return std::nullopt;
  if (!detail::looks_like_copy_once(p)) return std::nullopt;
  sqlite3_sleep(50);
  if (!detail::looks_like_copy_once(p)) return std::nullopt;
  const std::string name = path.filename().string();
  return "store '" + p + "' was last written in WAL mode and has no '" + name +
         "-wal' beside it: if it is a copy made while the store was open (cp, a sync client), the records "
         "written since its last checkpoint are missing from it; they are in the original's '" +
         name +
         "-wal' (put that file beside the copy before opening it again, or copy the store with `calmkit "
         "backup`). A store closed by an older calmkit looks the same and misses nothing";
}

}  // namespace calmkit
