// One KVM virtual machine booting a bzImage directly: built in one ordered
// sequence (Machine::build), run on one thread per vCPU, stopped by the guest
// (reset, power-off, triple fault) or by the host (timeout, signal).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"
#include "vmm/kvm/cpu_setup.hpp"
#include "vmm/kvm/kvm_fd.hpp"
#include "vmm/kvm/serial.hpp"

namespace ktstr::kvm {

struct MachineSpec {
  std::string kernel;                // bzImage, or vmlinux (ELF, booted through its PVH entry)
  std::vector<std::string> initrds;  // concatenated in order (cpio archives)
  Topology topology;
  uint64_t ram_bytes = 0;
  uint64_t channel_addr = 0;  // reserved results ring inside low RAM; 0 = none
  uint64_t channel_bytes = 0;
  std::string cmdline;
  int console_fd = -1;  // COM1 output is written here; not owned
  // RAM mapped into KVM's stage-2 tables before boot (prefault_plan). Each
  // first touch of a page by the guest otherwise exits to the host kernel;
  // in the nested rig that was most of the decompressor's time and about a
  // third of kernel init (tests/nested/README.md). 0: none.
  uint64_t prefault_bytes = 0;
};

// Default MachineSpec::prefault_bytes: a ktstr guest's RAM is sized from its
// initramfs (a few hundred MiB), so all of it; bigger guests get their
// images plus the bottom 1 GiB, bounding the up-front allocation.
inline constexpr uint64_t kDefaultPrefaultBytes = uint64_t{1} << 30;

// Why the guest stopped.
enum class GuestStop {
  kRunning,   // not stopped (yet)
  kReset,     // reboot: i8042 reset, triple fault, KVM system event reset
  kPowerOff,  // ACPI S5 or KVM system event shutdown
  kKicked,    // the host stopped it (timeout, signal, destruction)
  kFailed,    // a vCPU hit an error; see error()
};

class Machine {
 public:
  // Builds the whole VM; nothing runs until start().
  static Result<std::unique_ptr<Machine>> build(const MachineSpec& spec);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  ~Machine();  // stops and joins the vCPU threads

  // Starts one thread per vCPU.
  Result<void> start();
  // Waits until the guest stops or `deadline` passes; returns the stop reason
  // (kRunning at the deadline).
  GuestStop wait_until(std::chrono::steady_clock::time_point deadline);
  // Kicks every vCPU out of KVM_RUN (immediate_exit + signal) and joins them.
  void stop();
  // The first vCPU error, once the machine is kFailed.
  [[nodiscard]] std::optional<Error> error() const;
  // What stopped the guest, in words ("vcpu 1: triple fault at rip 0x...",
  // "i8042 reset", "ACPI S5 power-off"); empty while running or when kicked.
  [[nodiscard]] std::string stop_detail() const;
  // True once the console showed "Kernel panic".
  [[nodiscard]] bool panicked() const { return panicked_.load(); }

  // Where each vCPU's instruction pointer is, for hang diagnostics ("vcpu 0
  // rip 0x..."); call after stop() (KVM_GET_REGS waits for a running vCPU).
  [[nodiscard]] std::string describe_vcpus() const;

  [[nodiscard]] const GuestMemory& memory() const { return mem_; }
  [[nodiscard]] int vcpu_count() const { return static_cast<int>(vcpus_.size()); }

 private:
  Machine() = default;
  Result<void> create_vm(const MachineSpec& spec);
  Result<void> load_images(const MachineSpec& spec);
  Result<void> create_vcpus(const MachineSpec& spec);
  void prefault(std::span<const acpi::RamRange> ranges);
  void run_vcpu(Vcpu& vcpu);
  void handle_io(kvm_run* run);
  void handle_mmio(kvm_run* run);
  void finish(GuestStop why, std::optional<Error> err = std::nullopt, std::string detail = {});
  void console_out(std::string_view text);

  KvmSystem kvm_;
  UniqueFd vm_;
  GuestMemory mem_;
  std::vector<Vcpu> vcpus_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Uart16550> com1_;
  BootEntry entry_;
  std::vector<acpi::RamRange> loaded_;  // what the VMM wrote (kernel, initrd)
  int console_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  GuestStop stop_ = GuestStop::kRunning;
  std::optional<Error> error_;
  std::string stop_detail_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> panicked_{false};
};

}  // namespace ktstr::kvm
