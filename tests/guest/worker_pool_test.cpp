// Real worker processes on the host (no cgroups): the two-phase start, the
// per-iteration measurement and the step snapshots.
#include <doctest/doctest.h>

#include <sched.h>

#include <thread>

#include "guest/worker_pool.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
// Waits until every record source has had a chance to run: progress, not time, is asserted.
void let_run() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }
}  // namespace

TEST_CASE("spinners report progress and CPU time and gaps and CPUs per step") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn({.type = WorkType::kSpin}, 2, nullptr, "cg0", 0);
  REQUIRE(ids);
  pool->begin_step(0);
  pool->release(*ids);
  let_run();
  auto step0 = pool->end_step(0, false);
  pool->begin_step(1);
  let_run();
  auto step1 = pool->end_step(1, true);
  REQUIRE(step0.size() == 2);
  REQUIRE(step1.size() == 2);
  for (const auto& rec : {step0, step1}) {
    for (const auto& w : rec) {
      CAPTURE(w.step);
      CHECK(w.iterations > 0);
      CHECK(w.cpu_ns > 0);
      CHECK(w.wall_ns > 0);
      CHECK(w.max_gap_ns > 0);
      CHECK(w.max_gap_ns <= w.wall_ns);
      CHECK(!w.cpus_used.empty());
      CHECK(w.work_type == "spin");
      CHECK(w.cgroup == "cg0");
    }
  }
  CHECK(step0[0].step == 0);
  CHECK(step1[0].step == 1);
  CHECK(step0[1].worker == 1);
}

TEST_CASE("workers wait for release") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn({.type = WorkType::kSpin}, 1, nullptr, "held", 0);
  REQUIRE(ids);
  pool->begin_step(0);
  let_run();  // not released: no progress may appear
  auto rec = pool->end_step(0, true);
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].iterations == 0);
  // The whole window is one gap: at least the 150 ms slept, at most the window.
  CHECK(rec[0].max_gap_ns >= 150'000'000ull);
  CHECK(rec[0].max_gap_ns <= rec[0].wall_ns);
}

TEST_CASE("ping-pong pairs sample wake latency") {
  for (WorkType t : {WorkType::kPipePingPong, WorkType::kFutexPingPong}) {
    CAPTURE(work_type_name(t));
    auto pool = WorkerPool::create();
    REQUIRE(pool);
    auto ids = pool->spawn({.type = t}, 2, nullptr, "pp", 0);
    REQUIRE(ids);
    pool->begin_step(0);
    pool->release(*ids);
    let_run();
    auto rec = pool->end_step(0, true);
    REQUIRE(rec.size() == 2);
    for (const auto& w : rec) {
      CHECK(w.iterations > 0);
      CHECK(!w.wake_latency_ns.empty());
      CHECK(w.wake_samples_seen >= w.wake_latency_ns.size());
      CHECK(w.wake_latency_ns.size() <= kMaxLatencySamples);
    }
  }
}

TEST_CASE("killed workers keep their partial record and sleepers report timer latency") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn({.type = WorkType::kMixed, .compute_ns = 100'000, .sleep_ns = 200'000}, 2, nullptr, "m", 0);
  REQUIRE(ids);
  pool->begin_step(0);
  pool->release(*ids);
  let_run();
  pool->kill((*ids)[1]);
  CHECK(pool->live_in("m").size() == 1);
  auto rec = pool->end_step(0, true);
  REQUIRE(rec.size() == 2);
  for (const auto& w : rec) {
    CHECK(w.iterations > 0);
    CHECK(!w.wake_latency_ns.empty());
  }
}

TEST_CASE("a policy the kernel refuses fails the spawn with the reason") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  // SCHED_EXT without a loaded BPF scheduler (or a kernel without
  // sched_ext) is rejected by sched_setscheduler(2) on this host.
  auto ids = pool->spawn({.type = WorkType::kSpin, .policy = Policy::kExt}, 1, nullptr, "ext", 0);
  REQUIRE(!ids);
  CHECK(ids.error().message.find("sched_setscheduler(ext)") != std::string::npos);
}

TEST_CASE("a user-supplied callable runs until stopped and reports its own units") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  WorkSpec spec{.type = WorkType::kCallable, .fn = [](WorkerContext& ctx) {
                  for (int i = 0; i < 10; ++i) ctx.progress(3);  // three units per call
                }};
  auto ids = pool->spawn(spec, 1, nullptr, "user", 0);
  REQUIRE(ids);
  pool->begin_step(0);
  pool->release(*ids);
  let_run();
  auto rec = pool->end_step(0, true);
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].work_type == "callable");
  CHECK(rec[0].iterations > 0);
  CHECK(rec[0].iterations % 3 == 0);
}

// An affinity op between steps (Op::set_affinity) goes through
// WorkerPool::set_affinity: the next step's record runs only on the new
// CPU and reports it as the worker's cpuset: step 1 opens after the op took
// effect, so no observation from the old placement reaches its record.
TEST_CASE("an affinity change between steps shows only in the next step") {
  cpu_set_t mine;
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &mine)) last = c;
  REQUIRE(last >= 0);
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn({.type = WorkType::kSpin}, 1, nullptr, "aff", 0);
  REQUIRE(ids);
  pool->begin_step(0);
  pool->release(*ids);
  let_run();
  auto before = pool->end_step(0, false);
  REQUIRE(pool->set_affinity((*ids)[0], {last}));
  let_run();  // the worker keeps running between the steps, into no record
  pool->begin_step(1);
  let_run();
  auto after = pool->end_step(1, true);
  REQUIRE(before.size() == 1);
  REQUIRE(after.size() == 1);
  CHECK(before[0].cpuset.empty());
  CHECK(after[0].cpuset == std::vector<int>{last});
  CHECK(after[0].iterations > 0);
  CHECK(after[0].cpus_used == std::vector<int>{last});
  CHECK(after[0].migrations == 0);
}

TEST_CASE("an affinity the kernel refuses is an error naming the worker and CPUs") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn({.type = WorkType::kSpin}, 1, nullptr, "aff", 0);
  REQUIRE(ids);
  auto bad = pool->set_affinity((*ids)[0], {CPU_SETSIZE - 1});  // no such CPU here
  REQUIRE(!bad);
  CHECK(bad.error().message.find(fmt::format("to {}", CPU_SETSIZE - 1)) != std::string::npos);
  CHECK(bad.error().message.find("sched_setaffinity of worker") != std::string::npos);
  pool->stop_all();
}
