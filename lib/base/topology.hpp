// The declared CPU topology of a guest: NUMA nodes, the LLCs of each node,
// the cores of each LLC, threads per core, and how RAM is split over the
// nodes. The common, uniform case is written "NnLlCcTt" (N nodes, L LLCs
// spread evenly, C cores per LLC, T threads per core); uneven shapes write
// a field as a list ("2n2_1l3_1_2c1t", README "Topology strings").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr {

// Where one logical CPU sits. Logical CPUs are numbered thread-fastest, then
// core, then LLC, with node 0's LLCs first: the order in which both engines
// enumerate vCPUs (QEMU: one socket per LLC, in APIC ID order).
struct CpuPlace {
  int cpu;
  int node;
  int llc;
  int core;    // core index within its LLC
  int thread;  // thread index within its core
};

class Topology {
 public:
  static constexpr int kMaxVcpus = 252;
  // SMT-4 is the widest x86 has shipped (Xeon Phi); the APIC ID and CPUID
  // encodings of both engines handle any width, the limit keeps shapes real.
  static constexpr int kMaxThreads = 4;

  // One CPU on one node.
  Topology() = default;

  // N nodes, `llcs` LLCs spread evenly over them, `cores` per LLC, `threads`
  // per core, RAM split evenly.
  static Result<Topology> uniform(int nodes, int llcs, int cores, int threads);

  // Any shape: node_llcs[n] = LLCs of node n; llc_cores[k] = cores of LLC k
  // (node 0's LLCs first); node_memory[n] = node n's share of RAM, 0 for a
  // memoryless node (empty: equal shares). Every rule of the grammar is
  // checked here, with a message that says what is wrong.
  static Result<Topology> make(std::vector<int> node_llcs, std::vector<int> llc_cores, int threads,
                               std::vector<int> node_memory = {});

  // Parses the topology grammar (README "Topology strings"): "1n2l4c2t",
  // "1n2l3_1c1t", "2n2_1l2c1t", "2n2l2c1t1_0m".
  static Result<Topology> parse(std::string_view s);

  [[nodiscard]] int nodes() const { return static_cast<int>(node_llcs_.size()); }
  [[nodiscard]] int llcs() const { return static_cast<int>(llc_cores_.size()); }
  [[nodiscard]] int threads() const { return threads_; }
  [[nodiscard]] int llcs_of_node(int node) const { return node_llcs_.at(static_cast<size_t>(node)); }
  [[nodiscard]] int cores_of_llc(int llc) const { return llc_cores_.at(static_cast<size_t>(llc)); }
  [[nodiscard]] int max_cores() const;
  [[nodiscard]] int node_of_llc(int llc) const;
  [[nodiscard]] int first_cpu_of_llc(int llc) const;
  [[nodiscard]] int vcpus() const;

  // RAM share of a node (reduced by the shares' gcd) and their sum.
  [[nodiscard]] int memory_weight(int node) const { return node_memory_.at(static_cast<size_t>(node)); }
  [[nodiscard]] int memory_weight_total() const;
  [[nodiscard]] bool memoryless(int node) const { return memory_weight(node) == 0; }

  // True when every node has as many LLCs, every LLC as many cores and every
  // node as much RAM: the shapes "NnLlCcTt" writes without lists.
  [[nodiscard]] bool is_uniform() const;
  // Canonical string: each field one number when all its entries are equal,
  // else the list; the memory field only when shares differ.
  [[nodiscard]] std::string str() const;

  [[nodiscard]] CpuPlace place(int cpu) const;
  [[nodiscard]] std::vector<int> cpus_of_llc(int llc) const;
  [[nodiscard]] std::vector<int> cpus_of_node(int node) const;
  [[nodiscard]] std::vector<int> cpus_of_core(int llc, int core) const;

  // Same nodes, LLCs, cores and threads; memory shares may differ (a guest
  // sees which nodes have memory, not the declared shares).
  [[nodiscard]] bool same_cpus(const Topology& o) const;

  friend bool operator==(const Topology&, const Topology&) = default;

 private:
  std::vector<int> node_llcs_{1};
  std::vector<int> llc_cores_{1};
  int threads_ = 1;
  std::vector<int> node_memory_{1};
};

// Formats a CPU list the way sysfs does ("0-3,8,10-11").
std::string format_cpu_list(const std::vector<int>& cpus);
// Parses a sysfs-style CPU list ("0-3,8"); empty string gives an empty list.
Result<std::vector<int>> parse_cpu_list(std::string_view s);

}  // namespace ktstr
