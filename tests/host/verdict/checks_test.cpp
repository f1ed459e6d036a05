// Every check at its boundary, on both sides. Limits are inclusive: a value
// equal to its limit passes.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "host/verdict/checks.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
constexpr uint64_t kWall = 1ull << 30;  // powers of two keep off-CPU % exact
const VmFacts kClean{};

// Two workers of cg0 in step 0 with the given CPU fractions of kWall.
RunTelemetry two_workers(uint64_t cpu_a, uint64_t cpu_b) {
  auto t = healthy_run();
  t.workers = {make_worker("cg0", 0, 0, 1000, kWall, cpu_a), make_worker("cg0", 1, 0, 1000, kWall, cpu_b)};
  return t;
}
}  // namespace

TEST_CASE("a healthy run violates nothing, even with not_starved on") {
  auto t = healthy_run();
  Thresholds all{.not_starved = true, .min_iteration_rate = 1000.0, .max_migration_ratio = 10.0,
                 .isolation = true, .max_p99_wake_us = 1.0, .max_throughput_cv = 0.0};
  for (const auto& c : all_checks()) CHECK_MESSAGE(c.fn(t, kClean, all).empty(), c.name);
}

TEST_CASE("spread: explicit limit at the boundary") {
  auto t = two_workers(kWall / 2, kWall / 4);  // off-CPU 50% and 75%: spread 25 pp
  CHECK(check_spread(t, kClean, {.max_spread_pct = 25.0}).empty());
  auto v = check_spread(t, kClean, {.max_spread_pct = 24.999});
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg0 step 0");
  CHECK(*v[0].observed == 25.0);
  CHECK(*v[0].threshold == 24.999);
  CHECK(v[0].detail == "off-CPU w0 50.0% vs w1 75.0%");
  CHECK(check_spread(t, kClean, {}).empty());  // off unless asked for
}

TEST_CASE("spread: not_starved defaults 15 pp, 35 pp on debug kernels") {
  auto t = two_workers(kWall / 2, kWall / 4);  // 25 pp
  Thresholds ns{.not_starved = true};
  CHECK(check_spread(t, kClean, ns).size() == 1);
  t.debug_kernel = true;
  CHECK(check_spread(t, kClean, ns).empty());
  auto tight = two_workers(kWall / 2, kWall / 2 - kWall / 8);  // 50% vs 62.5%: 12.5 pp
  CHECK(check_spread(tight, kClean, ns).empty());
  CHECK(*effective_spread_limit(tight, ns) == kDefaultSpreadPct);
  tight.debug_kernel = true;
  CHECK(*effective_spread_limit(tight, ns) == kDefaultSpreadPctDebug);
  // An explicit limit beats the not_starved default.
  CHECK(*effective_spread_limit(tight, {.not_starved = true, .max_spread_pct = 1.0}) == 1.0);
}

TEST_CASE("spread: one worker, an empty cgroup and unmeasured workers never violate") {
  auto t = healthy_run();
  t.workers.resize(1);
  t.cgroups.push_back(CgroupTelemetry{.name = "empty", .step = 0});
  CHECK(check_spread(t, kClean, {.max_spread_pct = 0.0}).empty());
  auto unmeasured = two_workers(kWall, 0);
  unmeasured.workers[1].wall_ns = 0;
  CHECK(check_spread(unmeasured, kClean, {.max_spread_pct = 0.0}).empty());
}

TEST_CASE("spread is per cgroup and per step") {
  auto t = healthy_run();
  // Same off-CPU within each group, very different across groups and steps.
  t.workers = {make_worker("a", 0, 0, 1, kWall, kWall), make_worker("b", 0, 0, 1, kWall, 0),
               make_worker("a", 0, 1, 1, kWall, 0)};
  CHECK(check_spread(t, kClean, {.max_spread_pct = 0.0}).empty());
}

TEST_CASE("gap: boundary, defaults and debug") {
  auto t = healthy_run();
  t.workers[1].max_gap_ns = 2'000'000'000;  // exactly 2000 ms
  t.workers[1].max_gap_at_ns = 1'500'000'000;
  Thresholds ns{.not_starved = true};
  CHECK(check_gap(t, kClean, ns).empty());
  t.workers[1].max_gap_ns += 1;
  auto v = check_gap(t, kClean, ns);
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg0/w1 step 0");
  CHECK(*v[0].threshold == 2000.0);
  CHECK(v[0].detail == "ended 1.500 s into the step");
  t.debug_kernel = true;
  CHECK(check_gap(t, kClean, ns).empty());  // 3000 ms on debug kernels
  t.workers[1].max_gap_ns = 3'000'000'001;
  CHECK(check_gap(t, kClean, ns).size() == 1);
  CHECK(check_gap(t, kClean, {}).empty());  // off unless asked for
  CHECK(check_gap(t, kClean, {.max_gap_ms = 3000.000001}).empty());
}

