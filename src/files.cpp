// Safe writes, staged folders and sidecar locks (include/calmkit/files.hpp).
//
// Every write: resolve the target (links followed, only regular files), make a
// temporary sibling with O_EXCL, give it the target's mode and owner (or 0600),
// write, fsync, close, rename, fsync the folder. The temporary file is removed
// on every failure path by `Prepared`'s destructor.
#include <calmkit/files.hpp>

#include "io_error.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28)
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace calmkit {
namespace detail {
namespace {

namespace fs = std::filesystem;

[[noreturn, gnu::cold]] void file_error(const std::string& what, const fs::path& path, int err,
                                        const std::string& detail = "") {
  std::string msg = what + " '" + path.string() + "': ";
  msg += detail.empty() ? std::generic_category().message(err) : detail;
  throw FileError(path.string(), err, msg);
}

/// The kind of a file, as words for a message ("it is a regular file, not a
/// folder" where a folder was wanted; the other kinds where a file was).
const char* kind_of(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "a file of an unknown kind";
}

fs::path parent_of(const fs::path& p) {
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

/// Follows the chain of links from `path`; returns the final path and, when it
/// exists, its stat. `want_dir`: the end must be a directory instead of a file.
std::pair<fs::path, bool> resolve(const fs::path& given, struct stat& st, bool want_dir) {
  refuse_nul_in_path("cannot write", given);
  // An empty path names no file. Taken, it would be an absent file in the
  // current folder: a temporary file written there, a `.lock` sidecar (B216).
  if (given.empty()) file_error("cannot write", given, ENOENT, "an empty path names no file");
  fs::path p = given;
  for (int hops = 0; hops <= 40; ++hops) {
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return {p, false};
      file_error("cannot write", given, errno);
    }
    if (S_ISLNK(st.st_mode)) {
      std::string buf(4096, '\0');
      const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
      if (n < 0) file_error("cannot write", given, errno);
      buf.resize(static_cast<std::size_t>(n));
      const fs::path link(buf);
      p = link.is_absolute() ? link : parent_of(p) / link;
      continue;
    }
    const bool ok = want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
    if (ok) return {p, true};
    const std::string what = (p == given ? std::string("it is ") : "it leads to '" + p.string() + "', ") +
                             kind_of(st.st_mode) + ", not " + (want_dir ? "a folder" : "a regular file");
    const int err = S_ISDIR(st.st_mode) ? EISDIR : (want_dir ? ENOTDIR : EINVAL);
    file_error("cannot write", given, err, what + (want_dir ? "" : "; calmkit replaces only regular files"));
  }
  file_error("cannot write", given, ELOOP, "more than 40 symbolic links in a row (a cycle?)");
}

void fsync_dir(const fs::path& dir) {
  // Makes a rename durable; a failure here does not undo the write, and some
  // file systems refuse fsync on a directory, so it is not an error.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

std::atomic<unsigned> counter{0};

/// The longest file name the folder `dir` takes, in bytes (NAME_MAX: 255 on
/// Linux's file systems, macOS and NTFS); 255 when the system does not say.
std::size_t name_max(const fs::path& dir) {
  const long n = ::pathconf(dir.empty() ? "." : dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : 255;
}

fs::path temp_name(const fs::path& target) {
  // ".NAME.tmp-PID-N", with NAME cut short (at a UTF-8 character boundary)
  // when the whole would not fit the folder's name limit: a target name may
  // be as long as the limit allows, its temporary sibling must fit too.
  const fs::path dir = parent_of(target);
  const std::string tail = ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  std::string name = target.filename().string();
  const std::size_t limit = name_max(dir);
  const std::size_t room = limit - std::min(limit, tail.size() + 1);
  if (name.size() > room) {
    std::size_t cut = room;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0U) == 0x80U) {
      --cut;  // not inside a UTF-8 sequence
    }
    name.resize(cut);
  }
  return dir / ("." + name + tail);
}

fs::path lock_name(const fs::path& target) {
  // "NAME.lock"; when that would not fit the folder's name limit, NAME is cut
  // (at a UTF-8 character boundary) and "~" and the FNV-1a 64-bit hash of the
  // whole name in hex added, so that every process still finds the same file
  // and two long names that share their start do not share a lock.
  const std::string suffix = ".lock";
  std::string name = target.filename().string();
  const std::size_t limit = name_max(parent_of(target));
  if (name.size() + suffix.size() <= limit) return parent_of(target) / (name + suffix);
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : name) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string tag = "~";
  for (int shift = 60; shift >= 0; shift -= 4) tag += hex[(hash >> static_cast<unsigned>(shift)) & 0xFU];
  std::size_t cut = limit - std::min(limit, tag.size() + suffix.size());
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0U) == 0x80U) --cut;
  name.resize(cut);
  return parent_of(target) / (name + tag + suffix);
}

