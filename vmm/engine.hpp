// What an engine supplies to the one run recipe (supervisor.cpp): its launch,
// how to wait for it, how to stop it, and why the guest stopped. Everything
// else about a run — run directory, initrd, memory plan, ring, console log,
// frame draining, timeout, exit grace, outcome — is the supervisor's, so the
// two engines cannot disagree about it.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "vmm/guest_ram.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/vm.hpp"

namespace ktstr::vmm {

using Clock = std::chrono::steady_clock;

// Everything the supervisor prepared that an engine boots with. Paths are
// absolute; the run directory outlives the engine.
struct LaunchSpec {
  const VmConfig* config = nullptr;
  MemoryPlan memory;
  std::filesystem::path initrd;       // the caller's archives + the per-run archive
  std::filesystem::path run_dir;      // an engine's own logs go here (qemu.log)
  std::filesystem::path console_log;  // ttyS0 output; the supervisor follows this file
  std::string cmdline;                // the whole kernel command line
};

// Where a running engine is, as seen by wait_until().
enum class EngineState {
  kRunning,  // the guest still runs
  kEnded,    // the VM ended by itself (guest reboot/power-off, QEMU exit)
  kFailed,   // the engine itself failed (see failure())
};

class VmEngine {
 public:
  virtual ~VmEngine() = default;

  // "tcg" or "kvm": the accelerator the guest runs on.
  [[nodiscard]] virtual std::string accel() const = 0;
  // Guest RAM: every guest-physical range and the file holding it (QEMU:
  // the memory-backend files, one per NUMA node; own engine: its RAM memfd).
  // Valid from creation; the ring reader and the monitor map them before
  // start(), as QEMU's files are unlinked once the guest runs.
  [[nodiscard]] virtual std::vector<RamRange> ram_ranges() const = 0;

  // Starts the guest.
  virtual Result<void> start() = 0;
  // Waits until the VM ends or `deadline` passes.
  virtual EngineState wait_until(Clock::time_point deadline) = 0;
  // The guest has initialised the ring, so the engine has mapped its RAM.
  virtual void guest_running() {}
  // Ends the VM now (timeout, stop signal, exit grace). Idempotent.
  virtual void stop() = 0;

  // What ended the VM, in words ("vcpu 1: triple fault at rip ...", "QEMU
  // exited with status 1"); empty when unknown or stopped by the host.
  [[nodiscard]] virtual std::string stop_detail() const = 0;
  // The engine's own failure, when it never ran the guest to an end it can
  // report (QEMU refusing its arguments, a vCPU error): an infrastructure
  // error, not an outcome. `got_frames`: the guest sent at least one frame.
  [[nodiscard]] virtual std::optional<Error> failure(bool got_frames) const = 0;
  // The engine saw the guest panic by other means than the console text.
  [[nodiscard]] virtual bool panicked() const { return false; }
};

// The QEMU engine (vmm/qemu_engine.cpp): guest RAM in shared files, one per
// NUMA node (a huge-page tmpfs of its own, else /dev/shm); fails when QEMU is
// not installed.
Result<std::unique_ptr<VmEngine>> make_qemu_engine(const LaunchSpec& spec, bool use_kvm);

// The own KVM engine (vmm/kvm_engine.cpp): guest RAM in a memfd; fails when
// /dev/kvm is unusable or the run needs a terminal console.
Result<std::unique_ptr<VmEngine>> make_kvm_engine(const LaunchSpec& spec);

}  // namespace ktstr::vmm
