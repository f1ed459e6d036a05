#include "fixture.hpp"

namespace ktstr::trace::testing {
namespace {

WorkerTelemetry worker(const char* cgroup, int index, int pid, int step) {
  return WorkerTelemetry{.cgroup = cgroup, .worker = index, .pid = pid, .step = step, .work_type = "spin",
                         .policy = "normal", .iterations = 0, .wall_ns = 1000 * kMs, .cpu_ns = 450 * kMs};
}

// 10 ms slices from from_ms to to_ms on cpu, every other slice (phase 0 or 1).
void slices(WorkerTelemetry& w, int cpu, uint64_t from_ms, uint64_t to_ms, int phase) {
  for (uint64_t t = from_ms + 10 * static_cast<uint64_t>(phase); t + 10 <= to_ms; t += 20) {
    w.placement.push_back({.start_us = t * 1000 + 30, .end_us = t * 1000 + 9950, .units = 9000, .cpu = cpu});
    w.iterations += 9000;
  }
}

}  // namespace

RunTelemetry sample_run() {
  RunTelemetry t{.test = "sample", .topology = "1n1l2c1t", .vcpus = 2, .duration_ns = 2000 * kMs};
  t.steps = {{.index = 0, .name = "warm", .start_ns = 0, .end_ns = 1000 * kMs, .ops = {"add cgroup cg0 (2 x spin)"}},
             {.index = 1, .name = "load", .start_ns = 1000 * kMs, .end_ns = 2000 * kMs, .ops = {"add cgroup cg1"}}};
  t.cgroups = {{.name = "cg0", .step = 0, .workers = 2}, {.name = "cg0", .step = 1, .workers = 2},
               {.name = "cg1", .step = 1, .workers = 1}};
  auto a0 = worker("cg0", 0, 101, 0), b0 = worker("cg0", 1, 102, 0);
  slices(a0, 0, 0, 1000, 0);
  slices(b0, 0, 0, 1000, 1);
  auto a1 = worker("cg0", 0, 101, 1), b1 = worker("cg0", 1, 102, 1), c1 = worker("cg1", 0, 103, 1);
  slices(a1, 0, 1000, 2000, 0);
  slices(b1, 1, 1000, 2000, 0);
  slices(c1, 1, 1000, 1200, 1);
  c1.progress_start_ns = 1000 * kMs;
  c1.max_gap_ns = 800 * kMs;
  c1.max_gap_at_ns = 1000 * kMs;
  b1.placement.back().units += 1;  // keep one run distinct
  t.workers = {a0, b0, a1, b1, c1};
  t.scheduler = {.name = "scx_wvt", .ops_name = "wvt", .attached = true, .failed = true,
                 .failure = "runnable task stall (cg1/w0 pid 103 stuck for 3000 ms)",
                 .events = {{.t_ns = 0, .kind = "started", .detail = ""},
                            {.t_ns = 5 * kMs, .kind = "enabled", .detail = ""},
                            {.t_ns = 1900 * kMs, .kind = "ejected", .detail = "runnable task stall <&\"'>"}}};
  return t;
}

Title sample_title() {
  return {.test = "sample/1n1l2c1t", .scheduler = "scx_wvt", .topology = "1n1l2c1t", .outcome = "fail", .kernel = "6.12"};
}

std::vector<Mark> sample_marks() {
  return {{.label = "gap cg1/w0 step 1", .detail = "gap cg1/w0 step 1: observed 800.0 ms, limit 500.0 ms",
           .timed = true, .start_ns = 1200 * kMs, .end_ns = 2000 * kMs},
          {.label = "scheduler scx_wvt", .detail = "scheduler scx_wvt: ejected: runnable task stall", .timed = true,
           .start_ns = 1900 * kMs, .end_ns = 1900 * kMs},
          {.label = "assertion t.cpp:3", .detail = "assertion t.cpp:3: x == 1"}};
}

}  // namespace ktstr::trace::testing
