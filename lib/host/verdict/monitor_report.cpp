#include "host/verdict/monitor_report.hpp"

#include <fmt/format.h>

#include "base/topology.hpp"

namespace ktstr::verdict {

std::string cpu_sample_line(size_t cpu, const CpuSample& c) {
  if (c.curr_pid < 0) return fmt::format("cpu {}: not readable", cpu);
  std::string out = fmt::format("cpu {}: ", cpu);
  if (c.nr_running == 0) out += "idle";
  else out += fmt::format("{} runnable ({} sched_ext), running {} {}", c.nr_running, c.scx_nr_running, c.curr_pid,
                          c.curr_comm);
  if (!c.waiting_known) out += ", waiting tasks unknown";
  else if (c.waiting > 0) out += fmt::format(", {} waiting (allowed on {})", c.waiting, format_cpu_list(c.waiting_cpus));
  if (c.scx_oldest_wait_ms >= 0) out += fmt::format(", oldest sched_ext wait {} ms", c.scx_oldest_wait_ms);
  return out + fmt::format(", rq clock {:.6f} s", static_cast<double>(c.clock_ns) / 1e9);
}

std::string last_sample_text(const MonitorLog& log) {
  if (log.samples.empty()) return log.error.empty() ? std::string() : "no samples: " + log.error;
  const MonitorSample& s = log.samples.back();
  std::string out = fmt::format("{} samples, every {} ms; the last {:.3f} s after launch (sched_ext {}, exit {})",
                                log.samples.size(), log.period_ns / 1000000, static_cast<double>(s.t_ns) / 1e9,
                                s.scx_state.empty() ? "unknown" : s.scx_state,
                                s.scx_exit_kind.empty() ? "unknown" : s.scx_exit_kind);
  if (!log.error.empty()) out += fmt::format(" ({})", log.error);
  for (size_t cpu = 0; cpu < s.cpus.size(); ++cpu) out += "\n" + cpu_sample_line(cpu, s.cpus[cpu]);
  return out;
}

}  // namespace ktstr::verdict
