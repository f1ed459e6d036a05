// What the launcher's VM tests and benches need from the machine: a kernel
// and the probe's initramfs. No kernel is a skip (exit 77), never a pass.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "base/error.hpp"

namespace ktstr::vmmtest {

// KTSTR_KERNEL (a bzImage, or a directory holding bzImage or
// arch/x86/boot/bzImage), then `ktstr kernel path` (the ktstr binary next to
// this executable).
std::optional<std::filesystem::path> find_kernel();

// Builds (once; the builder skips an unchanged input set) an initramfs with
// probe as /init. dynamic: the probe's shared-library closure goes in too.
Result<std::filesystem::path> probe_initramfs(const std::filesystem::path& probe, bool dynamic);

// Prints "SKIP: why" and exits 77 (CTest's SKIP_RETURN_CODE): a VM test
// without what it needs is a visible skip, never a pass.
[[noreturn]] void skip(const std::string& why);

// Directory of the running executable.
std::filesystem::path self_dir();

}  // namespace ktstr::vmmtest
