// The scenario API: cgroups of workers, steps with holds, ops between steps.
// A scenario is data; run_scenario() (scenario_runner.cpp) plays it.
//
//   Scenario s{.name = "mine", .backdrop = {CgroupDef{.name = "bg", .workers = 2}}};
//   s.steps.push_back({.name = "burst", .ops = {Op::add({.name = "fg", .workers = 4})}, .hold = Hold::frac(0.5)});
//
// Backdrop cgroups live for the whole run; cgroups added by a step's ops are
// removed (their workers stopped) at the end of that step.
#pragma once

#include <string>
#include <vector>

#include "guest/timing.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {

struct CgroupDef {
  std::string name;             // path below the test root; "a/b" nests b in a
  int workers = 1;              // worker processes (0: a pure parent group); group work
                                // rounds up to whole groups (group_size_of(work))
  double workers_per_cpu = 0;   // > 0: workers = ceil(this x CPUs in the cpuset) instead
  WorkSpec work;                // what every worker does, and its policy
  std::string cpuset;           // cpuset spec (cpuset_spec.hpp); "" = every CPU
  int weight = 100;             // cpu.weight
  std::string affinity;         // per-worker sched_setaffinity: a cpuset spec, or "random"
                                // (each worker a random half of the group's CPUs); "" = none
  bool host = false;            // no cgroup: the workers stay in the runner's own cgroup
                                // (host tasks competing with the test's cgroups); name labels them
};

// One change applied before a step's hold.
struct Op {
  enum class Kind {
    kAddCgroup, kRemoveCgroup, kMoveWorkers, kSetCpuset, kSetWeight, kSpawn, kKill, kKillScheduler, kSetAffinity
  };
  Kind kind = Kind::kAddCgroup;
  CgroupDef def;        // kAddCgroup
  std::string cgroup;   // the cgroup acted on
  std::string target;   // kMoveWorkers destination
  int count = 0;        // workers moved, spawned or killed (kMoveWorkers: 0 = all)
  std::string cpuset;   // kSetCpuset; kSetAffinity: the affinity spec (CgroupDef::affinity)
  int value = 0;        // kSetWeight weight; kKillScheduler signal

  static Op add(CgroupDef d) { return {.kind = Kind::kAddCgroup, .def = std::move(d)}; }
  static Op remove(std::string cg) { return {.kind = Kind::kRemoveCgroup, .cgroup = std::move(cg)}; }
  static Op move(std::string from, std::string to, int n = 0) {
    return {.kind = Kind::kMoveWorkers, .cgroup = std::move(from), .target = std::move(to), .count = n};
  }
  static Op set_cpuset(std::string cg, std::string spec) {
    return {.kind = Kind::kSetCpuset, .cgroup = std::move(cg), .cpuset = std::move(spec)};
  }
  static Op set_weight(std::string cg, int w) { return {.kind = Kind::kSetWeight, .cgroup = std::move(cg), .value = w}; }
  static Op spawn(std::string cg, int n) { return {.kind = Kind::kSpawn, .cgroup = std::move(cg), .count = n}; }
  static Op kill(std::string cg, int n) { return {.kind = Kind::kKill, .cgroup = std::move(cg), .count = n}; }
  static Op kill_scheduler(int sig = 9) { return {.kind = Kind::kKillScheduler, .value = sig}; }
  // Sets the affinity of every live worker of cg; "random" draws a new
  // subset per worker, seeded by the step, so repeated ops change them.
  static Op set_affinity(std::string cg, std::string spec) {
    return {.kind = Kind::kSetAffinity, .cgroup = std::move(cg), .cpuset = std::move(spec)};
  }

  // Human-readable form for the ops timeline ("set cpuset cg0 = llc:0").
  [[nodiscard]] std::string describe() const;
};

struct Step {
  std::string name;
  std::vector<Op> ops;  // applied in order before the hold
  Hold hold = Hold::frac(1.0);
};

struct Scenario {
  std::string name;
  std::string doc;                  // one line
  std::vector<CgroupDef> backdrop;  // created before step 0, kept to the end
  std::vector<Step> steps;          // at most kMaxSteps
};

}  // namespace ktstr::guest
