// Serializes resolved entries as a newc cpio through libarchive.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "initramfs/layout.hpp"

namespace ktstr::initramfs {

// Receives the archive bytes in order; an error aborts the write.
using ByteSink = std::function<Result<void>(std::string_view)>;

// Writes entries (already sorted) as one newc archive ending in the
// TRAILER!!! record, with no padding beyond newc's own 4-byte alignment so
// archives concatenate cleanly. Every field that could vary between runs is
// fixed: mtime 0, uid/gid 0, dev 0, inode = 1 + index, nlink 1 (2 for dirs).
// With options.compression == kZstd the whole archive is one zstd stream.
Result<void> write_cpio(const std::vector<Entry>& entries, const ByteSink& sink,
                        const BuildOptions& options = {});

}  // namespace ktstr::initramfs
