// The host-side monitor of one VM run: reads the guest kernel's runqueues
// straight from guest RAM at a fixed period, with no guest cooperation, so
// a hung or panicked guest still shows what each CPU held at the end. The
// supervisor drives it from its poll loop (vmm/supervisor.cpp); a monitor
// that cannot work (no vmlinux, a kernel it does not understand) records
// why in its log and never fails the run.
#pragma once

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "base/monitor.hpp"
#include "vmm/guest_ram.hpp"
#include "vmm/monitor/kernel_image.hpp"
#include "vmm/monitor/kernel_layout.hpp"

namespace ktstr::vmm::monitor {

class Sampler;

// What vmlinux says about the kernel, read once per run.
struct Kernel {
  KernelImage image;
  KernelLayout layout;
  std::optional<int> hz;   // CONFIG_HZ from the .config next to vmlinux
  uint64_t read_ns = 0;    // host time the reading took
};

struct MonitorConfig {
  std::filesystem::path vmlinux;  // empty: the monitor is off (log.error says why)
  std::string off_reason;         // why vmlinux is empty
  std::chrono::milliseconds period{100};
  int cpus = 1;
};

// The vmlinux for a kernel: `explicit_path` if given; the kernel itself when
// it is an ELF (the own engine boots vmlinux directly); else `vmlinux` next
// to a bzImage (the cache entry) or at the root of the kernel tree holding
// arch/x86/boot/bzImage. nullopt when none exists.
std::optional<std::filesystem::path> find_vmlinux(const std::filesystem::path& kernel,
                                                  const std::filesystem::path& explicit_path);

class Monitor {
 public:
  // Maps guest RAM now (QEMU unlinks its RAM files once the guest runs) and
  // starts reading vmlinux's symbols and BTF on a thread of its own, so the
  // ~0.1 s that takes overlaps the guest's boot.
  static Monitor open(const MonitorConfig& config, std::vector<RamRange> ram);
  Monitor(Monitor&&) noexcept;
  Monitor& operator=(Monitor&&) noexcept;
  ~Monitor();

  // Samples when one is due; finds the kernel first, once the guest runs
  // (its runtime initialised the ring, so the kernel is fully up).
  void poll(uint64_t now_ns, bool guest_running);
  // One last sample after the VM stopped: guest RAM still holds its end state
  // (also for a guest that ended before its runtime started).
  void final_sample(uint64_t now_ns);
  [[nodiscard]] MonitorLog take_log() { return std::move(log_); }

 private:
  Monitor() = default;
  void take(uint64_t now_ns);

  void attach();

  MonitorLog log_;
  std::unique_ptr<GuestRam> ram_;           // sampler_ points into it
  std::future<Result<Kernel>> reading_;     // vmlinux, until attach() takes it
  std::unique_ptr<Kernel> kernel_;          // sampler_ points into it
  std::unique_ptr<Sampler> sampler_;        // once attached
  int cpus_ = 0;
  bool attach_tried_ = false;
};

}  // namespace ktstr::vmm::monitor
