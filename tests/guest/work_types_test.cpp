// Every work type run for real on the host (no cgroups, no VM) for a short
// while: the logic of each signature — who counts what — before the VM tests
// judge it under a real guest kernel. rt_starvation (a SCHED_FIFO hog) and
// cgroup_attach_storm (moves itself between the host's cgroups) only run in VMs.
#include <doctest/doctest.h>

#include <unistd.h>

#include <thread>

#include "guest/worker_pool.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {

std::vector<WorkerTelemetry> run_type(const WorkSpec& spec, int workers, int ms = 200) {
  auto pool = WorkerPool::create();
  REQUIRE(pool);
  auto ids = pool->spawn(spec, workers, nullptr, "t", 0);
  REQUIRE_MESSAGE(ids, (ids ? "" : ids.error().message));
  pool->begin_step(0);
  pool->release(*ids);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  auto rec = pool->end_step(0, true);
  REQUIRE(rec.size() == static_cast<size_t>(workers));
  for (const auto& w : rec) {
    CAPTURE(w.worker);
    CHECK(w.work_type == work_type_name(spec.type));
  }
  return rec;
}

uint64_t get(const WorkerTelemetry& w, const char* name) {
  auto it = w.counters.find(name);
  return it == w.counters.end() ? 0 : it->second;
}

uint64_t sum(const std::vector<WorkerTelemetry>& rec, const char* name, int from = 0) {
  uint64_t s = 0;
  for (size_t i = static_cast<size_t>(from); i < rec.size(); ++i) s += get(rec[i], name);
  return s;
}

void all_progressed(const std::vector<WorkerTelemetry>& rec) {
  for (const auto& w : rec) {
    CAPTURE(w.worker);
    CHECK(w.iterations > 0);
  }
}

}  // namespace

