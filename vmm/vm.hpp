// The launcher's library API: boot one kernel with a declared topology, stream
// the guest's channel frames to the caller, and say how the VM ended.
// Used by ktstr-vm, `ktstr run` and the doctest adapter.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/monitor.hpp"
#include "base/protocol.hpp"
#include "base/topology.hpp"

namespace ktstr::vmm {

enum class Engine { kAuto, kQemu, kKvm };

// After the guest's exit frame its result is final; the VM gets this long to
// reboot by itself and is then stopped, so a guest (or a QEMU) that hangs on
// the way down cannot turn a finished run into a timeout (seen with QEMU
// -enable-kvm in the nested rig: exit frame at 16 s, then 284 s of hang).
inline constexpr std::chrono::seconds kExitGrace{2};

struct VmConfig {
  std::filesystem::path kernel;                   // bzImage
  std::vector<std::filesystem::path> initramfs;   // newc cpio archives, concatenated in order
  Topology topology;
  uint64_t memory_mib = 0;                        // 0: sized from the initramfs (memory_plan.hpp)
  std::chrono::seconds timeout{300};              // wall clock from launch
  Engine engine = Engine::kAuto;
  std::string extra_cmdline;                      // appended to the kernel command line
  std::vector<std::string> guest_args;            // /ktstr/argv.json in the per-run archive
  std::filesystem::path out_dir;                  // console.log etc.; empty: a temp dir kept only on failure
  bool echo_console = false;                      // copy ttyS0 to stderr as it arrives
  bool interactive = false;                       // ttyS0 on this terminal (stdin/stdout), still logged (`ktstr shell`)
  bool quiet = false;                             // no "accel ..." line on stderr
  std::string qemu_binary = "qemu-system-x86_64";
  // The host-side monitor (vmm/monitor): samples every guest CPU's runqueue
  // from guest RAM at this period; 0 turns it off.
  std::chrono::milliseconds monitor_period{100};
  std::filesystem::path vmlinux;  // for the monitor; empty: found from `kernel` (monitor::find_vmlinux)
};

struct VmOutcome {
  enum class Kind { kExited, kPanic, kTimeout, kInterrupted, kNoExitFrame };
  Kind kind = Kind::kNoExitFrame;
  int guest_exit_code = 0;              // valid for kExited
  int stop_signal = 0;                  // valid for kInterrupted
  std::string console_log_path;
  std::vector<std::string> console_tail;  // last kConsoleTailLines lines of ttyS0
  std::string channel_error;            // non-empty if the ring was found corrupt
  std::string accel;                    // "tcg" or "kvm"
  std::string stop_detail;              // own engine: what ended the VM (triple fault at rip ..., i8042 reset)
  // Host-measured times of the run's phases (seconds; -1 when it never happened).
  double prepare_seconds = 0;           // run_vm called -> engine launched (initrd, memory, engine setup)
  double boot_seconds = -1;             // launch -> first channel frame
  double exit_seconds = -1;             // launch -> the guest's exit frame
  double wall_seconds = 0;              // launch -> VM gone
  double hello_uptime_seconds = -1;     // guest clock at its hello frame: kernel boot until PID 1 ran
  uint64_t frames = 0;
  uint64_t payload_bytes = 0;
  int timeout_seconds = 0;
  MonitorLog monitor;                   // the host-side monitor's samples (error says why there are none)

  // The launcher's exit code for this outcome (base/exit_codes.hpp).
  [[nodiscard]] int exit_code() const;
  // One line (plus console tail for panic/timeout) saying what happened; empty for kExited.
  [[nodiscard]] std::string describe() const;
};

inline constexpr size_t kConsoleTailLines = 40;

// Called on the launcher's thread for every frame, in order, as it arrives.
// kExit frames are passed too (run_vm also records them).
using FrameSink = std::function<void(proto::MsgType, std::string_view payload)>;

// Boots the VM and waits for it to end. Errors are launch failures (missing
// kernel, QEMU not installed, QEMU rejecting its arguments); every way the
// guest itself can end is a VmOutcome. QEMU is always reaped and the guest-RAM
// files in /dev/shm are always removed before this returns.
Result<VmOutcome> run_vm(const VmConfig& config, const FrameSink& sink);

Result<Engine> parse_engine(std::string_view s);

}  // namespace ktstr::vmm
