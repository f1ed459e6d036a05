// Real boots (label vm): the scenario guest program as /init of a TCG guest,
// its RunTelemetry checked from the host (vm_boot.hpp). Each case exits 77
// with a reason when no kernel (or, for scheduler cases, no scx_simple) is
// available.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <set>

#include "vm_boot.hpp"

using namespace ktstr;
using namespace ktstr::vmtest;
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> find_scx_simple(const fs::path& kernel) { return find_scheduler(kernel, "scx_simple"); }

// Sum of worker CPU time against vCPUs x step time. Workers outnumber vCPUs
// in `steady` (two per vCPU), so the CPUs are saturated; the slack (>= 60 %)
// covers PID 1, the kernel's own threads, TCG's uneven vCPU progress on a
// shared 2-core host and the first scheduling ticks after release; the top
// (<= 102 %) allows clock granularity at the step edges.
void check_cpu_sum(const RunTelemetry& t) {
  uint64_t step_ns = 0;
  for (const auto& s : t.steps) step_ns += s.end_ns - s.start_ns;
  uint64_t cpu = 0;
  for (const auto& w : t.workers) cpu += w.cpu_ns;
  double ratio = static_cast<double>(cpu) / (static_cast<double>(step_ns) * t.vcpus);
  MESSAGE(fmt::format("CPU time {:.3f} s over {} vCPUs x {:.3f} s = {:.1f} %", cpu / 1e9, t.vcpus, step_ns / 1e9,
                      ratio * 100));
  CHECK(ratio >= 0.60);
  CHECK(ratio <= 1.02);
}

// Placement runs agree with the other per-worker figures. In the last step
// (`exact`) the workers are stopped before their records are read, so the
// runs' units sum to the iterations and their CPUs are cpus_used. Earlier
// steps are read while a worker may be inside one last observation of the
// step (or halving its log, which leaves a shorter consistent prefix), so
// there the units can only fall short, or exceed by that one observation.
void check_placement(const RunTelemetry& t, bool exact) {
  uint64_t covered_us = 0, cpu_ns = 0, runs = 0, merged_us = 0;
  for (const auto& w : t.workers) {
    CAPTURE(w.cgroup);
    CAPTURE(w.worker);
    CAPTURE(w.step);
    if (w.iterations == 0) continue;
    REQUIRE(!w.placement.empty());
    CHECK(w.placement.size() <= kMaxCpuRuns);
    uint64_t units = 0;
    std::set<int> cpus;
    for (size_t i = 0; i < w.placement.size(); ++i) {
      const auto& r = w.placement[i];
      CHECK(r.end_us >= r.start_us);
      if (i > 0) CHECK(r.start_us >= w.placement[i - 1].end_us);
      units += r.units;
      cpus.insert(r.cpu);
      covered_us += r.end_us - r.start_us;
    }
    CHECK(w.placement.front().start_us * 1000 + 1000 >= w.progress_start_ns);
    // A merge across CPUs keeps one of them, so only an uncoarsened log names them all.
    for (int c : cpus) CHECK(std::find(w.cpus_used.begin(), w.cpus_used.end(), c) != w.cpus_used.end());
    if (exact) {
      CHECK(units == w.iterations);
      if (w.placement_merged_us == 0) CHECK(std::vector<int>(cpus.begin(), cpus.end()) == w.cpus_used);
    } else {
      CHECK(units <= w.iterations + 1);
    }
    cpu_ns += w.cpu_ns, runs += w.placement.size(), merged_us += w.placement_merged_us;
  }
  MESSAGE(fmt::format("placement: {} runs, {:.3f} s covered vs {:.3f} s CPU time, {:.1f} ms misattributed by coarsening",
                      runs, covered_us / 1e6, cpu_ns / 1e9, merged_us / 1e3));
}

// Milliseconds from the scheduler's start to "enabled" (for the log).
uint64_t attach_ms(const SchedulerTelemetry& s) {
  uint64_t started = 0, enabled = 0;
  for (const auto& e : s.events) {
    if (e.kind == "started") started = e.t_ns;
    if (e.kind == "enabled") enabled = e.t_ns;
  }
  return enabled > started ? (enabled - started) / 1'000'000 : 0;
}

}  // namespace

