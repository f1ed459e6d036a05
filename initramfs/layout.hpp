// Turns a Spec into the flat, sorted list of archive entries: binaries expanded
// to their library closure, destinations normalized, parent directories added,
// duplicate destinations merged or reported.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "initramfs/initramfs.hpp"

namespace ktstr::initramfs {

enum class EntryKind { kFile, kDir, kSymlink, kCharDevice };

// One archive member. For kFile the data is either `source` (read at write
// time) or, when source is empty, `data`; for kSymlink `data` is the target.
struct Entry {
  std::string path;  // relative to the guest root, no leading '/', normalized
  EntryKind kind = EntryKind::kFile;
  int mode = 0;      // permission bits only (07777)
  std::filesystem::path source;
  std::string data;
  int major = 0;
  int minor = 0;
  bool implicit = false;  // a parent directory nobody asked for
  bool program = false;   // a binary or a library of its closure (debug info may be stripped)
  // Source file facts captured at resolve time (stamp and size accounting).
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

// Resolves spec. Errors name the destination and both claimants when two
// requests want the same path with different content, type or mode.
Result<std::vector<Entry>> resolve_layout(const Spec& spec);

// Normalizes a guest destination: "/usr//bin/../lib/x" -> "usr/lib/x".
// Rejects empty paths and paths that climb above the root.
Result<std::string> normalize_destination(const std::string& dst);

}  // namespace ktstr::initramfs
