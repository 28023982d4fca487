/// @file files.hpp
/// @brief The one safe way calmkit writes files, folders of files, and locks.
///
/// Every file calmkit writes — journals, reports, CSV and research exports,
/// Parquet datasets, import outputs, store backups — goes through `write_file`
/// (or `write_files` for several at once, `write_file_by_name` for a file a
/// library writes by path), from C++ and from Python alike. What it
/// guarantees (docs/store.md, "Safe writes"):
///
/// - Only regular files are ever replaced. A target that is a directory, a
///   FIFO, a character or block device or a socket is refused with a
///   `FileError` that says what it is; nothing is written.
/// - A symbolic link is followed on purpose: the file it leads to (through any
///   chain of links) is replaced and the link stays a link.
/// - The bytes go to a temporary file in the target's own folder, which is
///   fsynced, renamed over the target, and the folder fsynced: a reader sees
///   the old file or the new one, never a mix; a full disk or a crash leaves
///   the old file as it was.
/// - An existing target keeps its permission bits and, where the process may
///   set them, its owner and group; a new file is created 0600 (owner read and
///   write) whatever the umask, as calmkit's files hold personal notes.
///
/// Folders: `StagedDirectory` builds a new folder next to the target and
/// swaps it into place in one rename, so readers see the old set of files or
/// the new set. Locks: `FileLock` is an advisory `flock(2)` on a sidecar file.
#pragma once

#include <calmkit/export.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calmkit {

/// A file operation that failed: which file and why, as data.
///
/// `error()` is the `errno` value behind it (`EISDIR`, `ENOSPC`, ...; `EINVAL`
/// when the target is a FIFO, device or socket), so the Python binding raises
/// it as `calmkit.FileError`, an `OSError` (and a `RuntimeError`, which is what
/// calmkit raised for these errors before).
class CALMKIT_EXPORT FileError : public std::runtime_error {
 public:
  /// @param path    the file as the caller named it
  /// @param error   the `errno` value, 0 when there is none
  /// @param message the whole message, naming the file
  FileError(std::string path, int error, const std::string& message)
      : std::runtime_error(message), path_(std::move(path)), error_(error) {}
  /// The file as the caller named it.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The `errno` value behind the error, 0 when there is none.
  [[nodiscard]] int error() const noexcept { return error_; }

 private:
  std::string path_;
  int error_;
};

/// How `write_file` treats the target.
struct SafeWriteOptions {
  /// Permission bits of a file that does not exist yet (octal 0600: owner read
  /// and write). The umask is not applied. An existing file keeps its own.
  unsigned new_file_mode = 0600;
  /// Replace an existing target (false: throw `FileError` with `EEXIST`).
  bool replace = true;
};

/// Receives the bytes of a file being written, in pieces.
using ByteSink = std::function<void(const char* data, std::size_t size)>;

/// The file a write to `path` replaces: `path` itself, or the file its chain
/// of symbolic links leads to (a relative link is read from the link's own
/// folder; at most 40 links). The result is a regular file or does not exist
/// yet.
/// @throws FileError if it is anything but a regular file (`EISDIR` for a
///         directory, `EINVAL` for a FIFO, device or socket, `ELOOP` for a
///         link cycle), naming what it is.
[[nodiscard]] CALMKIT_EXPORT std::filesystem::path resolve_write_target(const std::filesystem::path& path);

/// Writes a file safely (see the file comment): `produce` is called once with a
/// sink that takes the bytes; the target is replaced only after all of them
/// are on disk. If `produce` throws, nothing is replaced and the exception
/// propagates.
/// @throws FileError when the target is refused or cannot be written.
///
/// Example
/// ```cpp
/// calmkit::write_file("notes.txt", [](const calmkit::ByteSink& out) { out("hello\n", 6); });
/// ```
CALMKIT_EXPORT void write_file(const std::filesystem::path& path,
                               const std::function<void(const ByteSink&)>& produce,
                               const SafeWriteOptions& options = {});

/// Writes `bytes` to `path` safely (see `write_file` above).
CALMKIT_EXPORT void write_file(const std::filesystem::path& path, std::string_view bytes,
                               const SafeWriteOptions& options = {});

/// Writes a file that a library fills by its name rather than through a sink
/// (SQLite's backup API, for one, writes a database file it opens by path).
/// `fill` is called once with the path of the temporary sibling, which exists,
/// is empty and already has the target's mode and owner (0600 when new); it
/// must write the whole file there and close it, and it must leave no other
/// file behind. The file is then fsynced and renamed over the target exactly
/// as `write_file` does; if `fill` throws, or replaced the temporary file
/// instead of writing into it, nothing is replaced and it is removed.
/// @throws FileError when the target is refused or cannot be written.
///
/// Example
/// ```cpp
/// calmkit::write_file_by_name("copy.db", [&](const std::filesystem::path& tmp) { copy_database_to(tmp); });
/// ```
CALMKIT_EXPORT void write_file_by_name(
    const std::filesystem::path& path,
    const std::function<void(const std::filesystem::path& temporary)>& fill,
    const SafeWriteOptions& options = {});

