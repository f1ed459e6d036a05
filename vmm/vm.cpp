// run_vm: the whole life of one VM, in order (STYLE.md rule 2).
#include "vmm/vm.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "host/channel/reader.hpp"
#include "vmm/accel.hpp"
#include "kvm/kvm_engine.hpp"
#include "vmm/console_log.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/run_files.hpp"
#include "vmm/stop_signal.hpp"

namespace ktstr::vmm {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Result<void> check_inputs(const VmConfig& c) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(c.kernel, ec))
    return fail("kernel {} not found (build one with `ktstr kernel build`, or pass --kernel PATH/bzImage)",
                c.kernel.string());
  if (c.initramfs.empty()) return fail("no initramfs given (--initramfs A.cpio[,B.cpio])");
  for (const auto& a : c.initramfs)
    if (!std::filesystem::is_regular_file(a, ec))
      return fail("initramfs {} not found (build it with `ktstr initramfs --out {} BIN...`)", a.string(), a.string());
  if (!find_in_path(c.qemu_binary))
    return fail("{} not found in PATH (install it: apt-get install qemu-system-x86)", c.qemu_binary);
  return {};
}

// The last lines QEMU wrote to its stderr, for a launch failure.
std::string qemu_complaint(const std::filesystem::path& log) {
  auto text = read_file(log).value_or("");
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() > 2000) text = text.substr(text.size() - 2000);
  return text.empty() ? "no message" : text;
}

}  // namespace

