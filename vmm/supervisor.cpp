// run_vm: the one recipe of a VM run, for both engines, in order. An engine
// (engine.hpp) supplies only its launch, its wait and its stop reason.
#include <atomic>

#include "base/exit_codes.hpp"

#include "vmm/accel.hpp"
#include "vmm/channel/ring_reader.hpp"
#include "vmm/console_log.hpp"
#include "vmm/engine.hpp"
#include "vmm/monitor/monitor.hpp"
#include "vmm/outcome.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/run_files.hpp"
#include "vmm/stop_signal.hpp"
#include "vmm/vm.hpp"

namespace ktstr::vmm {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(2);

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The engine this run uses, and one line saying why (printed once per process).
struct EnginePick {
  Engine engine;
  bool use_kvm = false;  // QEMU's accelerator
  std::string reason;
};

EnginePick pick_engine(const VmConfig& c) {
  const AccelChoice accel = choose_accel();
  switch (c.engine) {
    case Engine::kKvm: return {Engine::kKvm, true, "engine kvm (own VMM): --engine kvm"};
    case Engine::kQemu: return {Engine::kQemu, accel.accel == Accel::kKvm, "engine qemu, accel " + accel.reason};
    case Engine::kAuto: break;
  }
  const EngineChoice choice = choose_auto_engine(accel, c.interactive);
  return {choice.own_engine ? Engine::kKvm : Engine::kQemu, accel.accel == Accel::kKvm, choice.reason};
}

void announce(const VmConfig& c, const EnginePick& pick) {
  static std::atomic<bool> said{false};
  if (!c.quiet && !said.exchange(true)) fmt::print(stderr, "ktstr-vm: {}\n", pick.reason);
}

Result<void> check_inputs(const VmConfig& c) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(c.kernel, ec))
    return fail("kernel {} not found (build one with `ktstr kernel build`, or pass --kernel PATH/bzImage)",
                c.kernel.string());
  if (c.initramfs.empty()) return fail("no initramfs given (--initramfs A.cpio[,B.cpio])");
  for (const auto& a : c.initramfs)
    if (!std::filesystem::is_regular_file(a, ec))
      return fail("initramfs {} not found (build it with `ktstr initramfs --out {} BIN...`)", a.string(), a.string());
  return {};
}

Result<std::unique_ptr<VmEngine>> make_engine(const EnginePick& pick, const LaunchSpec& spec) {
  if (pick.engine == Engine::kKvm) return make_kvm_engine(spec);
  return make_qemu_engine(spec, pick.use_kvm);
}

// The ring's bytes: the file of the RAM range holding ring_phys.
Result<RingReader> open_ring(const VmEngine& engine, const MemoryPlan& mem) {
  const auto ranges = engine.ram_ranges();
  const RamRange* r = find_ram(ranges, mem.ring_phys);
  if (!r || mem.ring_phys + mem.ring_bytes > r->guest_phys + r->bytes)
    return fail("the results ring at {:#x} is not inside one guest RAM range", mem.ring_phys);
  return RingReader::open(r->file, r->file_offset + (mem.ring_phys - r->guest_phys), mem.ring_bytes);
}

// The host-side monitor, on unless the period is 0 or no vmlinux is found.
monitor::Monitor open_monitor(const VmConfig& c, const VmEngine& engine) {
  monitor::MonitorConfig mc{.period = c.monitor_period, .cpus = c.topology.vcpus()};
  if (auto v = monitor::find_vmlinux(c.kernel, c.vmlinux)) mc.vmlinux = *v;
  else mc.off_reason = fmt::format("no vmlinux next to {} (pass --vmlinux)", c.kernel.string());
  if (c.monitor_period.count() <= 0) mc.off_reason = "monitor off (period 0)";
  return monitor::Monitor::open(mc, engine.ram_ranges());
}

// The monitor's time axis is the launch's: its first and exit frames place
// the guest's run on it (MonitorLog::run_start_ns).
void place_run(MonitorLog& log, const VmOutcome& out) {
  auto ns = [](double s) { return s > 0 ? static_cast<uint64_t>(s * 1e9) : uint64_t{0}; };
  log.hello_ns = ns(out.boot_seconds);
  log.exit_ns = ns(out.exit_seconds);
}

// The running VM as the supervisor follows it: drains the ring, follows the
// console, and decides when the run is over (exit grace, timeout, signal).
class Supervision {
 public:
  Supervision(VmEngine& engine, RingReader& reader, ConsoleLog& console, monitor::Monitor& monitor,
              const VmConfig& config, const FrameSink& sink)
      : engine_(engine), reader_(reader), console_(console), monitor_(monitor), config_(config), sink_(sink) {}

