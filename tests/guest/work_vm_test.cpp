// One real boot per work type (label vm): the type runs under EEVDF in a
// TCG guest, the host's always-on checks must pass, and the telemetry must
// show the behaviour the type exists to produce. Most run `steady` (two
// cgroups, one worker per CPU each, rounded up to whole groups) for 2 s on
// two vCPUs; each case prints the figures it asserts on. This file: the CPU
// and wakeup types; work_lifecycle_vm_test.cpp: the others.
#include <doctest/doctest.h>

#include <set>

#include "work_vm_helpers.hpp"

using namespace ktstr;
using namespace ktstr::vmtest;
using namespace ktstr::vmtest::work;

TEST_CASE("work alu: never blocks, counts its integer operations") {
  auto b = run_type("alu");
  for (const auto* w : all(b.tel)) {
    MESSAGE(fmt::format("{}/{}: runnable {:.1f} % of the window, {} ALU ops", w->cgroup, w->worker,
                        100 * runnable(*w), counter(*w, "alu_ops")));
    CHECK(runnable(*w) >= 0.9);
    CHECK(counter(*w, "alu_ops") == w->iterations * 64 * 9);
  }
}

TEST_CASE("work smt_spin: each pair sits on the two threads of one core") {
  auto b = run_type("smt_spin", "1n1l2c2t");
  const std::set<std::set<int>> cores{{0, 1}, {2, 3}};
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 2);
    std::set<int> cpus;
    for (const auto* w : g) {
      CHECK(w->cpus_used.size() == 1);
      CHECK(counter(*w, "smt_threads") == 2);
      cpus.insert(w->cpus_used.begin(), w->cpus_used.end());
    }
    MESSAGE(fmt::format("pair {}: CPUs {}", counter(*g[0], "group_id"), fmt::join(cpus, ",")));
    CHECK(cores.count(cpus));
  }
}

TEST_CASE("work cache_pressure: the working set exceeds the LLC share and is swept") {
  auto b = run_type("cache_pressure");
  for (const auto* w : all(b.tel)) {
    const uint64_t ws = counter(*w, "working_set_bytes"), share_b = counter(*w, "llc_share_bytes");
    MESSAGE(fmt::format("{}/{}: LLC {} KiB, share {} KiB, working set {} KiB, {} lines touched, {:.0f} ms CPU",
                        w->cgroup, w->worker, counter(*w, "llc_bytes") >> 10, share_b >> 10, ws >> 10,
                        counter(*w, "lines_touched"), w->cpu_ns / 1e6));
    CHECK(share_b > 0);
    CHECK(ws > share_b);
    CHECK(counter(*w, "lines_touched") >= ws / 64);
  }
}

TEST_CASE("work ipc_variance: ALU and memory phases alternate") {
  auto b = run_type("ipc_variance");
  for (const auto* w : all(b.tel)) {
    const uint64_t hi = counter(*w, "phases_high"), lo = counter(*w, "phases_low");
    MESSAGE(fmt::format("{}/{}: {} high, {} low phases", w->cgroup, w->worker, hi, lo));
    CHECK(lo >= 1);
    CHECK(hi >= lo);
    CHECK(hi - lo <= 1);
  }
}

TEST_CASE("work futex_fanout: one waker wakes all N waiters per event") {
  auto b = run_type("futex_fanout");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 4);
    const uint64_t events = counter(*g[0], "wakeups_sent");
    Members waiters(g.begin() + 1, g.end());
    const uint64_t received = sum(waiters, "wakeups_received");
    MESSAGE(fmt::format("group {}: {} events, {:.2f} waiters reached per event, {:.2f} woken by FUTEX_WAKE per event",
                        counter(*g[0], "group_id"), events, share(received, events),
                        share(counter(*g[0], "futex_woken"), events)));
    CHECK(events >= 10);
    for (const auto* w : waiters) {
      CHECK(counter(*w, "wakeups_received") + 1 >= events);
      CHECK(counter(*w, "wakeups_received") <= events);
    }
    CHECK(counter(*g[0], "futex_woken") <= 3 * events);
  }
}

