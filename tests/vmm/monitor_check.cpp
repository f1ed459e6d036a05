// VM tests of the host-side monitor (vmm/monitor), one property per
// invocation (one CTest entry each, label vm):
//   monitor_check hang    a guest that spins forever: the timeout's report
//                         (ktstr-vm --test) shows every CPU's last sample
//   monitor_check rqstall scx_qmap dropping every user task's enqueue: the
//                         verdict fails rq_stall, naming the idle CPU
//   monitor_check healthy scx_simple on steady: the default checks pass
//   monitor_check stall   scx_qmap dropping every 10th enqueue (its -t knob):
//                         the monitor sees stranded tasks pile up and wait
//                         longer while sched_ext is enabled, until the
//                         kernel's watchdog ejects it ("runnable task stall")
// Exit 0 pass, 1 fail, 77 skip (no kernel, no scx_qmap).
#include <fmt/format.h>

#include <algorithm>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "base/telemetry.hpp"
#include "host/verdict/monitor_report.hpp"
#include "initramfs/initramfs.hpp"
#include "test_env.hpp"
#include "vmm/vm.hpp"

namespace fs = std::filesystem;
using namespace ktstr;

namespace {

int failed(const std::string& why) {
  fmt::print(stderr, "FAIL: {}\n", why);
  return kExitFail;
}

fs::path run_dir(const std::string& name) { return vmmtest::self_dir() / "vm-runs" / ("monitor-" + name); }

// ktstr-vm --test with the probe spinning on both CPUs until the timeout:
// the report must name the timeout and show both CPUs busy with the probe.
int check_hang(const fs::path& kernel, const fs::path& cpio) {
  const fs::path dir = run_dir("hang");
  auto r = run_capture({(vmmtest::self_dir() / "ktstr-vm").string(), "--kernel", kernel.string(), "--initramfs",
                        cpio.string(), "--topology", "1n1l2c1t", "--timeout", "40", "--out-dir", dir.string(),
                        "--build-dir", dir.string(), "--test", "vmm/monitor/hang", "--", "hang-spin", "2"});
  if (!r) return failed(r.error().message);
  fmt::print("{}\n", r->output);
  if (r->status.code != kExitFail) return failed(fmt::format("ktstr-vm --test exited {}, not 1", r->status.code));
  const auto& out = r->output;
  const auto section = out.find("--- monitor: last sample per CPU ---");
  if (out.find("timeout vm") == std::string::npos) return failed("the report names no timeout");
  if (section == std::string::npos) return failed("the report has no monitor section");
  for (int cpu = 0; cpu < 2; ++cpu) {
    const auto line = out.find(fmt::format("  cpu {}: ", cpu), section);
    if (line == std::string::npos) return failed(fmt::format("no last sample for cpu {}", cpu));
    const std::string text = out.substr(line, out.find('\n', line) - line);
    // Two spinners on two CPUs: each CPU runs one (PID 1's comm is "init").
    if (text.find("running") == std::string::npos || text.find("init") == std::string::npos)
      return failed(fmt::format("cpu {} is not shown running the probe: {}", cpu, text));
  }
  return kExitPass;
}

uint32_t total_scx(const MonitorSample& s) {
  uint32_t n = 0;
  for (const auto& c : s.cpus) n += c.scx_nr_running;
  return n;
}

int64_t oldest_wait(const MonitorSample& s) {
  int64_t w = -1;
  for (const auto& c : s.cpus) w = std::max(w, c.scx_oldest_wait_ms);
  return w;
}

void print_series(const MonitorLog& log) {
  fmt::print("t(s)    state     exit         scx_nr_running per CPU   oldest wait (ms)\n");
  for (const auto& s : log.samples) {
    std::string per_cpu;
    for (const auto& c : s.cpus) per_cpu += fmt::format("{:3}", c.scx_nr_running);
    fmt::print("{:6.2f}  {:9} {:12} {:24} {}\n", static_cast<double>(s.t_ns) / 1e9, s.scx_state, s.scx_exit_kind,
               per_cpu, oldest_wait(s));
  }
}

// What the stall run must show: while ENABLED, sched_ext's runnable count
// grows and a task waits over a second; after that sched_ext leaves ENABLED
// (the exit kind reads ERROR_STALL only between the error and the end of
// the disable, a few hundred ms under TCG, so a sample may miss it), and
// the guest's telemetry quotes the kernel's reason.
int judge_stall(const MonitorLog& log, const RunTelemetry& t) {
  std::vector<const MonitorSample*> enabled;
  for (const auto& s : log.samples)
    if (s.scx_state == "ENABLED" && s.scx_exit_kind == "NONE") enabled.push_back(&s);
  if (enabled.size() < 3) return failed(fmt::format("{} samples with sched_ext enabled", enabled.size()));
  const uint32_t first = total_scx(*enabled.front());
  uint32_t peak = 0;
  int64_t longest = -1;
  for (auto* s : enabled) {
    peak = std::max(peak, total_scx(*s));
    longest = std::max(longest, oldest_wait(*s));
  }
  fmt::print("while enabled: {} samples, sched_ext runnable {} at first, {} at the peak; longest wait {} ms\n",
             enabled.size(), first, peak, longest);
  fmt::print("guest: scheduler failed={} ({})\n", t.scheduler.failed, t.scheduler.failure);
  if (peak <= first) return failed("sched_ext's runnable tasks did not pile up while it was enabled");
  if (longest < 1000) return failed("no task waited a second while sched_ext was enabled");
  const auto after = std::find_if(log.samples.begin(), log.samples.end(), [&](const MonitorSample& s) {
    return s.t_ns > enabled.back()->t_ns && (s.scx_exit_kind == "ERROR_STALL" || s.scx_state != "ENABLED");
  });
  if (after == log.samples.end()) return failed("no sample after the pile-up shows the scheduler leaving");
  if (!t.scheduler.failed || t.scheduler.failure.find("stall") == std::string::npos)
    return failed("the guest does not report a stall ejection");
  return kExitPass;
}

// The scenario guest plus a kernel-tree scheduler from the kernel cache
// entry, as DIR/guest.cpio; nullopt (and the reason printed) when the entry
// has no such scheduler.
std::optional<Result<fs::path>> scheduler_cpio(const fs::path& kernel, const std::string& sched, const fs::path& dir) {
  const fs::path bin = kernel.parent_path() / "schedulers" / sched;
  if (!fs::exists(bin)) {
    fmt::print("skip: no {} (the kernel cache entry builds it)\n", bin.string());
    return std::nullopt;
  }
  initramfs::Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_SCENARIO_GUEST, "/init").add_binary(bin, "/bin/" + sched);
  fs::create_directories(dir);
  if (auto b = initramfs::build(spec, dir / "guest.cpio"); !b) return std::unexpected(b.error());
  return dir / "guest.cpio";
}

