// How CPU time divides among sibling cgroups against what their cpu.weight
// entitles them to, for the cgroup weight check. Pure; the definition is
// lib/host/verdict/README.md's ("cgroup weights").
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

// One sibling cgroup during one step. CPU times cover its whole subtree.
struct SiblingShare {
  std::string cgroup;
  int weight = 100;
  double used_ns = 0;      // sum of cpu_ns over its workers' records
  double demand_ns = 0;    // sum of min(cpu_ns + runq_wait_ns, wall_ns): the time its workers were runnable
  double cap_ns = 0;       // min(demand, CPUs of its cpuset x step time): the most it could have used
  double entitled_ns = 0;  // its part of the siblings' total by weight, capped (water-filling)
  double share_pct = 0;    // used / total
  double entitled_pct = 0; // entitled / total
  bool capped = false;     // its entitlement is its cap, not its weight's share
};

// The children of one cgroup (the test root is "") during one step that
// ran at least one runnable worker, when there are two or more of them.
struct SiblingSet {
  std::string parent;
  int step = 0;
  double total_ns = 0;     // CPU time the siblings used together
  std::vector<SiblingShare> members;
};

// Splits total among members by weight, none getting more than its cap;
// what a capped member cannot take goes to the others by weight (weighted
// max-min fairness). When the caps add up to less than total, each gets
// its cap scaled up to the total.
std::vector<double> water_fill(double total, std::span<const double> weights, std::span<const double> caps);

// Every sibling set of every step, by step then parent.
std::vector<SiblingSet> sibling_shares(const RunTelemetry& t);

}  // namespace ktstr::verdict
