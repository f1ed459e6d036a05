#include "guest/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

namespace ktstr::guest {

namespace {
struct MountSpec {
  const char* source;
  const char* target;
  const char* fstype;
  unsigned long flags;
  bool required;
};

// Order matters: sysfs before the filesystems mounted below /sys.
constexpr MountSpec kMounts[] = {
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, false},
    {"debugfs", "/sys/kernel/debug", "debugfs", 0, false},
    {"tracefs", "/sys/kernel/tracing", "tracefs", 0, false},
    {"bpf", "/sys/fs/bpf", "bpf", 0, false},
    {"cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, true},
};
}  // namespace

Result<std::vector<std::string>> mount_guest_filesystems() {
  std::vector<std::string> warnings;
  for (const auto& m : kMounts) {
    std::error_code ec;
    std::filesystem::create_directories(m.target, ec);  // fails harmlessly on sysfs-provided dirs
    if (::mount(m.source, m.target, m.fstype, m.flags, nullptr) == 0 || errno == EBUSY) continue;
    auto err = fail_errno(fmt::format("mount {} on {}", m.fstype, m.target));
    if (m.required) return err;
    warnings.push_back(err.error().message);
  }
  return warnings;
}

void ensure_console_stdio() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) continue;
    int c = ::open("/dev/console", fd == 0 ? O_RDONLY : O_WRONLY);
    if (c >= 0 && c != fd) {
      dup2(c, fd);
      ::close(c);
    }
  }
}

}  // namespace ktstr::guest