// ktstr-vm --test (as test vmm/monitor/NAME, thresholds JSON or none) of
// a 10 s steady scenario under `sched` with `sched_args`, on 1n1l2c1t; its
// output, printed. nullopt: the cache entry lacks the scheduler.
std::optional<Result<RunOutput>> judged_run(const fs::path& kernel, const std::string& name, const std::string& sched,
                                            const std::string& thresholds,
                                            const std::vector<std::string>& sched_args) {
  const fs::path dir = run_dir(name);
  auto cpio = scheduler_cpio(kernel, sched, dir);
  if (!cpio) return std::nullopt;
  if (!*cpio) return std::unexpected(cpio->error());
  std::vector<std::string> argv{(vmmtest::self_dir() / "ktstr-vm").string(), "--kernel", kernel.string(),
                                "--initramfs", (**cpio).string(), "--topology", "1n1l2c1t", "--timeout", "120",
                                "--out-dir", dir.string(), "--build-dir", dir.string(), "--test",
                                "vmm/monitor/" + name};
  if (!thresholds.empty()) argv.insert(argv.end(), {"--thresholds", thresholds});
  argv.insert(argv.end(), {"--", "--scenario", "steady", "--duration", "10s", "--topology", "1n1l2c1t",
                           "--scheduler", "/bin/" + sched});
  for (const auto& a : sched_args) argv.push_back("--sched-arg=" + a);
  auto r = run_capture(argv);
  if (r) fmt::print("{}\n", r->output);
  return r;
}

// scx_qmap -t 1 drops every user task's enqueue: the tasks stay queued on
// their runqueues while the CPUs run only their idle tasks (timer wakeups
// keep the clocks moving) until qmap's fixed 5 s watchdog ejects it. The
// verdict must name rq_stall with the idle CPU; the limit is set to 2 s
// because the default (5 s) equals that watchdog, which scx_qmap's loader
// cannot lengthen.
int check_rqstall(const fs::path& kernel) {
  auto run = judged_run(kernel, "rqstall", "scx_qmap", R"({"scheduler": {"max_rq_stall_ms": 2000}})", {"-t", "1"});
  if (!run) return kExitSkip;
  auto& r = *run;
  if (!r) return failed(r.error().message);
  if (r->status.code != kExitFail) return failed(fmt::format("ktstr-vm --test exited {}, not 1", r->status.code));
  const auto at = r->output.find("rq_stall cpu ");
  if (at == std::string::npos) return failed("the verdict names no rq_stall");
  const std::string line = r->output.substr(at, r->output.find('\n', at) - at);
  if (line.find("runnable tasks") == std::string::npos) return failed("the rq_stall line says no runnable tasks");
  return kExitPass;
}

