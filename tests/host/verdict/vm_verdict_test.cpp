// Real boots (label vm): the scenario guest as /init of a TCG guest, its
// telemetry judged by finalize_run exactly as the launcher would, the sidecar
// replayed. Each case exits 77 with a one-line reason when no kernel (or, for
// the scheduler cases, no scx_simple / scx_flatcg) is available.
//
// Kernel: $KTSTR_KERNEL (a bzImage or a directory holding one), else
// `ktstr kernel path`. A kernel-tree scheduler NAME: $KTSTR_<NAME> (upper
// case, e.g. KTSTR_SCX_SIMPLE), else <kernel dir>/schedulers/NAME.
#include <doctest/doctest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/ranges.h>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "fixtures.hpp"
#include "guest/telemetry_codec.hpp"
#include "host/trace/trace_check.hpp"
#include "host/verdict/finalize.hpp"
#include "host/verdict/replay.hpp"
#include "host/verdict/weight_shares.hpp"
#include "initramfs/initramfs.hpp"
#include "vmm/vm.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void skip(const std::string& why) {
  fmt::print("SKIP: {}\n", why);
  std::fflush(stdout);
  std::_Exit(kExitSkip);
}

fs::path require_kernel() {
  if (const char* k = std::getenv("KTSTR_KERNEL"); k && *k) {
    fs::path p = k;
    if (fs::is_directory(p)) p /= fs::exists(p / "bzImage") ? "bzImage" : "arch/x86/boot/bzImage";
    if (fs::exists(p)) return p;
  }
  if (auto out = run_capture({KTSTR_BIN, "kernel", "path"}); out && out->status.success()) {
    std::string s = out->output;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    fs::path p = s;
    if (fs::is_directory(p)) p /= "bzImage";
    if (!s.empty() && fs::exists(p)) return p;
  }
  skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
}

fs::path require_scheduler(const fs::path& kernel, const std::string& name) {
  std::string var = "KTSTR_" + name;
  for (auto& c : var) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* s = std::getenv(var.c_str()); s && fs::exists(s)) return s;
  if (fs::path p = kernel.parent_path() / "schedulers" / name; fs::exists(p)) return p;
  skip(fmt::format("no {}: set {}", name, var));
}

fs::path require_scx_simple(const fs::path& kernel) { return require_scheduler(kernel, "scx_simple"); }

// What the host saw of the VM, in the verdict's terms.
VmFacts facts_of(const vmm::VmOutcome& o, bool have_telemetry) {
  VmFacts f;
  using K = vmm::VmOutcome::Kind;
  f.panic = o.kind == K::kPanic;
  f.timeout = o.kind == K::kTimeout;
  if (o.kind == K::kExited) f.guest_exit_code = o.guest_exit_code;
  if (o.kind == K::kInterrupted) f.infra_error = fmt::format("launcher interrupted by signal {}", o.stop_signal);
  if (!o.channel_error.empty()) f.infra_error = "results channel: " + o.channel_error;
  f.no_result = !have_telemetry;
  return f;
}

