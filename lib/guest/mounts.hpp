// The filesystems PID 1 mounts before anything else runs.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::guest {

// Mounts proc, sysfs, devtmpfs, debugfs, tracefs, bpffs, cgroup2 (at
// /sys/fs/cgroup) and a tmpfs on /tmp, creating mount points as needed.
// Already-mounted targets are fine. Fails on the ones the runtime needs
// (proc, sysfs, cgroup2, tmpfs); failures of the optional ones
// (debugfs, tracefs, bpffs, devtmpfs) are returned as warnings.
Result<std::vector<std::string>> mount_guest_filesystems();

// Points fds 0-2 at /dev/console when they are not open (an initramfs
// without a /dev/console node starts init with no stdio).
void ensure_console_stdio();

}  // namespace ktstr::guest