// A healthy sched_ext run (scx_simple, steady) with the monitor's default
// checks: it passes, and the monitor did sample it with sched_ext enabled.
int check_healthy(const fs::path& kernel) {
  auto run = judged_run(kernel, "healthy", "scx_simple", "", {});
  if (!run) return kExitSkip;
  auto& r = *run;
  if (!r) return failed(r.error().message);
  if (r->status.code != kExitPass) return failed(fmt::format("ktstr-vm --test exited {}, not 0", r->status.code));
  // A passing run prints no paths: the sidecar is DIR/ktstr/<kernel>-<commit>/vmm_monitor_healthy.json.
  std::optional<fs::path> sidecar;
  for (const auto& e : fs::recursive_directory_iterator(run_dir("healthy") / "ktstr"))
    if (e.path().filename() == "vmm_monitor_healthy.json") sidecar = e.path();
  if (!sidecar) return failed("no sidecar vmm_monitor_healthy.json under " + (run_dir("healthy") / "ktstr").string());
  auto text = read_file(*sidecar);
  if (!text) return failed(text.error().message);
  const auto log = nlohmann::json::parse(*text).at("monitor").get<MonitorLog>();
  size_t enabled = 0, busy = 0;
  for (const auto& s : log.samples) {
    enabled += s.scx_state == "ENABLED";
    for (const auto& c : s.cpus) busy += c.nr_running > 0;
  }
  fmt::print("monitor: {} samples, {} with sched_ext enabled, {} CPU readings with runnable tasks\n",
             log.samples.size(), enabled, busy);
  if (enabled < 50 || busy < 50) return failed("the monitor did not watch the run");
  return kExitPass;
}

int check_stall(const fs::path& kernel) {
  auto cpio = scheduler_cpio(kernel, "scx_qmap", run_dir("stall"));
  if (!cpio) return kExitSkip;
  if (!*cpio) return failed(cpio->error().message);
  const fs::path dir = run_dir("stall");
  // Every 10th enqueue of a user task is dropped: each drop strands a task
  // on its runqueue until the watchdog (scx_qmap's timeout_ms, 5 s) fires.
  vmm::VmConfig cfg{.kernel = kernel, .initramfs = {**cpio}, .topology = *Topology::parse("1n1l2c1t"),
                    .timeout = std::chrono::seconds(300),
                    .guest_args = {"--scenario", "steady", "--duration", "20s", "--topology", "1n1l2c1t",
                                   "--scheduler", "/bin/scx_qmap", "--sched-arg=-t", "--sched-arg=10"},
                    .out_dir = dir, .quiet = true};
  RunTelemetry telemetry;
  auto out = vmm::run_vm(cfg, [&](proto::MsgType type, std::string_view payload) {
    if (type != proto::MsgType::kTelemetry) return;
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_discarded()) telemetry = j.get<RunTelemetry>();
  });
  if (!out) return failed(out.error().message);
  fmt::print("outcome: exit {} {}; monitor: {} samples{}\n", out->exit_code(), out->describe(),
             out->monitor.samples.size(), out->monitor.error.empty() ? "" : ", " + out->monitor.error);
  print_series(out->monitor);
  return judge_stall(out->monitor, telemetry);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return failed("usage: monitor_check hang|stall");
  auto kernel = vmmtest::find_kernel();
  if (!kernel) {
    fmt::print("skip: no kernel (set KTSTR_KERNEL to a bzImage, or run `ktstr kernel build`)\n");
    return kExitSkip;
  }
  if (args[0] == "stall") return check_stall(*kernel);
  if (args[0] == "rqstall") return check_rqstall(*kernel);
  if (args[0] == "healthy") return check_healthy(*kernel);
  auto cpio = vmmtest::probe_initramfs(KTSTR_PROBE_STATIC, false);
  if (!cpio) return failed(cpio.error().message);
  if (args[0] == "hang") return check_hang(*kernel, *cpio);
  return failed("unknown case " + args[0]);
}