// Boots the scenario guest and turns the run into a RunRecord under build_dir.
RunRecord boot_and_record(const fs::path& build_dir, const std::string& variant, const std::string& topology,
                          std::vector<std::string> args, const std::optional<fs::path>& scheduler = {}) {
  auto kernel = require_kernel();
  auto work = testing::temp_dir();
  initramfs::Spec spec;
  spec.add_default_dirs().add_binary(KTSTR_SCENARIO_GUEST, "/init");
  const std::string sched_name = scheduler ? scheduler->filename().string() : "";
  if (scheduler) {
    spec.add_binary(*scheduler, "/bin/" + sched_name);
    args.insert(args.end(), {"--scheduler", "/bin/" + sched_name});
  }
  const fs::path cpio = work.path() / "guest.cpio";
  auto built = initramfs::build(spec, cpio);
  REQUIRE_MESSAGE(built, (built ? "" : built.error().message));
  args.insert(args.end(), {"--topology", topology});
  const fs::path out_dir = build_dir / "vm";
  vmm::VmConfig cfg{.kernel = kernel, .initramfs = {cpio}, .topology = *Topology::parse(topology),
                    .timeout = std::chrono::seconds(600), .guest_args = args, .out_dir = out_dir, .quiet = true};
  std::optional<std::string> telemetry;
  auto outcome = vmm::run_vm(cfg, [&](proto::MsgType t, std::string_view payload) {
    if (t == proto::MsgType::kTelemetry) telemetry = std::string(payload);
  });
  REQUIRE_MESSAGE(outcome, (outcome ? "" : outcome.error().message));
  INFO("vm: ", outcome->describe());
  REQUIRE(telemetry);
  auto tel = guest::decode_telemetry(*telemetry);
  REQUIRE(tel);
  MESSAGE(fmt::format("{} {}: boot {:.1f} s, wall {:.1f} s, {} workers", variant, fmt::join(args, " "),
                      outcome->boot_seconds, outcome->wall_seconds, tel->workers.size()));
  return RunRecord{.build_dir = build_dir,
                   .test = variant.substr(0, variant.find('/')),
                   .variant = variant,
                   .topology = topology,
                   .project_commit = "vmtest",
                   .kernel = {.key = kernel.parent_path().filename().string(), .version = "6.12"},
                   .scheduler = {.name = sched_name, .binary = scheduler ? scheduler->string() : ""},
                   .facts = facts_of(*outcome, true),
                   .telemetry = std::move(*tel),
                   .timings = {.boot_s = outcome->boot_seconds, .total_s = outcome->wall_seconds},
                   .console_log = outcome->console_log_path,
                   .console_tail = fmt::format("{}", fmt::join(outcome->console_tail, "\n")),
                   .rerun_command = fmt::format("ctest -R '{}'", variant)};
}

// The timeline finalize_run wrote for a real run: a trace that validates
// against the trace-event format with one track per vCPU, and a picture;
// their sizes and the telemetry frame's cost of the placement runs.
void check_timeline(const Finalized& f, const RunTelemetry& t) {
  REQUIRE(f.timeline_error.empty());
  auto text = read_file(f.timeline.trace);
  REQUIRE(text);
  const auto doc = nlohmann::json::parse(*text);
  const auto problems = trace::check_trace(doc);
  INFO(fmt::format("{}", fmt::join(problems, "\n")));
  CHECK(problems.empty());
  std::set<int> vcpu_tracks;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e["pid"] == 1) vcpu_tracks.insert(e["tid"].get<int>());
  CHECK(vcpu_tracks == std::set<int>{1, 2});  // vCPU 0 and 1
  auto svg = read_file(f.timeline.svg);
  REQUIRE(svg);
  CHECK(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  // The frame as sent, and as it would be without the placement fields.
  nlohmann::json before = t;
  size_t runs = 0;
  for (auto& w : before["workers"]) {
    runs += w["placement"].size();
    for (const char* key : {"placement", "placement_merged_us", "progress_start_ns"}) w.erase(key);
  }
  const auto frame = guest::encode_telemetry(t);
  REQUIRE(frame);
  MESSAGE(fmt::format("timeline of {} workers, {} placement runs: trace {} bytes, svg {} bytes; telemetry frame {} "
                      "bytes, {} without placement",
                      t.workers.size(), runs, text->size(), svg->size(), frame->size(), before.dump().size()));
}

}  // namespace

