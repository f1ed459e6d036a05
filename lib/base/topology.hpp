// The declared CPU topology of a guest: "NnLlCcTt" = N NUMA nodes, L LLCs in
// total (spread evenly over the nodes), C cores per LLC, T threads per core.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr {

// Where one logical CPU sits. Logical CPUs are numbered thread-fastest:
// cpu = ((llc * cores + core) * threads) + thread, the order in which both
// engines enumerate vCPUs (QEMU: one socket per LLC).
struct CpuPlace {
  int cpu;
  int node;
  int llc;
  int core;    // core index within its LLC
  int thread;  // thread index within its core
};

struct Topology {
  int nodes = 1;
  int llcs = 1;
  int cores = 1;    // per LLC
  int threads = 1;  // per core

  // Parses "1n2l4c2t". Rejects zeros, LLCs not divisible by nodes, and more
  // than kMaxVcpus vCPUs, with a message that says what is wrong.
  static Result<Topology> parse(std::string_view s);
  static constexpr int kMaxVcpus = 252;

  [[nodiscard]] int vcpus() const { return llcs * cores * threads; }
  [[nodiscard]] int llcs_per_node() const { return llcs / nodes; }
  [[nodiscard]] std::string str() const;  // canonical "NnLlCcTt"
  [[nodiscard]] CpuPlace place(int cpu) const;
  [[nodiscard]] std::vector<int> cpus_of_llc(int llc) const;
  [[nodiscard]] std::vector<int> cpus_of_node(int node) const;

  friend bool operator==(const Topology&, const Topology&) = default;
};

// Formats a CPU list the way sysfs does ("0-3,8,10-11").
std::string format_cpu_list(const std::vector<int>& cpus);
// Parses a sysfs-style CPU list ("0-3,8"); empty string gives an empty list.
Result<std::vector<int>> parse_cpu_list(std::string_view s);

}  // namespace ktstr
