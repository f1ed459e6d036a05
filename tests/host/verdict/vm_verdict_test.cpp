// Real boots (label vm): the scenario guest as /init of a TCG guest, its
// telemetry judged by finalize_run exactly as the launcher would, the sidecar
// replayed. Each case exits 77 with a one-line reason when no kernel (or, for
// the scheduler case, no scx_simple) is available.
//
// Kernel: $KTSTR_KERNEL (a bzImage or a directory holding one), else
// `ktstr kernel path`. scx_simple: $KTSTR_SCX_SIMPLE, else
// <kernel dir>/schedulers/scx_simple.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

fs::path require_scx_simple(const fs::path& kernel) {
  if (const char* s = std::getenv("KTSTR_SCX_SIMPLE"); s && fs::exists(s)) return s;
  if (fs::path p = kernel.parent_path() / "schedulers/scx_simple"; fs::exists(p)) return p;
  skip("no scx_simple: set KTSTR_SCX_SIMPLE");
}

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
  if (scheduler) {
    spec.add_binary(*scheduler, "/bin/scx_simple");
    args.insert(args.end(), {"--scheduler", "/bin/scx_simple"});
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
                   .scheduler = {.name = scheduler ? "scx_simple" : "", .binary = scheduler ? scheduler->string() : ""},
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
  CHECK(impossible.text.starts_with("ktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] failed:\n"));
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
