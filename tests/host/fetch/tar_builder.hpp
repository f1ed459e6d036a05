// Test helper: writes small tar archives with libarchive, including entries
// a well-behaved archiver would never produce ("../evil", absolute names).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::fetch::test {

struct TarEntry {
  enum class Kind { kFile, kDir, kSymlink, kHardlink };
  std::string name;
  Kind kind = Kind::kFile;
  std::string payload;  // file contents, or link target
  int mode = 0644;
};

enum class Compression { kNone, kGzip, kXz, kZstd, kBzip2 };

// Writes entries in order to path as a pax tar with the given compression.
Result<void> write_tar(const std::filesystem::path& path, const std::vector<TarEntry>& entries,
                       Compression compression = Compression::kXz);

// Convenience constructors.
inline TarEntry file(std::string name, std::string data, int mode = 0644) {
  return {std::move(name), TarEntry::Kind::kFile, std::move(data), mode};
}
inline TarEntry dir(std::string name) { return {std::move(name), TarEntry::Kind::kDir, {}, 0755}; }
inline TarEntry symlink(std::string name, std::string target) {
  return {std::move(name), TarEntry::Kind::kSymlink, std::move(target), 0777};
}
inline TarEntry hardlink(std::string name, std::string target) {
  return {std::move(name), TarEntry::Kind::kHardlink, std::move(target), 0644};
}

}  // namespace ktstr::fetch::test
