#include "host/kernel/entry_link.hpp"

#include <unistd.h>

#include "base/fd.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

Result<bool> point_entry_link(const fs::path& link, const fs::path& target, const fs::path& stamp) {
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (ec) return fail("creating {}: {}", link.parent_path().string(), ec.message());
  auto st = fs::symlink_status(link, ec);
  if (fs::exists(st) && !fs::is_symlink(st))
    return fail("{} exists and is not a symlink: remove it (the kernel target points it at the cache entry)",
                link.string());
  bool same = fs::is_symlink(st) && fs::read_symlink(link, ec) == target && !ec;
  if (same && fs::exists(stamp)) return false;
  if (!same) {
    fs::path temp = link.parent_path() / fmt::format(".{}.tmp-{}", link.filename().string(), ::getpid());
    fs::remove(temp, ec);
    fs::create_symlink(target, temp, ec);
    if (ec) return fail("creating symlink {} -> {}: {}", temp.string(), target.string(), ec.message());
    // rename(2) replaces the old link itself (it does not follow it): readers
    // see the old target or the new one, never no link.
    if (::rename(temp.c_str(), link.c_str()) != 0) {
      auto err = fail_errno(fmt::format("renaming {} -> {}", temp.string(), link.string()));
      fs::remove(temp, ec);
      return err;
    }
  }
  KTSTR_TRY_VOID(write_file_atomic(stamp, target.string() + "\n"));
  return true;
}

}  // namespace ktstr::kernel
