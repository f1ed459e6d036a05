#include "vmm/outcome.hpp"

#include "base/exit_codes.hpp"

namespace ktstr::vmm {

Result<VmOutcome::Kind> classify_end(const RunEnd& e) {
  using Kind = VmOutcome::Kind;
  if (e.initramfs_failed && !e.stop_signal)
    return fail("the guest kernel could not unpack the {} MiB initrd (console: Initramfs unpacking failed); give the "
                "VM more --memory than {} MiB (console log: {})",
                e.initrd_bytes >> 20, e.ram_bytes >> 20, e.console_log);
  if (e.stop_signal) return Kind::kInterrupted;
  if (e.timed_out) return Kind::kTimeout;
  if (e.got_exit) return Kind::kExited;
  if (e.engine_failure) return std::unexpected(*e.engine_failure);
  if (e.panic) return Kind::kPanic;
  return Kind::kNoExitFrame;
}

Result<Engine> parse_engine(std::string_view s) {
  if (s == "auto") return Engine::kAuto;
  if (s == "qemu") return Engine::kQemu;
  if (s == "kvm") return Engine::kKvm;
  return fail("unknown engine '{}' (auto, qemu or kvm)", s);
}

int VmOutcome::exit_code() const {
  switch (kind) {
    case Kind::kExited: return guest_exit_code;
    case Kind::kPanic: return kExitPanic;
    case Kind::kTimeout: return kExitTimeout;
    case Kind::kInterrupted: return kExitSignalBase + stop_signal;
    case Kind::kNoExitFrame: return kExitNoResult;
  }
  return kExitInfra;
}

std::string VmOutcome::describe() const {
  std::string head;
  switch (kind) {
    case Kind::kExited: return channel_error.empty() ? "" : "channel: " + channel_error;
    case Kind::kPanic: head = "guest kernel panic"; break;
    case Kind::kTimeout: head = fmt::format("timeout after {} s", timeout_seconds); break;
    case Kind::kInterrupted: return fmt::format("interrupted by signal {}; VM stopped", stop_signal);
    case Kind::kNoExitFrame:
      head = "the VM stopped without the guest's exit frame" +
             (stop_detail.empty() ? std::string() : ": " + stop_detail) +
             (channel_error.empty() ? std::string() : " (channel: " + channel_error + ")");
      break;
  }
  std::string s = head + fmt::format("\n--- last {} console lines ({}) ---", console_tail.size(), console_log_path);
  for (const auto& l : console_tail) s += "\n" + l;
  return s;
}

}  // namespace ktstr::vmm