TEST_CASE("steady under EEVDF: passes by default, fails an impossible min_iteration_rate, replay re-passes") {
  auto build = testing::temp_dir();
  auto rec = boot_and_record(build.path(), "steady/1n1l2c1t", "1n1l2c1t", {"--scenario", "steady", "--duration", "3s"});

  auto healthy = finalize_run(rec);
  INFO(healthy.text);
  CHECK(healthy.exit_code == kExitPass);
  CHECK(healthy.text.starts_with("ktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] passed:"));
  MESSAGE(healthy.text);
  check_timeline(healthy, rec.telemetry);

  rec.test_thresholds.min_iteration_rate = 1e15;  // no worker can do 10^15 iterations a second
  auto impossible = finalize_run(rec);
  INFO(impossible.text);
  CHECK(impossible.exit_code == kExitFail);
  // The cause first (BUG SUMMARY), then the full report.
  CHECK(impossible.text.starts_with("BUG SUMMARY: min_iteration_rate "));
  CHECK(impossible.text.find("\nktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] failed:\n") !=
        std::string::npos);
  size_t lines = 0;
  for (const auto& w : rec.telemetry.workers) {
    auto line = fmt::format("  min_iteration_rate {}/w{} step {}: observed ", w.cgroup, w.worker, w.step);
    CHECK_MESSAGE(impossible.text.find(line) != std::string::npos, line);
    lines += impossible.text.find(line) != std::string::npos;
  }
  CHECK(lines == rec.telemetry.workers.size());
  CHECK(impossible.text.find("limit 1000000000000000 iter/s") != std::string::npos);
  REQUIRE(impossible.sidecar_error.empty());
  // The failure report names the picture, which is on disk.
  CHECK(impossible.text.find("\ntimeline: " + impossible.timeline.svg.string() + " (trace for ui.perfetto.dev: ") !=
        std::string::npos);
  CHECK(fs::file_size(impossible.timeline.svg) > 0);

  // Replay through the real CLI: recorded thresholds fail, a sane one passes.
  auto again = run_capture({KTSTR_BIN, "replay", impossible.sidecar.string()});
  REQUIRE(again);
  CHECK(again->status.code == kExitFail);
  auto sane = run_capture({KTSTR_BIN, "replay", impossible.sidecar.string(), "--set", "min_iteration_rate=1"});
  REQUIRE(sane);
  INFO(sane->output);
  CHECK(sane->status.code == kExitPass);
  CHECK(sane->output.find("passed:") != std::string::npos);
}

TEST_CASE("scx_simple killed mid-run fails with the scheduler's failure reason") {
  auto kernel = require_kernel();
  auto sched = require_scx_simple(kernel);
  auto build = testing::temp_dir();
  auto rec = boot_and_record(build.path(), "scheduler_kill/1n1l2c1t", "1n1l2c1t",
                             {"--scenario", "scheduler_kill", "--duration", "4s"}, sched);
  auto f = finalize_run(rec);
  MESSAGE(f.text);
  CHECK(f.exit_code == kExitFail);
  // The first line names the cause: the scheduler killed by the signal, with the kernel's line.
  CHECK(f.text.starts_with("BUG SUMMARY: scheduler scx_simple: killed by signal 9"));
  CHECK(f.text.find("\nktstr_test 'scheduler_kill/1n1l2c1t' [sched=scx_simple] [topo=1n1l2c1t] failed:\n") !=
        std::string::npos);
  // The violation line carries the kernel's sched_ext exit reason.
  auto line_start = f.text.find("\n  scheduler scx_simple: ");
  REQUIRE(line_start != std::string::npos);
  auto line = f.text.substr(line_start + 1, f.text.find('\n', line_start + 1) - line_start - 1);
  CHECK(line.starts_with("  scheduler scx_simple: killed by signal 9 (Killed): "));
  CHECK(line.find("disabled (unregistered from user space)") != std::string::npos);
  CHECK(f.text.find("scheduler kill: signal 9 sent by the test") != std::string::npos);  // timeline shows the kill op
}