TEST_CASE("cpu work: alu, smt_spin, cache_pressure, ipc_variance") {
  auto alu = run_type({.type = WorkType::kAlu}, 1);
  CHECK(get(alu[0], "alu_ops") == alu[0].iterations * 64 * 9);
  auto smt = run_type({.type = WorkType::kSmtSpin}, 2);
  for (const auto& w : smt) {
    CHECK(w.counters.count("pinned_cpu"));
    CHECK(w.cpus_used == std::vector<int>{static_cast<int>(get(w, "pinned_cpu"))});
  }
  auto cache = run_type({.type = WorkType::kCachePressure}, 1);
  CHECK(get(cache[0], "working_set_bytes") >= (1u << 20));
  if (get(cache[0], "llc_share_bytes") > 0) CHECK(get(cache[0], "working_set_bytes") > get(cache[0], "llc_share_bytes"));
  CHECK(get(cache[0], "lines_touched") > 0);
  CHECK(get(cache[0], "lines_touched") % 1024 == 0);  // whole units of 1024 links
  CHECK(get(cache[0], "lines_touched") <= cache[0].iterations * 1024);  // building the walk counts units too
  auto ipc = run_type({.type = WorkType::kIpcVariance, .compute_ns = 100'000}, 1, 300);
  CHECK(get(ipc[0], "phases_high") >= 1);
  CHECK(get(ipc[0], "phases_low") >= 1);
  CHECK(get(ipc[0], "phases_high") - get(ipc[0], "phases_low") <= 1);  // they alternate
}

TEST_CASE("futex fan-out: every waiter sees every event") {
  auto rec = run_type({.type = WorkType::kFutexFanout}, 4);
  all_progressed(rec);
  const uint64_t events = get(rec[0], "wakeups_sent");
  CHECK(events > 0);
  for (size_t i = 1; i < rec.size(); ++i) {
    CHECK(get(rec[i], "group_rank") == i);
    CHECK(get(rec[i], "wakeups_received") + 1 >= events);
    CHECK(get(rec[i], "wakeups_received") <= events);
  }
  CHECK(get(rec[0], "futex_woken") <= 3 * events);
}

TEST_CASE("wake chain: the token visits the members in turn") {
  auto rec = run_type({.type = WorkType::kWakeChain}, 4);
  uint64_t lo = ~0ull, hi = 0;
  for (const auto& w : rec) lo = std::min(lo, w.iterations), hi = std::max(hi, w.iterations);
  CHECK(lo > 0);
  CHECK(hi - lo <= 1);
  auto ring = run_type({.type = WorkType::kPipePingPong, .group_size = 3}, 3);  // a pipe ring of three
  all_progressed(ring);
  for (const auto& w : ring) CHECK(!w.wake_latency_ns.empty());
}

TEST_CASE("thundering herd: all waiters wake, one wins each event") {
  auto rec = run_type({.type = WorkType::kThunderingHerd}, 5);
  all_progressed(rec);
  const uint64_t events = get(rec[0], "wakeups_sent");
  const uint64_t wins = sum(rec, "race_wins", 1), losses = sum(rec, "race_losses", 1);
  CHECK(events > 0);
  CHECK(wins + 1 >= events);
  CHECK(wins <= events);
  CHECK(wins + losses + 4 >= 4 * events);
}

TEST_CASE("asymmetric waker: one side wakes, the other sleeps") {
  auto rec = run_type({.type = WorkType::kAsymmetricWaker}, 4);
  all_progressed(rec);
  const uint64_t sent = get(rec[0], "wakeups_sent"), received = sum(rec, "wakeups_received", 1);
  CHECK(sent > 0);
  CHECK(received <= sent);
  CHECK(sent <= received + 3);  // at most one in flight per sleeper
  CHECK(get(rec[0], "wakeups_received") == 0);
}

TEST_CASE("epoll storm, producer/consumer and schbench") {
  auto ep = run_type({.type = WorkType::kEpollStorm}, 5);
  all_progressed(ep);
  CHECK(get(ep[0], "epoll_events") >= get(ep[0], "epoll_waits"));
  CHECK(get(ep[0], "epoll_waits") > 0);
  CHECK(sum(ep, "wakeups_sent", 1) - get(ep[0], "wakeups_received") <= 4);
  auto pc = run_type({.type = WorkType::kProducerConsumer}, 4);
  all_progressed(pc);
  const uint64_t produced = sum(pc, "produced"), consumed = get(pc[3], "consumed");
  CHECK(consumed > 0);
  CHECK(produced >= consumed);
  CHECK(produced - consumed <= 16 + 3);  // queue capacity + one in hand per producer
  CHECK(sum(pc, "blocked_full") > 0);
  auto sb = run_type({.type = WorkType::kSchbench, .compute_ns = 100'000, .sleep_ns = 100'000}, 5);
  all_progressed(sb);
  for (size_t i = 1; i < sb.size(); ++i) {
    CAPTURE(i);
    CHECK(sb[i].wake_percentiles_ns.size() == 4);
    CHECK(sb[i].wake_percentiles_ns.at("p50") <= sb[i].wake_percentiles_ns.at("p99.9"));
    CHECK(get(sb[i], "wakeups_received") <= get(sb[0], "wakeups_sent"));
  }
}

TEST_CASE("lifecycle churn: fork, nice, affinity, policy") {
  auto fork = run_type({.type = WorkType::kForkChurn}, 1);
  CHECK(get(fork[0], "forks") > 10);
  auto nice = run_type({.type = WorkType::kNiceSweep}, 1);
  CHECK(get(nice[0], "nice_changes") > 0);
  if (geteuid() == 0) CHECK(get(nice[0], "nice_levels") > 1);
  auto aff = run_type({.type = WorkType::kAffinityChurn}, 1);
  CHECK(get(aff[0], "affinity_changes") > 0);
  if (std::thread::hardware_concurrency() > 1) CHECK(aff[0].cpus_used.size() > 1);
  auto pol = run_type({.type = WorkType::kPolicyChurn}, 1);
  CHECK(get(pol[0], "to_batch") > 0);
  CHECK(get(pol[0], "policy_changes") == get(pol[0], "to_normal") + get(pol[0], "to_batch") + get(pol[0], "to_idle") +
                                             get(pol[0], "to_ext"));
}

TEST_CASE("memory and locking: faults, mutex, inversion, signals, preemption") {
  auto pf = run_type({.type = WorkType::kPageFaultChurn}, 1);
  CHECK(get(pf[0], "pages_touched") > 0);
  CHECK(get(pf[0], "page_faults") * 10 >= get(pf[0], "pages_touched") * 9);
  auto mx = run_type({.type = WorkType::kMutexContention}, 4);
  all_progressed(mx);
  CHECK(sum(mx, "lock_contended") > 0);
  CHECK(sum(mx, "exclusion_violations") == 0);
  auto pi = run_type({.type = WorkType::kPriorityInversion, .compute_ns = 100'000, .sleep_ns = 100'000}, 3, 400);
  CHECK(get(pi[0], "lock_holds") > 0);
  CHECK(get(pi[2], "lock_acquired") > 0);
  CHECK(get(pi[0], "pinned_cpu") == get(pi[2], "pinned_cpu"));
  auto sig = run_type({.type = WorkType::kSignalStorm}, 4);
  all_progressed(sig);
  for (const auto& w : sig) CHECK(get(w, "signals_received") > 0);
  CHECK(sum(sig, "signals_received") <= sum(sig, "signals_sent"));
  auto pre = run_type({.type = WorkType::kPreemptStorm, .sleep_ns = 200'000}, 5);
  all_progressed(pre);
  CHECK(sum(pre, "wakeups_received", 1) > 0);
}

TEST_CASE("a group of one falls back to spinning and odd counts leave a smaller last group") {
  auto lone = run_type({.type = WorkType::kFutexFanout}, 1);
  CHECK(lone[0].iterations > 0);
  CHECK(lone[0].counters.count("group_size") == 0);
  auto six = run_type({.type = WorkType::kFutexFanout}, 6);  // groups of 4 and 2
  all_progressed(six);
  CHECK(get(six[3], "group_size") == 4);
  CHECK(get(six[4], "group_size") == 2);
  CHECK(get(six[4], "group_rank") == 0);
  CHECK(get(six[4], "group_id") == get(six[0], "group_id") + 1);
}