TEST_CASE("steady on 1n1l2c1t under EEVDF") {
  auto b = boot("1n1l2c1t", {"--scenario", "steady", "--duration", "3s"});
  CHECK(b.outcome.kind == vmm::VmOutcome::Kind::kExited);
  CHECK(b.outcome.guest_exit_code == 0);
  CHECK(b.tel.error == "");
  CHECK(b.tel.vcpus == 2);
  CHECK(b.tel.scheduler.name == "");
  CHECK(b.tel.workers.size() == 4);
  check_progress(b.tel);
  check_cpu_sum(b.tel);
  check_placement(b.tel, true);
}

TEST_CASE("steady on 1n2l2c2t under EEVDF") {
  auto b = boot("1n2l2c2t", {"--scenario", "steady", "--duration", "3s"});
  CHECK(b.outcome.guest_exit_code == 0);
  CHECK(b.tel.error == "");
  CHECK(b.tel.topology == "1n2l2c2t");
  CHECK(b.tel.vcpus == 8);
  CHECK(b.tel.workers.size() == 16);
  check_progress(b.tel);
  check_cpu_sum(b.tel);
  check_placement(b.tel, true);
}

TEST_CASE("an llc:0 cpuset keeps workers on LLC 0") {
  auto b = boot("1n2l2c1t", {"--scenario", "steady", "--duration", "2s", "--cpuset", "llc:0"});
  CHECK(b.tel.error == "");
  check_progress(b.tel);
  for (const auto& w : b.tel.workers) {
    CAPTURE(w.pid);
    CHECK(w.cpuset == std::vector<int>{0, 1});
    for (int c : w.cpus_used) CHECK(c <= 1);
  }
}

TEST_CASE("a declared topology the guest does not have is an infrastructure error") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  // Boot 1n1l2c1t but declare 1n1l1c1t to the guest runtime: it must refuse.
  auto b = boot("1n1l2c1t", {"--scenario", "steady", "--duration", "1s"}, std::nullopt, "1n1l1c1t");
  CHECK(b.outcome.guest_exit_code == 70);
  CHECK(b.tel.error.find("topology mismatch: declared 1n1l1c1t, guest sees 1n1l2c1t") != std::string::npos);
  CHECK(b.tel.workers.empty());
}

TEST_CASE("an uneven shape with a memoryless node passes the guest's topology check and llc:1 is the small LLC") {
  // Node 0: LLC 0 = CPUs 0-2, with RAM; node 1: LLC 1 = CPU 3, no RAM.
  auto b = boot("2n2l3_1c1t1_0m", {"--scenario", "steady", "--duration", "1s", "--cpuset", "llc:1"});
  CHECK(b.outcome.guest_exit_code == 0);
  CHECK(b.tel.error == "");
  CHECK(b.tel.topology == "2n2l3_1c1t1_0m");
  CHECK(b.tel.vcpus == 4);
  check_progress(b.tel);
  for (const auto& w : b.tel.workers) {
    CAPTURE(w.pid);
    CHECK(w.cpuset == std::vector<int>{3});
    CHECK(w.cpus_used == std::vector<int>{3});
  }
}

TEST_CASE("a memoryless node the guest does not have is an infrastructure error") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto b = boot("2n2l2c1t", {"--scenario", "steady", "--duration", "1s"}, std::nullopt, "2n2l2c1t1_0m");
  CHECK(b.outcome.guest_exit_code == 70);
  CHECK(b.tel.error.find("topology mismatch: declared 2n2l2c1t1_0m, node 1: guest has memory, declared memoryless") !=
        std::string::npos);
  CHECK(b.tel.workers.empty());
}

namespace {

// `steady` under the kernel entry's scx_simple on `topology`: attached as
// "simple", not failed, exit 0, every worker progressed.
Boot steady_under_scx_simple(const std::string& topology, const std::string& duration) {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scx_simple(*kernel);
  if (!sched) skip("no scx_simple: set KTSTR_SCX_SIMPLE");
  auto b = boot(topology, {"--scenario", "steady", "--duration", duration}, sched);
  CHECK(b.tel.error == "");
  CHECK(b.tel.topology == topology);
  CHECK(b.tel.scheduler.attached);
  CHECK(b.tel.scheduler.ops_name == "simple");
  CHECK(!b.tel.scheduler.failed);
  CHECK(b.outcome.guest_exit_code == 0);
  check_progress(b.tel);
  return b;
}

}  // namespace

