#include "guest/scenarios.hpp"

namespace ktstr::guest {
namespace {

// The CPU-bound worker cgroup most scenarios are built from.
CgroupDef spinners(const ScenarioParams& p, std::string name, double per_cpu, std::string cpuset = "") {
  return CgroupDef{.name = std::move(name),
                   .workers_per_cpu = per_cpu,
                   .work = {.type = p.work, .policy = p.policy},
                   .cpuset = p.cpuset.empty() ? std::move(cpuset) : p.cpuset};
}

Step hold(std::string name, double frac, std::vector<Op> ops = {}) {
  return Step{.name = std::move(name), .ops = std::move(ops), .hold = Hold::frac(frac)};
}

Scenario steady(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1)}, .steps = {hold("steady", 1.0)}};
}

Scenario steady_llc(const ScenarioParams& p) {
  Scenario s;
  for (size_t k = 0; k < p.layout->llcs.size(); ++k)
    s.backdrop.push_back(spinners(p, fmt::format("llc{}", k), 2, fmt::format("llc:{}", k)));
  s.steps = {hold("steady", 1.0)};
  return s;
}

Scenario oversubscribed(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 4)}, .steps = {hold("oversubscribed", 1.0)}};
}

Scenario cpuset_change(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "narrow", 1, "frac:1/2"), spinners(p, "wide", 1)},
          .steps = {hold("half", 1.0 / 3), hold("widened", 1.0 / 3, {Op::set_cpuset("narrow", "all")}),
                    hold("narrowed", 1.0 / 3, {Op::set_cpuset("narrow", "frac:1/2")})}};
}

Scenario cgroup_churn(const ScenarioParams& p) {
  Scenario s{.backdrop = {spinners(p, "base", 1)}};
  for (int i = 0; i < 4; ++i) {
    CgroupDef a{.name = fmt::format("churn{}a", i), .workers_per_cpu = 0.5,
                .work = {.type = WorkType::kMixed, .policy = p.policy}};
    CgroupDef b{.name = fmt::format("churn{}b", i), .workers = 1, .work = {.type = WorkType::kYield, .policy = p.policy}};
    s.steps.push_back(hold(fmt::format("churn{}", i), 0.25, {Op::add(a), Op::add(b)}));
  }
  return s;
}

Scenario mixed(const ScenarioParams& p) {
  auto def = [&](std::string name, WorkType t, double per_cpu) {
    return CgroupDef{.name = std::move(name), .workers_per_cpu = per_cpu, .work = {.type = t, .policy = p.policy},
                     .cpuset = p.cpuset};
  };
  return {.backdrop = {def("spin", WorkType::kSpin, 1), def("yield", WorkType::kYield, 0.5),
                       def("mixed", WorkType::kMixed, 0.5), def("bursty", WorkType::kBursty, 0.5),
                       def("io", WorkType::kSyncIo, 0.5)},
          .steps = {hold("mixed", 1.0)}};
}

Scenario nested_weights(const ScenarioParams& p) {
  CgroupDef parent{.name = "parent", .workers = 0, .cpuset = p.cpuset};
  auto light = spinners(p, "parent/light", 1);
  auto heavy = spinners(p, "parent/heavy", 1);
  heavy.weight = 400;
  auto other = spinners(p, "other", 1);
  light.cpuset = heavy.cpuset = "";  // inherit the parent's
  return {.backdrop = {parent, light, heavy, other},
          .steps = {hold("weighted", 0.5), hold("reweighted", 0.5, {Op::set_weight("parent/light", 800)})}};
}

Scenario pingpong(const ScenarioParams& p) {
  CgroupDef pipes{.name = "pipe", .workers_per_cpu = 1, .work = {.type = WorkType::kPipePingPong, .policy = p.policy},
                  .cpuset = p.cpuset};
  CgroupDef futex{.name = "futex", .workers_per_cpu = 1, .work = {.type = WorkType::kFutexPingPong, .policy = p.policy},
                  .cpuset = p.cpuset};
  // An even count keeps every worker paired.
  pipes.workers_per_cpu = futex.workers_per_cpu = 0;
  pipes.workers = futex.workers = 2 * static_cast<int>((p.layout->cpus.size() + 1) / 2);
  return {.backdrop = {pipes, futex}, .steps = {hold("pingpong", 1.0)}};
}

Scenario scheduler_kill(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1)},
          .steps = {hold("before", 0.5), hold("after_kill", 0.5, {Op::kill_scheduler(9)})}};
}

Scenario spawn_kill(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1), CgroupDef{.name = "cg1", .workers = 1, .work = {.type = p.work}}},
          .steps = {hold("start", 1.0 / 3), hold("grown", 1.0 / 3, {Op::spawn("cg1", 2), Op::move("cg0", "cg1", 1)}),
                    hold("shrunk", 1.0 / 3, {Op::kill("cg1", 2)})}};
}

const std::vector<CannedScenario> kCanned = {
    {"steady", "two cgroups of spinners, one worker per CPU each, for the whole run", steady},
    {"steady_llc", "one cgroup per LLC pinned to it (cpuset llc:K), two spinners per CPU", steady_llc},
    {"oversubscribed", "one cgroup with four spinners per CPU", oversubscribed},
    {"cpuset_change", "a cgroup on half the CPUs, widened to all, then narrowed again", cpuset_change},
    {"cgroup_churn", "a spinner backdrop while every quarter adds and removes two short-lived cgroups", cgroup_churn},
    {"mixed", "spin, yield, compute/sleep, bursty and sync-I/O cgroups side by side", mixed},
    {"nested_weights", "nested cgroups with cpu.weight 100 vs 400, then reweighted mid-run", nested_weights},
    {"pingpong", "pipe and futex ping-pong pairs measuring wake latency", pingpong},
    {"scheduler_kill", "spinners; the scheduler is killed with SIGKILL halfway (expects a failure)", scheduler_kill},
    {"spawn_kill", "workers spawned, moved between cgroups and killed between steps", spawn_kill},
};

}  // namespace

const std::vector<CannedScenario>& canned_scenarios() { return kCanned; }

Result<Scenario> make_scenario(std::string_view name, const ScenarioParams& params) {
  if (!params.layout) return fail("scenario '{}': no CPU layout", name);
  std::string known;
  for (const auto& c : kCanned) {
    if (c.name == name) {
      Scenario s = c.make(params);
      s.name = std::string(c.name);
      s.doc = std::string(c.doc);
      return s;
    }
    known += (known.empty() ? "" : ", ") + std::string(c.name);
  }
  return fail("unknown scenario '{}' (known: {})", name, known);
}

}  // namespace ktstr::guest
