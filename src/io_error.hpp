// The error of a failed file operation of the journal reader and writer
// (private to src/).
#pragma once

#include <calmkit/files.hpp>

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

}  // namespace calmkit::detail
