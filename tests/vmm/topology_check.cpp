#include "topology_check.hpp"

namespace ktstr::vmmtest {

namespace {
std::vector<int> all_cpus(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

std::string str_field(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string("<missing>");
}

// "memory" / "no memory" / "<missing>" for node n of the probe's node_mem_kb.
std::string memory_of(const nlohmann::json& reported, int n) {
  const std::string key = std::to_string(n);
  if (!reported.contains("node_mem_kb") || !reported["node_mem_kb"].contains(key)) return "<missing>";
  const long kb = reported["node_mem_kb"][key].get<long>();
  return kb < 0 ? "<missing>" : kb == 0 ? "no memory" : "memory";
}
}  // namespace

std::vector<std::string> topology_mismatches(const Topology& topo, const nlohmann::json& reported) {
  std::vector<std::string> bad;
  auto expect = [&](const std::string& what, const std::string& guest, const std::string& declared) {
    if (guest != declared) bad.push_back(fmt::format("{}: guest {}, declared {}", what, guest, declared));
  };
  const std::string declared_cpus = format_cpu_list(all_cpus(topo.vcpus()));
  expect("online", str_field(reported, "online"), declared_cpus);
  expect("possible", str_field(reported, "possible"), declared_cpus);
  const auto& cpus = reported.contains("cpus") ? reported["cpus"] : nlohmann::json::array();
  if (static_cast<int>(cpus.size()) != topo.vcpus())
    bad.push_back(fmt::format("cpu count: guest {}, declared {}", cpus.size(), topo.vcpus()));
  for (const auto& c : cpus) {
    const int cpu = c.value("cpu", -1);
    if (cpu < 0 || cpu >= topo.vcpus()) {
      bad.push_back(fmt::format("unexpected cpu {}", cpu));
      continue;
    }
    const CpuPlace p = topo.place(cpu);
    const std::string at = fmt::format("cpu {} ", cpu);
    expect(at + "package_id", str_field(c, "package_id"), std::to_string(p.llc));
    expect(at + "core_id", str_field(c, "core_id"), std::to_string(p.core));
    expect(at + "thread_siblings", str_field(c, "thread_siblings"), format_cpu_list(topo.cpus_of_core(p.llc, p.core)));
    expect(at + "llc_shared", str_field(c, "llc_shared"), format_cpu_list(topo.cpus_of_llc(p.llc)));
  }
  const auto& nodes = reported.contains("nodes") ? reported["nodes"] : nlohmann::json::object();
  if (static_cast<int>(nodes.size()) != topo.nodes())
    bad.push_back(fmt::format("node count: guest {}, declared {}", nodes.size(), topo.nodes()));
  for (int n = 0; n < topo.nodes(); ++n) {
    const std::string key = std::to_string(n);
    expect(fmt::format("node {} cpulist", n), nodes.contains(key) ? nodes[key].get<std::string>() : "<missing>",
           format_cpu_list(topo.cpus_of_node(n)));
    expect(fmt::format("node {} RAM", n), memory_of(reported, n), topo.memoryless(n) ? "no memory" : "memory");
  }
  std::vector<int> with_memory;
  for (int n = 0; n < topo.nodes(); ++n)
    if (!topo.memoryless(n)) with_memory.push_back(n);
  expect("nodes with memory", str_field(reported, "node_has_memory"), format_cpu_list(with_memory));
  expect("nodes with CPUs", str_field(reported, "node_has_cpu"), format_cpu_list(all_cpus(topo.nodes())));
  return bad;
}

}  // namespace ktstr::vmmtest
