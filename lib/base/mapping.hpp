// Move-only owner of an mmap(2) mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <utility>

#include "base/error.hpp"

namespace ktstr {

// Owns one mapping; munmaps on destruction.
class Mapping {
 public:
  Mapping() = default;
  Mapping(Mapping&& o) noexcept
      : base_(std::exchange(o.base_, nullptr)), size_(std::exchange(o.size_, 0)), skew_(std::exchange(o.skew_, 0)) {}
  Mapping& operator=(Mapping&& o) noexcept {
    if (this != &o) {
      reset();
      base_ = std::exchange(o.base_, nullptr);
      size_ = std::exchange(o.size_, 0);
      skew_ = std::exchange(o.skew_, 0);
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  // Maps [offset, offset+size) of path read-write and MAP_SHARED. offset need
  // not be page aligned (the mapping is widened internally).
  static Result<Mapping> map_file(const std::filesystem::path& path, uint64_t offset, uint64_t size);
  // The same range read-only, still MAP_SHARED: the view follows the file's
  // contents as another process changes them (a VM's guest RAM).
  static Result<Mapping> map_file_readonly(const std::filesystem::path& path, uint64_t offset, uint64_t size);
  // Maps a whole file read-only and private (pages are read only when touched).
  static Result<Mapping> map_readonly(const std::filesystem::path& path);
  // Maps size bytes of zero-filled anonymous memory, private to this process
  // (and copied on fork) or shared with the children forked after it;
  // populate: allocate every page now (MAP_POPULATE) instead of at first touch.
  static Result<Mapping> anonymous(uint64_t size, bool shared, bool populate = false);

  [[nodiscard]] std::byte* data() const { return base_ ? static_cast<std::byte*>(base_) + skew_ : nullptr; }
  [[nodiscard]] uint64_t size() const { return size_; }
  [[nodiscard]] std::span<std::byte> bytes() const { return {data(), size_}; }
  void reset();

 private:
  static Result<Mapping> map_range(const std::filesystem::path& path, uint64_t offset, uint64_t size, bool writable);

  void* base_ = nullptr;
  uint64_t size_ = 0;  // bytes the caller asked for
  uint64_t skew_ = 0;  // offset % page size
};

}  // namespace ktstr