TEST_CASE("min_iteration_rate: boundary per worker") {
  auto t = healthy_run();  // 1000 iterations in 1 s
  CHECK(check_iteration_rate(t, kClean, {.min_iteration_rate = 1000.0}).empty());
  auto v = check_iteration_rate(t, kClean, {.min_iteration_rate = 1000.5});
  REQUIRE(v.size() == 2);
  CHECK(*v[0].observed == 1000.0);
  CHECK(v[0].unit == "iter/s");
  t.workers[0].iterations = 999;
  CHECK(check_iteration_rate(t, kClean, {.min_iteration_rate = 1000.0}).size() == 1);
  t.workers[0].wall_ns = 0;  // unmeasured: rate undefined, not judged here
  CHECK(check_iteration_rate(t, kClean, {.min_iteration_rate = 1000.0}).empty());
}

TEST_CASE("max_migration_ratio: migrations per CPU second, boundary") {
  auto t = healthy_run();  // 5 migrations in 0.5 s CPU = 10 /cpu-s
  CHECK(check_migration_ratio(t, kClean, {.max_migration_ratio = 10.0}).empty());
  auto v = check_migration_ratio(t, kClean, {.max_migration_ratio = 9.99});
  REQUIRE(v.size() == 2);
  CHECK(*v[0].observed == 10.0);
  t.workers[0].cpu_ns = 0;
  t.workers[1].migrations = 0;
  CHECK(check_migration_ratio(t, kClean, {.max_migration_ratio = 0.0}).empty());
}

TEST_CASE("isolation: CPUs used must be inside the cpuset") {
  auto t = healthy_run();
  t.workers[0].cpuset = {0, 1};
  t.workers[0].cpus_used = {0, 1};
  Thresholds on{.isolation = true};
  CHECK(check_isolation(t, kClean, on).empty());
  t.workers[0].cpus_used = {0, 2, 3};
  auto v = check_isolation(t, kClean, on);
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == 2.0);
  CHECK(v[0].detail == "ran on CPUs 2-3 outside cpuset 0-1");
  CHECK(check_isolation(t, kClean, {}).empty());
  CHECK(check_isolation(t, kClean, {.isolation = false}).empty());
  // No worker cpuset: the cgroup's cpuset of that step applies.
  t.workers[0].cpuset.clear();
  CHECK(check_isolation(t, kClean, on).empty());  // unrestricted
  t.cgroups[0].cpuset = {1};
  t.workers[0].cpus_used = {1};
  CHECK(check_isolation(t, kClean, on).empty());
  t.workers[0].cpus_used = {0, 1};
  CHECK(check_isolation(t, kClean, on).size() == 1);
}

TEST_CASE("max_p99_wake_us: nearest rank, boundary") {
  auto t = healthy_run();
  for (uint64_t i = 1; i <= 100; ++i) t.workers[0].wake_latency_ns.push_back(i * 1000);  // 1..100 us
  CHECK(check_p99_wake(t, kClean, {.max_p99_wake_us = 99.0}).empty());
  auto v = check_p99_wake(t, kClean, {.max_p99_wake_us = 98.999});
  REQUIRE(v.size() == 1);  // worker 1 has no samples: not judged
  CHECK(*v[0].observed == 99.0);
  CHECK(v[0].detail == "nearest rank over 100 samples");
}

TEST_CASE("max_throughput_cv: boundary, one worker, empty cgroup") {
  auto t = healthy_run();
  t.workers[0].iterations = 100;  // rates 100 and 300 /s: cv 0.5
  t.workers[1].iterations = 300;
  CHECK(check_throughput_cv(t, kClean, {.max_throughput_cv = 0.5}).empty());
  auto v = check_throughput_cv(t, kClean, {.max_throughput_cv = 0.499});
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg0 step 0");
  CHECK(*v[0].observed == doctest::Approx(0.5));
  t.workers.resize(1);
  t.cgroups.push_back(CgroupTelemetry{.name = "empty"});
  CHECK(check_throughput_cv(t, kClean, {.max_throughput_cv = 0.0}).empty());
}