TEST_CASE("work wake_chain: the token passes A -> B -> C -> D -> A") {
  auto b = run_type("wake_chain");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 4);
    uint64_t lo = ~0ull, hi = 0;
    for (const auto* w : g) {
      lo = std::min(lo, w->iterations), hi = std::max(hi, w->iterations);
      CHECK(counter(*w, "wakeups_received") + 1 >= w->iterations);
      CHECK(!w->wake_percentiles_ns.empty());
    }
    MESSAGE(fmt::format("group {}: {}..{} hand-offs per member, p50 hand-off {} us", counter(*g[0], "group_id"), lo, hi,
                        g[1]->wake_percentiles_ns.at("p50") / 1000));
    CHECK(lo >= 10);
    CHECK(hi - lo <= 1);
  }
}

TEST_CASE("work thundering_herd: every waiter wakes, one wins each event") {
  auto b = run_type("thundering_herd");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 5);
    const uint64_t events = counter(*g[0], "wakeups_sent");
    Members waiters(g.begin() + 1, g.end());
    const uint64_t wins = sum(waiters, "race_wins"), losses = sum(waiters, "race_losses");
    MESSAGE(fmt::format("group {}: {} events, {} wins, {} losses ({:.2f} woken per event)", counter(*g[0], "group_id"),
                        events, wins, losses, share(wins + losses, events)));
    CHECK(events >= 10);
    CHECK(wins + 1 >= events);
    CHECK(wins <= events);
    CHECK(wins + losses + 4 >= 4 * events);
  }
}

TEST_CASE("work asymmetric_waker: a never-sleeping waker feeds sleepers") {
  auto b = run_type("asymmetric_waker");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 4);
    const uint64_t sent = counter(*g[0], "wakeups_sent");
    Members sleepers(g.begin() + 1, g.end());
    const uint64_t received = sum(sleepers, "wakeups_received");
    MESSAGE(fmt::format("group {}: {} wakeups sent, {} received; waker runnable {:.1f} %, sleepers {:.1f}/{:.1f}/{:.1f} %",
                        counter(*g[0], "group_id"), sent, received, 100 * runnable(*g[0]), 100 * runnable(*g[1]),
                        100 * runnable(*g[2]), 100 * runnable(*g[3])));
    CHECK(sent >= 100);
    CHECK(received <= sent);
    CHECK(sent <= received + 3);
    CHECK(runnable(*g[0]) >= 0.9);
    for (const auto* w : sleepers) CHECK(runnable(*w) < runnable(*g[0]));
  }
}

TEST_CASE("work epoll_storm: one epoll_wait drains several ready eventfds") {
  auto b = run_type("epoll_storm");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 5);
    const uint64_t waits = counter(*g[0], "epoll_waits"), events = counter(*g[0], "epoll_events");
    Members producers(g.begin() + 1, g.end());
    MESSAGE(fmt::format("group {}: {} epoll_waits returned {} events ({:.2f} per wait)", counter(*g[0], "group_id"),
                        waits, events, share(events, waits)));
    CHECK(waits >= 10);
    CHECK(events > waits);  // some waits found several producers ready at once
    CHECK(sum(producers, "wakeups_sent") - counter(*g[0], "wakeups_received") <= 4);
  }
}

TEST_CASE("work producer_consumer: three producers outrun one consumer") {
  auto b = run_type("producer_consumer");
  for (const auto& g : groups(b.tel)) {
    REQUIRE(g.size() == 4);
    Members producers(g.begin(), g.end() - 1);
    const uint64_t produced = sum(producers, "produced"), consumed = counter(*g[3], "consumed");
    MESSAGE(fmt::format("group {}: produced {}, consumed {}, producers blocked full {}, consumer blocked empty {}",
                        counter(*g[0], "group_id"), produced, consumed, sum(producers, "blocked_full"),
                        counter(*g[3], "blocked_empty")));
    CHECK(consumed >= 10);
    CHECK(produced >= consumed);
    CHECK(produced - consumed <= 16 + 3);
    CHECK(sum(producers, "blocked_full") > counter(*g[3], "blocked_empty"));
  }
}
