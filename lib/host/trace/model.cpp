#include "host/trace/model.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ktstr::trace {

std::string worker_name(const WorkerTelemetry& w) { return fmt::format("{}/w{}", w.cgroup, w.worker); }

uint64_t run_extent_ns(const RunTelemetry& t, std::span<const Mark> marks) {
  uint64_t end = std::max<uint64_t>(t.duration_ns, 1'000'000);
  for (const auto& s : t.steps) end = std::max(end, s.end_ns);
  for (const auto& e : t.scheduler.events) end = std::max(end, e.t_ns);
  for (const auto& w : t.workers)
    if (!w.placement.empty()) end = std::max(end, w.placement.back().end_us * 1000);
  for (const auto& m : marks)
    if (m.timed) end = std::max(end, m.end_ns);
  return end;
}

}  // namespace ktstr::trace
