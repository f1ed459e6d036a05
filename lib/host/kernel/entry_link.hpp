// The stable name of a kernel inside a consumer's build tree. A build tree
// refers to its kernel through LINK (e.g. <build>/ktstr/kernels/default), a
// symlink to the resolved cache entry, and STAMP, rewritten only when LINK
// changes its target: build rules depend on STAMP, so a cache hit on the same
// entry rebuilds nothing, and a new entry rebuilds everything that used the old.
#pragma once

#include <filesystem>

#include "base/error.hpp"

namespace ktstr::kernel {

// Points link at target (atomically: a temp symlink renamed over it) and
// rewrites stamp (contents: target) when link pointed elsewhere or stamp is
// missing. Returns true when it changed anything. A link that exists but is
// not a symlink is an error (nothing of ours; never removed).
Result<bool> point_entry_link(const std::filesystem::path& link, const std::filesystem::path& target,
                              const std::filesystem::path& stamp);

}  // namespace ktstr::kernel