/// A file written to a temporary sibling of its target, not yet renamed.
class Prepared {
 public:
  Prepared(fs::path given, const SafeWriteOptions& options) : given_(std::move(given)) {
    struct stat st {};
    bool exists = false;
    std::tie(target_, exists) = resolve(given_, st, false);
    if (exists && !options.replace) file_error("cannot write", given_, EEXIST, "it exists already");
    for (int attempt = 0; fd_ < 0; ++attempt) {
      fs::path candidate = temp_name(target_);
      const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd >= 0) {
        fd_ = fd;
        temp_ = std::move(candidate);
      } else if (errno != EEXIST || attempt > 100) {
        file_error("cannot write", given_, errno);
      }
    }
    if (exists) {
      // Owner first: fchown clears set-id bits, which fchmod then restores.
      // A process that may not give files away keeps its own ownership.
      struct stat mine {};
      if (::fstat(fd_, &mine) == 0 && (mine.st_uid != st.st_uid || mine.st_gid != st.st_gid)) {
        if (::fchown(fd_, st.st_uid, st.st_gid) != 0) (void)::fchown(fd_, static_cast<uid_t>(-1), st.st_gid);
      }
      if (::fchmod(fd_, st.st_mode & 07777) != 0) file_error("cannot write", given_, errno);
    } else if (::fchmod(fd_, static_cast<mode_t>(options.new_file_mode & 07777)) != 0) {
      file_error("cannot write", given_, errno);
    }
  }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  Prepared(Prepared&& o) noexcept
      : given_(std::move(o.given_)), target_(std::move(o.target_)), temp_(std::move(o.temp_)), fd_(o.fd_) {
    o.fd_ = -1;
    o.temp_.clear();
  }
  Prepared& operator=(Prepared&&) = delete;
  ~Prepared() {
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }

  void write(const char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        file_error("cannot write", given_, errno);
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }

  /// The temporary file, for a library that writes it by name.
  [[nodiscard]] const fs::path& temp() const noexcept { return temp_; }

  /// Checks that the temporary file is still the one this object created (a
  /// library writing by name might have replaced it).
  void check_same_file() {
    struct stat mine {};
    struct stat named {};
    if (::fstat(fd_, &mine) != 0 || ::lstat(temp_.c_str(), &named) != 0 || mine.st_dev != named.st_dev ||
        mine.st_ino != named.st_ino) {
      file_error("cannot write", given_, EIO, "the temporary file was replaced while it was being written");
    }
  }

  /// fsync and close: the bytes are on disk, the target not yet replaced.
  void finish() {
    if (::fsync(fd_) != 0) file_error("cannot write", given_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) file_error("cannot write", given_, errno);
  }

  void commit() {
    if (::rename(temp_.c_str(), target_.c_str()) != 0) file_error("cannot write", given_, errno);
    temp_.clear();
  }

  [[nodiscard]] const fs::path& target() const noexcept { return target_; }

 private:
  fs::path given_, target_, temp_;
  int fd_ = -1;
};

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------
// Public API

std::filesystem::path resolve_write_target(const std::filesystem::path& path) {
  struct stat st {};
  return detail::resolve(path, st, false).first;
}

