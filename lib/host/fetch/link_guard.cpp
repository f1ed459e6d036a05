#include "host/fetch/link_guard.hpp"

#include <system_error>

#include "host/fetch/entry_check.hpp"

namespace ktstr::fetch {

Result<void> LinkGuard::add_symlink(std::string_view entry, std::string_view target) {
  KTSTR_TRY_VOID(check_symlink_target(entry, target));
  symlinks_.emplace(entry);
  return {};
}

Result<void> LinkGuard::check_hardlink(std::string_view entry, std::string_view target) const {
  // Every prefix of target: "a", "a/b", "a/b/c".
  for (size_t end = target.find('/'); ; end = target.find('/', end + 1)) {
    std::string prefix(target.substr(0, end));
    if (symlinks_.contains(prefix))
      return fail("hard link '{}' -> '{}' goes through symlink '{}'", entry, target, prefix);
    if (end == std::string_view::npos) return {};
  }
}

Result<void> LinkGuard::verify_on_disk(const std::filesystem::path& root) const {
  for (const std::string& link : symlinks_) {
    std::error_code ec;
    // weakly_canonical follows every symlink on disk, this one included.
    std::filesystem::path resolved = std::filesystem::weakly_canonical(root / link, ec);
    if (ec) return fail("resolving symlink '{}': {}", link, ec.message());
    std::filesystem::path rel = resolved.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..")
      return fail("symlink '{}' resolves outside the destination through other symlinks", link);
  }
  return {};
}

}  // namespace ktstr::fetch
