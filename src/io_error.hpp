// The error of a failed file operation of the journal reader and writer, and
// the one check of a path's bytes that every file entry point makes (the
// reader, the safe writes and locks of files.cpp, Store::open); private to src/.
#pragma once

#include <calmkit/files.hpp>

#include <cerrno>
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

}  // namespace calmkit::detail