TEST_CASE("A/B EEVDF -> scx_simple: both phases in the sidecar and the report, relative checks pass, replay re-judges") {
  auto kernel = require_kernel();
  auto sched = require_scx_simple(kernel);
  auto build = testing::temp_dir();
  auto rec = boot_and_record(build.path(), "steady_ab/1n1l2c1t", "1n1l2c1t",
                             {"--scenario", "steady", "--duration", "3s", "--baseline", "eevdf"}, sched);
  REQUIRE(rec.telemetry.baseline);
  rec.verbose = true;
  auto f = finalize_run(rec);
  MESSAGE(f.text);
  CHECK(f.exit_code == kExitPass);
  CHECK(f.text.find("--- A/B: baseline eevdf | scheduler scx_simple ---") != std::string::npos);
  CHECK(f.text.find("ktstr.ab.min_share_vs_baseline_pct") != std::string::npos);
  REQUIRE(f.sidecar_error.empty());
  auto side = read_sidecar(f.sidecar);
  REQUIRE(side);
  REQUIRE(side->telemetry.baseline);
  CHECK(side->telemetry.baseline->workers.size() == rec.telemetry.baseline->workers.size());
  // The timeline draws both phases: the baseline's step by name, and every
  // worker of either phase was seen running somewhere (placement runs).
  check_timeline(f, rec.telemetry);
  auto svg = read_file(f.timeline.svg);
  REQUIRE(svg);
  CHECK(svg->find("steady under eevdf") != std::string::npos);
  for (const auto* phase : {&rec.telemetry.workers, &rec.telemetry.baseline->workers})
    for (const auto& w : *phase) CHECK_FALSE(w.placement.empty());

  // Replay judges the recorded phases again: an impossible relative limit fails.
  auto strict = run_capture({KTSTR_BIN, "replay", f.sidecar.string(), "--set", "min_rate_vs_baseline_pct=1000"});
  REQUIRE(strict);
  INFO(strict->output);
  CHECK(strict->status.code == kExitFail);
  CHECK(strict->output.find("min_rate_vs_baseline_pct cg0 step 0: observed") != std::string::npos);
  CHECK(strict->output.find("--- A/B: baseline eevdf") != std::string::npos);
}

namespace {

// nested_weights (parent/light 100 vs parent/heavy 400 beside other, then
// light reweighted to 800) with a snapshot every quarter of each step.
RunRecord nested_weights(const fs::path& build_dir, const std::optional<fs::path>& scheduler = {}) {
  auto rec = boot_and_record(build_dir, "nested_weights/1n1l2c1t", "1n1l2c1t",
                             {"--scenario", "nested_weights", "--duration", "4s", "--snapshots", "4"}, scheduler);
  // The weight check with its default limit, and the reweight seen over
  // time: once light weighs 800 against heavy's 400 (and parent 100 against
  // other's 100), heavy is entitled to 1/3 x 1/2 of the CPU time; within
  // 500 ms of the step's start each interval's share must be 16.7 % +-40 %.
  // Cumulative iterations never fall, in any cgroup.
  rec.test_thresholds.cgroup_weights = true;
  rec.test_thresholds.temporal = nlohmann::json::parse(R"([
      {"kind": "converges", "of": "share", "metric": "cpu_ns", "cgroup": "parent/heavy", "step": "reweighted",
       "value": 16.7, "tolerance_pct": 40, "window_ms": 500},
      {"kind": "nondecreasing", "of": "value"}])").get<TemporalAssertions>();
  return rec;
}

// Every sibling's share against its entitlement, for the log (the figures
// behind the default limit).
std::string weight_figures(const RunTelemetry& t) {
  std::string out;
  for (const auto& set : sibling_shares(t))
    for (const auto& m : set.members)
      out += fmt::format("  step {} {}: share {:.1f}% entitled {:.1f}% error {:.1f} pp\n", set.step, m.cgroup,
                         m.share_pct, m.entitled_pct, std::fabs(m.share_pct - m.entitled_pct));
  return out;
}

// The snapshots of a nested_weights run with --snapshots 4: one as the
// first step starts, then four per step, each inside its step's window, and
// every worker's counters never falling from one snapshot to the next.
void check_snapshots(const RunTelemetry& t) {
  REQUIRE(t.steps.size() == 2);
  REQUIRE(t.snapshots.size() == 9);
  CHECK(t.snapshots_dropped == 0);
  CHECK(t.snapshots[0].name == "weighted@0/4");
  CHECK(t.snapshots[4].name == "weighted@4/4");
  CHECK(t.snapshots[8].name == "reweighted@4/4");
  std::map<int, WorkerSample> last;
  for (const auto& s : t.snapshots) {
    const auto& step = t.steps.at(static_cast<size_t>(s.step));
    CHECK(s.t_ns >= step.start_ns);
    CHECK(s.t_ns + s.read_ns <= step.end_ns);
    CHECK(s.workers.size() == 6);  // two spinners in each of light, heavy and other
    for (const auto& w : s.workers) {
      if (auto it = last.find(w.pid); it != last.end()) {
        CHECK(w.iterations >= it->second.iterations);
        CHECK(w.cpu_ns >= it->second.cpu_ns);
      }
      last[w.pid] = w;
    }
  }
  for (const auto& [pid, w] : last) CHECK(w.iterations > 0);
  MESSAGE(fmt::format("snapshot reads took {} .. {} us", t.snapshots.front().read_ns / 1000,
                      t.snapshots.back().read_ns / 1000));
}

