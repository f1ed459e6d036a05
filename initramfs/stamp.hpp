// The digest that decides whether an existing archive is still current.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "initramfs/layout.hpp"

namespace ktstr::initramfs {

// SHA-256 (hex) over the archive format version and every entry: path, kind,
// mode, device numbers, symlink target, inline content, and for source files
// their path, size, mtime and content. Any change to what would be written,
// or to the identity of its sources, changes the digest.
Result<std::string> layout_digest(const std::vector<Entry>& entries);

}  // namespace ktstr::initramfs
