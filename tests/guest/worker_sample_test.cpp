// WorkerPool::sample(), the counters a snapshot records: real worker
// processes on the host (no cgroups), read while they run.
#include <doctest/doctest.h>

#include <unistd.h>

#include <thread>

#include "guest/worker_pool.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
void let_run() { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }

// Samples until every worker's iterations exceed floor(i) (progress, not
// time: on a loaded host a worker may not run for a while), for at most 10 s.
template <class Floor>
std::vector<WorkerSample> sample_past(const WorkerPool& pool, Floor floor) {
  for (int tries = 0;; ++tries) {
    auto s = pool.sample();
    bool past = true;
    for (size_t i = 0; i < s.size(); ++i) past = past && s[i].iterations > floor(i);
    if (past || tries == 200) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// n spinners in cgroup, released in step 0.
std::vector<int> released_spinners(WorkerPool& pool, int n, const char* cgroup) {
  auto ids = pool.spawn({.type = WorkType::kSpin}, n, nullptr, cgroup, 0);
  REQUIRE(ids);
  pool.begin_step(0);
  pool.release(*ids);
  return *ids;
}
}  // namespace

TEST_CASE("sample: only released live workers, counters growing while they run") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto held = pool->spawn({.type = WorkType::kSpin}, 1, nullptr, "held", 0);
  auto run = pool->spawn({.type = WorkType::kSpin}, 2, nullptr, "run", 0);
  REQUIRE(held);
  REQUIRE(run);
  pool->begin_step(0);
  CHECK(pool->sample().empty());  // nobody released yet
  pool->release(*run);
  const auto a = sample_past(*pool, [](size_t) { return uint64_t{0}; });
  REQUIRE(a.size() == 2);
  let_run();  // schedstat's CPU time advances at ticks: leave it many
  const auto b = sample_past(*pool, [&](size_t i) { return a[i].iterations; });
  REQUIRE(b.size() == 2);
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a[i].cgroup == "run");
    CHECK(a[i].worker == static_cast<int>(i));
    CHECK(a[i].pid > 0);
    CHECK(a[i].pid != getpid());
    CHECK(b[i].pid == a[i].pid);  // spawn order, same workers
    CHECK(a[i].iterations > 0);
    CHECK(a[i].cpu_ns > 0);
    CHECK(b[i].iterations > a[i].iterations);
    CHECK(b[i].cpu_ns > a[i].cpu_ns);
  }
  pool->end_step(0, true);
}

TEST_CASE("sample: counters are cumulative since release, across steps, and agree with the step records") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  released_spinners(*pool, 1, "cg");
  let_run();
  auto step0 = pool->end_step(0, false);
  REQUIRE(step0.size() == 1);
  pool->begin_step(1);
  const auto mid = sample_past(*pool, [&](size_t) { return step0[0].iterations; });
  let_run();
  auto step1 = pool->end_step(1, false);  // the worker stays alive: sample after the records
  const auto after = pool->sample();
  REQUIRE(step1.size() == 1);
  REQUIRE(mid.size() == 1);
  REQUIRE(after.size() == 1);
  // Mid-step 1 the sample has all of step 0 and part of step 1.
  CHECK(mid[0].iterations > step0[0].iterations);
  CHECK(mid[0].iterations <= step0[0].iterations + step1[0].iterations);
  // After both records, the sample holds at least both steps' work (it may
  // have run on between end_step and the read).
  CHECK(after[0].iterations >= step0[0].iterations + step1[0].iterations);
  CHECK(after[0].cpu_ns >= mid[0].cpu_ns);
  pool->stop_all();
}

TEST_CASE("sample: a killed worker leaves the snapshot, the others stay") {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  const auto ids = released_spinners(*pool, 2, "k");
  const int killed_pid = pool->sample().at(1).pid;
  pool->kill(ids[1]);
  const auto s = pool->sample();
  REQUIRE(s.size() == 1);
  CHECK(s[0].worker == 0);
  CHECK(s[0].pid != killed_pid);
  pool->end_step(0, true);
}
