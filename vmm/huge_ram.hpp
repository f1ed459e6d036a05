// Guest RAM that the host can read and the host kernel backs with 2 MiB pages.
//
// QEMU's guest RAM must be a shared file so the results ring and the
// host-side monitor can map it. In /dev/shm that file is built from 4 KiB
// pages (hosts leave transparent huge pages off for shmem by default), and
// under TCG every first touch of a guest page is a host page fault: on this
// project's 2-core TCG host a 256 MiB boot to exit took about 0.09 s longer
// (median of 9 paired runs) than on 2 MiB pages. So, where the host allows
// it, the files live on a tmpfs of their own mounted with huge=within_size in
// a mount namespace that exists only while they are created: a short-lived
// child process unshares its mount namespace, mounts the tmpfs over `dir`
// (only it sees that mount), creates and sizes one file per node, and the
// launcher opens them through /proc/<child>/root before the child exits.
// Nothing is ever visible in the host's mount table or file system; the
// memory is freed when the launcher and QEMU have closed and unmapped the
// files, however they end (QEMU opens them as /proc/self/fd/N).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace ktstr::vmm {

// One open read-write descriptor (close-on-exec) per entry of `bytes`, each
// file that size; an empty UniqueFd for a 0. Fails, with the reason, when
// the host does not allow it (no CAP_SYS_ADMIN for the mount namespace, a
// kernel without transparent huge pages for tmpfs): callers fall back to
// /dev/shm. `dir` must be an existing directory (its real contents are not
// touched: the mount hides them from the child only).
Result<std::vector<UniqueFd>> create_huge_ram_files(const std::filesystem::path& dir,
                                                    std::span<const uint64_t> bytes);

}  // namespace ktstr::vmm