TEST_CASE("scx_simple attaches and telemetry arrives") {
  auto b = steady_under_scx_simple("1n1l2c1t", "3s");
  MESSAGE(fmt::format("scx_simple enabled {} ms after start", attach_ms(b.tel.scheduler)));
}

TEST_CASE("scx_simple runs on uneven LLCs with a memoryless node") {
  // A BPF scheduler allocating per node or per LLC meets a node without RAM
  // and an LLC of one CPU here; it must attach and keep every worker running.
  steady_under_scx_simple("2n2l3_1c1t1_0m", "2s");
}

// The two phases of an A/B run line up: same steps, same cgroups, every
// worker measured in both, the baseline entirely before the scheduler phase.
void check_phases_line_up(const RunTelemetry& t) {
  REQUIRE(t.baseline);
  const auto& b = *t.baseline;
  REQUIRE(b.steps.size() == t.steps.size());
  for (size_t i = 0; i < b.steps.size(); ++i) {
    CHECK(b.steps[i].index == t.steps[i].index);
    CHECK(b.steps[i].name == t.steps[i].name);
    CHECK(b.steps[i].end_ns <= t.steps[i].start_ns);
  }
  CHECK(b.end_ns <= t.steps.front().start_ns);
  CHECK(b.workers.size() == t.workers.size());
  std::set<std::pair<std::string, int>> base_cells, sched_cells;
  for (const auto& c : b.cgroups) base_cells.insert({c.name, c.step});
  for (const auto& c : t.cgroups) sched_cells.insert({c.name, c.step});
  CHECK(base_cells == sched_cells);
  RunTelemetry base_only{.vcpus = t.vcpus, .steps = b.steps, .workers = b.workers};
  check_progress(base_only);
}

TEST_CASE("A/B: steady and steady_llc under EEVDF, then under scx_simple, in one boot") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scx_simple(*kernel);
  if (!sched) skip("no scx_simple: set KTSTR_SCX_SIMPLE");
  auto b = boot("1n1l2c1t", {"--scenario", "steady,steady_llc", "--duration", "2s", "--baseline", "eevdf"}, sched);
  CHECK(b.tel.error == "");
  CHECK(b.outcome.guest_exit_code == 0);
  check_phases_line_up(b.tel);
  CHECK(b.tel.baseline->name == "eevdf");
  CHECK(b.tel.baseline->scheduler.name.empty());
  CHECK(b.tel.steps.size() == 2);
  // The scheduler attached once, after the baseline phase ended.
  CHECK(b.tel.scheduler.attached);
  CHECK(b.tel.scheduler.ops_name == "simple");
  uint64_t enabled = 0;
  int enables = 0;
  for (const auto& e : b.tel.scheduler.events)
    if (e.kind == "enabled") enabled = e.t_ns, ++enables;
  CHECK(enables == 1);
  CHECK(enabled >= b.tel.baseline->end_ns);
  CHECK(enabled <= b.tel.steps.front().start_ns);
  check_progress(b.tel);
}

TEST_CASE("A/B with a sched_ext baseline: scx_simple detaches and EEVDF runs the second phase") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scx_simple(*kernel);
  if (!sched) skip("no scx_simple: set KTSTR_SCX_SIMPLE");
  auto b = boot("1n1l2c1t", {"--scenario", "steady", "--duration", "2s"}, std::nullopt, "", 600, sched);
  CHECK(b.tel.error == "");
  CHECK(b.outcome.guest_exit_code == 0);
  check_phases_line_up(b.tel);
  CHECK(b.tel.baseline->name == "scx_simple");
  CHECK(b.tel.baseline->scheduler.attached);
  CHECK_FALSE(b.tel.baseline->scheduler.failed);
  CHECK(b.tel.baseline->scheduler.ops_name == "simple");
  CHECK(b.tel.scheduler.name.empty());  // the second phase ran under EEVDF
  CHECK(b.tel.scheduler.events.empty());
  check_progress(b.tel);
}