void write_file(const std::filesystem::path& path, const std::function<void(const ByteSink&)>& produce,
                const SafeWriteOptions& options) {
  detail::Prepared file(path, options);
  produce([&file](const char* p, std::size_t n) { file.write(p, n); });
  file.finish();
  file.commit();
  detail::fsync_dir(detail::parent_of(file.target()));
}

void write_file(const std::filesystem::path& path, std::string_view bytes, const SafeWriteOptions& options) {
  write_file(
      path, [bytes](const ByteSink& out) { out(bytes.data(), bytes.size()); }, options);
}

void write_file_by_name(const std::filesystem::path& path,
                        const std::function<void(const std::filesystem::path& temporary)>& fill,
                        const SafeWriteOptions& options) {
  detail::Prepared file(path, options);
  fill(file.temp());
  file.check_same_file();
  file.finish();  // fsync through this descriptor flushes what the library wrote
  file.commit();
  detail::fsync_dir(detail::parent_of(file.target()));
}

void write_files(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                 const SafeWriteOptions& options) {
  std::vector<detail::Prepared> prepared;
  prepared.reserve(files.size());
  for (const auto& [path, bytes] : files) {
    prepared.emplace_back(path, options);
    prepared.back().write(bytes.data(), bytes.size());
    prepared.back().finish();
  }
  for (auto& p : prepared) p.commit();
  std::vector<std::filesystem::path> dirs;
  for (const auto& p : prepared) {
    auto dir = detail::parent_of(p.target());
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  for (const auto& d : dirs) detail::fsync_dir(d);
}

StagedDirectory::StagedDirectory(const std::filesystem::path& target) : given_(target) {
  // An empty path names no folder, not the current one: `resolve` refuses it (B215).
  struct stat st {};
  bool exists = false;
  std::tie(target_, exists) = detail::resolve(target, st, true);
  if (target_.filename().empty() || target_.filename() == "." || target_.filename() == "..") {
    target_ = std::filesystem::absolute(target_).lexically_normal();
    if (target_.filename().empty()) target_ = target_.parent_path();
  }
  const mode_t mode = exists ? (st.st_mode & 07777) : 0700;
  for (int attempt = 0; staged_.empty(); ++attempt) {
    auto candidate = detail::temp_name(target_);
    if (::mkdir(candidate.c_str(), 0700) == 0) {
      staged_ = std::move(candidate);
    } else if (errno != EEXIST || attempt > 100) {
      detail::file_error("cannot write", given_, errno);
    }
  }
  if (::chmod(staged_.c_str(), mode) != 0) {
    const int err = errno;
    std::error_code ec;
    std::filesystem::remove_all(staged_, ec);
    detail::file_error("cannot write", given_, err);
  }
}

StagedDirectory::~StagedDirectory() {
  if (committed_ || staged_.empty()) return;
  std::error_code ec;  // best effort: a destructor must not throw
  std::filesystem::remove_all(staged_, ec);
}

void StagedDirectory::write(const std::filesystem::path& relative, std::string_view bytes) {
  const std::filesystem::path rel = relative.lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") {
    detail::file_error("cannot write", staged_ / relative, EINVAL, "not a path inside the staging folder");
  }
  std::filesystem::path dir = staged_;
  for (auto it = rel.begin(); std::next(it) != rel.end(); ++it) {
    dir /= *it;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) detail::file_error("cannot write", dir, errno);
  }
  const std::filesystem::path file = staged_ / rel;
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) detail::file_error("cannot write", file, errno);
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      detail::file_error("cannot write", file, err);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) detail::file_error("cannot write", file, errno);
  unsynced_.push_back(file);
}

