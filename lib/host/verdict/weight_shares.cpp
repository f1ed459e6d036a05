#include "host/verdict/weight_shares.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include "host/verdict/series.hpp"

namespace ktstr::verdict {
namespace {

std::string parent_of(const std::string& cgroup) {
  auto slash = cgroup.rfind('/');
  return slash == std::string::npos ? std::string() : cgroup.substr(0, slash);
}

// CPUs a cgroup may use in a step: its cpuset, else its nearest ancestor's,
// else every vCPU (0 when the telemetry does not say: no cap).
size_t cpus_of(const std::string& cgroup, const std::map<std::string, const CgroupTelemetry*>& in_step, int vcpus) {
  for (std::string c = cgroup;; c = parent_of(c)) {
    if (auto it = in_step.find(c); it != in_step.end() && !it->second->cpuset.empty()) return it->second->cpuset.size();
    if (c.empty()) return static_cast<size_t>(std::max(vcpus, 0));
  }
}

SiblingShare measure(const CgroupTelemetry& c, const RunTelemetry& t, const StepTelemetry& step,
                     const std::map<std::string, const CgroupTelemetry*>& in_step) {
  SiblingShare s{.cgroup = c.name, .weight = c.weight};
  for (const auto& w : t.workers) {
    if (w.step != step.index || !in_subtree(w.cgroup, c.name)) continue;
    const double runnable = static_cast<double>(w.cpu_ns + w.runq_wait_ns);
    s.used_ns += static_cast<double>(w.cpu_ns);
    s.demand_ns += w.wall_ns > 0 ? std::min(runnable, static_cast<double>(w.wall_ns)) : runnable;
  }
  const size_t cpus = cpus_of(c.name, in_step, t.vcpus);
  const double step_ns = static_cast<double>(step.end_ns > step.start_ns ? step.end_ns - step.start_ns : 0);
  s.cap_ns = cpus == 0 ? s.demand_ns : std::min(s.demand_ns, static_cast<double>(cpus) * step_ns);
  return s;
}

void entitle(SiblingSet& set) {
  std::vector<double> weights, caps;
  for (const auto& m : set.members) weights.push_back(m.weight), caps.push_back(m.cap_ns);
  const auto got = water_fill(set.total_ns, weights, caps);
  for (size_t i = 0; i < set.members.size(); ++i) {
    auto& m = set.members[i];
    m.entitled_ns = got[i];
    m.capped = got[i] >= m.cap_ns * (1 - 1e-9);
    m.share_pct = set.total_ns > 0 ? 100 * m.used_ns / set.total_ns : 0;
    m.entitled_pct = set.total_ns > 0 ? 100 * m.entitled_ns / set.total_ns : 0;
  }
}

}  // namespace

std::vector<double> water_fill(double total, std::span<const double> weights, std::span<const double> caps) {
  const size_t n = weights.size();
  std::vector<double> out(n, 0);
  const double cap_sum = std::accumulate(caps.begin(), caps.end(), 0.0);
  if (cap_sum <= total) {
    for (size_t i = 0; i < n; ++i) out[i] = cap_sum > 0 ? caps[i] * total / cap_sum : 0;
    return out;
  }
  std::vector<bool> fixed(n, false);
  double remaining = total;
  for (bool changed = true; changed;) {
    changed = false;
    double w_sum = 0;
    for (size_t i = 0; i < n; ++i) w_sum += fixed[i] ? 0 : weights[i];
    if (w_sum <= 0) break;
    // Everyone whose cap is below its weight's part of what is left gets
    // the cap; their parts only grow the others', so a fixed one stays fixed.
    for (size_t i = 0; i < n; ++i) {
      if (fixed[i] || caps[i] >= remaining * weights[i] / w_sum) continue;
      out[i] = caps[i];
      fixed[i] = changed = true;
    }
    remaining = total;
    for (size_t i = 0; i < n; ++i) remaining -= fixed[i] ? out[i] : 0;
    if (!changed)
      for (size_t i = 0; i < n; ++i) out[i] = fixed[i] ? out[i] : remaining * weights[i] / w_sum;
  }
  return out;
}

std::vector<SiblingSet> sibling_shares(const RunTelemetry& t) {
  std::vector<SiblingSet> out;
  for (const auto& step : t.steps) {
    std::map<std::string, const CgroupTelemetry*> in_step;
    for (const auto& c : t.cgroups)
      if (c.step == step.index) in_step[c.name] = &c;
    std::map<std::string, SiblingSet> by_parent;
    for (const auto& [name, c] : in_step) {
      SiblingShare s = measure(*c, t, step, in_step);
      if (s.demand_ns <= 0) continue;  // no runnable worker: not competing
      auto& set = by_parent[parent_of(name)];
      set.parent = parent_of(name);
      set.step = step.index;
      set.total_ns += s.used_ns;
      set.members.push_back(std::move(s));
    }
    for (auto& [parent, set] : by_parent) {
      if (set.members.size() < 2) continue;
      entitle(set);
      out.push_back(std::move(set));
    }
  }
  return out;
}

}  // namespace ktstr::verdict