TEST_CASE("kill -9 of scx_simple mid-run is reported as scheduler death with the kernel's reason") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scx_simple(*kernel);
  if (!sched) skip("no scx_simple: set KTSTR_SCX_SIMPLE");
  auto b = boot("1n1l2c1t", {"--scenario", "scheduler_kill", "--duration", "4s"}, sched);
  const auto& s = b.tel.scheduler;
  INFO("failure: ", s.failure, "\nlog:\n", s.log_tail);
  CHECK(b.tel.error == "");
  CHECK(s.attached);
  CHECK(s.failed);
  CHECK(b.outcome.guest_exit_code == 1);
  // Told apart from an ejection and from a clean exit: killed by the signal,
  // and the kernel's orderly unregistration that follows.
  CHECK(s.failure.starts_with("killed by signal 9"));
  CHECK(s.failure.find("sched_ext: BPF scheduler \"simple\" disabled (unregistered from user space)") !=
        std::string::npos);
  const SchedEvent* killed = nullptr;    // the test's kill op
  const SchedEvent* detected = nullptr;  // the first report of the scheduler's end
  const SchedEvent* died = nullptr;      // the process's end, as a signal death
  for (const auto& e : s.events) {
    if (e.kind == "kill") killed = &e;
    if ((e.kind == "killed" || e.kind == "ejected" || e.kind == "exited") && !detected) detected = &e;
    if (e.kind == "killed" && !died) died = &e;
  }
  REQUIRE(killed);
  REQUIRE(detected);
  REQUIRE(died);
  MESSAGE(fmt::format("reported {} ms after the kill ({}), death seen after {} ms: {}",
                      (detected->t_ns - killed->t_ns) / 1'000'000, detected->kind,
                      (died->t_ns - killed->t_ns) / 1'000'000, s.failure));
  CHECK(detected->t_ns - killed->t_ns < 1'000'000'000ull);
  CHECK(died->t_ns - killed->t_ns < 1'500'000'000ull);
  // Events were streamed live too, in the same order.
  REQUIRE(b.sched_events.size() == s.events.size());
  for (size_t i = 0; i < s.events.size(); ++i)
    CHECK(nlohmann::json::parse(b.sched_events[i]).get<SchedEvent>().kind == s.events[i].kind);
  MESSAGE(fmt::format("SysRq-D dump after the failure: {} bytes", s.dump.size()));
  // The run ended early: the second step is cut short.
  REQUIRE(b.tel.steps.size() == 2);
  CHECK(b.tel.steps[1].end_ns - b.tel.steps[1].start_ns < 1'500'000'000ull);
}

TEST_CASE("every canned scenario runs under EEVDF") {
  std::string all;
  for (const char* n : {"steady_llc", "oversubscribed", "cpuset_change", "cgroup_churn", "mixed", "nested_weights",
                        "pingpong", "spawn_kill"})
    all += (all.empty() ? "" : ",") + std::string(n);
  auto b = boot("1n2l1c1t", {"--scenario", all, "--duration", "1s"});
  CHECK(b.tel.error == "");
  CHECK(b.outcome.guest_exit_code == 0);
  check_progress(b.tel);
  std::set<std::string> names;
  for (const auto& s : b.tel.steps) names.insert(s.name);
  CHECK(names.count("pingpong"));
  CHECK(names.count("churn3"));
  for (const auto& w : b.tel.workers)
    if (w.work_type.starts_with("pingpong")) CHECK(!w.wake_latency_ns.empty());
  check_placement(b.tel, false);
  // cpuset_change: the narrow group is confined to CPU 0 in its first and last step.
  for (const auto& w : b.tel.workers)
    if (w.cgroup == "narrow" && w.cpuset == std::vector<int>{0})
      for (int c : w.cpus_used) CHECK(c == 0);
}

TEST_CASE("SCHED_EXT workers under a partial scx_qmap") {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scheduler(*kernel, "scx_qmap");
  if (!sched) skip("no scx_qmap: set KTSTR_SCX_QMAP");
  // -p: scx_qmap switches only tasks whose policy is SCHED_EXT (partial mode);
  // the workers ask for it, everything else stays on EEVDF.
  auto b = boot("1n1l2c1t", {"--scenario", "steady", "--duration", "3s", "--policy", "ext", "--sched-arg", "-p"}, sched);
  INFO("scheduler log:\n", b.tel.scheduler.log_tail);
  CHECK(b.tel.error == "");
  CHECK(b.tel.scheduler.attached);
  CHECK(b.tel.scheduler.ops_name == "qmap");
  MESSAGE(fmt::format("scx_qmap enabled {} ms after start", attach_ms(b.tel.scheduler)));
  CHECK(!b.tel.scheduler.failed);
  for (const auto& w : b.tel.workers) CHECK(w.policy == "ext");
  check_progress(b.tel);
}
