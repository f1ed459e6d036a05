// What the host-side monitor costs and what it sees in healthy runs.
// Boots the scenario guest ROUNDS times with the monitor on and ROUNDS times
// off, alternating (on/off, then off/on, ...) so host load drifts hit both
// alike, and prints the median wall time of each and their ratio. Every
// monitored run also prints its longest rq-clock stall with runnable tasks
// and its longest idle-while-waiting episode (the verdict's own checks with
// a limit of 0), which is how the checks' defaults were chosen. Exits 1 when
// the with/without ratio misses its goal (bench/README.md).
//
// usage: monitor_bench [ROUNDS] [SCHEDULER] [TOPOLOGY] [SCENARIOS] [DURATION] [on]
//   defaults: 5 eevdf 1n1l2c1t steady 3s; SCHEDULER eevdf or a kernel-tree
//   example (scx_simple, ...) from the kernel cache entry's schedulers/;
//   "on": monitored runs only (the episodes, no cost figure).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "base/exit_codes.hpp"
#include "bench.hpp"
#include "host/verdict/checks.hpp"
#include "initramfs/initramfs.hpp"
#include "test_env.hpp"
#include "vmm/vm.hpp"

namespace fs = std::filesystem;
using namespace ktstr;

namespace {

// The monitor may cost at most 5 % of a run's wall time (measured: -0.2 % to
// +2.4 %, inside the host's run-to-run spread).
constexpr double kGoal = 1.05;

struct Run {
  double wall_s = 0;
  bool ok = false;
  MonitorLog log;
};

// The longest episode a check sees, in ms (its violations at limit 0).
double longest(const MonitorLog& log, verdict::CheckFn check, const verdict::Thresholds& th) {
  verdict::VmFacts f{.monitor = log};
  double worst = 0;
  for (const auto& v : check(RunTelemetry{}, f, th)) worst = std::max(worst, v.observed.value_or(0));
  return worst;
}

Run run_once(vmm::VmConfig cfg, bool monitor) {
  cfg.monitor_period = monitor ? std::chrono::milliseconds(100) : std::chrono::milliseconds(0);
  const auto t0 = std::chrono::steady_clock::now();
  auto out = vmm::run_vm(cfg, {});
  Run r{.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  if (!out) {
    fmt::print("  run failed: {}\n", out.error().message);
    return r;
  }
  r.ok = out->exit_code() == kExitPass;
  r.log = std::move(out->monitor);
  return r;
}

void report(int round, bool monitor, const Run& r) {
  if (!monitor) {
    fmt::print("round {} off: wall {:.2f} s{}\n", round, r.wall_s, r.ok ? "" : " (guest did not pass)");
    return;
  }
  const double stall = longest(r.log, verdict::check_rq_stall, {.max_rq_stall_ms = 0});
  const double idle = longest(r.log, verdict::check_idle_waiting, {.max_idle_waiting_ms = 0});
  const double first = r.log.samples.empty() ? 0 : static_cast<double>(r.log.samples.front().t_ns) / 1e9;
  fmt::print("round {} on:  wall {:.2f} s, {} samples from {:.2f} s (first frame {:.2f} s, exit {:.2f} s), {} bytes "
             "of JSON, setup {:.1f} ms, sampling {:.1f} us/sample, longest rq stall {:.0f} ms, longest idle-while-waiting "
             "{:.0f} ms{}{}\n",
             round, r.wall_s, r.log.samples.size(), first, static_cast<double>(r.log.hello_ns) / 1e9,
             static_cast<double>(r.log.exit_ns) / 1e9, nlohmann::json(r.log).dump().size(),
             static_cast<double>(r.log.setup_ns) / 1e6,
             static_cast<double>(r.log.sampling_ns) / 1e3 / static_cast<double>(std::max<size_t>(1, r.log.samples.size())),
             stall, idle,
             r.ok ? "" : " (guest did not pass)", r.log.error.empty() ? "" : " [" + r.log.error + "]");
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 5;
  const std::string sched = argc > 2 ? argv[2] : "eevdf";
  const std::string topo = argc > 3 ? argv[3] : "1n1l2c1t";
  const std::string scenarios = argc > 4 ? argv[4] : "steady";
  const std::string duration = argc > 5 ? argv[5] : "3s";
  const bool only_on = argc > 6 && std::string_view(argv[6]) == "on";
  auto kernel = vmmtest::find_kernel();
  if (!kernel) {
    fmt::print("skip: no kernel\n");
    return kExitSkip;
  }
  initramfs::Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_SCENARIO_GUEST, "/init");
  std::vector<std::string> args{"--scenario", scenarios, "--duration", duration, "--topology", topo};
  if (sched != "eevdf") {
    spec.add_binary(kernel->parent_path() / "schedulers" / sched, "/bin/" + sched);
    args.insert(args.end(), {"--scheduler", "/bin/" + sched});
  }
  const fs::path cpio = vmmtest::self_dir() / "monitor_bench.cpio";
  if (auto b = initramfs::build(spec, cpio); !b) return report_failure("monitor_bench", b.error().message, kExitInfra);
  vmm::VmConfig cfg{.kernel = *kernel, .initramfs = {cpio}, .topology = *Topology::parse(topo),
                    .timeout = std::chrono::seconds(600), .guest_args = args, .quiet = true};
  if (const int n = cfg.topology.vcpus(); sched == "scx_central")  // as tests/validation boots it
    cfg.extra_cmdline = n > 2 ? fmt::format("nohz_full=1-{}", n - 1) : "nohz_full=1";
  std::vector<double> on, off;
  for (int i = 0; i < rounds; ++i) {
    const std::vector<bool> order = only_on ? std::vector{true} : std::vector{i % 2 == 0, i % 2 != 0};
    for (bool monitor : order) {
      const Run r = run_once(cfg, monitor);
      report(i, monitor, r);
      (monitor ? on : off).push_back(r.wall_s);
    }
  }
  if (only_on) return kExitPass;
  const double with = bench::median(on), without = bench::median(off);
  fmt::print("{} {} {} {} x{}: median wall with monitor {:.3f} s, without {:.3f} s\n", sched, topo, scenarios,
             duration, rounds, with, without);
  return bench::hold_goal("monitor on / off", with / without, kGoal) ? kExitPass : kExitFail;
}
