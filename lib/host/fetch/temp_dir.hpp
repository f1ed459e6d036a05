// Move-only owner of a temporary directory that is removed recursively on
// destruction unless release()d. Used so that a failed download or
// extraction never leaves a half-written tree behind.
#pragma once

#include <filesystem>
#include <string_view>
#include <utility>

#include "base/error.hpp"

namespace ktstr::fetch {

class TempDir {
 public:
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  TempDir& operator=(TempDir&& o) noexcept {
    if (this != &o) {
      remove();
      path_ = std::exchange(o.path_, {});
    }
    return *this;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { remove(); }

  // Creates <parent>/<prefix>XXXXXX with mkdtemp(3) (mode 0700).
  static Result<TempDir> create(const std::filesystem::path& parent, std::string_view prefix);

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Keeps the directory on disk; the caller owns it from now on.
  std::filesystem::path release() { return std::exchange(path_, {}); }

 private:
  void remove();
  std::filesystem::path path_;
};

}  // namespace ktstr::fetch
