// Helpers of the per-work-type VM tests (work_vm_test.cpp: CPU and wakeup
// types; work_lifecycle_vm_test.cpp: lifecycle, memory, locking, latency):
// one boot per type, and the worker groupings their assertions read.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "vm_boot.hpp"

namespace ktstr::vmtest::work {

using Members = std::vector<const WorkerTelemetry*>;

// Boots `scenario` with every worker doing `type`; the verdict must pass
// unless the caller judges it itself.
inline Boot run_type(const std::string& type, const std::string& topology = "1n1l2c1t",
                     const std::string& scenario = "steady", const std::optional<std::filesystem::path>& sched = {},
                     bool must_pass = true) {
  auto b = boot(topology, {"--scenario", scenario, "--work", type, "--duration", "2s"}, sched, "", 120);
  REQUIRE(b.tel.error == "");
  CHECK(b.outcome.guest_exit_code == 0);
  if (must_pass) require_pass(b);
  return b;
}

inline std::optional<std::filesystem::path> need_scx_simple() {
  auto kernel = find_kernel();
  if (!kernel) skip("no kernel: set KTSTR_KERNEL or build one with `ktstr kernel build`");
  auto sched = find_scheduler(*kernel, "scx_simple");
  if (!sched) skip("no scx_simple: set KTSTR_SCX_SIMPLE");
  return sched;
}

inline Members all(const RunTelemetry& t) {
  Members out;
  for (const auto& w : t.workers) out.push_back(&w);
  return out;
}

// The run's groups, each ordered by rank.
inline std::vector<Members> groups(const RunTelemetry& t) {
  std::map<uint64_t, Members> by_id;
  for (const auto& w : t.workers) {
    REQUIRE(w.counters.count("group_id"));
    by_id[counter(w, "group_id")].push_back(&w);
  }
  std::vector<Members> out;
  for (auto& [id, m] : by_id) {
    std::sort(m.begin(), m.end(), [](auto* a, auto* b) { return counter(*a, "group_rank") < counter(*b, "group_rank"); });
    out.push_back(std::move(m));
  }
  REQUIRE(!out.empty());
  return out;
}

inline double share(uint64_t part, uint64_t whole) { return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0; }

// Fraction of its window a worker was running or waiting to run.
inline double runnable(const WorkerTelemetry& w) { return share(w.cpu_ns + w.runq_wait_ns, w.wall_ns); }

}  // namespace ktstr::vmtest::work
