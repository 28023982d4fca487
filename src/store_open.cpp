// calmkit::Store::open: what kind of file a path is (a store, a new file, a
// copy whose records stayed in a '-wal', something else), then SQLite opened
// on it with the durability settings of docs/store.md and the schema created
// or migrated.
#include <calmkit/store.hpp>

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
  detail::register_migration_functions(*impl);
  if (!options.read_only && version != store_schema_version) detail::create_or_migrate(*impl);
  impl->fold_on_close = !options.read_only;
  return Store(std::move(impl), path);
}

}  // namespace calmkit