TEST_CASE("zero progress is always on") {
  auto t = healthy_run();
  t.workers[1].iterations = 1;
  CHECK(check_zero_progress(t, kClean, {}).empty());
  t.workers[1].iterations = 0;
  auto v = check_zero_progress(t, kClean, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg0/w1 step 0");
  CHECK(v[0].severity == Outcome::kFail);
}

TEST_CASE("scheduler ejection, death and failure to attach") {
  auto t = healthy_run();
  CHECK(check_scheduler(t, kClean, {}).empty());  // EEVDF
  t.scheduler.name = "scx_simple";
  t.scheduler.attached = true;
  CHECK(check_scheduler(t, kClean, {}).empty());
  t.scheduler.failed = true;
  t.scheduler.failure = "runnable task stall (kworker/0:1[12] failed to run for 30.1s)";
  t.scheduler.events = {SchedEvent{.t_ns = 5, .kind = "enabled"}, SchedEvent{.t_ns = 9, .kind = "ejected"}};
  auto v = check_scheduler(t, kClean, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "scx_simple");
  CHECK(v[0].detail == "ejected: runnable task stall (kworker/0:1[12] failed to run for 30.1s)");
  t.scheduler.events.back().kind = "died";  // a sidecar from before the exited/killed split
  CHECK(check_scheduler(t, kClean, {})[0].detail.starts_with("died: "));
  // The first stop event is the cause: an ejected scheduler whose loader then exits stays "ejected".
  t.scheduler.failure = "ejected by the kernel (scx_bpf_error): sched_ext: BPF scheduler \"qmap\" disabled "
                        "(scx_bpf_error); the scheduler then exited with code 0";
  t.scheduler.events = {SchedEvent{.kind = "enabled"}, SchedEvent{.kind = "ejected"}, SchedEvent{.kind = "exit_info"},
                        SchedEvent{.kind = "exited"}};
  CHECK(check_scheduler(t, kClean, {})[0].detail == t.scheduler.failure);  // no "ejected: ejected by"
  // A clean exit after unregistering and a kill by a signal read as such, not as "died: exit code 0".
  t.scheduler.failure = "exited with code 0 after unregistering: sched_ext: BPF scheduler \"simple\" disabled "
                        "(unregistered from user space)";
  t.scheduler.events = {SchedEvent{.kind = "enabled"}, SchedEvent{.kind = "exited"}};
  CHECK(format_violation(check_scheduler(t, kClean, {})[0]) ==
        "scheduler scx_simple: exited with code 0 after unregistering: sched_ext: BPF scheduler \"simple\" disabled "
        "(unregistered from user space)");
  t.scheduler.failure = "killed by signal 9 (Killed): sched_ext: BPF scheduler \"simple\" disabled (unregistered "
                        "from user space)";
  t.scheduler.events = {SchedEvent{.kind = "kill"}, SchedEvent{.kind = "killed"}};
  CHECK(check_scheduler(t, kClean, {})[0].detail.starts_with("killed by signal 9 (Killed): "));
  t.scheduler.failed = false;
  t.scheduler.attached = false;
  REQUIRE(check_scheduler(t, kClean, {}).size() == 1);
  t.error = "topology mismatch";  // an infra error explains it: judged as infra, not twice
  CHECK(check_scheduler(t, kClean, {}).empty());
}

TEST_CASE("panic, timeout, assertions and guest exit codes") {
  auto t = healthy_run();
  CHECK(check_panic(t, kClean, {}).empty());
  CHECK(check_panic(t, {.panic = true}, {}).size() == 1);
  CHECK(check_timeout(t, kClean, {}).empty());
  CHECK(check_timeout(t, {.timeout = true}, {}).size() == 1);
  CHECK(check_guest_result(t, {.guest_exit_code = 0}, {}).empty());
  CHECK(check_guest_result(t, {.guest_exit_code = 77}, {}).empty());
  CHECK(check_guest_result(t, {.guest_exit_code = 70}, {}).empty());  // infra, judged by check_infra
  CHECK(check_guest_result(t, {.guest_exit_code = 2}, {}).size() == 1);
  auto died = t;
  died.scheduler.failed = true;  // the guest exits 1 because its scheduler died: one line, not two
  CHECK(check_guest_result(died, {.guest_exit_code = 1}, {}).empty());
  t.assertions = {AssertionTelemetry{.file = "t.cpp", .line = 12, .expr = "CHECK(x == 1)", .message = "x = 2"}};
  auto v = check_guest_result(t, {.guest_exit_code = 1}, {});
  REQUIRE(v.size() == 1);  // the assertion explains the exit code
  CHECK(v[0].subject == "t.cpp:12");
  CHECK(v[0].detail == "CHECK(x == 1) (x = 2)");
}

TEST_CASE("infrastructure errors are inconclusive") {
  auto t = healthy_run();
  CHECK(check_infra(t, kClean, {}).empty());
  t.error = "cgroup mkdir failed";
  auto v = check_infra(t, kClean, {});
  REQUIRE(v.size() == 1);
  CHECK(v[0].severity == Outcome::kInconclusive);
  t.error.clear();
  CHECK(check_infra(t, {.infra_error = "qemu not found"}, {}).size() == 1);
  CHECK(check_infra(t, {.no_result = true}, {}).size() == 1);
  CHECK(check_infra(t, {.panic = true, .no_result = true}, {}).empty());  // the panic explains it
  CHECK(check_infra(t, {.guest_exit_code = 73}, {}).size() == 1);
}
