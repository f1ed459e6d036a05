// One validation-suite entry: boots the scenario guest (tests/guest) under
// one scheduler on one topology, runs a few canned scenarios in sequence in
// that one VM, and judges the telemetry on the host with the verdict library
// (always-on checks + not_starved). Prints the verdict (a summary line, or
// the full report on failure) and exits with the verdict's exit code
// (0 pass, 1 fail, 70 inconclusive, 77 skip).
//
// usage: ktstr_validate SCHEDULER TOPOLOGY [SCENARIOS] [DURATION]
//   SCHEDULER  eevdf (no sched_ext scheduler) or a kernel-tree example
//              scheduler name (scx_simple, scx_qmap, scx_central, scx_flatcg)
//   SCENARIOS  comma-separated canned scenarios (lib/guest/scenarios.hpp)
//   DURATION   per scenario, guest syntax ("3s")
//
// Kernel: $KTSTR_KERNEL (a bzImage or a directory holding one), else
// `ktstr kernel path` (never builds). Scheduler: $KTSTR_<NAME> (e.g.
// KTSTR_SCX_QMAP), else the kernel cache entry's schedulers/.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "base/exit_codes.hpp"
#include "base/process.hpp"
#include "base/temp_dir.hpp"
#include "guest/telemetry_codec.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/report.hpp"
#include "host/verdict/thresholds.hpp"
#include "initramfs/initramfs.hpp"
#include "known_defect.hpp"
#include "vmm/vm.hpp"

using namespace ktstr;
namespace fs = std::filesystem;

namespace {

// A skip is a normal outcome, not an error: one line with the reason, exit 77.
int skip(const std::string& reason) {
  fmt::print("SKIP: {}\n", reason);
  return kExitSkip;
}

// The `ktstr kernel path` entry dir, if the cache has one. `timeout` bounds
// the wait because a kernel build elsewhere holds the cache lock.
std::optional<fs::path> cache_entry() {
  fs::path cli = fs::path(KTSTR_BIN_DIR) / "ktstr";
  if (!fs::exists(cli)) return std::nullopt;
  auto out = run_capture({"timeout", "20", cli.string(), "kernel", "path"});
  if (!out || !out->status.success()) return std::nullopt;
  std::string s = out->output;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty() || !fs::exists(fs::path(s) / "bzImage")) return std::nullopt;
  return fs::path(s);
}

std::optional<fs::path> find_kernel(const std::optional<fs::path>& entry) {
  if (const char* k = std::getenv("KTSTR_KERNEL"); k && *k) {
    fs::path p = k;
    if (fs::is_directory(p)) p /= fs::exists(p / "bzImage") ? "bzImage" : "arch/x86/boot/bzImage";
    if (fs::exists(p)) return p;
  }
  if (entry) return *entry / "bzImage";
  return std::nullopt;
}

std::optional<fs::path> find_scheduler(const std::optional<fs::path>& entry, const std::string& name) {
  std::string env = "KTSTR_" + name;
  for (auto& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* s = std::getenv(env.c_str()); s && fs::exists(s)) return fs::path(s);
  if (entry && fs::exists(*entry / "schedulers" / name)) return *entry / "schedulers" / name;
  return std::nullopt;
}

// Combinations that cannot work, with the reason (checked before booting).
std::optional<std::string> unsupported(const std::string& sched, const Topology& topo) {
  // scx_central dedicates one CPU to dispatching for all others
  // (tools/sched_ext/scx_central.bpf.c: central_cpu); with fewer than two
  // CPUs nothing is left to run tasks on.
  if (sched == "scx_central" && topo.vcpus() < 2) return "scx_central needs >= 2 CPUs (one only dispatches)";
  return std::nullopt;
}

// Kernel command line for a scheduler. Kernel 6.12 calls ops.init from the
// scx_ops_enable_helper kthread (kernel/sched/ext.c: scx_ops_enable ->
// scx_ops_enable_workfn), which is unbound, while scx_central's loader pins
// only itself to the central CPU (scx_central.c) and central_init rejects any
// other CPU (scx_central.bpf.c: "init from non-central CPU"): without help,
// 1 of 3 boots attached here. nohz_full= confines unbound kthreads to the
// housekeeping CPUs (HK_TYPE_KTHREAD), so the helper runs on CPU 0, the
// central CPU; it is also the setup scx_central is written for (tickless
// worker CPUs). The kconfig fragment has CONFIG_NO_HZ_FULL for this.
std::string kernel_cmdline(const std::string& sched, const Topology& topo) {
  if (sched == "scx_central") return topo.vcpus() > 2 ? fmt::format("nohz_full=1-{}", topo.vcpus() - 1) : "nohz_full=1";
  return {};
}

