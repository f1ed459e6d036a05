// The scenario API: cgroups of workers, steps with holds, ops between steps
// and timed ops during a hold (snapshots of the workers' counters, weight or
// cpuset changes). A scenario is data; run_scenario() (scenario_runner.cpp)
// plays it.
//
//   Scenario s{.name = "mine", .backdrop = {CgroupDef{.name = "bg", .workers = 2}}};
//   s.steps.push_back({.name = "burst", .ops = {Op::add({.name = "fg", .workers = 4}), Op::snapshot("mid", 0.5)},
//                      .hold = Hold::frac(0.5)});
//   s.snapshots_per_step = 4;  // and a snapshot every quarter of every step
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

// One change applied before a step's hold, or during it when timed (at > 0;
// snapshots are always timed, timed_op.hpp says which kinds may be).
struct Op {
  enum class Kind {
    kAddCgroup, kRemoveCgroup, kMoveWorkers, kSetCpuset, kSetWeight, kSpawn, kKill, kKillScheduler, kSetAffinity,
    kSnapshot
  };
  Kind kind = Kind::kAddCgroup;
  CgroupDef def;        // kAddCgroup
  std::string cgroup;   // the cgroup acted on
  std::string target;   // kMoveWorkers destination
  int count = 0;        // workers moved, spawned or killed (kMoveWorkers: 0 = all)
  std::string cpuset;   // kSetCpuset; kSetAffinity: the affinity spec (CgroupDef::affinity)
  int value = 0;        // kSetWeight weight; kKillScheduler signal
  std::string name;     // kSnapshot: how failure lines name it
  double at = 0;        // fraction of the hold after which the op applies: 0 = before the hold, 1 = at its end

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
  // Records every live worker's counters (RunTelemetry::snapshots) at fraction
  // `at` of the step's hold (0 = as the hold starts, 1 = as it ends).
  static Op snapshot(std::string name, double at = 0.5) {
    return {.kind = Kind::kSnapshot, .name = std::move(name), .at = at};
  }
  // This op, applied at fraction `at` of the hold instead of before it.
  [[nodiscard]] Op timed(double fraction) const {
    Op o = *this;
    o.at = fraction;
    return o;
  }

  // Human-readable form for the ops timeline ("set cpuset cg0 = llc:0",
  // "snapshot mid at 50% of the hold").
  [[nodiscard]] std::string describe() const;
};

struct Step {
  std::string name;
  std::vector<Op> ops;  // applied in order before the hold; timed ones during it, in time order
  Hold hold = Hold::frac(1.0);
};

struct Scenario {
  std::string name;
  std::string doc;                  // one line
  std::vector<CgroupDef> backdrop;  // created before step 0, kept to the end
  std::vector<Step> steps;          // at most kMaxSteps
  int snapshots_per_step = 0;       // N > 0: a snapshot at k/N of every hold (k = 1..N), and one as the first starts
};

}  // namespace ktstr::guest
