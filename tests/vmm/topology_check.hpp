// Compares the topology a guest reported (the probe's kTopology JSON of
// sysfs) with the declared one, field by field.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/topology.hpp"

namespace ktstr::vmmtest {

// Every difference as one line ("cpu 3 llc_shared: guest 2-3, declared 0-3");
// empty when the guest sees exactly the declaration. Expected: online and
// possible CPUs = 0..vcpus-1 (no phantom hotplug slots); per CPU, with
// place = topo.place(cpu): package_id = place.llc (one socket per LLC),
// core_id = place.core, thread_siblings = cpus_of_core, llc_shared =
// cpus_of_llc(place.llc); node n's cpulist = cpus_of_node(n), and its
// MemTotal is 0 exactly when the node is declared memoryless; the node
// states has_memory = the nodes declared with RAM, has_cpu = every node.
std::vector<std::string> topology_mismatches(const Topology& topo, const nlohmann::json& reported);

}  // namespace ktstr::vmmtest
