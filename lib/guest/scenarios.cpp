#include "guest/scenarios.hpp"

#include "base/topology.hpp"

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

// A cgroup spec that needs two CPUs, or "all" on a guest that has one.
std::string if_two_cpus(const ScenarioParams& p, std::string spec) {
  return p.layout->cpus.size() < 2 ? std::string("all") : std::move(spec);
}

Scenario cpuset_apply(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1)},
          .steps = {hold("unrestricted", 0.5),
                    hold("applied", 0.5,
                         {Op::set_cpuset("cg0", if_two_cpus(p, "split:0/2")),
                          Op::set_cpuset("cg1", if_two_cpus(p, "split:1/2"))})}};
}

Scenario cpuset_clear(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1, if_two_cpus(p, "split:0/2")),
                       spinners(p, "cg1", 1, if_two_cpus(p, "split:1/2"))},
          .steps = {hold("confined", 0.5), hold("cleared", 0.5, {Op::set_cpuset("cg0", "all"), Op::set_cpuset("cg1", "all")})}};
}

// cg0 takes the first A/B of the CPUs and cg1 the rest, for A/B = 1/2, 1/4, 3/4.
Scenario cpuset_resize(const ScenarioParams& p) {
  auto split = [&](const char* frac) {
    return std::vector<Op>{Op::set_cpuset("cg0", if_two_cpus(p, fmt::format("frac:{}", frac))),
                           Op::set_cpuset("cg1", if_two_cpus(p, fmt::format("not:frac:{}", frac)))};
  };
  return {.backdrop = {spinners(p, "cg0", 1, if_two_cpus(p, "frac:1/2")),
                       spinners(p, "cg1", 1, if_two_cpus(p, "not:frac:1/2"))},
          .steps = {hold("even", 1.0 / 3), hold("cg0_shrunk", 1.0 / 3, split("1/4")),
                    hold("cg0_grown", 1.0 / 3, split("3/4"))}};
}

Scenario cgroup_add(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1)},
          .steps = {hold("two", 0.5), hold("four", 0.5, {Op::add(spinners(p, "cg2", 1)), Op::add(spinners(p, "cg3", 1))})}};
}

Scenario cgroup_remove(const ScenarioParams& p) {
  return {.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1), spinners(p, "cg2", 1), spinners(p, "cg3", 1)},
          .steps = {hold("four", 0.5), hold("two", 0.5, {Op::remove("cg2"), Op::remove("cg3")})}};
}

Scenario affinity_change(const ScenarioParams& p) {
  Scenario s{.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1)}, .steps = {hold("free", 0.2)}};
  for (int i = 1; i <= 4; ++i)
    s.steps.push_back(hold(fmt::format("random{}", i), 0.2,
                           {Op::set_affinity("cg0", "random"), Op::set_affinity("cg1", "random")}));
  return s;
}

Scenario affinity_pinned(const ScenarioParams& p) {
  const auto& cpus = p.layout->cpus;
  const std::string first_two = format_cpu_list({cpus.begin(), cpus.begin() + std::min<long>(2, std::ssize(cpus))});
  auto cg0 = spinners(p, "cg0", 1), cg1 = spinners(p, "cg1", 1);
  cg0.affinity = cg1.affinity = first_two;
  return {.backdrop = {cg0, cg1}, .steps = {hold("pinned", 1.0)}};
}

Scenario host_contention(const ScenarioParams& p) {
  CgroupDef host{.name = "host", .workers_per_cpu = 1, .work = {.type = p.work, .policy = p.policy}, .host = true};
  return {.backdrop = {spinners(p, "cg0", 1), spinners(p, "cg1", 1), host}, .steps = {hold("contended", 1.0)}};
}

// Leaves at depths 2 and 3; a cgroup with children holds no workers
// (cgroup v2's no-internal-process rule).
Scenario nested_steady(const ScenarioParams& p) {
  auto parent = [&](std::string name) { return CgroupDef{.name = std::move(name), .workers = 0, .cpuset = p.cpuset}; };
  auto leaf = [&](std::string name) {
    auto d = spinners(p, std::move(name), 0.5);
    d.cpuset = "";  // inherit the parent's
    return d;
  };
  auto mid = parent("cg1/sub_a");
  mid.cpuset = "";
  return {.backdrop = {parent("cg0"), leaf("cg0/sub_a"), leaf("cg0/sub_b"), parent("cg1"), mid,
                       leaf("cg1/sub_a/deep"), leaf("cg1/sub_b")},
          .steps = {hold("nested", 1.0)}};
}

// The movers go parent/a -> parent/b/deep -> other/x -> parent/a while
// "stay" keeps the CPUs contended.
Scenario nested_task_move(const ScenarioParams& p) {
  auto group = [&](std::string name, int workers) {
    return CgroupDef{.name = std::move(name), .workers = workers, .work = {.type = p.work, .policy = p.policy}};
  };
  auto movers = spinners(p, "parent/a", 1);
  movers.cpuset = "";
  return {.backdrop = {group("parent", 0), movers, group("parent/b", 0), group("parent/b/deep", 0), group("other", 0),
                       group("other/x", 0), spinners(p, "stay", 1)},
          .steps = {hold("in_a", 0.25), hold("to_deep", 0.25, {Op::move("parent/a", "parent/b/deep")}),
                    hold("to_other", 0.25, {Op::move("parent/b/deep", "other/x")}),
                    hold("back", 0.25, {Op::move("other/x", "parent/a")})}};
}

Scenario one_group(const ScenarioParams& p) {
  return {.backdrop = {CgroupDef{.name = "cg0", .workers = 1, .work = {.type = p.work, .policy = p.policy}, .cpuset = p.cpuset}},
          .steps = {hold("one_group", 1.0)}};
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
    {"cpuset_apply", "two cgroups of spinners, then disjoint half-CPU cpusets applied mid-run", cpuset_apply},
    {"cpuset_clear", "two cgroups on disjoint halves of the CPUs, then their cpusets cleared mid-run", cpuset_clear},
    {"cpuset_resize", "cpusets first/rest of the CPUs split 1/2, then 1/4 (cg0 shrinks), then 3/4 (cg0 grows)",
     cpuset_resize},
    {"cgroup_add", "two cgroups of spinners, two more added halfway", cgroup_add},
    {"cgroup_remove", "four cgroups of spinners, two removed halfway", cgroup_remove},
    {"affinity_change", "two cgroups of spinners; every fifth of the run each worker gets a new random half of the CPUs",
     affinity_change},
    {"affinity_pinned", "two cgroups of spinners, every worker pinned to the same first two CPUs", affinity_pinned},
    {"host_contention", "two cgroups of spinners against one spinner per CPU outside any test cgroup", host_contention},
    {"mixed_workloads", "alias of mixed: CPU-heavy, yield, compute/sleep, bursty and sync-I/O cgroups", mixed},
    {"nested_steady", "spinners in leaf cgroups two and three levels deep", nested_steady},
    {"nested_task_move", "workers moved parent/a -> parent/b/deep -> other/x -> parent/a across nesting levels",
     nested_task_move},
    {"one_group", "one cgroup with a single group of the --work type (one worker for solo work types)", one_group},
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
