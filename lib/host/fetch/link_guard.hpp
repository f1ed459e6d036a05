// Keeps links from carrying an extraction outside its destination. Lexical
// checks (entry_check.hpp) see one link at a time; chains of in-tree symlinks
// ("x/up -> ..", "y -> x/up/../..") and hard links to or through symlinks can
// still resolve outside, so this tracks every symlink extracted so far.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/error.hpp"

namespace ktstr::fetch {

class LinkGuard {
 public:
  // Checks a symlink entry (normalised relative path, raw target) lexically
  // and records it.
  Result<void> add_symlink(std::string_view entry, std::string_view target);
  // Refuses a hard link whose target (normalised) is, or passes through, a
  // symlink recorded so far: link(2) would move the symlink, and with it
  // the meaning of its relative target.
  Result<void> check_hardlink(std::string_view entry, std::string_view target) const;
  // After extraction into root: every recorded symlink must resolve, on disk,
  // to a path inside root.
  Result<void> verify_on_disk(const std::filesystem::path& root) const;

 private:
  std::unordered_set<std::string> symlinks_;
};

}  // namespace ktstr::fetch
