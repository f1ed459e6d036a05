// Debug-info stripping of the program entries of an archive (BuildOptions::strip_debug).
#pragma once

#include <filesystem>
#include <vector>

#include "base/error.hpp"
#include "initramfs/layout.hpp"

namespace ktstr::initramfs {

// For every program entry (a binary or a library of its closure) whose file
// has DWARF sections, writes a copy without them (`objcopy --strip-debug`)
// under `scratch` and points the entry at it. Returns the bytes saved. The
// error names the file and objcopy's complaint; a missing objcopy says to
// install binutils.
Result<uint64_t> strip_debug_info(std::vector<Entry>& entries, const std::filesystem::path& scratch);

}  // namespace ktstr::initramfs
