// A fresh directory per test, removed with everything in it at the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace fixtures {

/// A new directory under the system's temporary folder, named
/// `calmkit-<tag>-XXXXXX` (mkdtemp); removed recursively by the destructor.
/// Tests create every file, link or FIFO they need inside it, never at a
/// system path.
class TempDir {
 public:
  explicit TempDir(const char* tag = "test") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string("calmkit-") + tag + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] std::filesystem::path operator/(const char* name) const { return path_ / name; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace fixtures
