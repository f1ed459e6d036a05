// The initrd QEMU loads: the caller's archives followed by a small per-run
// archive carrying the guest arguments, so the big archive is built once per
// test target (the kernel unpacks concatenated newc archives in order).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::vmm {

// The per-run archive: /ktstr/argv.json = JSON array of the guest arguments.
Result<std::string> run_archive(const std::vector<std::string>& guest_args);

// Writes archives + run_archive(guest_args) to dst; returns dst's size.
Result<uint64_t> assemble_initrd(const std::vector<std::filesystem::path>& archives,
                                 const std::vector<std::string>& guest_args, const std::filesystem::path& dst);

}  // namespace ktstr::vmm