// KTSTR_VALIDATE_SAVE=FILE keeps the raw telemetry (full scheduler log and
// sched_ext dump; the report shows only their tails); KTSTR_VALIDATE_SAVE_DIR=DIR
// keeps every entry's as DIR/<sched>-<topology>-<unix ns>.json (for
// distributions over many rounds).
void save_telemetry(const std::string& json, const std::string& sched, const std::string& topo) {
  std::string path;
  if (const char* f = std::getenv("KTSTR_VALIDATE_SAVE"); f && *f) path = f;
  if (const char* d = std::getenv("KTSTR_VALIDATE_SAVE_DIR"); d && *d) {
    fs::create_directories(d);
    path = (fs::path(d) / fmt::format("{}-{}-{}.json", sched, topo,
                                      std::chrono::system_clock::now().time_since_epoch().count()))
               .string();
  }
  if (path.empty()) return;
  if (std::FILE* f = std::fopen(path.c_str(), "w")) {
    std::fwrite(json.data(), 1, json.size(), f);
    std::fclose(f);
  }
}

// A known-defect entry passes only when a violation line names the defect and
// every other violation is one the defect explains (known_defect.hpp); the
// console and scheduler-log tails are never searched.
int judge_defect(const validation::KnownDefect& known, const std::string& sched, const std::string& topo,
                 const RunTelemetry& tel, const verdict::Verdict& v) {
  const std::string& defect = known.reason;
  if (known.intermittent && v.outcome == verdict::Outcome::kPass) {
    fmt::print("intermittent known defect '{}' of {} on {} did not show this run (pass)\n", defect, sched, topo);
    return kExitPass;
  }
  const auto j = validation::judge_known_defect(defect, tel, v);
  for (const auto& line : j.unexplained) fmt::print("  not explained by the known defect: {}\n", line);
  for (const auto& line : j.infra) fmt::print("  infrastructure: {}\n", line);
  if (!j.defect_line) {
    fmt::print("known defect '{}' of {} on {} did not reproduce (verdict {}): update tests/validation/known_defect.cpp\n", defect, sched,
               topo, verdict::outcome_name(v.outcome));
    return v.outcome == verdict::Outcome::kInconclusive ? kExitInfra : kExitFail;
  }
  if (!j.unexplained.empty() || !j.infra.empty()) {
    fmt::print("known defect '{}' of {} on {} reproduced, but {} other violation(s) count (above)\n", defect, sched,
               topo, j.unexplained.size() + j.infra.size());
    return j.unexplained.empty() ? kExitInfra : kExitFail;
  }
  fmt::print("KNOWN DEFECT reproduced: {} on {}: {} (see tests/validation/known_defect.cpp for the root cause)\n", sched, topo,
             *j.defect_line);
  return kExitPass;
}

