// How a VM run ended, decided in one place for both engines: the facts the
// supervisor gathered (RunEnd) map to a VmOutcome kind, or to an
// infrastructure error when the run says nothing about the guest.
#pragma once

#include <optional>
#include <string>

#include "base/error.hpp"
#include "vmm/vm.hpp"

namespace ktstr::vmm {

// What the supervisor saw by the time the VM was gone.
struct RunEnd {
  int stop_signal = 0;        // the launcher got SIGINT/SIGTERM/SIGHUP
  bool timed_out = false;     // the deadline passed before the exit frame
  bool got_exit = false;      // the guest's exit frame arrived
  int guest_exit_code = 0;    // its payload, when got_exit
  bool panic = false;         // "Kernel panic" on the console, or the engine saw one
  bool initramfs_failed = false;       // "Initramfs unpacking failed" on the console
  std::optional<Error> engine_failure;  // the engine failed rather than the guest ending
  uint64_t initrd_bytes = 0;  // for the unpack-failure message
  uint64_t ram_bytes = 0;
  std::string console_log;
};

// The outcome kind, first match wins: stop signal, timeout, exit frame,
// engine failure (an error), panic, otherwise no exit frame. An initramfs
// that did not unpack is always an error: the rootfs tmpfs is capped at half
// of RAM and a failed unpack leaves a partial tree that may still boot, so
// nothing it does may pass as a result.
Result<VmOutcome::Kind> classify_end(const RunEnd& end);

}  // namespace ktstr::vmm
