// Follows the guest's ttyS0 log file while the VM runs: echoes new output,
// remembers the last lines, and spots the kernel's own failure banners.
#pragma once

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace ktstr::vmm {

class ConsoleLog {
 public:
  // Creates (truncates) path for QEMU to write and opens it for following.
  static Result<ConsoleLog> create(const std::filesystem::path& path, bool echo);

  // Reads whatever QEMU appended since the last call.
  void poll();
  [[nodiscard]] std::vector<std::string> tail(size_t lines) const;
  // "Kernel panic - not syncing" seen (kernel/panic.c prints it before rebooting).
  [[nodiscard]] bool saw_panic() const { return panic_; }
  // "Initramfs unpacking failed" seen: the archive did not fit or is damaged.
  [[nodiscard]] bool saw_initramfs_failure() const { return initramfs_failed_; }

 private:
  void take_line(std::string line);

  UniqueFd fd_;
  bool echo_ = false;
  std::string partial_;
  std::deque<std::string> lines_;
  bool panic_ = false;
  bool initramfs_failed_ = false;
};

}  // namespace ktstr::vmm
