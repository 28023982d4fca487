// The error of a failed file operation of the journal reader and writer, and
// the one check of a path's bytes that every file entry point makes (the
// reader, the safe writes and locks of files.cpp, Store::open); private to src/.
#pragma once

#include <calmkit/files.hpp>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

namespace calmkit::detail {

[[noreturn, gnu::cold]] inline void io_error(const std::string& what, const std::filesystem::path& path,
                                             int err, const std::string& detail = "") {
  throw FileError(
      path.string(), err,
      what + " '" + path.string() + "': " + (detail.empty() ? std::generic_category().message(err) : detail));
}

/// Refuses a path holding a NUL byte with a FileError (EINVAL) naming it, the
/// NUL shown as `\0`: no file name can hold one (POSIX), and the C library
/// would stop at it and use the file named by the bytes before it (Python
/// refuses such a path before calmkit sees it: "embedded null byte").
inline void refuse_nul_in_path(const std::string& what, const std::filesystem::path& path) {
  const std::string& bytes = path.native();
  if (bytes.find('\0') == std::string::npos) return;
  std::string shown;
  for (const char c : bytes) {
    if (c == '\0') {
      shown += "\\0";
    } else {
      shown += c;
    }
  }
  throw FileError(shown, EINVAL, what + " '" + shown + "': a path cannot hold a NUL byte (no file name can)");
}

/// The refusal of an input over `ReadOptions::max_bytes` (`limit`) that a
/// stat said holds `size` bytes: the one wording of the reader and of the
/// writers that read a journal first (update_journal, append_records).
[[noreturn, gnu::cold]] inline void file_over_limit(const std::filesystem::path& path, std::uint64_t size,
                                                    std::uint64_t limit) {
  io_error("cannot read journal", path, EFBIG,
           "the file holds " + std::to_string(size) + " bytes, more than the limit of " +
               std::to_string(limit) + " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
}

/// The refusal of an input that gave more than `limit` bytes while read: a
/// regular file that grew, or a FIFO or device.
[[noreturn, gnu::cold]] inline void input_over_limit(const std::filesystem::path& path, bool regular,
                                                     std::uint64_t limit) {
  io_error("cannot read journal", path, EFBIG,
           std::string("it is ") + (regular ? "a file that grew to" : "not a regular file and gave") +
               " more than the limit of " + std::to_string(limit) +
               " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
}
}  // namespace calmkit::detail
