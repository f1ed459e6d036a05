#include "guest/cpu_layout.hpp"

#include <algorithm>
#include <map>

#include "base/fd.hpp"

namespace ktstr::guest {
namespace fs = std::filesystem;

namespace {

// Groups CPUs by a key list per CPU, ordering groups by their lowest CPU.
std::vector<std::vector<int>> groups_by_lowest(std::map<std::vector<int>, std::vector<int>> by_key) {
  std::vector<std::vector<int>> out;
  for (auto& [key, cpus] : by_key) {
    std::sort(cpus.begin(), cpus.end());
    out.push_back(std::move(cpus));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return out;
}

Result<std::vector<int>> read_list(const fs::path& p) {
  auto text = KTSTR_TRY(read_file(p));
  return with_context(parse_cpu_list(text), p.string());
}

// The node index of every CPU, or an error naming a CPU in no node.
Result<std::map<int, size_t>> node_of_cpu(const CpuLayout& l) {
  std::map<int, size_t> node_of;
  for (size_t n = 0; n < l.nodes.size(); ++n)
    for (int c : l.nodes[n]) node_of[c] = n;
  for (int c : l.cpus)
    if (!node_of.contains(c)) return fail("CPU {} is in no NUMA node", c);
  return node_of;
}

// Nodes with CPUs (in node order), and which of them have memory.
Result<void> read_nodes(const fs::path& node_dir, CpuLayout& l) {
  std::error_code ec;
  if (!fs::exists(node_dir / "online", ec)) {
    l.nodes.push_back(l.cpus);
    l.memory_nodes = {0};
    return {};
  }
  std::vector<int> ids;
  for (int n : KTSTR_TRY(read_list(node_dir / "online"))) {
    auto cpus = KTSTR_TRY(read_list(node_dir / fmt::format("node{}", n) / "cpulist"));
    if (cpus.empty()) continue;
    l.nodes.push_back(std::move(cpus));
    ids.push_back(n);
  }
  const bool listed = fs::exists(node_dir / "has_memory", ec);
  const std::vector<int> with_memory = listed ? KTSTR_TRY(read_list(node_dir / "has_memory")) : ids;
  for (size_t i = 0; i < ids.size(); ++i)
    if (std::find(with_memory.begin(), with_memory.end(), ids[i]) != with_memory.end())
      l.memory_nodes.push_back(static_cast<int>(i));
  return {};
}

}  // namespace

CpuLayout CpuLayout::from_topology(const Topology& t) {
  CpuLayout l;
  for (int c = 0; c < t.vcpus(); ++c) l.cpus.push_back(c);
  for (int k = 0; k < t.llcs(); ++k) {
    l.llcs.push_back(t.cpus_of_llc(k));
    for (int core = 0; core < t.cores_of_llc(k); ++core) l.cores.push_back(t.cpus_of_core(k, core));
  }
  for (int n = 0; n < t.nodes(); ++n) {
    l.nodes.push_back(t.cpus_of_node(n));
    if (!t.memoryless(n)) l.memory_nodes.push_back(n);
  }
  return l;
}

Result<Topology> CpuLayout::shape() const {
  if (cpus.empty() || llcs.empty() || nodes.empty() || cores.empty()) return fail("no CPUs in the layout");
  const size_t threads = cores.front().size();
  if (std::any_of(cores.begin(), cores.end(), [&](const auto& c) { return c.size() != threads; }))
    return fail("cores have different thread counts");
  const auto node_of = KTSTR_TRY(node_of_cpu(*this));
  std::vector<std::vector<int>> cores_by_node(nodes.size());
  for (const auto& llc : llcs) {
    const size_t node = node_of.at(llc.front());
    if (std::any_of(llc.begin(), llc.end(), [&](int c) { return node_of.at(c) != node; }))
      return fail("the LLC of CPUs {} spans NUMA nodes", format_cpu_list(llc));
    if (llc.size() % threads != 0) return fail("the LLC of CPUs {} splits a core", format_cpu_list(llc));
    cores_by_node[node].push_back(static_cast<int>(llc.size() / threads));
  }
  std::vector<int> node_llcs, llc_cores;
  for (const auto& node : cores_by_node) {
    node_llcs.push_back(static_cast<int>(node.size()));
    llc_cores.insert(llc_cores.end(), node.begin(), node.end());
  }
  return Topology::make(std::move(node_llcs), std::move(llc_cores), static_cast<int>(threads));
}

std::vector<std::string> CpuLayout::memory_mismatches(const Topology& declared) const {
  std::vector<std::string> out;
  for (int n = 0; n < declared.nodes(); ++n) {
    const bool has = std::find(memory_nodes.begin(), memory_nodes.end(), n) != memory_nodes.end();
    if (has == !declared.memoryless(n)) continue;
    out.push_back(fmt::format("node {}: guest has {}, declared {}", n, has ? "memory" : "no memory",
                              declared.memoryless(n) ? "memoryless" : "with memory"));
  }
  return out;
}

Result<CpuLayout> read_cpu_layout(const fs::path& sysfs_root) {
  const fs::path cpu_dir = sysfs_root / "devices/system/cpu";
  CpuLayout l;
  l.cpus = KTSTR_TRY(read_list(cpu_dir / "online"));
  std::map<std::vector<int>, std::vector<int>> llc_of, core_of;
  for (int c : l.cpus) {
    const fs::path d = cpu_dir / fmt::format("cpu{}", c);
    fs::path llc = d / "cache/index3/shared_cpu_list";
    if (!fs::exists(llc)) llc = d / "topology/package_cpus_list";
    if (!fs::exists(llc)) llc = d / "topology/core_siblings_list";
    llc_of[KTSTR_TRY(read_list(llc))].push_back(c);
    core_of[KTSTR_TRY(read_list(d / "topology/thread_siblings_list"))].push_back(c);
  }
  l.llcs = groups_by_lowest(std::move(llc_of));
  l.cores = groups_by_lowest(std::move(core_of));
  KTSTR_TRY_VOID(read_nodes(sysfs_root / "devices/system/node", l));
  return l;
}

}  // namespace ktstr::guest