struct Judged {
  RunRecord rec;
  Finalized f;
};

// nested_weights under the kernel-tree scheduler `name` (skips without it),
// judged; the weight figures and the report go to the log.
Judged judged_under(const std::string& name) {
  auto kernel = require_kernel();
  auto sched = require_scheduler(kernel, name);
  auto build = testing::temp_dir();
  Judged j{.rec = nested_weights(build.path(), sched)};
  MESSAGE(name << " weight errors:\n" << weight_figures(j.rec.telemetry));
  j.f = finalize_run(j.rec);
  MESSAGE(j.f.text);
  return j;
}

}  // namespace

TEST_CASE("nested_weights under EEVDF: CPU time follows the weights, snapshots series pass, replay re-judges") {
  auto build = testing::temp_dir();
  auto rec = nested_weights(build.path());
  check_snapshots(rec.telemetry);
  MESSAGE("EEVDF weight errors:\n" << weight_figures(rec.telemetry));
  auto f = finalize_run(rec);
  INFO(f.text);
  CHECK(f.exit_code == kExitPass);
  REQUIRE(f.sidecar_error.empty());

  // Replay from the sidecar alone: an impossible limit fails every sibling,
  // a target heavy cannot reach breaks the series at a named snapshot.
  auto strict = run_capture({KTSTR_BIN, "replay", f.sidecar.string(), "--set", "max_weight_error_pct=0"});
  REQUIRE(strict);
  INFO(strict->output);
  CHECK(strict->status.code == kExitFail);
  for (const char* cg : {"other step 0", "parent step 0", "parent/light step 0", "parent/heavy step 1"})
    CHECK(strict->output.find(fmt::format("cgroup_weights {}: observed", cg)) != std::string::npos);
  auto moved = run_capture({KTSTR_BIN, "replay", f.sidecar.string(), "--set",
                            R"(temporal=[{"kind":"converges","of":"share","metric":"cpu_ns","cgroup":"parent/heavy",)"
                            R"("step":"reweighted","value":50,"tolerance_pct":10,"window_ms":500}])"});
  REQUIRE(moved);
  INFO(moved->output);
  CHECK(moved->status.code == kExitFail);
  CHECK(moved->output.find("temporal parent/heavy step 1: observed") != std::string::npos);
  CHECK(moved->output.find("broke at snapshot 'reweighted@") != std::string::npos);
}

TEST_CASE("nested_weights under scx_simple: the weight check and the series name the cgroups that ignore weights") {
  auto [rec, f] = judged_under("scx_simple");
  CHECK(f.exit_code == kExitFail);
  // scx_simple gives every task the same share: light and heavy get half of
  // parent's time each (entitled 20/80, then 67/33), and parent with four
  // spinners twice other's two (entitled 50/50).
  for (const char* line : {"cgroup_weights parent/light step 0: observed", "cgroup_weights parent/heavy step 0: observed",
                           "cgroup_weights parent step 0: observed", "cgroup_weights other step 0: observed"})
    CHECK_MESSAGE(f.text.find(line) != std::string::npos, line);
  CHECK(f.text.find("CPU used by the children of parent vs entitled 80.0% (weight 400 of 500)") != std::string::npos);
  CHECK(f.text.find("temporal parent/heavy step 1: observed") != std::string::npos);
  CHECK(f.text.find("broke at snapshot 'reweighted@") != std::string::npos);
}

TEST_CASE("nested_weights under scx_flatcg: CPU time follows the flattened weights") {
  auto [rec, f] = judged_under("scx_flatcg");
  CHECK(f.exit_code == kExitPass);
  CHECK(rec.telemetry.scheduler.attached);
}
