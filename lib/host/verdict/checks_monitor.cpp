// Checks from the host-side monitor's samples (VmFacts::monitor): a CPU
// with runnable tasks whose runqueue clock stopped or that only ran its idle
// task, and a CPU left idle while a task allowed on it waited on another
// CPU. Durations are in
// guest time (MonitorSample::guest_ns), so a VM the host starves or pauses
// accrues none. Formulas: lib/host/verdict/README.md.
#include <algorithm>

#include <fmt/format.h>

#include "base/topology.hpp"
#include "host/verdict/checks.hpp"

namespace ktstr::verdict {
namespace {

// The longest run of consecutive samples in which one CPU met a condition.
struct Episode {
  size_t first = 0;
  size_t last = 0;
  uint64_t guest_ns = 0;  // guest time from the first sample to the last
};

const CpuSample* cpu_at(const MonitorSample& s, size_t cpu) {
  if (cpu >= s.cpus.size() || s.cpus[cpu].curr_pid < 0) return nullptr;  // not read
  return &s.cpus[cpu];
}

size_t cpu_count(const MonitorLog& log) {
  size_t n = 0;
  for (const auto& s : log.samples) n = std::max(n, s.cpus.size());
  return n;
}

// held(k, start) says whether sample k continues an episode begun at start
// (start == k: whether one may begin at k).
template <class Held>
std::optional<Episode> longest_episode(const MonitorLog& log, Held held) {
  std::optional<Episode> best;
  std::optional<size_t> start;
  for (size_t k = 0; k < log.samples.size(); ++k) {
    if (!start || !held(k, *start)) start = held(k, k) ? std::optional(k) : std::nullopt;
    if (!start) continue;
    const uint64_t g0 = log.samples[*start].guest_ns(), g1 = log.samples[k].guest_ns();
    const Episode e{*start, k, g1 > g0 ? g1 - g0 : 0};
    if (!best || e.guest_ns > best->guest_ns) best = e;
  }
  return best;
}

double ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// "from 3.1 s to 9.4 s into the run" (or "after launch" without a run start).
std::string when(const MonitorLog& log, const RunTelemetry& t, const Episode& e) {
  const auto start = log.run_start_ns(t.duration_ns);
  const auto at = [&](size_t k) {
    return (static_cast<double>(log.samples[k].t_ns) - static_cast<double>(start.value_or(0))) / 1e9;
  };
  return fmt::format("from {:.1f} s to {:.1f} s {}", at(e.first), at(e.last), start ? "into the run" : "after launch");
}

// CPUs other than `cpu` holding a waiting task allowed on `cpu`.
std::vector<int> holders(const MonitorSample& s, size_t cpu) {
  std::vector<int> out;
  for (size_t b = 0; b < s.cpus.size(); ++b) {
    const CpuSample* c = cpu_at(s, b);
    if (b != cpu && c && c->waiting_known &&
        std::binary_search(c->waiting_cpus.begin(), c->waiting_cpus.end(), static_cast<int>(cpu)))
      out.push_back(static_cast<int>(b));
  }
  return out;
}

// What the stalled CPU showed: a clock that stood still (no tick, no
// scheduling: a dead or forgotten CPU), else its idle task running with
// runnable tasks queued (ticks and wakeups move the clock, but no task runs:
// a scheduler that stopped dispatching them).
std::string stall_detail(const MonitorLog& log, size_t cpu, const Episode& e) {
  const CpuSample& c = log.samples[e.last].cpus[cpu];
  if (c.clock_ns == log.samples[e.first].cpus[cpu].clock_ns)
    return fmt::format("rq clock stuck at {:.6f} s with {} runnable tasks", static_cast<double>(c.clock_ns) / 1e9,
                       c.nr_running);
  return fmt::format("idle with {} runnable tasks ({} sched_ext)", c.nr_running, c.scx_nr_running);
}

}  // namespace

std::optional<double> effective_idle_waiting_limit(const Thresholds& th) {
  if (th.max_idle_waiting_ms) return th.max_idle_waiting_ms;
  if (th.work_conservation.value_or(false)) return kDefaultIdleWaitingMs;
  return std::nullopt;
}

std::vector<Violation> check_rq_stall(const RunTelemetry& t, const VmFacts& f, const Thresholds& th) {
  if (!th.max_rq_stall_ms) return {};
  std::vector<Violation> out;
  const auto& log = f.monitor;
  for (size_t cpu = 0; cpu < cpu_count(log); ++cpu) {
    auto e = longest_episode(log, [&](size_t k, size_t start) {
      const CpuSample* c = cpu_at(log.samples[k], cpu);
      const CpuSample* c0 = cpu_at(log.samples[start], cpu);
      return c && c0 && c->nr_running > 0 && (c->clock_ns == c0->clock_ns || c->curr_pid == 0);
    });
    if (!e || ms(e->guest_ns) <= *th.max_rq_stall_ms) continue;
    out.push_back(Violation{.check = "rq_stall",
                            .subject = fmt::format("cpu {}", cpu),
                            .observed = ms(e->guest_ns),
                            .threshold = *th.max_rq_stall_ms,
                            .unit = "ms",
                            .detail = stall_detail(log, cpu, *e) + ", " + when(log, t, *e)});
  }
  return out;
}

std::vector<Violation> check_idle_waiting(const RunTelemetry& t, const VmFacts& f, const Thresholds& th) {
  const auto limit = effective_idle_waiting_limit(th);
  if (!limit) return {};
  std::vector<Violation> out;
  const auto& log = f.monitor;
  for (size_t cpu = 0; cpu < cpu_count(log); ++cpu) {
    auto e = longest_episode(log, [&](size_t k, size_t) {
      const CpuSample* c = cpu_at(log.samples[k], cpu);
      return c && c->nr_running == 0 && !holders(log.samples[k], cpu).empty();
    });
    if (!e || ms(e->guest_ns) <= *limit) continue;
    out.push_back(Violation{.check = "idle_waiting",
                            .subject = fmt::format("cpu {}", cpu),
                            .observed = ms(e->guest_ns),
                            .threshold = *limit,
                            .unit = "ms",
                            .detail = fmt::format("idle while CPUs {} held waiting tasks allowed on it, {}",
                                                  format_cpu_list(holders(log.samples[e->last], cpu)),
                                                  when(log, t, *e))});
  }
  return out;
}

}  // namespace ktstr::verdict