Result<VmOutcome> run_vm(const VmConfig& config, const FrameSink& sink) {
  if (config.engine == Engine::kKvm) return run_kvm_engine(config, sink);  // vmm/kvm/kvm_engine.hpp
  static std::atomic<int> run_counter{0};
  const AccelChoice accel = choose_accel();
  static std::atomic<bool> accel_said{false};
  if (config.engine == Engine::kAuto) {
    const EngineChoice choice = choose_auto_engine(accel, config.interactive);
    if (!config.quiet && !accel_said.exchange(true)) fmt::print(stderr, "ktstr-vm: {}\n", choice.reason);
    if (choice.own_engine) return run_kvm_engine(config, sink);
  }
  KTSTR_TRY_VOID(check_inputs(config));
  if (!config.quiet && !accel_said.exchange(true)) fmt::print(stderr, "ktstr-vm: accel {}\n", accel.reason);

  auto dir = KTSTR_TRY(RunDir::create(config.out_dir));
  const auto initrd = dir.path() / "initrd.cpio";
  const uint64_t initrd_bytes = KTSTR_TRY(assemble_initrd(config.initramfs, config.guest_args, initrd));
  const MemoryPlan mem = KTSTR_TRY(plan_memory(config.topology, config.memory_mib, initrd_bytes));

  std::vector<ShmFile> ram;
  const int run_id = run_counter++;
  for (size_t n = 0; n < mem.node_bytes.size(); ++n)
    ram.push_back(KTSTR_TRY(
        ShmFile::create(fmt::format("/dev/shm/ktstr-{}-{}-node{}", ::getpid(), run_id, n), mem.node_bytes[n])));
  auto reader = KTSTR_TRY(host::RingReader::open(ram[0].path(), mem.ring_phys, mem.ring_bytes));
  auto console = KTSTR_TRY(ConsoleLog::create(dir.path() / "console.log", config.echo_console));

  QemuPlan plan{.qemu_binary = config.qemu_binary,
                .accel = accel.accel,
                .topology = config.topology,
                .memory = mem,
                .memory_files = {},
                .kernel = std::filesystem::absolute(config.kernel).string(),
                .initrd = initrd.string(),
                .cmdline = kernel_cmdline(mem, config.extra_cmdline),
                .console_log = (dir.path() / "console.log").string(),
                .interactive = config.interactive};
  for (const auto& f : ram) plan.memory_files.push_back(f.path().string());
  const auto qemu_log = dir.path() / "qemu.log";
  auto qemu_err = KTSTR_TRY(open_file(qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  auto devnull = KTSTR_TRY(open_file("/dev/null", O_RDWR));

  VmOutcome out;
  out.accel = accel.accel == Accel::kKvm ? "kvm" : "tcg";
  out.console_log_path = (dir.path() / "console.log").string();
  bool got_exit = false;
  auto on_frame = [&](const host::Frame& f) {
    if (out.boot_seconds < 0) out.boot_seconds = 0;  // stamped by the loop below
    if (f.type == proto::MsgType::kExit) {
      got_exit = true;
      out.guest_exit_code = proto::decode_exit_code(f.payload);
    }
    if (sink) sink(f.type, f.payload);
  };

  const auto t0 = Clock::now();
  // Interactive: QEMU's stdio is the user's terminal (its stdio chardev); its
  // own diagnostics still go to qemu.log via stderr.
  auto qemu = KTSTR_TRY(ChildProcess::spawn(qemu_argv(plan), {.stdin_fd = config.interactive ? -1 : devnull.get(),
                                                               .stdout_fd = config.interactive ? -1 : qemu_err.get(),
                                                               .stderr_fd = qemu_err.get(),
                                                               .new_process_group = !config.interactive,  // interactive: stay in the terminal's foreground group
                                                               .kill_on_parent_death = true}));
  std::optional<ExitStatus> status;
  bool timed_out = false;
  int stopped_by = 0;
  bool unlinked = false;
  std::optional<Clock::time_point> exit_seen;  // when the exit frame arrived
  auto drain = [&] {
    if (!out.channel_error.empty()) return;
    const bool had_frames = out.boot_seconds >= 0;
    if (auto r = reader.drain(on_frame); !r) out.channel_error = r.error().message;
    if (!had_frames && out.boot_seconds >= 0) out.boot_seconds = seconds_since(t0);
  };
  for (;;) {
    drain();
    if (!unlinked && reader.ready()) {  // the guest runs, so QEMU has mapped its RAM: unlink early
      for (auto& f : ram) f.remove();
      unlinked = true;
    }
    console.poll();
    if ((status = qemu.poll())) break;
    if (got_exit && !exit_seen) exit_seen = Clock::now();
    const bool exit_grace_over = exit_seen && Clock::now() - *exit_seen >= kExitGrace;
    if (!got_exit && seconds_since(t0) >= static_cast<double>(config.timeout.count())) timed_out = true;
    stopped_by = stop_signal();
    if (timed_out || stopped_by || exit_grace_over) {
      status = qemu.terminate(std::chrono::milliseconds(500));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  out.wall_seconds = seconds_since(t0);
  drain();  // frames written right before a panic are in the backing file still
  console.poll();
  ram.clear();
  out.frames = reader.frames();
  out.payload_bytes = reader.payload_bytes();
  out.console_tail = console.tail(kConsoleTailLines);

  if (stopped_by) {
    out.kind = VmOutcome::Kind::kInterrupted;
    out.stop_signal = stopped_by;
  } else if (timed_out) {
    out.kind = VmOutcome::Kind::kTimeout;
  } else if (got_exit) {
    out.kind = VmOutcome::Kind::kExited;
  } else if (console.saw_panic()) {
    out.kind = VmOutcome::Kind::kPanic;
  } else if (!status->success() && out.frames == 0) {
    dir.keep();
    return fail("QEMU failed ({}): {} (full log: {})", status->describe(), qemu_complaint(qemu_log), qemu_log.string());
  } else {
    out.kind = VmOutcome::Kind::kNoExitFrame;
  }
  if (console.saw_initramfs_failure()) {
    // The rootfs tmpfs is capped at half of RAM and a failed unpack leaves a
    // partial tree that may still boot: never let that pass as a result.
    dir.keep();
    return fail("the guest kernel could not unpack the {} MiB initrd (console: Initramfs unpacking failed); give the "
                "VM more --memory than {} MiB (console log: {})",
                initrd_bytes >> 20, mem.total_bytes() >> 20, out.console_log_path);
  }
  out.timeout_seconds = static_cast<int>(config.timeout.count());
  if (out.exit_code() != kExitPass) dir.keep();
  return out;
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
    case Kind::kExited: head = channel_error.empty() ? "" : "channel: " + channel_error; break;
    case Kind::kPanic: head = "guest kernel panic"; break;
    case Kind::kTimeout: head = fmt::format("timeout after {} s", timeout_seconds); break;
    case Kind::kInterrupted: return fmt::format("interrupted by signal {}; VM stopped", stop_signal);
    case Kind::kNoExitFrame:
      head = "the VM stopped without the guest's exit frame" +
             (stop_detail.empty() ? std::string() : ": " + stop_detail) +
             (channel_error.empty() ? std::string() : " (channel: " + channel_error + ")");
      break;
  }
  if (kind == Kind::kExited) return head;
  std::string s = head + fmt::format("\n--- last {} console lines ({}) ---", console_tail.size(), console_log_path);
  for (const auto& l : console_tail) s += "\n" + l;
  return s;
}

}  // namespace ktstr::vmm
