// Shared-library closure of an ELF executable, resolved the way glibc's ld.so
// resolves it, with each object's place on the host and in the guest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "initramfs/loader_config.hpp"

namespace ktstr::initramfs {

// One object the loader maps: where we read it on the host, and the absolute
// path the guest's loader will open. The two differ only for libraries found
// through an $ORIGIN-relative RPATH/RUNPATH of an object placed elsewhere in
// the guest than on the host.
struct PlacedObject {
  std::filesystem::path host;
  std::string guest;
  // Found through ld.so.cache or ld.so.conf in a directory the loader does not
  // search by default: the guest loader needs the host's /etc/ld.so.cache.
  bool needs_ld_cache = false;
};

// Resolves the libraries and interpreter of `elf`, which the guest will run
// from `guest_path`. Search order per DT_NEEDED (ld.so(8)): DT_RPATH of the
// object and of its loaders (unless the object has DT_RUNPATH), DT_RUNPATH,
// ld.so.cache, the ld.so.conf dirs, the default dirs; candidates of another
// ELF class or machine are skipped. A name already loaded (by DT_NEEDED name
// or DT_SONAME) is not searched again, as in glibc's _dl_map_object.
// Errors: "<path> is not an ELF executable", "<lib> needed by <obj> not found
// in <dirs>". The result excludes `elf` itself and is in discovery order.
Result<std::vector<PlacedObject>> resolve_closure(const std::filesystem::path& elf,
                                                  const std::string& guest_path,
                                                  const LoaderConfig& config);

}  // namespace ktstr::initramfs