void StagedDirectory::commit() {
  if (!unsynced_.empty()) {
    // Every file `write` left unsynced reaches the disk before the swap: one
    // sync of the whole file system where there is one, else one per file.
#ifdef __linux__
    const int dfd = ::open(staged_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) detail::file_error("cannot write", given_, errno);
    const int rc = ::syncfs(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0) detail::file_error("cannot write", given_, err);
#else
    for (const auto& f : unsynced_) {
      const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::fsync(fd) != 0) detail::file_error("cannot write", f, errno);
      ::close(fd);
    }
#endif
    unsynced_.clear();
  }
  struct stat st {};
  if (::lstat(target_.c_str(), &st) != 0) {
    if (errno != ENOENT) detail::file_error("cannot write", given_, errno);
    if (::rename(staged_.c_str(), target_.c_str()) != 0) detail::file_error("cannot write", given_, errno);
    committed_ = true;
  } else {
    if (!S_ISDIR(st.st_mode)) {
      detail::file_error("cannot write", given_, ENOTDIR,
                         std::string("it is now ") + detail::kind_of(st.st_mode) + ", not a folder");
    }
#ifdef RENAME_EXCHANGE
    if (::renameat2(AT_FDCWD, staged_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
      committed_ = true;  // staged_ now names the old folder
    } else if (errno != EINVAL && errno != ENOSYS) {
      detail::file_error("cannot write", given_, errno);
    }
#endif
    if (!committed_) {
      // No atomic exchange here: move the old folder aside, then the new one
      // in. In between, for a moment, there is no folder at all (never a mix).
      const auto aside = detail::temp_name(target_);
      if (::rename(target_.c_str(), aside.c_str()) != 0) detail::file_error("cannot write", given_, errno);
      if (::rename(staged_.c_str(), target_.c_str()) != 0) {
        const int err = errno;
        (void)::rename(aside.c_str(), target_.c_str());
        detail::file_error("cannot write", given_, err);
      }
      staged_ = aside;
      committed_ = true;
    }
    std::error_code ec;
    std::filesystem::remove_all(staged_, ec);
  }
  detail::fsync_dir(detail::parent_of(target_));
}

namespace {
/// The lock files this process holds a FileLock of: (device, inode) and the
/// thread that took it. A second FileLock of one on the thread that holds it
/// would wait for itself forever (flock excludes every other open of the
/// file, the process's own too), so it is refused at once; another thread
/// waits, as another process does. Any thread may release a lock.
struct HeldLock {
  dev_t dev;
  ino_t ino;
  std::thread::id holder;
};
std::mutex held_mutex;             // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
std::vector<HeldLock> held_locks;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

bool held_here(const struct stat& st) {
  const std::lock_guard guard(held_mutex);
  return std::any_of(held_locks.begin(), held_locks.end(), [&](const HeldLock& h) {
    return h.dev == st.st_dev && h.ino == st.st_ino && h.holder == std::this_thread::get_id();
  });
}
}  // namespace

FileLock::FileLock(const std::filesystem::path& file) {
  // Not `.lock` in the current folder (B216).
  if (file.empty()) detail::file_error("cannot lock", file, ENOENT, "an empty path names no file");
  lock_path_ = detail::lock_name(resolve_write_target(file));
  fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) detail::file_error("cannot lock", lock_path_, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    detail::file_error("cannot lock", lock_path_, EINVAL, "the lock file is not a regular file");
  }
  if (held_here(st)) {
    ::close(fd_);
    detail::file_error(
        "cannot lock", file, EDEADLK,
        "this thread already holds its lock '" + lock_path_.string() +
            "' (re-entrant use of the same journal file: a change or make(journal) callable of "
            "update_journal, append_records or add_record called one of them on the journal "
            "it is changing; change the journal it was given, or return the record, instead)");
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd_);
    detail::file_error("cannot lock", lock_path_, err);
  }
  const std::lock_guard guard(held_mutex);
  held_locks.push_back({st.st_dev, st.st_ino, std::this_thread::get_id()});
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    const std::lock_guard guard(held_mutex);
    const auto at = std::find_if(held_locks.begin(), held_locks.end(),
                                 [&](const HeldLock& h) { return h.dev == st.st_dev && h.ino == st.st_ino; });
    if (at != held_locks.end()) held_locks.erase(at);
  }
  ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace calmkit
