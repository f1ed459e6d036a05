// vCPU threads and the KVM_RUN exit loop: port I/O to the devices, the ways a
// guest stops, and the kick that gets a vCPU out of KVM_RUN (api.rst
// "immediate_exit": set it, then signal the thread).
#include <pthread.h>
#include <sys/ioctl.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/layout.hpp"
#include "vmm/kvm/machine.hpp"

namespace ktstr::kvm {
namespace {

constexpr uint8_t kI8042ResetCommand = 0xfe;  // pulse the CPU reset line
constexpr uint16_t kCom1Last = layout::kCom1Port + 7;

int kick_signal() { return SIGRTMIN + 2; }

// The kick signal only has to interrupt KVM_RUN; the handler does nothing.
void install_kick_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa{};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
    sigaction(kick_signal(), &sa, nullptr);
  });
}

// vCPU threads take only the kick signal; SIGINT/SIGTERM go to the main thread.
void block_signals_but_kick() {
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, kick_signal());
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
}

}  // namespace

Result<void> Machine::start() {
  install_kick_handler();
  for (Vcpu& v : vcpus_) threads_.emplace_back([this, &v] { run_vcpu(v); });
  return {};
}

void Machine::stop() {
  stopping_ = true;
  finish(GuestStop::kKicked);
  for (Vcpu& v : vcpus_)
    if (v.run.get()) __atomic_store_n(&v.run.get()->immediate_exit, 1, __ATOMIC_SEQ_CST);
  for (std::thread& t : threads_)
    if (t.joinable()) pthread_kill(t.native_handle(), kick_signal());
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (com1_) com1_->flush();
}

void Machine::run_vcpu(Vcpu& vcpu) {
  block_signals_but_kick();
  kvm_run* run = vcpu.run.get();
  while (!stopping_) {
    if (::ioctl(vcpu.fd.get(), KVM_RUN, 0) < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;  // kicked, or a signal: re-check stopping_
      finish(GuestStop::kFailed, fail_errno(fmt::format("KVM_RUN vcpu {}", vcpu.id)).error());
      return;
    }
    switch (run->exit_reason) {
      case KVM_EXIT_IO: handle_io(run); break;
      case KVM_EXIT_MMIO: handle_mmio(run); break;
      case KVM_EXIT_INTR: break;
      case KVM_EXIT_HLT: break;  // only without an in-kernel LAPIC
      case KVM_EXIT_SHUTDOWN: {  // triple fault: a PC resets
        kvm_regs regs{};
        const bool have = ::ioctl(vcpu.fd.get(), KVM_GET_REGS, &regs) == 0;
        finish(GuestStop::kReset, std::nullopt,
               have ? fmt::format("vcpu {}: triple fault (KVM_EXIT_SHUTDOWN) at rip {:#x}", vcpu.index, regs.rip)
                    : fmt::format("vcpu {}: triple fault (KVM_EXIT_SHUTDOWN)", vcpu.index));
        return;
      }
      case KVM_EXIT_SYSTEM_EVENT:
        finish(run->system_event.type == KVM_SYSTEM_EVENT_RESET ? GuestStop::kReset : GuestStop::kPowerOff,
               std::nullopt, fmt::format("vcpu {}: KVM system event {}", vcpu.index, run->system_event.type));
        return;
      case KVM_EXIT_FAIL_ENTRY:
        finish(GuestStop::kFailed,
               Error{fmt::format("vcpu {}: VM entry failed, hardware reason {:#x}", vcpu.id,
                                 run->fail_entry.hardware_entry_failure_reason)});
        return;
      case KVM_EXIT_INTERNAL_ERROR:
        finish(GuestStop::kFailed,
               Error{fmt::format("vcpu {}: KVM internal error, suberror {}", vcpu.id, run->internal.suberror)});
        return;
      default:
        finish(GuestStop::kFailed, Error{fmt::format("vcpu {}: unexpected KVM exit reason {}", vcpu.id,
                                                     run->exit_reason)});
        return;
    }
  }
}

// Port I/O (api.rst KVM_EXIT_IO: `count` accesses of `size` bytes at
// data_offset). Ports without a device read as all ones, like an ISA bus.
void Machine::handle_io(kvm_run* run) {
  auto* data = reinterpret_cast<uint8_t*>(run) + run->io.data_offset;
  const uint16_t port = run->io.port;
  const bool out = run->io.direction == KVM_EXIT_IO_OUT;
  for (uint32_t i = 0; i < run->io.count; ++i, data += run->io.size) {
    if (port >= layout::kCom1Port && port <= kCom1Last) {
      const auto off = static_cast<uint16_t>(port - layout::kCom1Port);
      if (out)
        com1_->write(off, data[0]);
      else
        data[0] = com1_->read(off);
    } else if (port == layout::kI8042CommandPort || port == layout::kI8042DataPort) {
      // No keyboard controller, only its reset line. Status 0x01: input buffer
      // free (bit 1 clear), so the reboot path's kb_wait() passes at once;
      // output buffer "full" (bit 0) forever, so the i8042 driver's flush
      // gives up after 16 reads and reports "No controller found"
      // (drivers/input/serio/i8042.c: i8042_controller_check). Status 0 made
      // the driver wait for a CTR byte that never came: 1.9 s of every boot
      // in the nested rig.
      if (!out) data[0] = port == layout::kI8042CommandPort ? 0x01 : 0xff;
      if (out && port == layout::kI8042CommandPort && data[0] == kI8042ResetCommand)
        finish(GuestStop::kReset, std::nullopt, "i8042 reset (the guest rebooted)");
    } else if (port == acpi::kPm1aControlPort) {
      uint16_t v = 0;
      std::memcpy(&v, data, std::min<size_t>(run->io.size, 2));
      if (out && (v & acpi::kPm1ControlSlpEn) && ((v >> 10) & 7) == acpi::kS5SleepType)
        finish(GuestStop::kPowerOff, std::nullopt, "ACPI S5 power-off");
      if (!out) std::memset(data, 0, run->io.size);
    } else if (port >= acpi::kPm1aEventPort && port < acpi::kPm1aEventPort + 4) {
      if (!out) std::memset(data, 0, run->io.size);  // no fixed events pending or enabled
    } else if (!out) {
      std::memset(data, 0xff, run->io.size);
    }
  }
}

std::string Machine::describe_vcpus() const {
  std::string s;
  for (const Vcpu& v : vcpus_) {
    kvm_regs regs{};
    kvm_mp_state mp{};
    if (::ioctl(v.fd.get(), KVM_GET_REGS, &regs) < 0 || ::ioctl(v.fd.get(), KVM_GET_MP_STATE, &mp) < 0) continue;
    s += fmt::format("{}vcpu {} rip {:#x} mp_state {}", s.empty() ? "" : "; ", v.id, regs.rip, mp.mp_state);
  }
  return s;
}

// No MMIO devices: reads see all ones, writes vanish.
void Machine::handle_mmio(kvm_run* run) {
  if (!run->mmio.is_write) std::memset(run->mmio.data, 0xff, sizeof run->mmio.data);
}

}  // namespace ktstr::kvm