int run(const std::string& sched, const std::string& topo_str, const std::string& scenarios,
        const std::string& duration) {
  auto topo = Topology::parse(topo_str);
  if (!topo) {
    fmt::print(stderr, "ktstr_validate: {}\n", topo.error().message);
    return kExitInfra;
  }
  // KTSTR_VALIDATE_ALL=1 runs the known-unsupported combinations anyway
  // (to re-measure them after a kernel or scheduler change).
  const char* all = std::getenv("KTSTR_VALIDATE_ALL");
  if (auto why = unsupported(sched, *topo); why && !(all && std::string_view(all) == "1")) return skip(*why);
  auto entry = cache_entry();
  auto kernel = find_kernel(entry);
  if (!kernel) return skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");

  initramfs::Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_SCENARIO_GUEST, "/init");
  // A/B: the scenarios play under EEVDF first, then under the scheduler
  // (for the eevdf entries that is EEVDF against itself, an A/A run).
  std::vector<std::string> args{"--scenario", scenarios, "--duration", duration, "--topology", topo_str,
                                "--baseline", "eevdf"};
  if (sched != "eevdf") {
    auto bin = find_scheduler(entry, sched);
    if (!bin) return skip(fmt::format("no {} binary: build the kernel cache entry or set KTSTR_{}", sched, sched));
    spec.add_binary(*bin, "/bin/" + sched);
    args.insert(args.end(), {"--scheduler", "/bin/" + sched});
  }
  auto tmp = TempDir::create("ktstr-validate");
  if (!tmp) return ktstr::report_failure("ktstr_validate", tmp.error().message, ktstr::kExitInfra);
  const fs::path cpio = tmp->path() / "guest.cpio";
  if (auto built = initramfs::build(spec, cpio); !built)
    return ktstr::report_failure("ktstr_validate", "initramfs: " + built.error().message, ktstr::kExitInfra);

  vmm::VmConfig cfg{.kernel = *kernel, .initramfs = {cpio}, .topology = *topo,
                    .timeout = std::chrono::seconds(900), .extra_cmdline = kernel_cmdline(sched, *topo),
                    .guest_args = args, .quiet = true};
  std::optional<std::string> telemetry;
  auto outcome = vmm::run_vm(cfg, [&](proto::MsgType t, std::string_view payload) {
    if (t == proto::MsgType::kTelemetry) telemetry = std::string(payload);
  });
  if (!outcome) return ktstr::report_failure("ktstr_validate", "vm: " + outcome.error().message, ktstr::kExitInfra);

  verdict::VmFacts facts{.panic = outcome->kind == vmm::VmOutcome::Kind::kPanic,
                         .timeout = outcome->kind == vmm::VmOutcome::Kind::kTimeout,
                         .no_result = !telemetry};
  if (outcome->kind == vmm::VmOutcome::Kind::kExited) facts.guest_exit_code = outcome->guest_exit_code;
  if (!outcome->channel_error.empty()) facts.infra_error = outcome->channel_error;
  if (telemetry) save_telemetry(*telemetry, sched, topo_str);
  RunTelemetry tel;
  if (telemetry) {
    auto decoded = guest::decode_telemetry(*telemetry);
    if (decoded) tel = std::move(*decoded);
    else facts.infra_error = "telemetry: " + decoded.error().message;
  }
  // Default limits. Every entry is an A/B run against EEVDF in the same VM
  // (--baseline eevdf above), so not_starved judges spread relative to that
  // baseline rather than against an absolute limit that, under TCG, would
  // judge the host: EEVDF alone showed 16-66 pp there.
  verdict::Thresholds th;
  th.not_starved = true;
  const auto eff = verdict::merge_layers({}, th);
  auto v = verdict::judge(tel, facts, eff);

  std::string console;
  for (const auto& l : outcome->console_tail) console += l + "\n";
  verdict::ReportContext ctx{.test = "validation/" + scenarios,
                             .scheduler = sched == "eevdf" ? "" : sched,
                             .topology = topo_str,
                             .console_tail = console,
                             .rerun_command = fmt::format("{} {} {} {} {}", KTSTR_VALIDATE_SELF, sched, topo_str,
                                                          scenarios, duration)};
  const std::string report = verdict::format_verdict(ctx, tel, v, false);
  fmt::print("{}", report);
  fmt::print("{} on {}: {} ({} workers, boot {:.1f} s, wall {:.1f} s, {}, accel {}, A/B vs eevdf: spread over "
             "baseline limit {} pp, share vs baseline limit {}%, gap limit {} ms)\n",
             sched, topo_str, verdict::outcome_name(v.outcome), tel.workers.size(), outcome->boot_seconds,
             outcome->wall_seconds, scenarios, outcome->accel,
             verdict::effective_spread_over_baseline_limit(tel, eff).value_or(0),
             verdict::effective_share_vs_baseline_limit(tel, eff).value_or(0),
             verdict::effective_gap_limit(tel, eff).value_or(0));
  if (auto known = validation::known_defect(sched, topo->str(), topo->vcpus()))
    return judge_defect(*known, sched, topo_str, tel, v);
  return verdict::exit_code(v.outcome);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: ktstr_validate SCHEDULER TOPOLOGY [SCENARIOS] [DURATION]\n");
    return 2;
  }
  return run(argv[1], argv[2], argc > 3 ? argv[3] : "steady,steady_llc,oversubscribed", argc > 4 ? argv[4] : "3s");
}
