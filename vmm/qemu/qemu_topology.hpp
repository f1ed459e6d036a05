// How a declared topology becomes QEMU 7.2 options on the `pc` machine. A pure
// function of the topology and the memory plan, unit-tested; the mapping and
// what QEMU cannot express are in vmm/README.md ("Topology on QEMU").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/topology.hpp"
#include "vmm/memory_plan.hpp"

namespace ktstr::vmm {

// QEMU option values are comma-separated; a literal comma is written twice.
std::string escape_commas(std::string_view v);

// One CPU slot of QEMU's -smp grid (x86 "socket-id", "core-id", "thread-id").
struct CpuSlot {
  int socket;
  int core;
  int thread;
  friend bool operator==(const CpuSlot&, const CpuSlot&) = default;
};

// The -smp value: one socket per LLC, every socket as wide as the widest LLC.
// Uniform shapes: "V,sockets=L,cores=C,threads=T". Uneven LLCs leave slots of
// the narrower sockets empty: "P,maxcpus=M,...", where QEMU creates the first
// P slots (the longest run of wanted slots from slot 0, in APIC ID order).
std::string smp_option(const Topology& t);

// The wanted slots after that run, cold-plugged with -device before boot.
std::vector<CpuSlot> cold_plugged_cpus(const Topology& t);

// -smp, the -device of every cold-plugged CPU (`cpu_model` as in -cpu: "max",
// "host"), per node a memory-backend-file and -numa node (no memdev for a
// memoryless node), then -numa cpu assigning each socket to its LLC's node.
// memory_files has one path per node (ignored for memoryless nodes);
// huge: the files are on a huge-page tmpfs, so each backend is mapped 2 MiB-
// aligned (align=2M), without which the host cannot use 2 MiB pages for it.
std::vector<std::string> qemu_topology_args(const Topology& t, const MemoryPlan& memory,
                                            const std::vector<std::string>& memory_files, bool huge,
                                            std::string_view cpu_model);

}  // namespace ktstr::vmm
