// The topology model: validation of a shape, CPU placement, the canonical string.
// The string grammar is parsed in topology_parse.cpp.
#include "base/topology.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>

namespace ktstr {

namespace {

bool all_equal(const std::vector<int>& v) {
  return std::all_of(v.begin(), v.end(), [&](int x) { return x == v.front(); });
}

std::string join(const std::vector<int>& v) { return fmt::format("{}", fmt::join(v, "_")); }

Result<void> check_counts(const std::vector<int>& node_llcs, const std::vector<int>& llc_cores, int threads) {
  if (node_llcs.empty()) return fail("a topology needs at least one NUMA node");
  for (size_t n = 0; n < node_llcs.size(); ++n)
    if (node_llcs[n] < 1) return fail("node {} has no LLC (nodes without CPUs are not supported)", n);
  const long llcs = std::accumulate(node_llcs.begin(), node_llcs.end(), 0L);
  if (static_cast<long>(llc_cores.size()) != llcs)
    return fail("{} LLC sizes given for {} LLCs (one per LLC)", llc_cores.size(), llcs);
  for (size_t k = 0; k < llc_cores.size(); ++k)
    if (llc_cores[k] < 1) return fail("LLC {} has no cores", k);
  if (threads < 1 || threads > Topology::kMaxThreads)
    return fail("{} threads per core: 1 to {} are supported (SMT-4 is the widest x86 has shipped)", threads,
                Topology::kMaxThreads);
  long vcpus = 0;
  for (int c : llc_cores) vcpus += static_cast<long>(c) * threads;
  if (vcpus > Topology::kMaxVcpus) return fail("{} vCPUs exceeds the limit of {}", vcpus, Topology::kMaxVcpus);
  return {};
}

// Linux builds its LLC and core sibling masks only when the boot CPU's package
// has more than one CPU: arch/x86/kernel/cpu/topology.c counts
// __num_cores_per_package in the package of the first APIC ID, and
// arch/x86/kernel/smpboot.c set_cpu_sibling_map links siblings only when
// has_mp (SMT, or that count > 1). With a one-CPU LLC 0 every guest CPU
// would be its own LLC (measured under QEMU: LLCs of 1 and 2 cores gave
// three single-CPU LLCs). Both engines put LLC 0 in the boot CPU's package.
Result<void> check_boot_llc(const std::vector<int>& llc_cores, int threads) {
  if (threads > 1 || llc_cores.front() > 1) return {};
  for (size_t k = 1; k < llc_cores.size(); ++k)
    if (llc_cores[k] > 1)
      return fail("LLC 0 has one CPU but LLC {} has {}: Linux then groups no CPUs into LLCs (it takes the "
                  "sibling layout from the boot CPU's package); list a larger LLC first",
                  k, llc_cores[k]);
  return {};
}

Result<std::vector<int>> check_memory(std::vector<int> node_memory, size_t nodes) {
  if (node_memory.empty()) node_memory.assign(nodes, 1);
  if (node_memory.size() != nodes)
    return fail("{} memory shares given for {} nodes (one per node)", node_memory.size(), nodes);
  for (size_t n = 0; n < nodes; ++n)
    if (node_memory[n] < 0) return fail("node {} has a negative memory share", n);
  if (node_memory.front() == 0)
    return fail("node 0 has no memory: the results ring lives in node 0's RAM; make a later node memoryless");
  const int g = std::accumulate(node_memory.begin(), node_memory.end(), 0, [](int a, int b) { return std::gcd(a, b); });
  for (int& m : node_memory) m /= g;
  return node_memory;
}

}  // namespace

Result<Topology> Topology::uniform(int nodes, int llcs, int cores, int threads) {
  if (nodes < 1 || llcs < 1 || cores < 1) return fail("every count must be at least 1 ({}n{}l{}c{}t)", nodes, llcs, cores, threads);
  if (llcs > kMaxVcpus || nodes > kMaxVcpus) return fail("{} LLCs on {} nodes exceeds the limit of {} vCPUs", llcs, nodes, kMaxVcpus);
  if (llcs % nodes != 0) return fail("{} LLCs cannot be spread evenly over {} NUMA nodes", llcs, nodes);
  return make(std::vector<int>(static_cast<size_t>(nodes), llcs / nodes), std::vector<int>(static_cast<size_t>(llcs), cores),
              threads);
}

Result<Topology> Topology::make(std::vector<int> node_llcs, std::vector<int> llc_cores, int threads,
                                std::vector<int> node_memory) {
  KTSTR_TRY_VOID(check_counts(node_llcs, llc_cores, threads));
  KTSTR_TRY_VOID(check_boot_llc(llc_cores, threads));
  Topology t;
  t.node_memory_ = KTSTR_TRY(check_memory(std::move(node_memory), node_llcs.size()));
  t.node_llcs_ = std::move(node_llcs);
  t.llc_cores_ = std::move(llc_cores);
  t.threads_ = threads;
  return t;
}

int Topology::max_cores() const { return *std::max_element(llc_cores_.begin(), llc_cores_.end()); }

int Topology::node_of_llc(int llc) const {
  for (int n = 0, first = 0; n < nodes(); first += node_llcs_[static_cast<size_t>(n)], ++n)
    if (llc < first + node_llcs_[static_cast<size_t>(n)]) return n;
  return nodes() - 1;
}

int Topology::first_cpu_of_llc(int llc) const {
  return std::accumulate(llc_cores_.begin(), llc_cores_.begin() + llc, 0) * threads_;
}

int Topology::vcpus() const { return first_cpu_of_llc(llcs()); }

int Topology::memory_weight_total() const { return std::accumulate(node_memory_.begin(), node_memory_.end(), 0); }

bool Topology::is_uniform() const { return all_equal(node_llcs_) && all_equal(llc_cores_) && all_equal(node_memory_); }

std::string Topology::str() const {
  std::string s = fmt::format("{}n{}l{}c{}t", nodes(), all_equal(node_llcs_) ? std::to_string(llcs()) : join(node_llcs_),
                              all_equal(llc_cores_) ? std::to_string(llc_cores_.front()) : join(llc_cores_), threads_);
  if (!all_equal(node_memory_)) s += join(node_memory_) + "m";
  return s;
}

CpuPlace Topology::place(int cpu) const {
  int llc = 0;
  while (llc + 1 < llcs() && cpu >= first_cpu_of_llc(llc + 1)) ++llc;
  const int offset = cpu - first_cpu_of_llc(llc);
  return {cpu, node_of_llc(llc), llc, offset / threads_, offset % threads_};
}

std::vector<int> Topology::cpus_of_llc(int llc) const {
  std::vector<int> out(static_cast<size_t>(cores_of_llc(llc) * threads_));
  std::iota(out.begin(), out.end(), first_cpu_of_llc(llc));
  return out;
}

std::vector<int> Topology::cpus_of_node(int node) const {
  std::vector<int> out;
  for (int k = 0; k < llcs(); ++k)
    if (node_of_llc(k) == node)
      for (int c : cpus_of_llc(k)) out.push_back(c);
  return out;
}

std::vector<int> Topology::cpus_of_core(int llc, int core) const {
  std::vector<int> out(static_cast<size_t>(threads_));
  std::iota(out.begin(), out.end(), first_cpu_of_llc(llc) + core * threads_);
  return out;
}

bool Topology::same_cpus(const Topology& o) const {
  return node_llcs_ == o.node_llcs_ && llc_cores_ == o.llc_cores_ && threads_ == o.threads_;
}

}  // namespace ktstr
