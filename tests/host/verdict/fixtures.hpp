// Synthetic telemetry for the verdict tests: small builders so each test
// states only the figures it is about.
#pragma once

#include <filesystem>
#include <string>

#include "base/telemetry.hpp"
#include "base/temp_dir.hpp"

namespace ktstr::verdict::testing {

inline constexpr uint64_t kSecond = 1'000'000'000;

// A worker that ran `wall` ns, `cpu` ns of it on CPU, with `iterations` done.
WorkerTelemetry make_worker(std::string cgroup, int index, int step, uint64_t iterations, uint64_t wall,
                            uint64_t cpu);

// One step, one cgroup "cg0" with two healthy workers (1 s wall, 0.5 s CPU,
// 1000 iterations, 10 ms gap, 5 migrations), EEVDF, topology 1n1l2c1t.
RunTelemetry healthy_run();

// A fresh directory under $TMPDIR, removed on destruction (throws if it
// cannot be created: a test cannot proceed without it).
ktstr::TempDir temp_dir();

}  // namespace ktstr::verdict::testing
