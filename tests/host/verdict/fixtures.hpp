// Synthetic telemetry for the verdict tests: small builders so each test
// states only the figures it is about.
#pragma once

#include <filesystem>
#include <string>

#include "base/telemetry.hpp"

namespace ktstr::verdict::testing {

inline constexpr uint64_t kSecond = 1'000'000'000;

// A worker that ran `wall` ns, `cpu` ns of it on CPU, with `iterations` done.
WorkerTelemetry make_worker(std::string cgroup, int index, int step, uint64_t iterations, uint64_t wall,
                            uint64_t cpu);

// One step, one cgroup "cg0" with two healthy workers (1 s wall, 0.5 s CPU,
// 1000 iterations, 10 ms gap, 5 migrations), EEVDF, topology 1n1l2c1t.
RunTelemetry healthy_run();

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ktstr::verdict::testing
