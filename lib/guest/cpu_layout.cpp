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

}  // namespace

CpuLayout CpuLayout::from_topology(const Topology& t) {
  CpuLayout l;
  for (int c = 0; c < t.vcpus(); ++c) l.cpus.push_back(c);
  for (int k = 0; k < t.llcs; ++k) l.llcs.push_back(t.cpus_of_llc(k));
  for (int k = 0; k < t.nodes; ++k) l.nodes.push_back(t.cpus_of_node(k));
  for (int c = 0; c < t.vcpus(); c += t.threads) {
    std::vector<int> core;
    for (int i = 0; i < t.threads; ++i) core.push_back(c + i);
    l.cores.push_back(std::move(core));
  }
  return l;
}

Result<Topology> CpuLayout::shape() const {
  auto uneven = [](const std::vector<std::vector<int>>& g) {
    return std::any_of(g.begin(), g.end(), [&](const auto& x) { return x.size() != g.front().size(); });
  };
  if (cpus.empty() || llcs.empty() || nodes.empty() || cores.empty()) return fail("no CPUs in the layout");
  if (uneven(llcs)) return fail("LLCs have different CPU counts");
  if (uneven(cores)) return fail("cores have different thread counts");
  if (uneven(nodes)) return fail("NUMA nodes have different CPU counts");
  int threads = static_cast<int>(cores.front().size());
  int per_llc = static_cast<int>(llcs.front().size());
  if (per_llc % threads != 0) return fail("an LLC splits a core");
  return Topology{static_cast<int>(nodes.size()), static_cast<int>(llcs.size()), per_llc / threads, threads};
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
  const fs::path node_dir = sysfs_root / "devices/system/node";
  std::error_code ec;
  if (fs::exists(node_dir / "online", ec)) {
    for (int n : KTSTR_TRY(read_list(node_dir / "online"))) {
      auto cpus = KTSTR_TRY(read_list(node_dir / fmt::format("node{}", n) / "cpulist"));
      if (!cpus.empty()) l.nodes.push_back(std::move(cpus));
    }
  } else {
    l.nodes.push_back(l.cpus);
  }
  return l;
}

}  // namespace ktstr::guest
