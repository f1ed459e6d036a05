#include "base/monitor.hpp"

#include <algorithm>
#include <iterator>

#include "base/topology.hpp"

namespace ktstr {

uint64_t MonitorSample::guest_ns() const {
  uint64_t g = 0;
  for (const auto& c : cpus) g = std::max(g, c.clock_ns);
  return g;
}

void MonitorLog::append(MonitorSample s) {
  if (samples.size() >= kMaxMonitorSamples) {
    // Keep the newest and every second one before it.
    std::vector<MonitorSample> kept;
    const size_t n = samples.size();
    for (size_t i = (n - 1) % 2; i < n; i += 2) kept.push_back(std::move(samples[i]));
    samples = std::move(kept);
    period_ns *= 2;
    ++halvings;
  }
  samples.push_back(std::move(s));
}

bool MonitorLog::due(uint64_t now_ns) const {
  return samples.empty() || now_ns >= samples.back().t_ns + period_ns;
}

std::optional<uint64_t> MonitorLog::run_start_ns(uint64_t duration_ns) const {
  if (hello_ns == 0) return std::nullopt;
  if (exit_ns > duration_ns) return std::max(hello_ns, exit_ns - duration_ns);
  return hello_ns;
}

std::vector<MonitorCounter> monitor_counters(const MonitorLog& log, uint64_t duration_ns) {
  std::vector<MonitorCounter> out;
  const auto start = log.run_start_ns(duration_ns);
  if (!start) return out;
  using Getter = double (*)(const CpuSample&);
  constexpr std::pair<const char*, Getter> kCounters[] = {
      {"nr_running", [](const CpuSample& c) { return static_cast<double>(c.nr_running); }},
      {"scx_nr_running", [](const CpuSample& c) { return static_cast<double>(c.scx_nr_running); }},
      {"waiting", [](const CpuSample& c) { return static_cast<double>(c.waiting); }},
      {"scx_oldest_wait_ms", [](const CpuSample& c) { return static_cast<double>(std::max<int64_t>(0, c.scx_oldest_wait_ms)); }},
  };
  size_t cpus = 0;
  for (const auto& s : log.samples) cpus = std::max(cpus, s.cpus.size());
  for (size_t cpu = 0; cpu < cpus; ++cpu)
    for (const auto& [name, get] : kCounters) {
      MonitorCounter c{.cpu = "cpu" + std::to_string(cpu), .name = name};
      for (const auto& s : log.samples)
        if (s.t_ns >= *start && cpu < s.cpus.size() && s.cpus[cpu].curr_pid >= 0)
          c.points.emplace_back(s.t_ns - *start, get(s.cpus[cpu]));
      out.push_back(std::move(c));
    }
  return out;
}

void to_json(nlohmann::json& j, const CpuSample& c) {
  j = nlohmann::json::array({c.nr_running, c.scx_nr_running, c.clock_ns, c.curr_pid, c.curr_comm, c.waiting,
                             format_cpu_list(c.waiting_cpus), c.waiting_known, c.scx_oldest_wait_ms});
}

void from_json(const nlohmann::json& j, CpuSample& c) {
  c = CpuSample{};
  if (!j.is_array()) return;
  // Rows shorter than kCpuSampleColumns (an older writer) keep the defaults.
  auto at = [&j](size_t i, auto& field) {
    if (i < j.size() && !j[i].is_null()) j[i].get_to(field);
  };
  at(0, c.nr_running);
  at(1, c.scx_nr_running);
  at(2, c.clock_ns);
  at(3, c.curr_pid);
  at(4, c.curr_comm);
  at(5, c.waiting);
  std::string cpus;
  at(6, cpus);
  c.waiting_cpus = parse_cpu_list(cpus).value_or(std::vector<int>{});
  at(7, c.waiting_known);
  at(8, c.scx_oldest_wait_ms);
}

void to_json(nlohmann::json& j, const MonitorLog& m) {
  j = nlohmann::json{{"error", m.error},
                     {"period_ns", m.period_ns},
                     {"halvings", m.halvings},
                     {"hello_ns", m.hello_ns},
                     {"exit_ns", m.exit_ns},
                     {"setup_ns", m.setup_ns},
                     {"sampling_ns", m.sampling_ns},
                     {"columns", std::vector<std::string>(std::begin(kCpuSampleColumns), std::end(kCpuSampleColumns))},
                     {"samples", m.samples}};
}

void from_json(const nlohmann::json& j, MonitorLog& m) {
  m = MonitorLog{};
  m.error = j.value("error", std::string());
  m.period_ns = j.value("period_ns", uint64_t{0});
  m.halvings = j.value("halvings", uint32_t{0});
  m.hello_ns = j.value("hello_ns", uint64_t{0});
  m.exit_ns = j.value("exit_ns", uint64_t{0});
  m.setup_ns = j.value("setup_ns", uint64_t{0});
  m.sampling_ns = j.value("sampling_ns", uint64_t{0});
  if (auto it = j.find("samples"); it != j.end() && it->is_array()) it->get_to(m.samples);
}

}  // namespace ktstr
