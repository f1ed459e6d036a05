// Move-only owner of a temporary directory, removed recursively on destruction.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/error.hpp"

namespace ktstr {

class TempDir {
 public:
  // Creates <parent>/<prefix>XXXXXX; parent defaults to $TMPDIR or /tmp.
  static Result<TempDir> create(std::string_view prefix = "ktstr-", std::filesystem::path parent = {});
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  TempDir& operator=(TempDir&& o) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { remove(); }

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Gives up ownership: the directory stays.
  std::filesystem::path release() { return std::exchange(path_, {}); }

 private:
  void remove();
  std::filesystem::path path_;
};

}  // namespace ktstr