/// Writes several files together: every file is written to its temporary
/// sibling and fsynced first; only when all are complete are they renamed into
/// place, one after the other, and their folders fsynced. A failure before
/// the renames (a refused target, a full disk) replaces none of them. The
/// renames themselves are not one atomic step: for a set that must change as
/// a whole, build it in a `StagedDirectory`.
/// @throws FileError when a target is refused or cannot be written.
CALMKIT_EXPORT void write_files(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                                const SafeWriteOptions& options = {});

/// A new folder built next to `target` and swapped into its place in one step.
///
/// The staging folder (`.NAME.tmp-PID-N` in the target's parent, mode 0700) is
/// created by the constructor; fill it (with `write_file`), then `commit()`:
/// if the target does not exist the staging folder is renamed to it, if it is
/// a folder the two are exchanged atomically (`renameat2(RENAME_EXCHANGE)`;
/// where the file system lacks it, the old folder is renamed aside first) and
/// the old contents removed. The new folder gets the old folder's permission
/// bits (0700 for a new one). A symbolic link to a folder is followed. Without
/// a commit, the destructor removes the staging folder and the target is
/// untouched.
///
/// Example
/// ```cpp
/// calmkit::StagedDirectory stage("export");
/// calmkit::write_file(stage.path() / "a.csv", "x\n");
/// stage.commit();  // "export" now holds exactly a.csv
/// ```
class CALMKIT_EXPORT StagedDirectory {
 public:
  /// @throws FileError if the target exists and is not a folder, or the
  ///         staging folder cannot be created.
  explicit StagedDirectory(const std::filesystem::path& target);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  /// The staging folder to fill.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return staged_; }
  /// The folder it replaces (symbolic links followed).
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
  /// Writes a new file at `relative` (a path inside the staging folder, its
  /// folders created 0700 as needed) with mode 0600, without syncing it yet:
  /// `commit` makes every file written this way durable with one file-system
  /// sync (Linux `syncfs`; elsewhere one `fsync` per file) before the swap,
  /// instead of one `fsync` per file. For a dataset of thousands of small
  /// files (a Parquet dataset partitioned by participant) that is the
  /// difference between seconds and minutes.
  /// @throws FileError if it cannot be written, if `relative` is absolute or
  ///         climbs out with `..`, or if the file exists already.
  void write(const std::filesystem::path& relative, std::string_view bytes);
  /// Swaps the staging folder into place. @throws FileError on failure (the
  /// target is then unchanged).
  void commit();

 private:
  std::filesystem::path given_;
  std::filesystem::path target_;
  std::filesystem::path staged_;
  std::vector<std::filesystem::path> unsynced_;  // written by `write`, synced by `commit`
  bool committed_ = false;
};

/// An exclusive advisory lock on `FILE.lock`, the sidecar of a file, held from
/// construction to destruction.
///
/// Why a sidecar and `flock(2)`: calmkit replaces a journal by renaming a new
/// file over it, so a lock on the journal's own inode would be lost on every
/// write (a waiting process would then lock the replaced, unlinked file). The
/// sidecar is never replaced nor removed (removing it would let two processes
/// lock two different files). `flock` locks belong to the open file
/// description, so two threads of one process exclude each other too and a
/// `close` elsewhere in the process never drops the lock (as it does for
/// `fcntl` record locks); Linux carries `flock` over NFS as a whole-file
/// `fcntl` lock. Advisory: only writers that take the lock are excluded.
/// Symbolic links are followed first (`resolve_write_target`), so every path
/// to one file shares one lock. The sidecar is created 0600.
class CALMKIT_EXPORT FileLock {
 public:
  /// Blocks until the lock is held (while another process or thread holds
  /// it). @throws FileError if the sidecar cannot be opened or locked, or,
  /// with `EDEADLK` and at once, if this thread already holds the lock of
  /// the same file (a nested update_journal / append_records on the journal
  /// it is changing would otherwise wait for itself forever).
  explicit FileLock(const std::filesystem::path& file);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  /// The sidecar file (`FILE.lock`, next to the link-resolved file).
  [[nodiscard]] const std::filesystem::path& lock_path() const noexcept { return lock_path_; }

 private:
  std::filesystem::path lock_path_;
  int fd_ = -1;
};

}  // namespace calmkit
