#include "host/verdict/phases.hpp"

#include <fmt/format.h>

namespace ktstr::verdict {
namespace {

double s(uint64_t ns) { return static_cast<double>(ns) / 1e9; }

// "started" -> "enabled" of the scheduler, seconds; -1 without both events.
double attach_seconds(const RunTelemetry& t) {
  double started = -1, enabled = -1;
  for (const auto& e : t.scheduler.events) {
    if (e.kind == "started" && started < 0) started = s(e.t_ns);
    if (e.kind == "enabled" && enabled < 0) enabled = s(e.t_ns);
  }
  return started >= 0 && enabled >= started ? enabled - started : -1;
}

double scenario_seconds(const RunTelemetry& t) {
  if (t.steps.empty()) return -1;
  uint64_t first = t.steps.front().start_ns, last = t.steps.front().end_ns;
  for (const auto& st : t.steps) {
    first = std::min(first, st.start_ns);
    last = std::max(last, st.end_ns);
  }
  return last >= first ? s(last - first) : -1;
}

// An A/B run's baseline phase, seconds; -1 without one.
double baseline_seconds(const RunTelemetry& t) {
  if (!t.baseline || t.baseline->end_ns < t.baseline->start_ns) return -1;
  return s(t.baseline->end_ns - t.baseline->start_ns);
}

// The guest's part between its hello and its exit frame.
void add_guest_phases(std::vector<Phase>& out, const RunClock& c, const RunTelemetry& t) {
  if (c.hello_uptime_s < 0 || t.start_uptime_ns == 0) return;
  const double init = s(t.start_uptime_ns) - c.hello_uptime_s;
  const double base = baseline_seconds(t), attach = attach_seconds(t), scenario = scenario_seconds(t);
  out.push_back({"guest_init", init});
  if (base >= 0) out.push_back({"baseline", base});
  if (attach >= 0) out.push_back({"scheduler_attach", attach});
  if (scenario >= 0) out.push_back({"scenario", scenario});
  out.push_back({"run_other",
                 s(t.duration_ns) - std::max(base, 0.0) - std::max(attach, 0.0) - std::max(scenario, 0.0)});
  if (c.exit_frame_s >= 0 && c.first_frame_s >= 0)
    out.push_back({"guest_exit", c.exit_frame_s - c.first_frame_s - init - s(t.duration_ns)});
}

}  // namespace

std::vector<Phase> split_phases(const RunClock& c, const RunTelemetry* tel) {
  std::vector<Phase> out{{"host_prepare", c.prepare_s}};
  if (c.first_frame_s >= 0 && c.hello_uptime_s >= 0) {
    out.push_back({"vmm_boot", c.first_frame_s - c.hello_uptime_s});
    out.push_back({"kernel_init", c.hello_uptime_s});
  } else if (c.first_frame_s >= 0) {
    out.push_back({"boot", c.first_frame_s});
  }
  if (tel) add_guest_phases(out, c, *tel);
  if (c.exit_frame_s >= 0) out.push_back({"shutdown", c.wall_s - c.exit_frame_s});
  out.push_back({"verdict", c.verdict_s});
  return out;
}

std::string format_phases(const std::vector<Phase>& phases) {
  std::string line;
  for (const auto& p : phases) line += fmt::format("{}{} {:.2f} s", line.empty() ? "" : ", ", p.name, p.seconds);
  return line;
}

}  // namespace ktstr::verdict