  // Runs until the VM ends or must be stopped; the engine is stopped on return.
  RunEnd run(VmOutcome& out) {
    t0_ = Clock::now();
    RunEnd end;
    for (;;) {
      drain(out);
      console_.poll();
      if (!running_said_ && reader_.ready()) {
        engine_.guest_running();
        running_said_ = true;
      }
      monitor_.poll(elapsed_ns(), running_said_);
      const EngineState state = engine_.wait_until(Clock::now() + kPollInterval);
      if (state != EngineState::kRunning) break;
      if (got_exit_ && !exit_seen_) exit_seen_ = Clock::now();
      if (exit_seen_ && Clock::now() - *exit_seen_ >= kExitGrace) break;  // result final, guest slow to reset
      end.timed_out = !got_exit_ && seconds_between(t0_, Clock::now()) >= static_cast<double>(config_.timeout.count());
      end.stop_signal = stop_signal();
      if (end.timed_out || end.stop_signal) break;
    }
    engine_.stop();
    out.wall_seconds = seconds_between(t0_, Clock::now());
    drain(out);  // frames written right before a panic are still in guest RAM
    console_.poll();
    monitor_.final_sample(elapsed_ns());  // what each CPU held when the VM ended
    end.got_exit = got_exit_;
    end.guest_exit_code = out.guest_exit_code;
    end.panic = console_.saw_panic() || engine_.panicked();
    end.initramfs_failed = console_.saw_initramfs_failure();
    end.engine_failure = engine_.failure(out.boot_seconds >= 0);
    return end;
  }

 private:
  void drain(VmOutcome& out) {
    if (!out.channel_error.empty()) return;
    auto on_frame = [&](const Frame& f) {
      if (out.boot_seconds < 0) out.boot_seconds = seconds_between(t0_, Clock::now());
      if (f.type == proto::MsgType::kHello) out.hello_uptime_seconds = proto::decode_hello_uptime(f.payload);
      if (f.type == proto::MsgType::kExit) {
        got_exit_ = true;
        out.exit_seconds = seconds_between(t0_, Clock::now());
        out.guest_exit_code = proto::decode_exit_code(f.payload);
      }
      if (sink_) sink_(f.type, f.payload);
    };
    if (auto r = reader_.drain(on_frame); !r) out.channel_error = r.error().message;
  }

  [[nodiscard]] uint64_t elapsed_ns() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count());
  }

  VmEngine& engine_;
  RingReader& reader_;
  ConsoleLog& console_;
  monitor::Monitor& monitor_;
  const VmConfig& config_;
  const FrameSink& sink_;
  Clock::time_point t0_;
  bool got_exit_ = false;
  bool running_said_ = false;
  std::optional<Clock::time_point> exit_seen_;
};

}  // namespace

Result<VmOutcome> run_vm(const VmConfig& config, const FrameSink& sink) {
  const auto called = Clock::now();
  const EnginePick pick = pick_engine(config);
  announce(config, pick);
  KTSTR_TRY_VOID(check_inputs(config));
  auto dir = KTSTR_TRY(RunDir::create(config.out_dir));
  const auto initrd = dir.path() / "initrd.cpio";
  const uint64_t initrd_bytes = KTSTR_TRY(assemble_initrd(config.initramfs, config.guest_args, initrd));
  const MemoryPlan mem = KTSTR_TRY(plan_memory(config.topology, config.memory_mib, initrd_bytes));
  const auto console_path = dir.path() / "console.log";
  auto console = KTSTR_TRY(ConsoleLog::create(console_path, config.echo_console));
  const LaunchSpec spec{.config = &config,
                        .memory = mem,
                        .initrd = initrd,
                        .run_dir = dir.path(),
                        .console_log = console_path,
                        .cmdline = kernel_cmdline(mem, config.extra_cmdline)};
  auto engine = KTSTR_TRY(make_engine(pick, spec));
  auto reader = KTSTR_TRY(open_ring(*engine, mem));
  auto monitor = open_monitor(config, *engine);
  KTSTR_TRY_VOID(engine->start());

  VmOutcome out{.console_log_path = console_path.string(),
                .accel = engine->accel(),
                .prepare_seconds = seconds_between(called, Clock::now()),
                .timeout_seconds = static_cast<int>(config.timeout.count())};
  RunEnd end = Supervision(*engine, reader, console, monitor, config, sink).run(out);
  out.monitor = monitor.take_log();
  place_run(out.monitor, out);
  out.stop_detail = engine->stop_detail();
  out.frames = reader.frames();
  out.payload_bytes = reader.payload_bytes();
  out.console_tail = console.tail(kConsoleTailLines);
  end.initrd_bytes = initrd_bytes;
  end.ram_bytes = mem.total_bytes();
  end.console_log = out.console_log_path;

  auto kind = classify_end(end);
  if (!kind) {
    dir.keep();
    return std::unexpected(kind.error());
  }
  out.kind = *kind;
  out.stop_signal = end.stop_signal;
  if (out.exit_code() != kExitPass) dir.keep();
  return out;
}

}  // namespace ktstr::vmm
