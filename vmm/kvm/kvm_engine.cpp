// run_kvm_engine: the life of one VM on the own engine, in order. Mirrors
// run_vm's QEMU path: the same initrd assembly, memory plan (ring placement),
// kernel command line, console log handling and outcome classification, so a
// guest cannot tell the engines apart.
#include "kvm/kvm_engine.hpp"

#include <fcntl.h>

#include "base/fd.hpp"
#include "host/channel/reader.hpp"
#include "kvm/machine.hpp"
#include "vmm/console_log.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/run_files.hpp"
#include "vmm/stop_signal.hpp"

namespace ktstr::vmm {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(2);

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// KTSTR_KVM_PREFAULT=off leaves every page to be faulted in by the guest
// (the engine's behaviour before pre-faulting; the rig bench compares both).
uint64_t prefault_budget() {
  const char* v = std::getenv("KTSTR_KVM_PREFAULT");
  return v && std::string_view(v) == "off" ? 0 : kvm::kDefaultPrefaultBytes;
}

}  // namespace

Result<VmOutcome> run_kvm_engine(const VmConfig& config, const FrameSink& sink) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config.kernel, ec))
    return fail("kernel {} not found (build one with `ktstr kernel build`, or pass --kernel PATH/bzImage)",
                config.kernel.string());
  if (config.initramfs.empty()) return fail("no initramfs given (--initramfs A.cpio[,B.cpio])");

  auto dir = KTSTR_TRY(RunDir::create(config.out_dir));
  const auto initrd = dir.path() / "initrd.cpio";
  const uint64_t initrd_bytes = KTSTR_TRY(assemble_initrd(config.initramfs, config.guest_args, initrd));
  const MemoryPlan mem = KTSTR_TRY(plan_memory(config.topology, config.memory_mib, initrd_bytes));
  const auto console_path = dir.path() / "console.log";
  auto console = KTSTR_TRY(ConsoleLog::create(console_path, config.echo_console));
  auto console_fd = KTSTR_TRY(open_file(console_path, O_WRONLY | O_APPEND));

  auto machine = KTSTR_TRY(kvm::Machine::build({.kernel = config.kernel.string(),
                                                .initrds = {initrd.string()},
                                                .topology = config.topology,
                                                .ram_bytes = mem.total_bytes(),
                                                .channel_addr = mem.ring_phys,
                                                .channel_bytes = mem.ring_bytes,
                                                .cmdline = kernel_cmdline(mem, config.extra_cmdline),
                                                .console_fd = console_fd.get(),
                                                .prefault_bytes = prefault_budget()}));
  // The ring sits in low RAM, where the memfd offset equals the guest address.
  auto reader = KTSTR_TRY(host::RingReader::open(machine->memory().file_path(), mem.ring_phys, mem.ring_bytes));

  VmOutcome out;
  out.accel = "kvm";
  out.console_log_path = console_path.string();
  bool got_exit = false;
  auto on_frame = [&](const host::Frame& f) {
    if (out.boot_seconds < 0) out.boot_seconds = 0;
    if (f.type == proto::MsgType::kExit) {
      got_exit = true;
      out.guest_exit_code = proto::decode_exit_code(f.payload);
    }
    if (sink) sink(f.type, f.payload);
  };
  const auto t0 = Clock::now();
  auto drain = [&] {
    if (!out.channel_error.empty()) return;
    const bool had_frames = out.boot_seconds >= 0;
    if (auto r = reader.drain(on_frame); !r) out.channel_error = r.error().message;
    if (!had_frames && out.boot_seconds >= 0) out.boot_seconds = seconds_since(t0);
  };

  KTSTR_TRY_VOID(machine->start());
  kvm::GuestStop stop = kvm::GuestStop::kRunning;
  bool timed_out = false;
  int stopped_by = 0;
  std::optional<Clock::time_point> exit_seen;  // when the exit frame arrived
  for (;;) {
    drain();
    console.poll();
    stop = machine->wait_until(Clock::now() + kPollInterval);
    if (stop != kvm::GuestStop::kRunning) break;
    if (got_exit && !exit_seen) exit_seen = Clock::now();
    if (exit_seen && Clock::now() - *exit_seen >= kExitGrace) break;  // result final, guest slow to reset
    timed_out = !got_exit && seconds_since(t0) >= static_cast<double>(config.timeout.count());
    stopped_by = stop_signal();
    if (timed_out || stopped_by) break;
  }
  machine->stop();
  out.wall_seconds = seconds_since(t0);
  out.stop_detail = machine->stop_detail();
  drain();  // frames written right before a panic are still in guest RAM
  console.poll();
  out.frames = reader.frames();
  out.payload_bytes = reader.payload_bytes();
  out.console_tail = console.tail(kConsoleTailLines);

  if (stop == kvm::GuestStop::kFailed && !got_exit) {
    dir.keep();
    return fail("kvm engine: {} (console: {})", machine->error().value_or(Error{"vCPU failed"}).message,
                console_path.string());
  }
  if (stopped_by) {
    out.kind = VmOutcome::Kind::kInterrupted;
    out.stop_signal = stopped_by;
  } else if (timed_out) {
    out.kind = VmOutcome::Kind::kTimeout;
  } else if (got_exit) {
    out.kind = VmOutcome::Kind::kExited;
  } else if (console.saw_panic() || machine->panicked()) {
    out.kind = VmOutcome::Kind::kPanic;
  } else {
    out.kind = VmOutcome::Kind::kNoExitFrame;
  }
  if (console.saw_initramfs_failure())
    out.channel_error += (out.channel_error.empty() ? "" : "; ") +
                         std::string("the kernel could not unpack the initramfs (console: Initramfs unpacking failed)");
  out.timeout_seconds = static_cast<int>(config.timeout.count());
  if (out.exit_code() != 0) dir.keep();
  return out;
}

}  // namespace ktstr::vmm
