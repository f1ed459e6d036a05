#include "fixtures.hpp"

#include <stdexcept>

namespace ktstr::verdict::testing {

WorkerTelemetry make_worker(std::string cgroup, int index, int step, uint64_t iterations, uint64_t wall,
                            uint64_t cpu) {
  WorkerTelemetry w;
  w.cgroup = std::move(cgroup);
  w.worker = index;
  w.pid = 100 + index;
  w.step = step;
  w.work_type = "spin";
  w.policy = "normal";
  w.iterations = iterations;
  w.wall_ns = wall;
  w.cpu_ns = cpu;
  w.max_gap_ns = 10'000'000;
  w.migrations = 5;
  w.cpus_used = {index % 2};
  return w;
}

RunTelemetry healthy_run() {
  RunTelemetry t;
  t.test = "steady";
  t.topology = "1n1l2c1t";
  t.vcpus = 2;
  t.duration_ns = 2 * kSecond;
  t.steps = {StepTelemetry{.index = 0, .name = "steady", .start_ns = 0, .end_ns = kSecond}};
  t.cgroups = {CgroupTelemetry{.name = "cg0", .step = 0, .workers = 2}};
  t.workers = {make_worker("cg0", 0, 0, 1000, kSecond, kSecond / 2), make_worker("cg0", 1, 0, 1000, kSecond, kSecond / 2)};
  return t;
}

ktstr::TempDir temp_dir() {
  auto dir = ktstr::TempDir::create("ktstr-verdict-");
  if (!dir) throw std::runtime_error(dir.error().message);
  return std::move(*dir);
}

}  // namespace ktstr::verdict::testing
